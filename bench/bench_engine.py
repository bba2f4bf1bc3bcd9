"""Dossier engine at scale: the receive use case's durable commit and search latency on a store holding
N dossiers (default 1,000,000), each printed beside a raw ``sqlite3`` baseline measured in the same run
on the same database file.

- receive: ``app.services.dossiers.receive`` (validation, routing, numbering, due date, dossier,
  applicant, event, outbox, audit, search index; ``synchronous=FULL`` commit) vs raw sqlite3 inserting
  the same rows in one transaction with the same pragmas.
- search: ``app.services.search.search`` (name without diacritics, personal ID, code) vs the raw FTS5
  / index query it runs, on the same file.

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import save, stats_ms  # noqa: E402

from app.bootstrap import open_store  # noqa: E402
from app.domain.text import fold  # noqa: E402
from app.models.search_index import terms  # noqa: E402
from app.paths import database_path  # noqa: E402
from app.services import dossiers as svc  # noqa: E402
from app.services.audit import Actor  # noqa: E402
from app.services.search import code_prefix, fts_query, search  # noqa: E402

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


def raw_receive(con: sqlite3.Connection, i: int, proc_id: int, centre: tuple[int, str, str]) -> None:
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--receives", type=int, default=300)
    ap.add_argument("--searches", type=int, default=300)
    ap.add_argument("--keep", type=Path, help="reuse/keep the data folder here")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    path = database_path(folder)
    fresh = not path.exists()
    store = open_store(folder, demo=True)
    if fresh:
        t = time.perf_counter()
        store.dispose()
        samples = fill(path, args.n)
        print(f"  load: {time.perf_counter() - t:.1f} s")
        store = open_store(folder, demo=True)
    else:
        con = sqlite3.connect(path)
        samples = [
            tuple(r)
            for r in con.execute(
                "SELECT a.full_name, a.personal_id, d.code FROM dossiers d JOIN applicants a ON a.id = d.applicant_id"
                " WHERE d.rowid % 2500 = 0 LIMIT 400"
            )
        ]
        con.close()
    count = sqlite3.connect(path).execute("SELECT count(*) FROM dossiers").fetchone()[0]
    print(f"store: {path} — {count:,} dossiers")

    # --- receive ----------------------------------------------------------------------------------
    actor = Actor("Bench", "Quầy 1")
    app_times: list[float] = []
    for i in range(args.receives):
        req = svc.ReceiveRequest(
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
        t = time.perf_counter()
        svc.receive(store, actor, req)
        app_times.append(time.perf_counter() - t)
    raw = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000"):
        raw.execute(f"PRAGMA {pragma}")
    proc_id = raw.execute("SELECT id FROM procedures WHERE code = '1.001193'").fetchone()[0]
    centre = raw.execute("SELECT id, agency_eid, name FROM centres WHERE is_home = 1").fetchone()
    raw_times: list[float] = []
    for i in range(args.receives):
        t = time.perf_counter()
        raw_receive(raw, i, proc_id, centre)
        raw_times.append(time.perf_counter() - t)
    rec_app, rec_raw = stats_ms(app_times), stats_ms(raw_times)
    ratio = rec_app["median_ms"] / rec_raw["median_ms"]
    print(f"receive  app: median {rec_app['median_ms']:.3f} ms  p95 {rec_app['p95_ms']:.3f} ms")
    print(
        f"receive  raw sqlite3 baseline: median {rec_raw['median_ms']:.3f} ms  p95 {rec_raw['p95_ms']:.3f} ms"
    )
    print(f"receive  ratio app/raw (median): {ratio:.2f}  (target ≤ 3)")

    # --- search -----------------------------------------------------------------------------------
    rnd = random.Random(3)
    queries: list[str] = []
    for _ in range(args.searches):
        name, pid, code = rnd.choice(samples)
        kind = rnd.randrange(3)
        queries.append(fold(name) if kind == 0 else pid if kind == 1 else code)
    app_s: list[float] = []
    for q in queries:
        t = time.perf_counter()
        search(store, q, page_size=20)
        app_s.append(time.perf_counter() - t)
    raw_s: list[float] = []
    for q in queries:
        t = time.perf_counter()
        prefix = code_prefix(q)
        if prefix is not None:  # the raw index query on dossiers.code
            raw.execute(
                "SELECT rowid FROM dossiers WHERE code >= ? AND code < ? LIMIT 20",
                (prefix, prefix + "\uffff"),
            ).fetchall()
        else:  # the raw ranked FTS5 query
            raw.execute(
                "SELECT rowid FROM dossier_search WHERE dossier_search MATCH ? ORDER BY rank LIMIT 20",
                (fts_query(q),),
            ).fetchall()
        raw_s.append(time.perf_counter() - t)
    s_app, s_raw = stats_ms(app_s), stats_ms(raw_s)
    s_ratio = s_app["p95_ms"] / s_raw["p95_ms"]
    print(
        f"search   app: median {s_app['median_ms']:.3f} ms  p95 {s_app['p95_ms']:.3f} ms  (target p95 ≤ 20 ms)"
    )
    print(
        f"search   raw baseline (ranked FTS5 / code index, LIMIT 20): median {s_raw['median_ms']:.3f} ms  p95 {s_raw['p95_ms']:.3f} ms"
    )
    print(f"search   ratio app/raw (p95): {s_ratio:.2f}  (target ≤ 2)")
    raw.close()
    store.dispose()
    save(
        "engine",
        {
            "dossiers": count,
            "receive_app": rec_app,
            "receive_raw_sqlite3": rec_raw,
            "receive_ratio_median": round(ratio, 2),
            "search_app": s_app,
            "search_raw_fts5": s_raw,
            "search_ratio_p95": round(s_ratio, 2),
        },
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
