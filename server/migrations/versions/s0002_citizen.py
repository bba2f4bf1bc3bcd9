"""Citizen pages: look-up limits, ratings, notices outbox, opening hours, change kinds centre and rating

Revision ID: s0002_citizen
Revises: s0002_portal
Create Date: 2026-12-05 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002_citizen"
down_revision: str | None = "s0002_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_KINDS = "kind IN ('dossier', 'procedure', 'calendar')"
_NEW_KINDS = "kind IN ('dossier', 'procedure', 'calendar', 'centre', 'rating')"


def upgrade() -> None:
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opening_hours", sa.String(length=1000), nullable=False, server_default="")
        )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_changes_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_changes_kind"), _NEW_KINDS)
    op.create_table(
        "lookup_limits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("strikes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lookup_limits")),
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_code", sa.String(length=60), nullable=False),
        sa.Column("centre_eid", sa.String(length=35), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_ratings_score")),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_ratings_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_ratings_dossier_id")),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratings_centre_eid"), ["centre_eid"], unique=False)
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_code", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("provider_ref", sa.String(length=200), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms', 'zalo')", name=op.f("ck_notices_channel")),
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'failed', 'unknown')", name=op.f("ck_notices_state")
        ),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_notices_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("event_id", "channel", name="uq_notices_event_id_channel"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_dossier_code"), ["dossier_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index("ix_notices_state_next_attempt_at", ["state", "next_attempt_at"], unique=False)
    op.create_table(
        "notice_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_notice_cursor_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_cursor")),
    )


def downgrade() -> None:
    op.drop_table("notice_cursor")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_state_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_notices_dossier_id"))
        batch_op.drop_index(batch_op.f("ix_notices_dossier_code"))
    op.drop_table("notices")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratings_centre_eid"))
    op.drop_table("ratings")
    op.drop_table("lookup_limits")
    op.execute("DELETE FROM changes WHERE kind IN ('centre', 'rating')")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_changes_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_changes_kind"), _OLD_KINDS)
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.drop_column("opening_hours")
