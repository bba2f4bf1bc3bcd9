"""Recognising the ID card scanner among the keystrokes.

A keyboard-wedge scanner types the card's QR payload (``12 digits|old ID|name|ddMMyyyy|Nam|address|
ddMMyyyy``) a few milliseconds per character, ending with Enter, into whatever has focus. An event
filter that follows the keyboard focus (:meth:`ScannerFilter.watch`) watches key presses:

- keys less than :attr:`ScannerFilter.max_gap` apart form a *burst*; when a burst starts, the state of
  the focused widget (line edit, text edit, combo box, spin box, list) is remembered;
- modifier keys (Shift, Ctrl, Alt, AltGr, Meta, Caps Lock) pressed or released on their own neither
  start nor break a burst: a scanner on a US layout presses Shift around every ``|`` (and capital);
- when a burst reaches ``9–12 digits`` followed by a separator (``|``, its look-alikes, or ``;`` from a
  scanner set to another layout), or at least four fast keys and then ``|``, it is a scan: the widget
  gets its remembered state back (the digits typed into it are undone: the text, the spin box's value,
  the list's current row) and every further key of the burst is swallowed, so a list or a check box
  under the focus never acts on the payload; a payload that is not a card's (truncated, another code)
  goes to the handler too, which says so;
- Enter (or a pause of :attr:`ScannerFilter.end_pause`) ends the scan: :attr:`ScannerFilter.scanned`
  carries the payload to whoever handles it.

A slower scanner (or a paste) that leaves the whole payload in a line edit is caught as well: Enter in a
line edit whose text contains the QR pattern takes the payload out of it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

# The start of a payload: the 12-digit personal ID (9 for noise-tolerance) then the first separator.
START = re.compile(r"[0-9]{9,12}\s*[|¦│｜;]")
# Separators of a payload as a scanner types them: the pipe, its look-alikes on other layouts, and ";"
# (the pipe's key on some layouts).
SEPARATORS = "|¦│｜"
# At least this many keys at scanner speed before a separator: a (malformed) scan, not a person typing.
MIN_FAST_KEYS = 4
# Keys that only modify others: a scanner presses Shift around "|" and capitals.
MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_Super_L,
        Qt.Key.Key_Super_R,
    }
)
# A whole payload inside a line edit's text: the ID, then at least two more separators.
WHOLE = re.compile(r"[0-9]{12}\s*\|[^|]*\|[^|]*\|.*")
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ScannerFilter(QObject):
    """Detects ID card scans typed by a keyboard-wedge scanner.

    :meth:`watch` keeps it on the widget that has the keyboard focus (or the active window when no widget
    has it), which is where key events go first. It is deliberately not an application-wide filter: Qt
    would call this Python method for every event of every widget (each paint, each timer), each call
    needing the GIL, which a busy background thread (a save, a sync round) keeps up to 5 ms at a time; a
    repaint of the intake form is dozens of events, so the GUI thread stalled for the sum of the waits.
    """

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_gap: float = 0.05,
        end_pause: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.max_gap = max_gap
        self.end_pause = end_pause
        self.clock = clock
        self.enabled = True
        self._buffer = ""
        self._last = float("-inf")
        self._swallowing = False
        self._target: QWidget | None = None
        self._snapshot: object = None
        self._end_timer = QTimer(self)
        self._end_timer.setSingleShot(True)
        self._end_timer.timeout.connect(self._finish)
        self._watched: QObject | None = None
        self._following = False

    # --- where the filter sits ------------------------------------------------------------------

    def watch(self, app: QApplication) -> None:
        """Follow the keyboard focus from now on: the filter moves to each newly focused widget."""
        if not self._following:
            app.focusChanged.connect(self._follow_focus)
            app.focusWindowChanged.connect(self._follow_focus)
            self._following = True
        self._follow_focus()

    def unwatch(self, app: QApplication) -> None:
        """Stop following the focus and leave the widget it sits on."""
        if self._following:
            app.focusChanged.disconnect(self._follow_focus)
            app.focusWindowChanged.disconnect(self._follow_focus)
            self._following = False
        self._move_to(None)

    def _follow_focus(self, *_args: object) -> None:
        self._move_to(QApplication.focusWidget() or QApplication.activeWindow())

    def _move_to(self, target: QObject | None) -> None:
        old = self._watched
        if old is target:
            return
        if old is not None and shiboken6.isValid(old):
            old.removeEventFilter(self)
        self._watched = target
        if target is not None:
            target.installEventFilter(self)

    # --- event filter ---------------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not self.enabled:
            return False
        if kind == QEvent.Type.KeyRelease:
            return self._swallowing
        assert isinstance(event, QKeyEvent)
        if event.isAutoRepeat():  # a key held down: a person, never a scanner
            if not self._swallowing:
                self._reset()
            return self._swallowing
        assert isinstance(event, QKeyEvent)
        if event.key() in MODIFIER_KEYS:
            return self._swallowing  # a Shift around "|" neither starts nor breaks the burst
        return self._key_press(obj, event)

    def _key_press(self, obj: QObject, event: QKeyEvent) -> bool:
        now = self.clock()
        gap = now - self._last
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in _ENTER:
            if self._swallowing:
                self._last = now
                self._finish()
                return True
            self._reset()
            return self._whole_payload_in(obj)
        text = event.text()
        if key == Qt.Key.Key_Tab and self._swallowing:
            text = "\t"
        if not text or mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            if not self._swallowing:
                self._reset()
            return self._swallowing
        if self._swallowing and gap > self.end_pause:
            self._finish()  # a long pause: the scan ended without Enter
        if gap > self.max_gap and not self._swallowing:
            self._buffer = ""
            self._target = obj if isinstance(obj, QWidget) else None
            self._snapshot = _snapshot(self._target)
        self._last = now
        self._buffer += text
        if self._swallowing:
            self._end_timer.start(int(self.end_pause * 1000))
            return True
        if text in SEPARATORS or text == ";":
            m = START.search(self._buffer)
            start = m.start() if m is not None else None
            if start is None and text in SEPARATORS and len(self._buffer) > MIN_FAST_KEYS:
                start = 0  # fast keys, then "|": a scan that is not a card's (the handler says so)
            if start is not None:
                self._buffer = self._buffer[start:]
                self._swallowing = True
                _restore(self._target, self._snapshot)
                self._end_timer.start(int(self.end_pause * 1000))
                return True
        return False

    # --- helpers ---------------------------------------------------------------------------------

    def _finish(self) -> None:
        self._end_timer.stop()
        payload = self._buffer
        was_scan = self._swallowing
        self._reset()
        if was_scan and payload.strip():
            self.scanned.emit(payload)

    def _reset(self) -> None:
        self._buffer = ""
        self._swallowing = False
        self._target = None
        self._snapshot = None
        self._last = float("-inf")

    def _whole_payload_in(self, obj: QObject) -> bool:
        """Enter in a line edit that holds a whole payload (a slow scanner, a paste)."""
        if not isinstance(obj, QLineEdit):
            return False
        m = WHOLE.search(obj.text())
        if m is None:
            return False
        obj.setText(obj.text()[: m.start()].rstrip())
        self.scanned.emit(m.group(0))
        return True


def _snapshot(widget: QWidget | None) -> object:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex() if not widget.isEditable() else widget.currentText()
    if isinstance(widget, QAbstractItemView):
        return QPersistentModelIndex(widget.currentIndex())  # keyboard search moves it
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return ("value", widget.value())
    if isinstance(widget, QDateTimeEdit):
        return ("datetime", widget.dateTime())
    return None


def _restore(widget: QWidget | None, snapshot: object) -> None:
    if widget is None or snapshot is None:
        return
    if isinstance(widget, QLineEdit) and isinstance(snapshot, str):
        widget.setText(snapshot)
    elif isinstance(widget, QPlainTextEdit | QTextEdit) and isinstance(snapshot, str):
        widget.setPlainText(snapshot)
        widget.moveCursor(widget.textCursor().MoveOperation.End)
    elif isinstance(widget, QComboBox):
        if isinstance(snapshot, int):
            widget.setCurrentIndex(snapshot)
        elif isinstance(snapshot, str):
            widget.setEditText(snapshot)
    elif isinstance(widget, QSpinBox | QDoubleSpinBox | QDateTimeEdit) and isinstance(snapshot, tuple):
        _kind, value = snapshot
        if isinstance(widget, QDateTimeEdit):
            widget.setDateTime(value)
        else:
            widget.setValue(value)
        widget.selectAll()  # the edit's text follows the value again (the digits typed are gone)
    elif isinstance(widget, QAbstractItemView) and isinstance(snapshot, QPersistentModelIndex):
        model = widget.model()
        if snapshot.isValid() and model is not None:
            widget.setCurrentIndex(model.index(snapshot.row(), snapshot.column(), snapshot.parent()))
