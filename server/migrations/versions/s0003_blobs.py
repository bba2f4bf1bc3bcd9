"""Digitised files: an indexed file-reference table backfilled from the stored ``dossier.files`` events,
and the tables of the PostgreSQL blob store (issue 19)

Revision ID: s0003_blobs
Revises: s0003_audit
Create Date: 2026-12-05 15:00:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "s0003_blobs"
down_revision: str | None = "s0003_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def _ref(event_id: str, dossier_id: str, text: str) -> dict[str, Any]:
    """The reference row of a stored ``dossier.files`` event (as server.sync writes it since then)."""
    body = json.loads(text)
    p = body.get("payload", {}) if isinstance(body, dict) else {}
    return {
        "event_id": event_id,
        "dossier_id": dossier_id,
        "sha256": p.get("sha256") or None,
        "kind": str(p.get("kind", "paper")),
        "paper_no": int(p.get("paper_no", 0)),
        "name": str(p.get("name", "")),
        "pages": int(p.get("page_count", 0)),
        "size": int(p.get("size", 0)),
        "exemption": p.get("exemption"),
    }


def upgrade() -> None:
    refs = op.create_table(
        "file_refs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("paper_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("exemption", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_file_refs_dossier_id_dossiers")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.event_id"], name=op.f("fk_file_refs_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_refs")),
        sa.UniqueConstraint("event_id", name=op.f("uq_file_refs_event_id")),
    )
    with op.batch_alter_table("file_refs", schema=None) as batch_op:
        batch_op.create_index("ix_file_refs_dossier_id_id", ["dossier_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_refs_sha256"), ["sha256"], unique=False)
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["blobs.sha256"], name=op.f("fk_blob_chunks_sha256_blobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("sha256", "start", name=op.f("pk_blob_chunks")),
    )
    # Backfill: the references of the events already stored, in their arrival order.
    conn = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id", sa.Integer()),
        sa.column("event_id", sa.String()),
        sa.column("dossier_id", sa.String()),
        sa.column("type", sa.String()),
        sa.column("body", sa.Text()),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(events.c.id, events.c.event_id, events.c.dossier_id, events.c.body)
            .where(events.c.type == "dossier.files", events.c.id > last)
            .order_by(events.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            refs.insert(), [_ref(event_id, dossier_id, body) for _id, event_id, dossier_id, body in rows]
        )
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("blob_chunks")
    op.drop_table("blobs")
    with op.batch_alter_table("file_refs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_refs_sha256"))
        batch_op.drop_index("ix_file_refs_dossier_id_id")
    op.drop_table("file_refs")
