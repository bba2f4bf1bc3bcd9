"""The application shell, started through the same path as ``make run`` (``main.py --demo``): the log-in
screen first, the status bar, start-up failures explained in a dialog."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.cli.main import main
from app.ui.shell.application import current_window
from app.ui.shell.main_window import MainWindow, _page_hashes_in_child


@pytest.fixture
def no_event_loop(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    """``run_gui`` ends in ``app.exec()``; the test drives the window itself instead: the event loop runs
    only until the staged start-up is over (the desk in the window, the background work started and its
    keyring probe answered), or has given up."""

    def started(w: MainWindow | None) -> bool:
        return w is None or (w.attached and w.sync is not None and w.sync.lane.idle)

    def until_started(_app: QApplication) -> int:
        qtbot.waitUntil(lambda: started(current_window()), timeout=10_000)
        return 0

    monkeypatch.setattr(QApplication, "exec", until_started)


def _main_window() -> MainWindow:
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    assert len(windows) == 1
    return windows[0]


def test_main_window_opens_in_vietnamese(qtbot: QtBot, data_dir: Path, no_event_loop: None) -> None:
    assert main(["--demo", "--data-dir", str(data_dir)]) == 0
    window = _main_window()
    qtbot.addWidget(window)
    assert window.windowTitle() == "Một Cửa Desk — Trung tâm Phục vụ hành chính công phường Bắc Giang"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&Tệp", "Hồ &sơ", "Đồng &bộ", "Trợ giúp (&U)"]  # no Alt letter of an intake field
    assert window.stack.currentWidget() is window.login_page  # log in first
    assert not window.save_action.isEnabled()
    assert (
        window.findChild(QLabel, "statusCentre").text()
        == "Trung tâm Phục vụ hành chính công phường Bắc Giang"
    )
    assert window.findChild(QLabel, "statusOperator").text() == "Chưa đăng nhập"
    # Offline until the sync thread's first round (started with the background work) says it is not enrolled.
    assert window.findChild(QLabel, "statusConnection").text() in ("Ngoại tuyến", "Chưa đăng ký")
    assert window.findChild(QLabel, "statusPending").text() == "Chờ đồng bộ: 0"
    assert window.findChild(QLabel, "statusLastSync").text() == "Chưa đồng bộ lần nào"
    assert window.findChild(QLabel, "catalogueCount").text() == "48 thủ tục trong danh mục"
    assert window.findChild(QLabel, "centreTitle").text().startswith("Trung tâm Phục vụ")
    image = window.grab().toImage()
    assert image.width() > 500 and not image.isNull()
    # The background OCR checks a recognised file's page hashes in the digitising child process: pikepdf
    # is never imported by the window's process (issue 19's memory bound; tests/digitise/test_window_imports).
    assert window.ocr is not None and window.ocr.page_hashes is _page_hashes_in_child
    window.close()


def test_main_window_in_english(qtbot: QtBot, data_dir: Path, no_event_loop: None) -> None:
    assert main(["--demo", "--lang", "en", "--data-dir", str(data_dir)]) == 0
    window = _main_window()
    qtbot.addWidget(window)
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Dossier", "S&ync", "&Help"]
    assert window.findChild(QLabel, "statusConnection").text() in ("Offline", "Not enrolled")
    assert window.findChild(QLabel, "catalogueCount").text() == "48 procedure(s) in the catalogue"
    window.close()
    main(["--lang", "vi", "--data-dir", str(data_dir)])  # leave Vietnamese installed for later tests
    _main_window().close()


@pytest.mark.expect_log("app.ui.shell.application", "ERROR", "start-up failed")
def test_corrupt_database_gets_a_dialog_not_a_traceback(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "motcua-desk.sqlite3").write_bytes(b"garbage" * 1000)
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert main(["--data-dir", str(tmp_path)]) == 2
    assert len(shown) == 1 and "bị hỏng" in shown[0]
    assert (tmp_path / "motcua-desk.sqlite3").read_bytes() == b"garbage" * 1000
    log = (tmp_path / "logs" / "motcua-desk.log").read_text(encoding="utf-8")
    assert "start-up failed" in log


@pytest.mark.expect_log("app.ui.shell.main_window", "WARNING", "no usable keyring")
@pytest.mark.expect_log("app.services.storekey", "WARNING", "no usable keyring")
def test_missing_keyring_is_explained(qtbot: QtBot, tmp_path: Path, no_event_loop: None) -> None:
    keyring.set_keyring(fail.Keyring())  # a new store, kept in clear: said for as long as the window is open
    assert main(["--demo", "--data-dir", str(tmp_path / "data")]) == 0
    window = _main_window()
    qtbot.addWidget(window)
    label = window.status.unencrypted_label
    assert not label.isHidden() and "KHÔNG được mã hóa" in label.text() and "gnome-keyring" in label.toolTip()

    def boxes() -> list[QMessageBox]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    assert len(boxes()) == 1  # the keyring is probed off the GUI thread, with the background work
    box = boxes()[0]
    assert "keyring" in box.text() and "gnome-keyring" in box.text()
    assert not box.isModal()
    box.close()
    window.close()
