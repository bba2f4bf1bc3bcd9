"""The national portal connector against the simulator (tests ran against the simulator only).

- **throughput**: ``--dossiers`` dossiers with a few status changes each are pushed to a real server
  (``motcua-server serve`` in its own process, SQLite), then the connector (``server.portal``:
  ``sync_until_idle``, its default concurrency) delivers every record to the simulator (tools/portal_sim.py,
  in this process, no faults) → records/s. **Baseline in the same run**: the simulator's raw accept rate,
  the same records POSTed with plain httpx from the same number of threads to a fresh simulator.
- **lag**: the connector's background loop (``PortalLoop``, as ``serve`` starts it, interval 0.2 s) runs
  while a desk pushes one event at a time; the time from the desk's push to the record being on the simulator.

    .venv/bin/python bench/bench_portal.py [--dossiers 500] [--lag-samples 30]

Saved under ``"portal"``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from bench_sync import (  # noqa: E402
    OPERATOR,
    A,
    ServerProcess,
    enrolment_code,
    lease_numbers,
    log_in_operator,
    prepare_server_db,
)
from common import save, stats_ms  # noqa: E402

from app.contract import (  # noqa: E402
    ApplicantInfo,
    DossierSnapshot,
    Event,
    TransitionPayload,
)
from app.domain.codes import format_code  # noqa: E402
from app.domain.status import Action, Status  # noqa: E402
from app.sync.client import SyncClient  # noqa: E402
from server import portal  # noqa: E402
from server.db import Database  # noqa: E402
from tools.portal_sim import PortalServer  # noqa: E402

WALK = [
    (Action.START_PROCESSING, Status.IN_PROCESS),
    (Action.RESULT_READY, Status.RESULT_READY),
    (Action.HAND_BACK, Status.RETURNED),
]


def _id() -> str:
    return str(uuid.uuid4())


def dossier_events(n: int, day: date, steps: int) -> list[Event]:
    now = datetime.now().replace(microsecond=0)
    snap = DossierSnapshot(
        id=_id(),
        code=format_code(A, day, n),
        lookup_secret="K7QM",
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        applicant=ApplicantInfo(id=_id(), personal_id="024190001234", full_name="Nguyễn Văn Đức"),
        receiving_agency_eid=A,
        receiving_agency="Trung tâm",
        competent_agency="UBND",
        competent_agency_eid=A,
        handling_agency="UBND",
        handling_agency_eid=A,
        scenario="a",
        received_at=now,
        due_at=now + timedelta(days=3),
        status=Status.RECEIVED,
    )
    # The server's trust rules (issue 16): a code from this device's lease, times not before its
    # enrolment, an operator who logged in through it.
    out = [Event.received(_id(), snap, occurred_at=now, operator=OPERATOR[0], workstation="Quầy 1")]
    for i, (action, to) in enumerate(WALK[:steps], start=2):
        out.append(
            Event.transitioned(
                _id(),
                snap.id,
                TransitionPayload(action=action, to_status=to),
                seq=i,
                occurred_at=now,
                operator=OPERATOR[0],
                workstation="Quầy 1",
            )
        )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=500)
    ap.add_argument("--lag-samples", type=int, default=30)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-portal-"))
    db_url = f"sqlite:///{folder / 'server.sqlite3'}"
    prepare_server_db(db_url)
    day = date.today()
    figures: dict[str, object] = {}
    with ServerProcess(db_url) as server, SyncClient(server.url, None) as client:
        client.enroll(enrolment_code(db_url, A), "Quầy bench")
        log_in_operator(db_url, A, client)
        numbers = lease_numbers(client, A, day, args.dossiers + args.lag_samples)
        events = [e for i in range(args.dossiers) for e in dossier_events(numbers[i], day, (i + 1) % 4)]
        for i in range(0, len(events), 500):
            client.push(events[i : i + 500])
        db = Database(db_url)
        with _sim(folder / "p1.sqlite3") as sim:
            cfg = portal.PortalConfig(url=sim.url)
            t = time.perf_counter()
            report = portal.sync_until_idle(db, cfg)
            conn_s = time.perf_counter() - t
            records = report.acked
            assert portal.status(db).backlog == 0, "the connector left a backlog"
        with db.read() as s:
            from sqlalchemy import select

            from server.models import PortalDelivery

            bodies = [b for (b,) in s.execute(select(PortalDelivery.body).order_by(PortalDelivery.id))]
        # Baseline: the simulator's raw accept rate for the same records, same concurrency, in order per dossier.
        with _sim(folder / "p2.sqlite3") as raw, httpx.Client(timeout=30) as h:
            by_dossier: dict[str, list[dict[str, object]]] = {}
            for b in bodies:
                by_dossier.setdefault(b["HoSo"]["MaHoSo"], []).append(b)

            def send_all(items: list[dict[str, object]]) -> None:
                for item in items:
                    assert h.post(raw.url + portal.RECORDS_PATH, json=item).status_code == 200

            t = time.perf_counter()
            with ThreadPoolExecutor(cfg.concurrency) as pool:
                list(pool.map(send_all, by_dossier.values()))
            raw_s = time.perf_counter() - t
        figures["records"] = records
        figures["connector_records_per_s"] = round(records / conn_s, 1)
        figures["baseline_raw_accept_per_s"] = round(len(bodies) / raw_s, 1)
        print(f"connector: {records} records in {conn_s:.2f} s = {records / conn_s:.0f} records/s")
        print(
            f"baseline (simulator raw accept, same records, {cfg.concurrency} threads): "
            f"{len(bodies) / raw_s:.0f} records/s"
        )
        # Lag: the background loop as `serve` runs it; one event at a time from the desk.
        with _sim(folder / "p3.sqlite3") as sim:
            loop = portal.PortalLoop(db_url, portal.PortalConfig(url=sim.url, interval=0.2)).start()
            try:
                samples = []
                for n in range(args.lag_samples):
                    evs = dossier_events(numbers[args.dossiers + n], day, 0)
                    code = evs[0].payload["code"]
                    t = time.perf_counter()
                    client.push(evs)
                    while True:
                        got = httpx.get(sim.url + portal.RECORDS_PATH, params={"code": code}).json()[
                            "records"
                        ]
                        if got:
                            break
                        if time.perf_counter() - t > 30:
                            raise RuntimeError("lag over 30 s")
                        time.sleep(0.005)
                    samples.append(time.perf_counter() - t)
            finally:
                loop.stop()
        lag = stats_ms(samples)
        figures["lag_ms"] = lag
        print(f"lag desk push → simulator: {lag}")
        db.dispose()
    save("portal", figures)
    return 0


class _sim:  # noqa: N801 - a context manager read as a noun
    def __init__(self, path: Path) -> None:
        self.server = PortalServer(path)

    def __enter__(self) -> PortalServer:
        return self.server.start()

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


if __name__ == "__main__":
    sys.exit(main())
