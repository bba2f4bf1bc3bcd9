"""Start-up of the desk on a store of 200,000 dossiers, beside a bare PySide6 window started the same way.

Every start runs in a fresh subprocess (``QT_QPA_PLATFORM=offscreen``). The parent notes
``time.monotonic()`` just before spawning it; the child prints ``time.monotonic()`` at each milestone (the
clock is system-wide on Linux), so each figure is "time since the process was spawned":

- **window visible**: the main window's first paint (the offscreen platform exposes and paints a window
  when it is shown); the bare child is a ``QMainWindow`` of the same size, nothing else, both timed by the
  same event filter. The app's first window is its main window with the log-in form (the store is opened
  after that paint, see ``app.ui.shell.application``): it is the window the operator works in, not a splash.
- **login ready**: the store is open and attached to the window (the centre shown, a log-in is checked),
  the log-in screen is current and the worker has delivered its first task (the last user name
  pre-filled). The child then logs in at once as the demo operator (no typing time).
- **desk usable**: logged in, the intake has the catalogue (procedure picker filled) and the desk's
  "today" list has been loaded into its table. Reported with and without the log-in's password check
  (scrypt, ~50 ms by design), which the operator's own typing would overlap.

The app child goes through the same code as ``main.py`` (``app.launch.gui_args`` → ``app.ui.shell.application.launch``,
the staged start ``run_gui`` runs before its event loop); the milestones are read by an event filter (show/paint) and a QTimer polling the widgets every 2 ms (the GUI has
no readiness hook). The store is built once with ``bench_engine.fill`` into a kept folder (reused), and
its last 60 dossiers are re-dated to today on each run so that the "today" list has rows.

    .venv/bin/python bench/bench_startup.py [--n 200000] [--runs 5] [--keep /tmp/motcua-bench-200k]

Targets: window visible ≤ 3 × the bare window; desk usable ≤ 1.0 s. Saved under ``"startup"``.
The child modes (``--child bare|app``) are also used by ``bench_memory.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

T_VISIBLE_RATIO = 3.0
T_USABLE_S = 1.0

# --- the child ----------------------------------------------------------------------------------------


def _mark(name: str) -> None:
    print(f"MARK {name} {time.monotonic():.6f}", flush=True)


def _rss() -> dict[str, int]:
    """VmHWM and VmRSS of this process, kB."""
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmHWM:", "VmRSS:", "RssAnon:", "RssFile:", "RssShmem:")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0])
    return out


def _report(**values: Any) -> None:
    print("RESULT " + json.dumps(values), flush=True)


def child_bare(memory: bool) -> int:
    """A bare PySide6 window: QApplication, a QMainWindow of the app's size, shown, first paint."""
    _mark("interp")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    _mark("imports")
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1200, 760)

    class Watch(QObject):
        painted = False

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if obj is window and event.type() == QEvent.Type.Paint and not self.painted:
                self.painted = True
                _mark("painted")
                QTimer.singleShot(0 if not memory else 50, app.quit)
            return False

    watch = Watch()
    window.installEventFilter(watch)
    window.show()
    _mark("shown")
    QTimer.singleShot(10_000, app.quit)  # never hang
    app.exec()
    _report(rss=_rss())
    return 0


def child_app(data_dir: Path, search: str, memory: bool) -> int:
    """The desk as ``main.py --data-dir D`` starts it, logged in at once as the demo operator."""
    _mark("interp")
    from app.launch import gui_args

    args = gui_args(["--data-dir", str(data_dir)])
    assert args is not None
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.shell.application import launch
    from app.ui.shell.main_window import MainWindow

    _mark("imports")
    rss: dict[str, dict[str, int]] = {"imports": _rss()}
    app = QApplication.instance() or QApplication(sys.argv[:1])  # what start() does first
    seen: set[str] = set()

    def once(name: str) -> bool:
        if name in seen:
            return False
        seen.add(name)
        _mark(name)
        if memory:
            rss[name] = _rss()
        return True

    class Watch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            if isinstance(obj, MainWindow):
                if event.type() == QEvent.Type.Show:
                    once("show")
                elif event.type() == QEvent.Type.Paint:
                    once("painted")
            return False

    watch = Watch()
    app.installEventFilter(watch)
    opened: list[Any] = []
    app, window = launch(args, opened.append)  # what run_gui does before app.exec()
    once("start_returned")
    info: dict[str, Any] = {}
    state = {"phase": "login"}
    poll = QTimer()
    poll.setInterval(2)

    def tick() -> None:
        w = window
        phase = state["phase"]
        if opened and opened[0] is None:
            state["phase"] = "failed"
            app.quit()
            return
        if opened:
            once("desk_attached")
        if phase == "login":
            ready = w.attached and w.stack.currentWidget() is w.login_page and w.worker.idle
            if ready and "painted" in seen:
                once("login_ready")
                w.login_page.username.setText("demo")
                w.login_page.password.setText("motcua")
                w.login_page.submit()
                once("login_submit")
                state["phase"] = "desk"
        elif phase == "desk":
            if w.ctx.session is not None:
                once("logged_in")
            if w.ctx.catalogue and w.ctx.session is not None:
                once("intake_ready")
            if w.desk.summary.text():
                once("today_shown")
                info["today_rows"] = w.desk.model.rowCount()
            if {"intake_ready", "today_shown"} <= seen and w.worker.idle:
                once("idle")
                info["counts"] = dict(w.desk.counts)
                if search:
                    w.show_desk()
                    w.desk.search_for(search)
                    once("search_submit")
                    state["phase"] = "search"
                else:
                    state["phase"] = "done"
                    QTimer.singleShot(0, app.quit)
        elif phase == "search" and w.worker.idle and w.desk.model.rowCount() and w.desk.summary.text():
            once("search_shown")
            info["search_rows"] = w.desk.model.rowCount()
            state["phase"] = "done"
            QTimer.singleShot(100, app.quit)  # let the table paint

    poll.timeout.connect(tick)
    poll.start()
    QTimer.singleShot(60_000, app.quit)  # never hang
    app.exec()
    poll.stop()
    if state["phase"] == "failed":
        _report(error="start-up failed")
        return 2
    if memory:
        rss["end"] = _rss()
    window.shutdown()
    for store in opened:
        if store is not None:
            store.dispose()
    _report(info=info, rss=rss, phase=state["phase"])
    return 0


# --- the parent -----------------------------------------------------------------------------------------


def run_child(
    mode: str, data_dir: Path | None = None, search: str = "", memory: bool = False
) -> dict[str, Any]:
    """Spawn one child; returns its milestones (seconds since spawn) and its RESULT."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    if search:
        cmd += ["--search", search]
    if memory:
        cmd.append("--memory")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180, cwd=ROOT)
    marks: dict[str, float] = {}
    result: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("MARK "):
            _, name, value = line.split()
            marks[name] = float(value) - t0
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    if proc.returncode != 0 or not result or "error" in result:
        raise RuntimeError(f"child {mode} failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return {"marks": marks, **result}


def prepare_store(folder: Path, n: int, today_rows: int = 60) -> int:
    """A demo store with ``n`` synthetic dossiers in ``folder`` (built once, then reused); the last
    ``today_rows`` dossiers are re-dated to today. Returns the number of dossiers."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    from bench_engine import fill
    from common import raw_connect

    from app.bootstrap import open_store
    from app.paths import database_path

    path = database_path(folder)
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # No keyring, as in the desk processes this bench starts: a plain store (importing bench_engine
        # loaded tests' MemoryKeyring, which keyring would otherwise pick as the best backend).
        import keyring
        from keyring.backends import fail

        keyring.set_keyring(fail.Keyring())
        open_store(folder, demo=True).dispose()
        t = time.perf_counter()
        print(f"building a store of {n:,} dossiers in {folder} (once; reused by later runs)")
        fill(path, n)
        print(f"  built in {time.perf_counter() - t:.0f} s")
    con = raw_connect(path)
    try:
        now = datetime.now().replace(hour=7, minute=30, second=0, microsecond=0)
        rows = [
            r[0] for r in con.execute("SELECT rowid FROM dossiers ORDER BY rowid DESC LIMIT ?", (today_rows,))
        ]
        with con:
            for i, rowid in enumerate(rows):
                at = now + timedelta(minutes=i)
                con.execute(
                    "UPDATE dossiers SET received_at = ?, due_at = ?, status = 'received' WHERE rowid = ?",
                    (at, at + timedelta(days=3), rowid),
                )
        count = int(con.execute("SELECT count(*) FROM dossiers").fetchone()[0])
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return count


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000, help="dossiers in the store (default 200,000)")
    ap.add_argument("--runs", type=int, default=5, help="starts of each kind; the median counts")
    ap.add_argument("--keep", type=Path, default=Path("/tmp/motcua-bench-200k"), help="the store's folder")
    ap.add_argument("--child", choices=("bare", "app"), help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--search", default="", help=argparse.SUPPRESS)
    ap.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "bare":
        return child_bare(args.memory)
    if args.child == "app":
        sys.path.insert(0, str(ROOT))
        return child_app(args.data_dir, args.search, args.memory)

    sys.path.insert(0, str(BENCH))
    from common import save

    count = prepare_store(args.keep, args.n)
    print(f"store: {args.keep} — {count:,} dossiers")
    # One untimed start of each: the page cache holds the libraries and the store, as on a desk in use.
    run_child("bare")
    run_child("app", args.keep)
    bare: list[float] = []
    runs: list[dict[str, float]] = []
    for i in range(args.runs):
        b = run_child("bare")["marks"]
        bare.append(b["painted"])
        r = run_child("app", args.keep)
        m = r["marks"]
        check = m["logged_in"] - m["login_submit"]
        usable = max(m["intake_ready"], m["today_shown"])
        runs.append(
            {
                "interp": m["interp"],
                "imports": m["imports"],
                "visible": m["painted"],
                "login_ready": m["login_ready"],
                "login_check": check,
                "usable": usable,
                "usable_without_check": usable - check,
                "idle": m["idle"],
            }
        )
        print(
            f"  run {i + 1}: bare {b['painted'] * 1000:6.0f} ms | app visible {m['painted'] * 1000:6.0f} ms,"
            f" login ready {m['login_ready'] * 1000:6.0f}, usable {usable * 1000:6.0f}"
            f" (log-in check {check * 1000:.0f}), idle {m['idle'] * 1000:6.0f}"
            f" — today rows {r['info'].get('today_rows')}"
        )
    med = {k: _median([r[k] for r in runs]) for k in runs[0]}
    bare_med = _median(bare)
    ratio = med["visible"] / bare_med
    print(f"bare PySide6 window, first paint (baseline): median {bare_med * 1000:.0f} ms")
    print(
        f"window visible: median {med['visible'] * 1000:.0f} ms = {ratio:.2f} × bare (target ≤ {T_VISIBLE_RATIO:g} ×)"
        f" -> {'OK' if ratio <= T_VISIBLE_RATIO else 'MISSED'}"
    )
    print(
        f"  of which interpreter {med['interp'] * 1000:.0f} ms, imports done at {med['imports'] * 1000:.0f} ms"
    )
    print(f"login ready: median {med['login_ready'] * 1000:.0f} ms")
    print(
        f"desk usable (intake ready + today's list shown, log-in included): median {med['usable'] * 1000:.0f} ms"
        f" (target ≤ {T_USABLE_S * 1000:.0f} ms) -> {'OK' if med['usable'] <= T_USABLE_S else 'MISSED'};"
        f" without the password check ({med['login_check'] * 1000:.0f} ms): {med['usable_without_check'] * 1000:.0f} ms"
    )
    print(f"everything settled (counts of every list loaded): median {med['idle'] * 1000:.0f} ms")
    save(
        "startup",
        {
            "dossiers": count,
            "runs": args.runs,
            "bare_window_visible_s": bare_med,
            "window_visible_s": med["visible"],
            "visible_ratio": round(ratio, 2),
            "target_visible_ratio": T_VISIBLE_RATIO,
            "imports_done_s": med["imports"],
            "login_ready_s": med["login_ready"],
            "login_check_s": med["login_check"],
            "desk_usable_s": med["usable"],
            "desk_usable_without_check_s": med["usable_without_check"],
            "target_usable_s": T_USABLE_S,
            "all_settled_s": med["idle"],
            "ok": ratio <= T_VISIBLE_RATIO and med["usable"] <= T_USABLE_S,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
