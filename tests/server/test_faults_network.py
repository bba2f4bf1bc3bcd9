"""Network faults between a desk and the real server, through ``tools/faultproxy.py`` on 127.0.0.1.

- The worker's states tell the truth: ``offline`` (with the unreachable problem and a retry delay) while
  the proxy refuses connections or a gateway answers 503, ``online`` after it heals, and the pending count
  it reports is the store's.
- A push whose answer is lost (the server stored it), and a server restart in the middle of a push, end
  with each event once on the server (``duplicate`` on the resend).
- Seeded random faults (drops, resets, truncated answers, raw 500/502/503/504 and captive-portal 200
  HTML pages, delays past the client's timeout, restarts) on every request, per HTTP request and per TCP
  connection, while the desk keeps receiving and acting: repeated rounds (``SyncWorker.run_once`` and
  ``SyncEngine.run_round`` with small batches) drain the outbox; nothing is duplicated or lost on the
  server, nothing is parked, no round ends in the "unexpected error" state, and the desk's statuses agree
  with the server's.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from faults.harness import (
    PROCEDURES,
    fault_seed,
    local_dossiers,
    local_event_ids,
    new_desk,
    read_only,
    server_problems,
    soak_runs,
    store_problems,
    wait_for,
)
from sqlalchemy import select
from srvkit import A, World, sign_in

from app.contract import PushResponse
from app.domain.errors import DomainError
from app.models.db import Store
from app.paths import database_path
from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.reference import set_setting
from app.sync import engine
from app.sync.client import SyncClient, SyncError
from server import models as sm
from tools.faultproxy import PASS, Fault, FaultProxy, RandomFaults, Request, always, first_on

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
#: The client's timeout in these tests: ``delay`` faults go past it.
TIMEOUT = 1.0

pytestmark = pytest.mark.slow


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    store = new_desk(tmp_path / "desk", template_dir, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)  # its operators log in online once
    yield store
    store.dispose()


@pytest.fixture
def proxy(world: World, desk: Store) -> Iterator[FaultProxy]:
    """A proxy in front of the server; the desk talks to the server through it."""
    port = int(world.live.url.rsplit(":", 1)[1])
    with FaultProxy(port, timeout=30) as p:
        with desk.write() as s:
            set_setting(s, engine.KEY_SERVER, p.url)
        yield p


def receive(store: Store, rng: random.Random, n: int = 1) -> list[str]:
    codes = []
    for _ in range(n):
        proc, address = rng.choice(PROCEDURES)
        req = svc.ReceiveRequest(
            proc, svc.ApplicantInput(full_name="Lê Thị Mai", address=address), pages=1, copies=1
        )  # pages/copies: the basis of 2.000815's per-page fee (ignored by flat-fee procedures)
        codes.append(svc.receive(store, ACTOR, req).code)
    return codes


def act(store: Store, rng: random.Random, codes: list[str]) -> None:
    code = rng.choice(codes)
    action = rng.choice(("start_processing", "result_ready", "hand_back", "forward"))
    with contextlib.suppress(DomainError):  # not legal from the dossier's status: nothing recorded
        svc.perform(store, ACTOR, code, action, at=datetime.now())


def client_factory(url: str, token: str) -> SyncClient:
    return SyncClient(url, token, timeout=TIMEOUT)


def on_push(fault: Fault, times: int = 1) -> Callable[[Request], Fault]:
    return first_on("/sync/push", fault, times)


def server_statuses(world: World) -> dict[str, str]:
    with world.db.engine.connect() as conn:
        return dict(conn.execute(select(sm.Dossier.id, sm.Dossier.status)).all())  # type: ignore[arg-type]


def local_statuses(store: Store) -> dict[str, str]:
    from app.models import Dossier

    with store.read() as s:
        return dict(s.execute(select(Dossier.id, Dossier.status)).all())  # type: ignore[arg-type]


def check_server(world: World, store: Store) -> None:
    db = database_path(Path(str(store.path)).parent)
    assert not server_problems(world.db, local_dossiers(db), local_event_ids(db))
    assert not store_problems(db)
    assert engine.outbox_counts(store) == (0, 0)
    assert local_statuses(store) == server_statuses(world)


def test_worker_states_tell_the_truth(world: World, desk: Store, proxy: FaultProxy) -> None:
    rng = random.Random(fault_seed())
    states: list[engine.SyncState] = []
    worker = engine.SyncWorker(desk, states.append, client_factory=client_factory)

    def once() -> engine.SyncState:
        states.clear()
        delay = worker.run_once()
        last = states[-1]
        assert states[0].state == "syncing"
        assert (last.pending, last.parked) == engine.outbox_counts(desk)
        if last.state == "offline":
            assert last.problem is not None and last.problem.vi and last.next_attempt_in == delay > 0
        return last

    receive(desk, rng, 3)
    proxy.refuse()
    for _ in range(2):
        s = once()
        assert (s.state, s.pending, s.problem.code if s.problem else None) == (
            "offline",
            3,
            "sync.unreachable",
        )
    proxy.heal()
    s = once()
    assert (s.state, s.pending, s.parked) == ("online", 0, 0) and s.last_success is not None

    receive(desk, rng, 2)
    proxy.plan = always(Fault("status", status=503))  # a gateway in front of a server that is down
    s = once()
    assert (s.state, s.pending) == ("offline", 2)
    proxy.plan = always(PASS)
    assert once().state == "online"

    # The answer to a push is lost after the server stored it: unknown outcome, resent, "duplicate".
    receive(desk, rng, 2)
    proxy.plan = on_push(Fault("reset_after"))
    assert (once().state, engine.outbox_counts(desk)) == ("offline", (2, 0))
    s = once()
    assert s.state == "online" and worker.last_report is not None
    assert (worker.last_report.accepted, worker.last_report.duplicate) == (0, 2)

    # The server restarts in the middle of a push: every connection cut, the port closed for a while.
    receive(desk, rng, 2)
    proxy.plan = on_push(Fault("restart", down=0.3))
    assert once().state == "offline"
    assert wait_for(lambda: proxy.listening, timeout=10)
    assert once().state == "online"
    check_server(world, desk)


@pytest.mark.parametrize("raw", [False, True], ids=["per-request", "per-connection"])
def test_random_faults_never_duplicate_or_lose(
    world: World, desk: Store, proxy: FaultProxy, raw: bool
) -> None:
    seed = fault_seed() + raw
    rng = random.Random(seed)
    rates = {
        "drop": 0.03,
        "reset": 0.03,
        "drop_after": 0.03,
        "reset_after": 0.03,
        "truncate": 0.04,
        "status": 0.02,
        "status_after": 0.03,
        "delay": 0.01,
        "delay_after": 0.01,
        "restart": 0.01,
    }
    if raw:  # one kept-alive connection carries a whole round: faults are drawn once per round
        rates = {k: v * 3 for k, v in rates.items()}
    proxy.raw = raw
    proxy.plan = RandomFaults(
        seed,
        rates,
        delays=(TIMEOUT * 0.5, TIMEOUT * 1.5),
        statuses=(200, 500, 502, 503, 504),  # 200: a captive portal's HTML page
        downs=(0.05, 0.3),
    )
    states: list[engine.SyncState] = []
    worker = engine.SyncWorker(desk, states.append, client_factory=client_factory)
    url, _device, token = engine.connection(desk)
    codes = receive(desk, rng, 5)
    outcomes: list[str] = []
    operations = max(40, soak_runs() // 2)  # 250 in `make soak`
    deadline = time.monotonic() + 120 + 2 * operations
    for i in range(400):
        if i < operations:
            if rng.random() < 0.6:
                codes += receive(desk, rng)
            else:
                act(desk, rng, codes)
        elif engine.outbox_counts(desk) == (0, 0) and outcomes[-1] == "online":
            break
        assert time.monotonic() < deadline, f"not drained after {i} rounds: {engine.outbox_counts(desk)}"
        if i % 2:
            states.clear()
            worker.run_once()
            last = states[-1]
            assert last.state in ("online", "offline"), (last.state, last.problem)
            assert (last.pending, last.parked) == engine.outbox_counts(desk)
            if last.state == "online":
                assert last.pending == 0
            outcomes.append(last.state)
        else:
            try:
                with SyncClient(url, token, timeout=TIMEOUT) as client:
                    engine.SyncEngine(desk, client, batch=3).run_round()
                assert engine.outbox_counts(desk) == (0, 0), engine.parked_events(desk)
                outcomes.append("online")
            except SyncError as exc:
                outcomes.append("offline")
                assert getattr(exc, "problem", None) is not None
        if outcomes[-1] == "offline" and not proxy.listening:
            wait_for(lambda: proxy.listening, timeout=10)
    else:
        pytest.fail(f"not drained after 400 rounds: {engine.outbox_counts(desk)}")
    print(
        f"\n{len(outcomes)} rounds ({outcomes.count('offline')} failed), faults: {dict(proxy.stats.counts)}"
    )
    assert sum(n for kind, n in proxy.stats.counts.items() if kind != "pass") >= 5
    proxy.plan = always(PASS)
    with SyncClient(url, token) as client:  # pull the last server states
        engine.SyncEngine(desk, client).run_round()
    check_server(world, desk)


# --- the desk's own store refuses writes in the middle of a sync ----------------------------------------


@pytest.mark.parametrize("on_the_wire", [False, True], ids=["from-the-start", "while-pushing"])
def test_read_only_store_during_sync_recovers_without_duplicates(
    world: World, desk: Store, monkeypatch: pytest.MonkeyPatch, on_the_wire: bool
) -> None:
    """From the start: the engine cannot count the push attempt, so it sends nothing. While the push is on
    the wire (the batch read and its attempt counted): the server stores the push, the desk cannot record
    the answer, and the next round's push gets duplicates."""
    rng = random.Random(fault_seed())
    receive(desk, rng, 3)
    states: list[engine.SyncState] = []
    worker = engine.SyncWorker(desk, states.append)
    real_push = SyncClient.push
    with contextlib.ExitStack() as stack:

        def push_from_a_read_only_store(client: SyncClient, *args: Any, **kwargs: Any) -> PushResponse:
            if not turned:  # the batch was read and its attempt counted: now the folder turns read-only
                turned.append(stack.enter_context(read_only(desk)))
            return real_push(client, *args, **kwargs)

        turned: list[None] = []
        if on_the_wire:
            monkeypatch.setattr(SyncClient, "push", push_from_a_read_only_store)
        else:
            stack.enter_context(read_only(desk))
        worker.run_once()
    monkeypatch.undo()
    assert states[-1].state != "online" and engine.outbox_counts(desk) == (3, 0)
    states.clear()
    worker.run_once()
    assert states[-1].state == "online" and worker.last_report is not None
    expected = (0, 3) if on_the_wire else (3, 0)
    assert (worker.last_report.accepted, worker.last_report.duplicate) == expected
    check_server(world, desk)


def test_read_only_store_during_sync_is_explained(world: World, desk: Store) -> None:
    receive(desk, random.Random(fault_seed()), 2)
    states: list[engine.SyncState] = []
    worker = engine.SyncWorker(desk, states.append)
    with read_only(desk):
        worker.run_once()
    last = states[-1]
    assert (last.pending, last.parked) == engine.outbox_counts(desk)
    assert last.state == "error" and last.problem is not None
    assert last.problem.code == "store.readonly", last.problem
