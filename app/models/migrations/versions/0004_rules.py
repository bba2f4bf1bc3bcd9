"""Rules as published: calendar notices, time limits per channel, fee rules, extensions, original due date.

- ``holiday_overrides``: the notice that sets each day (number, date) and where the row came from
  (``seed``: the bundled notices file; ``server``: pulled from the provincial server, which wins).
- ``procedures``: ``time_by_channel`` (limits for ``postal`` / ``online`` that differ from the in-person
  one), ``fee_rule`` (a computed fee: per page, per copy, tiers, cap) and ``extensions`` (extensions set
  by specialised law that the operator may apply at intake).
- ``dossiers``: ``original_due_at`` (the date first promised, kept after an apology and extension),
  ``pages`` and ``copies`` (the fee's basis), ``fee_basis`` (how the amount was computed) and
  ``extension`` (the extension applied at intake, printed on the receipt).

Every existing row is kept; existing dossiers get ``original_due_at = due_at`` unless an apology moved
it, in which case the first apology's ``previous_due_at`` is used.

Revision ID: 0004_rules
Revises: 0004_trust
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_rules"
down_revision: str | None = "0004_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("holiday_overrides") as b:
        b.add_column(sa.Column("notice", sa.String(length=100), nullable=False, server_default=""))
        b.add_column(sa.Column("notice_date", sa.Date(), nullable=True))
        b.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="server"))
    with op.batch_alter_table("procedures") as b:
        b.add_column(sa.Column("time_by_channel", sa.Text(), nullable=False, server_default="{}"))
        b.add_column(sa.Column("fee_rule", sa.Text(), nullable=True))
        b.add_column(sa.Column("extensions", sa.Text(), nullable=False, server_default="[]"))
    with op.batch_alter_table("dossiers") as b:
        b.add_column(sa.Column("original_due_at", sa.DateTime(), nullable=True))
        b.add_column(sa.Column("pages", sa.Integer(), nullable=False, server_default="0"))
        b.add_column(sa.Column("copies", sa.Integer(), nullable=False, server_default="0"))
        b.add_column(sa.Column("fee_basis", sa.Text(), nullable=False, server_default=""))
        b.add_column(sa.Column("extension", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE dossiers SET original_due_at = due_at"))
    rows = conn.execute(
        sa.text("SELECT dossier_id, payload FROM dossier_events WHERE action = 'apologise' ORDER BY seq DESC")
    ).all()
    for dossier_id, payload in rows:  # descending: the first apology is written last and wins
        previous = (json.loads(payload) if payload else {}).get("previous_due_at")
        if previous:
            conn.execute(
                sa.text("UPDATE dossiers SET original_due_at = :p WHERE id = :i"),
                {"p": previous.replace("T", " "), "i": dossier_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("dossiers") as b:
        for name in ("extension", "fee_basis", "copies", "pages", "original_due_at"):
            b.drop_column(name)
    with op.batch_alter_table("procedures") as b:
        for name in ("extensions", "fee_rule", "time_by_channel"):
            b.drop_column(name)
    with op.batch_alter_table("holiday_overrides") as b:
        for name in ("source", "notice_date", "notice"):
            b.drop_column(name)
