"""Issue 16, D1: a pulled change the desk cannot apply (a code a local dossier already holds) is
quarantined with its reason; the cursor moves on, the rest of the page applies, the server is told and the
operator sees it with the parked events."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from sqlalchemy import text
from srvkit import A, World
from test_desk_sync import NOW, local, make_desk, receive, sync  # noqa: F401 (make_desk: a fixture)

from app.models.db import Store
from app.services.reference import get_setting
from app.sync import engine
from app.sync.service import QUARANTINED_TYPE, parked_rows
from server import cli as server_cli
from server import quarantine


@pytest.mark.expect_log("app.sync.engine", "WARNING", "quarantined")
def test_code_collision_on_pull_is_quarantined_and_the_pull_goes_on(
    make_desk: Callable[[str, str], Store],  # noqa: F811 (the fixture imported above)
    world: World,
) -> None:
    a1, a2 = make_desk(A, "Quầy 1"), make_desk(A, "Quầy 2")
    sync(a1)
    first = receive(a2, "1.001193", "Đặng Văn Hùng", "Phường Bắc Giang, Tỉnh Bắc Ninh", NOW)
    second = receive(a2, "1.001193", "Trần Thị Lan", "Phường Bắc Giang, Tỉnh Bắc Ninh", NOW)
    sync(a2)
    # a1 holds another dossier under the first code (a reused slot, a server that accepted a foreign code…).
    mine = receive(a1, "1.001193", "Công dân Thật", "Phường Bắc Giang, Tỉnh Bắc Ninh", NOW)
    with a1.write() as s:
        s.execute(text("UPDATE dossiers SET code = :c WHERE code = :m"), {"c": first.code, "m": mine.code})

    report = sync(a1)  # before issue 16: sqlite3.IntegrityError (UNIQUE constraint failed: dossiers.code)
    assert report.quarantined == 1
    assert local(a1, second.code).applicant.full_name == "Trần Thị Lan"  # the rest of the page applied
    assert local(a1, first.code).applicant.full_name == "Công dân Thật"  # the local dossier untouched
    with a1.read() as s:
        cursor = int(get_setting(s, engine.KEY_CURSOR, 0) or 0)
    assert cursor > 0

    # Shown with the parked events, with the code and its reason; counted in the status bar's figure.
    rows = [r for r in parked_rows(a1) if r.type == QUARANTINED_TYPE]
    assert len(rows) == 1 and rows[0].code == first.code and first.code in rows[0].reason
    assert engine.outbox_counts(a1)[1] >= 1

    # The server was told, once.
    held = quarantine.listing(world.live.db)
    assert [(r.code, r.centre_eid) for r in held] == [(first.code, A)]
    later = receive(a2, "1.001193", "Lê Văn Nam", "Phường Bắc Giang, Tỉnh Bắc Ninh", NOW)
    sync(a2)
    again = sync(a1)  # later rounds keep pulling (and leasing); the quarantine is not reported twice
    assert again.quarantined == 0
    assert local(a1, later.code).applicant.full_name == "Lê Văn Nam"
    assert len(quarantine.listing(world.live.db)) == 1
    out = io.StringIO()
    assert server_cli.main(["quarantined", "--db", world.live.db_url], out=out) == 0
    assert first.code in out.getvalue()
