"""Reports of the desk: the Decision 766 indicators, Biểu II.06a and dossiers at risk.

The 766 set and Biểu II.06a read one SQL pass per report that reduces each dossier that can matter to the
period to one row (:data:`_REDUCED_SQL`: its first receipt and refusal, the first of each ending action
before the period end, only its rare supplement and apology steps); each row is judged by
:func:`app.domain.stats766.judge` and aggregated by :mod:`app.domain.stats766`, the code the provincial
server runs over its own store (tests/services/test_reports_sql.py checks this path against
:func:`app.domain.stats766.evaluate` over every step, on random stores). The at-risk list and the
dashboard read every step (:func:`_facts`).

What the desk store does not record yet (portal sync, online payment, result files, digitisation flags,
ratings, online acceptance deadlines) is passed as ``None``, so those indicators answer "no data".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.domain import stats766 as st
from app.domain.status import Action, Status
from app.domain.timeliness import SupplementPeriod
from app.print import model as pm
from app.services.desk import home_centre, load_calendar
from app.services.gcpause import paused_gc
from app.services.printing import agency_of
from app.services.store import Store

__all__ = [
    "AtRiskList",
    "at_risk_sheet",
    "Dashboard",
    "at_risk",
    "dashboard",
    "export_06a",
    "period_of",
    "report_06a",
    "report_766",
]


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


_STEP_ACTIONS = tuple(
    a.value
    for a in (
        Action.SUBMIT_ONLINE,
        Action.RECEIVE,
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
        Action.SUPPLEMENT_RECEIVED,
        Action.WITHDRAW,
        Action.STOP,
        Action.RESULT_READY,
        Action.HAND_BACK,
        Action.APOLOGISE,
    )
)
#: One row per (dossier, event that matters to the figures): raw strings, no ORM row processing (the
#: store's DateTime text is parsed with ``datetime.fromisoformat``). ``{where}`` filters the dossiers.
_ACTIONS_SQL = ", ".join(repr(a) for a in _STEP_ACTIONS)
#: One row per dossier: its columns, the receive step's promise, operator and workstation, and its other
#: steps folded by SQL into one string ("seq|action|time|previous due;…"), so that Python reads a million
#: rows, not one per event (raw strings, no ORM row processing; times parsed by ``fromisoformat``).
_FACTS_SQL = f"""
SELECT d.id, d.code, d.received_at, d.due_at, d.channel, d.fee_vnd, p.code, p.field, c.name,
       r.occurred_at, json_extract(r.payload, '$.due_at'), r.operator_name, r.workstation_name,
       (SELECT group_concat(e.seq || '|' || e.action || '|' || e.occurred_at || '|' ||
                 CASE WHEN e.action = 'apologise'
                      THEN coalesce(json_extract(e.payload, '$.previous_due_at'), '') ELSE '' END, ';')
          FROM dossier_events e
         WHERE e.dossier_id = d.id AND e.action IN ({_ACTIONS_SQL}) AND e.action != 'receive')
FROM dossiers d
JOIN procedures p ON p.id = d.procedure_id
JOIN centres c ON c.id = d.receiving_centre_id
LEFT JOIN dossier_events r ON r.dossier_id = d.id AND r.action = 'receive'
WHERE d.code IS NOT NULL AND {{where}}
"""
_DT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's DateTime stores a value in SQLite


def _facts(session: Session, where: str, params: tuple[object, ...]) -> list[st.DossierFacts]:
    """Dossier facts for the dossiers matching the SQL condition ``where`` (on ``d``, the dossier)."""
    parse = datetime.fromisoformat
    step = st.Step
    out: list[st.DossierFacts] = []
    sql = _FACTS_SQL.format(where=where)
    for row in session.connection().exec_driver_sql(sql, params):
        (did, code, received, due, channel, fee, proc_code, proc_field, centre) = row[:9]
        received_step, promised, operator, workstation, folded = row[9:]
        steps: list[tuple[int, str, str, str]] = []
        if folded:
            for part in folded.split(";"):
                seq, action, at, previous = part.split("|")
                steps.append((int(seq), action, at, previous))
            steps.sort()
        due_at = parse(due) if due else None
        original = _parse(promised)
        if original is None:  # a dossier received before the promise was recorded on the receive event
            original = next((_parse(p) or due_at for _s, a, _t, p in steps if a == _APOLOGISE), due_at)
        timeline = tuple(step(a, parse(t)) for _s, a, t, _p in steps)
        if received_step is not None:
            timeline = (step(_RECEIVE, parse(received_step)), *timeline)
        out.append(
            st.DossierFacts(
                code=code or did,
                received_at=parse(received),
                due_at=original,
                current_due_at=due_at,
                steps=timeline,
                channel=channel,
                centre=centre,
                counter=workstation or "",
                officer=operator or "",
                field=proc_field,
                procedure=proc_code,
                fee_due=fee > 0,
            )
        )
    return out


_RECEIVE = Action.RECEIVE.value
_APOLOGISE = Action.APOLOGISE.value
_RESULT = Action.RESULT_READY.value
_HAND_BACK = Action.HAND_BACK.value
_STOP = Action.STOP.value
_WITHDRAW = Action.WITHDRAW.value

#: One row per dossier, reduced by SQL for one period (``:end`` its end, as stored text): the receive
#: step's time, promise, operator and workstation; the first refusal; the first of each ending action
#: before the period end; and only the rare supplement and apology steps folded into one string
#: ("seq|action|time|previous due;…", NULL for most dossiers). Python then judges each row with
#: :func:`app.domain.stats766.judge`, exactly as :func:`app.domain.stats766.evaluate` does from the steps
#: (tests/services/test_reports_sql.py checks the two agree on random stores).
_REDUCED_SQL = """
SELECT d.code, d.id, d.received_at, d.due_at, d.channel, d.fee_vnd, p.code, p.field, c.name,
  (SELECT coalesce(MIN(CASE WHEN e.action = 'receive' THEN e.occurred_at END), '') || char(31) ||
          coalesce(MAX(CASE WHEN e.action = 'receive' THEN json_extract(e.payload, '$.due_at') END), '')
            || char(31) ||
          coalesce(MAX(CASE WHEN e.action = 'receive' THEN e.operator_name END), '') || char(31) ||
          coalesce(MAX(CASE WHEN e.action = 'receive' THEN e.workstation_name END), '') || char(31) ||
          coalesce(MIN(CASE WHEN e.action = 'refuse' THEN e.occurred_at END), '') || char(31) ||
          coalesce(MIN(CASE WHEN e.action = 'result_ready' AND e.occurred_at < :end
                            THEN e.occurred_at END), '') || char(31) ||
          coalesce(MIN(CASE WHEN e.action = 'hand_back' AND e.occurred_at < :end
                            THEN e.occurred_at END), '') || char(31) ||
          coalesce(MIN(CASE WHEN e.action = 'stop' AND e.occurred_at < :end THEN e.occurred_at END), '')
            || char(31) ||
          coalesce(MIN(CASE WHEN e.action = 'withdraw' AND e.occurred_at < :end
                            THEN e.occurred_at END), '') || char(31) ||
          coalesce(group_concat(
            CASE WHEN e.action IN ('request_supplement', 'supplement_received', 'apologise')
              THEN e.seq || '|' || e.action || '|' || e.occurred_at || '|' ||
                   CASE WHEN e.action = 'apologise'
                        THEN coalesce(json_extract(e.payload, '$.previous_due_at'), '') ELSE '' END
            END, ';'), '')
     FROM dossier_events e WHERE e.dossier_id = d.id)
FROM dossiers d
JOIN procedures p ON p.id = d.procedure_id
JOIN centres c ON c.id = d.receiving_centre_id
WHERE d.code IS NOT NULL AND d.received_at < :end AND d.status NOT IN ('new', 'refused')
  AND (d.finished_at IS NULL OR d.finished_at >= :start)
"""


def _split_folded(folded: str) -> Iterator[tuple[int, str, str, str]]:
    for part in folded.split(";"):
        seq, action, at, previous = part.split("|")
        yield int(seq), action, at, previous


def _evaluations(session: Session, period: st.Period) -> Iterator[st.Evaluation]:
    """The dossiers that can matter to ``period``, judged for it, streamed from one reduced SQL pass
    (:data:`_REDUCED_SQL`): one row and two small objects per dossier, no ORM, no step objects except
    for the dossiers with a supplement request or an apology."""
    parse = datetime.fromisoformat
    facts = st.DossierFacts
    judge = st.judge
    end_text = period.end.strftime(_DT_FORMAT)
    params = {"start": period.start.strftime(_DT_FORMAT), "end": end_text}
    no_sups: list[SupplementPeriod] = []
    # One object per distinct group text (centre, counter, field, …): the driver makes a new string per
    # row, and a 766 report keeps every dossier's facts until its groups are computed.
    texts: dict[str, str] = {}
    one = texts.setdefault
    result, back, stop, withdraw = _RESULT, _HAND_BACK, _STOP, _WITHDRAW
    # The driver's own cursor: plain tuples, without SQLAlchemy's per-row Result machinery.
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    for row in cursor.execute(_REDUCED_SQL, params):
        (code, did, received, due, channel, fee, proc_code, proc_field, centre, reduced) = row
        (received_step, promised, operator, workstation, refused, rr, hb, sp, wd, folded) = reduced.split(
            "\x1f"
        )
        due_at = parse(due) if due else None
        original = _parse(promised)
        sups = no_sups
        if folded:
            steps = sorted(_split_folded(folded))  # by seq, as the old path read them
            if original is None:  # received before the promise was recorded on the receive event
                original = next((_parse(p) or due_at for _s, a, _t, p in steps if a == _APOLOGISE), due_at)
            timeline = sorted(
                ((parse(t), s, a) for s, a, t, _p in steps if a != _APOLOGISE), key=lambda x: (x[0], x[1])
            )
            sups = st.supplement_periods([st.Step(a, at) for at, _s, a in timeline], period.end)
        elif original is None:
            original = due_at
        accepted = (
            bool(received_step) and received_step < end_text and (not refused or refused >= received_step)
        )
        end: datetime | None = None
        ending: str | None = None
        if accepted:
            if rr:
                end, ending = parse(rr), result
            elif hb:
                end, ending = parse(hb), back
            elif sp:
                end, ending = parse(sp), stop
            elif wd:
                end, ending = parse(wd), withdraw
        f = facts(
            code=code or did,
            received_at=parse(received),
            due_at=original,
            current_due_at=due_at,
            steps=(),
            channel=one(channel, channel),
            centre=one(centre, centre),
            counter=one(workstation, workstation),
            officer=one(operator, operator),
            field=one(proc_field, proc_field),
            procedure=one(proc_code, proc_code),
            fee_due=fee > 0,
        )
        yield judge(f, period, accepted, end, ending, sups)


def _period_where(period: st.Period) -> tuple[str, tuple[object, ...]]:
    """Dossiers that can matter to ``period``: received before its end, not ended before its start."""
    return (
        "d.received_at < ? AND d.status NOT IN ('new', 'refused')"
        " AND (d.finished_at IS NULL OR d.finished_at >= ?)",
        (period.end.strftime(_DT_FORMAT), period.start.strftime(_DT_FORMAT)),
    )


def report_766(
    store: Store, first: date, last: date, group_by: str = "all"
) -> dict[str, dict[str, st.Figure]]:
    """The 766 indicators of the period ``first``–``last`` (days included), per group."""
    period = period_of(first, last)
    with paused_gc(), store.read() as s:
        return st.indicators_766_of(_evaluations(s, period), group_by)


def report_06a(store: Store, first: date, last: date) -> st.Report06a:
    period = period_of(first, last)
    with paused_gc(), store.read() as s:
        return st.report_06a_of(_evaluations(s, period), period)


def export_06a(store: Store, first: date, last: date, fmt: str) -> bytes:
    """Biểu II.06a of the period as PDF or XLSX bytes, headed with the home centre."""
    from app.print import report06a

    period = period_of(first, last)
    with paused_gc(), store.read() as s:
        report = st.report_06a_of(_evaluations(s, period), period)
        agency: pm.Agency = agency_of(home_centre(s))
    issued = datetime.now().replace(microsecond=0)
    if fmt == "xlsx":
        return report06a.report_06a_xlsx(report, agency, first, last, issued)
    return report06a.report_06a_pdf(report, agency, first, last, issued)


def at_risk_sheet(store: Store, hours: float, now: datetime | None = None) -> bytes:
    """The at-risk list as a printable A4 sheet (PDF)."""
    from app.print.at_risk import at_risk_pdf

    result = at_risk(store, hours, now)
    with store.read() as s:
        agency = agency_of(home_centre(s))
    issued = (now or datetime.now()).replace(microsecond=0)
    return at_risk_pdf(result.rows, agency, issued, result.until, result.acceptance_data)


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
        facts = _open_facts(s, now)
    rows, have = st.at_risk(facts, now, hours, calendar)
    return AtRiskList(rows, have, calendar.add_working_hours(now, timedelta(hours=hours)))


def _open_facts(session: Session, now: datetime) -> list[st.DossierFacts]:
    """Every step of the open dossiers received by ``now`` (what "at risk" looks at)."""
    open_statuses = ", ".join(f"'{x.value}'" for x in sorted(_OPEN_FOR_RISK))
    return _facts(
        session, f"d.status IN ({open_statuses}) AND d.received_at <= ?", (now.strftime(_DT_FORMAT),)
    )


_OPEN_FOR_RISK = frozenset(
    {
        Status.NEW,
        Status.RECEIVED,
        Status.IN_PROCESS,
        Status.SUPPLEMENT_REQUESTED,
        Status.FEES_REQUESTED,
    }
)


# --- dashboard ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrendPoint:
    month: date  # first day of the month
    on_time: float | None  # 766 indicator 2.1, %; None: no dossier judged
    judged: int


@dataclass(frozen=True, slots=True)
class CounterFigure:
    counter: str
    on_time: float | None
    judged: int
    received: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What the desk's dashboard shows: the 2.1 trend of the last 12 months, the backlog by status, the
    dossiers at risk in the next 8 working hours and this month's figures per counter."""

    trend: list[TrendPoint]
    backlog: dict[str, int]  # open status → count
    at_risk: list[st.AtRisk]
    counters: list[CounterFigure]


def _month_start(d: date, back: int = 0) -> date:
    index = d.year * 12 + d.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def dashboard(
    store: Store, now: datetime | None = None, months: int = 12, risk_hours: float = 8.0
) -> Dashboard:
    """The dashboard's figures over the last ``months`` months (runs on the worker lane). The at-risk list
    is :func:`at_risk`'s."""
    now = (now or datetime.now()).replace(microsecond=0)
    end = now + timedelta(seconds=1)
    # One reduced SQL pass per month (the figures of each month are judged at that month's end), counted
    # as they stream (no month of dossiers held, then freed in one burst under the GIL), the
    # cyclic GC paused as for the reports: its full collections over the objects a pass builds would
    # otherwise hold the GIL, and so stall the GUI thread, for a second or more on a large store.
    with paused_gc(), store.read() as s:
        trend: list[TrendPoint] = []
        for back in range(months - 1, -1, -1):
            start = _month_start(now.date(), back)
            stop = datetime.combine(_month_start(now.date(), back - 1), time.min) if back else end
            period = st.Period(datetime.combine(start, time.min), stop)
            c = st.on_time_counts(_evaluations(s, period)).get("")
            trend.append(TrendPoint(start, c.share if c else None, c.judged if c else 0))
        month = st.Period(datetime.combine(_month_start(now.date()), time.min), end)
        counters = [
            CounterFigure(key, c.share, c.judged, c.received)
            for key, c in st.on_time_counts(_evaluations(s, month), "counter").items()
        ]
        backlog = dict(
            s.connection()
            .exec_driver_sql(
                "SELECT status, COUNT(*) FROM dossiers WHERE code IS NOT NULL AND status NOT IN "
                "('refused', 'withdrawn', 'stopped', 'returned') GROUP BY status"
            )
            .tuples()
            .all()
        )
        calendar = load_calendar(s)
        risky, _ = st.at_risk(_open_facts(s, now), now, risk_hours, calendar)
        # Everything built above is garbage by now: nothing large is left alive for the first collection
        # after the GC comes back on to scan.
    return Dashboard(trend, {str(k): int(v) for k, v in backlog.items()}, risky, counters)
