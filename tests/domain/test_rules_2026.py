"""Rules as published (issue 17): yearly calendar notices, time limits per channel, computed fees,
extensions by law. The calendar is built from the same notice rows the desk loads."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.calendar import TimeUnit, WorkingCalendar
from app.domain.errors import DomainError
from app.domain.notices import estimated_years, missing_next_year, notice_years, parse_notices
from app.domain.rules import (
    Extension,
    apply_extension,
    compute_fee,
    is_demo_fee,
    parse_extensions,
    time_for_channel,
)
from app.services.calendar_notices import seed_notices

NOTICES = seed_notices()
CAL = WorkingCalendar([o for n in NOTICES for o in n.overrides()])
D = datetime


def test_seed_has_the_2026_notices_with_numbers() -> None:
    numbers = {n.number for n in NOTICES}
    assert {"12729/VPCP-KGVX", "9441/TB-BNV", "3383/BNV-CVL", "28/2026/QH16"} <= numbers
    new_year = next(n for n in NOTICES if n.number == "12729/VPCP-KGVX")
    assert new_year.notice_date == date(2025, 12, 25)
    assert {(d.day, d.kind.value) for d in new_year.days} == {
        (date(2026, 1, 2), "off"),
        (date(2026, 1, 10), "working"),
    }
    assert notice_years(NOTICES) == frozenset({2026}) == CAL.notice_years


def test_new_year_2026_audit_case() -> None:
    # Wednesday 31/12/2025 10:00 + 3 working days: Thu 1/1 and Fri 2/1 off (12729/VPCP-KGVX), the
    # weekend, Mon 5/1, Tue 6/1, then 10:00 on Wednesday 7/1.
    assert not CAL.is_working_day(date(2026, 1, 2))
    assert CAL.is_working_day(date(2026, 1, 10))  # the make-up Saturday
    assert CAL.due_at(D(2025, 12, 31, 10, 0), 3, TimeUnit.WORKING_DAYS) == D(2026, 1, 7, 10, 0)
    # Without the notice the same case gives the wrong 6/1 the audit found.
    assert WorkingCalendar().due_at(D(2025, 12, 31, 10, 0), 3, TimeUnit.WORKING_DAYS) == D(2026, 1, 6, 10, 0)
    # Friday 9/1 after closing, same-day procedure → Saturday 10/1 (a working day) 17:00.
    assert CAL.due_at(D(2026, 1, 9, 17, 30), 0, TimeUnit.SAME_DAY) == D(2026, 1, 10, 17, 0)


def test_estimated_years_and_next_year_warning() -> None:
    years = CAL.notice_years
    assert estimated_years(years, date(2026, 3, 1), date(2026, 3, 20)) == ()
    assert estimated_years(years, date(2026, 12, 20), date(2027, 1, 10)) == (2027,)
    assert estimated_years(years, date(2025, 12, 31), date(2026, 1, 7)) == (2025,)
    assert missing_next_year(years, date(2026, 10, 31)) is None
    assert missing_next_year(years, date(2026, 11, 1)) == 2027
    assert missing_next_year(years | {2027}, date(2026, 12, 5)) is None


def test_parse_notices_refuses_bad_rows() -> None:
    with pytest.raises(DomainError, match="notice A repeated"):
        parse_notices(
            {
                "schema": 1,
                "notices": [
                    {"number": "A", "days": [{"day": "2027-01-01", "kind": "off"}]},
                    {"number": "A", "days": [{"day": "2027-01-02", "kind": "off"}]},
                ],
            }
        )
    with pytest.raises(DomainError, match="set by both A and B"):
        parse_notices(
            {
                "schema": 1,
                "notices": [
                    {"number": "A", "days": [{"day": "2027-01-01", "kind": "off"}]},
                    {"number": "B", "days": [{"day": "2027-01-01", "kind": "working"}]},
                ],
            }
        )
    with pytest.raises(DomainError, match="YYYY-MM-DD"):
        parse_notices(
            {"schema": 1, "notices": [{"number": "A", "days": [{"day": "1/1/2027", "kind": "off"}]}]}
        )
    with pytest.raises(DomainError, match="schema"):
        parse_notices({"notices": []})


def test_is_working_time() -> None:
    assert CAL.is_working_time(D(2026, 12, 7, 10, 0))
    assert CAL.is_working_time(D(2026, 12, 7, 17, 0))
    assert not CAL.is_working_time(D(2026, 12, 7, 12, 0))  # lunch
    assert not CAL.is_working_time(D(2026, 12, 12, 10, 0))  # a Saturday
    assert CAL.is_working_time(D(2026, 1, 10, 9, 0))  # the make-up Saturday
    assert not CAL.is_working_time(D(2026, 11, 24, 9, 0))  # Ngày Văn hóa Việt Nam


def test_time_per_channel() -> None:
    by_channel = {
        "online": {"value": 20, "unit": "calendar_days"},
        "postal": {"value": 20, "unit": "calendar_days"},
    }
    assert time_for_channel(15, "calendar_days", by_channel, "direct") == (15, "calendar_days")
    assert time_for_channel(15, "calendar_days", by_channel, "online") == (20, "calendar_days")
    assert time_for_channel(5, "working_days", {}, "postal") == (5, "working_days")


RULE = {"per": "page", "tiers": [[1, 2000], [3, 1000]], "cap_per_copy": 200000}


@pytest.mark.parametrize(
    ("pages", "copies", "amount"),
    [
        (1, 1, 2000),
        (2, 1, 4000),
        (3, 1, 5000),
        (5, 2, 2 * (4000 + 3000)),
        (400, 1, 200000),  # 4.000 + 398.000 → capped at 200.000 a copy
        (400, 3, 600000),
    ],
)
def test_per_page_fee_2_000815(pages: int, copies: int, amount: int) -> None:
    fee = compute_fee(2000, RULE, pages=pages, copies=copies)
    assert fee.amount_vnd == amount
    assert f"= {amount:,} đồng".replace(",", ".") in fee.basis


def test_fee_needs_pages_and_copies_exemption_and_demo() -> None:
    with pytest.raises(DomainError, match="per page"):
        compute_fee(2000, RULE, pages=0, copies=1)
    with pytest.raises(DomainError, match="per copy"):
        compute_fee(2000, RULE, pages=3, copies=0)
    exempt = compute_fee(2000, RULE, exemption="Người có công với cách mạng")
    assert exempt.amount_vnd == 0 and "Miễn" in exempt.basis
    assert compute_fee(50000, None).basis == ""
    demo = compute_fee(50000, None, demo=True)
    assert demo.amount_vnd == 50000 and "giá trị demo" in demo.basis
    assert is_demo_fee("… giá trị demo: 50.000 đồng") and not is_demo_fee("Miễn lệ phí.")


def test_extensions() -> None:
    (ext,) = parse_extensions(
        [{"id": "nhieu-ban", "label": "x", "add": {"value": 2, "unit": "working_days"}}]
    )
    assert ext == Extension("nhieu-ban", "x", "add", 2, "working_days")
    # Same-day copy certification received Monday 7/12/2026 09:00 → 17:00; +2 working days → Wed 17:00.
    due = CAL.due_at(D(2026, 12, 7, 9, 0), 0, TimeUnit.SAME_DAY)
    assert apply_extension(CAL, D(2026, 12, 7, 9, 0), due, ext) == D(2026, 12, 9, 17, 0)
    limit = Extension("xac-minh", "y", "limit", 5, "working_days")
    assert apply_extension(CAL, D(2026, 12, 7, 9, 0), due, limit) == D(2026, 12, 14, 9, 0)
