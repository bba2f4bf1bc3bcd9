"""What the front desk shows: the centre, the catalogue for the procedure picker, the desk's dossier
lists (today, due soon, overdue, awaiting a supplement, results to hand back, forwarded out and in),
the instant search as rows, one dossier in detail, and the number of events waiting to sync.

Read-only queries, each in its own read session; nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.roles import Role
from app.domain.status import Action, Status, is_open
from app.domain.text import fold
from app.models import (
    AdminUnit,
    Applicant,
    Centre,
    Dossier,
    DossierEvent,
    OutboxEntry,
    PrintedDocument,
    Procedure,
    Workstation,
)
from app.models.db import Store
from app.services.calendar_notices import LoadedCalendar, loaded_calendar
from app.services.desk import load_calendar
from app.services.dossiers import dossier_roles, find_dossier
from app.services.search import SearchHit, search_in

#: The desk's lists, in the order the screen shows them.
# "to_forward" last: Alt+1…7 keep the lists they had.
LISTS = (
    "today",
    "due_soon",
    "overdue",
    "supplement",
    "results",
    "forwarded_out",
    "forwarded_in",
    "to_forward",
)
#: Statuses in which the clock runs for the agency (a supplement or fee request pauses it).
CLOCK_RUNNING = (Status.RECEIVED.value, Status.IN_PROCESS.value)
OPEN_STATUSES = tuple(s.value for s in Status if is_open(s))
DEFAULT_LIMIT = 500


# --- the desk ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskSummary:
    centre_name: str
    unit_label: str
    agency_eid: str
    address: str
    hotline: str
    workstation_name: str
    workstation_slot: int
    procedures: int
    #: The public-sector calendar notices loaded, per year: (year, ("12729/VPCP-KGVX (25/12/2025)", …)).
    notices: tuple[tuple[int, tuple[str, ...]], ...] = ()
    #: Next year, from 1 November while its notices are not loaded (the Settings dialog warns).
    missing_notice_year: int | None = None


def desk_summary(store: Store, today: date | None = None) -> DeskSummary:
    """The home centre, its administrative unit, this workstation, the catalogue size and the calendar
    notices loaded."""
    cal = loaded_calendar(store, today or date.today())
    with store.read() as s:
        centre = s.scalar(select(Centre).where(Centre.is_home.is_(True)))
        procedures = (
            s.scalar(select(func.count()).select_from(Procedure).where(Procedure.active.is_(True))) or 0
        )
        ws = s.scalar(select(Workstation).where(Workstation.is_local.is_(True)))
        unit_label = ""
        if centre is not None and centre.unit_code:
            unit = s.scalar(
                select(AdminUnit).where(
                    AdminUnit.code == centre.unit_code,
                    AdminUnit.valid_to.is_(None),
                    AdminUnit.level == "commune",
                )
            )
            if unit is not None:
                unit_label = f"{unit.name}, {unit.province_name}"
        return DeskSummary(
            centre_name=centre.name if centre else "",
            unit_label=unit_label,
            agency_eid=centre.agency_eid if centre else "",
            address=centre.address if centre else "",
            hotline=centre.hotline if centre else "",
            workstation_name=ws.name if ws else "",
            workstation_slot=ws.slot if ws else 0,
            procedures=procedures,
            notices=_notices_by_year(cal),
            missing_notice_year=cal.missing_year,
        )


def _notices_by_year(cal: LoadedCalendar) -> tuple[tuple[int, tuple[str, ...]], ...]:
    out: list[tuple[int, tuple[str, ...]]] = []
    for year in sorted(cal.years):
        names = tuple(
            n.number + (f" ({n.notice_date:%d/%m/%Y})" if n.notice_date else "")
            for n in cal.notices
            if n.number and year in n.years
        )
        out.append((year, names))
    return tuple(out)


# --- the catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperItem:
    name: str
    form: str
    count: int
    note: str


@dataclass(frozen=True)
class ProcedureItem:
    code: str
    name: str
    field: str
    level: str
    fee_vnd: int
    fee_text: str
    time_value: int
    time_unit: str
    papers: tuple[PaperItem, ...]
    #: Folded name and code, for matching what the operator types without diacritics.
    folded: str


def catalogue(store: Store) -> list[ProcedureItem]:
    """The active procedures with their papers, in catalogue order."""
    with store.read() as s:
        return [
            ProcedureItem(
                code=p.code,
                name=p.name,
                field=p.field,
                level=p.level,
                fee_vnd=p.fee_vnd,
                fee_text=p.fee_text,
                time_value=p.time_value,
                time_unit=p.time_unit,
                papers=tuple(PaperItem(x.name, x.form, x.count, x.note) for x in p.papers),
                folded=f"{p.name_folded} {p.code}",
            )
            for p in s.scalars(select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.id))
        ]


# --- the lists --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskRow(SearchHit):
    """A dossier as the desk's lists show it: a search hit plus routing and urgency."""

    scenario: str
    handling_agency: str
    #: "overdue", "due_soon" or "" (the colour of the row).
    urgency: str


def urgency(status: str, due_at: datetime | None, now: datetime, soon_until: datetime) -> str:
    if due_at is None or status not in CLOCK_RUNNING:
        return ""
    if due_at < now:
        return "overdue"
    if due_at <= soon_until:
        return "due_soon"
    return ""


def _soon_until(s: Session, now: datetime) -> datetime:
    """The end of the next working day: a dossier due before then is "due soon"."""
    day = load_calendar(s).next_working_day(now.date())
    return datetime.combine(day, time(23, 59, 59))


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, datetime.combine(day, time.max)


def _home(s: Session) -> Centre | None:
    return s.scalar(select(Centre).where(Centre.is_home.is_(True)))


def _conditions(kind: str, home: Centre | None, now: datetime, soon_until: datetime) -> list[Any]:
    home_id = home.id if home is not None else -1
    home_eid = home.agency_eid if home is not None else ""
    if kind == "today":
        start, end = _day_bounds(now.date())
        return [Dossier.received_at >= start, Dossier.received_at <= end]
    if kind == "due_soon":
        return [Dossier.status.in_(CLOCK_RUNNING), Dossier.due_at >= now, Dossier.due_at <= soon_until]
    if kind == "overdue":
        return [Dossier.status.in_(CLOCK_RUNNING), Dossier.due_at < now]
    if kind == "supplement":
        return [Dossier.status == Status.SUPPLEMENT_REQUESTED.value]
    if kind == "results":
        return [Dossier.status == Status.RESULT_READY.value]
    forwarded = (
        select(DossierEvent.id)
        .where(DossierEvent.dossier_id == Dossier.id, DossierEvent.action == Action.FORWARD.value)
        .exists()
    )
    if kind == "forwarded_out":  # actually forwarded (an event says so), not only routed elsewhere
        return [
            Dossier.receiving_centre_id == home_id,
            Dossier.scenario.in_(("b", "c")),
            Dossier.status.in_(OPEN_STATUSES),
            forwarded,
        ]
    if kind == "to_forward":  # routed to another agency, received here, not forwarded yet
        return [
            Dossier.receiving_centre_id == home_id,
            Dossier.scenario.in_(("b", "c")),
            Dossier.status.in_(OPEN_STATUSES),
            ~forwarded,
        ]
    if kind == "forwarded_in":
        return [
            Dossier.receiving_centre_id != home_id,
            Dossier.handling_agency_eid == home_eid,
            Dossier.status.in_(OPEN_STATUSES),
        ]
    raise ValueError(f"unknown desk list {kind!r}")


def _order(kind: str) -> Any:
    if kind in ("due_soon", "overdue"):
        return (Dossier.due_at.asc(),)
    return (Dossier.received_at.desc(),)


def desk_list(
    store: Store, kind: str, *, now: datetime | None = None, limit: int = DEFAULT_LIMIT
) -> list[DeskRow]:
    """One of the desk's lists (:data:`LISTS`), most urgent or most recent first."""
    now = now or datetime.now()
    with store.read() as s:
        soon = _soon_until(s, now)
        stmt = (
            select(Dossier, Applicant, Procedure.code, Procedure.name)
            .join(Applicant, Applicant.id == Dossier.applicant_id)
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .where(*_conditions(kind, _home(s), now, soon))
            .order_by(*_order(kind))
            .limit(limit)
        )
        return [
            DeskRow(
                d.id,
                d.code,
                a.full_name,
                a.personal_id,
                a.phone,
                pcode,
                pname,
                d.status,
                d.received_at,
                d.due_at,
                d.scenario,
                d.handling_agency,
                urgency(d.status, d.due_at, now, soon),
            )
            for d, a, pcode, pname in s.execute(stmt).all()
        ]


def desk_counts(store: Store, *, now: datetime | None = None) -> dict[str, int]:
    """How many dossiers each list holds."""
    now = now or datetime.now()
    with store.read() as s:
        soon = _soon_until(s, now)
        home = _home(s)
        return {
            kind: s.scalar(
                select(func.count()).select_from(Dossier).where(*_conditions(kind, home, now, soon))
            )
            or 0
            for kind in LISTS
        }


def find_rows(store: Store, query: str, *, now: datetime | None = None, limit: int = 100) -> list[DeskRow]:
    """The instant search of the desk (code, ID number, phone, name without diacritics) as desk rows."""
    now = now or datetime.now()
    with store.read() as s:  # the hits and their desk columns from one snapshot
        page = search_in(s, query, page_size=limit)
        soon = _soon_until(s, now)
        scenarios: dict[str, tuple[str, str]] = {}
        ids = [h.dossier_id for h in page.hits]
        if ids:
            scenarios = {
                i: (sc, ha)
                for i, sc, ha in s.execute(
                    select(Dossier.id, Dossier.scenario, Dossier.handling_agency).where(Dossier.id.in_(ids))
                ).all()
            }
    return [
        DeskRow(
            **{f.name: getattr(h, f.name) for f in fields(SearchHit)},
            scenario=scenarios.get(h.dossier_id, ("a", ""))[0],
            handling_agency=scenarios.get(h.dossier_id, ("a", ""))[1],
            urgency=urgency(h.status, h.due_at, now, soon),
        )
        for h in page.hits
    ]


def pending_sync_count(store: Store) -> int:
    """Events in the outbox still waiting to be sent to the server."""
    with store.read() as s:
        return (
            s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state == "pending")) or 0
        )


# --- one dossier ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    seq: int
    occurred_at: datetime
    action: str
    from_status: str | None
    to_status: str
    operator_name: str
    workstation_name: str
    reason: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class DossierDetail:
    dossier_id: str
    code: str | None
    lookup_secret: str
    status: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    personal_id: str | None
    old_id: str | None
    birth_date: date | None
    gender: str | None
    phone: str | None
    email: str | None
    address: str
    papers: tuple[PaperItem, ...]
    #: Papers the procedure lists that were not received (to pre-fill a supplement request).
    papers_missing: tuple[str, ...]
    sets_count: int
    fee_vnd: int
    received_at: datetime
    due_at: datetime | None
    scenario: str
    channel: str
    result_delivery: str
    receiving_agency: str
    competent_agency: str
    competent_agency_eid: str | None
    handling_agency: str
    handling_agency_eid: str | None
    notes: str
    events: tuple[EventRow, ...]
    printed_forms: tuple[str, ...]
    urgency: str
    #: The roles this desk's centre holds on the dossier (the actions it may offer: ``app.domain.roles``).
    roles: frozenset[Role] = frozenset(Role)


def dossier_detail(store: Store, ref: str, *, now: datetime | None = None) -> DossierDetail:
    """Everything the detail screen shows about one dossier (by code or id)."""
    now = now or datetime.now()
    with store.read() as s:
        d = find_dossier(s, ref)
        a, p = d.applicant, d.procedure
        received = {fold(x["name"]) for x in d.papers_received}
        printed = tuple(
            s.scalars(
                select(PrintedDocument.form)
                .where(PrintedDocument.dossier_id == d.id)
                .order_by(PrintedDocument.id)
            )
        )
        return DossierDetail(
            dossier_id=d.id,
            code=d.code,
            lookup_secret=d.lookup_secret,
            status=d.status,
            procedure_code=p.code,
            procedure_name=p.name,
            applicant_name=a.full_name,
            personal_id=a.personal_id,
            old_id=a.old_id,
            birth_date=a.birth_date,
            gender=a.gender,
            phone=a.phone,
            email=a.email,
            address=a.address,
            papers=tuple(PaperItem(x["name"], x["form"], int(x["count"]), "") for x in d.papers_received),
            papers_missing=tuple(x.name for x in p.papers if fold(x.name) not in received),
            sets_count=d.sets_count,
            fee_vnd=d.fee_vnd,
            received_at=d.received_at,
            due_at=d.due_at,
            scenario=d.scenario,
            channel=d.channel,
            result_delivery=d.result_delivery,
            receiving_agency=d.receiving_agency,
            competent_agency=d.competent_agency,
            competent_agency_eid=d.competent_agency_eid,
            handling_agency=d.handling_agency,
            handling_agency_eid=d.handling_agency_eid,
            notes=d.notes,
            roles=dossier_roles(s, d),
            events=tuple(
                EventRow(
                    e.seq,
                    e.occurred_at,
                    e.action,
                    e.from_status,
                    e.to_status,
                    e.operator_name,
                    e.workstation_name,
                    e.reason,
                    dict(e.payload or {}),
                )
                for e in d.events
            ),
            printed_forms=printed,
            urgency=urgency(d.status, d.due_at, now, _soon_until(s, now)),
        )


@dataclass(frozen=True)
class AgencyItem:
    agency_eid: str
    name: str
    kind: str


def agencies(store: Store) -> list[AgencyItem]:
    """Agencies a dossier can be forwarded to: every current centre and provincial agency but ours."""
    with store.read() as s:
        rows = s.scalars(
            select(Centre)
            .where(Centre.is_home.is_(False), Centre.valid_to.is_(None))
            .order_by(Centre.kind.desc(), Centre.name)
        )
        return [AgencyItem(c.agency_eid, c.name, c.kind) for c in rows]
