"""Citizens' satisfaction ratings pulled from the server; the applicant's consent to notices

Revision ID: 0004_citizen
Revises: 0004_portal
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_citizen"
down_revision: str | None = "0004_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("dossiers", sa.Column("notify", sa.String(length=20), nullable=False, server_default=""))
    op.create_table(
        "dossier_ratings",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_code", sa.String(length=60), nullable=False),
        sa.Column("centre_eid", sa.String(length=35), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_dossier_ratings_score")),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_dossier_ratings")),
    )
    with op.batch_alter_table("dossier_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_ratings_dossier_code"), ["dossier_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dossier_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_ratings_dossier_code"))
    op.drop_table("dossier_ratings")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("notify")
