"""Trust, desk side: the changes of the feed desks report they keep in quarantine (issue 16, D1).

Revision ID: s0002_trust_desk
Revises: 0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002_trust_desk"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantined_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=True),
        sa.Column("code", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_quarantined_changes_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_changes")),
        sa.UniqueConstraint("device_id", "change_seq", name=op.f("uq_quarantined_changes_device_id")),
    )
    op.create_index(
        op.f("ix_quarantined_changes_device_id"), "quarantined_changes", ["device_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_quarantined_changes_device_id"), table_name="quarantined_changes")
    op.drop_table("quarantined_changes")
