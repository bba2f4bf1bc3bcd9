"""Early / on time / late, as the Decision 766/QĐ-TTg index counts it (domain.md §3.4).

Rules taken from the 766 formula document:
- on time ("đúng hạn, trong hạn") when the end of processing is not after the promised return time;
- the time the applicant took to supply a requested supplement is not counted;
- more than one supplement request ⇒ late, whatever the times;
- a single supplement request still pending ends the clock at the request time;
- a dossier still open at the end of the reporting period uses the period end as its end;
- the end of processing is the time of the ending status, in priority order: result ready (Đã xử lý xong) >
  handed back (Đã trả kết quả) > stopped / refused; a withdrawal also ends processing
  (:func:`processing_end`); only accepted dossiers count (:func:`counts_for_index`).

Inferences (ours, documented because no source says so):
- **Early vs on time** is decided by calendar day: finished on a day before the due *day* → early
  ("Trước hạn"); finished on the due day, not after the due time → on time ("Đúng hạn"); after the due
  time → late ("Quá hạn"). A strict "earlier by any second" reading would make almost every dossier early.
- **``due_at`` is the original promised time**, as printed on the receipt, before any supplement
  extension; the waiting time is removed here. Passing an already extended due date would count the wait
  twice.
- **How the wait is removed.** Without a calendar the formula is applied literally on wall-clock time:
  ``end − (completed − requested) ≤ due``. With a :class:`WorkingCalendar` the wait is measured in working
  time and the due date is extended exactly as :meth:`WorkingCalendar.extend_for_supplement` does for the
  new appointment shown to the applicant, so the label matches the date the operator sees. The app uses
  the calendar form; the literal one is kept for reproducing national figures.
- A supplement completed after ``end_at`` (e.g. after the period end) counts as still pending at
  ``end_at``.
- Without a due date (``KhongCoNgayHenTra``) the due time is derived from the statutory maximum
  (``max_duration``) counted from receipt, in working time with a calendar, wall-clock time without.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from app.domain.calendar import WorkingCalendar, local_naive
from app.domain.errors import DomainError, Problem
from app.domain.status import Status

__all__ = [
    "SupplementPeriod",
    "Timeliness",
    "classify_timeliness",
    "counts_for_index",
    "processing_end",
]


class Timeliness(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label_vi(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


_LABELS: Final[dict[Timeliness, tuple[str, str]]] = {
    Timeliness.EARLY: ("Trước hạn", "Early"),
    Timeliness.ON_TIME: ("Đúng hạn", "On time"),
    Timeliness.LATE: ("Quá hạn", "Late"),
}


@dataclass(frozen=True, slots=True)
class SupplementPeriod:
    """One supplement request: when it was asked for and when the applicant completed it (or None)."""

    requested_at: datetime
    completed_at: datetime | None = None


def _problem(code: str, vi: str, en: str) -> DomainError:
    return DomainError(Problem(f"timeliness.{code}", vi, en))


def counts_for_index(status: Status | str) -> bool:
    """Whether a dossier in ``status`` counts for the 766 on-time index: only accepted dossiers do."""
    return Status(status) not in (Status.NEW, Status.REFUSED)


def processing_end(
    *,
    result_ready_at: datetime | None = None,
    returned_at: datetime | None = None,
    stopped_at: datetime | None = None,
    refused_at: datetime | None = None,
    withdrawn_at: datetime | None = None,
    period_end: datetime | None = None,
) -> datetime:
    """The end of processing: the first known of result ready, handed back, stopped/refused, withdrawn,
    else the period end (open dossiers)."""
    for candidate in (result_ready_at, returned_at, stopped_at, refused_at, withdrawn_at, period_end):
        if candidate is not None:
            return local_naive(candidate)
    raise _problem(
        "no_end",
        "Hồ sơ chưa kết thúc: cần thời điểm cuối kỳ báo cáo để đánh giá.",
        "The dossier has not ended: a reporting-period end is needed to assess it.",
    )


def classify_timeliness(
    received_at: datetime,
    due_at: datetime | None,
    supplements: Sequence[SupplementPeriod],
    end_at: datetime,
    *,
    calendar: WorkingCalendar | None = None,
    max_duration: timedelta | None = None,
) -> Timeliness:
    """Classify a dossier as early, on time or late under Decision 766 (see the module notes)."""
    received_at, end_at = local_naive(received_at), local_naive(end_at)
    if end_at < received_at:
        raise _problem(
            "end_before_receipt",
            "Thời điểm kết thúc xử lý không thể trước thời điểm tiếp nhận.",
            "The end of processing cannot be before receipt.",
        )
    if not supplements and due_at is not None and due_at.tzinfo is None:
        # The common case (no supplement, a due date, naive local times), a report's million times: the
        # rules below with no waiting time to remove, without building the general path's lists.
        if end_at > due_at:
            return Timeliness.LATE
        return Timeliness.EARLY if end_at.date() < due_at.date() else Timeliness.ON_TIME
    if due_at is None:
        if max_duration is None:
            raise _problem(
                "no_due",
                "Hồ sơ không có ngày hẹn trả và thủ tục không có thời hạn tối đa.",
                "The dossier has no due date and the procedure has no maximum duration.",
            )
        due = (
            calendar.add_working_hours(received_at, max_duration)
            if calendar is not None
            else received_at + max_duration
        )
    else:
        due = local_naive(due_at)

    # sorted by request time only: two requests at the same instant, one of them pending, must not
    # compare None with a time
    periods = (
        sorted(
            (
                (
                    local_naive(p.requested_at),
                    None if p.completed_at is None else local_naive(p.completed_at),
                )
                for p in supplements
            ),
            key=lambda p: p[0],
        )
        if supplements
        else []
    )
    for requested, completed in periods:
        if requested < received_at or (completed is not None and completed < requested):
            raise _problem(
                "supplement_times",
                "Thời gian yêu cầu và nhận bổ sung không hợp lệ (trước khi tiếp nhận hoặc ngược thứ tự).",
                "Supplement times are invalid (before receipt or in reverse order).",
            )
    if len(periods) > 1:
        return Timeliness.LATE

    point = end_at
    if periods:
        requested, completed = periods[0]
        if completed is None or completed > end_at:
            point = min(end_at, requested)  # a pending supplement stops the clock at the request
        elif calendar is not None:
            due = calendar.extend_for_supplement(due, requested, completed)
        else:
            point = end_at - (completed - requested)

    if point > due:
        return Timeliness.LATE
    if point.date() < due.date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME
