"""Searching dossiers by code, personal ID, phone or applicant name typed without diacritics.

Backed by the FTS5 index of :mod:`app.models.search_index` (folded terms, so "dang" finds "Đặng"),
with status and date filters, paged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session

from app.domain.text import fold
from app.models import Applicant, Dossier, Procedure
from app.models.db import Store

_TOKEN = re.compile(r"[0-9a-z]+")
MAX_TOKENS = 8


@dataclass(frozen=True)
class SearchHit:
    dossier_id: str
    code: str | None
    applicant_name: str
    personal_id: str | None
    phone: str | None
    procedure_code: str
    procedure_name: str
    status: str
    received_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class SearchPage:
    hits: tuple[SearchHit, ...]
    total: int
    page: int
    page_size: int


def fts_query(query: str) -> str | None:
    """The FTS5 MATCH expression for what the operator typed: every token as a prefix, all required."""
    tokens = _TOKEN.findall(fold(query))[:MAX_TOKENS]
    if not tokens:
        return None
    return " AND ".join(f'"{t}"*' for t in tokens)


def search(
    store: Store,
    query: str = "",
    *,
    statuses: Sequence[str] | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> SearchPage:
    page = max(1, page)
    page_size = max(1, min(page_size, 500))
    with store.read() as s:
        return _search(s, query, statuses, received_from, received_to, page, page_size)


def _search(
    s: Session,
    query: str,
    statuses: Sequence[str] | None,
    received_from: date | None,
    received_to: date | None,
    page: int,
    page_size: int,
) -> SearchPage:
    conditions = []
    if statuses:
        conditions.append(Dossier.status.in_(list(statuses)))
    if received_from:
        conditions.append(Dossier.received_at >= datetime.combine(received_from, datetime.min.time()))
    if received_to:
        conditions.append(
            Dossier.received_at < datetime.combine(received_to + timedelta(days=1), datetime.min.time())
        )
    match = fts_query(query)
    base = (
        select(
            Dossier,
            Applicant.full_name,
            Applicant.personal_id,
            Applicant.phone,
            Procedure.code,
            Procedure.name,
        )
        .join(Applicant, Applicant.id == Dossier.applicant_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
    )
    if match is not None:
        conditions.append(
            text("dossiers.rowid IN (SELECT rowid FROM dossier_search WHERE dossier_search MATCH :q)")
        )
    where = and_(*conditions) if conditions else None
    stmt = base.where(where) if where is not None else base
    count_stmt = select(func.count()).select_from(Dossier)
    if where is not None:
        count_stmt = count_stmt.where(where)
    params = {"q": match} if match is not None else {}
    total = s.execute(count_stmt, params).scalar_one()
    rows = s.execute(
        stmt.order_by(Dossier.received_at.desc()).limit(page_size).offset((page - 1) * page_size), params
    ).all()
    hits = tuple(
        SearchHit(d.id, d.code, name, pid, phone, pcode, pname, d.status, d.received_at, d.due_at)
        for d, name, pid, phone, pcode, pname in rows
    )
    return SearchPage(hits, total, page, page_size)
