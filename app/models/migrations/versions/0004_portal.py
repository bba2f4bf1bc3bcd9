"""Online dossiers from the national portal: portal id and acceptance deadline beside the dossier.

Revision ID: 0004_portal
Revises: 0004_rules
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_portal"
down_revision: str | None = "0004_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "online_dossiers",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("portal_id", sa.String(length=60), nullable=False),
        sa.Column("acceptance_due_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_online_dossiers_dossier_id_dossiers")
        ),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_online_dossiers")),
        sa.UniqueConstraint("portal_id", name=op.f("uq_online_dossiers_portal_id")),
    )


def downgrade() -> None:
    op.drop_table("online_dossiers")
