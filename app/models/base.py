"""Declarative base, naming convention (stable constraint names for Alembic) and shared column types."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import MetaData, String, Table, Text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from app.domain.canonical import canonical_json

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The :class:`Table` of a declarative ``model``. SQLAlchemy types ``__table__`` as the wider
    ``FromClause`` (it could be a join or a select for a mapped view); every model here maps one table."""
    table = model.__table__
    assert isinstance(table, Table), model
    return table


class JSONText(TypeDecorator[Any]):
    """JSON stored as compact, key-sorted UTF-8 text: portable across SQLite and PostgreSQL, and stable
    enough to hash (the audit chain and sync payloads rely on that)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return canonical_json(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)


UUID_LEN = 36
Uuid = String(UUID_LEN)
