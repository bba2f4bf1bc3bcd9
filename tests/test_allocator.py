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
from app.allocator import fix_mmap_threshold
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
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


def growth(mode: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    return float(out.stdout.strip())


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="glibc's allocator only",
)
def test_page_sized_blocks_go_back_to_the_system_with_the_threshold_fixed() -> None:
    held = 36 * 60_000 / 2**20  # ~2 MB of cleaned pages kept
    assert growth("fixed") < held + 6
    # glibc's default (dynamic threshold) keeps the freed pages: the same run grows by 15-35 MB
    assert growth("default") > held + 10
