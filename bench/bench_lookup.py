"""The citizen look-up page under concurrent load, against ``/api/v1/health`` in the same run; and a
brute-force run against a dossier's secret.

Set-up (not timed): a throw-away SQLite server database (migrated, the demo centres and catalogue), the
real server in a subprocess (``motcua-server serve``), one workstation enrolled through the API that
pushes ``--dossiers`` received dossiers. Load: ``--clients`` threads, each with its own keep-alive
connection, for ``--seconds``, each sending look-ups of random dossiers (right code and secret: the page
rendered with its history) and ``/api/v1/health`` in alternation, so both are measured under the same
load. The limits are per source address and every request comes from 127.0.0.1, so the load uses right
secrets only (a wrong one counts towards the lockout).

Brute force (after the load): one address tries ``--guesses`` secrets against one dossier, the right
one last. Expected: 5 wrong answers (404), then 429 for every request, the right secret included.

    .venv/bin/python bench/bench_lookup.py [--clients 16 --seconds 10 --dossiers 200 --guesses 200]

Target: look-up p95 ≤ 2 × health p95; the brute force finds nothing. Saved under ``"lookup"``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sync import OPERATOR, ServerProcess, lease_numbers, log_in_operator, prepare_server_db  # noqa: E402
from common import save, stats_ms  # noqa: E402

from app.contract import ApplicantInfo, DossierSnapshot, Event  # noqa: E402
from app.domain.codes import format_code  # noqa: E402
from app.sync.client import SyncClient  # noqa: E402

A = "000.10.24.H06"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def seed(url: str, db_url: str, count: int) -> list[tuple[str, str]]:
    """``count`` dossiers received at centre A through the API; their (code, secret)."""
    from server import admin
    from server.db import Database

    db = Database(db_url)
    try:
        code = admin.issue_enrolment_code(db, A).code
    finally:
        db.dispose()
    client = SyncClient(url, None)
    enrolled = client.enroll(code, "Bench")
    client.close()
    day = datetime.now(UTC) + timedelta(hours=7)
    # The server's trust rules (issue 16): an operator logged in through the device, codes of its lease.
    with SyncClient(url, enrolled.device_token) as c:
        log_in_operator(db_url, A, c)
        numbers = lease_numbers(c, A, day.date(), count)
    out: list[tuple[str, str]] = []
    events = []
    rng = random.Random(7)
    for n in range(1, count + 1):
        secret = "".join(rng.choice(ALPHABET) for _ in range(4))
        snap = DossierSnapshot(
            id=str(uuid.uuid4()),
            code=format_code(A, day.date(), numbers[n - 1]),
            lookup_secret=secret,
            procedure_code="1.001193",
            procedure_name="Thủ tục đăng ký khai sinh",
            applicant=ApplicantInfo(id=str(uuid.uuid4()), full_name="Nguyễn Văn Đức"),
            receiving_agency_eid=A,
            receiving_agency="Trung tâm Phục vụ hành chính công phường Bắc Giang",
            competent_agency="UBND phường Bắc Giang",
            competent_agency_eid=A,
            handling_agency="UBND phường Bắc Giang",
            handling_agency_eid=A,
            scenario="a",
            received_at=day.replace(tzinfo=None),
            due_at=(day + timedelta(days=3)).replace(tzinfo=None),
            status="received",
        )
        events.append(
            Event.received(
                str(uuid.uuid4()),
                snap,
                occurred_at=snap.received_at,
                operator=OPERATOR[0],
                workstation="Bench",
            )
        )
        out.append((snap.code or "", secret))
    with SyncClient(url, enrolled.device_token) as c:
        for i in range(0, len(events), 200):
            results = c.push(events[i : i + 200]).results
            assert all(r.status == "accepted" for r in results), results[:3]
    return out


def load(url: str, dossiers: list[tuple[str, str]], clients: int, seconds: float) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"lookup": [], "health": []}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(seed_: int) -> None:
        rng = random.Random(seed_)
        mine: dict[str, list[float]] = {"lookup": [], "health": []}
        with httpx.Client(base_url=url, timeout=30) as http:
            for kind in itertools.cycle(("lookup", "health")):
                if time.monotonic() > stop:
                    break
                t0 = time.perf_counter()
                if kind == "lookup":
                    code, secret = rng.choice(dossiers)
                    r = http.get("/tra-cuu", params={"ma": code, "k": secret})
                    ok = r.status_code == 200 and code in r.text
                else:
                    r = http.get("/api/v1/health")
                    ok = r.status_code == 200
                mine[kind].append(time.perf_counter() - t0)
                if not ok:
                    errors.append(f"{kind}: {r.status_code}")
        with lock:
            for k, v in mine.items():
                samples[k].extend(v)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[:5]}")
    return samples


def brute_force(url: str, code: str, secret: str, guesses: int) -> dict[str, int]:
    """``guesses`` secrets against ``code`` from one address, the right one last: answers by status."""
    tried = (s for s in ("".join(p) for p in itertools.product(ALPHABET, repeat=4)) if s != secret)
    attempts = [*itertools.islice(tried, guesses - 1), secret]
    seen: dict[str, int] = {}
    with httpx.Client(base_url=url, timeout=30) as http:
        for guess in attempts:
            status = str(http.get("/tra-cuu", params={"ma": code, "k": guess}).status_code)
            seen[status] = seen.get(status, 0) + 1
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--dossiers", type=int, default=200)
    ap.add_argument("--guesses", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-lookup-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'server.sqlite3'}"
        prepare_server_db(db_url)
        with ServerProcess(db_url) as server:
            dossiers = seed(server.url, db_url, args.dossiers)
            load(server.url, dossiers, 2, 1.0)  # warm-up: templates compiled, connections pooled
            samples = load(server.url, dossiers, args.clients, args.seconds)
            lookup, health = stats_ms(samples["lookup"]), stats_ms(samples["health"])
            code, secret = dossiers[0]
            brute = brute_force(server.url, code, secret, args.guesses)
    ratio = lookup["p95_ms"] / health["p95_ms"] if health["p95_ms"] else float("inf")
    print(f"{args.clients} clients, {args.seconds:.0f} s, {args.dossiers} dossiers")
    print(f"  health   median {health['median_ms']:.2f} ms  p95 {health['p95_ms']:.2f} ms  (n={health['n']})")
    print(f"  look-up  median {lookup['median_ms']:.2f} ms  p95 {lookup['p95_ms']:.2f} ms  (n={lookup['n']})")
    print(f"  look-up p95 / health p95 = {ratio:.2f} (target <= 2)")
    print(f"  brute force, {args.guesses} guesses (right one last): {brute}")
    found = brute.get("200", 0)
    save(
        "lookup",
        {
            "clients": args.clients,
            "seconds": args.seconds,
            "health": health,
            "lookup": lookup,
            "p95_ratio": round(ratio, 3),
            "brute_force": brute,
        },
    )
    if found:
        raise SystemExit("the brute force found the dossier: the lockout failed")
    if brute.get("404", 0) > 5:
        raise SystemExit(f"{brute['404']} guesses were judged before the lockout (at most 5 expected)")


if __name__ == "__main__":
    main()
