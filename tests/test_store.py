"""The local store: pragmas, migrations (no drift, upgrades keep data), start-up refusals."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from keyed import connect_raw, give_store_key, key_of
from sqlalchemy import func, select, text

from app.bootstrap import open_store
from app.models import AdminUnit, Base, Centre, Procedure
from app.models.db import Store, StoreError, integrity_check, make_engine
from app.models.migrate import alembic_config, current_revision, head_revision, upgrade
from app.models.migrations.env_filters import include_name
from app.paths import backup_dir, database_path
from app.services import storekey
from app.sync import credentials


def test_connection_pragmas(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), store.write() as s:
        s.execute(text("INSERT INTO unit_successions (old_unit_id, new_unit_id, note) VALUES (-1, -2, '')"))


def test_migrated_schema_equals_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "db.sqlite3")
    upgrade(engine)
    with engine.connect() as conn:
        opts = {"compare_type": True, "render_as_batch": True, "include_name": include_name}
        ctx = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(ctx, Base.metadata) == []
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_head_constant_matches_the_migration_scripts() -> None:
    from app.models import migrate

    assert head_revision() == migrate.HEAD, "update app.models.migrate.HEAD with the new migration"


def test_every_revision_is_reachable_in_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    revisions = [r.revision for r in script.walk_revisions()]
    assert revisions[-1] == "0001" and revisions[0] == head_revision()


def _fill_at_first_revision(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Rows written with plain SQL against the first schema, as an old version of the app would."""
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO admin_units (id, code, name, name_folded, level, kind, province_code, province_name,"
            " valid_from) VALUES (1, '24', 'Tỉnh Bắc Ninh', 'tinh bac ninh', 'province', 'tinh', '24',"
            " 'Tỉnh Bắc Ninh', '2025-07-01')"
        )
        con.execute(
            "INSERT INTO centres (id, agency_eid, kind, name, parent_name, province_code, place_name,"
            " address,"
            " hotline, lookup_url, morning_hours, afternoon_hours, is_home) VALUES (1, '000.10.24.H06',"
            " 'commune_centre', 'TTPVHCC phường Bắc Giang', 'UBND', '24', 'Bắc Giang', '', '', '',"
            " '07:00-11:30', '13:30-17:00', 1)"
        )
        con.execute(
            "INSERT INTO procedures (id, code, name, name_folded, field, level, competent_agency, time_value,"
            " time_unit, time_text, fee_vnd, fee_text, channels, cross_boundary, active, notes) VALUES"
            " (1, '1.001193', 'Đăng ký khai sinh', 'dang ky khai sinh', 'Hộ tịch', 'commune', 'UBND cấp xã',"
            " 0, 'same_day', '', 0, '', '[\"direct\"]', 0, 1, '')"
        )
        con.execute(
            "INSERT INTO applicants (id, full_name, name_folded, address, created_at) VALUES"
            " ('a1', 'Đặng Thị Hoa', 'dang thi hoa', '', '2025-08-01 08:00:00')"
        )
        con.execute(
            "INSERT INTO dossiers (id, code, lookup_secret, procedure_id, applicant_id, receiving_centre_id,"
            " receiving_agency, competent_agency, handling_agency, scenario, channel, received_at, due_at,"
            " status, papers_received, sets_count, fee_vnd, result_delivery, notes, version, created_at,"
            " updated_at) VALUES ('d1', '000.10.24.H06-250801-0001', 'AB12', 1, 'a1', 1, 'x', 'y', 'z', 'a',"
            " 'direct', '2025-08-01 08:00:00', '2025-08-01 17:00:00', 'received', '[]', 1, 0, 'counter', '',"
            " 1, '2025-08-01 08:00:00', '2025-08-01 08:00:00')"
        )
        con.execute(
            "INSERT INTO dossier_events (id, dossier_id, seq, action, from_status, to_status, occurred_at,"
            " operator_name, workstation_name, reason, payload, origin) VALUES ('e1', 'd1', 1, 'receive',"
            " NULL, 'received', '2025-08-01 08:00:00', 'op', 'ws', '', '{}', 'local')"
        )
        con.execute(
            "INSERT INTO audit_entries (at, operator_name, workstation_name, action, entity, entity_id,"
            " details, prev_hash, hash) VALUES ('2025-08-01 08:00:00', 'op', 'ws', 'receive',"
            " 'dossier', 'd1',"
            " '{}', '', 'h1')"
        )
    # dossier_events refer to dossiers ON DELETE CASCADE: a migration that rebuilds ``dossiers`` with
    # foreign keys on would delete them all.
    tables = [
        "admin_units",
        "centres",
        "procedures",
        "applicants",
        "dossiers",
        "dossier_events",
        "audit_entries",
    ]
    snapshot = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    con.close()
    return snapshot


def _whole_second_text(value: object) -> object:
    """A time as the first revision stored it: ``.000000`` (added by 0005_times) taken off."""
    if isinstance(value, str) and len(value) == 26 and value.endswith(".000000") and value[10] == " ":
        return value[:19]
    return value


def test_upgrade_from_first_revision_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    upgrade(engine, "0001")
    engine.dispose()
    before = _fill_at_first_revision(path)
    engine = make_engine(path)
    upgrade(engine, backup_to=tmp_path / "backups")
    engine.dispose()
    con = sqlite3.connect(path)
    cols = {t: [c[1] for c in con.execute(f"PRAGMA table_info({t})")] for t in before}
    for table, rows in before.items():
        # Compare the columns that existed at the first revision, row by row.
        first_cols = len(rows[0])
        after = con.execute(
            f"SELECT {', '.join(cols[table][:first_cols])} FROM {table} ORDER BY 1"
        ).fetchall()
        # The same rows; 0005_times only appends ".000000" to whole-second times.
        assert [tuple(map(_whole_second_text, r)) for r in after] == rows, table
    # Rows written before the search index existed are indexed by the migration that adds it.
    query = "SELECT rowid FROM dossier_search WHERE dossier_search MATCH 'dang AND hoa'"
    found = con.execute(query).fetchall()
    assert found == con.execute("SELECT rowid FROM dossiers WHERE id = 'd1'").fetchall()
    con.close()


def test_store_loads_reference_and_demo(store: Store) -> None:
    with store.read() as s:
        current = select(func.count()).where(AdminUnit.level == "commune", AdminUnit.valid_to.is_(None))
        assert s.scalar(current) == 3321
        assert s.scalar(select(func.count()).select_from(Procedure)) >= 30
        home = s.scalar(select(Centre).where(Centre.is_home.is_(True)))
        assert home is not None and home.unit_code == "07210"
    assert integrity_check(store.engine) == []


def test_reopening_does_not_reload_reference(data_dir: Path) -> None:
    s = open_store(data_dir, demo=True)
    with s.read() as session:
        first = session.scalar(select(func.max(AdminUnit.id)))
    s.dispose()
    s = open_store(data_dir, demo=True)
    with s.read() as session:
        assert session.scalar(select(func.max(AdminUnit.id))) == first
        assert session.scalar(select(func.count()).select_from(Centre)) == 3  # demo not installed twice
    s.dispose()


def test_corrupt_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = database_path(tmp_path)
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as err:
        open_store(tmp_path)
    # Not a plain SQLite file and no key in the keyring: an encrypted store whose key is lost, or garbage.
    assert err.value.problem.code == "store.key_missing"
    assert "bị hỏng" in err.value.problem.vi and "db key import" in err.value.problem.vi
    assert path.read_bytes() == b"this is not a database" * 100
    credentials.save_secret(
        storekey.keyring_name(tmp_path), "ab" * 32
    )  # with a key: read as damaged (or the wrong key)
    with pytest.raises(StoreError) as err:
        open_store(tmp_path)
    assert err.value.problem.code == "store.key_wrong" and "bị hỏng" in err.value.problem.vi
    assert path.read_bytes() == b"this is not a database" * 100


def test_damaged_sqlite_file_is_refused(tmp_path: Path, template_dir: Path) -> None:
    path = database_path(tmp_path)
    give_store_key(template_dir, tmp_path)
    data = bytearray(database_path(template_dir).read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page (its ciphertext: the page's MAC fails)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as err:
        open_store(tmp_path)
    assert err.value.problem.code == "store.key_wrong"  # page 1 unreadable: a wrong key or a damaged file
    assert "khôi phục bản sao lưu" in err.value.problem.vi


def test_newer_database_is_refused(data_dir: Path) -> None:
    con = connect_raw(data_dir)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()
    with pytest.raises(StoreError) as err:
        open_store(data_dir)
    assert err.value.problem.code == "store.too_new"
    assert "mới hơn" in err.value.problem.vi


def test_unwritable_folder_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as err:
        open_store(blocker / "data")
    assert err.value.problem.code == "store.unwritable"


def test_migration_takes_a_backup_first(tmp_path: Path) -> None:
    path = database_path(tmp_path)
    engine = make_engine(path)
    upgrade(engine, "0001")
    engine.dispose()
    if head_revision() == "0001":
        pytest.skip("only one migration exists: nothing to upgrade, so no backup is taken")
    open_store(tmp_path).dispose()
    backups = list(backup_dir(tmp_path).glob("before-migration-0001-*.sqlite3"))
    assert len(backups) == 1
    con = connect_raw(tmp_path, backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    con.close()


def test_a_failed_before_migration_backup_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup fails (a full disk): the migration does not run, and no half copy is left behind."""
    from app.models import migrate

    path = database_path(tmp_path)
    engine = make_engine(path)
    upgrade(engine, "0001")
    if head_revision() == "0001":
        pytest.skip("only one migration exists: nothing to upgrade, so no backup is taken")

    def full_disk(engine: object, dest: Path, key: bytes | None = None) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"SQLite format 3\x00 half")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(migrate, "backup_database", full_disk)
    with pytest.raises(sqlite3.OperationalError):
        upgrade(engine, backup_to=backup_dir(tmp_path))
    assert list(backup_dir(tmp_path).iterdir()) == []
    assert current_revision(engine) == "0001"
    engine.dispose()


def test_dates_round_trip(store: Store) -> None:
    with store.read() as s:
        unit = s.scalar(select(AdminUnit).where(AdminUnit.code == "07210", AdminUnit.valid_to.is_(None)))
        assert unit is not None and unit.valid_from == date(2025, 7, 1)
        proc = s.scalar(select(Procedure).limit(1))
        assert proc is not None and isinstance(proc.updated_at, datetime)


def test_table_rebuilds_keep_the_rows_that_refer_to_the_table(store: Store, data_dir: Path) -> None:
    """Taking 0002 back rebuilds ``dossiers`` (SQLite cannot drop a column in place): with foreign keys on,
    dropping the old table would delete every dossier event through ON DELETE CASCADE. Migrations run with
    foreign keys off and check the references before committing."""
    from app.models.migrate import downgrade
    from app.services import dossiers as svc
    from app.services.audit import Actor

    applicant = svc.ApplicantInput(full_name="Đặng Văn Hùng", address="Phường Bắc Giang")
    svc.receive(store, Actor("a", "b"), svc.ReceiveRequest("1.001193", applicant))
    store.dispose()
    engine = make_engine(database_path(data_dir), key_of(data_dir))
    downgrade(engine, "0001")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dossier_events")).scalar() == 1
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dossier_events")).scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the pool
    engine.dispose()


def test_0004_rules_keeps_the_first_promised_date(tmp_path: Path) -> None:
    """Existing dossiers get ``original_due_at``: the due date, or the one before the first apology."""
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    upgrade(engine, "0001")
    engine.dispose()
    _fill_at_first_revision(path)
    engine = make_engine(path)
    upgrade(engine, "0003")
    engine.dispose()
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE dossiers SET due_at = '2025-08-08 17:00:00' WHERE id = 'd1'")
        con.execute(
            "INSERT INTO dossier_events (id, dossier_id, seq, action, from_status, to_status, occurred_at,"
            " operator_name, workstation_name, reason, payload, origin) VALUES ('e2', 'd1', 2, 'apologise',"
            " 'received', 'received', '2025-08-01 09:00:00', 'op', 'ws', 'x',"
            ' \'{"new_due_at":"2025-08-08T17:00:00","previous_due_at":"2025-08-01T17:00:00"}\', \'local\')'
        )
        con.execute("INSERT INTO holiday_overrides (day, kind, note) VALUES ('2026-12-31', 'off', 'x')")
    con.close()
    engine = make_engine(path)
    upgrade(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    row = con.execute(
        "SELECT due_at, original_due_at, pages, fee_basis FROM dossiers WHERE id = 'd1'"
    ).fetchone()
    # 0005_times gives whole-second times the fraction SQLAlchemy writes.
    assert (
        row[0] == "2025-08-08 17:00:00.000000"
        and row[1].startswith("2025-08-01 17:00:00")
        and row[2:]
        == (
            0,
            "",
        )
    )
    assert con.execute("SELECT notice, source FROM holiday_overrides").fetchall() == [("", "server")]
    con.close()
