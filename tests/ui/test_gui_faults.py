"""Disk faults at the counter, through the GUI: the operator fills the intake form and saves while the disk
is full or the data folder has become read-only. A message in Vietnamese says what happened and what to
do, the form stays as it was typed, nothing is written; once the disk is fine, the same Ctrl+Enter saves.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import PAYLOAD, Keyboard, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import Dossier
from app.paths import database_path
from app.ui.shell.main_window import MainWindow

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from faults.harness import disk_full, raw_connect, read_only, store_problems, table_snapshot  # noqa: E402

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def error_boxes() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "errorBox" and w.isVisible()
    ]


def fill_form(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    """Scan the ID card, choose the birth registration by typing, tick the first paper."""
    keyboard.scan(PAYLOAD)
    settle(qtbot, desk)
    keyboard.type("khai sinh")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_Space)
    settle(qtbot, desk)
    assert desk.intake.picker.current is not None and desk.intake.picker.current.code == "1.001193"


def form_state(desk: MainWindow) -> dict[str, Any]:
    intake = desk.intake
    return {
        **{name: edit.text() for name, edit in intake.edits.items()},
        "gender": intake.gender.currentData(),
        "procedure": intake.picker.current.code if intake.picker.current else None,
        "papers": intake.papers.ticked(),
    }


def written(db: Path) -> dict[str, Any]:
    """What a save writes: every table (``table_snapshot``) but the intake's draft, which the form
    autosaves in the background whenever it can (a small row that may still fit on a full disk)."""
    snap = table_snapshot(db)
    con = raw_connect(db, readonly=True)
    try:
        snap["settings"] = con.execute(
            "SELECT group_concat(key || '=' || value) FROM settings WHERE key NOT LIKE 'draft.%'"
        ).fetchone()
    finally:
        con.close()
    return snap


def dossiers(desk: MainWindow) -> int:
    with desk.ctx.store.read() as s:
        return s.scalar(select(func.count()).select_from(Dossier)) or 0


def save(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    """Ctrl+Enter, and wait until the save has ended (refused, or saved with or without its receipt)."""
    keyboard.key(K.Key_Return, CTRL)
    assert desk.intake.busy
    qtbot.waitUntil(lambda: not desk.intake.busy, timeout=20_000)
    settle(qtbot, desk)


def close_preview(desk: MainWindow, qtbot: QtBot) -> None:
    if desk.preview is not None:
        qtbot.keyClick(desk.preview, K.Key_Escape)
        qtbot.waitUntil(lambda: desk.preview is None)
        settle(qtbot, desk)


def check_refusal(desk: MainWindow, qtbot: QtBot, words: str, typed: dict[str, Any]) -> None:
    (box,) = error_boxes()
    assert words in box.text() and "chưa có gì được ghi" in box.text() and "Traceback" not in box.text()
    qtbot.keyClick(box, K.Key_Return)  # OK
    qtbot.waitUntil(lambda: not error_boxes())
    # The keyboard is back on the form (where it was when Ctrl+Enter was pressed).
    qtbot.waitUntil(lambda: QApplication.focusWidget() is desk.intake.papers)
    settle(qtbot, desk)
    assert form_state(desk) == typed  # nothing the operator typed is lost
    assert desk.preview is None and desk.intake.save_button.isEnabled()


@pytest.mark.expect_log("app.services.intake", "ERROR", "not printed")  # the receipt no longer fits
def test_the_disk_fills_up_at_the_counter(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, data_dir: Path
) -> None:
    """Forms are saved one after the other while the disk fills up (``disk_full``: no page beyond the
    database file's size, so each save fits only while the pages have room): a receipt that no longer
    fits is reported with the dossier saved; the first dossier that no longer fits is refused whole."""
    db = database_path(data_dir)
    with disk_full(desk.ctx.store):
        for _ in range(60):
            fill_form(desk, qtbot, keyboard)
            typed = form_state(desk)
            before = written(db)
            saved = dossiers(desk)
            save(desk, qtbot, keyboard)
            if error_boxes():
                check_refusal(desk, qtbot, "Ổ đĩa của máy đã đầy", typed)
                assert written(db) == before  # nothing written, not even half a dossier
                break
            assert dossiers(desk) == saved + 1 and form_state(desk)["full_name"] == ""
            if desk.preview is None:  # saved, but the receipt did not fit: said so, next to the form
                message = desk.intake.general_error.text()
                assert message.startswith("Đã lưu nhưng chưa in được phiếu: Ổ đĩa của máy đã đầy")
                assert "in lại từ màn hình hồ sơ" in message
            close_preview(desk, qtbot)
        else:
            pytest.fail("the disk never filled up")
        assert not store_problems(db)

    # Space is back: the same form, the same keystroke.
    refused_at = dossiers(desk)
    save(desk, qtbot, keyboard)
    assert desk.preview is not None and desk.preview.isVisible()
    assert dossiers(desk) == refused_at + 1
    assert not store_problems(db)


@pytest.mark.expect_log("app.ui.screens.intake", "WARNING", "the intake draft could not be written")
def test_saving_on_a_read_only_folder_keeps_the_form_and_writes_nothing(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, data_dir: Path
) -> None:
    fill_form(desk, qtbot, keyboard)
    typed = form_state(desk)
    assert typed["full_name"] == "Đặng Văn Hùng" and typed["papers"]
    db = database_path(data_dir)
    before = written(db)
    with read_only(desk.ctx.store):
        save(desk, qtbot, keyboard)
        check_refusal(desk, qtbot, "chỉ cho phép đọc", typed)
        assert written(db) == before
    assert not store_problems(db)
    save(desk, qtbot, keyboard)  # writable again: the same form is saved
    assert desk.preview is not None and desk.preview.isVisible()
    assert dossiers(desk) == 1
