"""Memory of the desk while it digitises a 50-page batch, beside an idle desk process, in the same run.

Two fresh subprocesses on copies of the same demo data folder, each reading ``/proc/self/status`` (VmHWM,
the peak resident set, and VmRSS):

* **idle** (baseline): the desk's modules imported (services, digitising, sync), the store opened and a
  dossier read; nothing digitised.
* **batch**: the same, then a dossier received and its first paper digitised from 50 A4 pages scanned at
  300 dpi (grey PNG files made here: Vietnamese text, skew, noise), as ``motcua-desk attach`` does it
  (``app.services.files.attach``: each page read, cleaned and compressed in turn, one PDF, the file and
  its row written); with ``--ocr``, the text layer is then recognised too (OCRmyPDF in a child process,
  whose memory is its own and is reported apart).
* **panel** (with ``--panel``): the same 50 pages through the window's digitising panel's functions
  (``app.services.digitise_panel``, as its digitising lane calls them, without the window): the files
  read, each page cleaned in the panel's child process as soon as it is read and held cleaned (with its
  thumbnail) as the panel holds it, two pages rotated, then the paper prepared (the rotated pages turned)
  and stored. The child process's own peak is reported apart.

    .venv/bin/python bench/bench_batch_memory.py [--pages 50] [--ocr] [--panel]

Target: RSS ≤ 250 MB (peak, VmHWM) during the batch. Saved under ``"batch_memory"``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import save  # noqa: E402

T_RSS_MB = 250.0


def status() -> dict[str, int]:
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


def child(mode: str, data: Path, pages_dir: Path, with_ocr: bool) -> None:
    """One desk process (run as ``bench_batch_memory.py --child MODE DATA PAGES``)."""
    import keyring

    from tools.memory_keyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    # Imported in both modes, so that the baseline holds the same code as the batch.
    from app.bootstrap import open_store
    from app.digitise import imaging, ocr  # noqa: F401
    from app.services import digitise_panel as dp
    from app.services import dossiers as svc
    from app.services import files as fsvc
    from app.services.audit import Actor
    from app.sync import engine, files  # noqa: F401

    store = open_store(data, demo=True)
    actor = Actor("Nguyễn Thị Lan", "Quầy 1")
    result: dict[str, object] = {}
    r = svc.receive(
        store,
        actor,
        svc.ReceiveRequest(
            "1.001193",
            svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Bắc Giang, Tỉnh Bắc Ninh"),
            paper_numbers=[(1, 1)],
        ),
    )
    svc.dossier_record(store, r.code)
    result["ready"] = status()
    if mode == "batch":
        files_ = sorted(pages_dir.glob("*.png"))
        t0 = time.perf_counter()
        a = fsvc.attach(
            store, actor, fsvc.AttachRequest(r.code, 1, tuple(files_), declared_pages=len(files_))
        )
        result["attach_s"] = round(time.perf_counter() - t0, 1)
        result["pages"] = a.page_count
        result["bytes"] = a.size
        result["attached"] = status()
        if with_ocr:
            t1 = time.perf_counter()
            report = fsvc.run_ocr(store)
            result["ocr_s"] = round(time.perf_counter() - t1, 1)
            result["ocr_done"] = report.done
            import resource

            result["ocr_child_peak_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if mode == "panel":
        from app.domain import digitise as dg

        files_ = sorted(pages_dir.glob("*.png"))
        t0 = time.perf_counter()
        loaded = dp.load_files(files_)
        held = {f"k{i}": p for i, p in enumerate(loaded)}
        result["held_kb"] = round(sum(len(p.page.data) + len(p.thumbnail) for p in held.values()) / 1024)
        result["loaded"] = status()
        result["load_s"] = round(time.perf_counter() - t0, 1)
        pages = dg.PageSet().add(list(held)).rotate(0, 1).rotate(1, 2)
        images = {k: p.page for k, p in held.items()}
        papers = dp.prepare_papers([(1, "Tờ khai", pages, len(pages), None, None)], images)
        stored = dp.store_papers(store, actor, r.code, papers)
        result["panel_s"] = round(time.perf_counter() - t0, 1)
        result["pages"] = stored[0].page_count
        result["bytes"] = stored[0].size
        pool = dp._pool
        assert pool is not None
        (pid,) = [p.pid for p in pool._processes.values()]
        child_status = Path(f"/proc/{pid}/status").read_text().splitlines()
        result["child_peak_kb"] = next(int(x.split()[1]) for x in child_status if x.startswith("VmHWM"))
        dp.stop_compression()
    result["end"] = status()
    store.dispose()
    print(json.dumps(result))


def run_child(mode: str, data: Path, pages_dir: Path, ocr: bool) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, __file__, "--child", mode, str(data), str(pages_dir)]
    if ocr:
        cmd.append("--ocr")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, timeout=3600)
    answer: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer


def mb(kb: object) -> float:
    return float(kb) / 1024  # type: ignore[arg-type]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--ocr", action="store_true", help="recognise the text layer after the batch too")
    ap.add_argument("--panel", action="store_true", help="the same pages through the digitising panel too")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "PAGES"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]), args.ocr)
        return 0

    from app.bootstrap import open_store
    from app.digitise import samples

    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        template = tmp / "template"
        open_store(template, demo=True).dispose()
        pages_dir = tmp / "pages"
        pages_dir.mkdir()
        distinct = min(args.pages, 5)  # rendering a page takes seconds: five made, copied to 50 files
        for i in range(distinct):
            page = samples.scanned(samples.text_page(), skew_deg=0.5 + 0.4 * i, seed=70 + i)
            page.save(pages_dir / f"p{i:03d}.png", dpi=(300, 300))
        for i in range(distinct, args.pages):
            shutil.copy(pages_dir / f"p{i % distinct:03d}.png", pages_dir / f"p{i:03d}.png")
        results = {}
        for mode in ("idle", "batch", *(["panel"] if args.panel else [])):
            data = tmp / mode
            shutil.copytree(template, data)
            results[mode] = run_child(mode, data, pages_dir, args.ocr and mode == "batch")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    idle, batch = results["idle"], results["batch"]
    idle_end = idle["end"]
    batch_end = batch["end"]
    assert isinstance(idle_end, dict) and isinstance(batch_end, dict)
    peak = mb(batch_end["VmHWM"])
    ok = peak <= T_RSS_MB
    print(
        f"idle desk process (baseline): VmHWM {mb(idle_end['VmHWM']):.0f} MB, VmRSS {mb(idle_end['VmRSS']):.0f} MB"
    )
    print(
        f"{batch['pages']}-page batch: attach {batch['attach_s']} s, {int(batch['bytes']) / 1000:.0f} KB PDF; "  # type: ignore[call-overload]
        f"VmHWM {peak:.0f} MB, VmRSS at the end {mb(batch_end['VmRSS']):.0f} MB (target ≤ {T_RSS_MB:g} MB) "
        f"-> {'OK' if ok else 'MISSED'}"
    )
    if "ocr_s" in batch:
        print(
            f"OCR of the batch: {batch['ocr_s']} s, in a child process whose peak was "
            f"{mb(batch['ocr_child_peak_kb']):.0f} MB (not the desk's)"
        )
    panel = results.get("panel")
    panel_peak = None
    if panel is not None:
        panel_end = panel["end"]
        assert isinstance(panel_end, dict)
        panel_peak = mb(panel_end["VmHWM"])
        print(
            f"{panel['pages']}-page feeder through the panel: read and cleaned {panel['load_s']} s "
            f"(held: {int(panel['held_kb']) / 1024:.1f} MB of cleaned pages and thumbnails), stored "
            f"{panel['panel_s']} s; VmHWM {panel_peak:.0f} MB (target ≤ {T_RSS_MB:g} MB) -> "
            f"{'OK' if panel_peak <= T_RSS_MB else 'MISSED'}; its cleaning child process's peak "
            f"{mb(panel['child_peak_kb']):.0f} MB (its own)"
        )
    if not args.no_write:
        if panel is not None and panel_peak is not None:
            save(
                "panel_memory",
                {
                    "pages": panel["pages"],
                    "idle_peak_rss_mb": round(mb(idle_end["VmHWM"]), 1),
                    "panel_peak_rss_mb": round(panel_peak, 1),
                    "child_peak_rss_mb": round(mb(panel["child_peak_kb"]), 1),
                    "held_mb": round(int(panel["held_kb"]) / 1024, 1),  # type: ignore[call-overload]
                    "target_rss_mb": T_RSS_MB,
                    "ok": panel_peak <= T_RSS_MB,
                },
            )
        save(
            "batch_memory",
            {
                "pages": batch["pages"],
                "idle_peak_rss_mb": round(mb(idle_end["VmHWM"]), 1),
                "batch_peak_rss_mb": round(peak, 1),
                "batch_end_rss_mb": round(mb(batch_end["VmRSS"]), 1),
                "attach_s": batch["attach_s"],
                "target_rss_mb": T_RSS_MB,
                "ok": ok,
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
