"""Vietnamese date, time and money wording for printed forms.

Dates follow the administrative-document rule (Nghị định 30/2020/NĐ-CP): a day below 10 and the months
January and February take a leading zero ("ngày 05 tháng 02 năm 2026", "ngày 15 tháng 7 năm 2025").
"""

from __future__ import annotations

from datetime import date, datetime

from app.domain.text import nfc


def day_text(day: int) -> str:
    """The day number as written in a date line: "05", "15"."""
    return f"{day:02d}"


def month_text(month: int) -> str:
    """The month number as written in a date line: "01", "02", then "3" … "12"."""
    return f"{month:02d}" if month <= 2 else str(month)


def date_vn(d: date) -> str:
    """ "ngày 05 tháng 7 năm 2025"."""
    return f"ngày {day_text(d.day)} tháng {month_text(d.month)} năm {d.year}"


def place_date(place: str, d: date) -> str:
    """The place-and-date line: "Bắc Giang, ngày 05 tháng 7 năm 2025"."""
    place = nfc(place).strip()
    return f"{place}, {date_vn(d)}" if place else date_vn(d).capitalize()


def time_date_vn(dt: datetime) -> str:
    """ "09 giờ 05 phút, ngày 05 tháng 7 năm 2025"."""
    return f"{dt.hour:02d} giờ {dt.minute:02d} phút, {date_vn(dt)}"


def short_date(d: date) -> str:
    """ "05/07/2025"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def short_datetime(dt: datetime) -> str:
    """ "09:05 05/07/2025"."""
    return f"{dt.hour:02d}:{dt.minute:02d} {short_date(dt)}"


def group_thousands(amount: int) -> str:
    """ "1.250.000": Vietnamese groups thousands with dots."""
    sign = "-" if amount < 0 else ""
    return sign + f"{abs(amount):,}".replace(",", ".")


def money(amount: int) -> str:
    """ "50.000 đồng"."""
    return f"{group_thousands(amount)} đồng"


def count2(n: int) -> str:
    """A count as written on forms: "01", "02", "12"."""
    return f"{n:02d}"
