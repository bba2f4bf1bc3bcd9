"""Reports of the desk: the Decision 766 indicators, Biểu II.06a and dossiers at risk.

The store is read in two queries per report (the dossiers that can matter to the period, then their
events, both filtered in SQL on the indexed receipt time and the end of processing); the figures are then
computed by :mod:`app.domain.stats766`, the same code the provincial server runs.

What the desk store does not record yet (portal sync, online payment, result files, digitisation flags,
ratings, online acceptance deadlines) is passed as ``None``, so those indicators answer "no data".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.domain import stats766 as st
from app.domain.status import Action, Status
from app.models.entities import Centre, Dossier, DossierEvent, Procedure
from app.print import model as pm
from app.services.desk import home_centre, load_calendar
from app.services.printing import agency_of
from app.services.store import Store

__all__ = ["AtRiskList", "at_risk", "export_06a", "period_of", "report_06a", "report_766"]


def period_of(first: date, last: date) -> st.Period:
    """The period from the start of ``first`` to the end of ``last`` (both days included)."""
    return st.Period(datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min))


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _facts(session: Session, where: list[object]) -> list[st.DossierFacts]:
    """Dossier facts for the dossiers matching ``where`` (SQL conditions on :class:`Dossier`)."""
    rows = session.execute(
        select(
            Dossier.id,
            Dossier.code,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.channel,
            Dossier.fee_vnd,
            Procedure.code,
            Procedure.field,
            Centre.name,
        )
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Centre, Centre.id == Dossier.receiving_centre_id)
        .where(*where)  # type: ignore[arg-type]
    ).all()
    if not rows:
        return []
    due_in_payload = case(
        (
            DossierEvent.action.in_((Action.RECEIVE.value, Action.APOLOGISE.value)),
            func.coalesce(
                func.json_extract(DossierEvent.payload, "$.due_at"),
                func.json_extract(DossierEvent.payload, "$.previous_due_at"),
            ),
        ),
        else_=None,
    )
    events: dict[str, list[tuple[str, datetime, str, str, object]]] = {}
    for dossier_id, action, at, operator, workstation, due in session.execute(
        select(
            DossierEvent.dossier_id,
            DossierEvent.action,
            DossierEvent.occurred_at,
            DossierEvent.operator_name,
            DossierEvent.workstation_name,
            due_in_payload,
        )
        .join(Dossier, Dossier.id == DossierEvent.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Centre, Centre.id == Dossier.receiving_centre_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(DossierEvent.dossier_id, DossierEvent.seq)
    ):
        events.setdefault(dossier_id, []).append((action, at, operator, workstation, due))
    out: list[st.DossierFacts] = []
    for did, code, received_at, due_at, channel, fee, proc_code, proc_field, centre in rows:
        evs = events.get(did, [])
        out.append(
            st.DossierFacts(
                code=code or did,
                received_at=received_at,
                due_at=_original_due(evs, due_at),
                current_due_at=due_at,
                steps=tuple(st.Step(a, at) for a, at, *_ in evs),
                channel=channel,
                centre=centre,
                counter=next((w for a, _, _, w, _ in evs if a == Action.RECEIVE.value), ""),
                officer=next((o for a, _, o, _, _ in evs if a == Action.RECEIVE.value), ""),
                field=proc_field,
                procedure=proc_code,
                fee_due=fee > 0,
            )
        )
    return out


def _original_due(
    evs: list[tuple[str, datetime, str, str, object]], current: datetime | None
) -> datetime | None:
    """The promise on the receipt: recorded on the receive event (since this version); for older dossiers
    the due date before the first apology, else the current one. An older dossier with a supplement
    received before any apology keeps its extended date (the extension cannot be undone exactly)."""
    for action, _at, _o, _w, due in evs:
        if action == Action.RECEIVE.value and _parse(due) is not None:
            return _parse(due)
    for action, _at, _o, _w, due in evs:
        if action == Action.APOLOGISE.value:
            return _parse(due) or current
    return current


def _period_where(period: st.Period) -> list[object]:
    return [
        Dossier.code.is_not(None),
        Dossier.received_at < period.end,
        Dossier.status.not_in((Status.NEW.value, Status.REFUSED.value)),
        or_(Dossier.finished_at.is_(None), Dossier.finished_at >= period.start),
    ]


def report_766(
    store: Store, first: date, last: date, group_by: str = "all"
) -> dict[str, dict[str, st.Figure]]:
    """The 766 indicators of the period ``first``–``last`` (days included), per group."""
    period = period_of(first, last)
    with store.read() as s:
        facts = _facts(s, _period_where(period))
    return st.indicators_766(facts, period, group_by)


def report_06a(store: Store, first: date, last: date) -> st.Report06a:
    period = period_of(first, last)
    with store.read() as s:
        facts = _facts(s, _period_where(period))
    return st.report_06a(facts, period)


def export_06a(store: Store, first: date, last: date, fmt: str) -> bytes:
    """Biểu II.06a of the period as PDF or XLSX bytes, headed with the home centre."""
    from app.print import report06a

    period = period_of(first, last)
    with store.read() as s:
        facts = _facts(s, _period_where(period))
        agency: pm.Agency = agency_of(home_centre(s))
    report = st.report_06a(facts, period)
    issued = datetime.now().replace(microsecond=0)
    if fmt == "xlsx":
        return report06a.report_06a_xlsx(report, agency, first, last, issued)
    return report06a.report_06a_pdf(report, agency, first, last, issued)


@dataclass(frozen=True, slots=True)
class AtRiskList:
    rows: list[st.AtRisk]
    acceptance_data: bool  # False: the store records no online acceptance deadline ("no data")
    until: datetime


def at_risk(store: Store, hours: float, now: datetime | None = None) -> AtRiskList:
    """Open dossiers turning late within ``hours`` working hours (desk calendar), dossiers on a second
    supplement request, online dossiers near their acceptance deadline (when that is recorded)."""
    now = (now or datetime.now()).replace(microsecond=0)
    with store.read() as s:
        calendar = load_calendar(s)
        facts = _facts(
            s,
            [
                Dossier.code.is_not(None),
                Dossier.status.not_in([x.value for x in Status if x not in _OPEN_FOR_RISK]),
                and_(Dossier.received_at <= now),
            ],
        )
    rows, have = st.at_risk(facts, now, hours, calendar)
    return AtRiskList(rows, have, calendar.add_working_hours(now, timedelta(hours=hours)))


_OPEN_FOR_RISK = frozenset(
    {
        Status.NEW,
        Status.RECEIVED,
        Status.IN_PROCESS,
        Status.SUPPLEMENT_REQUESTED,
        Status.FEES_REQUESTED,
    }
)
