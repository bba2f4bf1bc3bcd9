"""Trust: changes of the server's feed that could not be applied, kept in quarantine.

Revision ID: 0004_trust
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_trust"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantined_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=True),
        sa.Column("code", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_changes")),
        sa.UniqueConstraint("change_seq", name=op.f("uq_quarantined_changes_change_seq")),
    )


def downgrade() -> None:
    op.drop_table("quarantined_changes")
