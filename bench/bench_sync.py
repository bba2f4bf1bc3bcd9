"""Sync over loopback: ``SyncEngine.push`` of a desk's outbox and a fresh desk's ``pull``, against the real
server (uvicorn in its own process on 127.0.0.1, SQLite server database), beside the transport cost of the
same requests measured in the same run.

- **push**: a desk of centre A (demo store, enrolled through the API) holds ``--events`` pending outbox
  events: one dossier received through the service gives the template, the rest are bulk-built from it
  (each with its own dossier, applicant, event id and code); every fourth dossier also gets a
  ``start_processing`` transition. ``SyncEngine.push`` sends them in its batches (200) → events/s.
- **pull**: a second workstation of centre A, freshly enrolled, pulls every change (the catalogue's
  procedures and one change per accepted event) with ``SyncEngine.pull`` (pages of 500) → changes/s.
- **baselines** (transport): the same JSON push bodies POSTed with plain httpx to ``/api/v1/health`` (the
  server reads the whole body, then answers 405: HTTP + body transfer, no work), and as many GETs of
  ``/api/v1/health`` as the pull made pages. Also, for the pull, the same pages fetched with plain httpx
  without parsing or applying them (server + transport share).

    .venv/bin/python bench/bench_sync.py [--events 5000] [--keep DIR]

Targets: push ≥ 2,000 events/s; pull ≥ 5,000 changes/s. Saved under ``"sync"``.

The helpers here (the server process, a memory keyring, enrolled desks, bulk outbox events) are used by
``bench_gui.py`` and ``bench_server_load.py`` too.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
import keyring  # noqa: E402
from common import raw_connect  # noqa: E402

from tools.memory_keyring import MemoryKeyring  # noqa: E402

T_PUSH = 2_000.0
T_PULL = 5_000.0
A = "000.10.24.H06"  # the demo home centre (Bắc Giang ward)


# --- the server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_server_db(url: str, *, demo: bool = True) -> None:
    """Migrate the server database; add the demo centres, operator and the demo catalogue."""
    from server import admin
    from server.db import Database, upgrade

    db = Database(url)
    try:
        upgrade(db.engine)
        if demo:
            admin.add_demo(db)
            admin.import_catalogue(db)
    finally:
        db.dispose()


#: Added to the server's environment in the benches (the environment as it is when the server starts: a
#: bench may set what the server reads, e.g. ``bench_upload.py`` its blob store, before it starts): its per-device daily lease cap (D14, 2,000 numbers per workstation,
#: agency and day by default) raised, since a bench pushes thousands of dossiers of one day from one desk, and
#: its enrolment and login limits per source address (D11: 10 and 60 a minute) raised, since a bench enrols
#: and logs in a province's workstations at once from 127.0.0.1 (these limits are against guessing, which
#: ``bench_lookup.py`` and the tests measure).
BENCH_LIMITS = {
    "MOTCUA_LEASE_PER_DEVICE_DAY": "10000000",
    "MOTCUA_ENROL_PER_MINUTE": "100000",
    "MOTCUA_LOGIN_PER_MINUTE": "100000",
}


class ServerProcess:
    """``motcua-server serve`` in a subprocess on a free port of 127.0.0.1."""

    def __init__(self, db_url: str, workers: int = 1, log_path: Path | None = None) -> None:
        self.db_url = db_url
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._own_log = log_path is None
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="motcua-bench-server-", suffix=".log")[1])
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        cmd = [sys.executable, "-m", "server.cli", "serve", "--db", self.db_url, "--port", str(self.port)]
        cmd += ["--workers", str(self.workers)]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=os.environ | BENCH_LIMITS,  # as it is now: a bench sets what the server reads before it
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start in 60 s")

    def pids(self) -> list[int]:
        """The server's process and its children (uvicorn workers)."""
        if self.proc is None:
            return []
        out = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            out += [int(c) for c in children]
        except OSError:
            pass
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only the server and its workers
                self.proc.wait(10)
        if self._own_log and self.proc is not None and self.proc.returncode in (0, -signal.SIGINT):
            self.log_path.unlink(missing_ok=True)


# --- desks ----------------------------------------------------------------------------------------------


def use_memory_keyring() -> None:
    keyring.set_keyring(MemoryKeyring())


def enrolment_code(db_url: str, eid: str) -> str:
    from server import admin
    from server.db import Database

    db = Database(db_url)
    try:
        return admin.issue_enrolment_code(db, eid).code
    finally:
        db.dispose()


@contextmanager
def desk_store(folder: Path, server: ServerProcess | None, name: str, eid: str = A) -> Iterator[Any]:
    """A demo desk store in ``folder``, enrolled with ``server`` as workstation ``name`` of ``eid``."""
    from app.bootstrap import open_store
    from app.sync import engine

    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(folder, demo=True)
    try:
        if server is not None:
            engine.enrol(store, server.url, enrolment_code(server.db_url, eid), name)
            sign_in(store, server.db_url, eid)
        yield store
    finally:
        store.dispose()


#: (username, full name, password) of the operator the desks log in and name on their events.
OPERATOR = ("minhanh", "Nguyễn Thị Minh Anh", "Hoa-sen-trong-đầm-2026")


def sign_in(store: Any, db_url: str, eid: str) -> None:
    """Make the server's operator :data:`OPERATOR` of ``eid`` (if missing) and log it in through the desk,
    as an operator does once online (the server refuses events naming anyone else)."""
    from app.sync import engine
    from app.sync.client import SyncClient

    url, _device, token = engine.connection(store)
    with SyncClient(url, token) as client:
        log_in_operator(db_url, eid, client)


def log_in_operator(db_url: str, eid: str, client: Any) -> None:
    """:data:`OPERATOR` made on the server for ``eid`` (if missing) and logged in through ``client``'s
    device (a ``SyncClient`` with the device token)."""
    from server import admin
    from server.db import Database

    db = Database(db_url)
    try:
        admin.add_operator(db, eid, OPERATOR[0], OPERATOR[1], OPERATOR[2])
    except admin.AdminError as err:
        if err.problem.code != "admin.operator_exists":
            raise
    finally:
        db.dispose()
    client.login(OPERATOR[0], OPERATOR[2])


def leased_numbers(store: Any, eid: str, day: date, n: int) -> list[int]:
    """``n`` numbers of ``day`` leased to the desk by the server (the only ones it accepts from it)."""
    from app.sync import engine
    from app.sync.client import SyncClient

    url, _device, token = engine.connection(store)
    with SyncClient(url, token) as client:
        return lease_numbers(client, eid, day, n)


def lease_numbers(client: Any, eid: str, day: date, n: int) -> list[int]:
    """``n`` numbers of ``day`` leased to ``client``'s device."""
    from app.contract import MAX_LEASE_SIZE

    out: list[int] = []
    while len(out) < n:
        lease = client.lease(eid, day, MAX_LEASE_SIZE).lease
        out.extend(range(lease.first, lease.last + 1))
    return out[:n]


def bulk_outbox(store: Any, n: int, day: date, *, transition_every: int = 4) -> int:
    """Append ``n`` pending, valid outbox events: one dossier received through the service is the
    template; the others are copies with their own ids and codes (numbers leased for ``day``), and every
    ``transition_every``-th dossier also gets a ``start_processing`` event. Returns the events added."""
    from app.contract import TransitionPayload
    from app.domain.canonical import canonical_json
    from app.domain.codes import format_code
    from app.domain.status import Action, Status
    from app.models import OutboxEntry
    from app.services import dossiers as svc
    from app.services.audit import Actor

    actor = Actor(OPERATOR[1], "Quầy 1")
    svc.receive(
        store,
        actor,
        svc.ReceiveRequest(
            "1.001193",
            svc.ApplicantInput(full_name="Trần Văn Mẫu", address="Phường Bắc Giang, tỉnh Bắc Ninh"),
        ),
    )
    with store.read() as s:
        template = s.query(OutboxEntry).order_by(OutboxEntry.seq.desc()).first().payload
    eid = template["payload"]["receiving_agency_eid"]
    numbers = iter(leased_numbers(store, eid, day, n))
    rows: list[tuple[str, str, str, str, str]] = []
    now = datetime.now().replace(microsecond=0)
    while len(rows) < n:
        number = next(numbers)
        ev = copy.deepcopy(template)
        did = str(uuid.uuid4())
        ev["event_id"] = str(uuid.uuid4())
        ev["dossier_id"] = did
        ev["seq"] = 1
        snap = ev["payload"]
        snap["id"] = did
        snap["code"] = format_code(eid, day, number)
        snap["applicant"]["id"] = str(uuid.uuid4())
        snap["applicant"]["full_name"] = f"Nguyễn Văn Đồng Bộ {number}"
        rows.append((ev["event_id"], did, "dossier.received", canonical_json(ev), now.isoformat(" ")))
        if transition_every and number % transition_every == 0 and len(rows) < n:
            tp = TransitionPayload(
                action=Action.START_PROCESSING, from_status=Status.RECEIVED, to_status=Status.IN_PROCESS
            )
            tr = {
                "event_id": str(uuid.uuid4()),
                "dossier_id": did,
                "seq": 2,
                "type": "dossier.transition",
                "occurred_at": (now + timedelta(minutes=5)).isoformat(),
                "operator": ev["operator"],
                "workstation": ev["workstation"],
                "payload": tp.model_dump(mode="json"),
            }
            rows.append((tr["event_id"], did, "dossier.transition", canonical_json(tr), now.isoformat(" ")))
    con = raw_connect(store.engine.url.database)
    try:
        with con:
            # The template's own event is sent too (it is a real, valid event): count it.
            con.executemany(
                "INSERT INTO outbox (event_id, dossier_id, event_type, payload, created_at, state, attempts,"
                " last_error) VALUES (?,?,?,?,?,'pending',0,'')",
                rows[: n - 1],
            )
    finally:
        con.close()
    return n


def push_bodies(store: Any, batch: int) -> list[bytes]:
    """The JSON bodies ``SyncEngine.push`` sends for the pending outbox, built the same way."""
    from app.contract import Event, PushRequest
    from app.models import OutboxEntry

    with store.read() as s:
        payloads = [
            e.payload
            for e in s.query(OutboxEntry).filter(OutboxEntry.state == "pending").order_by(OutboxEntry.seq)
        ]
    out = []
    for i in range(0, len(payloads), batch):
        events = [Event.model_validate(p) for p in payloads[i : i + batch]]
        out.append(json.dumps(PushRequest(events=events).model_dump(mode="json")).encode())
    return out


# --- the benchmark -----------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=5_000, help="pending outbox events to push (default 5,000)")
    ap.add_argument("--keep", type=Path, help="keep the server database and the desks here")
    args = ap.parse_args()

    from common import save

    from app.contract import API_PREFIX, CLIENT_TIME_HEADER, PROTOCOL_HEADER, utc_now
    from app.sync import engine
    from app.sync.client import SyncClient

    use_memory_keyring()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="motcua-bench-sync-"))
    if args.keep and folder.exists() and any(folder.iterdir()):
        print(f"{folder} is not empty: give a new or empty folder to --keep", file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{folder / 'server.sqlite3'}"
    prepare_server_db(db_url)
    with ServerProcess(db_url) as server:
        print(
            f"server: {server.url} (SQLite {folder / 'server.sqlite3'}), pid {server.proc.pid if server.proc else '?'}"
        )
        # --- push
        with desk_store(folder / "desk1", server, "Quầy 1") as store:
            n = bulk_outbox(store, args.events, date.today())
            url, _device, token = engine.connection(store)
            bodies = push_bodies(store, 200)
            with SyncClient(url, token) as client:
                eng = engine.SyncEngine(store, client)
                report = engine.RoundReport()
                t = time.perf_counter()
                eng.push(report)
                push_s = time.perf_counter() - t
            assert report.accepted == n and not report.rejected, report
            # Transport baseline: the same bodies to /health (body read in full, then 405).
            headers = {
                PROTOCOL_HEADER: "1",
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
            }
            with httpx.Client(base_url=url + API_PREFIX) as http:
                http.get("/health")
                t = time.perf_counter()
                for body in bodies:
                    headers[CLIENT_TIME_HEADER] = utc_now().isoformat()
                    r = http.post("/health", content=body, headers=headers)
                    assert r.status_code == 405, r.status_code
                push_base_s = time.perf_counter() - t
        push_rate = n / push_s
        push_base_rate = n / push_base_s
        mb = sum(len(b) for b in bodies) / 1e6
        print(
            f"push: {n:,} events in {len(bodies)} batches, {mb:.1f} MB: {push_s:.2f} s = {push_rate:,.0f} events/s"
            f" (target ≥ {T_PUSH:,.0f}) -> {'OK' if push_rate >= T_PUSH else 'MISSED'}"
        )
        print(
            f"push baseline, same bodies POSTed to /health (transport only): {push_base_s:.3f} s = {push_base_rate:,.0f} events/s"
        )

        # --- pull
        with desk_store(folder / "desk2", server, "Quầy 2") as store:
            url, _device, token = engine.connection(store)
            with SyncClient(url, token) as client:
                eng = engine.SyncEngine(store, client)
                report = engine.RoundReport()
                client.health()
                t = time.perf_counter()
                eng.pull(report)
                pull_s = time.perf_counter() - t
            pulled = report.pulled
            pages = -(-pulled // 500) + 1
            headers = {PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=url + API_PREFIX) as http:
                http.get("/health")
                t = time.perf_counter()
                for _ in range(pages):
                    http.get("/health")
                pull_base_s = time.perf_counter() - t
                # The same pages without parsing or applying them: the server's and the transport's share.
                since, got, size = 0, 0, 0
                t = time.perf_counter()
                while True:
                    headers[CLIENT_TIME_HEADER] = utc_now().isoformat()
                    r = http.get("/sync/changes", params={"since": since, "limit": 500}, headers=headers)
                    size += len(r.content)
                    page = json.loads(r.content)
                    got += len(page["changes"])
                    since = page["next"]
                    if not page["more"]:
                        break
                pull_raw_s = time.perf_counter() - t
        pull_rate = pulled / pull_s
        print(
            f"pull: {pulled:,} changes ({size / 1e6:.1f} MB) in {pull_s:.2f} s = {pull_rate:,.0f} changes/s"
            f" (target ≥ {T_PULL:,.0f}) -> {'OK' if pull_rate >= T_PULL else 'MISSED'}"
        )
        print(f"pull baseline, {pages} GETs of /health (transport only): {pull_base_s:.3f} s")
        print(
            f"pull baseline, the same pages with plain httpx, no parsing or applying (server + transport):"
            f" {pull_raw_s:.2f} s = {got / pull_raw_s:,.0f} changes/s"
        )
    save(
        "sync",
        {
            "events": n,
            "push_s": round(push_s, 3),
            "push_events_per_s": round(push_rate),
            "push_transport_baseline_s": round(push_base_s, 4),
            "push_transport_events_per_s": round(push_base_rate),
            "target_push_events_per_s": T_PUSH,
            "pulled_changes": pulled,
            "pull_s": round(pull_s, 3),
            "pull_changes_per_s": round(pull_rate),
            "pull_transport_baseline_s": round(pull_base_s, 4),
            "pull_server_and_transport_s": round(pull_raw_s, 3),
            "pull_server_and_transport_changes_per_s": round(got / pull_raw_s),
            "target_pull_changes_per_s": T_PULL,
            "ok": push_rate >= T_PUSH and pull_rate >= T_PULL,
        },
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
