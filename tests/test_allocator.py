"""app/allocator.py: with glibc's mmap threshold fixed, page-sized blocks freed by worker threads go back to
the system instead of staying in the process's resident set (the digitising panel's case)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Three threads one after the other, each reading 12 "pages" (a ~9 MB decoded image and its pickled
#: copy, freed) and keeping a 60 KB cleaned page of each, as the panel does; prints the growth of the
#: resident set in MB.
SCRIPT = """
import sys, threading
from app.allocator import tune_allocator
if sys.argv[1] == "fixed":
    assert tune_allocator()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
keep = []
base = rss()
def work(k):
    live = []
    for i in range(12):
        page = bytearray(9_000_000 + (i * 7919 + k) % 500_000)
        pickled = bytes(page)
        live.append(bytearray(60_000))
        del page, pickled
    keep.extend(live)
for k in range(3):
    t = threading.Thread(target=work, args=(k,))
    t.start()
    t.join()
print(rss() - base)
"""


#: The allocator's settings are glibc's.
glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="glibc's allocator only",
)


def run(script: str, *args: str) -> str:
    """``script`` run by a fresh interpreter (the allocator is set before its first thread), its output."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MALLOC_ARENA_MAX", None)
    command = [sys.executable, "-c", script, *args]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True, timeout=120)
    return out.stdout.strip()


def growth(mode: str) -> float:
    return float(run(SCRIPT, mode))


@glibc_only
def test_page_sized_blocks_go_back_to_the_system_with_the_threshold_fixed() -> None:
    held = 36 * 60_000 / 2**20  # ~2 MB of cleaned pages kept
    assert growth("fixed") < held + 6
    # glibc's default (dynamic threshold) keeps the freed pages: the same run grows by 15-35 MB
    assert growth("default") > held + 10


#: Six threads each holding small blocks at once (each thread would get its own arena by default); prints
#: how many heap arenas glibc's ``malloc_info`` reports.
ARENAS = """
import ctypes, sys, threading
from app.allocator import tune_allocator
if sys.argv[1] == "fixed":
    assert tune_allocator()
libc = ctypes.CDLL(None)
started, release = threading.Barrier(7), threading.Event()
def work():
    held = [ctypes.create_string_buffer(4096) for _ in range(64)]  # C allocations of this thread
    started.wait()
    release.wait()
    del held
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads:
    t.start()
started.wait()
buf, size = ctypes.c_char_p(), ctypes.c_size_t()
libc.open_memstream.restype = ctypes.c_void_p
stream = libc.open_memstream(ctypes.byref(buf), ctypes.byref(size))
libc.malloc_info(0, ctypes.c_void_p(stream))
libc.fclose(ctypes.c_void_p(stream))
print(buf.value.decode().count("<heap nr="))
release.set()
for t in threads:
    t.join()
"""


def arenas(mode: str) -> int:
    return int(run(ARENAS, mode))


@glibc_only
def test_threads_share_two_arenas() -> None:
    assert arenas("fixed") <= 2
    assert arenas("default") > 2  # glibc's default: a new arena per thread, up to 8 per core


@glibc_only
def test_trim_gives_free_heap_pages_back() -> None:
    script = """
import sys
from app.allocator import trim, tune_allocator
assert tune_allocator()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
blocks = [bytearray(3000) for _ in range(20_000)]  # 60 MB of heap blocks, below the mmap threshold
for b in blocks:
    b[::512] = b"x" * len(b[::512])  # touched: resident
del blocks[: len(blocks) - 50]  # freed but the last ones, at the heap's end, keep it from shrinking
before = rss()
released = trim()
print(released, before - rss())
"""
    released, dropped = run(script).split()
    assert released == "True" and float(dropped) > 30  # MB
