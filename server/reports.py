"""The province's reports over the server's store: Decision 766 indicators, Biểu II.06a, dossiers at risk.

The computation is the desk's (:mod:`app.domain.stats766`); this module only reads the server's store into
:class:`DossierFacts`: the dossier's received snapshot (procedure, channel, receipt time), its accepted
events in order (``dossier.received`` → receive / refuse / submit online; ``dossier.transition`` → the
action) and the promise on the receipt (the ``due_at`` of the ``dossier.received`` event, before any
supplement extension or apology). The procedure's field comes from the catalogue; the centre is the
receiving agency's name.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from app.domain import stats766 as st
from app.domain.calendar import DayOverride, WorkingCalendar
from app.domain.status import Action, Status
from server.db import Database
from server.models import AdminUnit, CalendarDay, Centre, Dossier, EventRow, Procedure

if TYPE_CHECKING:
    from app.print.report06a import Agency

__all__ = [
    "at_risk",
    "export_06a",
    "load_facts",
    "period_of",
    "province_agency",
    "province_calendar",
    "report_06a",
    "report_766",
]

_FINAL = (Status.REFUSED.value, Status.WITHDRAWN.value, Status.STOPPED.value, Status.RETURNED.value)


def period_of(first: date, last: date) -> st.Period:
    return st.Period(datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min))


def _dt(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)  # the desk's convention: naive local time of the centre


_FIRST_ACTION = {
    Status.REFUSED.value: Action.REFUSE.value,
    Status.NEW.value: Action.SUBMIT_ONLINE.value,
}


def load_facts(db: Database, *, received_before: datetime, open_only: bool = False) -> list[st.DossierFacts]:
    """Facts of the dossiers received before ``received_before`` (only the open ones with ``open_only``)."""
    with db.read() as s:
        fields = {
            code: str((item or {}).get("field", ""))
            for code, item in s.execute(select(Procedure.code, Procedure.item))
        }
        centres = dict(s.execute(select(Centre.eid, Centre.name)).tuples().all())
        q = select(Dossier.id, Dossier.code, Dossier.receiving_eid, Dossier.snapshot).where(
            Dossier.code.is_not(None)
        )
        if open_only:
            q = q.where(Dossier.status.not_in(_FINAL))
        dossiers = {row.id: row for row in s.execute(q)}
        events: dict[str, list[dict[str, Any]]] = {}
        eq = select(EventRow.dossier_id, EventRow.body).join(Dossier, Dossier.id == EventRow.dossier_id)
        eq = eq.where(Dossier.code.is_not(None))
        if open_only:
            eq = eq.where(or_(Dossier.status.not_in(_FINAL)))
        for dossier_id, body in s.execute(eq.order_by(EventRow.dossier_id, EventRow.id)):
            events.setdefault(dossier_id, []).append(body)
    out: list[st.DossierFacts] = []
    for did, row in dossiers.items():
        snap = row.snapshot or {}
        received_at = _dt(snap.get("received_at"))
        if received_at is None or received_at >= received_before:
            continue
        steps: list[st.Step] = []
        original_due: datetime | None = None
        counter = officer = ""
        for body in sorted(events.get(did, []), key=lambda b: int(b.get("seq", 0))):
            at = _dt(body.get("occurred_at"))
            payload = body.get("payload") or {}
            if at is None:
                continue
            if body.get("type") == "dossier.received":
                steps.append(st.Step(_FIRST_ACTION.get(str(payload.get("status")), Action.RECEIVE.value), at))
                original_due = _dt(payload.get("due_at"))
                counter, officer = str(body.get("workstation", "")), str(body.get("operator", ""))
            else:
                action = str(payload.get("action", ""))
                if action:
                    steps.append(st.Step(action, at))
        out.append(
            st.DossierFacts(
                code=row.code or did,
                received_at=received_at,
                due_at=original_due,
                current_due_at=_dt(snap.get("due_at")),
                steps=tuple(steps),
                channel=str(snap.get("channel", "direct")),
                centre=centres.get(row.receiving_eid, row.receiving_eid),
                counter=counter,
                officer=officer,
                field=fields.get(str(snap.get("procedure_code", "")), ""),
                procedure=str(snap.get("procedure_code", "")),
                fee_due=int(snap.get("fee_vnd") or 0) > 0,
            )
        )
    return out


def province_calendar(db: Database) -> WorkingCalendar:
    with db.read() as s:
        days = [DayOverride(day=d.day, kind=d.kind, note=d.note) for d in s.scalars(select(CalendarDay))]
    return WorkingCalendar(days)


def report_766(
    db: Database, first: date, last: date, group_by: str = "centre"
) -> dict[str, dict[str, st.Figure]]:
    period = period_of(first, last)
    return st.indicators_766(load_facts(db, received_before=period.end), period, group_by)


def report_06a(db: Database, first: date, last: date) -> st.Report06a:
    period = period_of(first, last)
    return st.report_06a(load_facts(db, received_before=period.end), period)


def province_agency(db: Database, name: str | None = None, parent: str | None = None) -> Agency:
    """The header of the province's printed 06a: ``name`` and ``parent`` when given, else "Ủy ban nhân
    dân" and the province of most centres (from the administrative units). Which office signs the
    province's Biểu II.06a is not in the texts we hold (rules-2026.md §1.6), so it is the operator's to
    set (``--agency`` / ``--parent``)."""
    with db.read() as s:
        code = s.scalar(
            select(Centre.province_code)
            .group_by(Centre.province_code)
            .order_by(func.count().desc(), Centre.province_code)
            .limit(1)
        )
        province = (
            s.scalar(select(AdminUnit.name).where(AdminUnit.level == "province", AdminUnit.code == code))
            if code
            else None
        )
    from app.print.report06a import Agency

    place = province or ""
    for prefix in ("Tỉnh ", "Thành phố "):
        if place.startswith(prefix):
            place = place[len(prefix) :]
    default = f"Ủy ban nhân dân {province[:1].lower() + province[1:]}" if province else "Ủy ban nhân dân tỉnh"
    return Agency(name=name or default, parent_name=parent or "", place_name=place)


def export_06a(
    db: Database,
    first: date,
    last: date,
    fmt: str,
    agency: Agency | None = None,
    issued: datetime | None = None,
) -> bytes:
    """The province's Biểu II.06a of the period as XLSX or PDF bytes: the desk's writer
    (:mod:`app.print.report06a`) over the province's figures."""
    from app.print.report06a import report_06a_pdf, report_06a_xlsx

    report = report_06a(db, first, last)
    when = (issued or datetime.now()).replace(microsecond=0)
    header = agency or province_agency(db)
    if fmt == "xlsx":
        return report_06a_xlsx(report, header, first, last, when)
    return report_06a_pdf(report, header, first, last, when)


def at_risk(
    db: Database, hours: float, now: datetime | None = None
) -> tuple[list[st.AtRisk], bool, datetime]:
    now = (now or datetime.now()).replace(microsecond=0)
    calendar = province_calendar(db)
    rows, have = st.at_risk(
        load_facts(db, received_before=now + timedelta(seconds=1), open_only=True), now, hours, calendar
    )
    return rows, have, calendar.add_working_hours(now, timedelta(hours=hours))
