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
longest are printed with what the other threads were doing, and with the GUI thread's own time in each
(Linux, ``/proc/thread-self/schedstat`` read at every tick): on a CPU, waiting for a free CPU, and blocked
(the rest: the interpreter's lock, a mutex, the disk).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--receipts 10] [--outbox 2000] [--incoming 1500]

**Digitising** (``--digitise N``, issue 19): instead of the receipts, N intakes through the digitising panel
as an operator makes them: the ID card scanned, F8 opens the panel, the whole feeder of SANE's own ``test``
backend (Debian's sane-utils: ten sheets, grey, ``--dpi`` 300) scanned into the first paper, ``--file-pages``
A4 text pages rendered by the project (``app.digitise.samples``: Vietnamese text, 300 dpi, skew and noise)
read as files into the second, the panel closed, the dossier saved (pages compressed on the digitising
lane, dossier and papers stored on the database lane, receipt preview opened and closed; the window wakes
the sync round and the OCR 300 ms after the save, the preview then on screen); then, until every file is
recognised and uploaded (or ``--tail`` seconds), the background OCR (one child process) and
the sync thread's chunked uploads run while the ticker keeps measuring. The bench wakes the sync thread
each time the OCR worker finishes a file (the app itself uploads it at its next round, 60 s at most), so
that the uploads fall inside the measurement. The longest stall is also printed per phase.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py --digitise 2 --outbox 200 --incoming 200

``--trace-events MS`` (diagnosis, not a measurement: it slows the GUI thread) times every event the GUI
thread delivers (``QApplication.notify``) and prints, for each of the longest stalls, the events over MS
ms that ended inside it, nested ones indented: which widget's paint, which timer, which posted call.

Target: longest stall ≤ 50 ms. Saved under ``"gui"`` (``"gui_digitise"`` for the digitising run).
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
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import keyring  # noqa: E402
from bench_sync import (  # noqa: E402
    ServerProcess,
    bulk_outbox,
    desk_store,
    prepare_server_db,
)
from common import centre_today, percentile  # noqa: E402

from tools.memory_keyring import FileKeyring  # noqa: E402

T_STALL_MS = 50.0
TICK_MS = 5
#: The driver's phases of one intake through the digitising panel (``digitise_step``).
DIGITISE_PHASES = (
    "panel",
    "devices",
    "device chosen",
    "paper chosen",
    "scanning",
    "second paper chosen",
    "reading files",
    "pages declared",
    "panel closed",
    "compressing and storing",
)


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
        self.sched = _sched()
        #: tick time -> (s on a CPU, s waiting for a CPU) of the GUI thread during a gap over 30 ms
        self.sched_gaps: dict[float, tuple[float, float]] = {}

    def start(self) -> None:
        self.last = time.perf_counter()
        self.sched = _sched()  # a first gap is measured from here, not from the ticker's making
        self.gaps.clear()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        sched = _sched()
        self.gaps.append((now - self.last, now, self.phase))
        if now - self.last > 0.030:
            # The other threads' stacks the moment this thread runs again: a thread that held the GIL
            # through a long C call is seen just after it, at the line that made the call.
            self.after[now] = stacks(threading.get_ident())
            self.sched_gaps[now] = (sched[0] - self.sched[0], sched[1] - self.sched[1])
        self.last = now
        self.sched = sched


def _sched() -> tuple[float, float]:
    """The calling thread's time on a CPU and waiting for one (seconds, since it started), from Linux's
    ``/proc/thread-self/schedstat`` (nanoseconds): during a stall, what is neither was spent blocked (on
    the interpreter's lock, a mutex, the disk). (0, 0) where the file does not exist."""
    try:
        run_ns, wait_ns, _slices = Path("/proc/thread-self/schedstat").read_text().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(run_ns) / 1e9, int(wait_ns) / 1e9


_PROBE = """
import json, sys, threading, time
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
gaps, last = [], time.perf_counter()
while not stop.is_set():
    time.sleep(0.005)
    now = time.perf_counter()
    gaps.append((now - last, now))
    last = now
print(json.dumps(gaps))
"""


class Probe:
    """The same 5 ms ticker in a separate, idle Python process during the measurement: its gaps are the
    machine's share (other programs on the cores), a baseline in the same run. ``perf_counter`` is the
    system's monotonic clock on Linux, so its gaps line up with the GUI's."""

    def __init__(self) -> None:
        import subprocess

        self.proc = subprocess.Popen(  # noqa: S603 - our interpreter, our script
            [sys.executable, "-c", _PROBE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.gaps: list[tuple[float, float]] = []

    def stop(self) -> None:
        import json

        out, _err = self.proc.communicate("", timeout=30)
        self.gaps = [(g, t) for g, t in json.loads(out or "[]")]

    def stalled(self, start: float, end: float, least: float = 0.030) -> float:
        """The probe's longest gap over ``least`` s overlapping [start, end] (0: none)."""
        return max((g for g, t in self.gaps if g > least and t - g < end and t > start), default=0.0)


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


def sane_test_backend(conf: Path) -> bool:
    """SANE with only its ``test`` backend (as tests/ui/test_gui_digitise.py); False if not installed."""
    etc = Path("/etc/sane.d")
    try:
        import sane  # noqa: F401
    except ImportError:
        return False
    if not (etc / "test.conf").exists():
        return False
    shutil.copytree(etc, conf)
    (conf / "dll.conf").write_text("test\n")
    shutil.rmtree(conf / "dll.d", ignore_errors=True)
    os.environ["SANE_CONFIG_DIR"] = str(conf)
    return True


def _tracing_application() -> type:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class Tracing(QApplication):
        """``--trace-events``: every event the GUI thread delivers timed (``notify``), the slow ones kept
        with their receiver's class and name, the event's type and how deep they were nested."""

        def __init__(self, argv: list[str], threshold: float) -> None:
            super().__init__(argv)
            self.threshold = threshold
            self.depth = 0
            self.slow: list[tuple[float, float, int, str, str]] = []  # (end, seconds, depth, receiver, event)

        def notify(self, receiver: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
            kind = event.type()
            who = type(receiver).__name__
            t = time.perf_counter()
            self.depth += 1
            try:
                return bool(super().notify(receiver, event))
            finally:
                self.depth -= 1
                now = time.perf_counter()
                if now - t > self.threshold:
                    try:
                        name = receiver.objectName()
                    except RuntimeError:  # deleted by its own event (DeferredDelete)
                        name = "(deleted)"
                    self.slow.append((now, now - t, self.depth, f"{who} {name!r}", str(kind).split(".")[-1]))

        def report(self, gaps: list[tuple[float, float, str]]) -> None:
            """The slow events inside each of the 8 longest stalls, innermost first."""
            for gap, end, phase in sorted(gaps, reverse=True)[:8]:
                print(
                    f"  events over {self.threshold * 1000:.0f} ms in the {gap * 1000:.1f} ms stall ({phase}):"
                )
                for e_end, secs, depth, who, kind in self.slow:
                    if end - gap - 0.001 <= e_end <= end + 0.001:
                        print(f"    {'  ' * depth}{secs * 1000:.1f} ms {kind} to {who}")

    return Tracing


def page_paths(folder: Path, n: int) -> list[Path]:
    """The files :func:`sample_pages` writes, in order."""
    return [folder / f"page-{i + 1}.png" for i in range(n)]


def sample_pages(folder: Path, n: int) -> None:
    """``n`` scanned-looking A4 text pages (PNG, 300 dpi) made by the project, as chosen with Ctrl+O.

    Made in the set-up's child (:func:`in_child`): rendering them is the bench's work, not the window's, and
    its NumPy and Pillow buffers (about 9 MB a page) are not the window's memory."""
    from app.digitise import samples

    folder.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(page_paths(folder, n)):
        samples.scanned(samples.text_page(), seed=i + 1).save(path, dpi=(300, 300))


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
    ap.add_argument(
        "--digitise", type=int, default=0, help="intakes through the digitising panel instead of receipts"
    )
    ap.add_argument("--dpi", type=int, default=300, help="scan resolution of the SANE test backend")
    ap.add_argument("--file-pages", type=int, default=2, help="generated pages read as files per intake")
    ap.add_argument("--tail", type=float, default=300.0, help="seconds to wait for OCR and uploads")
    ap.add_argument(
        "--trace-events",
        type=float,
        default=0.0,
        metavar="MS",
        help="diagnosis: time every event the GUI thread delivers and print those over MS ms (nested ones"
        " too) beside the stalls; it slows the GUI thread down, so its stall figures are not the target's",
    )
    args = ap.parse_args()

    from common import save

    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-gui-"))
    # The secrets in a file of this run (tests' FileKeyring): the set-up runs in a forked child (below), so
    # that the window's process holds only what the window itself allocates (its peak RSS is measured).
    keyring.set_keyring(FileKeyring(str(folder / "keyring.json")))
    if args.digitise and not sane_test_backend(folder / "sane.d"):
        print("SANE's test backend is not installed (apt: sane-utils, python-sane): no digitising run")
        return 1
    db_url = f"sqlite:///{folder / 'server.sqlite3'}"
    in_child(lambda: prepare_server_db(db_url))  # the server's modules are not the window's memory
    server = ServerProcess(db_url)
    server.start()
    try:
        from app.sync import engine
        from app.sync.client import SyncClient

        def set_up() -> None:
            with desk_store(folder / "other", server, "Quầy 2") as other:
                bulk_outbox(other, args.incoming, centre_today())  # the server leases from yesterday on
                url, _d, token = engine.connection(other)
                with SyncClient(url, token) as client:
                    engine.SyncEngine(other, client).push(engine.RoundReport())
            with desk_store(folder / "desk", server, "Quầy 1") as store:
                bulk_outbox(store, args.outbox, centre_today() - timedelta(days=1))

        t = time.perf_counter()
        in_child(set_up)
        if args.digitise:
            in_child(lambda: sample_pages(folder / "pages", args.file_pages))
        print(
            f"set-up {time.perf_counter() - t:.1f} s: server {server.url}; the desk has {args.outbox:,} events to push"
            f" and {args.incoming:,} (+ catalogue) to pull"
        )
        return run_gui(args, folder / "desk", server, save)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def in_child(fn: Any) -> None:
    """Run ``fn`` in a forked child (before the window's process creates its QApplication or any thread)
    and wait for it; its memory is never the window's."""
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            fn()
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("the set-up failed in its child process (see above)")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss() -> float:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux: ``5`` to ``clear_refs``), so
    that the peak read at the end is the measurement's, not the set-up's; returns the RSS now (MB)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


#: Libraries of a dozen MB or more each (resident, with their own imports), and what they are in the desk.
HEAVY_MODULES = {
    "numpy": "NumPy",
    "pikepdf": "pikepdf",
    "img2pdf": "img2pdf",
    "reportlab.pdfgen.canvas": "ReportLab",
    "ocrmypdf": "OCRmyPDF",
    "PIL.Image": "Pillow",
    "PySide6.QtPdfWidgets": "QtPdf",
}


def heavy_modules() -> list[str]:
    """Which of :data:`HEAVY_MODULES` this process has imported."""
    return [name for mod, name in HEAVY_MODULES.items() if mod in sys.modules]


def peak_rss() -> float:
    """This process's peak RSS (VmHWM) in MB since :func:`reset_peak_rss`."""
    return _status_mb("VmHWM")


def run_gui(args: argparse.Namespace, data_dir: Path, server: ServerProcess, save: Any) -> int:
    rss_before_window = _status_mb("VmRSS")  # the bench's own share (its modules), before the app starts
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.cli.main import _defaults, build_parser
    from app.ui.lanes.printing import PrintTarget
    from app.ui.shell.application import start

    app = QApplication.instance()
    if app is None:
        if args.trace_events:
            app = _tracing_application()(sys.argv[:1], args.trace_events / 1000)
        else:
            app = QApplication(sys.argv[:1])
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
    state: dict[str, Any] = {"phase": "login", "done": 0, "t_end": None, "ocr_seen": 0}
    w = window
    digitising = args.digitise > 0
    total = args.digitise if digitising else args.receipts
    files_log: list[tuple[float, int, int]] = []  # (time, files pending, file bytes pending)
    if controller is not None and hasattr(controller, "state_changed"):
        controller.state_changed.connect(
            lambda s: files_log.append(
                (
                    time.perf_counter(),
                    int(getattr(s, "files_pending", 0)),
                    int(getattr(s, "file_bytes_pending", 0)),
                )
            )
        )
    pages = page_paths(data_dir.parent / "pages", args.file_pages) if digitising else []

    def lanes_idle() -> bool:
        return w.worker.idle and w.print_worker.idle and w.digitise_worker.idle

    def digitise_step(phase: str) -> None:
        """One step of an intake through the digitising panel (see the module docstring)."""
        intake = w.intake
        panel = intake.digitise_panel
        if phase == "panel":
            panel = intake.open_digitise()
            assert panel is not None, intake.general_error.text()
            state["phase"] = "devices"
        # Each of the operator's actions in its own tick of the driver (its own turn of the event loop, as
        # each key press is); the phase named after the action just done, since it runs until the next tick.
        elif phase == "devices":
            assert panel is not None
            if lanes_idle() and panel.device.findData("test:0") >= 0:
                panel.device.setCurrentIndex(panel.device.findData("test:0"))
                panel.resolution = args.dpi
                state["phase"] = "device chosen"
        elif phase == "device chosen":
            assert panel is not None
            panel.papers.setCurrentRow(0)
            state["phase"] = "paper chosen"
        elif phase == "paper chosen":
            assert panel is not None
            panel.scan()  # F8: the whole feeder
            state["phase"] = "scanning"
        elif phase == "scanning":
            assert panel is not None
            if lanes_idle() and panel.tasks == 0:
                state["scanned"] = state.get("scanned", 0) + len(panel.model.papers[0].pages)
                panel.papers.setCurrentRow(1)
                state["phase"] = "second paper chosen"
        elif phase == "second paper chosen":
            assert panel is not None
            panel.add_files(pages)  # Ctrl+O
            state["phase"] = "reading files"
        elif phase == "reading files":
            assert panel is not None
            if lanes_idle() and panel.tasks == 0:
                panel.declared.setValue(len(panel.model.papers[1].pages))
                state["phase"] = "pages declared"
        elif phase == "pages declared":
            assert panel is not None
            panel.reject()  # Esc: the pages wait in the intake
            state["phase"] = "panel closed"
        elif phase == "panel closed":
            intake.save()  # Ctrl+Enter: compress, receive, store, print the receipt
            state["phase"] = "compressing and storing"
        elif phase == "compressing and storing" and w.preview is not None and lanes_idle():
            w.preview.reject()
            state["done"] += 1
            state["phase"] = "fill" if state["done"] < total else "ocr and upload"

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
                state["probe"] = Probe()
                state["rss_at_start_mb"] = reset_peak_rss()
                state["heavy_at_start"] = heavy_modules()
                state["t0"] = time.perf_counter()
                state["phase"] = "fill"
        elif phase == "fill" and digitising:
            i = state["done"]
            w.intake.apply_scan(
                f"0240900{i:05d}||Đặng Văn Hùng {chr(65 + i % 26)}|01021990|Nam|Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang|15042021"
            )
            w.intake.picker.set_code("1.001193")
            w.intake._procedure_chosen(w.intake.picker.current)
            w.intake.papers.set_ticked({0: 1, 1: 1})
            state["phase"] = "panel"
        elif phase in DIGITISE_PHASES:
            digitise_step(phase)
        elif phase == "ocr and upload":
            ocr = getattr(w, "ocr", None)
            recognised = ocr.done if ocr is not None else 0
            if recognised != state["ocr_seen"]:
                state["ocr_seen"] = recognised
                w.wake_sync()  # upload the recognised file now (the app waits for its next round)
            uploaded = bool(files_log) and files_log[-1][1] == 0 and recognised >= 2 * total
            if uploaded or time.perf_counter() - state["t0"] > args.tail:
                state["t_end"] = time.perf_counter()
                state["uploaded"] = uploaded
                state["phase"] = "end"
                ticker.stop()  # the measurement ends here: quitting (threads joined) is not digitising
                QTimer.singleShot(0, app.quit)
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
                preview = w.preview
                assert preview is not None  # it closes only when the driver closes it
                if args.no_print:
                    preview.reject()
                else:
                    preview.print_now()
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
                ticker.stop()  # the measurement ends here: quitting (threads joined) is not saving
                QTimer.singleShot(0, app.quit)

    rss_by_phase: dict[str, float] = {}
    page_size_mb = os.sysconf("SC_PAGE_SIZE") / 2**20

    def drive_and_note() -> None:
        drive()
        ticker.phase = state["phase"]  # what runs until the next tick of the driver
        if "t0" in state:  # the RSS now (statm's second field, pages), the highest per phase
            rss = int(Path("/proc/self/statm").read_text().split()[1]) * page_size_mb
            rss_by_phase[ticker.phase] = max(rss_by_phase.get(ticker.phase, 0.0), rss)

    driver = QTimer()
    driver.setInterval(10)
    driver.timeout.connect(drive_and_note)
    driver.start()
    QTimer.singleShot(int(max(180.0, args.tail + 120.0) * 1000), app.quit)  # never hang
    app.exec()
    driver.stop()
    ticker.stop()
    watchdog.stop_flag.set()
    probe: Probe | None = state.get("probe")
    if probe is not None:
        probe.stop()
    peak_rss_mb = peak_rss()
    receipts = state["done"]
    ocr = getattr(window, "ocr", None)
    recognised = ocr.done if ocr is not None else 0
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
    if digitising:
        print(
            f"measured {t_end - t0:.1f} s: {receipts} intakes digitised through the panel"
            f" ({state.get('scanned', 0)} pages scanned by SANE's test backend at {args.dpi} dpi,"
            f" {receipts * args.file_pages} generated pages read as files), {recognised} files recognised (OCR),"
            f" files left to upload: {files_log[-1][1] if files_log else '?'}"
            + ("" if state.get("uploaded") else f" — not all recognised and uploaded within {args.tail:g} s")
        )
        by_phase: dict[str, float] = {}
        for g, _t, ph in ticker.gaps:
            by_phase[ph] = max(by_phase.get(ph, 0.0), g)
        for ph, g in by_phase.items():
            print(f"  longest stall while {ph or 'starting'}: {g * 1000:.1f} ms")
    print(
        f"measured {t_end - t0:.1f} s: {receipts} {'intakes' if digitising else 'receipts saved, previewed and printed'}; sync states seen:"
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
    probe_gaps = sorted(g for g, _t in probe.gaps) if probe is not None else []
    print(
        f"another process's ticker at the same time (the machine's load, baseline): longest gap"
        f" {q(probe_gaps, 1.0):.1f} ms; p99 {q(probe_gaps, 0.99):.1f} ms ({len(probe_gaps):,} ticks)"
    )
    print(
        f"memory of the window's process (the desk's threads; the cleaning and OCR children are their own):"
        f" peak RSS during the measurement {peak_rss_mb:.0f} MB (RSS at its start"
        f" {state.get('rss_at_start_mb', 0.0):.0f} MB; before the app started, the bench's process alone:"
        f" {rss_before_window:.0f} MB; target ≤ 250 MB while digitising); highest RSS seen per"
        f" phase (every 10 ms): {', '.join(f'{ph} {mb:.0f} MB' for ph, mb in rss_by_phase.items())};"
        f" at the end {_status_mb('RssAnon'):.0f} MB anonymous, {_status_mb('RssFile'):.0f} MB of mapped files"
        f" (libraries); heavy modules loaded in the window's process: at its start"
        f" {', '.join(state.get('heavy_at_start', [])) or 'none'}, at the end {', '.join(heavy_modules()) or 'none'}"
    )
    report = getattr(app, "report", None)  # --trace-events
    if report is not None:
        report(ticker.gaps)
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
        if at in ticker.sched_gaps:
            on_cpu, runnable = ticker.sched_gaps[at]
            detail = (
                f"GUI thread on a CPU {on_cpu * 1000:.1f} ms, waiting for a CPU {runnable * 1000:.1f} ms,"
                f" blocked {(gap - on_cpu - runnable) * 1000:.1f} ms; {detail}"
            )
        if pauses:
            g = max(pauses, key=lambda p: p[1])
            return f"garbage collection, generation {g[2]}", f"GC {g[1] * 1000:.0f} ms; {detail}"
        machine = probe.stalled(start_t, at) if probe is not None else 0.0
        if machine:
            return "the machine (another process stalled too: CPU taken by other programs)", (
                f"other process {machine * 1000:.0f} ms; {detail}"
            )
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
    extra: dict[str, Any] = {}
    if digitising:
        extra = {
            "intakes": receipts,
            "pages_scanned": state.get("scanned", 0),
            "scan_dpi": args.dpi,
            "pages_from_files": receipts * args.file_pages,
            "files_recognised": recognised,
            "all_uploaded": bool(state.get("uploaded")),
            "longest_stall_ms_by_phase": {ph: round(g * 1000, 1) for ph, g in by_phase.items()},
        }
    if args.trace_events:
        print("--trace-events: a diagnosis run, its figures are not saved")
        return 0
    save(
        "gui_digitise" if digitising else "gui",
        {
            **extra,
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
            "other_process_longest_gap_ms": round(q(probe_gaps, 1.0), 1),
            "sync_rounds_seen": len(online),
            "target_stall_ms": T_STALL_MS,
            "peak_rss_mb": round(peak_rss_mb, 1),
            "rss_mb_by_phase": {ph: round(mb, 1) for ph, mb in rss_by_phase.items()},
            "stall_causes": causes,
            "ok": longest <= T_STALL_MS,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
