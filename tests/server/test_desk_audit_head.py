"""The head of a desk's keyed audit chain travels with every push (issue 16, item 9, D10): the server
keeps the last one per device and records a chain that went backwards or was rewritten, without refusing
the desk's events."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from keyed import connect_raw, give_store_key
from sqlalchemy import select
from srvkit import A, World, sign_in
from srvkit import sync_round as sync

from app.bootstrap import open_store
from app.models.db import Store
from app.paths import database_path
from app.services import audit, backup
from app.services import dossiers as svc
from app.services.audit import Actor
from app.sync import engine
from server import audit as server_audit
from server import models as sm

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
NOW = datetime.now().replace(second=0, microsecond=0)
NAMES = iter(["Hùng", "Minh", "Lan", "Tuấn", "Hoa", "Bình", "Mai", "Tú", "Nga", "Hải"] * 3)


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy(database_path(template_dir), database_path(folder))
    give_store_key(template_dir, folder)  # the copy's store key goes with it
    store = open_store(folder)
    engine.enrol(store, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)
    yield store
    store.dispose()


def receive(store: Store) -> None:
    name = f"Đặng Văn {next(NAMES)}"
    svc.receive(
        store,
        ACTOR,
        svc.ReceiveRequest(
            "1.001193", svc.ApplicantInput(full_name=name, address="Phường Bắc Giang"), received_at=NOW
        ),
    )


def held(world: World, store: Store) -> tuple[int, str]:
    device = engine.connection(store)[1]
    with world.live.db.read() as s:
        row = s.scalar(select(sm.DeviceAuditHead).where(sm.DeviceAuditHead.device_id == device))
        assert row is not None
        return row.position, row.mac


def findings(world: World) -> list[str]:
    return [e.detail for e in server_audit.entries(world.live.db, kind="audit")]


def test_the_server_keeps_each_push_s_head_and_an_honest_desk_raises_nothing(
    desk: Store, world: World
) -> None:
    receive(desk)
    sync(desk)
    first = held(world, desk)
    receive(desk)
    receive(desk)
    sync(desk)
    second = held(world, desk)
    assert second[0] > first[0]
    assert findings(world) == []


def test_a_deleted_tail_is_recorded_and_the_events_still_accepted(desk: Store, world: World) -> None:
    receive(desk)
    receive(desk)
    sync(desk)
    position, _ = held(world, desk)
    # Delete the chain's tail and move the head back (the edit a local check alone cannot see when the
    # deleted entries recorded no row).
    desk.dispose()
    con = connect_raw(desk.path.parent)
    rows = con.execute("SELECT id, prev_hash FROM audit_entries ORDER BY id DESC LIMIT 3").fetchall()
    con.execute("DELETE FROM audit_entries WHERE id >= ?", (rows[-1][0],))
    con.execute(
        "UPDATE settings SET value = json_array(?, ?) WHERE key = 'audit.head'", (position - 3, rows[-1][1])
    )
    con.commit()
    con.close()
    store = open_store(desk.path.parent)
    try:
        svc.perform(store, ACTOR, _a_code(store), "start_processing")  # appends one entry: position - 2
        report = sync(store)
        assert report.accepted == 1 and report.rejected == 0  # never refused for it
    finally:
        store.dispose()
    assert any("went back" in f for f in findings(world)), findings(world)


def test_a_chain_rewritten_after_a_push_is_recorded(desk: Store, world: World) -> None:
    """Even by someone holding the key: the entry the server acknowledged no longer has its MAC."""
    receive(desk)
    sync(desk)
    position, mac = held(world, desk)
    con = connect_raw(desk.path.parent)
    con.execute("UPDATE audit_entries SET hash = ? WHERE hash = ?", ("f" * 64, mac))
    con.commit()
    con.close()
    receive(desk)
    report = sync(desk)
    assert report.accepted == 1
    assert any(f"entry {position}, pushed before, has changed" in f for f in findings(world)), findings(world)


def test_an_older_copy_of_the_store_is_recorded(desk: Store, world: World) -> None:
    """A backup restored over newer work (``db restore``): the server's head is ahead of the copy."""
    receive(desk)
    sync(desk)
    older = backup.backup_now(desk, desk.path.parent)
    for _ in range(2):  # two pushes later (one push back looks like a push whose answer was lost)
        receive(desk)
        sync(desk)
    desk.dispose()
    backup.restore(desk.path.parent, older)
    store = open_store(desk.path.parent)
    try:
        with store.write() as s:  # ordinary work (log-ins, …) beyond the position the server holds:
            for _ in range(12):  # only the anchor shows the copy
                audit.append(s, ACTOR, "session.login", "operator", "demo")
        svc.perform(store, ACTOR, _a_code(store), "start_processing")  # an event, so a push
        sync(store)
    finally:
        store.dispose()
    assert any("older copy" in f for f in findings(world)), findings(world)


def _a_code(store: Store) -> str:
    with store.read() as s:
        from app.models import Dossier

        code = s.scalar(select(Dossier.code).order_by(Dossier.received_at).limit(1))
        assert code is not None
        return code


def test_the_audit_command_lists_the_findings(desk: Store, world: World, tmp_path: Path) -> None:
    receive(desk)
    sync(desk)
    _, mac = held(world, desk)
    con = connect_raw(desk.path.parent)
    con.execute("UPDATE audit_entries SET hash = ? WHERE hash = ?", ("e" * 64, mac))
    con.commit()
    con.close()
    receive(desk)
    sync(desk)
    import io

    from server.cli import main as server_main

    out = io.StringIO()
    assert server_main(["audit", "--kind", "audit", "--db", world.live.db_url], out=out) == 0
    assert "audit.chain" in out.getvalue() and "rewritten" in out.getvalue()


def test_the_server_s_judgement_of_a_head() -> None:
    """Every case of server/audit_heads.judge, without a server."""
    from app.contract import AuditHead
    from server.audit_heads import judge

    m = [c * 64 for c in "abcdef"]
    held = sm.DeviceAuditHead(device_id="d", position=10, mac=m[0], prior_position=7, prior_mac=m[1])
    assert judge(None, AuditHead(position=3, mac=m[2])) == ""
    assert judge(held, AuditHead(position=12, mac=m[2], anchor_position=10, anchor_mac=m[0])) == ""
    # the answer to the last push was lost: anchored on the head before
    assert judge(held, AuditHead(position=12, mac=m[2], anchor_position=7, anchor_mac=m[1])) == ""
    assert judge(held, AuditHead(position=10, mac=m[0], anchor_position=7, anchor_mac=m[1])) == ""
    assert "went back" in judge(held, AuditHead(position=9, mac=m[2], anchor_position=7, anchor_mac=m[1]))
    assert "another MAC" in judge(held, AuditHead(position=10, mac=m[3], anchor_position=10, anchor_mac=m[0]))
    assert "has changed" in judge(held, AuditHead(position=15, mac=m[3], anchor_position=10, anchor_mac=m[4]))
    assert "older copy" in judge(held, AuditHead(position=15, mac=m[3], anchor_position=4, anchor_mac=m[4]))
    assert "older copy" in judge(held, AuditHead(position=15, mac=m[3]))
