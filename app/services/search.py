"""Searching dossiers by code, personal ID, phone or applicant name typed without diacritics.

Backed by the FTS5 index of :mod:`app.models.search_index` (folded terms, so "dang" finds "Đặng"),
with status and date filters, paged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.text import fold
from app.models.db import Store

_TOKEN = re.compile(r"[0-9a-z]+")
MAX_TOKENS = 8
#: Pages beyond this are empty anyway (and page × size must stay within SQLite's 64-bit integers).
MAX_PAGE = 1_000_000


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
    #: True when there are more than ``COUNT_CAP`` hits (``total`` is then COUNT_CAP + 1).
    capped: bool = False


def fts_query(query: str, *, all_prefix: bool = False) -> str | None:
    """The FTS5 MATCH expression for what the operator typed: all tokens required, the last one as a
    prefix (it may still be being typed). Whole tokens before it keep common names fast: "tran" does
    not also pull in every "trang"."""
    tokens = _TOKEN.findall(fold(query))[:MAX_TOKENS]
    if not tokens:
        return None
    if all_prefix:
        return " AND ".join(f'"{t}"*' for t in tokens)
    return " AND ".join([f'"{t}"' for t in tokens[:-1]] + [f'"{tokens[-1]}"*'])


_CODE = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)+-[0-9-]*")


def code_prefix(query: str) -> str | None:
    """The dossier-code prefix typed (``000.10.24.H06-2611…``), or None when the query is not a code."""
    q = query.strip()
    return q.upper() if _CODE.fullmatch(q) else None


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
    with store.read() as s:
        return search_in(
            s,
            query,
            statuses=statuses,
            received_from=received_from,
            received_to=received_to,
            page=page,
            page_size=page_size,
        )


def search_in(
    s: Session,
    query: str = "",
    *,
    statuses: Sequence[str] | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> SearchPage:
    """:func:`search` in the caller's read transaction."""
    page = max(1, min(page, MAX_PAGE))
    page_size = max(1, min(page_size, 500))
    return _search(s, query, statuses, received_from, received_to, page, page_size)


#: Totals are counted up to this many hits ("more than 1,000"): an exact count of a common name over a
#: million dossiers costs more than the whole page.
COUNT_CAP = 1000


def _search(
    s: Session,
    query: str,
    statuses: Sequence[str] | None,
    received_from: date | None,
    received_to: date | None,
    page: int,
    page_size: int,
    all_prefix: bool = False,
) -> SearchPage:
    filters: list[str] = []
    params: dict[str, object] = {"limit": page_size, "offset": (page - 1) * page_size, "cap": COUNT_CAP + 1}
    if statuses:
        names = [f"s{i}" for i in range(len(statuses))]
        filters.append(f"d.status IN ({', '.join(':' + n for n in names)})")
        params.update(zip(names, statuses, strict=True))
    if received_from:
        filters.append("d.received_at >= :rfrom")
        params["rfrom"] = datetime.combine(received_from, datetime.min.time()).isoformat(sep=" ")
    if received_to:
        filters.append("d.received_at < :rto")
        params["rto"] = datetime.combine(received_to + timedelta(days=1), datetime.min.time()).isoformat(
            sep=" "
        )
    where = " AND ".join(filters) or "1"
    prefix = code_prefix(query)
    match = None if prefix is not None else fts_query(query, all_prefix=all_prefix)
    if prefix is not None:
        # A code (or its beginning): the unique index on dossiers.code answers directly.
        filters.append("d.code >= :clo AND d.code < :chi")
        params["clo"], params["chi"] = prefix, prefix + "\uffff"
        where = " AND ".join(filters)
    if match is not None:
        # Newest first straight from the FTS index (rowid order = insertion order), then join: SQLite stops
        # as soon as the page is full instead of sorting every hit of a common name.
        params["q"] = match
        source = (
            "(SELECT rowid AS r FROM dossier_search WHERE dossier_search MATCH :q ORDER BY rowid DESC) m "
            "JOIN dossiers d ON d.rowid = m.r"
        )
        order = "m.r DESC"
    else:
        source = "dossiers d"
        order = "d.code DESC" if prefix is not None else "d.received_at DESC"
    rows = s.execute(
        text(
            "SELECT d.id, d.code, a.full_name, a.personal_id, a.phone, p.code, p.name, d.status,"
            f" d.received_at, d.due_at FROM {source} JOIN applicants a ON a.id = d.applicant_id"
            " JOIN procedures p ON p.id = d.procedure_id "
            f"WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    total = s.execute(
        text(f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {where} LIMIT :cap)"), params
    ).scalar_one()
    hits = tuple(
        SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], _dt(r[8]), _dt_or_none(r[9])) for r in rows
    )
    if not total and not all_prefix and match is not None and match != fts_query(query, all_prefix=True):
        # Nothing with whole words: maybe an earlier word was cut short ("nguy van"): every word a prefix.
        return _search(s, query, statuses, received_from, received_to, page, page_size, all_prefix=True)
    return SearchPage(hits, total, page, page_size, capped=total > COUNT_CAP)


def _dt(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _dt_or_none(value: object) -> datetime | None:
    return None if value is None else _dt(value)
