"""Working calendar and due dates, on real Vietnamese dates."""

from __future__ import annotations

import time as _time
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import calendar as cal_module
from app.domain.calendar import (
    DayKind,
    DayOverride,
    TimeUnit,
    WorkingCalendar,
    WorkingHours,
    local_naive,
)
from app.domain.errors import DomainError
from app.services.calendar_notices import seed_notices

#: The public-sector notices the desk ships (resources/calendar/public-sector-notices.json): the same rows
#: a desk's calendar is built from.
SEED = [o for n in seed_notices() for o in n.overrides()]
CAL = WorkingCalendar(SEED)
D = datetime


def days(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


# ---------------------------------------------------------------------------------------------- days


def test_weekends_and_ordinary_days() -> None:
    assert CAL.is_working_day(date(2026, 3, 2))  # Monday
    assert CAL.is_working_day(date(2026, 3, 6))  # Friday
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 8))  # Sunday
    assert CAL.is_working_day(datetime(2026, 3, 2, 23, 0))  # a datetime is read as its date


def test_tet_2026_public_sector() -> None:
    # Tết Bính Ngọ: the law gives 16–20/2 (Mon–Fri); officials are off Sat 14/2 – Sun 22/2.
    for d in days(date(2026, 2, 14), date(2026, 2, 22)):
        assert not CAL.is_working_day(d), d
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))
    assert {o.day for o in SEED} >= set(days(date(2026, 2, 14), date(2026, 2, 22)))
    # The statutory days come from `holidays` even without the public-sector notices.
    bare = WorkingCalendar()
    for d in days(date(2026, 2, 16), date(2026, 2, 20)):
        assert not bare.is_working_day(d), d
    # Friday before Tết, 10:00, one working day → Monday after Tết, 10:00.
    assert CAL.due_at(D(2026, 2, 13, 10, 0), 1, TimeUnit.WORKING_DAYS) == D(2026, 2, 23, 10, 0)
    # Same-day procedure received Friday 15:30 → closing of Monday 23/2.
    assert CAL.due_at(D(2026, 2, 13, 15, 30), 0, TimeUnit.SAME_DAY) == D(2026, 2, 23, 17, 0)


def test_tet_2025_observed_29_tet() -> None:
    # 29 Tết 2025 fell on Monday 27/1 and is an observed day off.
    assert not CAL.is_working_day(date(2025, 1, 27))
    for d in days(date(2025, 1, 28), date(2025, 1, 31)):
        assert not CAL.is_working_day(d)
    assert CAL.is_working_day(date(2025, 2, 3))


def test_30_april_1_may_2026() -> None:
    assert not CAL.is_working_day(date(2026, 4, 30))  # Thursday
    assert not CAL.is_working_day(date(2026, 5, 1))  # Friday
    # Wednesday 29/4 16:00 + 2 working hours: 1 h on Wednesday, 1 h on Monday 4/5.
    assert CAL.add_working_hours(D(2026, 4, 29, 16, 0), 2) == D(2026, 5, 4, 8, 0)
    # Hùng Kings 2026 fell on Sunday 26/4: observed Monday 27/4.
    assert not CAL.is_working_day(date(2026, 4, 27))


def test_national_day_2026() -> None:
    # 1/9 and 2/9 (Tue, Wed), plus Monday 31/8 swapped with Saturday 22/8.
    for d in days(date(2026, 8, 29), date(2026, 9, 2)):
        assert not CAL.is_working_day(d), d
    assert CAL.is_working_day(date(2026, 9, 3))
    assert CAL.is_working_day(date(2026, 8, 22))  # make-up working Saturday
    # Friday 28/8 15:00 + 1 working day: 2 h on Friday, 6 h on Thursday 3/9 → 15:00.
    assert CAL.due_at(D(2026, 8, 28, 15, 0), 1, TimeUnit.WORKING_DAYS) == D(2026, 9, 3, 15, 0)


def test_make_up_saturday_override() -> None:
    sat = date(2027, 3, 6)
    cal = WorkingCalendar([DayOverride(sat, "working", "Làm bù")])
    assert cal.is_working_day(sat)
    assert not CAL.is_working_day(sat)
    # Friday after closing → that Saturday morning.
    assert cal.next_working_start(D(2027, 3, 5, 17, 30)) == D(2027, 3, 6, 7, 0)
    assert cal.due_at(D(2027, 3, 5, 17, 30), 0, TimeUnit.SAME_DAY) == D(2027, 3, 6, 17, 0)
    # The swapped Saturday from the seed list is a working Saturday too.
    assert CAL.next_working_start(D(2026, 8, 21, 18, 0)) == D(2026, 8, 22, 7, 0)


def test_extra_day_off_override_and_admin_table_wins() -> None:
    d = date(2026, 6, 10)
    cal = WorkingCalendar([DayOverride(d, DayKind.OFF, "Nghỉ đột xuất")])
    assert not cal.is_working_day(d)
    # An override of a notice's day (31/8/2026 declared a working day) is what counts.
    cal2 = WorkingCalendar(
        [*(o for o in SEED if o.day != date(2026, 8, 31)), DayOverride(date(2026, 8, 31), "working")]
    )
    assert cal2.is_working_day(date(2026, 8, 31))


def test_override_errors() -> None:
    with pytest.raises(DomainError) as err:
        DayOverride(date(2026, 1, 5), "holiday")
    assert "không hợp lệ" in err.value.message("vi")
    with pytest.raises(DomainError):
        DayOverride(datetime(2026, 1, 5, 8, 0), "off")
    with pytest.raises(DomainError) as err2:
        WorkingCalendar([DayOverride(date(2026, 1, 5), "off"), DayOverride(date(2026, 1, 5), "working")])
    assert "05/01/2026" in err2.value.message("vi")
    # Identical duplicates are harmless.
    WorkingCalendar([DayOverride(date(2026, 1, 5), "off"), DayOverride(date(2026, 1, 5), "off", "again")])


def test_vietnam_culture_day_24_november() -> None:
    assert not CAL.is_working_day(date(2026, 11, 24))  # Tuesday
    assert CAL.is_working_day(date(2025, 11, 24))  # not a holiday before 2026
    assert CAL.due_at(D(2026, 11, 23, 16, 0), 1, TimeUnit.WORKING_DAYS) == D(2026, 11, 25, 16, 0)


def test_24_november_rule_when_package_lacks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = cal_module.country_holidays

    def without_culture_day(country: str, years: int) -> object:
        h = real(country, years=years)
        for d in list(h):
            if (d.month, d.day) in ((11, 24), (11, 25), (11, 26)):
                h.pop(d)
        return h

    cal_module._package_year.cache_clear()
    monkeypatch.setattr(cal_module, "country_holidays", without_culture_day)
    try:
        cal = WorkingCalendar()
        assert not cal.is_working_day(date(2026, 11, 24))
        assert cal.is_working_day(date(2025, 11, 24))
        # 24/11/2029 is a Saturday: the substitute day is Monday 26/11.
        assert not cal.is_working_day(date(2029, 11, 26))
        assert cal.is_working_day(date(2029, 11, 27))
    finally:
        cal_module._package_year.cache_clear()


# ---------------------------------------------------------------------------------------------- receipt times


@pytest.mark.parametrize(
    ("received", "start"),
    [
        (D(2026, 3, 2, 16, 59), D(2026, 3, 2, 16, 59)),
        (D(2026, 3, 2, 17, 0), D(2026, 3, 3, 7, 0)),
        (D(2026, 3, 2, 17, 1), D(2026, 3, 3, 7, 0)),
        (D(2026, 3, 2, 12, 0), D(2026, 3, 2, 13, 30)),
        (D(2026, 3, 2, 11, 30), D(2026, 3, 2, 13, 30)),
        (D(2026, 3, 2, 6, 30), D(2026, 3, 2, 7, 0)),
        (D(2026, 3, 1, 10, 0), D(2026, 3, 2, 7, 0)),  # Sunday
        (D(2026, 3, 6, 20, 0), D(2026, 3, 9, 7, 0)),  # Friday evening
        (D(2026, 4, 29, 17, 30), D(2026, 5, 4, 7, 0)),  # before 30/4–1/5
    ],
)
def test_next_working_start(received: datetime, start: datetime) -> None:
    assert CAL.next_working_start(received) == start


@pytest.mark.parametrize(
    ("received", "working_day", "same_day", "four_hours"),
    [
        # 16:59 Monday: one minute today, the rest on Tuesday.
        (D(2026, 3, 2, 16, 59), D(2026, 3, 3, 16, 59), D(2026, 3, 3, 17, 0), D(2026, 3, 3, 10, 59)),
        # 17:01: the clock starts Tuesday 07:00.
        (D(2026, 3, 2, 17, 1), D(2026, 3, 3, 17, 0), D(2026, 3, 3, 17, 0), D(2026, 3, 3, 11, 0)),
        # 12:00 (lunch): the clock starts at 13:30.
        (D(2026, 3, 2, 12, 0), D(2026, 3, 3, 11, 30), D(2026, 3, 2, 17, 0), D(2026, 3, 3, 7, 30)),
        # 06:30: the clock starts at 07:00 the same day.
        (D(2026, 3, 2, 6, 30), D(2026, 3, 2, 17, 0), D(2026, 3, 2, 17, 0), D(2026, 3, 2, 11, 0)),
        # Sunday: Monday morning.
        (D(2026, 3, 1, 9, 0), D(2026, 3, 2, 17, 0), D(2026, 3, 2, 17, 0), D(2026, 3, 2, 11, 0)),
    ],
)
def test_due_at_receipt_times(
    received: datetime, working_day: datetime, same_day: datetime, four_hours: datetime
) -> None:
    assert CAL.due_at(received, 1, TimeUnit.WORKING_DAYS) == working_day
    assert CAL.due_at(received, 0, TimeUnit.SAME_DAY) == same_day
    assert CAL.due_at(received, 4, TimeUnit.WORKING_HOURS) == four_hours


def test_same_day_15h_rule() -> None:
    assert CAL.due_at(D(2026, 3, 2, 14, 59), 1, "same_day") == D(2026, 3, 2, 17, 0)
    assert CAL.due_at(D(2026, 3, 2, 15, 0), 1, "same_day") == D(2026, 3, 2, 17, 0)
    assert CAL.due_at(D(2026, 3, 2, 15, 1), 1, "same_day") == D(2026, 3, 3, 17, 0)
    assert CAL.due_at(D(2026, 3, 6, 16, 0), 0, "same_day") == D(2026, 3, 9, 17, 0)  # Friday → Monday
    assert CAL.due_at(D(2026, 8, 28, 15, 30), 0, "same_day") == D(2026, 9, 3, 17, 0)  # National Day


def test_working_days_longer() -> None:
    # 10 working days from Monday 2/3/2026 08:00 → Monday 16/3 08:00 (two weekends skipped).
    assert CAL.due_at(D(2026, 3, 2, 8, 0), 10, TimeUnit.WORKING_DAYS) == D(2026, 3, 16, 8, 0)
    # 5 working days from Monday 27/4/2026 (observed Hùng Kings, off) → start Tue 28/4 07:00;
    # Tue, Wed, (Thu 30/4, Fri 1/5 off), Mon, Tue, Wed 6/5 closing.
    assert CAL.due_at(D(2026, 4, 27, 9, 0), 5, TimeUnit.WORKING_DAYS) == D(2026, 5, 6, 17, 0)


def test_calendar_days() -> None:
    # Monday 2/3 08:00 + 4 days → closing of Friday 6/3 (the period ends at the end of its last day).
    assert CAL.due_at(D(2026, 3, 2, 8, 0), 4, TimeUnit.CALENDAR_DAYS) == D(2026, 3, 6, 17, 0)
    # + 5 days lands on Saturday → closing of the next working day (Civil Code art. 148(5)).
    assert CAL.due_at(D(2026, 3, 2, 8, 0), 5, TimeUnit.CALENDAR_DAYS) == D(2026, 3, 9, 17, 0)
    assert CAL.due_at(D(2026, 3, 2, 8, 0), 6, TimeUnit.CALENDAR_DAYS) == D(2026, 3, 9, 17, 0)
    # Lands in Tết 2026 → closing of Monday 23/2.
    assert CAL.due_at(D(2026, 2, 9, 8, 0), 7, TimeUnit.CALENDAR_DAYS) == D(2026, 2, 23, 17, 0)
    # Received after closing on Friday: days count from Monday (the next working start).
    assert CAL.due_at(D(2026, 3, 6, 17, 30), 1, TimeUnit.CALENDAR_DAYS) == D(2026, 3, 10, 17, 0)


def test_due_at_rejects_bad_input() -> None:
    with pytest.raises(DomainError):
        CAL.due_at(D(2026, 3, 2, 8, 0), 0, TimeUnit.WORKING_DAYS)
    with pytest.raises(DomainError):
        CAL.due_at(D(2026, 3, 2, 8, 0), -1, TimeUnit.SAME_DAY)
    with pytest.raises(DomainError) as err:
        CAL.due_at(D(2026, 3, 2, 8, 0), 3, "fortnights")
    assert "fortnights" in err.value.message("en")
    with pytest.raises(DomainError):
        CAL.add_working_hours(D(2026, 3, 2, 8, 0), -1)


def test_aware_datetimes_are_read_as_vietnam_wall_clock() -> None:
    utc = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    assert local_naive(utc) == D(2026, 3, 2, 10, 0)
    assert CAL.due_at(utc, 1, TimeUnit.WORKING_DAYS) == D(2026, 3, 3, 10, 0)
    assert CAL.due_at(utc, 1, TimeUnit.WORKING_DAYS).tzinfo is None


# ---------------------------------------------------------------------------------------------- durations


def test_add_working_hours_edges() -> None:
    assert CAL.add_working_hours(D(2026, 3, 2, 7, 0), 4.5) == D(2026, 3, 2, 11, 30)  # ends at lunch
    assert CAL.add_working_hours(D(2026, 3, 2, 7, 0), 8) == D(2026, 3, 2, 17, 0)  # ends at closing
    assert CAL.add_working_hours(D(2026, 3, 2, 17, 0), 0) == D(2026, 3, 2, 17, 0)
    assert CAL.add_working_hours(D(2026, 3, 2, 17, 0), timedelta(minutes=30)) == D(2026, 3, 3, 7, 30)
    assert CAL.add_working_hours(D(2026, 3, 2, 11, 0), 1) == D(2026, 3, 2, 14, 0)


def test_working_hours_between() -> None:
    assert CAL.working_hours_between(D(2026, 3, 2, 11, 0), D(2026, 3, 2, 14, 0)) == timedelta(hours=1)
    # Friday 16:00 → Monday 08:00: 1 h + 1 h.
    assert CAL.working_hours_between(D(2026, 3, 6, 16, 0), D(2026, 3, 9, 8, 0)) == timedelta(hours=2)
    assert CAL.working_hours_between(D(2026, 3, 9, 8, 0), D(2026, 3, 6, 16, 0)) == timedelta(hours=-2)
    assert CAL.working_hours_between(D(2026, 3, 2, 18, 0), D(2026, 3, 2, 20, 0)) == timedelta(0)
    # The whole of Tết 2026 (Fri 13/2 17:00 → Mon 23/2 07:00) is no working time.
    assert CAL.working_hours_between(D(2026, 2, 13, 17, 0), D(2026, 2, 23, 7, 0)) == timedelta(0)


def test_extend_for_supplement() -> None:
    due = D(2026, 3, 3, 17, 0)  # Tuesday closing
    # Waiting Monday 16:00 → Wednesday 08:00 = 1 + 8 + 1 = 10 working hours.
    new_due = CAL.extend_for_supplement(due, D(2026, 3, 2, 16, 0), D(2026, 3, 4, 8, 0))
    assert new_due == D(2026, 3, 5, 9, 0)
    # A wait over a weekend only counts working time.
    assert CAL.extend_for_supplement(due, D(2026, 3, 6, 17, 0), D(2026, 3, 9, 7, 0)) == due
    with pytest.raises(DomainError):
        CAL.extend_for_supplement(due, D(2026, 3, 4, 8, 0), D(2026, 3, 2, 16, 0))


def test_custom_hours() -> None:
    hours = WorkingHours(sessions=((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))))
    cal = WorkingCalendar(hours=hours)
    assert hours.day_length == timedelta(hours=8)
    assert cal.next_working_start(D(2026, 3, 2, 7, 0)) == D(2026, 3, 2, 7, 30)
    assert cal.next_working_start(D(2026, 3, 2, 12, 0)) == D(2026, 3, 2, 13, 0)
    assert cal.due_at(D(2026, 3, 2, 7, 0), 1, TimeUnit.WORKING_DAYS) == D(2026, 3, 2, 17, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sessions": ()},
        {"sessions": ((time(11, 0), time(7, 0)),)},
        {"sessions": ((time(7, 0), time(12, 0)), (time(11, 0), time(17, 0)))},
        {"hours_per_day": 0},
        {"same_day_cutoff": time(18, 0)},
        {"weekend": frozenset({7})},
    ],
)
def test_bad_working_hours(kwargs: dict[str, object]) -> None:
    with pytest.raises(DomainError):
        WorkingHours(**kwargs)  # type: ignore[arg-type]


def test_due_at_is_fast() -> None:
    cal = WorkingCalendar()
    cal.due_at(D(2026, 3, 2, 10, 0), 15, TimeUnit.WORKING_DAYS)  # warm the year cache
    n = 2000
    t0 = _time.perf_counter()
    for i in range(n):
        cal.due_at(D(2026, 3, 2, 10, 0) + timedelta(hours=i), 15, TimeUnit.WORKING_DAYS)
    per_call = (_time.perf_counter() - t0) / n
    assert per_call < 1e-3


# ---------------------------------------------------------------------------------------------- properties

instants = st.datetimes(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31, 23, 59))
durations = st.integers(min_value=0, max_value=200 * 60).map(lambda m: timedelta(minutes=m))


@settings(deadline=None, max_examples=300)
@given(start=instants, hours=durations)
def test_add_then_measure_round_trips(start: datetime, hours: timedelta) -> None:
    end = CAL.add_working_hours(start, hours)
    assert end >= start
    if hours:
        assert CAL.working_hours_between(CAL.next_working_start(start), end) == hours
        assert CAL.is_working_day(end.date())
        assert CAL.opening(end.date()) < end <= CAL.closing(end.date())


@settings(deadline=None, max_examples=200)
@given(
    received=instants,
    amount=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from(list(TimeUnit)),
)
def test_due_is_in_working_time(received: datetime, amount: int, unit: TimeUnit) -> None:
    due = CAL.due_at(received, amount, unit)
    assert due > received
    assert CAL.is_working_day(due.date())
    assert CAL.opening(due.date()) < due <= CAL.closing(due.date())
    later = CAL.due_at(received, amount + 1, unit)
    if unit in (TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS):
        assert later > due
    else:
        assert later >= due


@settings(deadline=None, max_examples=200)
@given(a=instants, b=instants, c=instants)
def test_working_hours_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    ab = CAL.working_hours_between(a, b)
    assert ab >= timedelta(0)
    assert ab + CAL.working_hours_between(b, c) == CAL.working_hours_between(a, c)
