"""Times stored as text compare as times: revision 0005_times and the midnight edge of a period."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

from app.models.db import Store, make_engine
from app.models.migrate import upgrade
from app.services import dossiers as svc
from app.services import printing
from app.services.audit import Actor
from tests.services.test_printing import squashed


def test_0005_gives_whole_second_times_their_fraction(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    upgrade(engine, "0004_digitise")
    engine.dispose()
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO holiday_overrides (day, kind, note, notice, source)"
            " VALUES ('2026-12-31', 'off', 'x', '', 'server')"
        )
        con.execute(
            "INSERT INTO audit_entries (at, operator_name, workstation_name, action, entity, entity_id,"
            " details, prev_hash, hash) VALUES (?, 'op', 'ws', 'receive', 'dossier', 'd1', '{}', '', 'h1')",
            ("2026-01-01 00:00:00",),
        )
        con.execute(
            "INSERT INTO audit_entries (at, operator_name, workstation_name, action, entity, entity_id,"
            " details, prev_hash, hash) VALUES (?, 'op', 'ws', 'receive', 'dossier', 'd2', '{}', 'h1', 'h2')",
            ("2026-01-01 00:00:00.250000",),
        )
    con.close()
    engine = make_engine(path)
    upgrade(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    got = [r[0] for r in con.execute("SELECT at FROM audit_entries ORDER BY entity_id")]
    # The day column (DATE) is not a time and stays as it was.
    day = con.execute("SELECT day FROM holiday_overrides").fetchone()[0]
    con.close()
    assert got == ["2026-01-01 00:00:00.000000", "2026-01-01 00:00:00.250000"]
    assert day == "2026-12-31"


def test_a_dossier_received_at_midnight_is_in_the_logbook_of_that_day(store: Store) -> None:
    r = svc.receive(
        store,
        Actor("Op", "Quầy 1"),
        svc.ReceiveRequest(
            "1.004873",
            svc.ApplicantInput(
                full_name="Đặng Thị Hoa",
                personal_id="024190012345",
                address="Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang",
            ),
            received_at=datetime(2026, 11, 2, 0, 0, 0),
        ),
    )
    assert r.code in squashed(printing.logbook(store, date(2026, 11, 2), date(2026, 11, 2)))
    assert r.code not in squashed(printing.logbook(store, date(2026, 11, 1), date(2026, 11, 1)))
