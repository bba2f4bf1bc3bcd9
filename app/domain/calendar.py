"""Working-time calendar of a one-stop centre: working days, working hours and due dates.

Time model
----------
Every ``datetime`` here is a **naive local wall-clock time in Asia/Ho_Chi_Minh** (UTC+7, no daylight
saving since 1975). Receipts, due dates and logbooks are all about the centre's wall clock, so naive
values are stored and compared. An aware ``datetime`` passed in is converted to UTC+7 and made naive
(:func:`local_naive`); nothing here reads the system clock or time zone.

Working days
------------
A day is a working day unless it is a weekend day (Saturday, Sunday by default) or a Vietnamese public
holiday, where these are overridden in this order (the first that applies wins):

1. an explicit :class:`DayOverride` (the day table: each year's public-sector notices, seeded from
   ``resources/calendar/public-sector-notices.json`` and maintained on the provincial server, see
   :mod:`app.domain.notices`; nothing of a given year is hard-coded here);
2. a built-in rule: 24 November "Ngày Văn hóa Việt Nam" is a paid day off from 2026 (reported as
   Resolution 28/2026/QH16). ``holidays`` ≥ 0.109 knows it; older wheels (the project allows ≥ 0.100)
   do not, so we add it (and its substitute day when it falls on a weekend) whenever the package lacks it;
3. the ``holidays`` package for country ``"VN"`` with its observed (substitute) days and the swapped
   working Saturdays it knows (``weekend_workdays``);
4. the weekend.

The ``holidays`` data is computed once per year and cached for the process (shared by all calendars).

Working hours and deadlines (domain.md §3.3)
--------------------------------------------
Default sessions 07:00–11:30 and 13:30–17:00 (8 h); 8 working hours = 1 working day. A receipt outside
working hours starts the clock at the next working moment: after closing (or on a day off) at the next
working morning, before opening at opening time, during the lunch break at the afternoon opening.
"N working days" is N × 8 working hours counted from that moment, as the Thanh Hóa system does
(received Monday 10:00, 1 working day → due Tuesday 10:00).
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final

from app.domain.errors import DomainError, Problem

__all__ = [
    "DEFAULT_HOURS",
    "VIETNAM_TZ",
    "DayKind",
    "DayOverride",
    "TimeUnit",
    "WorkingCalendar",
    "WorkingHours",
    "local_naive",
]

#: Vietnam's offset. Fixed: no daylight saving since 1975, so no tz database is needed.
VIETNAM_TZ: Final = timezone(timedelta(hours=7), "ICT")

_US_PER_SECOND: Final = 1_000_000
_US_PER_HOUR: Final = 3600 * _US_PER_SECOND
_US_PER_DAY: Final = 24 * _US_PER_HOUR
#: How far we look for the next working day before declaring the calendar broken.
_MAX_SEARCH_DAYS: Final = 400


def local_naive(dt: datetime) -> datetime:
    """Return ``dt`` as a naive Asia/Ho_Chi_Minh wall-clock time (naive values are returned unchanged)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt
    return dt.astimezone(VIETNAM_TZ).replace(tzinfo=None)


class TimeUnit(StrEnum):
    """How a procedure's processing time is expressed (``LoaiThoiGian`` and the same-day rule)."""

    SAME_DAY = "same_day"
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


class DayKind(StrEnum):
    OFF = "off"
    WORKING = "working"


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One row of the admin-editable day table: ``day`` is a day ``off`` or a ``working`` day."""

    day: date
    kind: DayKind | str
    note: str = ""
    #: The published notice that sets this day (e.g. "12729/VPCP-KGVX"); "" for an unnumbered exception.
    notice: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.day, datetime) or not isinstance(self.day, date):
            raise DomainError(
                Problem(
                    "calendar.override_day",
                    "Ngày điều chỉnh lịch làm việc phải là một ngày (không kèm giờ).",
                    "A calendar override must be a date (without a time).",
                    "day",
                )
            )
        try:
            kind = DayKind(self.kind)
        except ValueError:
            raise DomainError(
                Problem(
                    "calendar.override_kind",
                    f"Loại ngày «{self.kind}» không hợp lệ: chỉ có «off» (nghỉ) hoặc «working» (làm việc).",
                    f"Day kind {self.kind!r} is invalid: use 'off' or 'working'.",
                    "kind",
                )
            ) from None
        object.__setattr__(self, "kind", kind)


def _seconds(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _at(day: date, us: int) -> datetime:
    """``day`` at ``us`` microseconds after midnight (``us`` may equal a full day: 24:00 → next 00:00)."""
    return datetime(day.year, day.month, day.day) + timedelta(microseconds=us)


def _hours_problem(vi: str, en: str) -> DomainError:
    return DomainError(Problem("calendar.working_hours", vi, en, "working_hours"))


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """The centre's daily sessions, the length of a "working day" and the same-day cut-off."""

    sessions: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    #: Working hours that make one working day (8 by law); working days are converted with it.
    hours_per_day: float = 8.0
    #: Same-day procedures received after this time are due at the close of the next working day.
    same_day_cutoff: time = time(15, 0)
    #: Weekday numbers (Monday = 0) that are days off unless overridden.
    weekend: frozenset[int] = field(default_factory=lambda: frozenset({5, 6}))

    def __post_init__(self) -> None:
        if not self.sessions:
            raise _hours_problem("Chưa khai báo buổi làm việc nào.", "No working session is configured.")
        previous_end = -1
        for start, end in self.sessions:
            s, e = _seconds(start), _seconds(end)
            if s >= e:
                raise _hours_problem(
                    f"Buổi làm việc {start:%H:%M}–{end:%H:%M} kết thúc trước khi bắt đầu.",
                    f"Working session {start:%H:%M}–{end:%H:%M} ends before it starts.",
                )
            if s < previous_end:
                raise _hours_problem(
                    "Các buổi làm việc phải theo thứ tự thời gian và không chồng lên nhau.",
                    "Working sessions must be in time order and must not overlap.",
                )
            previous_end = e
        if not self.hours_per_day > 0:
            raise _hours_problem(
                "Số giờ của một ngày làm việc phải lớn hơn 0.", "Hours per working day must be positive."
            )
        if not _seconds(self.sessions[0][0]) <= _seconds(self.same_day_cutoff) <= previous_end:
            raise _hours_problem(
                "Giờ chốt nhận hồ sơ trả trong ngày phải nằm trong giờ làm việc.",
                "The same-day cut-off must lie within working hours.",
            )
        if not set(self.weekend) <= set(range(7)) or len(self.weekend) == 7:
            raise _hours_problem("Ngày nghỉ cuối tuần không hợp lệ.", "The weekend days are invalid.")

    @property
    def day_length(self) -> timedelta:
        """Total working time of one working day (the sum of the sessions)."""
        return timedelta(microseconds=sum(_seconds(e) - _seconds(s) for s, e in self.sessions))


DEFAULT_HOURS: Final = WorkingHours()


if TYPE_CHECKING:
    from holidays import HolidayBase

_VN_MODULE: Final = "holidays.countries.vietnam"
_vn_lock = threading.Lock()


def _vietnam_class() -> type[HolidayBase]:
    """``holidays``' Vietnam class, imported alone.

    ``holidays`` (0.109) has no lazy per-country import: its top-level package is lazy (an
    ``EntityLoader`` per country), but importing any ``holidays.countries.<x>`` first runs
    ``holidays/countries/__init__.py``, which imports all ~280 country modules (~40 ms, 270 modules).
    So the Vietnam module is loaded from its file under its own name; a later import of the whole
    ``holidays.countries`` package (the server, another user) finds it in ``sys.modules`` and shares the
    class. Any surprise in the package's layout falls back to the ordinary import.
    """
    with _vn_lock:
        module = sys.modules.get(_VN_MODULE)
        if module is None:
            try:
                import holidays  # the base package only (~25 modules)

                path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
                spec = importlib.util.spec_from_file_location(_VN_MODULE, path)
                if spec is None or spec.loader is None:
                    raise ImportError(_VN_MODULE)
                module = importlib.util.module_from_spec(spec)
                sys.modules[_VN_MODULE] = module
                try:
                    spec.loader.exec_module(module)
                except BaseException:
                    del sys.modules[_VN_MODULE]
                    raise
            except (ImportError, OSError):
                from holidays.countries.vietnam import Vietnam

                return Vietnam
        vietnam: type[HolidayBase] = module.Vietnam
        return vietnam


def country_holidays(country: str, years: int) -> HolidayBase:
    """``holidays.country_holidays`` for Vietnam (the only country a desk needs), without importing the
    other countries."""
    if country != "VN":
        from holidays import country_holidays as any_country

        return any_country(country, years=years)
    return _vietnam_class()(years=years)


@functools.lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, working weekend days) for ``year`` from ``holidays`` plus the built-in 24/11 rule."""
    vn = country_holidays("VN", years=year)
    off = {d for d in vn if d.year == year}
    working_weekend = {d for d in getattr(vn, "weekend_workdays", ()) if d.year == year}
    if year >= 2026:
        culture_day = date(year, 11, 24)
        if culture_day not in off:  # the installed wheel predates the rule
            off.add(culture_day)
            if culture_day.weekday() >= 5:  # substitute day: the next weekday that is not already off
                sub = culture_day + timedelta(days=7 - culture_day.weekday())
                while sub in off:
                    sub += timedelta(days=1)
                off.add(sub)
    return frozenset(off), frozenset(working_weekend)


class WorkingCalendar:
    """Working days and working time of one centre. Immutable after construction; safe to share."""

    __slots__ = (
        "_closing",
        "_day_us",
        "_day_length_us",
        "_hours",
        "_notice_years",
        "_overrides",
        "_sessions",
    )

    def __init__(
        self,
        overrides: Iterable[DayOverride] = (),
        hours: WorkingHours = DEFAULT_HOURS,
    ) -> None:
        self._hours = hours
        self._sessions: tuple[tuple[int, int], ...] = tuple(
            (_seconds(s), _seconds(e)) for s, e in hours.sessions
        )
        self._closing = self._sessions[-1][1]
        self._day_length_us = sum(e - s for s, e in self._sessions)
        self._day_us = round(hours.hours_per_day * _US_PER_HOUR)
        given: dict[date, DayOverride] = {}
        for o in overrides:
            seen = given.get(o.day)
            if seen is not None and seen.kind != o.kind:
                raise DomainError(
                    Problem(
                        "calendar.override_conflict",
                        f"Ngày {o.day:%d/%m/%Y} vừa được khai báo là ngày nghỉ vừa là ngày làm việc.",
                        f"{o.day:%d/%m/%Y} is declared both a day off and a working day.",
                        "overrides",
                    )
                )
            given.setdefault(o.day, o)
        self._overrides: dict[date, DayKind] = {d: DayKind(o.kind) for d, o in given.items()}
        self._notice_years = frozenset(d.year for d, o in given.items() if o.notice)

    # ------------------------------------------------------------------ days

    @property
    def hours(self) -> WorkingHours:
        return self._hours

    @property
    def notice_years(self) -> frozenset[int]:
        """Years for which a numbered public-sector notice is loaded; other years are estimated."""
        return self._notice_years

    def is_working_time(self, dt: datetime) -> bool:
        """Whether ``dt`` lies in a working session of a working day (a session's end counts: 17:00)."""
        dt = local_naive(dt)
        if not self.is_working_day(dt.date()):
            return False
        t = _seconds(dt.time())
        return any(s <= t <= e for s, e in self._sessions)

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day of the centre."""
        if isinstance(d, datetime):
            d = d.date()
        kind = self._overrides.get(d)
        if kind is not None:
            return kind is DayKind.WORKING
        off, working_weekend = _package_year(d.year)
        if d in off:
            return False
        if d.weekday() in self._hours.weekend:
            return d in working_weekend
        return True

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _ in range(_MAX_SEARCH_DAYS):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise self._no_working_day(d)

    def working_day_on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def opening(self, d: date) -> datetime:
        """Opening time of day ``d`` (whether or not it is a working day)."""
        return _at(d, self._sessions[0][0])

    def closing(self, d: date) -> datetime:
        """Closing time of day ``d`` (whether or not it is a working day)."""
        return _at(d, self._closing)

    # ------------------------------------------------------------------ time

    def next_working_start(self, dt: datetime) -> datetime:
        """``dt`` if it is working time, else the next moment working time starts.

        After closing or on a day off → the next working morning; before opening → opening; at or
        after the end of a session (lunch) → the start of the next session.
        """
        dt = local_naive(dt)
        d = dt.date()
        if self.is_working_day(d):
            t = _seconds(dt.time())
            for s, e in self._sessions:
                if t < e:
                    return dt if t >= s else _at(d, s)
        return _at(self.next_working_day(d), self._sessions[0][0])

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """The moment ``hours`` of working time after ``start``.

        The clock starts at :meth:`next_working_start`; a result that lands exactly on the end of a
        session is that end (e.g. 17:00), not the next opening. Zero hours returns ``start`` unchanged.
        """
        start = local_naive(start)
        remaining = self._to_us(hours)
        if remaining < 0:
            raise DomainError(
                Problem(
                    "calendar.negative_duration",
                    "Thời gian cộng thêm không được âm.",
                    "The working time to add must not be negative.",
                )
            )
        if remaining == 0:
            return start
        cur = self.next_working_start(start)
        d = cur.date()
        t = _seconds(cur.time())
        while True:
            if t == self._sessions[0][0] and remaining > self._day_length_us:
                remaining -= self._day_length_us  # skip a whole working day at once
            else:
                for s, e in self._sessions:
                    if t >= e:
                        continue
                    t0 = max(t, s)
                    available = e - t0
                    if remaining <= available:
                        return _at(d, t0 + remaining)
                    remaining -= available
            d = self.next_working_day(d)
            t = self._sessions[0][0]

    def working_hours_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        a, b = local_naive(a), local_naive(b)
        if b < a:
            return -self.working_hours_between(b, a)
        total = 0
        d = a.date()
        last = b.date()
        while d <= last:
            if self.is_working_day(d):
                lo = _seconds(a.time()) if d == a.date() else 0
                hi = _seconds(b.time()) if d == last else _US_PER_DAY
                for s, e in self._sessions:
                    overlap = min(e, hi) - max(s, lo)
                    if overlap > 0:
                        total += overlap
            d += timedelta(days=1)
        return timedelta(microseconds=total)

    # ------------------------------------------------------------------ due dates

    def due_at(self, received_at: datetime, amount: int, unit: TimeUnit | str) -> datetime:
        """The promised return time (ngày hẹn trả) for a dossier received at ``received_at``.

        - ``same_day``: received (after moving off-hours receipts to the next working start) at or
          before the cut-off (15:00) → closing of that day; later → closing of the next working day.
          So 06:30 on a working day → 17:00 that day; 17:01 or a Sunday → 17:00 of the next working
          day. ``amount`` is ignored (0 or 1 accepted).
        - ``working_hours``: ``amount`` working hours from the next working start.
        - ``working_days``: ``amount`` × ``hours_per_day`` working hours, likewise.
        - ``calendar_days``: every day counts; the period ends at the **closing of day D + amount**,
          D being the day of the next working start (Civil Code 2015 Art. 148(3): a period in days ends
          at the end of its last day). If that day is a day off, at the closing of the next working day
          (Art. 148(5): "thời hạn kết thúc tại thời điểm kết thúc ngày làm việc tiếp theo ngày nghỉ đó").
          Received Monday 08:00, 4 calendar days → Friday 17:00; 5 (a Saturday) → Monday 17:00.
        """
        try:
            unit = TimeUnit(unit)
        except ValueError:
            raise DomainError(
                Problem(
                    "calendar.time_unit",
                    f"Đơn vị thời gian «{unit}» không hợp lệ.",
                    f"Time unit {unit!r} is invalid.",
                    "unit",
                )
            ) from None
        minimum = 0 if unit is TimeUnit.SAME_DAY else 1
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < minimum:
            raise DomainError(
                Problem(
                    "calendar.amount",
                    f"Thời hạn giải quyết phải là số nguyên từ {minimum} trở lên.",
                    f"The processing time must be a whole number of at least {minimum}.",
                    "amount",
                )
            )
        start = self.next_working_start(received_at)
        if unit is TimeUnit.SAME_DAY:
            d = start.date()
            if start.time() > self._hours.same_day_cutoff:
                d = self.next_working_day(d)
            return self.closing(d)
        if unit is TimeUnit.WORKING_HOURS:
            return self.add_working_hours(start, timedelta(hours=amount))
        if unit is TimeUnit.WORKING_DAYS:
            return self.add_working_hours(start, timedelta(microseconds=amount * self._day_us))
        return self.closing(self.working_day_on_or_after(start.date() + timedelta(days=amount)))

    def extend_for_supplement(
        self, due: datetime, requested_at: datetime, completed_at: datetime
    ) -> datetime:
        """The due time after a supplement: the old due plus the working time spent waiting.

        domain.md §3.3 (Thanh Hóa: old due + (completion − request), normalised to a working day). We
        measure the wait in working time, so a wait over a weekend or a holiday adds nothing for those
        days, and add it with :meth:`add_working_hours`.
        """
        requested_at, completed_at = local_naive(requested_at), local_naive(completed_at)
        if completed_at < requested_at:
            raise DomainError(
                Problem(
                    "calendar.supplement_order",
                    "Thời điểm nhận bổ sung không thể trước thời điểm yêu cầu bổ sung.",
                    "The supplement cannot be completed before it was requested.",
                    "completed_at",
                )
            )
        return self.add_working_hours(due, self.working_hours_between(requested_at, completed_at))

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _to_us(hours: float | timedelta) -> int:
        if isinstance(hours, timedelta):
            return hours // timedelta(microseconds=1)
        return round(hours * _US_PER_HOUR)

    @staticmethod
    def _no_working_day(d: date) -> DomainError:
        return DomainError(
            Problem(
                "calendar.no_working_day",
                f"Không tìm thấy ngày làm việc nào trong {_MAX_SEARCH_DAYS} ngày sau {d:%d/%m/%Y}: "
                "kiểm tra lại danh mục ngày nghỉ.",
                f"No working day within {_MAX_SEARCH_DAYS} days after {d:%d/%m/%Y}: check the day-off table.",
            )
        )
