"""Reports at scale: Biểu II.06a for a year and the full Decision 766 set on a store of N dossiers (default
1,000,000), each beside a hand-written SQL GROUP BY of the same figures run on the same file in the same
run. The SQL baseline also checks the figures: its totals must equal the report's.

The synthetic year 2026: every dossier is received (3-day promise, recorded on its receive event), then
55 % get a result (and most are handed back), 10 % one supplement request, 3 % two, 5 % are withdrawn,
3 % stopped and the rest stay open; 8 % are online.

Usage: python bench/bench_reports.py [--n 1000000] [--keep DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import raw_connect, save  # noqa: E402

from app.bootstrap import open_store  # noqa: E402
from app.paths import database_path  # noqa: E402
from app.services import reports  # noqa: E402

YEAR_FROM, YEAR_TO = date(2026, 1, 1), date(2026, 12, 31)
F = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DateTime storage format


def fill(path: Path, n: int, seed: int = 11, start: datetime = datetime(2025, 12, 1, 7, 0)) -> None:
    """``n`` dossiers received evenly over 400 days from ``start`` (see the module docstring)."""
    rnd = random.Random(seed)
    con = raw_connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    procs = [r[0] for r in con.execute("SELECT id FROM procedures")]
    centre = con.execute("SELECT id, agency_eid, name FROM centres WHERE is_home = 1").fetchone()
    aid = str(uuid.uuid4())
    con.execute(
        "INSERT INTO applicants (id, full_name, name_folded, address, created_at) VALUES (?,?,?,?,?)",
        (aid, "Bench", "bench", "", datetime(2026, 1, 1).strftime(F)),
    )
    step_min = (400 * 24 * 60) / n  # spread over Dec 2025 – Jan 2027
    batch = 20_000
    eid = 0
    for lo in range(0, n, batch):
        dossiers, events = [], []
        for i in range(lo, min(n, lo + batch)):
            at = start + timedelta(minutes=int(i * step_min))
            due = at + timedelta(days=3)
            did = str(uuid.UUID(int=rnd.getrandbits(128)))
            steps: list[tuple[str, str, datetime]] = []
            r = rnd.random()

            def h(x: int, at: datetime = at) -> datetime:
                return at + timedelta(hours=x)

            if r < 0.55:
                steps = [("result_ready", "result_ready", h(rnd.randint(1, 120)))]
                if rnd.random() < 0.8:
                    steps.append(("hand_back", "returned", steps[0][2] + timedelta(hours=2)))
            elif r < 0.65:
                steps = [
                    ("request_supplement", "supplement_requested", h(5)),
                    ("supplement_received", "in_process", h(5 + rnd.randint(1, 72))),
                ]
                steps.append(
                    ("result_ready", "result_ready", steps[-1][2] + timedelta(hours=rnd.randint(1, 80)))
                )
            elif r < 0.68:
                steps = [
                    ("request_supplement", "supplement_requested", h(2)),
                    ("supplement_received", "in_process", h(3)),
                    ("request_supplement", "supplement_requested", h(4)),
                    ("supplement_received", "in_process", h(5)),
                    ("result_ready", "result_ready", h(30)),
                ]
            elif r < 0.73:
                steps = [("withdraw", "withdrawn", h(rnd.randint(1, 100)))]
            elif r < 0.76:
                steps = [("stop", "stopped", h(rnd.randint(1, 100)))]
            elif rnd.random() < 0.5:
                steps = [("start_processing", "in_process", h(1))]
            status = steps[-1][1] if steps else "received"
            finished = next((s[2] for s in steps if s[0] in ("result_ready", "withdraw", "stop")), None)
            returned = next((s[2] for s in steps if s[0] == "hand_back"), None)
            code = f"{centre[1]}-{at:%y%m%d}-{i:07d}"
            dossiers.append(
                (
                    did,
                    code,
                    rnd.choice(procs),
                    aid,
                    centre[0],
                    centre[2],
                    "online" if rnd.random() < 0.08 else "direct",
                    at.strftime(F),
                    due.strftime(F),
                    status,
                    finished.strftime(F) if finished else None,
                    returned.strftime(F) if returned else None,
                    at.strftime(F),
                    at.strftime(F),
                )
            )
            eid += 1
            events.append(
                (
                    str(eid),
                    did,
                    1,
                    "receive",
                    "received",
                    at.strftime(F),
                    f'{{"due_at": "{due.isoformat()}"}}',
                )
            )
            for seq, (action, to, when) in enumerate(steps, start=2):
                eid += 1
                events.append((str(eid), did, seq, action, to, when.strftime(F), "{}"))
        with con:
            con.executemany(
                "INSERT INTO dossiers (id, code, lookup_secret, procedure_id, applicant_id, receiving_centre_id,"
                " receiving_agency, competent_agency, handling_agency, scenario, channel, received_at, due_at,"
                " status, papers_received, sets_count, fee_vnd, result_delivery, notes, finished_at, returned_at,"
                " version, created_at, updated_at) VALUES (?,?,'',?,?,?,?,'','','a',?,?,?,?,'[]',1,0,'counter','',"
                "?,?,1,?,?)",
                dossiers,
            )
            con.executemany(
                "INSERT INTO dossier_events (id, dossier_id, seq, action, to_status, occurred_at, operator_name,"
                " workstation_name, reason, payload, origin) VALUES (?,?,?,?,?,?,'op','Quầy 1','',?,'local')",
                events,
            )
        print(f"\r  loaded {min(n, lo + batch):>9,} / {n:,}", end="", flush=True)
    print()
    con.execute("ANALYZE")
    con.close()


# The same figures by hand in SQL: one pass over the events (GROUP BY dossier), one GROUP BY field.
PER_DOSSIER = """
WITH ev AS (
  SELECT e.dossier_id,
    MIN(CASE WHEN action = 'result_ready' THEN occurred_at END) AS rr,
    MIN(CASE WHEN action = 'hand_back' THEN occurred_at END) AS hb,
    MIN(CASE WHEN action = 'stop' THEN occurred_at END) AS st,
    MIN(CASE WHEN action = 'withdraw' THEN occurred_at END) AS wd,
    SUM(action = 'request_supplement') AS nreq,
    MIN(CASE WHEN action = 'request_supplement' THEN occurred_at END) AS req,
    MIN(CASE WHEN action = 'supplement_received' THEN occurred_at END) AS rec,
    SUM(action = 'supplement_received') AS nrec,
    TOTAL(CASE WHEN action = 'supplement_received' THEN julianday(occurred_at) END)
      - TOTAL(CASE WHEN action = 'request_supplement' THEN julianday(occurred_at) END) AS waits,
    MAX(CASE WHEN action = 'receive' THEN json_extract(payload, '$.due_at') END) AS due0
  FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
  WHERE e.occurred_at < :end AND d.received_at < :end AND d.code IS NOT NULL
    AND d.status NOT IN ('new', 'refused') AND (d.finished_at IS NULL OR d.finished_at >= :start)
  GROUP BY e.dossier_id
), x AS (
  SELECT d.id, d.channel, d.received_at, p.field, ev.nreq,
    (ev.rr IS NULL AND ev.hb IS NULL AND ev.st IS NULL AND ev.wd IS NOT NULL) AS wdend,
    COALESCE(ev.rr, ev.hb, ev.st, ev.wd) AS end_t,
    julianday(COALESCE(ev.due0, d.due_at)) AS due, ev.req, ev.rec, ev.nrec, ev.waits
  FROM dossiers d JOIN ev ON ev.dossier_id = d.id JOIN procedures p ON p.id = d.procedure_id
), y AS (
  SELECT *, julianday(COALESCE(end_t, :end)) AS judged FROM x
), z AS (
  SELECT *,
    CASE WHEN nreq = 1 AND (rec IS NULL OR julianday(rec) > judged) THEN MIN(judged, julianday(req))
         WHEN nreq = 1 THEN judged - (julianday(rec) - julianday(req))
         ELSE judged END AS point
  FROM y
), c AS (
  SELECT *,
    CASE WHEN nreq > 1 OR point > due + 1e-9 THEN 'late'
         WHEN date(point) < date(due) THEN 'early' ELSE 'on_time' END AS cls,
    received_at >= :start AS rin, end_t IS NOT NULL AS fin,
    (julianday(end_t) - julianday(received_at) - waits - (nreq - nrec) * julianday(end_t)) * 24 AS hours2
  FROM z
)
"""

SQL_06A = (
    PER_DOSSIER
    + """
SELECT field,
  SUM(rin OR NOT rin) AS c3, SUM(rin AND channel = 'online') AS c4, SUM(rin AND channel != 'online') AS c5,
  SUM(NOT rin) AS c6, SUM(fin) AS c7,
  SUM(fin AND NOT wdend AND cls = 'early') AS c8, SUM(fin AND (wdend OR cls = 'on_time')) AS c9,
  SUM(fin AND NOT wdend AND cls = 'late') AS c10,
  SUM(NOT fin) AS c11, SUM(NOT fin AND cls != 'late') AS c12, SUM(NOT fin AND cls = 'late') AS c13
FROM c GROUP BY field ORDER BY field
"""
)

SQL_766 = (
    PER_DOSSIER
    + """
SELECT COUNT(*) AS judged, SUM(cls != 'late') AS on_time,
  AVG(CASE WHEN fin THEN hours2 END) AS avg_hours,
  SUM(rin) AS received, SUM(rin AND channel = 'online') AS online
FROM c
"""
)


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="keep (or reuse) the data folder here")
    a = ap.parse_args()
    folder = a.keep or Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        path = database_path(folder)
        fresh = not path.exists()
        store = open_store(folder, demo=True)
        if fresh:
            print(f"Filling {a.n:,} dossiers …")
            fill(path, a.n)
        period = reports.period_of(YEAR_FROM, YEAR_TO)
        args = {"start": period.start.strftime(F), "end": period.end.strftime(F)}
        con = raw_connect(path)

        t_06a, rep = timed(lambda: reports.report_06a(store, YEAR_FROM, YEAR_TO), a.repeat)
        t_sql06a, rows = timed(lambda: con.execute(SQL_06A, args).fetchall(), a.repeat)
        t_766, ind = timed(lambda: reports.report_766(store, YEAR_FROM, YEAR_TO), a.repeat)
        t_sql766, base = timed(lambda: con.execute(SQL_766, args).fetchone(), a.repeat)

        total = [sum(int(r[i] or 0) for r in rows) for i in range(1, 12)]  # type: ignore[union-attr]
        ours = rep.total.values()  # type: ignore[attr-defined]
        fig = ind[""]  # type: ignore[index]
        j, ok, avg, rec, online = base  # type: ignore[misc]
        check = {
            "06a_equal": total == ours,
            "2.1_equal": (len(fig["2.1"].numerator), len(fig["2.1"].denominator)) == (ok, j),
            "2.2_equal": abs((fig["2.2"].value or 0) - (avg or 0)) < 1e-6,
            "3.3_received_equal": len(fig["3.3"].denominator) == rec
            if fig["3.3"].value is not None
            else True,
        }
        print(f"06a total (report): {ours}\n06a total (SQL):    {total}")
        print(f"3.3 received {rec} (online {online}; the desk records no e-result, so 3.3 is no data)")
        print(f"2.1 report {len(fig['2.1'].numerator)}/{len(fig['2.1'].denominator)}  SQL {ok}/{j}")
        print(f"2.2 report {fig['2.2'].value:.4f} h  SQL {avg:.4f} h")
        print(
            f"06a for a year:    report {t_06a:8.2f} s   SQL GROUP BY {t_sql06a:8.2f} s   ratio {t_06a / t_sql06a:5.2f}x"
        )
        print(
            f"766 full set:      report {t_766:8.2f} s   SQL GROUP BY {t_sql766:8.2f} s   ratio {t_766 / t_sql766:5.2f}x"
        )
        print("checks:", check)
        save(
            "reports",
            {
                "dossiers": a.n,
                "06a_s": round(t_06a, 3),
                "06a_sql_s": round(t_sql06a, 3),
                "766_s": round(t_766, 3),
                "766_sql_s": round(t_sql766, 3),
                "checks": check,
            },
        )
        store.dispose()
        con.close()
        return 0 if all(check.values()) else 1
    finally:
        if a.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
