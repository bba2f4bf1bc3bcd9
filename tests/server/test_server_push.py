"""Push: idempotence, conflicts, the status machine, code reuse and scope, per event."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from faults.harness import is_vietnamese
from sqlalchemy import func, select
from srvkit import A, B, Desk, P, World, local_now, statuses, today

from app.contract import Event, EventResult
from app.domain.status import Action, Status
from server import sync as server_sync
from server.models import ChangeRow, Dossier, EventRow, NumberCounter

#: An apology's new due date, later than the one ``World.snapshot`` gives (received + 3 days).
NEW_DUE = (local_now() + timedelta(days=10)).replace(hour=16, minute=0, second=0)


def test_received_then_transitions_are_accepted_and_update_the_dossier(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    events = [
        world.received(desk, snap),
        world.transition(
            desk, snap.id, Action.START_PROCESSING, Status.IN_PROCESS, from_status=Status.RECEIVED
        ),
        world.transition(
            desk,
            snap.id,
            Action.APOLOGISE,
            Status.IN_PROCESS,
            due_at=NEW_DUE,
            reason="Cần xác minh thêm",
        ),
        world.transition(desk, snap.id, Action.RESULT_READY, Status.RESULT_READY),
    ]
    r = desk.client.push(events)
    assert statuses(r.results) == ["accepted"] * 4
    assert [x.event_id for x in r.results] == [e.event_id for e in events]
    with world.db.read() as s:
        d = s.get(Dossier, snap.id)
        assert d is not None
        assert d.status == "result_ready" and d.snapshot["status"] == "result_ready"
        assert d.snapshot["due_at"] == NEW_DUE.isoformat()
        assert d.code == snap.code
        assert s.scalar(select(func.count()).select_from(EventRow)) == 4
        assert s.scalar(select(func.count()).select_from(ChangeRow)) == 4


def test_the_same_event_again_is_a_duplicate(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    received = world.received(desk, snap)
    assert statuses(desk.client.push([received]).results) == ["accepted"]
    # A timeout is an unknown outcome: the desk resends the same batch, maybe twice in one batch.
    assert statuses(desk.client.push([received, received]).results) == ["duplicate", "duplicate"]
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == 1
        assert s.scalar(select(func.count()).select_from(ChangeRow)) == 1


def test_the_same_event_id_with_another_payload_is_a_conflict(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    received = world.received(desk, snap)
    desk.client.push([received])
    changed = received.model_copy(update={"payload": received.payload | {"notes": "sửa"}})
    other_operator = received.model_copy(update={"operator": "khác"})
    r = desk.client.push([changed, other_operator])
    assert statuses(r.results) == ["rejected:event.conflict", "rejected:event.conflict"]
    assert r.results[0].reason is not None and "đã nhận một sự kiện khác" in r.results[0].reason.vi


def test_an_illegal_transition_is_rejected_with_the_status_machines_reason(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    r = desk.client.push(
        [
            world.received(desk, snap),
            world.transition(desk, snap.id, Action.HAND_BACK, Status.RETURNED),
            world.transition(desk, snap.id, Action.WITHDRAW, Status.WITHDRAWN),
            world.transition(desk, snap.id, Action.RESULT_READY, Status.RESULT_READY),
        ]
    )
    assert statuses(r.results) == [
        "accepted",
        "rejected:status.illegal.hand_back",
        "accepted",
        "rejected:status.illegal.result_ready",
    ]
    reason = r.results[1].reason
    assert reason is not None
    assert reason.vi == "Không thể trả kết quả: hồ sơ chưa có kết quả (trạng thái hiện tại: Đã tiếp nhận)."
    assert r.results[3].reason is not None and "đã kết thúc" in r.results[3].reason.vi
    with world.db.read() as s:
        d = s.get(Dossier, snap.id)
        assert d is not None and d.status == "withdrawn"


def test_the_server_orders_concurrent_actions_by_arrival(world: World) -> None:
    """The receiving centre and the handling centre act on the same dossier; the later one loses."""
    desk_a, desk_b = world.desk(A), world.desk(B)
    snap = world.snapshot(A, scenario="c", competent=B, handling=B)
    assert statuses(desk_a.client.push([world.received(desk_a, snap)]).results) == ["accepted"]
    forward = world.transition(desk_a, snap.id, Action.FORWARD, Status.IN_PROCESS, handling=B)
    assert statuses(desk_a.client.push([forward]).results) == ["accepted"]
    result = world.transition(desk_b, snap.id, Action.RESULT_READY, Status.RESULT_READY)
    assert statuses(desk_b.client.push([result]).results) == ["accepted"]
    # Meanwhile (offline) A recorded a withdrawal from "in process": no longer legal.
    withdraw = world.transition(
        desk_a, snap.id, Action.WITHDRAW, Status.WITHDRAWN, from_status=Status.IN_PROCESS
    )
    r = desk_a.client.push([withdraw])
    assert statuses(r.results) == ["rejected:status.illegal.withdraw"]
    assert r.results[0].reason is not None and "hồ sơ đã có kết quả" in r.results[0].reason.vi


def test_a_code_already_used_by_another_dossier_is_rejected(world: World) -> None:
    desk = world.desk(A)
    first = world.snapshot(A)
    assert statuses(desk.client.push([world.received(desk, first)]).results) == ["accepted"]
    second = world.snapshot(A, code=first.code)  # the desk's own number again (e.g. a restored backup)
    r = desk.client.push([world.received(desk, second)])
    assert statuses(r.results) == ["rejected:code.duplicate"]
    assert r.results[0].reason is not None and first.code is not None and first.code in r.results[0].reason.vi


def test_codes_must_be_well_formed_and_of_the_centres_agency(world: World) -> None:
    desk = world.desk(A)
    bad = [
        world.snapshot(A, code="000.10.24.H06-260230-0001"),  # 30 February
        world.snapshot(A, code="000.10.24.H06-260504-00001"),  # not canonical
        world.snapshot(A, code=world.code(B)),  # B's e-ID
        world.snapshot(A, code=None),  # a received dossier needs a code
    ]
    r = desk.client.push([world.received(desk, s) for s in bad])
    assert statuses(r.results) == [
        "rejected:code.format",
        "rejected:code.format",
        "rejected:code.agency",
        "rejected:code.missing",
    ]
    # A dossier refused at intake may have no code.
    refused = world.snapshot(A, code=None, status=Status.REFUSED)
    assert statuses(desk.client.push([world.received(desk, refused)]).results) == ["accepted"]


def test_a_new_dossier_must_start_in_an_initial_status(world: World) -> None:
    desk = world.desk(A)
    r = desk.client.push([world.received(desk, world.snapshot(A, status=Status.RESULT_READY))])
    assert statuses(r.results) == ["rejected:status.initial"]


def test_a_dossier_cannot_be_received_twice(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    desk.client.push([world.received(desk, snap)])
    again = world.received(desk, snap)  # another event id, same dossier
    assert statuses(desk.client.push([again]).results) == ["rejected:dossier.exists"]


def test_scope_a_device_sends_only_its_centres_dossiers(world: World) -> None:
    desk_a, desk_b, desk_p = world.desk(A), world.desk(B), world.desk(P)
    own = world.snapshot(A)
    desk_a.client.push([world.received(desk_a, own)])
    # B may not receive on A's behalf, nor act on A's commune dossier.
    r = desk_b.client.push(
        [
            world.received(desk_b, world.snapshot(A)),
            world.transition(desk_b, own.id, Action.START_PROCESSING, Status.IN_PROCESS),
        ]
    )
    assert statuses(r.results) == ["rejected:scope.forbidden", "rejected:scope.forbidden"]
    assert r.results[0].reason is not None and "không có quyền" in r.results[0].reason.vi
    # P may act once the dossier is forwarded to it (scenario b).
    inter = world.snapshot(A, scenario="b")
    desk_a.client.push([world.received(desk_a, inter)])
    early = world.transition(desk_p, inter.id, Action.RESULT_READY, Status.RESULT_READY)
    assert statuses(desk_p.client.push([early]).results) == ["rejected:scope.forbidden"]
    desk_a.client.push([world.transition(desk_a, inter.id, Action.FORWARD, Status.IN_PROCESS, handling=P)])
    assert statuses(desk_p.client.push([early]).results) == ["accepted"]  # a rejected event may be resent


def test_a_transition_for_an_unknown_dossier_is_rejected(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    transition = world.transition(desk, snap.id, Action.START_PROCESSING, Status.IN_PROCESS)
    assert statuses(desk.client.push([transition]).results) == ["rejected:dossier.unknown"]


def test_an_invalid_payload_is_rejected_alone(world: World) -> None:
    desk = world.desk(A)
    good, other = world.snapshot(A), world.snapshot(A)
    broken = world.received(desk, world.snapshot(A))
    broken = broken.model_copy(update={"payload": broken.payload | {"scenario": "z", "fee_vnd": -1}})
    wrong_action = world.transition(desk, good.id, Action.START_PROCESSING, Status.IN_PROCESS)
    wrong_action = wrong_action.model_copy(update={"payload": wrong_action.payload | {"action": "teleport"}})
    r = desk.client.push([world.received(desk, good), broken, wrong_action, world.received(desk, other)])
    assert statuses(r.results) == ["accepted", "rejected:event.invalid", "rejected:event.invalid", "accepted"]
    assert r.results[1].reason is not None and r.results[1].reason.field == "payload.scenario"


def test_a_received_code_in_the_lease_region_raises_the_high_water_mark(world: World) -> None:
    desk = world.desk(A)
    lease = desk.client.lease(A, today(), 50).lease
    snap = world.snapshot(A, code=f"{A}-{today():%y%m%d}-0042")  # inside the desk's lease 1–50
    assert statuses(desk.client.push([world.received(desk, snap)]).results) == ["accepted"]
    fallback = world.snapshot(A, code=desk.next_code())
    assert statuses(desk.client.push([world.received(desk, fallback)]).results) == ["accepted"]
    with world.db.read() as s:
        counter = s.get(NumberCounter, (A, today()))
        assert counter is not None and counter.high_water == lease.last == 50


def test_the_server_accepts_only_the_pushing_desks_own_numbers(world: World) -> None:
    """D2: a code is accepted only inside the pushing device's lease or its slot's fallback block, for a
    plausible day; anything else is refused with a reason the operator can read."""
    a1, a2, b1 = world.desk(A), world.desk(A, "Quầy 2"), world.desk(B)
    assert (a1.slot, a2.slot, b1.slot) == (0, 1, 0)
    lease = a1.client.lease(A, today(), 50).lease
    day = f"{today():%y%m%d}"

    def push(desk: Desk, code: str) -> str:
        snap = world.snapshot(desk.eid, code=code)
        r = desk.client.push([world.received(desk, snap)]).results[0]
        if r.reason is not None:
            assert is_vietnamese(r.reason.vi) and code in r.reason.vi and code in r.reason.en
        return statuses([r])[0]

    assert push(a2, f"{A}-{day}-0002") == "rejected:code.not_leased"  # inside a1's lease
    assert push(a2, f"{A}-{day}-0051") == "rejected:code.not_leased"  # leased to nobody yet
    assert push(a2, f"{A}-{day}-9005") == "rejected:code.not_slot"  # a1's (slot 0) fallback block
    assert push(a2, f"{A}-{day}-90005") == "rejected:code.not_slot"
    assert push(b1, f"{B}-{day}-9999") == "rejected:code.not_slot"  # slot 9's block
    assert push(b1, f"{B}-991231-0001") == "rejected:code.day"  # a day in 2099
    assert push(b1, f"{B}-200101-9001") == "rejected:code.day"  # before the device existed
    assert push(a1, f"{A}-{day}-{lease.first + 1:04d}") == "accepted"
    assert push(a2, f"{A}-{day}-9101") == "accepted"  # slot 1's own block
    assert push(a2, f"{A}-{day}-91001") == "accepted"


def test_concurrent_resends_of_the_same_batch_store_each_event_once(world: World) -> None:
    desks = [world.desk(A, f"Quầy {i}") for i in range(2)]
    snaps = [world.snapshot(A) for _ in range(15)]
    events: list[Event] = [world.received(desks[0], s) for s in snaps]
    events += [world.transition(desks[0], s.id, Action.START_PROCESSING, Status.IN_PROCESS) for s in snaps]
    results: list[list[EventResult]] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        r = world.client(desks[0].client.token).push(events)  # one desk resending on 4 connections
        with lock:
            results.append(r.results)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for i, event in enumerate(events):
        outcomes = sorted(r[i].status for r in results)
        assert outcomes == ["accepted", "duplicate", "duplicate", "duplicate"], (i, outcomes)
        assert event.event_id == results[0][i].event_id
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == len(events)
        assert s.scalar(select(func.count()).select_from(ChangeRow)) == len(events)
        assert set(s.scalars(select(Dossier.status))) == {"in_process"}


def test_only_forward_and_transfer_change_the_handling_agency(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    desk.client.push([world.received(desk, snap)])
    sneaky = world.transition(desk, snap.id, Action.START_PROCESSING, Status.IN_PROCESS, handling=B)
    r = desk.client.push([sneaky])
    assert statuses(r.results) == ["rejected:event.invalid"]
    assert r.results[0].reason is not None and r.results[0].reason.field == "payload.handling_agency_eid"


def test_a_batch_whose_insert_hits_a_unique_key_runs_again_with_savepoints(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch runs first without savepoints; when an insert fails on a unique key (here: the batch's
    first reads miss an event another push stored), that run is rolled back whole and the batch runs
    again with a savepoint per event, which judges the event from fresh reads. Nothing of the first run
    is kept, and every event is stored once."""
    desk = world.desk(A)
    first = [world.received(desk, world.snapshot(A)) for _ in range(2)]
    assert statuses(desk.client.push(first).results) == ["accepted"] * 2
    runs: list[bool] = []
    real_init = server_sync._Batch.__init__

    def blind_init(self: server_sync._Batch, *args: object, savepoints: bool) -> None:
        runs.append(savepoints)
        real_init(self, *args, savepoints=savepoints)  # type: ignore[arg-type]
        # As if another push stored everything after this batch's reads.
        self.stored.clear()
        self.taken_ids.clear()
        self.taken_codes.clear()

    monkeypatch.setattr(server_sync._Batch, "__init__", blind_init)
    new = [world.received(desk, world.snapshot(A)) for _ in range(2)]
    r = desk.client.push([new[0], first[1], new[1]])
    assert statuses(r.results) == ["accepted", "duplicate", "accepted"]
    assert runs == [False, True]
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == 4
        assert s.scalar(select(func.count()).select_from(ChangeRow)) == 4
        assert s.scalar(select(func.count()).select_from(Dossier)) == 4


def test_a_batch_without_conflicts_runs_once_without_savepoints(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = world.desk(A)
    runs: list[bool] = []
    real_init = server_sync._Batch.__init__

    def noting_init(self: server_sync._Batch, *args: object, savepoints: bool) -> None:
        runs.append(savepoints)
        real_init(self, *args, savepoints=savepoints)  # type: ignore[arg-type]

    monkeypatch.setattr(server_sync._Batch, "__init__", noting_init)
    snap = world.snapshot(A)
    events = [
        world.received(desk, snap),
        world.transition(desk, snap.id, Action.HAND_BACK, Status.RETURNED),  # illegal: rejected
        world.transition(desk, snap.id, Action.START_PROCESSING, Status.IN_PROCESS),
    ]
    assert statuses(desk.client.push(events).results) == [
        "accepted",
        "rejected:status.illegal.hand_back",
        "accepted",
    ]
    assert runs == [False]
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == 2
        d = s.get(Dossier, snap.id)
        assert d is not None and d.status == "in_process"


def test_a_batch_rerun_after_a_deadlock_stays_without_savepoints(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deadlock or serialisation failure reruns the whole batch as it was: only a unique-key failure
    calls for a savepoint per event."""
    from sqlalchemy.exc import OperationalError

    desk = world.desk(A)
    runs: list[bool] = []
    real_init = server_sync._Batch.__init__
    real_finish = server_sync._Batch.finish

    def noting_init(self: server_sync._Batch, *args: object, savepoints: bool) -> None:
        runs.append(savepoints)
        real_init(self, *args, savepoints=savepoints)  # type: ignore[arg-type]

    class Deadlock(Exception):
        sqlstate = "40P01"

    def finish_once_deadlocked(self: server_sync._Batch) -> None:
        if len(runs) == 1:
            raise OperationalError("INSERT INTO changes …", {}, Deadlock("deadlock detected"))
        real_finish(self)

    monkeypatch.setattr(server_sync._Batch, "__init__", noting_init)
    monkeypatch.setattr(server_sync._Batch, "finish", finish_once_deadlocked)
    events = [world.received(desk, world.snapshot(A)) for _ in range(2)]
    assert statuses(desk.client.push(events).results) == ["accepted"] * 2
    assert runs == [False, False]
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(EventRow)) == 2
        assert s.scalar(select(func.count()).select_from(ChangeRow)) == 2
