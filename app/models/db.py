"""Engine and sessions for the local SQLite store, and the start-up checks around it.

Every connection runs in WAL mode with ``synchronous=FULL`` (a receipt is printed only after its
dossier is durable), foreign keys on and a busy timeout. Write transactions begin IMMEDIATE so that
two processes (the GUI and the command line) queue for the write lock instead of failing half-way.
"""

from __future__ import annotations

import enum
import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Engine, PoolProxiedConnection, create_engine, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import Problem
from app.models import cipher
from app.models.fastwrite import execute

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The environment's fault (unwritable folder, corrupt file, newer database): tell the operator."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook below emit BEGIN itself (pysqlite's own handling is unreliable).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
    finally:
        cur.close()


def _on_begin(conn: Any) -> None:
    # Straight on the DBAPI connection: through ``exec_driver_sql`` the statement cost ~30 µs of
    # SQLAlchemy's execution machinery, a fifth of an empty write transaction. A failure (the store
    # busy past the timeout, a read-only file) comes out wrapped as SQLAlchemy's all the same.
    execute(conn, "BEGIN IMMEDIATE" if conn.get_execution_options().get("sqlite_immediate") else "BEGIN", ())


def make_engine(path: Path | str, key: bytes | None = None, *, read_only: bool = False) -> Engine:
    """An engine on the SQLite file at ``path`` (``":memory:"`` is not supported: WAL needs a file).

    With ``key`` the file is an SQLCipher database: every connection is made by :func:`cipher.connect`,
    which runs ``PRAGMA key`` before anything else, then gets the same pragmas and BEGIN hook.
    ``read_only``: every connection opens the file with ``mode=ro`` (a reader in another process, such as
    the dashboard's child: app.services.dashboard_child); SQLite refuses any write on it."""
    if read_only:
        uri = f"{Path(path).absolute().as_uri()}?mode=ro"
        engine = create_engine(
            "sqlite://",
            future=True,
            module=sqlite3 if key is None else cipher.dbapi,
            creator=lambda: cipher.connect(uri, key, uri=True, check_same_thread=False),
        )
    elif key is None:
        engine = create_engine(f"sqlite:///{path}", future=True)
    else:
        engine = create_engine(
            f"sqlite:///{path}",
            future=True,
            module=cipher.dbapi,
            creator=lambda: cipher.connect(path, key, check_same_thread=False),
        )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class NeedsSession(Exception):
    """A direct write transaction (:meth:`Store.write_direct`) met something that needs a session or a
    Core connection (reference data not cached yet, a statement that is not prepared): the caller rolls
    back and runs its general path."""


class _Held:
    """The DBAPI connection of a pooled one, as ``connection.driver_connection`` finds it (one attribute
    instead of the pool's two properties, on each statement)."""

    __slots__ = ("driver_connection",)

    def __init__(self, pooled: PoolProxiedConnection) -> None:
        self.driver_connection = pooled.driver_connection


class DirectConnection:
    """What the prepared statements of :mod:`app.models.fastwrite` use of a Core ``Connection`` —
    ``connection.driver_connection`` and ``dialect`` — over a pooled DBAPI connection in a transaction
    of :meth:`Store.write_direct`. Anything else of a ``Connection`` raises :class:`NeedsSession`."""

    __slots__ = ("connection", "dialect")

    def __init__(self, pooled: PoolProxiedConnection, dialect: Dialect) -> None:
        self.connection = _Held(pooled)
        self.dialect = dialect

    def __getattr__(self, name: str) -> Any:
        raise NeedsSession(name)


def _roll_back(pooled: PoolProxiedConnection) -> None:
    """Undo the open transaction of a direct write; a connection that cannot is discarded (the pool
    opens a fresh one: SQLite rolls back what a closed connection left)."""
    driver: sqlite3.Connection = pooled.driver_connection  # type: ignore[assignment]
    try:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
    except cipher.DB_ERRORS:
        pooled.invalidate()


class Store:
    """The opened local database: an engine and two session factories (read, write)."""

    def __init__(self, path: Path, key: bytes | None = None, *, read_only: bool = False) -> None:
        self.path = path
        #: The SQLCipher key (None: a plain SQLite file, as in tests and benchmarks of the raw engine).
        self.key = key
        #: What the opening quick check found wrong (issue 16, D9): a damaged store refuses every write.
        self.damaged: tuple[str, ...] = ()
        #: Why this store is kept in clear (no OS keyring: app.services.storekey), for the faces to warn.
        self.unencrypted: Problem | None = None
        #: Files to remove when the store is closed cleanly (the "store open" marker of this process).
        self.close_markers: list[Path] = []
        self.engine = make_engine(path, key, read_only=read_only)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back entirely on any error.

        The environment's failures (disk full, read-only file, database locked by another program) come
        out as :class:`StoreError` with a message for the operator; nothing of the transaction is kept.
        """
        if self.damaged:
            raise StoreError(corrupt_problem(self.path, "; ".join(self.damaged[:3])))
        try:
            with self._write() as session, session.begin():
                yield session
        except DatabaseError as exc:  # OperationalError (full, read-only, busy) or a damaged file
            problem = environment_problem(exc, self.path)
            if problem is None:
                raise
            raise StoreError(problem) from exc

    @contextmanager
    def write_direct(self) -> Iterator[DirectConnection]:
        """One write transaction straight on a pooled DBAPI connection, without a session or a Core
        connection (their machinery costs ~50 µs a transaction, a tenth of the counter's receive):
        ``BEGIN IMMEDIATE`` when the block starts, ``COMMIT`` when it ends, ``ROLLBACK`` on any error,
        with the same pragmas (the pool's connections) and the same translation of the environment's
        failures as :meth:`write`. For the hot path of a use case whose statements are all prepared
        (:mod:`app.models.fastwrite`); anything that wants more of the connection raises
        :class:`NeedsSession`, and the caller runs its general path in :meth:`write` instead.
        """
        if self.damaged:
            raise StoreError(corrupt_problem(self.path, "; ".join(self.damaged[:3])))
        try:
            pooled = self.engine.raw_connection()
            try:
                conn = DirectConnection(pooled, self.engine.dialect)
                core = cast(Connection, conn)  # what fastwrite.execute uses of it, DirectConnection has
                execute(core, "BEGIN IMMEDIATE", ())
                try:
                    yield conn
                    execute(core, "COMMIT", ())
                except BaseException:
                    _roll_back(pooled)
                    raise
            finally:
                pooled.close()
        except DatabaseError as exc:
            problem = environment_problem(exc, self.path)
            if problem is None:
                raise
            raise StoreError(problem) from exc

    def dispose(self) -> None:
        self.engine.dispose()
        for marker in self.close_markers:
            marker.unlink(missing_ok=True)
        self.close_markers.clear()


class SqliteCode(enum.IntEnum):
    """SQLite's primary result codes that mean the environment failed, not our SQL
    (https://sqlite.org/rescode.html). An extended code (SQLITE_IOERR_WRITE = 778) carries its primary
    code in its low byte; qutebrowser's misc/sql.py classifies the same way."""

    PERM = 3  # access permission denied
    BUSY = 5  # the file is locked by another connection
    LOCKED = 6  # a table is locked (shared cache)
    READONLY = 8  # attempt to write a readonly database
    IOERR = 10  # disk I/O error
    CORRUPT = 11  # database disk image is malformed
    FULL = 13  # database or disk is full
    CANTOPEN = 14  # unable to open the database file (or its journal: the folder is not writable)
    PROTOCOL = 15  # WAL locking protocol failed (heavy contention)
    NOTADB = 26  # file is not a database


def sqlite_code(exc: BaseException) -> SqliteCode | None:
    """The primary result code of an SQLite error, raised by :mod:`sqlite3` or wrapped by SQLAlchemy
    (``exc.orig``); None for anything else, or a code that is not the environment's."""
    code = getattr(getattr(exc, "orig", exc), "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    try:
        return SqliteCode(code & 0xFF)
    except ValueError:
        return None


_DISK_FULL = (
    "store.disk_full",
    # Said of any write (a dossier, a print, a log-in), so nothing here names the intake form.
    "Ổ đĩa của máy đã đầy (hoặc lỗi ghi đĩa): thao tác này chưa có gì được ghi. "
    "Hãy giải phóng dung lượng ổ đĩa rồi thử lại.",
    "The disk is full (or failed to write): nothing of this operation was written. "
    "Free some disk space and try again.",
)
_READONLY = (
    "store.readonly",
    "Thư mục dữ liệu chỉ cho phép đọc: thao tác này chưa có gì được ghi. Hãy cấp quyền ghi cho "
    "thư mục dữ liệu (hoặc liên hệ bộ phận CNTT) rồi thử lại.",
    "The data folder is read-only: nothing of this operation was written. Make it writable "
    "(or call IT support) and try again.",
)
_BUSY = (
    "store.busy",
    "Cơ sở dữ liệu đang bị một chương trình khác giữ; chưa có gì được ghi. Hãy đợi giây lát rồi thử lại.",
    "The database is held by another program; nothing was written. Wait a moment and try again.",
)
_BY_SQLITE_CODE = {
    SqliteCode.FULL: _DISK_FULL,
    SqliteCode.IOERR: _DISK_FULL,
    SqliteCode.READONLY: _READONLY,
    SqliteCode.PERM: _READONLY,
    SqliteCode.CANTOPEN: _READONLY,
    SqliteCode.BUSY: _BUSY,
    SqliteCode.LOCKED: _BUSY,
    SqliteCode.PROTOCOL: _BUSY,
}
# An OSError around the store (a backup's file): the same explanations, by errno.
_BY_ERRNO = {
    errno.ENOSPC: _DISK_FULL,
    errno.EDQUOT: _DISK_FULL,
    errno.EROFS: _READONLY,
    errno.EACCES: _READONLY,
    errno.EPERM: _READONLY,
}


def environment_problem(exc: BaseException, path: Path) -> Problem | None:
    """The operator's explanation of an SQLite failure caused by the environment, else None (a bug).

    Classified by SQLite's result code (or an OSError's errno), never by the message's wording."""
    code = sqlite_code(exc)
    if code in (SqliteCode.CORRUPT, SqliteCode.NOTADB):
        return corrupt_problem(path, str(getattr(exc, "orig", exc)))
    texts = _BY_SQLITE_CODE.get(code) if code is not None else None
    if texts is None and isinstance(exc, OSError) and exc.errno is not None:
        texts = _BY_ERRNO.get(exc.errno)
    if texts is None:
        return None
    problem_code, vi, en = texts
    return Problem(problem_code, f"{vi} ({path})", f"{en} ({path})")


def check_file(path: Path, key: bytes | None = None) -> None:
    """Refuse a file that is not an SQLite database (nor, with ``key``, an SQLCipher one it opens) or is
    damaged, before anything writes to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER and key is None:
        raise StoreError(corrupt_problem(path, "not an SQLite database"))
    try:
        con = cipher.connect(f"file:{path}?mode=ro", key if header != SQLITE_HEADER else None, uri=True)
        try:
            con.execute("PRAGMA schema_version").fetchone()
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except cipher.DATABASE_ERRORS as exc:
        raise StoreError(corrupt_problem(path, str(exc))) from exc


def corrupt_problem(path: Path, detail: str) -> Problem:
    return Problem(
        "store.corrupt",
        f"Cơ sở dữ liệu {path} bị hỏng hoặc không phải cơ sở dữ liệu của Một Cửa Desk ({detail}). "
        "Tệp không bị ghi đè. Hãy khôi phục từ bản sao lưu hoặc liên hệ bộ phận CNTT.",
        f"The database {path} is damaged or is not a Một Cửa Desk database ({detail}). "
        "The file was not overwritten. Restore a backup or call IT support.",
    )


def integrity_check(engine: Engine) -> list[str]:
    """SQLite's full integrity check and the foreign keys; an empty list means OK. A store too damaged
    for a check to run is reported as such (a finding, never an exception)."""
    problems: list[str] = []
    with engine.connect() as conn:
        try:
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            problems += [] if rows == ["ok"] else rows
        except DatabaseError as exc:
            problems.append(f"integrity check could not run: {getattr(exc, 'orig', exc)}")
        try:
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            problems += [f"foreign key violation in {r[0]} row {r[1]} → {r[2]}" for r in fk]
        except DatabaseError as exc:
            problems.append(f"foreign key check could not run: {getattr(exc, 'orig', exc)}")
    return problems
