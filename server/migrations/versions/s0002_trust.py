"""Trust: the operators who logged in through each device, and the security audit log (issue 16)

Revision ID: s0002_trust
Revises: s0002_citizen
Create Date: 2026-12-05 12:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002_trust"
down_revision: str | None = "s0002_citizen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_operators",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("first_login_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_device_operators_device_id_devices")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_device_operators_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("device_id", "operator_id", name=op.f("pk_device_operators")),
    )
    with op.batch_alter_table("device_operators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_device_operators_operator_id"), ["operator_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("centre_eid", sa.String(length=35), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_kind"), ["kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_kind"))
        batch_op.drop_index("ix_audit_log_at")
    op.drop_table("audit_log")
    with op.batch_alter_table("device_operators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_operators_operator_id"))
    op.drop_table("device_operators")
