"""Audit heads of the desks' keyed audit chains (issue 16, D10); revoked enrolment codes (D17)

Revision ID: s0003_audit
Revises: s0002_trust
Create Date: 2026-12-05 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0003_audit"
down_revision: str | None = "s0002_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_audit_heads",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("pushed_at", sa.DateTime(), nullable=False),
        sa.Column("prior_position", sa.BigInteger(), nullable=True),
        sa.Column("prior_mac", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_audit_heads_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_audit_heads")),
    )
    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
    op.drop_table("device_audit_heads")
