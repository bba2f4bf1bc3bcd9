"""Search index (FTS5) over dossiers, the archive of printed documents, agencies' e-IDs on dossiers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("competent_agency_eid", sa.String(length=35), nullable=True))
        batch_op.add_column(sa.Column("handling_agency_eid", sa.String(length=35), nullable=True))
        batch_op.create_index(batch_op.f("ix_dossiers_handling_agency_eid"), ["handling_agency_eid"], unique=False)
    # The FTS5 index of app.models.search_index (frozen here as it was at this revision), then index
    # what older versions already stored.
    op.execute(
        "CREATE VIRTUAL TABLE dossier_search USING fts5(terms, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO dossier_search (rowid, terms) "
        "SELECT d.rowid, a.name_folded || ' ' || coalesce(a.personal_id, '') || ' ' || coalesce(a.phone, '')"
        " || ' ' || coalesce(d.code, '') FROM dossiers d JOIN applicants a ON a.id = d.applicant_id"
    )
    op.create_table(
        "printed_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=True),
        sa.Column("form", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("operator_name", sa.String(length=200), nullable=False),
        sa.Column("is_copy", sa.Boolean(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossiers.id"], name=op.f("fk_printed_documents_dossier_id_dossiers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printed_documents")),
    )
    with op.batch_alter_table("printed_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_printed_documents_dossier_id"), ["dossier_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("printed_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_printed_documents_dossier_id"))
    op.drop_table("printed_documents")
    op.execute("DROP TABLE dossier_search")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_handling_agency_eid"))
        batch_op.drop_column("handling_agency_eid")
        batch_op.drop_column("competent_agency_eid")
