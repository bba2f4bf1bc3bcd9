"""Helpers of the portal connector tests: the simulator, random event sequences, the equality check."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from srvkit import A, Desk, World

from app.contract import Event
from app.domain.portal import deliveries
from app.domain.status import Action, Status, allowed_actions, transition
from server import portal
from server.models import Dossier, EventRow
from tools.portal_sim import PortalServer, SimFaults

#: Actions a random walk may take (forward/transfer need a target agency; receive/refuse are for intake).
WALK = [
    a
    for a in Action
    if a not in (Action.SUBMIT_ONLINE, Action.RECEIVE, Action.REFUSE, Action.FORWARD, Action.TRANSFER)
]


@contextmanager
def simulator(tmp: Path, faults: SimFaults | None = None) -> Iterator[PortalServer]:
    srv = PortalServer(tmp / "portal.sqlite3", faults).start()
    try:
        yield srv
    finally:
        srv.stop()


def random_sequence(world: World, desk: Desk, rng: random.Random, max_len: int = 8) -> list[Event]:
    """A dossier received at ``desk``'s centre on 4/5/2026 08:30 (a number of that day, due three days
    later) and a random walk of legal actions after it; an apology moves the due date a week later, as the
    server requires (issue 16: never earlier). Once that day's fallback block is used up the dossiers are
    received on the following days (10,000 sequences need about 16 days' blocks)."""
    base = datetime(2026, 5, 4, 9, 0) + timedelta(days=desk.issued // desk.block_size())
    snap = world.snapshot(A, code=desk.next_code(base.date()))
    snap.received_at = base - timedelta(minutes=30)
    snap.due_at = due_at = snap.received_at + timedelta(days=3)
    if rng.random() < 0.3:
        snap = snap.model_copy(update={"fee_vnd": rng.choice([0, 8000, 50000])})
    events = [world.received(desk, snap)]
    status: Status = Status.RECEIVED
    for i in range(rng.randrange(0, max_len + 1)):
        choices = [a for a in allowed_actions(status) if a in WALK]
        if not choices:
            break
        action = rng.choice(choices)
        new = transition(status, action)
        due = None
        if action is Action.APOLOGISE:
            due = due_at = due_at + timedelta(days=7)
        ev = world.transition(desk, snap.id, action, new, from_status=status, due_at=due)
        events.append(ev.model_copy(update={"occurred_at": base + timedelta(minutes=10 * (i + 1))}))
        status = new
    return events


def server_view(world: World) -> dict[str, dict[str, Any]]:
    """Per dossier code: the record the server's events fold to, and the count of events."""
    with world.db.read() as s:
        dossiers = {d.id: d for d in s.scalars(select(Dossier))}
        events: dict[str, list[dict[str, Any]]] = {}
        for body, did in s.execute(select(EventRow.body, EventRow.dossier_id).order_by(EventRow.id)):
            events.setdefault(did, []).append(body)
    out: dict[str, dict[str, Any]] = {}
    for did, evs in events.items():
        ds = deliveries(evs)
        if not ds:
            continue
        d = dossiers[did]
        assert ds[-1].body["HoSo"]["TrangThaiHoSo"] == Status(d.status).national_code
        out[ds[0].code] = {"record": ds[-1].body["HoSo"], "events": [e["event_id"] for e in evs]}
    return out


def portal_view(url: str) -> dict[str, dict[str, Any]]:
    records = httpx.get(url + "/portal/v1/records", timeout=30).json()["records"]
    return {
        r["MaHoSo"]: {"record": r["HoSo"], "events": [h["MotcuaMaSuKien"] for h in r["QuaTrinhXuLy"]]}
        for r in records
    }


def drain(world: World, cfg: portal.PortalConfig, rounds: int = 3000) -> portal.PortalStatus:
    """Run the connector until nothing is left (bounded)."""
    import time

    for _ in range(rounds):
        portal.sync_until_idle(world.db, cfg)
        st = portal.status(world.db)
        if st.backlog == 0:
            return st
        time.sleep(0.01)
    return portal.status(world.db)
