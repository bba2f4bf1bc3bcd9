"""The national portal, second step (issue 20): the online submission's VNeID and paid-online flags beside
the online dossier, and what the portal acknowledged of each dossier (for the reconciliation report).

Revision ID: 0005_portal
Revises: 0005_times
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_portal"
down_revision: str | None = "0005_times"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("online_dossiers") as batch:
        batch.add_column(sa.Column("vneid_verified", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("paid_online", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "portal_acks",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("acked", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("first_event_at", sa.DateTime(), nullable=True),
        sa.Column("first_acked_at", sa.DateTime(), nullable=True),
        sa.Column("last_acked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_portal_acks")),
    )


def downgrade() -> None:
    op.drop_table("portal_acks")
    with op.batch_alter_table("online_dossiers") as batch:
        batch.drop_column("paid_online")
        batch.drop_column("vneid_verified")
