"""Decision 766/QĐ-TTg indicators, report Biểu II.06a/VPCP/KSTT and dossiers at risk: pure computation.

Source: /shared/rules-2026.md §1.5 (the 766 formula document "Mô tả công thức tính chỉ số 766") and §1.6
(the 13 columns of Biểu II.06a). The desk and the server feed :class:`DossierFacts` read from their stores;
nothing here touches a database. Every figure keeps the dossier codes behind its numerator and its
denominator (drill-down).

Readings we chose where the formula text is ambiguous (also in the README, "Reports"):

- **Period.** ``[start, end)``: a dossier belongs to the period when the event happened at or after
  ``start`` and before ``end``. "The period's end" for an open dossier is ``end``.
- **Promised date.** The date printed on the receipt (``DossierFacts.due_at``), before any supplement
  extension or apology. An apology with a new date does *not* excuse lateness: the index compares with
  the promise made at receipt (the new date is kept as ``current_due_at`` and used only for "at risk").
- **Supplement waiting time subtracted** on wall-clock time, literally: ``end − (completed − requested) ≤
  due`` (:func:`app.domain.timeliness.classify_timeliness` without a calendar). More than one supplement
  request ⇒ late. A supplement still pending stops the clock at the request.
- **End of processing** in the formula's priority order: result ready > returned > stopped > withdrawn
  (:func:`app.domain.timeliness.processing_end`); only events before the period end count, so a dossier
  finished after the period is "open at the period end" for that period.
- **2.1 denominator** ("received and processed in the period"): accepted dossiers received before the
  period end whose processing ended in the period or was still open at the period end. Refused at intake
  (national code 3) never counts (:func:`app.domain.timeliness.counts_for_index`).
- **2.2 average processing time**: mean of (end − received − supplement waiting time), in hours, over the
  dossiers whose processing ended in the period; the formula text gives no unit, so hours on the wall clock.
- **Early / on time / late**: the calendar-day rule of :mod:`app.domain.timeliness`.
- **06a column 9** reads "on time (including dossiers awaiting supplement, returned or withdrawn)": a
  withdrawn dossier is put in column 9 whatever its times; every other finished dossier is classified.
  A dossier waiting for a supplement at the period end is pending (columns 11–13), judged with its clock
  stopped at the request.
- **3.3** numerator: online dossiers (KenhThucHien = 2) that, when their procedure returns a paper result,
  also have an electronic result. Denominator: dossiers received in the period.
- **5.4** = 100 % − (late share of 2.1 + share of rated dossiers with a complaint or a "dislike").

Indicators whose data the store does not hold (portal sync, online payment, result files, digitisation
flags, ratings) answer "no data" (:class:`Figure` with ``value`` None and a reason), never a number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from app.domain.calendar import WorkingCalendar
from app.domain.errors import DomainError, Problem
from app.domain.status import Action
from app.domain.timeliness import SupplementPeriod, Timeliness, classify_timeliness

__all__ = [
    "GROUPINGS",
    "INDICATORS",
    "AtRisk",
    "DossierFacts",
    "Evaluation",
    "Figure",
    "Period",
    "Report06a",
    "Row06a",
    "Step",
    "at_risk",
    "evaluate",
    "indicators_766",
    "indicators_766_of",
    "judge",
    "OnTimeCount",
    "on_time_counts",
    "report_06a",
    "report_06a_of",
    "supplement_periods",
]


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise DomainError(
                Problem(
                    "stats.period",
                    "Kỳ báo cáo không hợp lệ: ngày kết thúc phải sau ngày bắt đầu.",
                    "Invalid reporting period: the end must be after the start.",
                    "period",
                )
            )

    def contains(self, at: datetime | None) -> bool:
        return at is not None and self.start <= at < self.end


@dataclass(frozen=True, slots=True)
class Step:
    """One status-machine event of a dossier: its action and when it happened."""

    action: str
    at: datetime


@dataclass(slots=True)
class DossierFacts:
    """What the computation needs of one dossier. ``None`` in an optional flag means "not recorded".

    Not frozen (nor :class:`Evaluation`): a report builds a million of them, and a frozen dataclass's
    ``__init__`` (``object.__setattr__`` per field) costs four times a plain one. Treat them as values."""

    code: str
    received_at: datetime
    due_at: datetime | None  # the promise on the receipt (before supplement extension or apology)
    steps: tuple[Step, ...]
    channel: str = "direct"  # direct | postal | online
    current_due_at: datetime | None = None  # after extensions and apologies (for "at risk")
    max_duration: timedelta | None = None  # statutory maximum when there is no due date
    centre: str = ""
    counter: str = ""
    officer: str = ""
    field: str = ""
    procedure: str = ""
    portal_synced: bool | None = None
    fee_due: bool = False
    paid_online: bool | None = None
    paper_result: bool | None = None  # the procedure returns a paper result
    e_result: bool | None = None  # a result file was synced
    components_digitised: bool | None = None
    result_digitised: bool | None = None
    component_reused: bool | None = None
    from_citizen_store: bool | None = None
    population_data: bool | None = None
    complaint_or_dislike: bool | None = None  # None: not rated
    acceptance_deadline: datetime | None = None  # online dossiers: accept or refuse before this


@dataclass(slots=True)
class Evaluation:
    """One dossier seen from one period."""

    facts: DossierFacts
    accepted: bool  # received (not refused at intake) before the period end
    received_in_period: bool
    carried_over: bool  # accepted before the start and not ended before the start
    end: datetime | None  # end of processing before the period end, else None (open)
    finished_in_period: bool
    open_at_end: bool
    ending: str | None  # the action that ended processing
    supplements: int
    timeliness: Timeliness | None  # for dossiers finished in the period or open at its end
    processing_hours: float | None  # finished in the period: end − received − supplement wait


_REQUEST: Final = Action.REQUEST_SUPPLEMENT.value
_SUPPLIED: Final = Action.SUPPLEMENT_RECEIVED.value
_RECEIVE: Final = Action.RECEIVE.value
_REFUSE: Final = Action.REFUSE.value
_RESULT: Final = Action.RESULT_READY.value
_WITHDRAW: Final = Action.WITHDRAW.value


def supplement_periods(steps: Sequence[Step], before: datetime) -> list[SupplementPeriod]:
    """The supplement requests before ``before`` of time-ordered ``steps``, each with the completion that
    followed it (a request followed by another request stays pending; a completion without a request is
    ignored)."""
    periods: list[SupplementPeriod] = []
    pending: datetime | None = None
    for s in steps:
        if s.at >= before:
            break
        if s.action == _REQUEST:
            if pending is not None:
                periods.append(SupplementPeriod(pending))
            pending = s.at
        elif s.action == _SUPPLIED and pending is not None:
            periods.append(SupplementPeriod(pending, s.at))
            pending = None
    if pending is not None:
        periods.append(SupplementPeriod(pending))
    return periods


_ENDING_PRIORITY: Final = (
    Action.RESULT_READY.value,
    Action.HAND_BACK.value,
    Action.STOP.value,
    Action.WITHDRAW.value,
)


def _ending(steps: Sequence[Step], before: datetime) -> tuple[datetime | None, str | None]:
    """The end of processing known before ``before``, by the formula's priority of ending statuses."""
    first: dict[str, datetime] = {}
    for s in steps:
        if s.at < before and s.action in _ENDING_PRIORITY and s.action not in first:
            first[s.action] = s.at
    for action in _ENDING_PRIORITY:
        if action in first:
            return first[action], action
    return None, None


def _acceptance(steps: Sequence[Step]) -> tuple[datetime | None, bool]:
    """When the dossier was accepted (received), and whether it was refused at intake."""
    for s in steps:
        if s.action == _RECEIVE:
            return s.at, False
        if s.action == _REFUSE:
            return None, True
    return None, False


def evaluate(f: DossierFacts, period: Period) -> Evaluation:
    """One dossier seen from ``period``, from its steps (the reference the stores' reductions must equal)."""
    steps = sorted(f.steps, key=lambda s: s.at)
    accepted_at, _refused = _acceptance(steps)
    accepted = accepted_at is not None and accepted_at < period.end
    end, ending = _ending(steps, period.end) if accepted else (None, None)
    return judge(f, period, accepted, end, ending, supplement_periods(steps, period.end))


_NO_WAIT: Final = timedelta()


def judge(
    f: DossierFacts,
    period: Period,
    accepted: bool,
    end: datetime | None,
    ending: str | None,
    sups: Sequence[SupplementPeriod],
) -> Evaluation:
    """One dossier seen from ``period`` once its steps are reduced: whether it was accepted before the
    period end, its end of processing before the period end and the action that ended it (``None`` when
    open; :func:`evaluate`'s priority order), and its supplement periods before the period end
    (:func:`supplement_periods`). A store may do this reduction in its own query (the desk does, in SQL)
    and call this directly; ``f.steps`` is then not read."""
    start, stop = period.start, period.end
    received_at = f.received_at
    carried = accepted and received_at < start and (end is None or end >= start)
    finished = end is not None and start <= end < stop
    open_at_end = accepted and end is None
    timeliness: Timeliness | None = None
    hours: float | None = None
    if accepted and (finished or open_at_end):
        judged_at = end if end is not None else stop
        wait = _NO_WAIT
        sups_to_end: list[SupplementPeriod] = []
        if sups:  # most dossiers have none: skip the list work
            sups_to_end = [
                SupplementPeriod(
                    p.requested_at, p.completed_at if p.completed_at and p.completed_at <= judged_at else None
                )
                for p in sups
                if p.requested_at <= judged_at
            ]
            wait = sum(((p.completed_at or judged_at) - p.requested_at for p in sups_to_end), _NO_WAIT)
        timeliness = classify_timeliness(
            received_at, f.due_at, sups_to_end, judged_at, max_duration=f.max_duration
        )
        if finished:
            hours = (judged_at - received_at - wait).total_seconds() / 3600
    return Evaluation(
        facts=f,
        accepted=accepted,
        received_in_period=accepted and start <= received_at < stop,
        carried_over=carried,
        end=end,
        finished_in_period=finished,
        open_at_end=open_at_end,
        ending=ending,
        supplements=len(sups),
        timeliness=timeliness,
        processing_hours=hours,
    )


# --- figures -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One indicator for one group: a share (0–100 %), an average, or "no data" (``value`` None + reason)."""

    indicator: str
    value: float | None
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    unit: str = "%"
    reason: Problem | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "indicator": self.indicator,
            "value": None if self.value is None else round(self.value, 4),
            "unit": self.unit,
            "numerator": len(self.numerator),
            "denominator": len(self.denominator),
            "numerator_codes": list(self.numerator),
            "denominator_codes": list(self.denominator),
            "no_data": None if self.reason is None else {"vi": self.reason.vi, "en": self.reason.en},
        }


class NoData(StrEnum):
    SYNC = "sync"
    PAYMENT = "payment"
    RESULT = "result"
    DIGITISATION = "digitisation"
    RATING = "rating"


_NO_DATA: Final[dict[NoData, tuple[str, str]]] = {
    NoData.SYNC: (
        "Chưa có dữ liệu đồng bộ lên Cổng DVC quốc gia cho các hồ sơ này.",
        "No national-portal sync data is recorded for these dossiers.",
    ),
    NoData.PAYMENT: (
        "Chưa có dữ liệu thanh toán trực tuyến cho các hồ sơ này.",
        "No online-payment data is recorded for these dossiers.",
    ),
    NoData.RESULT: (
        "Chưa có dữ liệu về kết quả điện tử (tệp kết quả, kết quả giấy) cho các hồ sơ này.",
        "No electronic-result data (result file, paper result) is recorded for these dossiers.",
    ),
    NoData.DIGITISATION: (
        "Chưa có dữ liệu số hóa thành phần hồ sơ cho các hồ sơ này.",
        "No digitisation data is recorded for these dossiers.",
    ),
    NoData.RATING: (
        "Chưa có dữ liệu đánh giá mức độ hài lòng cho các hồ sơ này.",
        "No satisfaction ratings are recorded for these dossiers.",
    ),
}


def _no_data(indicator: str, why: NoData, denominator: Sequence[str] = ()) -> Figure:
    vi, en = _NO_DATA[why]
    return Figure(
        indicator, None, (), tuple(denominator), reason=Problem(f"stats.no_data.{why.value}", vi, en)
    )


def _share(indicator: str, num: Iterable[str], den: Sequence[str]) -> Figure:
    n = tuple(num)
    d = tuple(den)
    return Figure(
        indicator,
        (100.0 * len(n) / len(d)) if d else None,
        n,
        d,
        reason=None
        if d
        else Problem("stats.empty", "Không có hồ sơ trong mẫu số.", "No dossier in the denominator."),
    )


def _flag_share(
    indicator: str, evs: Sequence[Evaluation], flag: Callable[[DossierFacts], bool | None], why: NoData
) -> Figure:
    den = [e.facts.code for e in evs]
    if any(flag(e.facts) is None for e in evs):  # stops at the first dossier without the data
        return _no_data(indicator, why, den)
    return _share(indicator, (e.facts.code for e in evs if flag(e.facts)), den)


#: The indicators computed, in report order, with their Vietnamese and English names.
INDICATORS: Final[dict[str, tuple[str, str]]] = {
    "1.4": (
        "Tỷ lệ hồ sơ được đồng bộ lên Cổng DVC quốc gia",
        "Share of dossiers synced to the national portal",
    ),
    "2.1": ("Tỷ lệ hồ sơ giải quyết đúng hạn", "Share of dossiers processed on time"),
    "2.2": ("Thời gian giải quyết trung bình (giờ)", "Average processing time (hours)"),
    "3.3": ("Tỷ lệ hồ sơ nộp trực tuyến", "Share of dossiers submitted online"),
    "3.6": ("Tỷ lệ hồ sơ thanh toán trực tuyến", "Share of dossiers paid online"),
    "4.1": ("Tỷ lệ hồ sơ có kết quả điện tử", "Share of dossiers with an electronic result"),
    "4.2": ("Tỷ lệ hồ sơ được số hóa", "Share of digitised dossiers"),
    "4.3": ("Tỷ lệ hồ sơ tái sử dụng dữ liệu số hóa", "Share of dossiers reusing digitised data"),
    "4.4": ("Tỷ lệ hồ sơ lấy thành phần từ kho dữ liệu công dân", "Share using the citizen's data store"),
    "4.5": ("Tỷ lệ hồ sơ khai thác dữ liệu dân cư", "Share using population data"),
    "5.4": ("Mức độ hài lòng trong tiếp nhận, giải quyết", "Satisfaction in intake and processing"),
}


def _compute(evs: Sequence[Evaluation]) -> dict[str, Figure]:
    received = [e for e in evs if e.received_in_period]
    rcodes = [e.facts.code for e in received]
    judged = [e for e in evs if e.timeliness is not None]
    on_time = [e.facts.code for e in judged if e.timeliness is not Timeliness.LATE]
    f21 = _share("2.1", on_time, [e.facts.code for e in judged])
    finished = [e for e in evs if e.finished_in_period and e.processing_hours is not None]
    # fsum: exactly rounded, so the figure does not depend on the order the store returned the dossiers in
    avg = math.fsum(e.processing_hours or 0.0 for e in finished) / len(finished) if finished else None
    fcodes = tuple(e.facts.code for e in finished)
    f22 = Figure(
        "2.2",
        avg,
        fcodes,
        fcodes,
        unit="h",
        reason=None
        if finished
        else Problem("stats.empty", "Không có hồ sơ trong mẫu số.", "No dossier in the denominator."),
    )
    online = [e for e in received if e.facts.channel == "online"]
    if any(
        e.facts.paper_result is None or (e.facts.paper_result and e.facts.e_result is None) for e in online
    ):
        f33 = _no_data("3.3", NoData.RESULT, rcodes)
    else:
        f33 = _share(
            "3.3",
            (e.facts.code for e in online if not e.facts.paper_result or e.facts.e_result),
            rcodes,
        )
    with_fee = [e for e in received if e.facts.fee_due]
    f36 = _flag_share("3.6", with_fee, lambda f: f.paid_online, NoData.PAYMENT)
    results = [e for e in evs if e.finished_in_period and e.ending == _RESULT]
    paper = [e for e in results if e.facts.paper_result is not False]
    if any(e.facts.paper_result is None for e in results):
        f41 = _no_data("4.1", NoData.RESULT, [e.facts.code for e in results])
    else:
        f41 = _flag_share("4.1", paper, lambda f: f.e_result, NoData.RESULT)

    def both(f: DossierFacts) -> bool | None:
        if f.components_digitised is None or f.result_digitised is None:
            return None
        return f.components_digitised and f.result_digitised

    f42 = _flag_share("4.2", received, both, NoData.DIGITISATION)
    f43 = _flag_share("4.3", received, lambda f: f.component_reused, NoData.DIGITISATION)
    f44 = _flag_share("4.4", received, lambda f: f.from_citizen_store, NoData.DIGITISATION)
    f45 = _flag_share("4.5", received, lambda f: f.population_data, NoData.DIGITISATION)
    f14 = _flag_share("1.4", received, lambda f: f.portal_synced, NoData.SYNC)
    rated = [e for e in judged if e.facts.complaint_or_dislike is not None]
    if f21.value is None:
        f54 = f21.__class__("5.4", None, (), f21.denominator, reason=f21.reason)
    elif not rated or len(rated) < len(judged):
        f54 = _no_data("5.4", NoData.RATING, [e.facts.code for e in judged])
    else:
        late = [e.facts.code for e in judged if e.timeliness is Timeliness.LATE]
        unhappy = [e.facts.code for e in rated if e.facts.complaint_or_dislike]
        value = 100.0 - (100.0 * len(late) / len(judged) + 100.0 * len(unhappy) / len(rated))
        f54 = Figure(
            "5.4", value, tuple(sorted(set(late) | set(unhappy))), tuple(e.facts.code for e in judged)
        )
    figures = (f14, f21, f22, f33, f36, f41, f42, f43, f44, f45, f54)
    return {f.indicator: f for f in figures}


#: Groupings of the 766 report: name → key of a dossier.
GROUPINGS: Final[dict[str, Callable[[DossierFacts], str]]] = {
    "all": lambda f: "",
    "centre": lambda f: f.centre,
    "counter": lambda f: f.counter,
    "officer": lambda f: f.officer,
    "field": lambda f: f.field,
    "procedure": lambda f: f.procedure,
}


def indicators_766(
    facts: Iterable[DossierFacts], period: Period, group_by: str = "all"
) -> dict[str, dict[str, Figure]]:
    """The 766 indicators per group (``group_by`` in :data:`GROUPINGS`): group key → indicator → figure."""
    return indicators_766_of((evaluate(f, period) for f in facts), group_by)


def indicators_766_of(
    evaluations: Iterable[Evaluation], group_by: str = "all"
) -> dict[str, dict[str, Figure]]:
    """:func:`indicators_766` from dossiers already evaluated for one period (:func:`judge`)."""
    key = _grouping(group_by)
    groups: dict[str, list[Evaluation]] = {}
    for e in evaluations:
        if e.accepted and (e.received_in_period or e.finished_in_period or e.open_at_end or e.carried_over):
            groups.setdefault(key(e.facts), []).append(e)
    return {k: _compute(v) for k, v in sorted(groups.items())}


def _grouping(group_by: str) -> Callable[[DossierFacts], str]:
    key = GROUPINGS.get(group_by)
    if key is None:
        raise DomainError(
            Problem(
                "stats.group_by",
                f"Không có cách nhóm «{group_by}» (chỉ có: {', '.join(GROUPINGS)}).",
                f"Unknown grouping {group_by!r} (one of: {', '.join(GROUPINGS)}).",
                "group_by",
            )
        )
    return key


@dataclass(slots=True)
class OnTimeCount:
    """The counts behind :func:`indicators_766_of`'s 2.1 (``on_time`` of ``judged``) and the dossiers
    received in the period (the 3.3 denominator) for one group."""

    on_time: int = 0
    judged: int = 0
    received: int = 0

    @property
    def share(self) -> float | None:
        """Indicator 2.1, %; ``None`` when no dossier is judged (as the figure's "no dossier")."""
        return 100.0 * self.on_time / self.judged if self.judged else None


def on_time_counts(evaluations: Iterable[Evaluation], group_by: str = "all") -> dict[str, OnTimeCount]:
    """2.1 per group as counts, consuming the dossiers one by one and keeping none of them (the desk's
    dashboard: twelve months of a large store without holding, then freeing at once, a month of dossiers).
    The groups and figures are :func:`indicators_766_of`'s (tests/services/test_reports_sql.py)."""
    key = _grouping(group_by)
    out: dict[str, OnTimeCount] = {}
    late = Timeliness.LATE
    for e in evaluations:
        if e.accepted and (e.received_in_period or e.finished_in_period or e.open_at_end or e.carried_over):
            k = key(e.facts)
            c = out.get(k)
            if c is None:
                c = out[k] = OnTimeCount()
            if e.timeliness is not None:
                c.judged += 1
                if e.timeliness is not late:
                    c.on_time += 1
            if e.received_in_period:
                c.received += 1
    return dict(sorted(out.items()))


# --- Biểu II.06a ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Row06a:
    """One row (a field, or the total) of Biểu II.06a: columns 3–13 and the codes behind each."""

    field: str
    codes: dict[int, list[str]] = dc_field(default_factory=lambda: {c: [] for c in range(3, 14)})

    def col(self, n: int) -> int:
        return len(self.codes[n])

    def values(self) -> list[int]:
        return [self.col(c) for c in range(3, 14)]


@dataclass(frozen=True, slots=True)
class Report06a:
    period: Period
    rows: tuple[Row06a, ...]
    total: Row06a


_FINISHED_COLUMN: Final = {Timeliness.EARLY: 8, Timeliness.ON_TIME: 9, Timeliness.LATE: 10}


def _place_06a(row: Row06a, e: Evaluation) -> None:
    code = e.facts.code
    if e.received_in_period:
        row.codes[4 if e.facts.channel == "online" else 5].append(code)
        row.codes[3].append(code)
    elif e.carried_over:
        row.codes[6].append(code)
        row.codes[3].append(code)
    else:
        return
    if e.finished_in_period:
        row.codes[7].append(code)
        if e.ending == _WITHDRAW:
            row.codes[9].append(code)
        else:
            row.codes[_FINISHED_COLUMN[e.timeliness or Timeliness.LATE]].append(code)
    elif e.open_at_end:
        row.codes[11].append(code)
        row.codes[13 if e.timeliness is Timeliness.LATE else 12].append(code)


def report_06a(facts: Iterable[DossierFacts], period: Period) -> Report06a:
    """Biểu II.06a by field: col 3 = 4 + 5 + 6, col 7 = 8 + 9 + 10, col 11 = 12 + 13, col 3 = 7 + 11."""
    return report_06a_of((evaluate(f, period) for f in facts), period)


def report_06a_of(evaluations: Iterable[Evaluation], period: Period) -> Report06a:
    """:func:`report_06a` from dossiers already evaluated for ``period`` (:func:`evaluate`, :func:`judge`)."""
    rows: dict[str, Row06a] = {}
    total = Row06a("")
    for e in evaluations:
        if not e.accepted:
            continue
        field = e.facts.field
        row = rows.get(field)
        if row is None:
            row = rows[field] = Row06a(field)
        _place_06a(row, e)
        _place_06a(total, e)
    kept = tuple(r for _k, r in sorted(rows.items()) if r.col(3))
    return Report06a(period, kept, total)


# --- at risk -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AtRisk:
    code: str
    reason: str  # turning_late | second_supplement | acceptance_deadline
    due_at: datetime | None
    field: str
    procedure: str
    counter: str


def at_risk(
    facts: Iterable[DossierFacts], now: datetime, hours: float, calendar: WorkingCalendar
) -> tuple[list[AtRisk], bool]:
    """Open dossiers that turn late within ``hours`` working hours of ``now`` (current due date), open
    dossiers with a second supplement request, and online dossiers whose acceptance deadline falls in the
    window. The flag says whether any acceptance-deadline data exists at all ("no data" otherwise)."""
    limit = calendar.add_working_hours(now, timedelta(hours=hours))
    out: list[AtRisk] = []
    have_acceptance = False
    for f in facts:
        steps = sorted((s for s in f.steps if s.at <= now), key=lambda s: s.at)
        accepted_at, refused = _acceptance(steps)
        end, _ = _ending(steps, now + timedelta(seconds=1))
        if f.acceptance_deadline is not None:
            have_acceptance = True
        if refused or end is not None:
            continue
        base = (f.field, f.procedure, f.counter)
        if accepted_at is None:
            if f.channel == "online" and f.acceptance_deadline is not None and f.acceptance_deadline <= limit:
                out.append(AtRisk(f.code, "acceptance_deadline", f.acceptance_deadline, *base))
            continue
        due = f.current_due_at or f.due_at
        if due is not None and now < due <= limit:
            out.append(AtRisk(f.code, "turning_late", due, *base))
        if sum(1 for s in steps if s.action == _REQUEST) >= 2:
            out.append(AtRisk(f.code, "second_supplement", due, *base))
    out.sort(key=lambda r: (r.due_at or datetime.max, r.code))
    return out, have_acceptance
