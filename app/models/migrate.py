"""Schema migrations of the local store (Alembic), run at every start-up.

An operator's database must survive every upgrade with nothing lost: before migrating an existing
database we take an online backup of it, and a database written by a newer version of the app is
refused (never downgraded).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from app.domain.errors import Problem
from app.domain.progress import Progress, Step, no_progress
from app.models import cipher
from app.models.db import StoreError
from app.models.reference_version import ensure_triggers

if TYPE_CHECKING:  # Alembic (~0.1 s to import) is loaded only when a migration is due
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The newest revision this version of the app ships. Kept here so that start-up can see "nothing to do"
#: without importing Alembic; a test checks it against the migration scripts.
HEAD = "0005_portal"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision_of(conn: Connection) -> str | None:
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (None for a new database), read without Alembic."""
    with engine.connect() as conn:
        try:
            return current_revision_of(conn)
        except OperationalError:  # no alembic_version table yet
            return None


def upgrade(
    engine: Engine,
    revision: str = "head",
    backup_to: Path | None = None,
    key: bytes | None = None,
    progress: Progress = no_progress,
) -> bool:
    """Bring the database to ``revision``. Returns True if anything was applied. The backup taken first is
    encrypted with ``key`` (the store's) when given. ``progress`` hears :data:`Step.MIGRATE` (busy: Alembic
    cannot count) when there is something to apply.

    Raises :class:`StoreError` when the database was written by a newer version of the app.
    """
    current = current_revision(engine)
    if current == HEAD and revision in ("head", HEAD):
        return False  # the everyday case: no migration, no Alembic import
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:
            raise StoreError(
                Problem(
                    "store.too_new",
                    "Cơ sở dữ liệu được tạo bởi phiên bản Một Cửa Desk mới hơn "
                    f"(phiên bản lược đồ {current}). "
                    "Hãy cài phiên bản mới nhất của phần mềm; dữ liệu không bị thay đổi.",
                    f"The database was written by a newer version of Một Cửa Desk (schema {current}). "
                    "Install the latest version of the app; the data was not changed.",
                )
            ) from exc
    target = script.get_current_head() if revision == "head" else revision
    if current == target:
        return False
    progress(Step.MIGRATE, 0, 0)
    if current is not None and backup_to is not None:
        # Written under another name and renamed once complete: a crash never leaves half a backup
        # under a backup's name.
        dest = backup_to / f"before-migration-{current}-{_stamp()}.sqlite3"
        partial = dest.with_suffix(".partial")
        try:
            backup_database(engine, partial, key)
        except BaseException:
            partial.unlink(missing_ok=True)  # e.g. the disk filled up: no dead half copy left taking space
            raise
        os.replace(partial, dest)
    _run_alembic(engine, lambda cfg: command.upgrade(cfg, revision))
    log.info("database migrated from %s to %s", current, target)
    return True


def _run_alembic(engine: Engine, step: Callable[[Config], object]) -> None:
    """Run an Alembic command in one transaction with foreign keys OFF, as SQLite's table rebuilds need.

    A batch migration rebuilds a table (create the new one, copy, DROP the old one, rename). With foreign
    keys on, that DROP deletes the rows that refer to the table, through ``ON DELETE CASCADE`` (every
    dossier event, when ``dossiers`` is rebuilt). The pragma cannot change inside a transaction, so it is
    set on the connection before the transaction begins, the references are checked with
    ``foreign_key_check`` before committing, and it is set back for the pool.
    """
    cfg = alembic_config()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # outside any transaction (autocommit driver mode)
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                step(cfg)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"a migration broke {len(broken)} references, e.g. {broken[:3]}")
                if current_revision_of(conn) == HEAD:
                    # A migration that rebuilt a reference table dropped its triggers: put them back.
                    ensure_triggers(conn)
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def backup_database(engine: Engine, dest: Path, key: bytes | None = None) -> Path:
    """Copy the live database to ``dest`` with SQLite's online backup API (safe while in use); with ``key``
    (an encrypted store's) the copy is an SQLCipher file under the same key."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        target = cipher.connect(dest, key)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
            # A self-contained file: no WAL beside it (that a rename would leave behind) once closed.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    finally:
        raw.close()
    log.info("database backed up to %s", dest)
    return dest


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (tests and support tools; the app never downgrades)."""
    from alembic import command

    _run_alembic(engine, lambda cfg: command.downgrade(cfg, revision))
