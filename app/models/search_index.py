"""The FTS5 search index over dossiers (``dossier_search``), kept by the service layer.

One column of folded terms per dossier: the applicant's name without diacritics (đ→d), personal ID,
phone and the dossier code. Its rowid is ``dossiers.rowid``: **a migration that rebuilds the
``dossiers`` table (batch mode "recreate") changes rowids and must run** :data:`REBUILD_SQL` afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from app.models.fastwrite import execute, execute_many

CREATE_SQL = (
    "CREATE VIRTUAL TABLE dossier_search USING fts5(terms, tokenize = 'unicode61 remove_diacritics 2')"
)

REBUILD_SQL = (
    "DELETE FROM dossier_search;"
    "INSERT INTO dossier_search (rowid, terms) "
    "SELECT d.rowid, a.name_folded || ' ' || coalesce(a.personal_id, '') || ' ' || coalesce(a.phone, '')"
    " || ' ' || coalesce(d.code, '') FROM dossiers d JOIN applicants a ON a.id = d.applicant_id"
)


def terms(name_folded: str, personal_id: str | None, phone: str | None, code: str | None) -> str:
    """The indexed text, from the applicant's name as folded for ``applicants.name_folded``
    (:func:`app.domain.text.fold`). Of the code only its date and running number are indexed ("261130
    0042"): its agency part is the same for every dossier of the centre; whole codes are found through
    the unique index on ``dossiers.code`` instead."""
    code_parts = code.split("-")[1:] if code else []
    return " ".join(x for x in (name_folded, personal_id or "", phone or "", *code_parts) if x)


def index_new_row(conn: Connection, rowid: int, terms_text: str) -> None:
    """Index a dossier inserted just now on ``conn`` (its ``dossiers.rowid`` known from the insert)."""
    execute(conn, "INSERT INTO dossier_search (rowid, terms) VALUES (?, ?)", (rowid, terms_text))


def reindex_rows(conn: Connection, rows: Sequence[tuple[int, str]]) -> None:
    """Replace the index rows of these dossiers, ((``dossiers.rowid``, terms) each), in ``conn``'s
    transaction."""
    execute_many(conn, "DELETE FROM dossier_search WHERE rowid = ?", [(rowid,) for rowid, _ in rows])
    execute_many(conn, "INSERT INTO dossier_search (rowid, terms) VALUES (?, ?)", rows)
