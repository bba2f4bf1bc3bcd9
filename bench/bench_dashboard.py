"""The desk dashboard's GUI stall: the longest gap of the GUI event loop while the Dashboard tab loads its
figures on a large store, beside the same window idle (same process, same run).

Set-up: a demo store filled with ``--n`` dossiers (``bench_reports.fill``: received evenly over the 400
days up to about now, 55 % with a result, 13 % with supplement requests, the rest withdrawn, stopped or
open), the dashboard page (``app.ui.screens.dashboard.DashboardPage``) shown in a window, offscreen, with
the desk's worker lane. A 5 ms ``PreciseTimer`` in the GUI thread records the gaps between its ticks:

- idle: the window shown, nothing running, ``--idle`` seconds;
- load: ``refresh()`` (the figures computed on the worker lane, then the charts and the at-risk table
  built in the GUI thread) until the figures are shown and 300 ms more for the repaint; ``--runs`` times.

Also printed: the longest cyclic garbage collection during a load (a collection holds the GIL, so it
stalls the GUI thread whichever thread runs it) and the time the GUI thread spent showing the figures.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_dashboard.py [--n 200000] [--runs 3] [--keep DIR]

Target: longest stall ≤ 50 ms. Saved under ``"dashboard"``.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
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

from bench_reports import fill  # noqa: E402
from common import percentile, save  # noqa: E402

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

    def start(self) -> None:
        self.gaps = []
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
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
    a = ap.parse_args()

    from PySide6.QtWidgets import QApplication, QMainWindow

    from app.bootstrap import open_store
    from app.paths import database_path
    from app.ui.lanes.worker import Worker
    from app.ui.screens.dashboard import DashboardPage

    folder = a.keep or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        path = database_path(folder)
        fresh = not path.exists()
        store = open_store(folder, demo=True)
        if fresh:
            print(f"Filling {a.n:,} dossiers …")
            now = datetime.now().replace(hour=7, minute=0, second=0, microsecond=0)
            fill(path, a.n, start=now - timedelta(days=395))
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

        gclog = GcLog()
        gc.callbacks.append(gclog)
        loads: list[list[float]] = []
        seconds: list[float] = []
        try:
            for _ in range(a.runs):
                page.data = None
                spin(app, lambda: False, 0.3)
                ticker.start()
                t0 = time.perf_counter()
                page.refresh()
                spin(app, lambda: page.data is not None, 600)
                seconds.append(time.perf_counter() - t0)
                spin(app, lambda: False, 0.3)
                loads.append(ticker.stop())
        finally:
            gc.callbacks.remove(gclog)
        data = page.data
        assert data is not None, "the dashboard did not load"
        idle_max, idle_p99 = ms(idle)
        worst = [ms(g)[0] for g in loads]
        p99 = [ms(g)[1] for g in loads]
        print(
            f"store: {a.n:,} dossiers; open {sum(data.backlog.values()):,}, at risk {len(data.at_risk)}, "
            f"trend {[p.judged for p in data.trend]}"
        )
        print(f"idle window:        longest gap {idle_max:6.1f} ms   p99 {idle_p99:5.1f} ms")
        for i, (w, p, s) in enumerate(zip(worst, p99, seconds, strict=True), start=1):
            print(f"dashboard load #{i}:  longest gap {w:6.1f} ms   p99 {p:5.1f} ms   loaded in {s:6.2f} s")
        print(
            f"GUI thread showing the figures: {max(shown) * 1000:.1f} ms at most; "
            f"longest garbage collection during the loads: {max(gclog.pauses, default=0.0) * 1000:.1f} ms"
        )
        print(f"target ≤ {T_STALL_MS:.0f} ms: {'met' if max(worst) <= T_STALL_MS else 'NOT met'}")
        save(
            "dashboard",
            {
                "dossiers": a.n,
                "idle_longest_ms": round(idle_max, 1),
                "load_longest_ms": [round(w, 1) for w in worst],
                "load_p99_ms": [round(p, 1) for p in p99],
                "load_s": [round(s, 2) for s in seconds],
                "show_ms": round(max(shown) * 1000, 1),
                "gc_longest_ms": round(max(gclog.pauses, default=0.0) * 1000, 1),
            },
        )
        worker.close() if hasattr(worker, "close") else None
        window.close()
        store.dispose()
        return 0
    finally:
        if a.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
