"""The C allocator's settings for the window's process (Linux, glibc).

Digitising moves page images of about 9 MB each through the window's process (a scanned A4 page at
300 dpi, 8-bit grey; its pickled copy sent to the cleaning child; a decoded file page). glibc serves
allocations of that size with ``mmap`` at first, but raises its mmap threshold to the size of each such
block that is freed (the *dynamic* threshold, up to 32 MB on 64-bit): from the first page on, every
later page lands in a heap arena, and what is freed there stays part of the process's resident set
(fragmented among small live objects of the threads that allocated around it). A fixed threshold turns
the dynamic adjustment off, so that every large block is its own mapping, returned to the system when it
is freed.

Measured with ``bench/bench_gui.py --digitise 1 --file-pages 40`` (50 pages through the window's
panel): the window's resident set 307 MB after the operator's login and 395 MB at its peak with glibc's
defaults, 258 MB and 324 MB with the threshold fixed at 1 MiB (same session). ``mallopt`` is glibc's
documented interface (``man 3 mallopt``: M_MMAP_THRESHOLD); on Windows and macOS, whose allocators do
not have this dynamic threshold, nothing is changed.

glibc also gives each new thread its own heap arena (up to 8 per core), and what a thread frees in its
arena stays there for that thread: the window's lanes (database, digitising, printing, sync, OCR, the store
opener) each kept a partly used arena. :data:`ARENA_MAX` arenas are shared by all threads instead
(M_ARENA_MAX; glibc's ``MALLOC_ARENA_MAX`` environment variable does the same): the window's peak resident
set while digitising 50 pages went from 291 to 279 MB (``bench_gui.py --digitise 1 --file-pages 40``,
session 14; 254 to 249 MB once the other savings of that session were in). The threads spend most of their
time in Python, under one interpreter lock, so they seldom contend for an arena.

:func:`trim` hands the heap's free pages back to the system (``malloc_trim``); the window calls it every few
seconds (:mod:`app.ui.shell.collector`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

#: ``M_MMAP_THRESHOLD`` and ``M_ARENA_MAX`` of glibc's ``<malloc.h>``.
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
#: Blocks of this size and larger get their own mapping (a page image is ~9 MB; a row or a string of
#: the store is far smaller, so the small-object heap is not touched).
MMAP_THRESHOLD = 1 << 20
#: Heap arenas shared by all the threads (glibc's default: 8 per core).
ARENA_MAX = 2


def trim() -> bool:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim(0)``: since glibc 2.8 it also
    releases whole free pages inside the heap, not only its top). True if anything was released."""
    malloc_trim = _libc_function("malloc_trim", (ctypes.c_size_t,))
    return malloc_trim is not None and bool(malloc_trim(0))


@functools.cache
def _libc_function(name: str, argtypes: tuple[Any, ...]) -> Any:
    """glibc's function ``name`` taking ``argtypes`` and returning an int, looked up once (None elsewhere:
    Windows, macOS, musl without it)."""
    if not sys.platform.startswith("linux"):
        return None
    lib = ctypes.util.find_library("c")
    if lib is None:  # pragma: no cover - every glibc Linux has it
        return None
    try:
        fn = getattr(ctypes.CDLL(lib), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = argtypes
    fn.restype = ctypes.c_int
    return fn


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` and its arenas at :data:`ARENA_MAX`, before the
    process starts its threads (True if set; False elsewhere or if glibc refused)."""
    mallopt = _libc_function("mallopt", (ctypes.c_int, ctypes.c_int))
    if mallopt is None:  # not glibc (musl has no mallopt)
        return False
    ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_ARENA_MAX, ARENA_MAX))
    if not ok:  # pragma: no cover - glibc accepts any threshold up to 32 MB and any arena count
        log.info("mallopt refused: the allocator keeps (some of) its defaults")
    return ok
