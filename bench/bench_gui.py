"""GUI responsiveness while the desk saves dossiers, prints receipts and syncs: the longest event-loop stall,
measured by a QTimer ticking every 5 ms (``PreciseTimer``) in the GUI process, beside the same timer with
nothing running (same process, before the app starts).

Set-up: the real server (uvicorn in its own process, SQLite); the desk's demo store enrolled with it
(memory keyring) holding ``--outbox`` pending events (bulk-built as in ``bench_sync.py``), and another
workstation of the centre having pushed ``--incoming`` events, so the desk's first sync round pushes and
pulls thousands of events. The app is started as ``main.py`` starts it (``app.ui.shell.application.start``: the
window, the sync thread, the daily backup), offscreen, printing into a PDF file.

Measured (after the demo operator has logged in and the desk has settled): ``--receipts`` intakes, each
filled as a scanned ID card fills it (``apply_scan``, procedure, papers), saved with ``save`` (receive +
receipt PDF on the worker), the preview opened by the main window, then Print (rasterised at 300 dpi on
the worker into a PDF) — while the sync thread pushes and pulls (woken after each save, as the app does).
Diagnosis of every stall over 30 ms: a watchdog thread notes each thread's Python stack during it (when it
can get the GIL), the ticker notes them again the moment the GUI thread runs again (a thread that kept the
GIL through a long C call is then seen at the line that made it), and ``gc.callbacks`` log every garbage
collection. The stalls over the target are counted by cause (printing, garbage collection, other) and the
longest are printed with what the other threads were doing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--receipts 10] [--outbox 2000] [--incoming 1500]

Target: longest stall ≤ 50 ms. Saved under ``"gui"``.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_sync import (  # noqa: E402
    ServerProcess,
    bulk_outbox,
    desk_store,
    prepare_server_db,
    use_memory_keyring,
)
from common import percentile  # noqa: E402

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
        self.gaps: list[tuple[float, float, str]] = []  # (gap s, tick time, phase)
        self.phase = ""
        self.after: dict[float, dict[str, list[str]]] = {}

    def start(self) -> None:
        self.last = time.perf_counter()
        self.gaps.clear()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last, now, self.phase))
        if now - self.last > 0.030:
            # The other threads' stacks the moment this thread runs again: a thread that held the GIL
            # through a long C call is seen just after it, at the line that made the call.
            self.after[now] = stacks(threading.get_ident())
        self.last = now


def stacks(gui: int, skip: int | None = None) -> dict[str, list[str]]:
    """The last frames of every thread's Python stack, by thread name ("GUI" for the GUI thread)."""
    names = {t.ident: t.name for t in threading.enumerate()}
    out: dict[str, list[str]] = {}
    for ident, frame in sys._current_frames().items():
        if ident == skip:
            continue
        name = "GUI" if ident == gui else names.get(ident, str(ident))
        frames: list[str] = []
        f: FrameType | None = frame
        while f is not None and len(frames) < 7:  # no linecache: cheap enough to run during a stall
            frames.append(f"{Path(f.f_code.co_filename).name}:{f.f_lineno} {f.f_code.co_name}")
            f = f.f_back
        out[name] = frames[::-1]
    return out


#: (stall start, noted at, stacks by thread name)
Snapshot = tuple[float, float, dict[str, list[str]]]


class Watchdog(threading.Thread):
    """Notes every thread's Python stack once per stall (the GUI thread quiet for over 30 ms)."""

    def __init__(self, ticker: Ticker, gui_ident: int) -> None:
        super().__init__(name="stall-watchdog", daemon=True)
        self.ticker = ticker
        self.gui = gui_ident
        self.stop_flag = threading.Event()
        self.snapshots: list[Snapshot] = []

    def run(self) -> None:
        noted_for = -1.0
        while not self.stop_flag.wait(0.005):
            last = self.ticker.last
            now = time.perf_counter()
            if now - last > 0.030 and last != noted_for:
                noted_for = last
                self.snapshots.append((last, now, stacks(self.gui, skip=self.ident)))


class GcLog:
    """Every collection of the cyclic garbage collector (a pause of the whole process): start, length."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int, int]] = []  # (start, seconds, generation, collected)
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._start = now
        else:
            self.pauses.append((self._start, now - self._start, info["generation"], info["collected"]))

    def during(self, start: float, end: float) -> list[tuple[float, float, int, int]]:
        return [p for p in self.pauses if p[0] < end and p[0] + p[1] > start]


def measure_idle(app: Any, seconds: float) -> list[float]:
    """The same ticker with nothing running."""
    from PySide6.QtCore import QTimer

    ticker = Ticker()
    ticker.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    ticker.stop()
    return [g for g, _t, _p in ticker.gaps]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--receipts", type=int, default=10, help="intakes saved and printed (default 10)")
    ap.add_argument("--outbox", type=int, default=2000, help="events pending in the desk's outbox")
    ap.add_argument("--incoming", type=int, default=1500, help="events pushed by another workstation first")
    ap.add_argument("--baseline-seconds", type=float, default=3.0)
    ap.add_argument(
        "--no-print", action="store_true", help="close the preview instead of printing (diagnosis)"
    )
    ap.add_argument("--stacks", type=int, default=8, help="longest stalls printed with their stacks")
    args = ap.parse_args()

    from common import save

    use_memory_keyring()
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-gui-"))
    db_url = f"sqlite:///{folder / 'server.sqlite3'}"
    prepare_server_db(db_url)
    server = ServerProcess(db_url)
    server.start()
    try:
        from app.sync import engine
        from app.sync.client import SyncClient

        t = time.perf_counter()
        with desk_store(folder / "other", server, "Quầy 2") as other:
            bulk_outbox(other, args.incoming, date.today() - timedelta(days=2))
            url, _d, token = engine.connection(other)
            with SyncClient(url, token) as client:
                engine.SyncEngine(other, client).push(engine.RoundReport())
        with desk_store(folder / "desk", server, "Quầy 1") as store:
            bulk_outbox(store, args.outbox, date.today() - timedelta(days=1))
        print(
            f"set-up {time.perf_counter() - t:.1f} s: server {server.url}; the desk has {args.outbox:,} events to push"
            f" and {args.incoming:,} (+ catalogue) to pull"
        )
        return run_gui(args, folder / "desk", server, save)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run_gui(args: argparse.Namespace, data_dir: Path, server: ServerProcess, save: Any) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.cli.main import _defaults, build_parser
    from app.ui.lanes.printing import PrintTarget
    from app.ui.shell.application import start

    app = QApplication.instance() or QApplication(sys.argv[:1])
    idle = measure_idle(app, args.baseline_seconds)

    app, window, store = start(_defaults(build_parser().parse_args(["--data-dir", str(data_dir)])))
    assert window is not None and store is not None
    window.print_target_override = PrintTarget(pdf_path=data_dir / "printed.pdf")
    sync_log: list[tuple[float, str, int]] = []
    controller = getattr(window, "sync", None)
    if controller is not None and hasattr(controller, "state_changed"):
        controller.state_changed.connect(
            lambda s: sync_log.append((time.perf_counter(), str(s.state), int(s.pending)))
        )
    else:
        print("note: this main window has no sync controller; no sync runs in the background")

    ticker = Ticker()
    watchdog = Watchdog(ticker, threading.get_ident())
    gclog = GcLog()
    gc.callbacks.append(gclog)
    state: dict[str, Any] = {"phase": "login", "done": 0, "t_end": None}
    w = window

    def drive() -> None:
        phase = state["phase"]
        if phase == "login":
            w.login_page.username.setText("demo")
            w.login_page.password.setText("motcua")
            w.login_page.submit()
            state["phase"] = "settle"
        elif phase == "settle":
            if w.ctx.session is not None and w.ctx.catalogue and w.worker.idle:
                ticker.start()
                watchdog.start()
                state["t0"] = time.perf_counter()
                state["phase"] = "fill"
        elif phase == "fill":
            i = state["done"]
            intake = w.intake
            intake.apply_scan(
                f"0240900{i:05d}||Đặng Văn Hùng {chr(65 + i % 26)}|01021990|Nam|Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang|15042021"
            )
            intake.picker.set_code("1.001193")
            intake._procedure_chosen(intake.picker.current)
            intake.papers.set_ticked({0: 1, 1: 1})
            intake.save()
            state["phase"] = "saving"
        elif phase == "saving":
            if w.preview is not None and w.worker.idle:
                state["phase"] = "preview"
                state["shown_at"] = time.perf_counter()
        elif phase == "preview":
            if time.perf_counter() - state["shown_at"] > 0.3:  # the operator glances at it
                if args.no_print:
                    w.preview.reject()
                else:
                    w.preview.print_now()
                state["phase"] = "printing"
        elif phase == "printing":
            if w.preview is None:
                state["done"] += 1
                state["phase"] = "fill" if state["done"] < args.receipts else "tail"
        elif phase == "tail":
            # Keep measuring until the sync round has drained the outbox (or 60 s).
            pending_done = bool(sync_log) and sync_log[-1][1] == "online" and sync_log[-1][2] == 0
            if pending_done or time.perf_counter() - state["t0"] > 60:
                state["t_end"] = time.perf_counter()
                state["phase"] = "end"
                QTimer.singleShot(0, app.quit)

    def drive_and_note() -> None:
        drive()
        ticker.phase = state["phase"]  # what runs until the next tick of the driver

    driver = QTimer()
    driver.setInterval(10)
    driver.timeout.connect(drive_and_note)
    driver.start()
    QTimer.singleShot(180_000, app.quit)  # never hang
    app.exec()
    driver.stop()
    ticker.stop()
    watchdog.stop_flag.set()
    receipts = state["done"]
    window.shutdown()
    store.dispose()

    gc.callbacks.remove(gclog)
    gaps = ticker.gaps
    long_gc = [p for p in gclog.pauses if p[0] >= state.get("t0", 0.0)]
    if long_gc:
        worst_gc = max(long_gc, key=lambda p: p[1])
        print(
            f"garbage collections during the measurement: {len(long_gc):,}, longest {worst_gc[1] * 1000:.0f} ms"
            f" (generation {worst_gc[2]}), generation 2: {sum(1 for p in long_gc if p[2] == 2)}"
        )
    values = sorted(g for g, _t, _p in gaps)
    worst = sorted(gaps, reverse=True)[: args.stacks]
    worst.sort(key=lambda g: g[1])
    t0 = state.get("t0", 0.0)
    t_end = state["t_end"] or time.perf_counter()
    syncing = [t for t, s, _p in sync_log if s == "syncing" and t >= t0]
    online = [t for t, s, _p in sync_log if s == "online" and t >= t0]
    idle_sorted = sorted(idle)

    def q(v: list[float], p: float) -> float:
        return percentile(v, p) * 1000

    longest = values[-1] * 1000 if values else 0.0
    over = sum(1 for v in values if v * 1000 > T_STALL_MS)
    print(
        f"measured {t_end - t0:.1f} s: {receipts} receipts saved, previewed and printed; sync states seen:"
        f" {[(round(t - t0, 1), s, p) for t, s, p in sync_log][:12]} (seconds from the start of the measurement)"
    )
    first_online = min(online, default=None)
    if not sync_log or (first_online is not None and first_online - t0 < 1.0 and not syncing):
        print("  warning: the sync round did not overlap the measurement")
    print(
        f"event loop, busy: longest stall {longest:.1f} ms (target ≤ {T_STALL_MS:g} ms)"
        f" -> {'OK' if longest <= T_STALL_MS else 'MISSED'}; p99 gap {q(values, 0.99):.1f} ms;"
        f" {over} gaps over {T_STALL_MS:g} ms out of {len(values):,} ticks"
    )
    print(
        f"event loop, nothing running (baseline): longest gap {q(idle_sorted, 1.0):.1f} ms; p99 {q(idle_sorted, 0.99):.1f} ms"
        f" ({len(idle):,} ticks)"
    )
    snaps = watchdog.snapshots
    causes: dict[str, int] = {}

    def explain(gap: float, at: float, phase: str) -> tuple[str, str]:
        """(cause, detail) of the stall ending at ``at``: a full garbage collection, printing, or other."""
        start_t = at - gap
        pauses = [p for p in gclog.during(start_t, at) if p[1] > 0.02]
        snap = next((s for s in snaps if abs(s[0] - start_t) < 0.002), None)
        threads = [t for t in (snap[2] if snap else {}, ticker.after.get(at, {})) if t]
        tops: dict[str, str] = {}
        gui_at = ""
        for th in threads:
            for name, frames in th.items():
                if name == "GUI" and frames and not gui_at:
                    gui_at = frames[-1]  # the GUI thread's own line during the stall (exec: inside Qt)
                if name in ("GUI", "stall-watchdog") or not frames or name in tops:
                    continue
                tops["worker" if name.isdigit() else name.split("-")[0]] = frames[-1]
        detail = "; ".join(f"{k}: {v}" for k, v in tops.items()) + (f"; GUI at {gui_at}" if gui_at else "")
        if pauses:
            g = max(pauses, key=lambda p: p[1])
            return f"garbage collection, generation {g[2]}", f"GC {g[1] * 1000:.0f} ms; {detail}"
        if any("print_pdf" in v for v in tops.values()):
            return "print_pdf (QPdfDocument.render / QPainter.drawImage keep the GIL)", detail
        if phase == "printing":
            return "other, while printing (e.g. QPainter.end writing the PDF)", detail
        return "other", detail

    for gap, at, phase in gaps:
        if gap * 1000 > T_STALL_MS:
            cause, _d = explain(gap, at, phase)
            causes[cause] = causes.get(cause, 0) + 1
    for cause, n in sorted(causes.items(), key=lambda c: -c[1]):
        print(f"  stalls over {T_STALL_MS:g} ms caused by {cause}: {n}")
    for gap, at, phase in worst:
        cause, detail = explain(gap, at, phase)
        print(f"  {gap * 1000:6.1f} ms at +{at - gap - t0:5.2f} s ({phase}): {cause} — {detail}")
    save(
        "gui",
        {
            "receipts": receipts,
            "measured_s": round(t_end - t0, 2),
            "outbox_events": args.outbox,
            "incoming_events": args.incoming,
            "longest_stall_ms": round(longest, 1),
            "p99_gap_ms": round(q(values, 0.99), 1),
            "gaps_over_target": over,
            "ticks": len(values),
            "baseline_longest_gap_ms": round(q(idle_sorted, 1.0), 1),
            "baseline_p99_gap_ms": round(q(idle_sorted, 0.99), 1),
            "sync_rounds_seen": len(online),
            "target_stall_ms": T_STALL_MS,
            "stall_causes": causes,
            "ok": longest <= T_STALL_MS,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
