"""Issue 16, item 8 (D3, D9): a local store that never forgets.

A missing or empty database where the data folder shows a store existed is refused (never replaced by an
empty one); ``db check`` reports damaged pages as findings (exit 1), never a crash (exit 70); after an
unclean shutdown a quick check runs before the first write and a damaged store refuses writes.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from keyed import connect_raw

from app.bootstrap import open_store
from app.cli.main import main
from app.paths import database_path
from app.services import backup, continuity
from app.services.store import StoreError


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _with_backup(data_dir: Path) -> Path:
    store = open_store(data_dir, demo=True)
    try:
        return backup.backup_now(store, data_dir)
    finally:
        store.dispose()


@pytest.mark.parametrize("how", ["truncated", "deleted"])
def test_a_lost_store_is_not_replaced_by_an_empty_one(data_dir: Path, how: str) -> None:
    taken = _with_backup(data_dir)
    db = database_path(data_dir)
    if how == "truncated":
        db.write_bytes(b"")
    else:
        db.unlink()
    with pytest.raises(StoreError) as caught:
        open_store(data_dir, demo=True)
    problem = caught.value.problem
    assert problem.code == "store.missing"
    assert str(taken) in problem.vi and "db restore" in problem.vi
    # The command line: exit 2 with the message, and still no store created.
    code, out, err = run(
        "receive", "--procedure", "1.001193", "--name", "Lê Văn A", "--data-dir", str(data_dir)
    )
    assert code == 2 and "bị mất hoặc rỗng" in err and str(taken) in err
    assert not db.exists() or db.stat().st_size == 0
    code, _out, err = run("db", "check", "--data-dir", str(data_dir))
    assert code == 2 and "db restore" in err


def test_the_creation_marker_alone_is_evidence(data_dir: Path) -> None:
    open_store(data_dir).dispose()
    assert (data_dir / continuity.CREATED_MARKER).exists()
    database_path(data_dir).unlink()
    with pytest.raises(StoreError, match="missing or empty"):
        open_store(data_dir)


def test_the_keyring_alone_is_evidence(data_dir: Path) -> None:
    open_store(data_dir).dispose()
    (data_dir / continuity.CREATED_MARKER).unlink()
    database_path(data_dir).write_bytes(b"")
    with pytest.raises(StoreError, match="OS keyring"):
        open_store(data_dir)


def test_a_new_folder_still_gets_a_new_store(tmp_path: Path) -> None:
    open_store(tmp_path / "fresh").dispose()
    assert database_path(tmp_path / "fresh").stat().st_size > 0


def _damage_an_index(path: Path) -> str:
    """Overwrite the root page of the largest index with garbage; returns the index's name."""
    con = connect_raw(path.parent)
    try:
        page_size = int(con.execute("PRAGMA page_size").fetchone()[0])  # SQLCipher answers a string
        name, root = con.execute(
            "SELECT name, rootpage FROM sqlite_master WHERE type = 'index' AND rootpage > 1 "
            "AND tbl_name = 'admin_units' ORDER BY rootpage DESC LIMIT 1"
        ).fetchone()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size + 8)
        fh.write(b"\xa5" * (page_size - 16))
    return str(name)


def test_db_check_reports_damaged_index_pages_never_crashes(data_dir: Path) -> None:
    _with_backup(data_dir)
    _damage_an_index(database_path(data_dir))
    code, out, err = run("db", "check", "--data-dir", str(data_dir))
    assert code == 1, (out, err)  # was 70 ("Lỗi không mong đợi") before issue 16
    assert out.startswith("CÓ LỖI:") and "db restore" in out
    assert "Traceback" not in out + err


def test_db_check_reports_foreign_key_damage(data_dir: Path) -> None:
    con = connect_raw(data_dir)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute(
        "INSERT INTO dossier_events (id, dossier_id, seq, action, to_status, occurred_at, operator_name, "
        "workstation_name, reason, payload, origin) VALUES ('e', 'no-such-dossier', 1, 'receive', "
        "'received', '2026-01-01 00:00:00', '', '', '', '{}', 'local')"
    )
    con.commit()
    con.close()
    code, out, _err = run("db", "check", "--data-dir", str(data_dir))
    assert code == 1 and "CÓ LỖI" in out and "foreign key" in out


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)


def _unclean(data_dir: Path) -> None:
    """What a killed desk leaves: its "store open" marker."""
    (data_dir / f"{database_path(data_dir).name}{continuity.OPEN_MARKER}{_dead_pid()}").touch()


@pytest.mark.expect_log("app.bootstrap", "WARNING", "quick check")
def test_after_an_unclean_shutdown_a_damaged_store_refuses_writes(data_dir: Path) -> None:
    taken = _with_backup(data_dir)
    _damage_an_index(database_path(data_dir))
    _unclean(data_dir)
    with pytest.raises(StoreError) as caught:  # before issue 16 it opened and took writes
        open_store(data_dir)
    assert caught.value.problem.code == "store.corrupt" and str(taken) in caught.value.problem.vi
    code, _out, err = run(
        "receive", "--procedure", "1.001193", "--name", "Lê Văn A", "--data-dir", str(data_dir)
    )
    assert code == 2 and "quick_check" in err
    # db check still reports it; the store it opens takes no write.
    store = open_store(data_dir, damaged_ok=True)
    try:
        assert store.damaged
        with pytest.raises(StoreError), store.write():
            pass
    finally:
        store.dispose()
    code, out, _err = run("db", "check", "--data-dir", str(data_dir))
    assert code == 1 and "CÓ LỖI" in out


def test_after_an_unclean_shutdown_a_sound_store_opens_and_the_marker_goes(data_dir: Path) -> None:
    open_store(data_dir).dispose()
    _unclean(data_dir)
    assert continuity.unclean_shutdown(data_dir)
    store = open_store(data_dir)
    store.dispose()
    assert not continuity.unclean_shutdown(data_dir)
    assert not list(data_dir.glob("*.open-*"))
