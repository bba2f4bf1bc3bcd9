"""Every visible string has a Vietnamese translation, and the compiled .qm matches its .ts source."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
assert _spec and _spec.loader
i18n = importlib.util.module_from_spec(_spec)
sys.modules["i18n_tool"] = i18n
_spec.loader.exec_module(i18n)


def test_every_ui_string_is_translated(tmp_path: Path) -> None:
    ts = tmp_path / "motcua_vi.ts"
    shutil.copy(i18n.TS, ts)
    i18n.lupdate(ts)  # re-scan the current sources: new strings show up as unfinished
    assert i18n.untranslated(ts) == [], "run `make translations` and translate the new strings"


def test_compiled_translation_is_up_to_date(tmp_path: Path) -> None:
    qm = tmp_path / "motcua_vi.qm"
    i18n.lrelease(i18n.TS, qm)
    assert qm.read_bytes() == i18n.TS.with_suffix(".qm").read_bytes(), "run `make translations`"


def test_untranslated_detection_works(tmp_path: Path) -> None:
    ts = tmp_path / "x.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="vi_VN">'
        "<context><name>W</name><message><source>Save</source>"
        '<translation type="unfinished"></translation></message>'
        "<message><source>Open</source><translation>Mở</translation></message></context></TS>",
        encoding="utf-8",
    )
    assert i18n.untranslated(ts) == ["W: Save"]


def test_qt_own_strings_are_vietnamese(tmp_path: Path, qtbot: QtBot) -> None:
    """Qt's standard buttons and file dialog: our qtbase_vi (PySide6 ships none) is complete and compiled."""
    assert i18n.untranslated(i18n.QT_TS) == []
    qm = tmp_path / "qtbase_vi.qm"
    i18n.lrelease(i18n.QT_TS, qm)
    assert qm.read_bytes() == i18n.QT_TS.with_suffix(".qm").read_bytes(), "run `make translations`"
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from app.ui.i18n import install_translators

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_translators(app, "vi")

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    texts = {b.text() for b in box.buttons()}
    qtbot.addWidget(box)
    assert texts == {"Lưu", "Hủy"}, texts
    assert QCoreApplication.translate("QFileDialog", "Look in:") == "Tìm trong:"
