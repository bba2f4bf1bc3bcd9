"""Local backups of the store: SQLite's online backup API, daily and before every migration, with
retention; restoring never destroys the database it replaces (it is moved into the backups folder)."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from app.domain.errors import DomainError, Problem
from app.models.db import SQLITE_HEADER, Store
from app.models.migrate import alembic_config, backup_database
from app.paths import backup_dir, database_path

log = logging.getLogger(__name__)

PREFIX = "motcua-desk-"
KEEP_DAILY = 14


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    kind: str  # daily | manual | before-migration | replaced
    size: int


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S")


def backup_now(store: Store, data_dir: Path, kind: str = "manual", at: datetime | None = None) -> Path:
    """An online backup of the live store (safe while the desk is in use), checked after writing."""
    at = at or datetime.now()
    dest = backup_dir(data_dir) / f"{PREFIX}{_stamp(at)}-{kind}.sqlite3"
    tmp = dest.with_suffix(".partial")
    backup_database(store.engine, tmp)
    problems = check_file(tmp)
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
        out.append(BackupFile(p, taken, kind or "manual", p.stat().st_size))
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
        log.info("old backup removed: %s", old.path)
    return taken


def check_file(path: Path) -> list[str]:
    """Problems of a database file (empty list: a sound SQLite database of a schema this app knows)."""
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return ["not an SQLite database"]
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except (OSError, sqlite3.DatabaseError) as exc:
        return [str(exc)]
    if result != ["ok"]:
        return result[:5]
    if revision is None:
        return ["no schema version"]
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision[0])
    except Exception:
        return [f"schema {revision[0]} is newer than this version of the app"]
    return []


def restore(data_dir: Path, source: Path, at: datetime | None = None) -> Path | None:
    """Put ``source`` in place of the store (the desk must be closed). The replaced database, if any, is
    moved into the backups folder first; returns where it went."""
    problems = check_file(source)
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
    live = database_path(data_dir)
    kept: Path | None = None
    backup_dir(data_dir).mkdir(parents=True, exist_ok=True)
    if live.exists():
        kept = backup_dir(data_dir) / f"{PREFIX}{_stamp(at)}-replaced.sqlite3"
        con = sqlite3.connect(live)  # fold the WAL into the file before moving it
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError:
            pass  # a damaged database is moved as it is
        finally:
            con.close()
        shutil.move(str(live), kept)
        for suffix in ("-wal", "-shm"):
            Path(str(live) + suffix).unlink(missing_ok=True)
    tmp = live.with_suffix(".restoring")
    shutil.copyfile(source, tmp)
    os.replace(tmp, live)
    log.info("database restored from %s (previous kept at %s)", source, kept)
    return kept
