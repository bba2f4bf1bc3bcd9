"""The provincial server under load: many centres × 3 workstations pushing and pulling for a fixed time,
against the real server (``motcua-server serve --workers 2``) on a throw-away PostgreSQL 15.

Set-up (not timed): a PostgreSQL cluster in a temporary folder, on a Unix socket only (``initdb`` /
``pg_ctl`` run as user ``postgres`` when this runs as root, see tests/server/README.md), or ``--pg-url``;
the schema migrated, the demo catalogue, ``--centres`` commune centres added with the admin use cases, and
3 workstations per centre enrolled through the API; every workstation pulls once up to the head.

Load (``--seconds``): each workstation is a client of its own that loops: a round opens a new
``httpx.AsyncClient`` (a new connection, as the app's ``SyncWorker`` does for each round), pushes a batch
(``--new`` new dossiers received and up to ``--steps`` next steps of its earlier dossiers: start processing
→ result ready → hand back), then pulls every change visible to its centre; then the workstation waits
``--interval`` seconds (× a random 0.5–1.5; the app's timer is 60 s, so the default 5 s is about 12 times
the steady load, as at an opening-hour rush with every desk woken by an intake). With probability
``--resend`` a push is sent a second time, as after a lost answer: every event must come back
``duplicate``. The workstations run in ``--procs`` processes, each an asyncio loop (its own lag is measured
and printed: a loop that lags would inflate the latencies). Bodies are built as plain JSON (the generator
must stay light next to the server on the same cores).

Checks: no HTTP error, no timeout, no rejected event; afterwards, in the database, every event id pushed is
stored exactly once and nothing else is. Latency: per request (one push batch, one page of changes).

Baseline, same run: the same workstations and pacing sending the same push bodies to ``/api/v1/health``
(the body is read, then 405) and one GET of ``/api/v1/health`` in place of each page of changes.

    .venv/bin/python bench/bench_server_load.py            # 33 centres × 3 workstations, 20 s (quick)
    .venv/bin/python bench/bench_server_load.py --full     # 99 centres × 3 workstations, 60 s
    .venv/bin/python bench/bench_server_load.py --centres 10 --seconds 10 [--pg-url URL]

Targets: 0 errors, p95 ≤ 250 ms per batch, every event stored once. Saved under ``"server_load"``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from bench_sync import ServerProcess, prepare_server_db  # noqa: E402
from common import percentile, proc_cpu  # noqa: E402

T_P95_MS = 250.0
PGBIN = Path("/usr/lib/postgresql/15/bin")
API = "/api/v1"
STEPS = (
    ("start_processing", "received", "in_process"),
    ("result_ready", "in_process", "result_ready"),
    ("hand_back", "result_ready", "returned"),
)


# --- a throw-away PostgreSQL ---------------------------------------------------------------------------------


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as user postgres then."""
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-c", " ".join(f"'{c}'" for c in cmd)]


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A fresh PostgreSQL 15 cluster on a Unix socket in /tmp; yields the database URL; removed after."""
    if not (PGBIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL 15 is not installed ({PGBIN}); give --pg-url")
    port = next(p for p in range(55440, 55600) if not Path(f"/tmp/.s.PGSQL.{p}").exists())
    data = Path(tempfile.mkdtemp(prefix="motcua-bench-pg-"))
    log = data.with_suffix(".log")
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        log.touch()
        shutil.chown(log, "postgres")
    try:
        subprocess.run(
            _as_postgres([str(PGBIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
        )
        opts = f"-p {port} -k /tmp -c listen_addresses= -c max_connections=200"
        subprocess.run(
            _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "start"]),
            check=True,
            capture_output=True,
        )
        try:
            subprocess.run(
                _as_postgres([str(PGBIN / "createdb"), "-h", "/tmp", "-p", str(port), "motcua_bench"]),
                check=True,
                capture_output=True,
            )
            print(f"PostgreSQL 15: throw-away cluster {data}, socket /tmp/.s.PGSQL.{port}")
            yield f"postgresql+psycopg://postgres@/motcua_bench?host=/tmp&port={port}"
        finally:
            subprocess.run(
                _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                capture_output=True,
            )
    finally:
        shutil.rmtree(data, ignore_errors=True)
        log.unlink(missing_ok=True)


# --- set-up ----------------------------------------------------------------------------------------------


def centre_eid(i: int) -> str:
    return f"000.{100 + i}.24.H06"


def add_centres(db_url: str, n: int) -> list[str]:
    from app.contract import CentreInfo
    from server import admin
    from server.db import Database

    db = Database(db_url)
    try:
        eids = []
        for i in range(n):
            eid = centre_eid(i)
            admin.add_centre(
                db,
                CentreInfo(
                    eid=eid,
                    name=f"Trung tâm phục vụ hành chính công xã Thử Tải {i + 1}",
                    kind="commune_centre",
                    province_code="24",
                ),
                exist_ok=True,
            )
            eids.append(eid)
        return eids
    finally:
        db.dispose()


@dataclass
class Desk:
    eid: str
    name: str
    token: str = ""
    slot: int = 0
    cursor: int = 0


#: (username, full name, password) of the operator every workstation logs in and names on its events.
OPERATOR = ("minhanh", "Nguyễn Thị Minh Anh", "Hoa-sen-trong-đầm-2026")


def enrol_all(server_url: str, db_url: str, eids: list[str], per_centre: int) -> list[Desk]:
    from server import admin
    from server.db import Database

    db = Database(db_url)
    try:
        desks = []
        for eid in eids:
            for k in range(per_centre):
                desks.append(Desk(eid, f"Quầy {k + 1}"))
        codes = [admin.issue_enrolment_code(db, d.eid).code for d in desks]
        for eid in eids:  # the operator the events name (the server refuses anyone not logged in there)
            try:
                admin.add_operator(db, eid, OPERATOR[0], OPERATOR[1], OPERATOR[2])
            except admin.AdminError as err:
                if err.problem.code != "admin.operator_exists":
                    raise
    finally:
        db.dispose()

    def enrol(pair: tuple[Desk, str]) -> None:
        desk, code = pair
        with httpx.Client(base_url=server_url + API, timeout=30) as http:
            r = http.post(
                "/devices/enroll",
                json={"code": code, "device_name": desk.name, "client_time": _now_iso()},
                headers={"X-Motcua-Protocol": "1", "X-Motcua-Client-Time": _now_iso()},
            )
            r.raise_for_status()
            body = r.json()
            desk.token, desk.slot = body["device_token"], body["slot"]
            r = http.post(
                "/auth/login",
                json={"username": OPERATOR[0], "password": OPERATOR[2]},
                headers=_headers(desk),
            )
            r.raise_for_status()
            # Up to the head, untimed (the catalogue and whatever is there): the load starts from here.
            while True:
                r = http.get(
                    "/sync/changes", params={"since": desk.cursor, "limit": 1000}, headers=_headers(desk)
                )
                r.raise_for_status()
                page = r.json()
                desk.cursor = page["next"]
                if not page["more"]:
                    break

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(enrol, zip(desks, codes, strict=True)))
    return desks


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _headers(desk: Desk) -> dict[str, str]:
    return {
        "X-Motcua-Protocol": "1",
        "X-Motcua-Client-Time": _now_iso(),
        "Authorization": f"Bearer {desk.token}",
    }


# --- the workstations ---------------------------------------------------------------------------------------


@dataclass
class Opts:
    seconds: float
    interval: float
    new: int
    steps: int
    resend: float
    baseline: bool
    server_url: str
    seed: int


@dataclass
class SliceResult:
    push_ms: list[float] = field(default_factory=list)
    pull_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # event ids answered accepted
    duplicates_ok: int = 0
    resends: int = 0
    changes: int = 0
    loop_lag_ms: list[float] = field(default_factory=list)


class Workstation:
    """One desk's dossiers and the events it makes (plain JSON, valid for the protocol)."""

    def __init__(self, desk: Desk, index: int, rnd: random.Random) -> None:
        self.desk = desk
        self.rnd = rnd
        # Numbers from the desk's own leases (the server accepts no other): asked for as a desk does, ahead
        # of need and untimed (``_round``).
        self.next_number, self.last_number = 1, 0
        self.day = date.today()
        self.open: list[tuple[str, int, int]] = []  # (dossier id, seq so far, step index)

    def numbers_left(self) -> int:
        return self.last_number - self.next_number + 1

    def received(self) -> dict[str, Any]:
        did = str(uuid.uuid4())
        assert self.numbers_left() > 0
        self.next_number += 1
        now = datetime.now().replace(microsecond=0)
        snap = {
            "id": did,
            "code": f"{self.desk.eid}-{self.day:%y%m%d}-{self.next_number - 1:04d}",
            "lookup_secret": "K7QM",
            "procedure_code": "1.001193",
            "procedure_name": "Đăng ký khai sinh",
            "applicant": {
                "id": str(uuid.uuid4()),
                "personal_id": f"0241900{self.rnd.randrange(10**5):05d}",
                "full_name": self.rnd.choice(
                    ("Nguyễn Văn Đức", "Trần Thị Hoa", "Lê Minh Quân", "Phạm Thu Hà")
                ),
                "birth_date": "1990-05-17",
                "gender": "Nam",
                "phone": "0912345678",
                "address": "Thôn Đông, xã Thử Tải, tỉnh Bắc Ninh",
            },
            "receiving_agency_eid": self.desk.eid,
            "receiving_agency": "Trung tâm phục vụ hành chính công xã Thử Tải",
            "competent_agency": "Ủy ban nhân dân xã Thử Tải",
            "competent_agency_eid": self.desk.eid,
            "handling_agency": "Ủy ban nhân dân xã Thử Tải",
            "handling_agency_eid": self.desk.eid,
            "scenario": "a",
            "channel": "direct",
            "received_at": now.isoformat(),
            "due_at": (now + timedelta(days=3)).isoformat(),
            "status": "received",
            "papers_received": [{"name": "Tờ khai đăng ký khai sinh", "form": "original", "count": 1}],
            "sets_count": 1,
            "fee_vnd": 0,
            "result_delivery": "counter",
            "notes": "",
        }
        self.open.append((did, 1, 0))
        return self._event(did, 1, "dossier.received", snap)

    def step(self) -> dict[str, Any] | None:
        if not self.open:
            return None
        did, seq, k = self.open.pop(0)
        action, before, after = STEPS[k]
        if k + 1 < len(STEPS):
            self.open.append((did, seq + 1, k + 1))
        payload = {"action": action, "from_status": before, "to_status": after, "reason": "", "extra": {}}
        return self._event(did, seq + 1, "dossier.transition", payload)

    def _event(self, did: str, seq: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "event_id": str(uuid.uuid4()),
            "dossier_id": did,
            "seq": seq,
            "type": kind,
            "occurred_at": datetime.now().replace(microsecond=0).isoformat(),
            "operator": "Nguyễn Thị Minh Anh",
            "workstation": self.desk.name,
            "payload": payload,
        }


async def _run_desk(ws: Workstation, tls: ssl.SSLContext, opts: Opts, end: float, out: SliceResult) -> None:
    """One workstation's rounds. As ``SyncWorker`` does, each round opens its own client (connection) and
    closes it: a desk syncs every minute, far beyond the server's keep-alive timeout."""
    rnd = ws.rnd
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    await asyncio.sleep(rnd.uniform(0, opts.interval))  # spread the first rounds
    while time.monotonic() < end:
        async with httpx.AsyncClient(
            base_url=opts.server_url + API, timeout=30, limits=limits, verify=tls
        ) as http:
            await _round(ws, http, opts, out)
        await asyncio.sleep(opts.interval * rnd.uniform(0.5, 1.5))


async def _round(ws: Workstation, http: httpx.AsyncClient, opts: Opts, out: SliceResult) -> None:
    """Push one batch (sent twice now and then), then pull to the head."""
    rnd = ws.rnd
    desk = ws.desk
    while ws.numbers_left() < opts.new:  # lease ahead, as SyncEngine does (not timed: not the push path)
        r = await http.post(
            "/numbering/lease",
            json={"agency_eid": desk.eid, "day": ws.day.isoformat(), "size": 500},
            headers=_headers(desk),
        )
        if r.status_code != 200:
            out.errors.append(f"lease {r.status_code}: {r.text[:200]}")
            return
        lease = r.json()["lease"]
        ws.next_number, ws.last_number = lease["first"], lease["last"]
    events = [ws.received() for _ in range(opts.new)]
    for _ in range(opts.steps):
        ev = ws.step()
        if ev is not None:
            events.append(ev)
    body = json.dumps({"events": events}, ensure_ascii=False).encode()
    headers = {**_headers(desk), "Content-Type": "application/json"}
    sends = 2 if rnd.random() < opts.resend else 1
    for attempt in range(sends):
        t = time.perf_counter()
        try:
            r = await http.post("/health" if opts.baseline else "/sync/push", content=body, headers=headers)
        except httpx.HTTPError as exc:
            out.errors.append(f"push {type(exc).__name__}: {exc}")
            continue
        out.push_ms.append((time.perf_counter() - t) * 1000)
        if opts.baseline:
            if r.status_code != 405:
                out.errors.append(f"health POST {r.status_code}")
            continue
        if r.status_code != 200:
            out.errors.append(f"push {r.status_code}: {r.text[:200]}")
            continue
        results = r.json()["results"]
        for res in results:
            if attempt == 0 and res["status"] == "accepted":
                out.accepted.append(res["event_id"])
            elif attempt == 1 and res["status"] == "duplicate":
                out.duplicates_ok += 1
            else:
                out.rejected.append(f"{res['event_id']} {res['status']} {res.get('reason')}")
        if attempt == 1:
            out.resends += 1
    # pull
    while True:
        t = time.perf_counter()
        try:
            if opts.baseline:
                r = await http.get("/health")
            else:
                r = await http.get(
                    "/sync/changes",
                    params={"since": desk.cursor, "limit": 500},
                    headers=_headers(desk),
                )
        except httpx.HTTPError as exc:
            out.errors.append(f"pull {type(exc).__name__}: {exc}")
            break
        out.pull_ms.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            out.errors.append(f"pull {r.status_code}: {r.text[:200]}")
            break
        if opts.baseline:
            break
        page = r.json()
        out.changes += len(page["changes"])
        desk.cursor = page["next"]
        if not page["more"]:
            break


async def _lag(end: float, out: SliceResult) -> None:
    while time.monotonic() < end:
        t = time.perf_counter()
        await asyncio.sleep(0.01)
        out.loop_lag_ms.append((time.perf_counter() - t - 0.01) * 1000)


def run_slice(desks: list[Desk], first_index: int, opts: Opts) -> SliceResult:
    """One generator process: its desks as coroutines of one asyncio loop, for ``opts.seconds``."""
    out = SliceResult()

    async def go() -> None:
        rnd = random.Random(opts.seed + first_index)
        stations = [Workstation(d, first_index + i, random.Random(rnd.random())) for i, d in enumerate(desks)]
        # One TLS context for every client (plain HTTP here, but httpx builds one per client otherwise,
        # ~20 ms each, which would stall this loop).
        tls = ssl.create_default_context()
        end = time.monotonic() + opts.seconds
        await asyncio.gather(_lag(end, out), *(_run_desk(ws, tls, opts, end, out) for ws in stations))

    asyncio.run(go())
    return out


def run_load(desks: list[Desk], opts: Opts, procs: int) -> tuple[SliceResult, float]:
    t = time.perf_counter()
    if procs <= 1:
        result = run_slice(desks, 0, opts)
        return result, time.perf_counter() - t
    size = -(-len(desks) // procs)
    slices = [(desks[i : i + size], i) for i in range(0, len(desks), size)]
    total = SliceResult()
    with ProcessPoolExecutor(len(slices)) as pool:
        futures = [pool.submit(run_slice, s, i, opts) for s, i in slices]
        for f in futures:
            r = f.result()
            for name in ("push_ms", "pull_ms", "errors", "rejected", "accepted", "loop_lag_ms"):
                getattr(total, name).extend(getattr(r, name))
            total.duplicates_ok += r.duplicates_ok
            total.resends += r.resends
            total.changes += r.changes
    return total, time.perf_counter() - t


# --- figures ------------------------------------------------------------------------------------------------


def lat(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 2) if values else 0.0,
        "p95_ms": round(percentile(values, 0.95), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "max_ms": round(max(values), 2) if values else 0.0,
    }


def show(label: str, values: list[float]) -> str:
    f = lat(values)
    return (
        f"{label}: n {f['n']:,}  median {f['median_ms']:.1f} ms  p95 {f['p95_ms']:.1f} ms"
        f"  p99 {f['p99_ms']:.1f} ms  max {f['max_ms']:.1f} ms"
    )


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its live descendants, and of its reaped children."""
    total = 0.0
    todo = [pid]
    root = True
    while todo:
        p = todo.pop()
        try:
            utime, stime, cutime, cstime = proc_cpu(p)
            total += utime + stime + (cutime + cstime if root else 0.0)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
        root = False
    return total


def postmaster_pid(db_url: str) -> int | None:
    """The PostgreSQL server's pid from its socket lock file (a local cluster on a Unix socket)."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    host, port = url.query.get("host"), url.query.get("port")
    try:
        return int(Path(f"{host}/.s.PGSQL.{port}.lock").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def check_stored(db_url: str, accepted: list[str]) -> dict[str, int]:
    from sqlalchemy import text

    from server.db import Database

    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text("SELECT event_id FROM events"))]
            dup_rows = conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1) x"
                )
            ).scalar_one()
    finally:
        db.dispose()
    stored = set(rows)
    sent = set(accepted)
    return {
        "stored_rows": len(rows),
        "stored_distinct": len(stored),
        "ids_stored_twice": int(dup_rows),
        "accepted_answers": len(accepted),
        "accepted_distinct": len(sent),
        "accepted_not_stored": len(sent - stored),
        "stored_not_accepted": len(stored - sent),
    }


def main() -> int:
    # Every simulated workstation enrols from 127.0.0.1: lift the per-address enrolment limit of the server
    # started below (server.throttle), which would otherwise answer 429 after 10 enrolments a minute.
    os.environ.setdefault("MOTCUA_ENROL_PER_MINUTE", "1000000")
    os.environ.setdefault("MOTCUA_LOGIN_PER_MINUTE", "1000000")
    # Its simulated desks lease 500 numbers at a time for hours: above the per-device daily cap (D14).
    os.environ.setdefault("MOTCUA_LEASE_PER_DEVICE_DAY", "100000000")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the full run: 99 centres × 3 workstations, 60 s")
    ap.add_argument("--centres", type=int, help="centres (default 33; 99 with --full)")
    ap.add_argument("--desks", type=int, default=3, help="workstations per centre (default 3)")
    ap.add_argument("--seconds", type=float, help="duration of the load (default 20; 60 with --full)")
    ap.add_argument(
        "--baseline-seconds", type=float, help="duration of the /health baseline (default: a third)"
    )
    ap.add_argument(
        "--interval", type=float, default=5.0, help="seconds between a workstation's rounds (× 0.5–1.5)"
    )
    ap.add_argument("--new", type=int, default=2, help="new dossiers per push (default 2)")
    ap.add_argument(
        "--steps", type=int, default=2, help="next steps of earlier dossiers per push (default 2)"
    )
    ap.add_argument("--resend", type=float, default=0.05, help="share of pushes sent twice (lost answer)")
    ap.add_argument("--procs", type=int, default=1, help="load generator processes (default 1)")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    ap.add_argument(
        "--pg-url", help="use this PostgreSQL database (a fresh schema in it) instead of a throw-away cluster"
    )
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--spy", type=Path, help="profile the server workers with py-spy into this folder (diagnosis)"
    )
    args = ap.parse_args()
    centres = args.centres or (99 if args.full else 33)
    seconds = args.seconds or (60.0 if args.full else 20.0)
    base_seconds = args.baseline_seconds or max(5.0, seconds / 3)

    from common import save

    with throwaway_postgres() if not args.pg_url else _given(args.pg_url) as db_url:
        prepare_server_db(db_url)
        eids = add_centres(db_url, centres)
        with ServerProcess(db_url, workers=args.workers) as server:
            t = time.perf_counter()
            desks = enrol_all(server.url, db_url, eids, args.desks)
            print(
                f"server {server.url}, --workers {args.workers}; {centres} centres × {args.desks} workstations"
                f" = {len(desks)} enrolled in {time.perf_counter() - t:.1f} s"
            )
            print(
                f"load: {seconds:g} s, a round every {args.interval:g} s (× 0.5–1.5) per workstation:"
                f" push {args.new} new + up to {args.steps} steps, pull to the head; {args.resend:.0%} resent;"
                f" {args.procs} generator process(es)"
            )
            opts = Opts(
                seconds, args.interval, args.new, args.steps, args.resend, False, server.url, args.seed
            )
            spies = [
                subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "--pid",
                        str(pid),
                        "--format",
                        "raw",
                        "--rate",
                        "100",
                        "--nonblocking",
                        "-o",
                        str(args.spy / f"server-{pid}.txt"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for pid in (server.pids()[1:] if args.spy else [])
            ]
            pg_pid = postmaster_pid(db_url)
            cpu0 = (tree_cpu(server.proc.pid) if server.proc else 0.0, tree_cpu(pg_pid) if pg_pid else 0.0)
            res, took = run_load(desks, opts, args.procs)
            cpu = (
                (tree_cpu(server.proc.pid) if server.proc else 0.0) - cpu0[0],
                (tree_cpu(pg_pid) if pg_pid else 0.0) - cpu0[1],
            )
            for spy in spies:
                spy.send_signal(signal.SIGINT)
                spy.wait(30)
            base_opts = Opts(
                base_seconds, args.interval, args.new, args.steps, 0.0, True, server.url, args.seed + 1
            )
            base, _ = run_load(desks, base_opts, args.procs)
        stored = check_stored(db_url, res.accepted)

    both = res.push_ms + res.pull_ms
    n_events = len(res.accepted)
    print(show("push batch", res.push_ms))
    print(show("pull page ", res.pull_ms))
    print(show("all       ", both))
    print(
        f"events accepted {n_events:,} ({n_events / took:,.0f}/s), resent batches {res.resends} "
        f"({res.duplicates_ok} duplicates answered), changes pulled {res.changes:,}"
    )
    print(show("baseline /health POST (same bodies)", base.push_ms))
    print(show("baseline /health GET              ", base.pull_ms))
    print(show("generator loop lag (10 ms sleeps) ", res.loop_lag_ms))
    requests = len(res.push_ms) + len(res.pull_ms)
    print(
        f"CPU during the load ({took:.0f} s, {os.cpu_count()} cores): server workers {cpu[0]:.1f} s"
        f" ({cpu[0] / took:.0%} of a core), PostgreSQL {cpu[1]:.1f} s ({cpu[1] / took:.0%});"
        f" per request {1000 * cpu[0] / max(1, requests):.1f} ms server + {1000 * cpu[1] / max(1, requests):.1f} ms"
        f" PostgreSQL; per event accepted {1000 * (cpu[0] + cpu[1]) / max(1, n_events):.1f} ms (both)"
    )
    errors = len(res.errors) + len(res.rejected)
    once = (
        stored["ids_stored_twice"] == 0
        and stored["accepted_not_stored"] == 0
        and stored["stored_not_accepted"] == 0
        and stored["accepted_distinct"] == stored["accepted_answers"]
    )
    for e in (res.errors + res.rejected)[:10]:
        print("  error:", e)
    print(f"stored: {stored}")
    p95 = max(lat(res.push_ms)["p95_ms"], lat(res.pull_ms)["p95_ms"])
    ok = errors == 0 and p95 <= T_P95_MS and once
    print(
        f"errors {errors} (target 0); p95 per batch (the worse of push and pull) {p95:.1f} ms (target ≤ {T_P95_MS:g});"
        f" every event stored once: {'yes' if once else 'NO'} -> {'OK' if ok else 'MISSED'}"
    )
    save(
        "server_load" + ("" if args.full else "_quick"),
        {
            "backend": "postgresql 15",
            "server_workers": args.workers,
            "centres": centres,
            "workstations": len(desks),
            "seconds": seconds,
            "interval_s": args.interval,
            "events_per_push": f"{args.new} new + {args.steps} steps",
            "generator_procs": args.procs,
            "push": lat(res.push_ms),
            "pull": lat(res.pull_ms),
            "all_requests": lat(both),
            "events_accepted": n_events,
            "events_per_s": round(n_events / took, 1),
            "changes_pulled": res.changes,
            "resent_batches": res.resends,
            "errors": errors,
            "stored": stored,
            "baseline_health_post": lat(base.push_ms),
            "baseline_health_get": lat(base.pull_ms),
            "generator_loop_lag": lat(res.loop_lag_ms),
            "cpu_server_s": round(cpu[0], 1),
            "cpu_postgresql_s": round(cpu[1], 1),
            "target_p95_ms": T_P95_MS,
            "ok": ok,
        },
    )
    return 0


@contextmanager
def _given(url: str) -> Iterator[str]:
    """A fresh schema in the PostgreSQL database at ``url`` (as the server tests do), dropped after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from server.db import Database

    schema = f"motcua_bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(Database(url).url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(Database(url).url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
