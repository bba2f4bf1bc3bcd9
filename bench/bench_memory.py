"""Memory of the desk on a store of 1,000,000 dossiers, beside a bare PySide6 window, in the same run.

The app is started in a fresh subprocess exactly as ``bench_startup.py`` starts it (``main.py`` path,
offscreen), the demo operator logs in, the intake and the desk's lists load, then the desk is shown and a
search by name without diacritics is run and its rows shown. The child reads ``/proc/self/status`` at each
step: VmHWM (peak resident set) and VmRSS, with the anonymous / file-backed split. The baseline is a bare
``QMainWindow`` shown in its own subprocess.

The store is built once with ``bench_engine.fill`` into a kept folder (default /tmp/motcua-bench-1m, about
1.5 GB; the first build takes a few minutes) and reused by later runs.

    .venv/bin/python bench/bench_memory.py [--n 1000000] [--keep /tmp/motcua-bench-1m] [--search "nguyen van an"]

Target: RSS ≤ 250 MB (peak, VmHWM). Saved under ``"memory"``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_startup import prepare_store, run_child  # noqa: E402
from common import save  # noqa: E402

T_RSS_MB = 250.0
STEPS = ("imports", "painted", "login_ready", "logged_in", "today_shown", "idle", "search_shown", "end")


def mb(kb: int) -> float:
    return kb / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="dossiers in the store (default 1,000,000)")
    ap.add_argument("--keep", type=Path, default=Path("/tmp/motcua-bench-1m"), help="the store's folder")
    ap.add_argument("--search", default="nguyen van an", help="what is searched on the desk")
    args = ap.parse_args()

    count = prepare_store(args.keep, args.n)
    print(f"store: {args.keep} — {count:,} dossiers")
    bare = run_child("bare", memory=True)["rss"]
    result = run_child("app", args.keep, search=args.search, memory=True)
    rss = result["rss"]
    print(
        f"bare PySide6 window (baseline): VmHWM {mb(bare['VmHWM']):.0f} MB, VmRSS {mb(bare['VmRSS']):.0f} MB"
    )
    print("app, step by step (MB):   VmRSS  VmHWM  anon  file")
    for step in STEPS:
        r = rss.get(step)
        if r:
            print(
                f"  {step:<22} {mb(r['VmRSS']):6.0f} {mb(r['VmHWM']):6.0f} {mb(r['RssAnon']):5.0f} {mb(r['RssFile']):5.0f}"
            )
    end = rss["end"]
    peak = mb(end["VmHWM"])
    ok = peak <= T_RSS_MB
    info = result.get("info", {})
    print(
        f"peak RSS (VmHWM) {peak:.0f} MB, at the end {mb(end['VmRSS']):.0f} MB (target ≤ {T_RSS_MB:g} MB)"
        f" -> {'OK' if ok else 'MISSED'}; bare window {mb(bare['VmHWM']):.0f} MB;"
        f" search '{args.search}' showed {info.get('search_rows')} rows; list counts {info.get('counts')}"
    )
    save(
        "memory",
        {
            "dossiers": count,
            "search": args.search,
            "peak_rss_mb": round(peak, 1),
            "end_rss_mb": round(mb(end["VmRSS"]), 1),
            "end_anon_mb": round(mb(end["RssAnon"]), 1),
            "end_file_mb": round(mb(end["RssFile"]), 1),
            "after_imports_rss_mb": round(mb(rss["imports"]["VmRSS"]), 1),
            "window_shown_rss_mb": round(mb(rss["painted"]["VmRSS"]), 1) if "painted" in rss else None,
            "bare_window_peak_rss_mb": round(mb(bare["VmHWM"]), 1),
            "target_rss_mb": T_RSS_MB,
            "ok": ok,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
