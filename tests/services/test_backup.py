"""Backups: online copies that read back, daily with retention, restore that keeps what it replaces."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from keyed import connect_raw

from app.bootstrap import open_store
from app.domain.errors import DomainError
from app.models.db import Store, StoreError
from app.paths import database_path
from app.services import backup
from app.services import dossiers as svc
from app.services.audit import Actor

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


def receive(store: Store, name: str) -> str:
    return svc.receive(
        store, ACTOR, svc.ReceiveRequest("2.000815", svc.ApplicantInput(full_name=name), pages=1, copies=1)
    ).code


def count(path: Path) -> int:
    """Dossiers in a store or backup file (the data folder: the store's, or the backups folder's parent)."""
    data_dir = path.parent.parent if path.parent.name == "backups" else path.parent
    con = connect_raw(data_dir, path)
    try:
        return int(con.execute("SELECT count(*) FROM dossiers").fetchone()[0])
    finally:
        con.close()


def test_backup_while_in_use_reads_back(store: Store, data_dir: Path) -> None:
    receive(store, "Ngô Thị Lan")
    path = backup.backup_now(store, data_dir)
    assert backup.check_file(path, data_dir=data_dir) == [] and count(path) == 1
    assert [b.kind for b in backup.list_backups(data_dir)] == ["manual"]


def test_daily_backup_once_a_day_with_retention(store: Store, data_dir: Path) -> None:
    start = datetime(2026, 11, 1, 7, 0)
    for i in range(20):
        day = start + timedelta(days=i)
        assert backup.daily_backup(store, data_dir, keep=5, now=day) is not None
        assert backup.daily_backup(store, data_dir, keep=5, now=day + timedelta(hours=3)) is None
    dailies = [b for b in backup.list_backups(data_dir) if b.kind == "daily"]
    assert [b.taken_at.date() for b in dailies] == [(start + timedelta(days=19 - i)).date() for i in range(5)]


def test_restore_replaces_a_corrupt_database_and_keeps_it(store: Store, data_dir: Path) -> None:
    receive(store, "Ngô Thị Lan")
    saved = backup.backup_now(store, data_dir)
    receive(store, "Ngô Văn Hai")
    store.dispose()
    live = database_path(data_dir)
    live.write_bytes(b"\x00" * 4096)
    with pytest.raises(StoreError) as err:
        open_store(data_dir)
    assert "db restore" in err.value.problem.vi and str(saved) in err.value.problem.vi
    kept = backup.restore(data_dir, saved)
    assert kept is not None and kept.read_bytes() == b"\x00" * 4096
    reopened = open_store(data_dir)
    try:
        assert count(live) == 1
    finally:
        reopened.dispose()


def test_restore_refuses_a_bad_file(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database")
    before = database_path(data_dir).read_bytes()
    with pytest.raises(DomainError) as err:
        backup.restore(data_dir, bad)
    assert "Không khôi phục được" in err.value.problems[0].vi
    assert database_path(data_dir).read_bytes() == before


def test_restore_refuses_a_newer_schema(store: Store, data_dir: Path) -> None:
    path = backup.backup_now(store, data_dir)
    con = connect_raw(data_dir, path)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()
    assert any("newer" in p for p in backup.check_file(path, data_dir=data_dir))


def test_restore_never_reissues_a_number(store: Store, data_dir: Path) -> None:
    """Numbers handed out after the backup must not come back after restoring it."""
    first = receive(store, "Ngô Thị Lan")
    saved = backup.backup_now(store, data_dir)
    after = [receive(store, f"Người {c}") for c in "ABC"]  # issued after the backup, maybe already synced
    store.dispose()
    backup.restore(data_dir, saved)
    reopened = open_store(data_dir)
    try:
        with pytest.raises(DomainError) as err:  # offline: no fresh lease yet, so nothing to reuse
            receive(reopened, "Người D")
        assert err.value.problems[0].code == "numbering.exhausted"
        from app.models import NumberLease

        with reopened.write() as s:  # a fresh server lease (what the next sync brings)
            s.add(
                NumberLease(
                    agency_eid="000.10.24.H06",
                    day=datetime.now().date(),
                    first_number=1,
                    last_number=5,
                    next_number=1,
                    source="server",
                    granted_at=datetime.now(),
                )
            )
        again = receive(reopened, "Người D")
        assert again not in [first, *after]
    finally:
        reopened.dispose()
