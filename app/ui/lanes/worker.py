"""The bridge from widgets to services: a task runs on a single-thread pool, its result comes back to the
GUI thread by a queued signal. Each lane of the window is one :class:`Worker` (the table is in
:mod:`app.ui.lanes`).

The database lane runs the screens' use cases one at a time (as Anki's task manager does for its
collection), so the GUI thread never waits on the disk. It is not the only writer: the sync thread writes
the store too, and ``BEGIN IMMEDIATE`` with SQLite's ``busy_timeout`` (:mod:`app.models.db`) is what
keeps concurrent writers from failing (see :mod:`app.ui.lanes`). A task is a plain callable; its result
or exception is handed to callbacks *in the GUI thread*. Callbacks bound to a widget are dropped if that
widget was deleted meanwhile (``owner``).

Tests wait deterministically with ``qtbot.waitUntil(lambda: worker.idle)`` or :meth:`Worker.wait_idle`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from app.domain.errors import DomainError
from app.ui.errors import is_store_error

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
# Its return value is ignored (show_error returns the box it opened).
OnError = Callable[[BaseException], object]


@dataclass
class _Pending:
    on_done: OnDone | None
    on_error: OnError | None
    owner: QObject | None
    label: str


class _Task(QRunnable):
    def __init__(self, bridge: Worker, task_id: int, fn: Callable[..., Any], args: Any, kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._bridge = bridge
        self._id = task_id
        self._fn = fn
        self._args = args
        self._kwargs = kwargs

    def run(self) -> None:  # in the pool's thread
        try:
            value = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # handed to the GUI thread, never lost
            self._bridge.finished_task.emit(self._id, False, exc)
        else:
            self._bridge.finished_task.emit(self._id, True, value)


class Worker(QObject):
    """Runs callables off the GUI thread, one at a time, and calls back in the GUI thread."""

    # (task id, ok, value or exception); emitted from the pool thread, delivered queued.
    finished_task = Signal(int, bool, object)
    # True when the first task starts, False when the last one has been delivered.
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending: dict[int, _Pending] = {}
        self._next_id = 0
        self._closed = False
        # Called for a failed task that has no ``on_error`` of its own (the main window shows it).
        self.default_error_handler: OnError = self._log_only
        self.finished_task.connect(self._deliver)

    @property
    def idle(self) -> bool:
        """No task is queued, running or waiting to be delivered."""
        return not self._pending

    @property
    def pending(self) -> int:
        return len(self._pending)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: OnDone | None = None,
        on_error: OnError | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> int:
        """Queue ``fn(*args, **kwargs)``; returns the task id."""
        if self._closed:
            raise RuntimeError("the worker is closed")
        self._next_id += 1
        task_id = self._next_id
        was_idle = not self._pending
        self._pending[task_id] = _Pending(on_done, on_error, owner, getattr(fn, "__name__", repr(fn)))
        self._pool.start(_Task(self, task_id, fn, args, kwargs))
        if was_idle:
            self.busy_changed.emit(True)
        return task_id

    @Slot(int, bool, object)
    def _deliver(self, task_id: int, ok: bool, value: object) -> None:
        pending = self._pending.pop(task_id, None)
        try:
            if pending is None:
                return
            if pending.owner is not None and not shiboken6.isValid(pending.owner):
                return  # the widget that asked is gone
            if ok:
                if pending.on_done is not None:
                    pending.on_done(value)
                return
            assert isinstance(value, BaseException)
            if not _expected(value):
                log.error("task %s failed", pending.label, exc_info=(type(value), value, value.__traceback__))
            (pending.on_error or self.default_error_handler)(value)
        except Exception:  # a callback's bug must not take the event loop down
            log.exception("callback of task %s failed", pending.label if pending else task_id)
        finally:
            if not self._pending:
                self.busy_changed.emit(False)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every task has run and been delivered (for tests, tools and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            self._pool.waitForDone(20)
            QCoreApplication.sendPostedEvents(self)
            QCoreApplication.processEvents()
        return not self._pending

    def close(self, timeout_ms: int = 10_000) -> None:
        """Let running and queued work finish (a write must not be cut off), then refuse new work."""
        self._closed = True
        self._pool.waitForDone(timeout_ms)

    @staticmethod
    def _log_only(exc: BaseException) -> None:
        log.warning("unhandled task error: %s", exc)


def _expected(exc: BaseException) -> bool:
    """Errors that are the operator's or the environment's, explained in the GUI without a traceback."""
    return isinstance(exc, DomainError) or is_store_error(exc)
