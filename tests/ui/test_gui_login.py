"""Log-in first: wrong passwords are explained, five of them lock the account for five minutes (on a fake
clock), the operator appears in the status bar and on every action."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from gui_helpers import Keyboard, Starter, log_in, settle
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services import session as session_service

T0 = datetime(2026, 11, 30, 8, 0)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(T0)
    monkeypatch.setattr(session_service, "clock", fake)
    return fake


def test_five_failures_lock_the_account_for_five_minutes(
    launch: Starter, qtbot: QtBot, keyboard: Keyboard, clock: FakeClock
) -> None:
    window = launch()
    page = window.login_page
    keyboard.type("demo")
    keyboard.key(Qt.Key.Key_Return)
    for attempt in range(1, 5):
        keyboard.type("sai")
        keyboard.key(Qt.Key.Key_Return)
        settle(qtbot, window)
        assert page.error.isVisible()
        assert f"Còn {5 - attempt} lần thử" in page.error.text()
        assert page.password.text() == "" and keyboard.focus() is page.password
    keyboard.type("sai")
    keyboard.key(Qt.Key.Key_Return)
    settle(qtbot, window)
    assert "tạm khóa" in page.error.text() and "08:05" in page.error.text()
    # Even the right password is refused while locked; a restart does not help.
    clock.now = T0 + timedelta(minutes=4)
    log_in(qtbot, window)
    assert window.ctx.session is None and "còn 1 phút" in page.error.text()
    window.close()
    window = launch()
    log_in(qtbot, window)
    assert window.ctx.session is None and "tạm khóa" in window.login_page.error.text()
    # Five minutes later it opens.
    clock.now = T0 + timedelta(minutes=5, seconds=1)
    log_in(qtbot, window)
    assert window.ctx.session is not None
    assert window.stack.currentWidget() is window.tabs
    assert window.status.operator_label.text() == "Cán bộ: Nguyễn Thị Minh Anh · Quầy 1"


def test_log_in_prefills_the_last_user_and_log_out_returns_to_it(
    launch: Starter, qtbot: QtBot, keyboard: Keyboard
) -> None:
    window = launch()
    log_in(qtbot, window)
    assert window.save_action.isEnabled()
    keyboard.key(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert window.ctx.session is None and not window.save_action.isEnabled()
    assert window.status.operator_label.text() == "Chưa đăng nhập"
    assert window.login_page.username.text() == "demo"
    assert keyboard.focus() is window.login_page.password  # only the password to type
    keyboard.type("motcua")
    keyboard.key(Qt.Key.Key_Return)
    settle(qtbot, window)
    assert window.ctx.session is not None


def test_unknown_operator(launch: Starter, qtbot: QtBot) -> None:
    window = launch()
    log_in(qtbot, window, user="khong-co", password="x")
    assert window.ctx.session is None
    assert window.login_page.error.text() == "Tên đăng nhập hoặc mật khẩu không đúng."
