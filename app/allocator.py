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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

#: ``M_MMAP_THRESHOLD`` of glibc's ``<malloc.h>``.
M_MMAP_THRESHOLD = -3
#: Blocks of this size and larger get their own mapping (a page image is ~9 MB; a row or a string of
#: the store is far smaller, so the small-object heap is not touched).
MMAP_THRESHOLD = 1 << 20


def fix_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (True if set; False elsewhere or if glibc
    refused)."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - every glibc Linux has it
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl has no mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    if not ok:  # pragma: no cover - glibc accepts any threshold up to 32 MB
        log.info("mallopt(M_MMAP_THRESHOLD) refused: the allocator keeps its defaults")
    return ok
