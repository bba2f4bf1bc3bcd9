"""The desk dashboard's GUI stall: the longest gap of the GUI event loop while the Dashboard tab loads its
figures on a large store, beside the same window idle and beside an idle second process (same run).

Set-up: a demo store (encrypted, its key in a keyring of this run) filled with ``--n`` dossiers
(``bench_reports.fill``: received evenly over the 400 days up to about now, 55 % with a result, 13 % with
supplement requests, the rest withdrawn, stopped or open), the dashboard page
(``app.ui.screens.dashboard.DashboardPage``) shown in a window, offscreen, with the desk's worker lane. A
5 ms ``PreciseTimer`` in the GUI thread records the gaps between its ticks:

- idle: the window shown, nothing running, ``--idle`` seconds;
- load: ``refresh()`` (the figures computed, then the charts and the at-risk table built in the GUI thread)
  until the figures are shown and 300 ms more for the repaint; ``--runs`` times per mode. Modes
  (``--mode``): ``child``, the desk's way (the worker lane waits on a child process:
  ``app.services.dashboard_child``; its first load includes starting the child); ``thread``, the figures
  computed in the worker lane's own thread (how it was before: it shares the GIL with the GUI thread);
  ``both`` (default) alternates them.
- other process: the same 5 ms ticker in a separate idle Python process (``bench_gui.Probe``) during each
  load: its longest gap is the machine's share (other programs on the 2 cores), not the desk's. Each GUI
  gap over 50 ms is printed with the other process's longest gap overlapping it (≥ 30 ms: the machine
  stalled both processes at the same time).

Also printed: the CPU time of the window's process (all its threads) per load — with the child, what
is left of the computation in the process whose GIL the GUI thread needs —, the longest cyclic garbage collection in this process during a load (a collection holds the
GIL, so it stalls the GUI thread whichever thread runs it) and the time the GUI thread spent showing the
figures.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_dashboard.py [--n 200000] [--runs 3] \\
        [--mode both|child|thread] [--keep DIR]

Target: longest stall ≤ 50 ms. Saved under ``"dashboard"``.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_gui import Probe  # noqa: E402
from bench_reports import fill  # noqa: E402
from common import percentile, save  # noqa: E402

from tools.memory_keyring import MemoryKeyring  # noqa: E402

T_STALL_MS = 50.0
TICK_MS = 5


class Ticker:
    """A 5 ms PreciseTimer in the GUI thread; the gaps between its ticks are the event loop's stalls."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.gaps: list[float] = []
        self.at: list[float] = []  # when each gap ended (perf_counter: the system's monotonic clock)

    def start(self) -> None:
        self.gaps = []
        self.at = []
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.at.append(now)
        self.last = now


class GcLog:
    """The length of every cyclic garbage collection (any thread)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._start)


def spin(app: Any, until: Any, timeout: float) -> None:
    """Run the event loop until ``until()`` is true (or ``timeout`` seconds)."""
    end = time.perf_counter() + timeout
    while not until() and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def ms(xs: list[float]) -> tuple[float, float]:
    return (max(xs, default=0.0) * 1000, percentile(xs, 0.99) * 1000)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=3.0, help="seconds of the idle baseline")
    ap.add_argument("--keep", type=Path, help="keep (or reuse) the data folder here")
    ap.add_argument("--mode", choices=("both", "child", "thread"), default="both")
    a = ap.parse_args()

    import keyring
    from keyring.backends import fail
    from PySide6.QtWidgets import QApplication, QMainWindow

    from app.bootstrap import open_store
    from app.models import cipher
    from app.paths import database_path
    from app.services import reports
    from app.services.dashboard_child import dashboard_in_child, stop_dashboard_child
    from app.ui.lanes.worker import Worker
    from app.ui.screens import dashboard as screen
    from app.ui.screens.dashboard import DashboardPage

    folder = a.keep or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        # The dossiers are written in clear (bench_reports.fill, raw sqlite3) with no keyring, then a copy is
        # encrypted by the desk's own opening path under a keyring of this run, as on a counter's machine.
        plain_dir, enc_dir = folder / "plain", folder / "encrypted"
        plain_dir.mkdir(parents=True, exist_ok=True)
        plain_path = database_path(plain_dir)
        fresh = not plain_path.exists()
        keyring.set_keyring(fail.Keyring())
        open_store(plain_dir, demo=True).dispose()
        if fresh:
            print(f"Filling {a.n:,} dossiers …")
            now = datetime.now().replace(hour=7, minute=0, second=0, microsecond=0)
            fill(plain_path, a.n, start=now - timedelta(days=395))
        con = sqlite3.connect(plain_path)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
        shutil.rmtree(enc_dir, ignore_errors=True)
        enc_dir.mkdir()
        shutil.copyfile(plain_path, database_path(enc_dir))
        keyring.set_keyring(MemoryKeyring())
        store = open_store(enc_dir, demo=True)
        assert store.key is not None and not cipher.is_plain(store.path), "the bench store is not encrypted"
        app = QApplication.instance() or QApplication([])
        worker = Worker()
        ctx = SimpleNamespace(store=store, worker=worker)
        window = QMainWindow()
        page = DashboardPage(ctx, window)  # type: ignore[arg-type]
        window.setCentralWidget(page)
        window.resize(1280, 800)
        window.show()
        spin(app, lambda: False, 0.5)

        shown: list[float] = []
        original_show = page._show

        def timed_show(value: object) -> None:
            t0 = time.perf_counter()
            original_show(value)
            shown.append(time.perf_counter() - t0)

        page._show = timed_show  # type: ignore[method-assign]

        ticker = Ticker()
        ticker.start()
        spin(app, lambda: False, a.idle)
        idle = ticker.stop()

        modes = {"both": ["child", "thread"], "child": ["child"], "thread": ["thread"]}[a.mode]
        compute = {"child": dashboard_in_child, "thread": reports.dashboard}
        gclog = GcLog()
        gc.callbacks.append(gclog)
        # mode, gaps, seconds, the other process's longest gap, stalls over 50 ms (length, the other
        # process's longest gap overlapping it)
        loads: list[tuple[str, list[float], float, float, list[tuple[float, float]]]] = []
        results: dict[str, Any] = {}
        cpu_s: dict[str, list[float]] = {}  # this process's CPU time (all its threads) per load
        try:
            for _ in range(a.runs):
                for mode in modes:
                    screen.dashboard_in_child = compute[mode]  # type: ignore[assignment]
                    page.data = None
                    spin(app, lambda: False, 0.3)
                    probe = Probe()
                    time.sleep(0.3)  # the probe's interpreter started
                    ticker.start()
                    t0, cpu0 = time.perf_counter(), time.process_time()
                    page.refresh()
                    spin(app, lambda: page.data is not None, 600)
                    seconds = time.perf_counter() - t0
                    spin(app, lambda: False, 0.3)
                    t1, cpu = time.perf_counter(), time.process_time() - cpu0
                    gaps = ticker.stop()
                    probe.stop()
                    stalls = [
                        (g, probe.stalled(t - g, t, least=0.0))
                        for g, t in zip(gaps, ticker.at, strict=True)
                        if g > T_STALL_MS / 1000
                    ]
                    loads.append((mode, list(gaps), seconds, probe.stalled(t0, t1, least=0.0), stalls))
                    cpu_s.setdefault(mode, []).append(cpu)
                    results[mode] = page.data
        finally:
            gc.callbacks.remove(gclog)
            screen.dashboard_in_child = dashboard_in_child  # type: ignore[assignment]
        data = page.data
        assert data is not None, "the dashboard did not load"
        if len(results) == 2:
            assert results["child"] == results["thread"], "the child's figures differ from the thread's"
        idle_max, idle_p99 = ms(idle)
        print(
            f"store: {a.n:,} dossiers (SQLCipher); open {sum(data.backlog.values()):,}, "
            f"at risk {len(data.at_risk)}, trend {[p.judged for p in data.trend]}"
        )
        print(f"idle window:              longest gap {idle_max:6.1f} ms   p99 {idle_p99:5.1f} ms")
        figures: dict[str, Any] = {"dossiers": a.n, "idle_longest_ms": round(idle_max, 1)}
        for mode in modes:
            rows = [(g, sec, other) for m, g, sec, other, _st in loads if m == mode]
            for i, (g, sec, other) in enumerate(rows, start=1):
                w, p = ms(g)
                print(
                    f"load #{i} ({mode:6}):        longest gap {w:6.1f} ms   p99 {p:5.1f} ms   "
                    f"loaded in {sec:6.2f} s   other process's longest gap {other * 1000:6.1f} ms"
                )
            print(
                f"  {mode}: CPU time of the window's process per load: "
                f"{', '.join(f'{c:.2f}' for c in cpu_s[mode])} s"
            )
            over = [x for m, _g, _s, _o, st in loads if m == mode for x in st]
            machine = [x for x in over if x[1] >= 0.030]
            print(
                f"  {mode}: {len(over)} gaps over {T_STALL_MS:.0f} ms"
                + (f" ({', '.join(f'{g * 1000:.0f}' for g, _o in over)} ms)" if over else "")
                + f"; {len(machine)} of them with the other process stalled ≥ 30 ms at the same time"
                + (f" ({', '.join(f'{o * 1000:.0f}' for _g, o in machine)} ms)" if machine else "")
            )
            figures[mode] = {
                "load_longest_ms": [round(ms(g)[0], 1) for g, _s, _o in rows],
                "load_p99_ms": [round(ms(g)[1], 1) for g, _s, _o in rows],
                "load_s": [round(sec, 2) for _g, sec, _o in rows],
                "window_process_cpu_s": [round(c, 2) for c in cpu_s[mode]],
                "other_process_longest_ms": [round(o * 1000, 1) for _g, _s, o in rows],
                "stalls_over_target_ms": [
                    [round(g * 1000, 1), round(o * 1000, 1)]
                    for m, _g, _s, _o, st in loads
                    if m == mode
                    for g, o in st
                ],
            }
        print(
            f"GUI thread showing the figures: {max(shown) * 1000:.1f} ms at most; "
            f"longest garbage collection in this process during the loads: "
            f"{max(gclog.pauses, default=0.0) * 1000:.1f} ms"
        )
        for mode in modes:
            worst = max(figures[mode]["load_longest_ms"])
            print(f"target ≤ {T_STALL_MS:.0f} ms ({mode}): {'met' if worst <= T_STALL_MS else 'NOT met'}")
        figures["show_ms"] = round(max(shown) * 1000, 1)
        figures["gc_longest_ms"] = round(max(gclog.pauses, default=0.0) * 1000, 1)
        save("dashboard", figures)
        worker.close()
        stop_dashboard_child()
        window.close()
        store.dispose()
        return 0
    finally:
        if a.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
