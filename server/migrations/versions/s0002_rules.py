"""Calendar days carry the published notice that sets them (number and date).

Revision ID: s0002_rules
Revises: s0002_trust_desk
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002_rules"
down_revision: str | None = "s0002_trust_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_days") as b:
        b.add_column(sa.Column("notice", sa.String(length=100), nullable=False, server_default=""))
        b.add_column(sa.Column("notice_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendar_days") as b:
        b.drop_column("notice_date")
        b.drop_column("notice")
