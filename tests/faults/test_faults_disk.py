"""Disk full and read-only data folder during intake, printing, actions and backups.

Expected everywhere: the operation is refused with a clear message in Vietnamese (``StoreError`` with a
``Problem``; on the command line exit 2 and no traceback), nothing is half-written (every table exactly as
before the attempt: no dossier without its event, outbox and audit rows, no burnt number, no archived PDF
without its audit entry), and once space or permission is back the same store passes ``integrity_check``
and ``audit.verify`` and works.

How the faults are made:
- **Disk full**: ``PRAGMA max_page_count`` set to the database's current size on every new connection
  (SQLite then fails any write that needs a new page with SQLITE_FULL, "database or disk is full", as on
  a full disk). For the command line, a ``sitecustomize`` module in the child's ``PYTHONPATH`` does the
  same; the log file is pointed at ``/dev/full`` (real ENOSPC from the kernel).
- **Read-only**: always with a connection opened ``mode=ro`` (SQLITE_READONLY). At the OS level too:
  without root, ``chmod`` of the folder and files (and new connections, since an open descriptor keeps
  its rights); as root (where ``chmod`` does not stop writes) ``chattr +i`` on the folder, the database
  and its WAL (EPERM on write, even for root; the ``-shm`` file is left alone: SQLite maps it in memory
  and an immutable mapping ends the process with SIGBUS); skipped when neither is possible.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from faults.harness import ROOT, disk_full, is_vietnamese, refused_until_full, store_problems
from faults.harness import table_snapshot as snapshot

from app.domain.errors import DomainError
from app.models.db import Store, StoreError
from app.paths import backup_dir, database_path, log_dir
from app.services import backup, printing
from app.services import dossiers as svc
from app.services.audit import Actor

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


def request(name: str = "Ngô Thị Lan") -> svc.ReceiveRequest:
    return svc.ReceiveRequest(
        "1.001193", svc.ApplicantInput(full_name=name, address="Phường Bắc Giang, Tỉnh Bắc Ninh")
    )


def check_problem(exc: StoreError, *codes: str) -> None:
    assert exc.problem.code in codes, exc.problem
    assert is_vietnamese(exc.problem.vi) and exc.problem.en and "Traceback" not in exc.problem.vi


def _receive(store: Store) -> Callable[[int], object]:
    return lambda i: svc.receive(store, ACTOR, request(f"Người Thứ {'ABCDEFGHIKLMNOPQRSTUVXY'[i % 23]}"))


def test_disk_full_refuses_intake_cleanly(store: Store, data_dir: Path) -> None:
    db = database_path(data_dir)
    with disk_full(store):
        exc = refused_until_full(db, _receive(store))
    check_problem(exc, "store.disk_full")
    assert not store_problems(db)
    code = svc.receive(store, ACTOR, request()).code  # space is back: the same store works
    assert not store_problems(db, received=[code])


def test_disk_full_refuses_printing_cleanly(store: Store, data_dir: Path) -> None:
    db = database_path(data_dir)
    code = svc.receive(store, ACTOR, request()).code
    with disk_full(store):
        exc = refused_until_full(db, lambda _i: printing.print_dossier_form(store, ACTOR, code, "receipt"))
    check_problem(exc, "store.disk_full")
    printed = printing.print_dossier_form(store, ACTOR, code, "receipt")
    assert not printed.is_copy  # the refused print did not count as the original
    assert not store_problems(db, printed=[(code, hashlib.sha256(printed.pdf).hexdigest())])


def test_disk_full_refuses_actions_and_refusals_cleanly(store: Store, data_dir: Path) -> None:
    db = database_path(data_dir)
    codes = [svc.receive(store, ACTOR, request()).code for _ in range(3)]
    actions = ("start_processing", "result_ready", "hand_back")

    def attempt(i: int) -> object:
        if i % 2:
            return svc.refuse_intake(store, ACTOR, request(), "Thiếu tờ khai theo mẫu")
        try:
            return svc.perform(store, ACTOR, codes[i % 3], actions[(i // 6) % 3])
        except DomainError:
            return None

    with disk_full(store):
        exc = refused_until_full(db, attempt)
    check_problem(exc, "store.disk_full")
    assert not store_problems(db, received=codes)
    svc.perform(store, ACTOR, codes[0], "result_ready")


def test_read_only_connection_refuses_intake_cleanly(store: Store, data_dir: Path) -> None:
    db = database_path(data_dir)
    before = snapshot(db)
    readonly = Store(Path(f"file:{db}?mode=ro&uri=true"), store.key)
    try:
        with pytest.raises(StoreError) as caught:
            svc.receive(readonly, ACTOR, request())
        check_problem(caught.value, "store.readonly")
        code = svc.receive(store, ACTOR, request()).code
        with pytest.raises(StoreError):
            printing.print_dossier_form(readonly, ACTOR, code, "receipt")
    finally:
        readonly.dispose()
    after = snapshot(db)
    assert after["dossiers"] == before["dossiers"] + 1 and after["printed_documents"] == 0
    assert not store_problems(db, received=[code])


def _chattr(flag: str, paths: list[Path]) -> bool:
    if shutil.which("chattr") is None:
        return False
    done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, check=False)
    return done.returncode == 0


@contextmanager
def read_only_folder(data_dir: Path, store: Store) -> Iterator[str]:
    """The data folder made read-only under the running store; yields the mechanism used."""
    db = database_path(data_dir)
    files = [p for p in (db, db.with_name(db.name + "-wal")) if p.exists()]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [data_dir, *files]}
        for p in files:
            p.chmod(0o444)
        data_dir.chmod(0o555)
        store.engine.dispose()  # an open descriptor keeps its rights: new connections see the change
        try:
            yield "chmod"
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    probe = data_dir / ".chattr-probe"
    probe.touch()
    usable = _chattr("+i", [probe])
    if usable:
        _chattr("-i", [probe])
    probe.unlink()
    if not usable:
        pytest.skip(
            "running as root, where chmod does not stop writes, and chattr +i is not available here "
            "(no CAP_LINUX_IMMUTABLE or a file system without it): the OS-level read-only case is covered "
            "only by the mode=ro test"
        )
    targets = [*files, data_dir]
    assert _chattr("+i", targets)
    try:
        yield "chattr +i"
    finally:
        assert _chattr("-i", targets), f"could not make {data_dir} writable again: run chattr -i on it"


def test_read_only_folder_during_intake(store: Store, data_dir: Path) -> None:
    db = database_path(data_dir)
    code = svc.receive(store, ACTOR, request()).code
    before = snapshot(db)
    with read_only_folder(data_dir, store):
        with pytest.raises(StoreError) as caught:
            svc.receive(store, ACTOR, request())
        # chmod gives SQLITE_READONLY; EPERM on write (chattr) comes as SQLITE_IOERR, which the store
        # explains as "disk full or write error".
        check_problem(caught.value, "store.readonly", "store.disk_full")
        with pytest.raises(StoreError):
            printing.print_dossier_form(store, ACTOR, code, "receipt")
        assert snapshot(db) == before
    assert not store_problems(db, received=[code])
    again = svc.receive(store, ACTOR, request()).code  # permission is back: the same store works
    printing.print_dossier_form(store, ACTOR, again, "receipt")
    assert not store_problems(db, received=[code, again])


# --- the command line ---------------------------------------------------------------------------------

SITECUSTOMIZE = textwrap.dedent(
    """
    # Test only: a full disk for every SQLite connection SQLAlchemy opens in this process.
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _full(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")
    """
)


def cli(data_dir: Path, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "--data-dir", str(data_dir), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_cli_print_on_a_full_disk(store: Store, data_dir: Path, tmp_path: Path) -> None:
    code = svc.receive(store, ACTOR, request()).code
    store.dispose()
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    out = tmp_path / "receipt.pdf"
    before = snapshot(database_path(data_dir))
    done = cli(data_dir, "print", "receipt", code, "--out", str(out), env={"PYTHONPATH": str(custom)})
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and is_vietnamese(done.stderr) and "đầy" in done.stderr
    assert not out.exists()  # nothing printed that is not archived
    assert snapshot(database_path(data_dir)) == before
    assert cli(data_dir, "db", "check").stdout.strip() == "OK"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux) for a real ENOSPC")
def test_cli_with_a_full_log_disk_prints_no_traceback(store: Store, data_dir: Path) -> None:
    store.dispose()
    logs = log_dir(data_dir)
    logs.mkdir(exist_ok=True)
    log_file = logs / "motcua-desk.log"
    log_file.unlink(missing_ok=True)
    log_file.symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    done = cli(
        data_dir, "receive", "--procedure", "2.000815", "--name", "Lê Văn An", "--pages", "1", "--copies", "1"
    )
    assert done.returncode == 0 and "Mã hồ sơ" in done.stdout
    assert "Traceback" not in done.stderr, done.stderr[:2000]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux) for a real ENOSPC")
def test_backup_on_a_full_disk_is_explained(store: Store, data_dir: Path) -> None:
    at = datetime(2026, 5, 4, 10, 0, 0)
    folder = backup_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{backup.PREFIX}{at:%Y%m%d-%H%M%S}-manual.partial"
    partial.symlink_to("/dev/full")  # the backup's file: every write ENOSPC, as on a full disk
    with pytest.raises((StoreError, DomainError)) as caught:
        backup.backup_now(store, data_dir, at=at)
    exc = caught.value
    problem = exc.problem if isinstance(exc, StoreError) else exc.problems[0]
    assert is_vietnamese(problem.vi) and "Traceback" not in problem.vi
    assert backup.list_backups(data_dir) == []  # no half backup offered for restoring
    assert not store_problems(database_path(data_dir))
