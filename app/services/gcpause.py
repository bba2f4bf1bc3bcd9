"""Pausing Python's cyclic garbage collector around bursts of allocation.

Pulling a page of 500 changes builds some 100,000 small objects (pydantic models, rows, dicts), none of
them in a cycle. Each 700 allocations start a young collection and every few of those an older one that
rescans what survives — the store's identity map, the page, the rows — again and again: a quarter of the
time of a pull went there (issue 16, Performance). Reference counting still frees everything at once;
the collector runs again when the burst is over.

The pause is counted, so that two threads pausing at once (a pull on the sync thread, a report on a
worker) do not turn the collector back on while the other is still in its burst.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic collector off for the ``with`` block (back to what it was once every pause ended)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
