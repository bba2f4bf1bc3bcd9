"""The worker bridge (results and errors back in the GUI thread) and the ID card scanner detection."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.domain.errors import DomainError, Problem
from app.ui.lanes.worker import Worker
from app.ui.shell.scanner import ScannerFilter

PAYLOAD = "024090012345||Đặng Văn Hùng|01021990|Nam|Tổ 5, Phường Trần Phú|15042021"


# --- worker -------------------------------------------------------------------------------------------


def test_results_and_errors_come_back_in_the_gui_thread(qtbot: QtBot) -> None:
    worker = Worker()
    gui = threading.get_ident()
    seen: list[object] = []

    def job(x: int) -> tuple[int, int]:
        return x * 2, threading.get_ident()

    worker.run(job, 21, on_done=lambda r: seen.append((r, threading.get_ident())))
    worker.run(_refuse, on_error=lambda e: seen.append(("error", type(e).__name__, threading.get_ident())))
    assert not worker.idle
    with qtbot.waitSignal(worker.busy_changed, timeout=5000) as blocker:
        pass
    assert blocker.args == [False] and worker.idle
    (result, other), where = seen[0]  # type: ignore[misc]
    assert result == 42 and other != gui and where == gui
    assert seen[1] == ("error", "DomainError", gui)


def _refuse() -> None:
    raise DomainError(Problem("x", "Không được.", "Not allowed."))


def test_a_deleted_owner_gets_no_callback(qtbot: QtBot) -> None:
    worker = Worker()
    owner = QObject()
    called: list[object] = []
    worker.run(lambda: 1, on_done=called.append, owner=owner)
    owner.deleteLater()
    QApplication.sendPostedEvents(None, 52)  # DeferredDelete
    assert worker.wait_idle(5)
    assert called == []


@pytest.mark.expect_log("app.ui.lanes.worker", "ERROR", "task boom failed")
def test_unexpected_errors_are_logged_with_their_traceback(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    worker = Worker()
    handled: list[BaseException] = []
    worker.default_error_handler = handled.append

    def boom() -> None:
        raise ZeroDivisionError("bug")

    with caplog.at_level(logging.ERROR):
        worker.run(boom)
        assert worker.wait_idle(5)
    assert isinstance(handled[0], ZeroDivisionError)
    assert any(r.exc_info and "boom" in r.exc_text for r in caplog.records if r.exc_text)  # type: ignore[operator]
    worker.close()
    with pytest.raises(RuntimeError):
        worker.run(boom)


# --- scanner ------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def form(qtbot: QtBot) -> tuple[QWidget, QLineEdit, QListWidget]:
    w = QWidget()
    layout = QVBoxLayout(w)
    edit = QLineEdit(w)
    papers = QListWidget(w)
    for i in range(3):
        item = QListWidgetItem(f"giấy {i}")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        papers.addItem(item)
    papers.setCurrentRow(0)
    layout.addWidget(edit)
    layout.addWidget(papers)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    return w, edit, papers


@pytest.fixture
def scanner(qtbot: QtBot) -> object:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    clock = Clock()
    f = ScannerFilter(None, clock=clock)
    f.watch(app)
    yield f, clock
    f.unwatch(app)


def send(text: str, clock: Clock | None = None, gap: float = 0.005) -> None:
    for ch in text:
        if clock is not None:
            clock.t += gap
        QTest.sendKeyEvent(
            QTest.KeyAction.Click,
            QApplication.focusWidget(),
            Qt.Key.Key_unknown,
            ch,
            Qt.KeyboardModifier.NoModifier,
        )


def test_a_fast_burst_into_a_line_edit_is_a_scan(form: tuple, scanner: tuple, qtbot: QtBot) -> None:
    _w, edit, _papers = form
    f, clock = scanner
    edit.setFocus()
    send("abc", clock, gap=0.3)  # the operator typing
    clock.t += 1
    with qtbot.waitSignal(f.scanned) as got:
        send(PAYLOAD, clock)
        QTest.keyClick(edit, Qt.Key.Key_Return)
    assert got.args == [PAYLOAD]
    assert edit.text() == "abc"  # the digits that went in before the first "|" were taken back


def test_a_burst_into_a_checklist_does_not_tick_anything(form: tuple, scanner: tuple, qtbot: QtBot) -> None:
    _w, _edit, papers = form
    f, clock = scanner
    papers.setFocus()
    with qtbot.waitSignal(f.scanned):
        send(PAYLOAD, clock)  # contains spaces: they must not toggle the check boxes
        QTest.keyClick(papers, Qt.Key.Key_Return)
    assert [papers.item(i).checkState() for i in range(3)] == [Qt.CheckState.Unchecked] * 3
    assert papers.currentRow() == 0


def test_slow_typing_is_not_a_scan(form: tuple, scanner: tuple, qtbot: QtBot) -> None:
    _w, edit, _papers = form
    f, clock = scanner
    edit.setFocus()
    with qtbot.assertNotEmitted(f.scanned):
        send("024090012345|abc|", clock, gap=0.2)
        clock.t += 0.2
        QTest.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "024090012345|abc|"


def test_a_whole_payload_left_in_a_line_edit_is_taken(form: tuple, scanner: tuple, qtbot: QtBot) -> None:
    _w, edit, _papers = form
    f, _clock = scanner
    edit.setFocus()
    edit.setText("ghi chú " + PAYLOAD)  # a slow scanner or a paste
    with qtbot.waitSignal(f.scanned) as got:
        QTest.keyClick(edit, Qt.Key.Key_Return)
    assert got.args == [PAYLOAD] and edit.text() == "ghi chú"


def test_a_scan_without_enter_ends_after_a_pause(form: tuple, scanner: tuple, qtbot: QtBot) -> None:
    _w, edit, _papers = form
    f, clock = scanner
    f.end_pause = 0.05
    edit.setFocus()
    with qtbot.waitSignal(f.scanned, timeout=2000) as got:
        send(PAYLOAD, clock)
    assert got.args == [PAYLOAD] and edit.text() == ""


class SeenFilter(ScannerFilter):
    """The scanner filter, noting every object whose events it is shown."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(None, clock=clock)
        self.seen: list[QObject] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        self.seen.append(obj)
        return super().eventFilter(obj, event)


def test_the_filter_sits_on_the_focused_widget_only(form: tuple, qtbot: QtBot) -> None:
    """Not an application-wide filter (a Python call, and the GIL, for every event of every widget):
    it follows the keyboard focus, and a scan still lands wherever the focus goes."""
    _w, edit, papers = form
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    f = SeenFilter(Clock())
    f.watch(app)
    try:
        edit.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is edit)
        f.seen.clear()
        papers.repaint()  # paint events of a widget without the focus: never shown to the filter
        papers.viewport().repaint()
        assert papers not in f.seen and papers.viewport() not in f.seen
        papers.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is papers)
        with qtbot.waitSignal(f.scanned) as got:
            send(PAYLOAD, f.clock)  # type: ignore[arg-type]
            QTest.keyClick(papers, Qt.Key.Key_Return)
        assert got.args == [PAYLOAD]
        f.seen.clear()
        edit.repaint()  # the focus left the line edit: so did the filter
        assert edit not in f.seen
    finally:
        f.unwatch(app)
    f.seen.clear()
    papers.repaint()
    QTest.keyClick(papers, Qt.Key.Key_Down)
    assert f.seen == []  # unwatched: nothing more
