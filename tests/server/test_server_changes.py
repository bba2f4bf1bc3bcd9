"""The change feed: cursor paging and exactly who sees what, in scenarios (a), (b) and (c)."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import select
from srvkit import A, B, Desk, LiveServer, P, World, statuses

from app.contract import Change
from app.domain.status import Action, Status
from app.sync.client import SyncClient
from server import admin
from server.admin import now_utc
from server.models import ChangeRow
from server.sync import append_change


def pull_all(client: SyncClient, since: int = 0, limit: int = 2) -> tuple[list[Change], int]:
    """Every visible change after ``since``, page by page; checks the cursor contract on the way."""
    out: list[Change] = []
    cursor = since
    while True:
        page = client.changes(cursor, limit)
        assert len(page.changes) <= limit
        assert all(c.seq > cursor for c in page.changes)
        if page.changes:
            assert page.next == page.changes[-1].seq
        else:
            assert page.next == cursor and not page.more
        out.extend(page.changes)
        cursor = page.next
        if not page.more:
            return out, cursor


def dossier_view(changes: list[Change]) -> dict[str, str]:
    """The last known status of each dossier seen, by code."""
    view: dict[str, str] = {}
    for c in changes:
        if c.dossier is not None:
            assert c.dossier.code is not None
            view[c.dossier.code] = c.dossier.status.value
    return view


def push_ok(world: World, desk: Desk, *events: object) -> None:
    r = desk.client.push(list(events))  # type: ignore[arg-type]
    assert statuses(r.results) == ["accepted"] * len(events), r.results


def test_cursor_paging_is_gapless_and_ordered(world: World) -> None:
    admin.import_catalogue(world.db)
    desk = world.desk(A)
    changes, cursor = pull_all(desk.client, limit=7)
    assert len(changes) == 48
    assert [c.kind for c in changes] == ["procedure"] * 48
    seqs = [c.seq for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == 48
    assert changes[0].procedure is not None and changes[0].procedure.code == "1.001193"
    # Nothing new: the same cursor comes back.
    page = desk.client.changes(cursor, 100)
    assert (page.changes, page.next, page.more) == ([], cursor, False)
    # A re-import of the same catalogue changes nothing; a holiday does.
    assert admin.import_catalogue(world.db) == (48, 0)
    assert admin.set_calendar_day(world.db, date(2026, 12, 31), "off", "Nghỉ bù Tết Dương lịch")
    page = desk.client.changes(cursor, 100)
    assert [c.kind for c in page.changes] == ["calendar"]
    cal = page.changes[0].calendar
    assert cal is not None and (cal.day, cal.kind, cal.note) == (
        date(2026, 12, 31),
        "off",
        "Nghỉ bù Tết Dương lịch",
    )


def test_visibility_in_the_three_scenarios(world: World) -> None:
    desk_a, desk_a2, desk_b, desk_p = world.desk(A), world.desk(A, "Quầy 2"), world.desk(B), world.desk(P)
    admin.set_calendar_day(world.db, date(2026, 9, 2), "off", "Quốc khánh")

    # (a) A's own commune procedure: received and decided at A.
    sa = world.snapshot(A, scenario="a")
    push_ok(
        world,
        desk_a,
        world.received(desk_a, sa),
        world.transition(desk_a, sa.id, Action.RESULT_READY, Status.RESULT_READY),
    )
    # (b) province-level procedure: received at A, forwarded to the land registry P.
    sb = world.snapshot(A, scenario="b")
    push_ok(world, desk_a, world.received(desk_a, sb))
    push_ok(world, desk_a, world.transition(desk_a, sb.id, Action.FORWARD, Status.IN_PROCESS, handling=P))
    # (c) commune procedure of B's competence, received at A (regardless of boundary) and forwarded.
    sc = world.snapshot(A, scenario="c", competent=B, handling=B)
    push_ok(world, desk_a2, world.received(desk_a2, sc))
    push_ok(world, desk_a2, world.transition(desk_a2, sc.id, Action.FORWARD, Status.IN_PROCESS, handling=B))

    seen_a, cur_a = pull_all(desk_a.client)
    seen_b, cur_b = pull_all(desk_b.client)
    seen_p, cur_p = pull_all(desk_p.client)
    assert dossier_view(seen_a) == {sa.code: "result_ready", sb.code: "in_process", sc.code: "in_process"}
    assert dossier_view(seen_b) == {sc.code: "in_process"}
    assert dossier_view(seen_p) == {sb.code: "in_process"}
    # Everybody sees the province's calendar.
    for seen in (seen_a, seen_b, seen_p):
        assert [c.calendar.note for c in seen if c.calendar is not None] == ["Quốc khánh"]
    # A device's own events come back too (the client deduplicates by event id).
    assert len([c for c in seen_a if c.kind == "dossier"]) == 6
    # The forwarded centre gets the whole dossier and its history in the forwarding change.
    (p_change,) = [c for c in seen_p if c.dossier is not None]
    assert p_change.dossier is not None
    assert [e.type for e in p_change.dossier.events] == ["dossier.received", "dossier.transition"]
    assert p_change.dossier.handling_agency_eid == P
    assert p_change.dossier.handling_agency == world.names[P]
    assert p_change.dossier.applicant.full_name == "Nguyễn Văn Đức"

    # The handling centres decide; the results flow back to the receiving centre.
    push_ok(world, desk_p, world.transition(desk_p, sb.id, Action.RESULT_READY, Status.RESULT_READY))
    push_ok(
        world,
        desk_b,
        world.transition(desk_b, sc.id, Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED),
    )
    new_a, cur_a = pull_all(desk_a2.client, cur_a)
    assert dossier_view(new_a) == {sb.code: "result_ready", sc.code: "supplement_requested"}
    # B does not see P's dossier, nor P B's.
    new_b, cur_b = pull_all(desk_b.client, cur_b)
    new_p, cur_p = pull_all(desk_p.client, cur_p)
    assert dossier_view(new_b) == {sc.code: "supplement_requested"}
    assert dossier_view(new_p) == {sb.code: "result_ready"}

    # A records the supplement and, later, hands B's result back; both sides see every step.
    push_ok(
        world,
        desk_a,
        world.transition(desk_a, sc.id, Action.SUPPLEMENT_RECEIVED, Status.IN_PROCESS),
        world.transition(desk_a, sb.id, Action.HAND_BACK, Status.RETURNED),
    )
    push_ok(world, desk_b, world.transition(desk_b, sc.id, Action.RESULT_READY, Status.RESULT_READY))
    push_ok(world, desk_a, world.transition(desk_a, sc.id, Action.HAND_BACK, Status.RETURNED))
    new_a, _ = pull_all(desk_a.client, cur_a)
    new_b, _ = pull_all(desk_b.client, cur_b)
    new_p, _ = pull_all(desk_p.client, cur_p)
    assert dossier_view(new_a) == {sb.code: "returned", sc.code: "returned"}
    assert dossier_view(new_b) == {sc.code: "returned"}
    assert dossier_view(new_p) == {sb.code: "returned"}
    last = [c for c in new_b if c.dossier is not None][-1].dossier
    assert last is not None
    assert [e.payload.get("action") for e in last.events] == [
        None,
        "forward",
        "request_supplement",
        "supplement_received",
        "result_ready",
        "hand_back",
    ]


def test_since_beyond_the_end_and_limits(world: World) -> None:
    desk = world.desk(A)
    admin.set_calendar_day(world.db, date(2026, 4, 30), "off")
    page = desk.client.changes(10**9, 1000)
    assert (page.changes, page.next, page.more) == ([], 10**9, False)
    page = desk.client.changes(0, 1)
    assert len(page.changes) == 1 and not page.more


def test_a_reader_polling_during_concurrent_pushes_skips_no_change(world: World) -> None:
    """Sequence numbers are committed in order (PostgreSQL: advisory lock), so a cursor never jumps a gap."""
    writers = [world.desk(A, f"Quầy {i}") for i in range(4)]
    reader = world.desk(A, "Quầy đọc")
    done = threading.Event()
    seen: list[int] = []

    def write(desk: Desk) -> None:
        for _ in range(8):
            snap = world.snapshot(A)
            push_ok(
                world,
                desk,
                world.received(desk, snap),
                world.transition(desk, snap.id, Action.START_PROCESSING, Status.IN_PROCESS),
            )

    def read() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            page = reader.client.changes(cursor, 3)
            seen.extend(c.seq for c in page.changes)
            cursor = page.next
            if finished and not page.more:
                return

    threads = [threading.Thread(target=write, args=(d,)) for d in writers]
    poller = threading.Thread(target=read)
    poller.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    poller.join()
    with world.db.read() as s:
        stored = list(s.scalars(select(ChangeRow.seq).order_by(ChangeRow.seq)))
    assert len(stored) == 4 * 8 * 2
    assert seen == stored


def test_change_appends_are_serialised_until_commit(server: LiveServer) -> None:
    """While one transaction holds an appended change, another append waits (PostgreSQL: the advisory
    lock; SQLite: the write lock), so sequence numbers become visible in order and no cursor skips one."""
    body = {"day": "2026-01-01", "kind": "off", "note": ""}
    finished = threading.Event()

    def other() -> None:
        with server.db.write() as s2:
            append_change(s2, "calendar", body, now_utc())
        finished.set()

    with server.db.write() as s1:
        first = append_change(s1, "calendar", body, now_utc())
        t = threading.Thread(target=other)
        t.start()
        assert not finished.wait(0.5)  # blocked behind the open transaction
    t.join(15)
    assert finished.is_set()
    with server.db.read() as s:
        assert list(s.scalars(select(ChangeRow.seq))) == [first, first + 1]
