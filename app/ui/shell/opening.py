"""Opening the store off the GUI thread, with its progress in the window (issue 16, item 10).

The first start after an upgrade may spend a minute opening the store (converting a plain store to
SQLCipher, encrypting backups and digitised files, migrating, sealing the audit chain: see
:mod:`app.domain.progress`). :class:`StoreOpener` runs the opening on a :class:`QThread` and reports back
by queued signals, so the window keeps painting and answering; the first long step it hears of puts
:class:`OpeningView` (what is being done, a determinate bar where the step counts its work, a busy one
otherwise) in the window in place of the log-in form. An everyday opening reports no step: the log-in form
stays, the operator can type into it meanwhile.

Closing the window while the store opens is refused with a note in the view, and the window closes as soon
as the opening has finished: every step is crash-safe (the conversion writes a copy and renames it over the
plain file, a migration is one transaction, each file is encrypted beside its plain copy and renamed),
but the process leaving while the thread writes would abort it (Qt destroys a running thread).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from app.domain.progress import Step

log = logging.getLogger(__name__)

# Least time between two progress signals of one step (a step's first and last reports always go).
SIGNAL_EVERY_S = 0.05


class OpeningView(QWidget):
    """What opening the store is doing: one line of text and a progress bar (busy when the step cannot
    count its work)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingView")
        self.step: Step | None = None
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel(self)
        self.title.setObjectName("openingStep")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("openingProgress")
        self.bar.setMinimumWidth(420)
        self.bar.setMaximumWidth(640)
        self.note = QLabel(self)
        self.note.setObjectName("openingNote")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.note)
        layout.addStretch(2)
        self.note.setText(self.tr("Please wait: this is done once, at the first start after an upgrade."))

    def step_text(self, step: Step) -> str:
        texts = {
            Step.CHECK: self.tr("Checking the data store…"),
            Step.ENCRYPT_STORE: self.tr("Encrypting the data store (first start after the upgrade)…"),
            Step.ENCRYPT_BACKUPS: self.tr("Encrypting the backups…"),
            Step.ENCRYPT_FILES: self.tr("Encrypting the digitised files…"),
            Step.MIGRATE: self.tr("Upgrading the data store…"),
            Step.SEAL: self.tr("Sealing the audit log…"),
        }
        return texts[step]

    def show_progress(self, step: Step, done: int, total: int) -> None:
        if step != self.step:
            self.step = step
            self.title.setText(self.step_text(step))
        if total <= 0:
            self.bar.setRange(0, 0)  # busy
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(max(0, min(done, total)))

    def refuse_close(self) -> None:
        self.note.setText(
            self.tr(
                "Please wait until this step has finished: the window will close by itself then. "
                "Stopping it now would only make the next start do it again."
            )
        )


#: Every opener thread until the GUI thread has waited for it: the thread and its opener reference each
#: other, and a cycle the collector found unreachable (an opener no longer referenced from Python while its
#: thread still ran) would destroy a running QThread, which Qt answers with abort().
_RUNNING: set[_Thread] = set()


class _Thread(QThread):
    def __init__(self, opener: StoreOpener, work: Callable[[Callable[[Step, int, int], None]], Any]) -> None:
        super().__init__()
        self._opener = opener
        self._work = work
        self._last: tuple[Step | None, float] = (None, 0.0)

    def _progress(self, step: Step, done: int, total: int) -> None:  # in this thread
        now = time.monotonic()
        last_step, last_time = self._last
        if step == last_step and now - last_time < SIGNAL_EVERY_S and not (total and done >= total):
            return
        self._last = (step, now)
        self._opener.progressed.emit(str(step), done, total)

    def run(self) -> None:
        try:
            value = self._work(self._progress)
        except BaseException as exc:  # handed to the GUI thread, never lost
            self._opener.finished.emit(False, exc)
        else:
            self._opener.finished.emit(True, value)


class StoreOpener(QObject):
    """Runs ``work(progress)`` on its own thread; ``progressed`` and ``finished`` arrive in the GUI thread.

    ``finished`` carries (True, the result) or (False, the exception). While the thread runs, the window's
    close is refused (see the module's docstring); a close asked for meanwhile happens after ``finished``
    has been handled."""

    progressed = Signal(str, int, int)
    finished = Signal(bool, object)

    def __init__(self, window: QWidget, view_host: Callable[[OpeningView], None]) -> None:
        super().__init__(window)
        self._window = window
        self._view_host = view_host
        self.view: OpeningView | None = None
        self.close_asked = False
        self._thread: _Thread | None = None
        self.progressed.connect(self._on_progress)
        self.finished.connect(self._on_finished)
        self._then: Callable[[bool, object], None] | None = None
        window.installEventFilter(self)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(
        self, work: Callable[[Callable[[Step, int, int], None]], Any], then: Callable[[bool, object], None]
    ) -> None:
        assert self._thread is None, "one opening at a time"
        self._then = then
        self._thread = _Thread(self, work)
        _RUNNING.add(self._thread)
        self._thread.start()

    def wait(self, timeout_ms: int = 120_000) -> bool:
        """Block until the thread has ended (tests, shutdown)."""
        return self._thread is None or self._thread.wait(timeout_ms)

    def _on_progress(self, step: str, done: int, total: int) -> None:
        if self.view is None:
            self.view = OpeningView()
            self._view_host(self.view)
        self.view.show_progress(Step(step), done, total)

    def _on_finished(self, ok: bool, value: object) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()
            _RUNNING.discard(thread)
            thread.deleteLater()
        then, self._then = self._then, None
        if then is not None:
            try:
                then(ok, value)
            except Exception:  # a handler's bug must not take the event loop down
                log.exception("start-up: handling the opened store failed")
        if self.close_asked and self._window.isVisible():
            self._window.close()

    def drop_view(self) -> None:
        if self.view is not None:
            self.view.hide()
            self.view.deleteLater()
            self.view = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if obj is self._window and event.type() == QEvent.Type.Close and self._thread is not None:
            event.ignore()
            self.close_asked = True
            if self.view is not None:
                self.view.refuse_close()
            log.info("closing the window refused while the store opens; it closes when that has finished")
            return True
        return False
