"""Reference-data version token, renewed by triggers on every reference table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here as they were at this revision (app.models.reference_version keeps the current list and puts
# back triggers that a later table rebuild drops).
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


def upgrade() -> None:
    op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_reference_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    op.execute("INSERT INTO reference_version (id, token) VALUES (1, lower(hex(randomblob(16))))")
    for table in TABLES:
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS refver_{table}_{operation} AFTER {operation.upper()} ON {table}"
                " BEGIN UPDATE reference_version SET token = lower(hex(randomblob(16))) WHERE id = 1; END"
            )


def downgrade() -> None:
    for table in TABLES:
        for operation in OPERATIONS:
            op.execute(f"DROP TRIGGER IF EXISTS refver_{table}_{operation}")
    op.drop_table("reference_version")
