"""Settings (stored through the settings service), the language switch, and the status bar's slots for the
future sync engine."""

from __future__ import annotations

from datetime import datetime

import pytest
from gui_helpers import Keyboard, Starter, log_in, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.settings import load_settings
from app.ui.shell.main_window import MainWindow


def test_settings_are_saved_and_applied(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    keyboard.key(Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = desk.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.workstation_name.text() == "Quầy 1"
    # The printers are asked of the print process, off the GUI thread: the dialog is usable meanwhile.
    assert not dialog.printers_known and dialog.printer.toolTip() == "Đang tìm máy in…"
    qtbot.waitUntil(lambda: dialog.printers_known, timeout=30_000)
    assert dialog.printer.count() == 1  # no printer offscreen: only "system default"
    assert dialog.printer.toolTip() == "Máy này chưa cài máy in."
    dialog.server.setText("ftp://sai")
    dialog.submit()
    settle(qtbot, desk)
    assert dialog.errors["server_url"].isVisible() and "https://" in dialog.errors["server_url"].text()
    dialog.workstation_name.setText("Quầy 3")
    dialog.slot.setValue(2)
    dialog.server.setText("https://motcua.bacninh.gov.vn/")
    dialog.receipt.setCurrentIndex(dialog.receipt.findData("receipt-80mm"))
    dialog.font_size.setValue(11)
    dialog.submit()
    settle(qtbot, desk)
    assert desk.settings_dialog is None
    saved = load_settings(desk.ctx.store)
    assert (saved.workstation_name, saved.workstation_slot, saved.server_url) == (
        "Quầy 3",
        2,
        "https://motcua.bacninh.gov.vn",
    )
    assert saved.receipt_format == "receipt-80mm" and saved.font_size == 11
    assert desk.ctx.settings == saved
    assert QApplication.font().pointSize() == 11
    assert desk.status.operator_label.text() == "Cán bộ: Nguyễn Thị Minh Anh · Quầy 3"
    assert desk.ctx.actor.workstation == "Quầy 3"  # recorded on the next actions


def test_language_switches_live_and_is_kept(launch: Starter, qtbot: QtBot, keyboard: Keyboard) -> None:
    window = launch()
    log_in(qtbot, window)
    window.intake.edits["full_name"].setText("Đặng Văn Hùng")
    dialog = window.open_settings()
    assert dialog is not None
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    dialog.submit()
    settle(qtbot, window)
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Dossier", "S&ync", "&Help"]
    # The demo desk is not enrolled: the sync thread says so.
    qtbot.waitUntil(lambda: window.status.connection_label.text() == "Not enrolled")
    assert window.tabs.tabText(0) == "Intake (F2)"
    assert window.intake.edits["full_name"].text() == "Đặng Văn Hùng"  # the form came along
    assert window.ctx.session is not None and window.stack.currentWidget() is window.tabs
    window.close()
    again = launch()  # started without --lang en: the setting is used
    qtbot.waitUntil(lambda: again.status.connection_label.text() == "Not enrolled")
    assert again.login_page.button.text() == "Log in (Enter)"


def test_status_bar_slots_for_the_sync_engine(desk: MainWindow, qtbot: QtBot) -> None:
    status = desk.status
    # The sync thread's first round (the demo desk is not enrolled); the next one is a minute away.
    qtbot.waitUntil(lambda: status.connection_label.text() == "Chưa đăng ký")
    desk.set_sync_state("syncing", 7, datetime(2026, 11, 30, 9, 5))
    assert status.connection_label.text() == "Đang đồng bộ…"
    assert status.pending_label.text() == "Chờ đồng bộ: 7"
    assert status.last_sync_label.text() == "Đồng bộ lần cuối: 09:05 30/11/2026"
    desk.set_sync_state("online", 0, datetime(2026, 11, 30, 9, 6))
    assert status.connection_label.text() == "Trực tuyến"
    assert not status.clock_label.isVisible()
    desk.set_clock_warning(-420.0)
    assert status.clock_label.isVisible() and "chậm 7 phút" in status.clock_label.text()
    desk.set_clock_warning(None)
    assert not status.clock_label.isVisible()


def test_busy_indicator_shows_for_long_work(desk: MainWindow, qtbot: QtBot) -> None:
    import time

    desk.worker.run(time.sleep, 0.6)
    qtbot.waitUntil(desk.status.busy.isVisible, timeout=2000)
    qtbot.waitUntil(lambda: desk.worker.idle, timeout=3000)
    assert not desk.status.busy.isVisible()


def test_f1_lists_the_shortcuts(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    from PySide6.QtWidgets import QMessageBox

    keyboard.key(Qt.Key.Key_F1)
    box = desk.findChild(QMessageBox, "shortcutsBox")
    assert box is not None and box.isVisible()
    assert "Ctrl+Enter lưu và in" in box.text()
    box.close()


def test_a_scan_while_a_dialog_is_open_changes_nothing(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    from gui_helpers import PAYLOAD

    dialog = desk.open_settings()
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    keyboard.scan(PAYLOAD)
    settle(qtbot, desk)
    assert desk.intake.edits["full_name"].text() == ""
    assert dialog.workstation_name.text() == "Quầy 1"  # the digits typed into it were taken back


@pytest.mark.expect_log("app.ui.shell.main_window", "WARNING", "could not list the printers")
def test_the_printer_list_keeps_the_choice_and_marks_a_lost_printer(desk: MainWindow, qtbot: QtBot) -> None:
    """What the print process answers later fills the list: a printer chosen before that is still
    chosen; one the computer no longer has is kept, marked "not found"; a failed look-up leaves only the
    system default and the saved choice."""
    from dataclasses import replace

    desk.ctx.settings = replace(desk.ctx.settings, printer="Canon LBP2900")
    dialog = desk.open_settings()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.printers_known, timeout=30_000)
    assert dialog.printer.currentData() == "Canon LBP2900"
    assert dialog.printer.currentText().endswith("(không tìm thấy)")
    dialog.set_printers(["HP LaserJet", "Canon LBP2900"])
    assert [dialog.printer.itemData(i) for i in range(dialog.printer.count())] == [
        "",
        "HP LaserJet",
        "Canon LBP2900",
    ]
    assert dialog.printer.currentText() == "Canon LBP2900"
    dialog.printer.setCurrentIndex(1)
    dialog.set_printers(["HP LaserJet"])
    assert dialog.printer.currentData() == "HP LaserJet" and dialog.printer.toolTip() == ""
    desk._printers_unknown(dialog, RuntimeError("the print process failed"))
    assert [dialog.printer.itemData(i) for i in range(dialog.printer.count())] == ["", "HP LaserJet"]
    dialog.reject()


def test_settings_show_the_enrolled_server(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    """Enrolment keeps the server's address where sync reads it; Settings shows that one, read-only."""
    from app.services.reference import set_setting
    from app.services.settings import ENROLLED_SERVER_KEY, load_settings

    with desk.ctx.store.write() as s:  # as app.sync.engine.enrol stores it
        set_setting(s, ENROLLED_SERVER_KEY, "https://motcua.bacninh.gov.vn")
    desk.ctx.settings = load_settings(desk.ctx.store)
    keyboard.key(Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = desk.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.server.text() == "https://motcua.bacninh.gov.vn"
    assert dialog.server.isReadOnly()
    dialog.reject()


def test_settings_list_the_calendar_notices(desk: MainWindow, qtbot: QtBot) -> None:
    from dataclasses import replace

    from PySide6.QtWidgets import QLabel

    from app.services.desk_lists import desk_summary
    from app.ui.dialogs.settings import SettingsDialog

    # The summary read on 1 November 2026: the 2027 notices are missing.
    summary = desk_summary(desk.ctx.store, datetime(2026, 11, 1).date())
    assert summary.missing_notice_year == 2027
    assert desk_summary(desk.ctx.store, datetime(2026, 10, 31).date()).missing_notice_year is None
    dialog = SettingsDialog(desk, summary, desk.ctx.settings, printers=[])
    qtbot.addWidget(dialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "2026:" in texts
    (line,) = [t for t in texts if "12729/VPCP-KGVX (25/12/2025)" in t]
    assert "9441/TB-BNV (16/10/2025)" in line and "28/2026/QH16" in line
    warning = dialog.findChild(QLabel, "calendarWarning")
    assert warning is not None and "2027" in warning.text() and "ước tính" in warning.text()
    none = SettingsDialog(desk, replace(summary, notices=(), missing_notice_year=None), desk.ctx.settings, [])
    qtbot.addWidget(none)
    assert none.findChild(QLabel, "calendarWarning") is None
    assert any("Chưa nạp văn bản nào" in x.text() for x in none.findChildren(QLabel))
