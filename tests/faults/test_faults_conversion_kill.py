"""A desk killed while it converts a plain store to SQLCipher (the first start after the upgrade) loses
nothing: after every SIGKILL the store is the plain one or the encrypted one, every row in it, and the next
start finishes the work (issue 16, item 10). The window refuses closing during the conversion; this is what
a power cut or a killed process does instead."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from faults.harness import kill
from keyed import connect_raw, make_plain

from app.models import cipher
from app.paths import database_path

#: Rows added to the plain store: a conversion of about a second, so that kills land inside it.
ROWS = 100_000
#: How long after the copy appears each run is killed (s); the last runs kill during the plain copy's wipe.
DELAYS = (0.0, 0.1, 0.5, 1.5, 3.0)


def _counts(data_dir: Path) -> dict[str, int]:
    path = database_path(data_dir)
    con = sqlite3.connect(path) if cipher.is_plain(path) else connect_raw(data_dir)
    try:
        return cipher.table_counts(con)
    finally:
        con.close()


def _desk(data_dir: Path) -> subprocess.Popen[bytes]:
    """``motcua-desk db check``: opens the store as every start does (converting it), then checks it."""
    argv = ["db", "check", "--data-dir", str(data_dir)]
    code = f"from app.cli.main import main; raise SystemExit(main({argv!r}))"
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_for(proc: subprocess.Popen[bytes], path: Path, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if path.exists():
            return True
        time.sleep(0.002)
    return False


def test_killed_during_the_conversion_the_store_loses_nothing(data_dir: Path) -> None:
    make_plain(data_dir, ROWS)
    path = database_path(data_dir)
    before = _counts(data_dir)
    copy, old = Path(f"{path}.encrypting"), Path(f"{path}.plain-old")
    killed_inside = 0
    for delay in DELAYS:
        proc = _desk(data_dir)
        try:
            if _wait_for(proc, copy):
                time.sleep(delay)
                kill(proc.pid)
                killed_inside += 1
        finally:
            proc.wait(timeout=60)
        assert _counts(data_dir) == before, f"killed {delay} s into the conversion"
        if not cipher.is_plain(path):
            break  # converted: the later runs would have nothing to kill
    assert killed_inside >= 1
    if cipher.is_plain(path):  # one more kill, at the swap: the encrypted copy in place, the plain one kept
        proc = _desk(data_dir)
        try:
            if _wait_for(proc, old):
                kill(proc.pid)
        finally:
            proc.wait(timeout=60)
        assert _counts(data_dir) == before
    finished = _desk(data_dir)  # the next start finishes the work
    assert finished.wait(timeout=120) == 0
    assert not cipher.is_plain(path) and _counts(data_dir) == before
    assert not copy.exists() and not old.exists()
