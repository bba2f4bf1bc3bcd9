"""Look-ups in the reference data for the command line: an administrative unit and where it came from
(or what it became), communes found by name, the procedure catalogue, and a procedure's due date.

Each function reads in its own read session and returns small frozen records, never ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from app.domain.errors import DomainError, Problem
from app.domain.notices import estimated_years
from app.domain.rules import time_for_channel
from app.domain.text import fold
from app.models import AdminUnit, Procedure, UnitSuccession
from app.models.db import Store
from app.services.desk import load_calendar

# --- administrative units ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitInfo:
    """One administrative unit, current (``valid_to`` is None) or former."""

    code: str
    name: str
    level: str
    kind: str
    province_code: str
    province_name: str
    district_code: str | None
    district_name: str | None
    valid_from: date | None
    valid_to: date | None

    @property
    def current(self) -> bool:
        return self.valid_to is None


@dataclass(frozen=True)
class Succession:
    """The unit on the other side of a merger, with the note of the decision ("Nhập toàn bộ" …)."""

    unit: UnitInfo
    note: str


@dataclass(frozen=True)
class UnitRecord:
    """A unit found by its code, with what the command line shows beside it: a current province's
    communes (``members``), the former units a current commune was formed from (``formed_from``), or
    the current units a former commune became part of (``successors``)."""

    unit: UnitInfo
    members: tuple[UnitInfo, ...] = ()
    formed_from: tuple[Succession, ...] = ()
    successors: tuple[Succession, ...] = ()


def _info(u: AdminUnit) -> UnitInfo:
    return UnitInfo(
        code=u.code,
        name=u.name,
        level=u.level,
        kind=u.kind,
        province_code=u.province_code,
        province_name=u.province_name,
        district_code=u.district_code,
        district_name=u.district_name,
        valid_from=u.valid_from,
        valid_to=u.valid_to,
    )


def search_communes(store: Store, text: str) -> list[UnitInfo]:
    """Current commune-level units whose name contains ``text`` (diacritics and case ignored), by
    province and code."""
    q = f"%{fold(text)}%"
    with store.read() as s:
        rows = s.scalars(
            select(AdminUnit)
            .where(AdminUnit.level == "commune", AdminUnit.valid_to.is_(None), AdminUnit.name_folded.like(q))
            .order_by(AdminUnit.province_code, AdminUnit.code)
        ).all()
        return [_info(u) for u in rows]


def look_up_unit(store: Store, code: str) -> list[UnitRecord]:
    """Every unit with this code: the current ones first (a province with its communes, a commune with
    the former units it was formed from), then the former communes with their successors. Empty when
    no unit has the code."""
    with store.read() as s:
        current = s.scalars(
            select(AdminUnit).where(AdminUnit.code == code, AdminUnit.valid_to.is_(None))
        ).all()
        old = s.scalars(
            select(AdminUnit).where(
                AdminUnit.code == code, AdminUnit.valid_to.is_not(None), AdminUnit.level == "commune"
            )
        ).all()
        result: list[UnitRecord] = []
        for u in current:
            if u.level == "province":
                members = s.scalars(
                    select(AdminUnit)
                    .where(
                        AdminUnit.province_code == u.code,
                        AdminUnit.level == "commune",
                        AdminUnit.valid_to.is_(None),
                    )
                    .order_by(AdminUnit.code)
                ).all()
                result.append(UnitRecord(_info(u), members=tuple(_info(m) for m in members)))
            else:
                new_unit = AdminUnit.__table__.alias("new_unit")
                sources = s.execute(
                    select(AdminUnit, UnitSuccession.note)
                    .join(UnitSuccession, UnitSuccession.old_unit_id == AdminUnit.id)
                    .join(new_unit, new_unit.c.id == UnitSuccession.new_unit_id)
                    .where(new_unit.c.id == u.id)
                    .order_by(AdminUnit.code)
                ).all()
                result.append(
                    UnitRecord(_info(u), formed_from=tuple(Succession(_info(o), note) for o, note in sources))
                )
        for u in old:
            successors = s.execute(
                select(AdminUnit, UnitSuccession.note)
                .join(UnitSuccession, UnitSuccession.new_unit_id == AdminUnit.id)
                .where(UnitSuccession.old_unit_id == u.id)
                .order_by(AdminUnit.code)
            ).all()
            result.append(
                UnitRecord(_info(u), successors=tuple(Succession(_info(n), note) for n, note in successors))
            )
        return result


# --- the procedure catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class CataloguePaper:
    name: str
    form: str
    count: int


@dataclass(frozen=True)
class CatalogueEntry:
    """An active procedure of the catalogue, as the command line lists it."""

    code: str
    name: str
    field: str
    level: str
    competent_agency: str
    time_value: int
    time_unit: str
    fee_vnd: int
    cross_boundary: bool
    papers: tuple[CataloguePaper, ...]


@dataclass(frozen=True)
class Catalogue:
    """The active procedures found (by field and code), and how many procedures the store holds in
    all (active or not: zero means the catalogue was never loaded)."""

    entries: tuple[CatalogueEntry, ...]
    total: int


def search_catalogue(store: Store, text: str | None = None) -> Catalogue:
    """The active procedures, or those whose name (diacritics and case ignored) or code contains
    ``text`` when it is given and not empty."""
    with store.read() as s:
        stmt = select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.field, Procedure.code)
        if text:
            q = f"%{fold(text)}%"
            stmt = stmt.where(or_(Procedure.name_folded.like(q), Procedure.code.like(q)))
        procs = s.scalars(stmt).all()
        total = s.scalar(select(func.count()).select_from(Procedure))
        entries = tuple(
            CatalogueEntry(
                code=p.code,
                name=p.name,
                field=p.field,
                level=p.level,
                competent_agency=p.competent_agency,
                time_value=p.time_value,
                time_unit=p.time_unit,
                fee_vnd=p.fee_vnd,
                cross_boundary=p.cross_boundary,
                papers=tuple(CataloguePaper(x.name, x.form, x.count) for x in p.papers),
            )
            for p in procs
        )
    return Catalogue(entries, int(total or 0))


@dataclass(frozen=True)
class DueDate:
    procedure_code: str
    received_at: datetime
    due_at: datetime
    time_value: int
    time_unit: str
    channel: str = "direct"
    #: Years the period crosses with no public-sector notice loaded (the days there are estimates).
    estimated_years: tuple[int, ...] = ()


def due_date(store: Store, procedure_code: str, received: datetime, channel: str = "direct") -> DueDate:
    """When a dossier of this procedure (active or not) received at ``received`` through ``channel`` is
    due, on this desk's working calendar; DomainError ``procedure.unknown`` when no procedure has the
    code."""
    with store.read() as s:
        proc = s.scalar(select(Procedure).where(Procedure.code == procedure_code))
        if proc is None:
            raise DomainError(
                Problem(
                    "procedure.unknown",
                    f"Không có thủ tục mã «{procedure_code}».",
                    f"No procedure with code {procedure_code!r}.",
                    "procedure",
                )
            )
        value, unit = time_for_channel(proc.time_value, proc.time_unit, proc.time_by_channel, channel)
        calendar = load_calendar(s)
        due = calendar.due_at(received, value, unit)
        estimated = estimated_years(calendar.notice_years, received.date(), due.date())
        return DueDate(proc.code, received, due, value, unit, channel, estimated)
