"""Reference data cached per version token: every change to a reference table renews the token (in any
process, through any connection), so what the use cases cached is never stale; the hot path's prepared
inserts store rows exactly as the ORM does."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from keyed import connect_raw, key_of
from sqlalchemy import Connection, insert, select, text, update

from app.bootstrap import open_store
from app.domain.errors import DomainError
from app.models import Applicant, Centre, DossierEvent, HolidayOverride, OutboxEntry, Procedure
from app.models.db import Store, make_engine
from app.models.fastwrite import RowInserter
from app.models.migrate import upgrade
from app.models.reference_version import OPERATIONS, TABLES, current_token, ensure_triggers, trigger_name
from app.paths import database_path
from app.services import dossiers as svc
from app.services import storekey
from app.services.audit import Actor
from app.services.desk import load_calendar, load_desk, reference

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
MONDAY = datetime(2026, 11, 30, 9, 15)


def token(store: Store) -> str:
    with store.read() as s:
        return current_token(s.connection())


def triggers(conn: Connection) -> set[str]:
    return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def request(code: str = "1.001193", **kw: object) -> svc.ReceiveRequest:
    a = svc.ApplicantInput(full_name="Đặng Văn Hùng", personal_id="024090012345", address="Phường Bắc Giang")
    return svc.ReceiveRequest(code, a, received_at=MONDAY, **kw)  # type: ignore[arg-type]


def test_every_reference_table_has_its_triggers_at_head(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "db.sqlite3")
    upgrade(engine)
    with engine.connect() as conn:
        assert {trigger_name(t, op) for t in TABLES for op in OPERATIONS} <= triggers(conn)
        assert len(conn.execute(text("SELECT token FROM reference_version")).all()) == 1
    engine.dispose()


def test_a_dropped_trigger_is_put_back(tmp_path: Path) -> None:
    """What a later migration's table rebuild would do (SQLite drops the old table's triggers)."""
    engine = make_engine(tmp_path / "db.sqlite3")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER {trigger_name('procedures', 'update')}"))
        ensure_triggers(conn)
        ensure_triggers(conn)  # idempotent
        assert trigger_name("procedures", "update") in triggers(conn)
        assert len(conn.execute(text("SELECT token FROM reference_version")).all()) == 1
    engine.dispose()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE centres SET afternoon_hours = '13:00-16:30' WHERE is_home = 1",
        "UPDATE workstations SET slot = 3",
        "UPDATE procedures SET fee_vnd = fee_vnd + 1000 WHERE code = '1.001193'",
        "DELETE FROM procedure_papers WHERE id = (SELECT min(id) FROM procedure_papers)",
        "UPDATE admin_units SET name = name WHERE code = '07198'",
        "DELETE FROM unit_successions WHERE rowid = (SELECT min(rowid) FROM unit_successions)",
        "INSERT INTO holiday_overrides (day, kind, note) VALUES ('2026-12-01', 'off', 'x')",
    ],
)
def test_a_change_to_any_reference_table_renews_the_token(store: Store, sql: str) -> None:
    before = token(store)
    with store.write() as s:
        assert s.execute(text(sql)).rowcount >= 1
    assert token(store) != before


def test_dossier_writes_keep_the_token(store: Store) -> None:
    before = token(store)
    svc.receive(store, ACTOR, request())
    assert token(store) == before


def test_cached_procedure_follows_a_change_from_another_process(store: Store, data_dir: Path) -> None:
    first = svc.preview(store, "1.001193", received_at=MONDAY)
    # Another program (the command line, a sync round) changes the fee on its own connection.
    con = connect_raw(data_dir)
    with con:
        con.execute("UPDATE procedures SET fee_vnd = ? WHERE code = '1.001193'", (first.fee_vnd + 5000,))
    con.close()
    assert svc.preview(store, "1.001193", received_at=MONDAY).fee_vnd == first.fee_vnd + 5000
    r = svc.receive(store, ACTOR, request())
    with store.read() as s:
        fee = s.execute(text("SELECT fee_vnd FROM dossiers WHERE id = :i"), {"i": r.dossier_id}).scalar()
    assert fee == first.fee_vnd + 5000


def test_withdrawn_procedure_is_refused_at_once(store: Store) -> None:
    svc.receive(store, ACTOR, request())
    with store.write() as s:
        s.execute(update(Procedure).where(Procedure.code == "1.001193").values(active=False))
    with pytest.raises(DomainError, match="1.001193"):
        svc.receive(store, ACTOR, request())


def test_holiday_override_changes_the_due_date(store: Store) -> None:
    with store.read() as s:
        before = load_calendar(s).due_at(MONDAY, 3, "working_days")
    with store.write() as s:
        s.add(HolidayOverride(day=date(2026, 12, 1), kind="off", note="test"))
    with store.read() as s:
        assert load_calendar(s).due_at(MONDAY, 3, "working_days") > before


def test_change_in_the_same_transaction_is_seen(store: Store) -> None:
    """A use case that changes reference data and reads it back before committing gets the new data."""
    with store.write() as s:
        name = load_desk(s).centre_name
        home = s.scalar(select(Centre).where(Centre.is_home.is_(True)))
        assert home is not None
        home.name = name + " (mới)"  # pending in the session, not flushed yet
        assert load_desk(s).centre_name == name + " (mới)"
        s.rollback()
    with store.read() as s:
        assert load_desk(s).centre_name == name


def test_two_stores_with_diverging_reference_data_do_not_share_a_cache(
    tmp_path: Path, data_dir: Path
) -> None:
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    database_path(other_dir).write_bytes(database_path(data_dir).read_bytes())  # same file, same token
    storekey.import_text(other_dir, key_of(data_dir).hex())  # and the same key
    a, b = open_store(data_dir, demo=True), open_store(other_dir, demo=True)
    try:
        with b.write() as s:
            s.execute(update(Procedure).where(Procedure.code == "1.001193").values(fee_vnd=123_000))
        assert svc.preview(a, "1.001193").fee_vnd != 123_000
        assert svc.preview(b, "1.001193").fee_vnd == 123_000
    finally:
        a.dispose()
        b.dispose()


def test_unknown_codes_stay_bounded(store: Store) -> None:
    with store.read() as s:
        ref = reference(s)
        for i in range(5000):
            assert ref.procedure(s, f"x{i}") is None
        assert len(ref._procedures) <= 2000


# --- prepared inserts ---------------------------------------------------------------------------------


def _orm_vs_fast(
    store: Store, table: object, rows: tuple[dict[str, object], dict[str, object]], key: str
) -> None:
    fast = RowInserter(table)  # type: ignore[arg-type]
    with store.write() as s:
        s.execute(insert(table), [rows[0]])  # type: ignore[arg-type]
        fast(s.connection(), rows[1])
    with store.read() as s:
        stored = [
            dict(r._mapping)
            for r in s.execute(
                text(f"SELECT * FROM {table.name} WHERE {key} IN (:a, :b) ORDER BY {key}"),  # type: ignore[attr-defined]
                {"a": rows[0][key], "b": rows[1][key]},
            )
        ]
    assert len(stored) == 2
    for r in stored:
        r.pop(key)
        r.pop("seq", None)  # the outbox's own autoincrement key
    assert stored[0] == stored[1]


def test_prepared_insert_stores_what_core_stores(store: Store) -> None:
    at = datetime(2026, 11, 30, 9, 15, 7, 120)
    applicant = {
        "personal_id": "024090012345",
        "old_id": None,
        "full_name": "Đặng Văn Hùng",
        "name_folded": "dang van hung",
        "birth_date": date(1990, 2, 1),
        "gender": "Nam",
        "phone": "0912345678",
        "email": None,
        "address": "Phường Bắc Giang",
        "unit_code": "07198",
        "created_at": at,
    }
    _orm_vs_fast(store, Applicant.__table__, ({"id": "a1", **applicant}, {"id": "a2", **applicant}), "id")
    entry = {
        "dossier_id": None,
        "event_type": "dossier.received",
        "payload": {"b": [1, "ư"], "a": None},
        "created_at": at,
        "state": "pending",
        "attempts": 0,
        "last_error": "",
        "sent_at": None,
    }
    _orm_vs_fast(
        store, OutboxEntry.__table__, ({"event_id": "e1", **entry}, {"event_id": "e2", **entry}), "event_id"
    )


def test_prepared_insert_wants_every_column(store: Store) -> None:
    with store.write() as s, pytest.raises(KeyError, match="missing"):
        RowInserter(DossierEvent.__table__)(s.connection(), {"id": "x"})


def test_prepared_insert_errors_are_sqlalchemy_errors(store: Store) -> None:
    """So that the store's translation (disk full, read-only, busy) applies to them as to the rest."""
    from sqlalchemy.exc import IntegrityError

    row = {c.name: None for c in DossierEvent.__table__.columns}
    with pytest.raises(IntegrityError), store.write() as s:
        RowInserter(DossierEvent.__table__)(s.connection(), row)


def test_a_catalogue_entry_pulled_again_writes_nothing(store: Store) -> None:
    """Sync sends the whole procedure on every catalogue change; one that says what the desk already
    has must not rewrite it (nor renew the token the cached reference data hang on)."""
    from app.services.reference import upsert_procedure

    with store.read() as s:
        proc = s.scalar(select(Procedure).where(Procedure.code == "1.001193"))
        assert proc is not None
        item = {
            "code": proc.code,
            "name": proc.name,
            "field": proc.field,
            "level": proc.level,
            "competent_agency": proc.competent_agency,
            "time_value": proc.time_value,
            "time_unit": proc.time_unit,
            "time_text": proc.time_text,
            "fee_vnd": proc.fee_vnd,
            "fee_text": proc.fee_text,
            "channels": proc.channels,
            "cross_boundary": proc.cross_boundary,
            "unsure": proc.notes,
            "papers": [
                {"name": p.name, "form": p.form, "count": p.count, "note": p.note} for p in proc.papers
            ],
        }
        stamp = proc.updated_at
    before = token(store)
    with store.write() as s:
        upsert_procedure(s, item, datetime(2030, 1, 1))
    assert token(store) == before
    with store.read() as s:
        assert s.scalar(select(Procedure.updated_at).where(Procedure.code == "1.001193")) == stamp

    item["papers"] = [*item["papers"], {"name": "Giấy tờ mới", "form": "copy", "count": 1}]
    with store.write() as s:
        upsert_procedure(s, item, datetime(2030, 1, 1))
    assert token(store) != before
    with store.read() as s:
        proc = s.scalar(select(Procedure).where(Procedure.code == "1.001193"))
        assert proc is not None and proc.updated_at == datetime(2030, 1, 1)
        assert [p.name for p in proc.papers][-1] == "Giấy tờ mới"
