"""Crashes during maintenance: ``db backup``, ``db restore`` and a schema migration are killed (SIGKILL)
before each of their steps in turn (``faults/crashpoint.py``: every file-system call and SQLite call that
changes the disk). After every kill the next start must find a sound store holding all its data: the old
database or the restored one, never an empty new one, never half a backup under a backup's name, and the
database a restore replaced always kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from auditkit import make_unkeyed
from faults.harness import raw_connect, store_key, store_problems

from app.bootstrap import open_store
from app.models.db import make_engine
from app.models.migrate import current_revision, downgrade, head_revision
from app.paths import backup_dir, database_path
from app.services import backup
from app.services import dossiers as svc
from app.services.audit import Actor

pytestmark = pytest.mark.slow

CRASHPOINT = Path(__file__).resolve().parent / "crashpoint.py"
ACTOR = Actor("Nguyễn Thị Lan", "Quầy 1")


def sweep(
    pristine: Path, work: Path, *command: str, kinds: str = "fs,sql", every: int = 1
) -> list[dict[str, Any]]:
    """Kill ``command`` before its 1st, (1+every)th, … step until a run completes; the killed runs."""
    proc = subprocess.run(
        [
            sys.executable,
            str(CRASHPOINT),
            "--pristine",
            str(pristine),
            "--work",
            str(work),
            "--kinds",
            kinds,
            "--every",
            str(every),
            "--",
            *command,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    runs = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode == 0 and runs, proc.stdout + proc.stderr
    last = runs[-1]
    assert last["killed"] is False and last["exit"] == 0, last
    return runs[:-1]


NAMES = ("Đặng Văn Hùng", "Trần Thị Mai", "Lê Quang Vinh", "Phạm Thu Hà")


def receive(store: Any, n: int) -> list[str]:
    return [
        svc.receive(
            store,
            ACTOR,
            svc.ReceiveRequest(
                "1.001193",
                svc.ApplicantInput(full_name=NAMES[i % len(NAMES)], address="Phường Bắc Giang"),
                received_at=datetime(2026, 11, 30, 9, i),
            ),
        ).code
        for i in range(n)
    ]


def codes_in(db: Path) -> set[str]:
    con = raw_connect(db, readonly=True)
    try:
        return {r[0] for r in con.execute("SELECT code FROM dossiers WHERE code IS NOT NULL")}
    finally:
        con.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if ".restoring" in p.name or p.name.endswith(".partial"))


@pytest.mark.expect_log("app.services.backup", "WARNING", "finishing a restore that was interrupted")
def test_restore_killed_at_every_step(tmp_path: Path, data_dir: Path) -> None:
    store = open_store(data_dir, demo=True)
    older = receive(store, 1)
    source = tmp_path / "backup.sqlite3"
    source.write_bytes(backup.backup_now(store, data_dir).read_bytes())
    newer = receive(store, 2)
    store.dispose()
    everything = set(older + newer)

    runs = sweep(data_dir, tmp_path / "work", "db", "restore", str(source), "--data-dir", "{data}")
    outcomes = {"old": 0, "restored": 0}
    for run in runs:
        folder = tmp_path / "work" / str(run["k"])
        open_store(folder).dispose()  # the next start (finishes a restore that was decided)
        db = database_path(folder)
        assert not store_problems(db), (run, store_problems(db))
        assert not leftovers(folder), run
        live = codes_in(db)
        if live == everything:
            outcomes["old"] += 1
        else:
            assert live == set(older), run  # the restored copy, whole
            outcomes["restored"] += 1
            kept = [b.path for b in backup.list_backups(folder) if b.kind == "replaced"]
            assert [codes_in(p) for p in kept] == [everything], run  # the replaced database is kept
    steps = " ".join(r["step"] for r in runs)
    assert ".restoring-partial" in steps and "-replaced.sqlite3" in steps  # every phase was cut
    assert outcomes["old"] and outcomes["restored"], outcomes


def test_backup_killed_at_every_step(tmp_path: Path, data_dir: Path) -> None:
    store = open_store(data_dir, demo=True)
    codes = set(receive(store, 3))
    store.dispose()
    runs = sweep(data_dir, tmp_path / "work", "db", "backup", "--data-dir", "{data}")
    assert any("online backup" in r["step"] for r in runs)
    for run in runs:
        folder = tmp_path / "work" / str(run["k"])
        open_store(folder).dispose()
        db = database_path(folder)
        assert not store_problems(db) and codes_in(db) == codes, run
        for b in backup.list_backups(folder):  # whatever is offered for restoring is whole
            assert not backup.check_file(b.path, data_dir=b.path.parent.parent), (run, b.path)
            assert codes_in(b.path) == codes


def _downgrade_to_first_revision(data_dir: Path) -> None:
    engine = make_engine(database_path(data_dir), store_key(database_path(data_dir)))
    downgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    engine.dispose()
    # The audit chain as the first version wrote it: the seals written since describe columns the
    # downgrade dropped (the fee, the first promised date…), which no store of that version ever had.
    con = raw_connect(database_path(data_dir))
    try:
        make_unkeyed(con)
    finally:
        con.close()


def test_migration_killed_at_its_steps(tmp_path: Path, data_dir: Path) -> None:
    """An operator's database of the first version, upgraded at start-up, the process killed at every
    third step (the before-migration backup, then Alembic's statements in one transaction)."""
    store = open_store(data_dir, demo=True)
    codes = set(receive(store, 3))
    store.dispose()
    _downgrade_to_first_revision(data_dir)
    runs = sweep(data_dir, tmp_path / "work", "db", "check", "--data-dir", "{data}", every=3)
    # Killed inside the before-migration backup (its copy, or its rename into place).
    backup_steps = ("before-migration", "online backup", "journal_mode = DELETE")  # three in a row
    assert any(any(s in r["step"] for s in backup_steps) for r in runs)
    assert any("CREATE TRIGGER" in r["step"] for r in runs)  # inside the last migration
    for run in runs:
        folder = tmp_path / "work" / str(run["k"])
        store = open_store(folder)  # the next start migrates whatever the kill left
        engine_revision = current_revision(store.engine)
        store.dispose()
        db = database_path(folder)
        assert engine_revision == head_revision()
        assert not store_problems(db) and codes_in(db) == codes, run
        for b in backup.list_backups(folder):
            assert not backup.check_file(b.path, data_dir=b.path.parent.parent), (run, b.path)
        assert backup_dir(folder).is_dir()
