"""Whole-second times written by the prepared inserts get the text SQLAlchemy writes (``.000000``).

Until this revision the counter's prepared inserts (``app/models/fastwrite.py``) let the sqlite3 module
store a whole-second time as ``2026-11-02 00:00:00`` where SQLAlchemy stores ``2026-11-02
00:00:00.000000``. SQLite compares the two as text, so a dossier received at exactly midnight fell
outside a period starting that midnight (the logbook, reports) and equal times could not be told from
earlier ones. The inserts now write SQLAlchemy's text; this revision rewrites the rows already stored.
Only the text changes, never the time: every value of a ``DATETIME`` column of 19 characters
(``YYYY-MM-DD HH:MM:SS``) gets ``.000000``; everything else is left as it is.

Revision ID: 0005_times
Revises: 0004_digitise
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_times"
down_revision: str | None = "0004_digitise"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# ``YYYY-MM-DD HH:MM:SS``: a whole-second time stored without its fraction.
_WHOLE_SECOND = "____-__-__ __:__:__"


def _datetime_columns() -> list[tuple[str, str]]:
    """(table, column) of every column declared DATETIME in the store as it is now (not the models of
    today: a migration must keep working when they change)."""
    conn = op.get_bind()
    tables = [
        r[0]
        for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
        )
    ]
    out: list[tuple[str, str]] = []
    for table in tables:
        for row in conn.exec_driver_sql(f'PRAGMA table_info("{table}")'):
            if str(row[2]).upper() == "DATETIME":
                out.append((table, str(row[1])))
    return out


def upgrade() -> None:
    conn = op.get_bind()
    for table, column in _datetime_columns():
        conn.exec_driver_sql(
            f'UPDATE "{table}" SET "{column}" = "{column}" || \'.000000\' '
            f"WHERE typeof(\"{column}\") = 'text' AND \"{column}\" LIKE '{_WHOLE_SECOND}' "
            f'AND length("{column}") = 19'
        )


def downgrade() -> None:
    """Nothing to undo: both texts read back as the same time."""
