from __future__ import annotations

from datetime import date, datetime

import pytest

from app.print import vn


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 7, 5), "ngày 05 tháng 7 năm 2025"),
        (date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
        (date(2026, 2, 1), "ngày 01 tháng 02 năm 2026"),
        (date(2025, 12, 31), "ngày 31 tháng 12 năm 2025"),
    ],
)
def test_date_follows_the_administrative_rule(d: date, expected: str) -> None:
    assert vn.date_vn(d) == expected


def test_place_date_line() -> None:
    assert vn.place_date("Bắc Giang", date(2025, 7, 5)) == "Bắc Giang, ngày 05 tháng 7 năm 2025"
    assert vn.place_date("", date(2025, 7, 5)) == "Ngày 05 tháng 7 năm 2025"


def test_place_date_is_nfc() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Bắc Giang")
    assert vn.place_date(nfd, date(2025, 7, 5)) == "Bắc Giang, ngày 05 tháng 7 năm 2025"


def test_time_and_date() -> None:
    assert vn.time_date_vn(datetime(2025, 7, 5, 9, 5)) == "09 giờ 05 phút, ngày 05 tháng 7 năm 2025"
    assert vn.short_datetime(datetime(2025, 7, 5, 16, 30)) == "16:30 05/07/2025"
    assert vn.short_date(date(2025, 7, 5)) == "05/07/2025"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "0 đồng"),
        (500, "500 đồng"),
        (50_000, "50.000 đồng"),
        (1_250_000, "1.250.000 đồng"),
        (-8_000, "-8.000 đồng"),
    ],
)
def test_money(amount: int, expected: str) -> None:
    assert vn.money(amount) == expected


def test_count2() -> None:
    assert vn.count2(1) == "01"
    assert vn.count2(12) == "12"
