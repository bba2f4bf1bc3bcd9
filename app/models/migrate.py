"""Schema migrations of the local store (Alembic), run at every start-up.

An operator's database must survive every upgrade with nothing lost: before migrating an existing
database we take an online backup of it, and a database written by a newer version of the app is
refused (never downgraded).
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.domain.errors import Problem
from app.models.db import StoreError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", backup_to: Path | None = None) -> bool:
    """Bring the database to ``revision``. Returns True if anything was applied.

    Raises :class:`StoreError` when the database was written by a newer version of the app.
    """
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
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
    if current is not None and backup_to is not None:
        backup_database(engine, backup_to / f"before-migration-{current}-{_stamp()}.sqlite3")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    log.info("database migrated from %s to %s", current, target)
    return True


def backup_database(engine: Engine, dest: Path) -> Path:
    """Copy the live database to ``dest`` with SQLite's online backup API (safe while in use)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(dest)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    finally:
        raw.close()
    log.info("database backed up to %s", dest)
    return dest


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")
