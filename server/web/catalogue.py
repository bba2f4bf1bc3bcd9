"""The centres' public pages: the province's centres, and per centre its address, hotline, opening hours
and the procedures received there (time limit, fee, papers), searchable without diacritics.

Which procedures a centre receives: a commune centre receives every procedure of the province's
catalogue (it decides the commune-level ones and receives and forwards the province-level ones, the
two-tier model since 1 July 2025); a provincial agency receives the province-level ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.contract import CatalogueItem
from app.domain.text import fold
from server.db import Database
from server.models import Centre, Procedure
from server.web.lookup import visible

MAX_QUERY_LEN = 200

_FORM = {
    "original": "bản chính",
    "copy": "bản sao",
    "original_or_copy": "bản chính hoặc bản sao",
    "show": "xuất trình bản chính",
}
_UNIT = {
    "working_days": "ngày làm việc",
    "working_hours": "giờ làm việc",
    "calendar_days": "ngày",
}


@dataclass(frozen=True, slots=True)
class CentreCard:
    eid: str
    name: str
    kind: str
    address: str
    hotline: str
    opening_hours: str


@dataclass(frozen=True, slots=True)
class PaperLine:
    name: str
    form: str
    count: int
    note: str


@dataclass(frozen=True, slots=True)
class ProcedureCard:
    code: str
    name: str
    field: str
    time_limit: str
    fee: str
    papers: list[PaperLine]


def time_limit(item: CatalogueItem) -> str:
    same_day = item.time_unit == "same_day"
    base = "Trong ngày" if same_day else f"{item.time_value} {_UNIT[item.time_unit]}"
    return f"{base}. {item.time_text}" if item.time_text else base


def fee(item: CatalogueItem) -> str:
    amount = f"{item.fee_vnd:,}".replace(",", ".") + " đồng" if item.fee_vnd else "Không thu phí, lệ phí"
    return f"{amount}. {item.fee_text}" if item.fee_text else amount


def _card(c: Centre) -> CentreCard:
    return CentreCard(c.eid, c.name, c.kind, c.address, c.hotline, c.opening_hours)


def centres(db: Database) -> list[CentreCard]:
    with db.read() as s:
        rows = s.scalars(select(Centre).order_by(Centre.kind, Centre.name)).all()
        return [_card(c) for c in rows]


def centre(db: Database, eid: str) -> CentreCard | None:
    with db.read() as s:
        row = s.scalar(select(Centre).where(Centre.eid == visible(eid)[:35]))
        return _card(row) if row is not None else None


def procedures(db: Database, card: CentreCard, query: str) -> list[ProcedureCard]:
    """The procedures received at the centre whose code, name or field contains every word of ``query``
    (compared folded: no diacritics, đ = d, any case)."""
    words = fold(visible(query[:MAX_QUERY_LEN])).split()
    with db.read() as s:
        items = [CatalogueItem.model_validate(p) for p in s.scalars(select(Procedure.item))]
    out = []
    for item in sorted(items, key=lambda i: (i.field, i.name)):
        if card.kind == "provincial_agency" and item.level != "province":
            continue
        haystack = fold(f"{item.code} {item.name} {item.field}")
        if all(w in haystack for w in words):
            papers = [PaperLine(p.name, _FORM[p.form], p.count, p.note) for p in item.papers]
            out.append(ProcedureCard(item.code, item.name, item.field, time_limit(item), fee(item), papers))
    return out
