"""The national portal connector: settings, per-dossier sync state, deliveries

Revision ID: s0002_portal
Revises: s0002_rules
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002_portal"
down_revision: str | None = "s0002_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_portal_settings")),
    )
    op.create_table(
        "portal_dossiers",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("receiving_eid", sa.String(length=35), nullable=False),
        sa.Column("competent_eid", sa.String(length=35), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("events_total", sa.Integer(), nullable=False),
        sa.Column("events_acked", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_portal_dossiers")),
        sa.UniqueConstraint("code", name=op.f("uq_portal_dossiers_code")),
    )
    with op.batch_alter_table("portal_dossiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_dossiers_receiving_eid"), ["receiving_eid"], unique=False)
        batch_op.create_index(batch_op.f("ix_portal_dossiers_competent_eid"), ["competent_eid"], unique=False)
    op.create_table(
        "portal_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("event_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_deliveries")),
        sa.UniqueConstraint("code", "event_id", name="uq_portal_deliveries_code_event"),
    )
    with op.batch_alter_table("portal_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_deliveries_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index("ix_portal_deliveries_state_next", ["state", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_table("portal_deliveries")
    op.drop_table("portal_dossiers")
    op.drop_table("portal_settings")
