"""Helpers for the GUI tests: a keyboard that counts the operator's input events, a deterministic wait
for the worker bridge and the debounce timers, and logging in."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.ui.shell.main_window import MainWindow

PAYLOAD = (
    "024090012345||Đặng Văn Hùng|01021990|Nam|Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang|15042021"
)

Starter = Callable[..., MainWindow]


def quiet(window: MainWindow) -> bool:
    """Nothing queued on the workers (database, printing, digitising), no debounce timer waiting to fire
    and no receipt's preview waiting to open (one turn of the event loop after its save)."""
    timers = (
        window.intake._autosave,
        window.intake._preview_timer,
        window.desk._search_timer,
        window._saved_preview_timer,
    )
    if window.intake.commune.searching:
        return False
    lanes = (window.worker, window.print_worker, window.ctx.digitise_lane)
    return all(lane.idle for lane in lanes) and not any(t.isActive() for t in timers)


def settle(qtbot: QtBot, window: MainWindow, timeout: int = 10_000) -> None:
    qtbot.waitUntil(lambda: quiet(window), timeout=timeout)


def open_window(qtbot: QtBot, data_dir: Path, lang: str | None = "vi") -> MainWindow:
    """The demo desk on ``data_dir`` as ``make run`` starts it, printing into ``printed.pdf`` there, the
    demo operator logged in. Close it with :func:`close_window`."""
    from app.ui.lanes.printing import PrintTarget
    from app.ui.shell.application import start

    _app, window, store = start(argparse.Namespace(data_dir=data_dir, demo=True, lang=lang))
    assert window is not None and store is not None
    window.print_target_override = PrintTarget(pdf_path=data_dir / "printed.pdf")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    settle(qtbot, window)
    log_in(qtbot, window)
    assert window.ctx.session is not None
    return window


def close_window(window: MainWindow) -> None:
    store = window.ctx.store
    window.close()
    store.dispose()


def label_text(window: MainWindow, name: str) -> str:
    """The text of the window's label called ``name`` (e.g. ``statusConnection``)."""
    label = window.findChild(QLabel, name)
    assert label is not None
    return label.text()


def status_is(window: MainWindow, connection: str, pending: int) -> bool:
    """The status bar shows this connection state and this many events waiting (Vietnamese)."""
    return (
        label_text(window, "statusConnection") == connection
        and label_text(window, "statusPending") == f"Chờ đồng bộ: {pending}"
    )


def log_in(qtbot: QtBot, window: MainWindow, user: str = "demo", password: str = "motcua") -> None:
    page = window.login_page
    page.username.setText(user)
    page.password.setText(password)
    page.submit()
    settle(qtbot, window)


class TypingClock:
    """The time the scanner detection sees: a person's keys come 150 ms apart, a scanner's 4 ms, so a
    busy test machine cannot turn a scan into typing or typing into a scan."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Keyboard:
    """What the operator does, one input event at a time, always into the focused widget (as a real
    keyboard would). ``count`` is the number of key presses and clicks; the scanner's are not counted."""

    HUMAN_GAP = 0.15
    SCANNER_GAP = 0.004

    def __init__(self, qtbot: QtBot, clock: TypingClock | None = None) -> None:
        self.qtbot = qtbot
        self.clock = clock or TypingClock()
        self.count = 0
        self.log: list[str] = []

    @staticmethod
    def focus() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def type(self, text: str) -> None:
        for ch in text:  # one key event per character (QTest's key table is ASCII only)
            self.clock.t += self.HUMAN_GAP
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, self.focus(), Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
            )
            self.count += 1
            self.log.append(ch)

    def key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.clock.t += self.HUMAN_GAP
        QTest.keyClick(self.focus(), key, modifiers)
        self.count += 1
        self.log.append(f"<{key.name}{'+' + str(modifiers.value) if modifiers.value else ''}>")

    def click(self, widget: QWidget) -> None:
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.count += 1
        self.log.append(f"<click {widget.objectName()}>")

    def scan(self, payload: str = PAYLOAD, *, enter: bool = True) -> None:
        """A keyboard-wedge scanner on a US layout: the payload as fast key events, Shift pressed and
        released around each ``|`` and capital letter (as the scanner's firmware does), then Enter (not
        counted)."""
        self.clock.t += self.HUMAN_GAP  # the scanner starts after a pause
        shift = Qt.KeyboardModifier.ShiftModifier
        for ch in payload:
            shifted = ch == "|" or "A" <= ch <= "Z"
            if shifted:
                self.clock.t += self.SCANNER_GAP
                QTest.sendKeyEvent(QTest.KeyAction.Press, self.focus(), Qt.Key.Key_Shift, "", shift)
            self.clock.t += self.SCANNER_GAP
            key = Qt.Key.Key_Bar if ch == "|" else Qt.Key.Key_unknown
            QTest.sendKeyEvent(
                QTest.KeyAction.Click,
                self.focus(),
                key,
                ch,
                shift if shifted else Qt.KeyboardModifier.NoModifier,
            )
            if shifted:
                self.clock.t += self.SCANNER_GAP
                QTest.sendKeyEvent(
                    QTest.KeyAction.Release,
                    self.focus(),
                    Qt.Key.Key_Shift,
                    "",
                    Qt.KeyboardModifier.NoModifier,
                )
        if enter:
            self.clock.t += self.SCANNER_GAP
            QTest.keyClick(self.focus(), Qt.Key.Key_Return)
