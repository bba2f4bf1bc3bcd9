"""Receive against raw ``sqlite3``, interleaved: one app receive, then one raw receive of the same rows
(``bench_engine.raw_receive``), repeated, on the same store file with the same pragmas — so that both
see the same load on a shared machine. Prints the medians of wall time and of the thread's CPU time
(``time.thread_time``: what the code costs, without the waits for the disk or for another process's turn
on the cores) and their ratios.

``bench_engine.py`` gives the figures of the README; this one is for comparing two versions of the code
on a busy machine (run it with ``PYTHONPATH`` at each tree).

The store is plain (no OS keyring: a plain store stays plain and its audit chain unkeyed, as
``bench_engine.py``'s plain store) unless ``--engine sqlcipher``: then an in-memory keyring is set, the
store is encrypted by the desk's upgrade path and its audit chain keyed (HMAC and row seals), and the
baseline is raw SQLCipher with the store's key. ``--keyed`` keeps the store plain but keys its chain
(the cost of the HMAC chain alone).

Usage: python bench/bench_receive.py [--n 20000] [--receives 600] [--same-address]
                                     [--engine plain|sqlcipher] [--keyed] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import keyring  # noqa: E402
from bench_engine import fill, raw_connection, raw_receive  # noqa: E402
from common import save  # noqa: E402
from keyring.backends import fail  # noqa: E402

from app.bootstrap import open_store  # noqa: E402
from app.models import cipher  # noqa: E402
from app.paths import database_path  # noqa: E402
from app.services import dossiers as svc  # noqa: E402
from app.services.audit import Actor, ensure_keyed  # noqa: E402
from tools.memory_keyring import MemoryKeyring  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000, help="dossiers in the store before (default 20,000)")
    ap.add_argument("--receives", type=int, default=600)
    ap.add_argument("--keep", type=Path, help="reuse/keep the data folder here")
    ap.add_argument(
        "--same-address",
        action="store_true",
        help="the same address every time, as bench_engine.py gives (its match is then remembered)",
    )
    ap.add_argument("--engine", choices=("plain", "sqlcipher"), default="plain")
    ap.add_argument("--keyed", action="store_true", help="plain store, keyed audit chain")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="motcua-bench-receive-"))
    path = database_path(folder)
    keyring.set_keyring(fail.Keyring())  # no keyring: the store is made (and filled) plain
    if not path.exists():
        open_store(folder, demo=True).dispose()
        fill(path, args.n)
    if args.engine == "sqlcipher":  # the keyring comes: the store is encrypted on opening, its chain keyed
        if not cipher.is_plain(path):
            sys.exit("--engine sqlcipher needs a plain store to encrypt (the in-memory key is gone)")
        keyring.set_keyring(MemoryKeyring())
    store = open_store(folder, demo=True)
    if args.keyed and args.engine == "plain":
        keyring.set_keyring(MemoryKeyring())
        with store.write() as s:
            ensure_keyed(s, folder)
    raw = raw_connection(path, store.key)
    proc_id = raw.execute("SELECT id FROM procedures WHERE code = '1.001193'").fetchone()[0]
    centre = raw.execute("SELECT id, agency_eid, name FROM centres WHERE is_home = 1").fetchone()
    actor = Actor("Bench", "Quầy 1")
    wall: dict[str, list[float]] = {"app": [], "raw": []}
    cpu: dict[str, list[float]] = {"app": [], "raw": []}
    for i in range(args.receives + 20):
        req = svc.ReceiveRequest(
            "1.001193",
            svc.ApplicantInput(
                full_name=f"Trần Thị Bench {chr(65 + i % 26)}",
                personal_id="024190012345",
                birth_date="01/02/1990",
                gender="Nữ",
                phone="0912345678",
                address="Phường Bắc Giang, Tỉnh Bắc Ninh"
                if args.same_address
                else f"Số {i}, Phường Bắc Giang, Tỉnh Bắc Ninh",  # a new address each time
            ),
            received_at=datetime(2026, 11, 30, 9, 0),
        )
        c, t = time.thread_time(), time.perf_counter()
        svc.receive(store, actor, req)
        app_wall, app_cpu = time.perf_counter() - t, time.thread_time() - c
        c, t = time.thread_time(), time.perf_counter()
        raw_receive(raw, i, proc_id, centre)
        raw_wall, raw_cpu = time.perf_counter() - t, time.thread_time() - c
        if i >= 20:  # the first ones warm the caches
            wall["app"].append(app_wall)
            wall["raw"].append(raw_wall)
            cpu["app"].append(app_cpu)
            cpu["raw"].append(raw_cpu)
    raw.close()
    store.dispose()
    figures: dict[str, float] = {}
    for name, samples in (("wall", wall), ("cpu", cpu)):
        app_ms = statistics.median(samples["app"]) * 1000
        raw_ms = statistics.median(samples["raw"]) * 1000
        figures |= {f"{name}_app_ms": round(app_ms, 4), f"{name}_raw_ms": round(raw_ms, 4)}
        figures[f"{name}_ratio"] = round(app_ms / raw_ms, 2)
        print(
            f"receive {name:4s} median: app {app_ms:.3f} ms  raw {args.engine} {raw_ms:.3f} ms"
            f"  ratio {app_ms / raw_ms:.2f}"
        )
    save(
        "receive_interleaved",
        {
            "dossiers": args.n,
            "receives": args.receives,
            "same_address": args.same_address,
            "engine": args.engine,
            "keyed": args.keyed or args.engine == "sqlcipher",
            **figures,
        },
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
