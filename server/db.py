"""Engines, transactions and migrations of the server database (SQLite or PostgreSQL).

SQLite (the default, for a small province or a trial): WAL, ``synchronous=FULL`` (an accepted event is
durable before the answer), foreign keys on, a busy timeout, and write transactions that begin
``IMMEDIATE`` so that concurrent writers queue instead of failing on a lock upgrade; SQLite runs one
writer at a time, which also serialises the change feed and the lease counters.

PostgreSQL (production): ``READ COMMITTED`` with explicit row locks (``SELECT … FOR UPDATE``) where a
read decides a write, and a transaction-level advisory lock around appends to the change feed
(``server.sync``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import Problem

log = logging.getLogger(__name__)

DEFAULT_DB_URL = "sqlite:///motcua-server.sqlite3"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


class SetupError(Exception):
    """The environment's fault (bad URL, unreachable or out-of-date database): tell the administrator."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)


def normalise_url(url: str) -> str:
    """Check a database URL; ``postgresql://`` is taken as ``postgresql+psycopg://``."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SetupError(
            Problem(
                "db.url",
                f"Địa chỉ cơ sở dữ liệu «{url}» không hợp lệ: dùng sqlite:///TỆP hoặc "
                "postgresql+psycopg://NGƯỜI_DÙNG@MÁY/TÊN_CSDL.",
                f"Database URL {url!r} is invalid: use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB.",
            )
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise SetupError(
            Problem(
                "db.driver",
                f"Không hỗ trợ loại cơ sở dữ liệu «{parsed.drivername}»: chỉ SQLite hoặc PostgreSQL "
                "(postgresql+psycopg).",
                f"Database kind {parsed.drivername!r} is not supported: only SQLite or PostgreSQL "
                "(postgresql+psycopg).",
            )
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise SetupError(
            Problem(
                "db.sqlite_memory",
                "Máy chủ cần một tệp SQLite (sqlite:///đường/dẫn/tệp.sqlite3), không dùng được bộ nhớ tạm.",
                "The server needs an SQLite file (sqlite:///path/to/file.sqlite3), "
                "not an in-memory database.",
            )
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" hook below emits BEGIN itself
    cur = dbapi_connection.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
    finally:
        cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    if conn.get_execution_options().get("sqlite_immediate"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=30)


class Database:
    """An engine and two session factories: reads, and writes (one transaction each)."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back entirely on any error."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


# --- migrations ----------------------------------------------------------------------------------------


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


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Bring the database to ``revision``. Returns True if anything was applied."""
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:
            raise SetupError(_too_new(current)) from exc
    target = script.get_current_head() if revision == "head" else revision
    if current == target:
        return False
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    log.info("server database migrated from %s to %s", current, target)
    return True


def check_schema(engine: Engine) -> None:
    """Refuse to serve a database that is not at the current schema (run ``motcua-server init``)."""
    current = current_revision(engine)
    if current == head_revision():
        return
    try:
        if current is not None:
            ScriptDirectory.from_config(alembic_config()).get_revision(current)
    except Exception as exc:
        raise SetupError(_too_new(current or "")) from exc
    raise SetupError(
        Problem(
            "db.not_initialised",
            "Cơ sở dữ liệu máy chủ chưa được khởi tạo hoặc chưa nâng cấp: chạy «motcua-server init --db …» "
            "trước.",
            "The server database is not initialised or not upgraded: run 'motcua-server init --db …' first.",
        )
    )


def _too_new(revision: str) -> Problem:
    return Problem(
        "db.too_new",
        f"Cơ sở dữ liệu do phiên bản máy chủ mới hơn tạo ra (lược đồ {revision}): "
        "hãy cài phiên bản mới nhất.",
        f"The database was written by a newer server version (schema {revision}): install the latest one.",
    )
