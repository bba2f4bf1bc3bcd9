"""Where and when Python's cyclic garbage collector runs.

**Pausing it around bursts of allocation.** Pulling a page of 500 changes builds some 100,000 small objects
(pydantic models, rows, dicts), none of them in a cycle. Each 700 allocations start a young collection and
every few of those an older one that rescans what survives — the store's identity map, the page, the rows —
again and again: a quarter of the time of a pull went there (issue 16, Performance). Reference counting
still frees everything at once; the collector runs again when the burst is over. The pause is counted, so
that two threads pausing at once (a pull on the sync thread, a report on a worker) do not turn the
collector back on while the other is still in its burst.

**Pinning it to one thread (the window's GUI thread).** CPython runs a collection in whichever thread's
allocation crosses the threshold. In the window that is often a worker thread (the store opener, a lane, the
OCR worker), and a collection there finalises every Qt object caught in a garbage cycle — a window dropped
after a failed start, a dialog, their child widgets — from the wrong thread. Qt's objects are not
thread-safe: that corrupts the event queue and the heap, and the process aborts or segfaults later,
somewhere else (the start-up crash of session 13: a ``MainWindow`` finalised in the store opener's thread
during its migrations). :func:`pin_collector` turns automatic collection off for good; the pinned thread
then calls :func:`collect_due` (from a timer: :mod:`app.ui.shell.collector`), which collects the
generations the automatic collector would have collected, in that thread only. This is the well-known
remedy for PyQt/PySide applications (calibre, pyqtgraph, napari's discussion in its issue 1029).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # pauses running now
_pinned: int | None = None  # the thread that runs every collection, when pinned
_auto_before: bool | None = None  # automatic collection as it was before the first pause or pin


def _apply() -> None:  # under _lock
    global _auto_before
    if _depth or _pinned is not None:
        if _auto_before is None:
            _auto_before = gc.isenabled()
        gc.disable()
    elif _auto_before is not None:
        if _auto_before:
            gc.enable()
        _auto_before = None


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic collector off for the ``with`` block (back to what it was once every pause ended; a
    pinned collector collects only the youngest generation meanwhile)."""
    global _depth
    with _lock:
        _depth += 1
        _apply()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            _apply()


def pin_collector() -> None:
    """From now on collections run only in the calling thread, when it calls :func:`collect_due`."""
    global _pinned
    with _lock:
        _pinned = threading.get_ident()
        _apply()


def unpin_collector() -> None:
    """Automatic collection again, in any thread (tests, between two windows' lives)."""
    global _pinned
    with _lock:
        _pinned = None
        _apply()


def pinned() -> bool:
    return _pinned is not None


def collect_due() -> int:
    """In the pinned thread: collect the oldest generation the automatic collector would collect now (by
    :func:`gc.get_threshold`: a young collection once the allocations exceed the first threshold, an older
    one once enough younger ones have run). While a pause runs (a burst of allocation in another thread)
    only the youngest generation is collected: the older ones would rescan the burst's objects, and a pause
    that lasts (a pull waiting on a slow network) must not stop the window's garbage from being freed.
    Returns the generation collected, or -1 when none was due or this is not the pinned thread."""
    if _pinned != threading.get_ident():
        return -1
    t0, t1, t2 = gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    if t0 <= 0 or c0 <= t0:
        return -1
    generation = 0 if _depth else 2 if c1 >= t1 and c2 >= t2 else 1 if c1 >= t1 else 0
    gc.collect(generation)
    return generation
