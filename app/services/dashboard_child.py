"""The dashboard's figures computed in a child process, so that the window's interpreter lock stays free.

Why: :func:`app.services.reports.dashboard` reads and judges every dossier of 12 months in Python (about
15 s on 100,000 dossiers). On the worker lane's thread it shares the GIL with the GUI thread: the GUI gets
it back only every switch interval or so, and each hand-over can wait behind the worker
(``bench/bench_dashboard.py`` measured stalls of 36–89 ms against ≤ 50 ms). In a child process the worker
thread only waits on a pipe (the GIL released) and the GUI thread runs freely; the result sent back is a
few hundred small objects (:class:`app.services.reports.Dashboard`).

How: one child, started lazily with ``spawn`` (as on Windows) at a lower priority and kept for the next
loads; it opens the store **read-only** (``mode=ro``) with the same SQLCipher key as the window's store.
The key travels only inside the pickled call, through the pool's pipe — never on a command line, in the
environment or in a file — and the child holds it in memory only while it computes. If the child dies
(killed, out of memory) or cannot be started, the figures are computed in this process as before and the
pool is made again at the next load.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

from app.services import reports
from app.services.store import Store

log = logging.getLogger(__name__)

__all__ = ["dashboard_in_child", "stop_dashboard_child"]

#: The child's niceness (POSIX): below the window, which must answer the operator at once.
CHILD_NICENESS = 5

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _child_init() -> None:
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)


def _child_dashboard(
    path: str, key: bytes | None, now: datetime, months: int, risk_hours: float
) -> reports.Dashboard:
    """Runs in the child: the figures over the store at ``path``, opened read-only for this load only (a
    connection kept between loads would go on reading the old file after a restore replaced it)."""
    store = Store(Path(path), key, read_only=True)
    try:
        return reports.dashboard(store, now, months, risk_hours)
    finally:
        store.dispose()


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_child_init
            )
        return _pool


def _drop(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def dashboard_in_child(
    store: Store, now: datetime | None = None, months: int = 12, risk_hours: float = 8.0
) -> reports.Dashboard:
    """:func:`app.services.reports.dashboard` computed in the child process (runs on the worker lane,
    which waits for it without holding the GIL). Same arguments, same figures."""
    now = (now or datetime.now()).replace(microsecond=0)
    try:
        pool = _get_pool()
    except OSError as exc:  # no process could be made (limits, no memory): in this process
        log.warning("the dashboard process could not start (%s); computing in this process", exc)
        return reports.dashboard(store, now, months, risk_hours)
    try:
        future = pool.submit(
            _child_dashboard, str(Path(store.path).absolute()), store.key, now, months, risk_hours
        )
        return future.result()
    except (BrokenProcessPool, OSError) as exc:
        # The child died (killed, out of memory) or could not be started: made again next time.
        log.warning("the dashboard process died (%s); computing in this process", exc)
        _drop(pool)
        return reports.dashboard(store, now, months, risk_hours)


def stop_dashboard_child() -> None:
    """End the child process (the window closes; it would also end with the interpreter)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
