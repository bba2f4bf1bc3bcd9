"""The first start after the upgrade to an encrypted store (issue 16, item 10), on a plain store of 200,000
dossiers as an older version left it (no keyring then: plain, its audit chain unkeyed).

Three measurements on copies of the same plain file, in the same run:

- **baseline**: the least any conversion costs: raw SQLCipher, ``sqlcipher_export`` into a new file and one
  whole-file ``PRAGMA integrity_check`` of the copy (no row counts, no fsync, no wipe).
- **open_store**: the desk's opening (``app.bootstrap.open_store``) with a keyring, headless: the time of
  each step it reports (app.domain.progress), the conversion and the audit chain's sealing.
- **window**: the window's start (``app.ui.shell.application.launch``, offscreen) on another copy, with a
  10 ms QTimer in the GUI thread: how long until the desk is in the window, the steps the window showed,
  and the timer's gaps while the store opened (the GUI thread's stalls), apart from the last one, in which
  the desk is built into the window as at every start.

    .venv/bin/python bench/bench_first_start.py [--n 200000] [--keep /tmp/motcua-bench-first]

Saved under ``"first_start"``. No target: the issue asks for progress and a responsive window, not a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring  # noqa: E402
from common import percentile, save  # noqa: E402
from keyring.backends import fail  # noqa: E402

from app.bootstrap import open_store  # noqa: E402
from app.domain.progress import Step  # noqa: E402
from app.models import cipher  # noqa: E402
from app.paths import database_path  # noqa: E402
from tools.memory_keyring import MemoryKeyring  # noqa: E402


def plain_store(folder: Path, n: int) -> Path:
    """The plain store of an older version (built once, reused)."""
    path = database_path(folder)
    if path.exists():
        return path
    from bench_engine import fill

    keyring.set_keyring(fail.Keyring())
    open_store(folder, demo=True).dispose()
    t = time.perf_counter()
    fill(path, n)
    print(f"\n  built in {time.perf_counter() - t:.0f} s")
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


def copy_to(source: Path, folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copyfile(source, database_path(folder))
    return folder


def baseline(source: Path, work: Path) -> float:
    copy = copy_to(source, work / "raw")
    dest = copy / "encrypted.sqlite3"
    key = cipher.new_key()
    t = time.perf_counter()
    con = cipher.sqlcipher.connect(str(database_path(copy)))
    cipher.export(con, dest, key)
    con.close()
    check = cipher.connect(dest, key)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    check.close()
    return time.perf_counter() - t


def headless(source: Path, work: Path) -> tuple[float, dict[str, float]]:
    folder = copy_to(source, work / "headless")
    keyring.set_keyring(MemoryKeyring())
    marks: dict[str, list[float]] = {}
    t0 = time.perf_counter()

    def progress(step: Step, _done: int, _total: int) -> None:
        now = time.perf_counter() - t0
        marks.setdefault(str(step), [now, now])[1] = now

    open_store(folder, demo=True, progress=progress).dispose()
    total = time.perf_counter() - t0
    assert not cipher.is_plain(database_path(folder))
    return total, {step: round(end - begin, 2) for step, (begin, end) in marks.items()}


def window(source: Path, work: Path) -> dict[str, Any]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    from app.ui.shell.application import launch

    folder = copy_to(source, work / "window")
    keyring.set_keyring(MemoryKeyring())
    opened: list[Any] = []
    t0 = time.perf_counter()
    app, win = launch(argparse.Namespace(data_dir=folder, demo=True, lang=None), opened.append)
    during: list[float] = []
    last_gap: list[float] = []
    shown: dict[str, float] = {}
    state = {"last": time.perf_counter()}

    def tick() -> None:
        now = time.perf_counter()
        gap, state["last"] = now - state["last"], now
        label = win.findChild(QLabel, "openingStep")
        if label is not None and label.isVisible():
            shown.setdefault(label.text(), round(now - t0, 1))
        if opened:
            last_gap.append(gap)
            app.quit()
        else:
            during.append(gap)

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    QTimer.singleShot(600_000, app.quit)  # never hang
    app.exec()
    timer.stop()
    elapsed = time.perf_counter() - t0
    win.shutdown()
    for store in opened:
        if store is not None:
            store.dispose()
    assert opened and opened[0] is not None and isinstance(app, QApplication)
    return {
        "desk_in_window_s": round(elapsed, 1),
        "steps_shown_at_s": shown,
        "timer_ticks_while_opening": len(during),
        "gap_p99_ms": round(percentile(during, 0.99) * 1000, 1),
        "gap_max_ms": round(max(during) * 1000, 1),
        "last_gap_desk_built_ms": round(last_gap[0] * 1000, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument(
        "--keep", type=Path, default=Path("/tmp/motcua-bench-first"), help="the plain store's folder"
    )
    args = ap.parse_args()
    source = plain_store(args.keep / "plain", args.n)
    count = sqlite3.connect(source).execute("SELECT count(*) FROM dossiers").fetchone()[0]
    print(f"plain store: {source} — {count:,} dossiers, {source.stat().st_size / 2**20:.0f} MiB")
    work = args.keep / "work"
    raw = baseline(source, work)
    print(f"baseline, raw SQLCipher export + integrity check: {raw:.1f} s")
    total, steps = headless(source, work)
    conversion = steps.get(str(Step.ENCRYPT_STORE), 0.0)
    print(
        f"open_store, first start: {total:.1f} s — steps: {steps}; conversion × {conversion / raw:.2f} the baseline"
    )
    gui = window(source, work)
    print(
        f"window: desk in the window after {gui['desk_in_window_s']} s; steps shown at {gui['steps_shown_at_s']};"
        f" GUI timer while opening: {gui['timer_ticks_while_opening']} ticks, gap p99 {gui['gap_p99_ms']} ms,"
        f" max {gui['gap_max_ms']} ms; then {gui['last_gap_desk_built_ms']} ms building the desk"
    )
    shutil.rmtree(work, ignore_errors=True)
    save(
        "first_start",
        {
            "dossiers": count,
            "baseline_raw_export_check_s": round(raw, 2),
            "open_store_s": round(total, 2),
            "steps_s": steps,
            "window": gui,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
