"""Inserts of whole rows on the counter's hot path, without SQLAlchemy's per-statement machinery.

Receiving a dossier writes six rows (applicant, dossier, event, outbox entry, search-index row, audit
entry). Executed through ``Connection.execute`` each insert costs ~25 µs of Python on top of SQLite's
own work, a quarter of the whole use case. :class:`RowInserter` keeps what matters of Core: the SQL is
compiled once from the table's metadata and every value goes through its column type's own bind
processor (dates, JSON text), so rows are stored exactly as the ORM stores them (a test compares
both). It runs on the DBAPI connection of the caller's transaction, so it commits or rolls back with
everything else.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

from app.models import cipher


class RowInserter:
    """``INSERT INTO table (every column but an autoincrement key) VALUES (…)`` for one row at a time.

    The caller gives a value for every one of those columns (no defaults are applied here: a column
    added later must be added to the hot path on purpose, or the insert fails loudly).
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = tuple(c.name for c in table.columns if not (c.primary_key and c.autoincrement is True))
        self._expected = frozenset(self.columns)
        self._sql = ""  # compiled on first use, for the connection's dialect
        self._processors: tuple[tuple[int, Callable[[Any], Any]], ...] = ()
        self._values = operator.itemgetter(*self.columns) if len(self.columns) > 1 else _one(self.columns)

    def _prepare(self, conn: Connection) -> None:
        dialect = conn.dialect
        if dialect.name != "sqlite":
            raise RuntimeError("RowInserter writes to the local SQLite store only")
        self._sql = str(insert(self.table).compile(dialect=dialect, column_keys=list(self.columns)))
        processors = (_bind_processor(self.table.c[name].type, dialect) for name in self.columns)
        self._processors = tuple((i, proc) for i, proc in enumerate(processors) if proc is not None)

    def __call__(self, conn: Connection, row: Mapping[str, Any]) -> int:
        """Insert ``row`` in ``conn``'s transaction; returns the new row's rowid."""
        rowid = execute(conn, self._prepared(conn), self._params(row)).lastrowid
        assert rowid is not None
        return rowid

    def many(self, conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        """Insert every one of ``rows`` (one ``executemany``) in ``conn``'s transaction."""
        sql = self._prepared(conn)
        params = [self._params(row) for row in rows]
        if params:
            execute_many(conn, sql, params)

    def _prepared(self, conn: Connection) -> str:
        if not self._sql:
            self._prepare(conn)
        return self._sql

    def _params(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        if row.keys() != self._expected:
            missing = sorted(self._expected - row.keys())
            extra = sorted(row.keys() - self._expected)
            raise KeyError(f"{self.table.name}: missing {missing}, unexpected {extra}")
        # The values in column order in one C call; then only the columns whose type converts values
        # (dates, JSON text) are touched.
        values = self._values(row)
        if not self._processors:
            return values
        out = list(values)
        for i, proc in self._processors:
            if out[i] is not None:
                out[i] = proc(out[i])
        return tuple(out)


def _bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The bind processor Core uses for ``type_`` on ``dialect`` (that of its dialect type: a generic
    ``DateTime`` has none of its own, and a bare ``datetime`` given to sqlite3 would be stored by
    sqlite3's adapter, without the ``.000000`` Core writes for a whole second). For SQLite's ``DATETIME``
    and ``DATE`` in their default storage formats, the same text from one C-level ``isoformat`` call
    (SQLAlchemy's builds a dict and %-formats it, ~2 µs a value); any other value still goes through
    SQLAlchemy's."""
    impl = type_.dialect_impl(dialect)
    proc = impl.bind_processor(dialect)
    if proc is None:
        return None
    plain = proc
    if isinstance(impl, sqlite.DATETIME) and impl._storage_format == _DATETIME_FORMAT:

        def moment(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is None:
                return value.isoformat(" ", "microseconds")
            return plain(value)

        return moment
    if isinstance(impl, sqlite.DATE) and impl._storage_format == _DATE_FORMAT:

        def day(value: Any) -> Any:
            return value.isoformat() if type(value) is date else plain(value)

        return day
    return proc


_DATETIME_FORMAT = sqlite.DATETIME._storage_format
_DATE_FORMAT = sqlite.DATE._storage_format


def execute_many(conn: Connection, sql: str, params: Sequence[tuple[Any, ...]]) -> None:
    """:func:`execute` for many rows at once."""
    raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    try:
        raw.executemany(sql, params)
    except cipher.DB_ERRORS as exc:  # sqlite3's, or sqlcipher3's for the encrypted store
        raise DBAPIError.instance(sql, params[:1], exc, _base(exc), dialect=conn.dialect) from exc


def execute(conn: Connection, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
    """Run ``sql`` on the DBAPI connection of ``conn``'s transaction. SQLite's errors come out wrapped as
    SQLAlchemy's (``OperationalError`` for a full disk…), as from ``Connection.execute``, so the store's
    translation of them into the operator's message applies."""
    raw: sqlite3.Connection = conn.connection.driver_connection  # type: ignore[assignment]
    try:
        return raw.execute(sql, params)
    except cipher.DB_ERRORS as exc:
        raise DBAPIError.instance(sql, params, exc, _base(exc), dialect=conn.dialect) from exc


def _base(exc: Exception) -> type[Exception]:
    """The DB-API ``Error`` class of the driver that raised ``exc``."""
    return next(base for base in cipher.DB_ERRORS if isinstance(exc, base))


def _one(columns: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """``itemgetter`` for fewer than two columns (which returns a bare value, not a tuple, for one)."""
    return lambda row: tuple(row[c] for c in columns)
