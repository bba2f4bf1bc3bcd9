"""Local backups of the store: SQLite's online backup API, daily and before every migration, with
retention; restoring never destroys the database it replaces (it is moved into the backups folder).

Backups are SQLCipher files under the store's own key (issue 16, item 10): a copied backup reads as random
bytes without the key in this account's keyring (or its exported paper/USB copy). Plain backups left by an
older version are encrypted in place when the store is (:func:`encrypt_plain_backups`).

A backup also holds the digitised files its database references, in a folder beside it
(app.services.backup_files: unchanged files hard-linked between backups); a restore puts them back and
checks every SHA-256."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from app.domain.codes import DEFAULT_PLAN
from app.domain.errors import DomainError, Problem
from app.domain.progress import Progress, Step, no_progress
from app.models import cipher
from app.models.db import SQLITE_HEADER, Store, StoreError, environment_problem
from app.models.migrate import HEAD, alembic_config, backup_database
from app.paths import backup_dir, database_path
from app.services import backup_files

log = logging.getLogger(__name__)

PREFIX = "motcua-desk-"
KEEP_DAILY = 14


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    kind: str  # daily | manual | before-migration | replaced
    size: int
    #: Bytes of the digitised files kept with it (app.services.backup_files); None: it has none.
    files_size: int | None = None


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S")


def backup_now(
    store: Store, data_dir: Path, kind: str = "manual", at: datetime | None = None, *, all_files: bool = False
) -> Path:
    """An online backup of the live store (safe while the desk is in use), checked after writing, with the
    digitised files it references (``all_files``: every file of ``files/``) beside it."""
    at = at or datetime.now()
    dest = backup_dir(data_dir) / f"{PREFIX}{_stamp(at)}-{kind}.sqlite3"
    tmp = dest.with_suffix(".partial")
    try:
        backup_database(store.engine, tmp, store.key)
    except (sqlite3.Error, cipher.CipherError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        problem = environment_problem(exc, tmp) or Problem(
            "backup.failed",
            f"Không tạo được bản sao lưu ({exc}); cơ sở dữ liệu đang dùng không bị ảnh hưởng.",
            f"The backup could not be written ({exc}); the database in use is not affected.",
        )
        raise StoreError(problem) from exc
    problems = check_file(tmp, store.key)
    if problems:
        tmp.unlink(missing_ok=True)
        raise DomainError(
            Problem(
                "backup.bad",
                "Bản sao lưu vừa tạo không đọc lại được: " + "; ".join(problems),
                "The backup just written does not read back: " + "; ".join(problems),
            )
        )
    os.replace(tmp, dest)
    log.info("backup written: %s", dest)
    try:
        backup_files.snapshot(data_dir, dest, store.key, all_files=all_files)
    except OSError as exc:
        backup_files.remove(dest)
        problem = environment_problem(exc, dest) or Problem(
            "backup.files_failed",
            f"Đã sao lưu cơ sở dữ liệu ({dest}) nhưng không sao lưu được các tệp số hóa ({exc}).",
            f"The database was backed up ({dest}) but the digitised files could not be ({exc}).",
        )
        raise StoreError(problem) from exc
    return dest


def list_backups(data_dir: Path) -> list[BackupFile]:
    """Backups in the data folder, newest first."""
    out: list[BackupFile] = []
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return out
    for p in folder.glob("*.sqlite3"):
        name = p.stem
        if name.startswith(PREFIX):
            rest = name[len(PREFIX) :]
            stamp, _, kind = rest[:15], rest[15:16], rest[16:]
        elif name.startswith("before-migration-"):
            kind, stamp = "before-migration", name.rsplit("-", 2)[-2] + "-" + name.rsplit("-", 1)[-1]
        else:
            continue
        try:
            taken = datetime.strptime(stamp, "%Y%m%d-%H%M%S")
        except ValueError:
            continue
        out.append(BackupFile(p, taken, kind or "manual", p.stat().st_size, backup_files.size_of(p)))
    return sorted(out, key=lambda b: b.taken_at, reverse=True)


def daily_backup(
    store: Store, data_dir: Path, keep: int = KEEP_DAILY, now: datetime | None = None
) -> Path | None:
    """Take today's backup if there is none yet, and keep only the newest ``keep`` daily ones."""
    now = now or datetime.now()
    backups = list_backups(data_dir)
    taken = None
    if not any(b.kind == "daily" and b.taken_at.date() == now.date() for b in backups):
        taken = backup_now(store, data_dir, "daily", now)
    dailies = [b for b in list_backups(data_dir) if b.kind == "daily"]
    for old in dailies[keep:]:
        old.path.unlink(missing_ok=True)
        backup_files.remove(old.path)
        log.info("old backup removed: %s", old.path)
    return taken


def store_key(data_dir: Path) -> bytes | None:
    """The key of ``data_dir``'s store and backups, None when the keyring holds none or there is
    no keyring."""
    from app.services import storekey

    try:
        return storekey.load(data_dir)
    except StoreError:
        return None


def check_file(path: Path, key: bytes | None = None, *, data_dir: Path | None = None) -> list[str]:
    """Problems of a database file (empty list: a sound SQLite database of a schema this app knows). An
    encrypted file is read with ``key``, or the key of ``data_dir``'s store."""
    try:
        with path.open("rb") as fh:
            plain = fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
        if not plain and key is None and data_dir is not None:
            key = store_key(data_dir)
        if not plain and key is None:
            return ["not an SQLite database, or encrypted with a key this keyring does not hold"]
        con = cipher.connect(f"file:{path}?mode=ro", None if plain else key, uri=True)
        try:
            result = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except cipher.DATABASE_ERRORS as exc:
        if not plain and "not a database" in str(exc):
            return ["encrypted with another key (another data folder or PC), or not a database"]
        return [str(exc)]
    except OSError as exc:
        return [str(exc)]
    if result != ["ok"]:
        return result[:5]
    if revision is None:
        return ["no schema version"]
    if revision[0] == HEAD:  # the everyday case (a backup of this version's store): no Alembic import
        return []
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision[0])
    except Exception:
        return [f"schema {revision[0]} is newer than this version of the app"]
    return []


def restore(data_dir: Path, source: Path, at: datetime | None = None) -> Path | None:
    """Put ``source`` in place of the store (the desk must be closed). The replaced database, if any, is
    moved into the backups folder first; returns where it went. Its digitised files are put back first
    (:func:`restore_with_files`)."""
    return restore_with_files(data_dir, source, at)[0]


def restore_with_files(
    data_dir: Path, source: Path, at: datetime | None = None
) -> tuple[Path | None, backup_files.PutBack]:
    """:func:`restore`, also saying what became of the backup's digitised files: put back into ``files/``
    before the database (a crash between leaves only extra files, never rows without their files), each
    checked against its SHA-256."""
    key = store_key(data_dir)
    problems = check_file(source, key)
    if problems:
        raise DomainError(
            Problem(
                "restore.bad",
                f"Không khôi phục được từ {source}: " + "; ".join(problems),
                f"Cannot restore from {source}: " + "; ".join(problems),
                "file",
            )
        )
    at = at or datetime.now()
    put = backup_files.put_back(data_dir, source, key)
    ready = restoring_path(data_dir)
    partial = _restoring_partial_path(data_dir)
    shutil.copyfile(source, partial)
    retire_numbers(partial, at.date(), None if cipher.is_plain(partial) else key)
    _fsync(partial)
    # The restored copy is complete and durable: from this rename on, the restore is decided, and if the
    # process dies before the copy is in place the next start finishes it (finish_interrupted_restore).
    os.replace(partial, ready)
    _fsync_dir(ready.parent)
    kept = _swap_in(data_dir, at, key)
    log.info("database restored from %s (previous kept at %s)", source, kept)
    return kept, put


def restoring_path(data_dir: Path) -> Path:
    """Where a decided restore waits to be put in place."""
    return database_path(data_dir).with_suffix(".restoring")


def _restoring_partial_path(data_dir: Path) -> Path:
    """Where a restore's copy is prepared, before the restore is decided."""
    return database_path(data_dir).with_suffix(".restoring-partial")


def finish_interrupted_restore(data_dir: Path) -> Path | None:
    """Complete a restore that was cut off (power cut, killed process) after it was decided; a copy that
    was still being prepared is dropped (the restore never happened). Run before the store is opened.
    Returns where the replaced database went, if a restore was finished."""
    ready = restoring_path(data_dir)
    partial = _restoring_partial_path(data_dir)
    for path in (partial, *(Path(str(partial) + s) for s in ("-journal", "-wal", "-shm"))):
        path.unlink(missing_ok=True)
    if not ready.exists():
        return None
    log.warning("finishing a restore that was interrupted: %s", ready)
    return _swap_in(data_dir, datetime.now(), store_key(data_dir))


def _swap_in(data_dir: Path, at: datetime, key: bytes | None) -> Path | None:
    """Move the live database (with its WAL folded in) into the backups folder, then put the decided
    restore in its place. Every step is a rename, so a crash leaves either the old database in place or
    none, and in both cases the decided copy waits in :func:`restoring_path`; running this again finishes."""
    live = database_path(data_dir)
    ready = restoring_path(data_dir)
    kept: Path | None = None
    backup_dir(data_dir).mkdir(parents=True, exist_ok=True)
    if live.exists():
        kept = backup_dir(data_dir) / f"{PREFIX}{_stamp(at)}-replaced.sqlite3"
        try:  # fold the WAL into the file before moving it
            con = cipher.connect(live, None if cipher.is_plain(live) else key)
        except cipher.DB_ERRORS:
            con = None
        try:
            if con is not None:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except cipher.DATABASE_ERRORS:
            pass  # a damaged database is moved as it is
        finally:
            if con is not None:
                con.close()
        wal = Path(str(live) + "-wal")
        if wal.exists() and wal.stat().st_size > 0:  # not folded in (a damaged database): keep it too
            shutil.move(str(wal), str(kept) + "-wal")
        shutil.move(str(live), kept)
        _fsync_dir(kept.parent)
    for suffix in ("-wal", "-shm"):  # never let the old database's WAL meet the restored file
        Path(str(live) + suffix).unlink(missing_ok=True)
    os.replace(ready, live)
    _fsync_dir(live.parent)
    return kept


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make renames in ``path`` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    _fsync(path)


_SPEND_LEASES = (
    "UPDATE number_leases SET next_number = last_number + 1 WHERE day >= ? AND next_number <= last_number"
)
_FALLBACK_EXISTS = (
    "SELECT 1 FROM number_leases WHERE agency_eid = ? AND day = ? AND first_number = ?"
    " AND source = 'fallback'"
)
_SPENT_FALLBACK = (
    "INSERT INTO number_leases (agency_eid, day, first_number, last_number, next_number, source,"
    " workstation_id, granted_at) VALUES (?, ?, ?, ?, ?, 'fallback', ?, ?)"
)


def retire_numbers(path: Path, today: date, key: bytes | None = None) -> int:
    """After a restore, never hand out again a number the desk may have issued after the backup.

    Numbering after the backup happened on days from the day of the backup's newest dossier on, from
    leases (and the slot's fallback blocks) the backup already held: every such lease is marked spent,
    and the fallback blocks of those days up to today are recorded as spent. New numbers then come only
    from fresh server leases (whose high-water mark is past everything issued); offline, the desk says
    it must sync first. Returns the number of lease rows retired or added.
    """
    con = cipher.connect(path, key)
    try:
        with con:
            last = con.execute("SELECT max(received_at) FROM dossiers").fetchone()[0]
            first_day = date.fromisoformat(str(last)[:10]) if last else date.min
            changed = con.execute(
                _SPEND_LEASES,
                (first_day.isoformat(),),
            ).rowcount
            home = con.execute(
                "SELECT c.agency_eid, w.slot, w.id FROM centres c JOIN workstations w ON w.centre_id = c.id"
                " WHERE c.is_home = 1 AND w.is_local = 1"
            ).fetchone()
            if home is not None:
                eid, slot, ws_id = home
                day = max(first_day, today - timedelta(days=31))
                while day <= today:
                    for lo, hi in DEFAULT_PLAN.fallback_ranges(slot):
                        exists = con.execute(
                            _FALLBACK_EXISTS,
                            (eid, day.isoformat(), lo),
                        ).fetchone()
                        if exists is None:
                            con.execute(
                                _SPENT_FALLBACK,
                                (
                                    eid,
                                    day.isoformat(),
                                    lo,
                                    hi,
                                    hi + 1,
                                    ws_id,
                                    datetime.now().isoformat(sep=" "),
                                ),
                            )
                            changed += 1
                    day += timedelta(days=1)
    finally:
        con.close()
    return int(changed)


def encrypt_plain_backups(data_dir: Path, key: bytes, progress: Progress = no_progress) -> int:
    """Encrypt in place every plain backup in the backups folder (left by a version before encryption);
    a backup that is not a sound database is left as it is (it is reported by ``db backups``).
    ``progress``: :data:`Step.ENCRYPT_BACKUPS`, in thousandths of a backup."""
    plain = [b for b in list_backups(data_dir) if cipher.is_plain(b.path)]
    done = 0
    for i, b in enumerate(plain):
        if not check_file(b.path):

            def pages(written: int, total: int, i: int = i) -> None:
                progress(Step.ENCRYPT_BACKUPS, i * 1000 + written * 1000 // max(1, total), len(plain) * 1000)

            cipher.encrypt_file(b.path, key, pages)
            done += 1
    return done
