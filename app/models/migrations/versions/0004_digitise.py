"""Digitised papers and results of dossiers (issue 19): ``dossier_files``.

Revision ID: 0004_digitise
Revises: 0004_citizen
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_digitise"
down_revision: str | None = "0004_citizen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dossier_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("paper_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("declared_pages", sa.Integer(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("image_count", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("original_sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=60), nullable=False),
        sa.Column("exemption", sa.String(length=30), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reused_from", sa.Integer(), nullable=True),
        sa.Column("ocr_state", sa.String(length=10), nullable=False),
        sa.Column("upload_state", sa.String(length=10), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("operator_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('paper', 'result')", name=op.f("ck_dossier_files_kind")),
        sa.CheckConstraint(
            "ocr_state IN ('pending', 'done', 'failed', 'none')", name=op.f("ck_dossier_files_ocr_state")
        ),
        sa.CheckConstraint(
            "upload_state IN ('pending', 'sent', 'parked', 'none')", name=op.f("ck_dossier_files_upload_state")
        ),
        sa.CheckConstraint(
            "(sha256 IS NULL) = (exemption IS NOT NULL)", name=op.f("ck_dossier_files_file_or_exemption")
        ),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name=op.f("fk_dossier_files_dossier_id_dossiers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_files")),
    )
    op.create_index("ix_dossier_files_dossier", "dossier_files", ["dossier_id", "kind", "paper_no"])
    op.create_index("ix_dossier_files_sha256", "dossier_files", ["sha256"])
    op.create_index("ix_dossier_files_ocr", "dossier_files", ["ocr_state"])


def downgrade() -> None:
    op.drop_index("ix_dossier_files_ocr", table_name="dossier_files")
    op.drop_index("ix_dossier_files_sha256", table_name="dossier_files")
    op.drop_index("ix_dossier_files_dossier", table_name="dossier_files")
    op.drop_table("dossier_files")
