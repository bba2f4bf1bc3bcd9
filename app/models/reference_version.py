"""The reference-data version token (table ``reference_version``) and the triggers that renew it.

Every INSERT, UPDATE or DELETE on a table listed in :data:`TABLES` sets a fresh random token in the same
transaction. A reader that sees the same token sees the same reference data, so the service layer caches
what it derives from them (the desk, the calendar, procedures, communes) under the token
(:mod:`app.services.desk`). The token is random rather than a counter so that two databases that went
different ways (a restored backup, a copied file) never share a token for different contents.

SQLite drops a table's triggers when a migration rebuilds the table (Alembic batch mode "recreate"):
:func:`ensure_triggers` runs after every migration (``app.models.migrate.upgrade``) and puts back any
that are missing; a test checks that every trigger exists at the head revision.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from app.models.fastwrite import execute

#: The tables whose rows the use cases read as reference data.
TABLES = (
    "centres",
    "workstations",
    "procedures",
    "procedure_papers",
    "admin_units",
    "unit_successions",
    "holiday_overrides",
)
OPERATIONS = ("insert", "update", "delete")
NEW_TOKEN_SQL = "UPDATE reference_version SET token = lower(hex(randomblob(16))) WHERE id = 1"


def trigger_name(table: str, operation: str) -> str:
    return f"refver_{table}_{operation}"


def trigger_sql(table: str, operation: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, operation)} AFTER {operation.upper()} ON {table}"
        f" BEGIN {NEW_TOKEN_SQL}; END"
    )


def ensure_triggers(conn: Connection) -> None:
    """Create the token row and any missing trigger (idempotent), in the caller's transaction."""
    conn.execute(
        text(
            "INSERT INTO reference_version (id, token) SELECT 1, lower(hex(randomblob(16)))"
            " WHERE NOT EXISTS (SELECT 1 FROM reference_version WHERE id = 1)"
        )
    )
    for table in TABLES:
        for operation in OPERATIONS:
            conn.execute(text(trigger_sql(table, operation)))


def current_token(conn: Connection) -> str:
    """The token as this transaction sees it."""
    row = execute(conn, "SELECT token FROM reference_version WHERE id = 1", ()).fetchone()
    if row is None:
        raise LookupError("reference_version has no row: the store was not migrated")
    return str(row[0])
