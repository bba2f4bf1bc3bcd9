"""Dossier engine at scale: the receive use case's durable commit and search latency on a store holding
N dossiers (default 1,000,000), each printed beside a raw baseline of the same engine measured in the same
run on the same database file (issue 16, Performance).

Two stores with the same rows: a plain SQLite one (what a PC without an OS keyring runs) and an
SQLCipher one (the default: the same file encrypted by the desk's own upgrade path, its key in an
in-memory keyring).

- receive: ``app.services.dossiers.receive`` (validation, routing, numbering, due date, dossier,
  applicant, event, outbox, audit, search index; ``synchronous=FULL`` commit) vs the same rows inserted in
  one transaction with the same pragmas by raw ``sqlite3`` (plain store) and raw SQLCipher (encrypted
  store, ``sqlcipher3`` with the store's key). The four are run interleaved, one of each per round, so
  that the shared machine's load falls on all of them alike.
- search: ``app.services.search.search`` (name without diacritics, personal ID, code) vs the raw FTS5
  / index query it runs, on the same file, for each store.

Usage: python bench/bench_engine.py [--n 1000000] [--receives 300] [--searches 300] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
from keyring.backends import fail

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import save, stats_ms  # noqa: E402

from app.bootstrap import open_store  # noqa: E402
from app.domain.text import fold  # noqa: E402
from app.models import cipher  # noqa: E402
from app.models.search_index import terms  # noqa: E402
from app.paths import database_path  # noqa: E402
from app.services import dossiers as svc  # noqa: E402
from app.services.audit import Actor  # noqa: E402
from app.services.search import code_prefix, fts_query, search  # noqa: E402
from tools.memory_keyring import MemoryKeyring  # noqa: E402

SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đoàn Trịnh Mai".split()
)
MIDDLE = "Văn Thị Hữu Đức Minh Thanh Ngọc Quang Thu Xuân Hồng Kim".split()
GIVEN = (
    "An Bình Chi Dũng Đào Giang Hà Hải Hạnh Hoa Hùng Hương Khánh Lan Linh Long Mai Minh Nam Nga "
    "Ngân Nhung Phong Phúc Quân Quỳnh Sơn Tâm Thảo Thắng Trang Trung Tuấn Uyên Việt Yến"
).split()


def fill(path: Path, n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """Bulk-load ``n`` synthetic dossiers with raw SQL; returns (name, personal_id, code) samples."""
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")  # loading only; measurements use the app's pragmas
    proc_ids = [r[0] for r in con.execute("SELECT id FROM procedures")]
    centre = con.execute("SELECT id, agency_eid, name FROM centres WHERE is_home = 1").fetchone()
    samples: list[tuple[str, str, str]] = []
    start = datetime(2025, 7, 1, 7, 30)
    batch = 20_000
    day_counter: dict[object, int] = {}
    rowid_base = con.execute("SELECT coalesce(max(rowid), 0) FROM dossiers").fetchone()[0]
    for lo in range(0, n, batch):
        apps, dossiers, search_rows = [], [], []
        for i in range(lo, min(n, lo + batch)):
            name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
            pid = f"0{rnd.choice(['24', '27', '01', '79'])}{rnd.randint(0, 3)}{rnd.randint(0, 99):02d}{i:06d}"
            phone = f"09{i:08d}"
            at = start + timedelta(minutes=i // 2)
            day_no = day_counter[at.date()] = day_counter.get(at.date(), 0) + 1
            code = f"{centre[1]}-{at:%y%m%d}-{day_no:04d}"
            aid, did = str(uuid.UUID(int=rnd.getrandbits(128))), str(uuid.UUID(int=rnd.getrandbits(128)))
            apps.append((aid, pid, name, fold(name), phone, "", at))
            dossiers.append(
                (
                    did,
                    code,
                    rnd.choice(proc_ids),
                    aid,
                    centre[0],
                    centre[2],
                    at,
                    at + timedelta(days=3),
                    rnd.choice(["received", "in_process", "returned", "result_ready"]),
                    at,
                )
            )
            search_rows.append((rowid_base + i + 1, terms(name, pid, phone, dossiers[-1][1])))
            if i % max(1, n // 400) == 0:
                samples.append((name, pid, dossiers[-1][1]))
        with con:
            con.executemany(
                "INSERT INTO applicants (id, personal_id, full_name, name_folded, phone, address,"
                " created_at) VALUES (?,?,?,?,?,?,?)",
                apps,
            )
            con.executemany(
                "INSERT INTO dossiers (id, code, lookup_secret, procedure_id, applicant_id, receiving_centre_id,"
                " receiving_agency, competent_agency, handling_agency, scenario, channel, received_at, due_at,"
                " status, papers_received, sets_count, fee_vnd, result_delivery, notes, version, created_at,"
                " updated_at) VALUES (?,?,'',?,?,?,?,'','','a','direct',?,?,?,'[]',1,0,'counter','',1,?,?)",
                [(*d, d[-1]) for d in dossiers],
            )
            con.executemany("INSERT INTO dossier_search (rowid, terms) VALUES (?, ?)", search_rows)
        print(f"\r  loaded {min(n, lo + batch):>9,} / {n:,}", end="", flush=True)
    print()
    con.close()
    return samples


def raw_receive(con: Any, i: int, proc_id: int, centre: tuple[int, str, str]) -> None:
    """The rows the receive use case writes, inserted with plain sqlite3 in one transaction."""
    now = datetime(2026, 11, 30, 9, 0)
    aid, did, eid = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    name = f"Nguyễn Văn Bench {i}"
    code = f"{centre[1]}-261130-R{i}-{eid[:8]}"
    con.execute("BEGIN IMMEDIATE")
    con.execute(
        "INSERT INTO applicants (id, personal_id, full_name, name_folded, phone, address, created_at)"
        " VALUES (?,?,?,?,?,?,?)",
        (aid, "024090012345", name, fold(name), "0912345678", "x", now),
    )
    con.execute(
        "INSERT INTO dossiers (id, code, lookup_secret, procedure_id, applicant_id, receiving_centre_id,"
        " receiving_agency, competent_agency, handling_agency, scenario, channel, received_at, due_at, status,"
        " papers_received, sets_count, fee_vnd, result_delivery, notes, version, created_at, updated_at)"
        " VALUES (?,?,'ABCD',?,?,?,?,'','','a','direct',?,?,'received','[]',1,0,'counter','',1,?,?)",
        (did, code, proc_id, aid, centre[0], centre[2], now, now, now, now),
    )
    con.execute(
        "INSERT INTO dossier_events (id, dossier_id, seq, action, to_status, occurred_at, operator_name,"
        " workstation_name, reason, payload, origin) VALUES (?,?,1,'receive','received',?,'op','ws','',"
        "'{}','local')",
        (eid, did, now),
    )
    con.execute(
        "INSERT INTO outbox (event_id, dossier_id, event_type, payload, created_at, state, attempts,"
        " last_error) VALUES (?,?,'dossier.received','{}',?,'pending',0,'')",
        (eid, did, now),
    )
    con.execute(
        "INSERT INTO audit_entries (at, operator_name, workstation_name, action, entity, entity_id,"
        " details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
        (now, "op", "ws", "dossier.receive", "dossier", did, "{}", "0" * 64, uuid.uuid4().hex * 2),
    )
    rowid = con.execute("SELECT rowid FROM dossiers WHERE id = ?", (did,)).fetchone()[0]
    con.execute("INSERT INTO dossier_search (rowid, terms) VALUES (?, ?)", (rowid, fold(name)))
    con.execute("COMMIT")


PRAGMAS = ("busy_timeout=10000", "journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")  # the app's


def raw_connection(path: Path, key: bytes | None) -> Any:
    """A raw DB-API connection with the app's pragmas: sqlite3 (key None) or SQLCipher (its key)."""
    con = cipher.connect(path, key, isolation_level=None)
    for pragma in PRAGMAS:
        con.execute(f"PRAGMA {pragma}")
    return con


def receive_request(i: int) -> svc.ReceiveRequest:
    return svc.ReceiveRequest(
        "1.001193",
        svc.ApplicantInput(
            full_name=f"Trần Thị Bench {chr(65 + i % 26)}",
            personal_id="024190012345",
            birth_date="01/02/1990",
            gender="Nữ",
            phone="0912345678",
            address="Phường Bắc Giang, Tỉnh Bắc Ninh",
        ),
        received_at=datetime(2026, 11, 30, 9, 0),
    )


def raw_search(con: Any, q: str) -> None:
    prefix = code_prefix(q)
    if prefix is not None:  # the raw index query on dossiers.code
        con.execute(
            "SELECT rowid FROM dossiers WHERE code >= ? AND code < ? LIMIT 20",
            (prefix, prefix + "\uffff"),
        ).fetchall()
    else:  # the raw ranked FTS5 query
        con.execute(
            "SELECT rowid FROM dossier_search WHERE dossier_search MATCH ? ORDER BY rank LIMIT 20",
            (fts_query(q),),
        ).fetchall()


def prepare(folder: Path, n: int) -> tuple[Any, Any, list[tuple[str, str, str]]]:
    """The plain and the encrypted store (``folder``/plain, ``folder``/encrypted) with the same rows, open."""
    plain_dir, enc_dir = folder / "plain", folder / "encrypted"
    plain_path, enc_path = database_path(plain_dir), database_path(enc_dir)
    keyring.set_keyring(fail.Keyring())  # no keyring: the plain store stays plain (and says so in the log)
    fresh = not plain_path.exists()
    plain = open_store(plain_dir, demo=True)
    if fresh:
        t = time.perf_counter()
        plain.dispose()
        samples = fill(plain_path, n)
        print(f"  load: {time.perf_counter() - t:.1f} s")
        plain = open_store(plain_dir, demo=True)
    else:
        con = sqlite3.connect(plain_path)
        samples = [
            tuple(r)
            for r in con.execute(
                "SELECT a.full_name, a.personal_id, d.code FROM dossiers d JOIN applicants a ON a.id = d.applicant_id"
                " WHERE d.rowid % 2500 = 0 LIMIT 400"
            )
        ]
        con.close()
    assert plain.key is None
    keyring.set_keyring(MemoryKeyring())  # a keyring: the copy is encrypted by the desk's upgrade path
    if enc_dir.exists():
        shutil.rmtree(enc_dir)
    enc_dir.mkdir(parents=True)
    con = sqlite3.connect(plain_path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    shutil.copyfile(plain_path, enc_path)
    t = time.perf_counter()
    encrypted = open_store(enc_dir, demo=True)
    print(f"  encrypted the copy on opening: {time.perf_counter() - t:.1f} s")
    assert encrypted.key is not None and not cipher.is_plain(enc_path)
    return plain, encrypted, samples


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--receives", type=int, default=300)
    ap.add_argument("--searches", type=int, default=300)
    ap.add_argument("--keep", type=Path, help="reuse/keep the data folders here (the plain store is reused)")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    plain, encrypted, samples = prepare(folder, args.n)
    count = sqlite3.connect(plain.path).execute("SELECT count(*) FROM dossiers").fetchone()[0]
    print(f"stores: {plain.path} (plain) and {encrypted.path} (SQLCipher) — {count:,} dossiers each")
    raws = {
        "plain": raw_connection(plain.path, None),
        "encrypted": raw_connection(encrypted.path, encrypted.key),
    }
    stores = {"plain": plain, "encrypted": encrypted}
    baseline = {"plain": "raw sqlite3", "encrypted": "raw SQLCipher"}

    # --- receive: one of each per round ------------------------------------------------------------
    actor = Actor("Bench", "Quầy 1")
    proc_id = raws["plain"].execute("SELECT id FROM procedures WHERE code = '1.001193'").fetchone()[0]
    centre = raws["plain"].execute("SELECT id, agency_eid, name FROM centres WHERE is_home = 1").fetchone()
    times: dict[tuple[str, str], list[float]] = {(e, k): [] for e in stores for k in ("app", "raw")}
    # The thread's CPU time beside the wall time: on a machine whose disk is shared, the fsync waits make
    # the wall medians swing by several times between runs of the same code (README, Performance).
    cpu: dict[tuple[str, str], list[float]] = {(e, k): [] for e in stores for k in ("app", "raw")}
    for i in range(args.receives):
        for engine in stores:
            c, t = time.thread_time(), time.perf_counter()
            svc.receive(stores[engine], actor, receive_request(i))
            times[(engine, "app")].append(time.perf_counter() - t)
            cpu[(engine, "app")].append(time.thread_time() - c)
            c, t = time.thread_time(), time.perf_counter()
            raw_receive(raws[engine], i, proc_id, centre)
            times[(engine, "raw")].append(time.perf_counter() - t)
            cpu[(engine, "raw")].append(time.thread_time() - c)
    figures: dict[str, Any] = {"dossiers": count}
    for engine in stores:
        app_s, raw_s = stats_ms(times[(engine, "app")]), stats_ms(times[(engine, "raw")])
        ratio = app_s["median_ms"] / raw_s["median_ms"]
        print(
            f"receive  {engine:<9} app: median {app_s['median_ms']:.3f} ms  p95 {app_s['p95_ms']:.3f} ms"
            f"  | {baseline[engine]} baseline: median {raw_s['median_ms']:.3f} ms  p95 {raw_s['p95_ms']:.3f} ms"
            f"  | ratio (median) {ratio:.2f}  (target ≤ 2)"
        )
        figures[f"receive_app_{engine}"] = app_s
        figures[f"receive_raw_{engine}"] = raw_s
        figures[f"receive_ratio_median_{engine}"] = round(ratio, 2)
        app_cpu, raw_cpu = stats_ms(cpu[(engine, "app")]), stats_ms(cpu[(engine, "raw")])
        cpu_ratio = app_cpu["median_ms"] / raw_cpu["median_ms"]
        print(
            f"receive  {engine:<9} thread CPU median: app {app_cpu['median_ms']:.3f} ms"
            f"  | {baseline[engine]} {raw_cpu['median_ms']:.3f} ms  | ratio {cpu_ratio:.2f}"
        )
        figures[f"receive_cpu_ratio_median_{engine}"] = round(cpu_ratio, 2)
    enc_cost = figures["receive_app_encrypted"]["median_ms"] / figures["receive_app_plain"]["median_ms"]
    print(f"receive  encrypted app / plain app (median): {enc_cost:.2f}")
    figures["receive_encrypted_over_plain"] = round(enc_cost, 2)

    # --- search -----------------------------------------------------------------------------------
    rnd = random.Random(3)
    queries: list[str] = []
    for _ in range(args.searches):
        name, pid, code = rnd.choice(samples)
        kind = rnd.randrange(3)
        queries.append(fold(name) if kind == 0 else pid if kind == 1 else code)
    for engine in stores:
        app_t: list[float] = []
        raw_t: list[float] = []
        for q in queries:
            t = time.perf_counter()
            search(stores[engine], q, page_size=20)
            app_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            raw_search(raws[engine], q)
            raw_t.append(time.perf_counter() - t)
        s_app, s_raw = stats_ms(app_t), stats_ms(raw_t)
        s_ratio = s_app["p95_ms"] / s_raw["p95_ms"]
        print(
            f"search   {engine:<9} app: median {s_app['median_ms']:.3f} ms  p95 {s_app['p95_ms']:.3f} ms"
            f"  | {baseline[engine]} ranked FTS5 / code index: median {s_raw['median_ms']:.3f} ms"
            f"  p95 {s_raw['p95_ms']:.3f} ms  | ratio (p95) {s_ratio:.2f}  (target ≤ 2; p95 ≤ 20 ms)"
        )
        figures[f"search_app_{engine}"] = s_app
        figures[f"search_raw_{engine}"] = s_raw
        figures[f"search_ratio_p95_{engine}"] = round(s_ratio, 2)
    for con in raws.values():
        con.close()
    plain.dispose()
    encrypted.dispose()
    save("engine", figures)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
