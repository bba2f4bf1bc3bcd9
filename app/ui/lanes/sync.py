"""The Qt side of sync: the background :class:`~app.sync.engine.SyncWorker` behind a QObject, and a
network lane for the calls that may take seconds (enrolment), so the GUI thread never waits on the network.

Lifecycle of the sync thread (one per main window):

- :meth:`SyncController.start` (when the window opens) starts a :class:`~app.sync.engine.SyncWorker`: a
  daemon ``threading.Thread`` that runs a round at once, then every ``interval`` seconds (60 s), sooner
  when woken (:meth:`wake` after every local change, :meth:`sync_now` from the menu / F9, after an
  enrolment) and after a back-off when the server cannot be reached.
- The worker reports :class:`~app.sync.engine.SyncState` from its own thread through ``on_state``; this
  module turns it into a queued Qt signal (:attr:`SyncController.state_changed`, delivered in the GUI
  thread). States of a stopped or replaced worker are dropped (a generation number).
- :meth:`SyncController.close` (window close / shutdown) stops the thread and joins it (a round in
  progress ends first; at most ``STOP_TIMEOUT``), then lets the network lane finish; after that nothing
  starts again.

The work the sync menu runs as plain functions (the enrolment, its form's defaults, the rejected events)
is in :mod:`app.sync.service`; the screens see states.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

from app.services.store import Store
from app.sync import engine
from app.sync.client import SyncClient
from app.sync.engine import SyncState
from app.sync.service import enrol
from app.ui.lanes.worker import OnDone, OnError, Worker

log = logging.getLogger(__name__)

__all__ = ["SyncController", "SyncState"]

#: Seconds between two rounds when nothing wakes the worker.
DEFAULT_INTERVAL = 60.0
#: How long closing the window waits for a round in progress. A round cut off later is harmless (every
#: write is one transaction; an event whose answer was lost is resent with the same id and the server
#: answers "duplicate"), so the window does not wait the full 10 s of a request to a silent server.
STOP_TIMEOUT = 5.0

ClientFactory = Callable[[str, str], SyncClient]


# --- the controller ---------------------------------------------------------------------------------------


class SyncController(QObject):
    """Owns the sync thread and the network lane of one main window."""

    #: A :class:`SyncState`, delivered in the GUI thread.
    state_changed = Signal(object)
    #: (generation, SyncState), emitted from the sync thread, delivered queued to :meth:`_relay`.
    _reported = Signal(int, object)

    def __init__(
        self,
        store: Store,
        parent: QObject | None = None,
        *,
        interval: float = DEFAULT_INTERVAL,
        client_factory: ClientFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.interval = interval
        self.client_factory = client_factory
        #: The network lane: calls that may wait seconds on the server, one at a time, off the GUI thread
        #: and off the database worker (whose queue the operator's work goes through).
        self.lane = Worker(self)
        #: The last state reported (None before the first round).
        self.state: SyncState | None = None
        self._worker: engine.SyncWorker | None = None
        self._generation = 0
        self._closed = False
        self._reported.connect(self._relay)

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        """Start the sync thread (a round at once, then on its timer and whenever woken)."""
        if self._worker is not None or self._closed:
            return
        self._generation += 1
        generation = self._generation
        self._worker = engine.SyncWorker(
            self.store,
            lambda state: self._from_thread(generation, state),
            interval=self.interval,
            client_factory=self._client,
        )
        self._worker.start()
        self._watch_network()

    def _watch_network(self) -> None:
        """Wake a round when the OS reports the network back (reconnect), where Qt has a backend for it."""
        if getattr(self, "_watching", False):
            return
        self._watching = True
        if QNetworkInformation.instance() is None and not QNetworkInformation.loadDefaultBackend():
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self._reachability_changed)

    @Slot(QNetworkInformation.Reachability)
    def _reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability in (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site):
            log.info("network reachable again: syncing now")
            self.sync_now()

    def _client(self, url: str, token: str) -> SyncClient:
        """The client of the next round (``client_factory`` is read each round: tests swap it)."""
        factory = self.client_factory
        return factory(url, token) if factory is not None else SyncClient(url, token)

    def _from_thread(self, generation: int, state: SyncState) -> None:
        """``on_state`` of the worker: called in the sync thread; hands the state to the GUI thread."""
        if generation == self._generation and shiboken6.isValid(self):
            self._reported.emit(generation, state)

    @Slot(int, object)
    def _relay(self, generation: int, state: object) -> None:
        if generation != self._generation or self._worker is None:
            return  # a stopped or replaced worker
        assert isinstance(state, SyncState)
        self.state = state
        self.state_changed.emit(state)

    def wake(self) -> None:
        """Run a round soon (after a local change): the worker's timer is not waited for."""
        if self._worker is not None:
            self._worker.wake()

    def sync_now(self) -> None:
        """Sync now (menu, F9): a round at once, even while backing off after failures."""
        if self._closed:
            return
        if self._worker is None:
            self.start()
            return
        self._worker.backoff.reset()
        self._worker.wake()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the sync thread and wait for it (a round in progress ends first)."""
        worker, self._worker = self._worker, None
        self._generation += 1  # states still on their way are dropped
        if worker is None:
            return
        thread = getattr(worker, "_thread", None)
        worker.stop(timeout)
        if thread is not None and thread.is_alive():
            log.warning("sync round still running after %.0f s; left to finish on its own", timeout)

    def close(self) -> None:
        """For the window's shutdown: stop for good, let the network lane finish."""
        self._closed = True
        self.stop()
        self.lane.close()

    def enrol(
        self,
        server_url: str,
        code: str,
        device_name: str,
        *,
        on_done: OnDone,
        on_error: OnError,
        owner: QObject | None = None,
    ) -> None:
        """Enrol on the network lane; on success the sync thread runs a round with the new credentials
        (even if ``owner``, the dialog that asked, was closed meanwhile)."""
        if self._closed:
            return

        def alive() -> bool:
            return owner is None or shiboken6.isValid(owner)

        def done(response: Any) -> None:
            self.sync_now()
            if alive():
                on_done(response)

        def failed(exc: BaseException) -> None:
            if alive():
                on_error(exc)

        self.lane.run(
            enrol, self.store, server_url, code, device_name, on_done=done, on_error=failed, owner=self
        )
