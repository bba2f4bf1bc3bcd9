"""What the counter shows is whole and true: the fee text is never cut."""

from __future__ import annotations

from gui_helpers import Keyboard, settle
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.shell.main_window import MainWindow


def test_the_fee_text_is_never_cut(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    longest = max(desk.ctx.catalogue, key=lambda p: len(p.fee_text or ""))
    assert len(longest.fee_text) > 90  # the old cut-off
    keyboard.type(longest.code)
    keyboard.key(Qt.Key.Key_Return)
    settle(qtbot, desk)
    shown = desk.intake.fee_value.text()
    assert longest.fee_text in shown and "…" not in shown.replace(longest.fee_text, "")
    fee = desk.intake.fee_value
    assert fee.wordWrap() and fee.height() >= fee.heightForWidth(fee.width())  # every line has room
