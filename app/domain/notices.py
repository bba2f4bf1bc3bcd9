"""The public-sector calendar as data: each year's notices (văn bản) with their days off and working days.

Every year the Government Office, the Ministry of Home Affairs or the National Assembly publish which days
officials have off and which Saturdays they work (e.g. Công văn 12729/VPCP-KGVX: Friday 2/1/2026 off,
Saturday 10/1/2026 a working day). Those are **rows**, not code: the seed file
``resources/calendar/public-sector-notices.json`` ships the notices found so far, the provincial server
holds the province's table (``motcua-server holiday add DAY off|working --notice NUMBER``) and desks pull
it through the change feed. A year with no notice loaded is computed from the ``holidays`` package's
estimates (statutory holidays and their substitutes): a due date that crosses such a year is
**estimated** and the dossier's history says so (:func:`estimated_years`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.calendar import DayKind, DayOverride
from app.domain.errors import DomainError, Problem

__all__ = [
    "CalendarNotice",
    "NoticeDay",
    "estimated_years",
    "group_by_notice",
    "missing_next_year",
    "notice_years",
    "parse_notices",
]

#: From this day of the year (month, day) the desk warns that next year's notices are not loaded.
WARN_FROM = (11, 1)


@dataclass(frozen=True, slots=True)
class NoticeDay:
    """One day of a notice: ``off`` or ``working``, with its note."""

    day: date
    kind: DayKind
    note: str = ""


@dataclass(frozen=True, slots=True)
class CalendarNotice:
    """One published notice (số hiệu, ngày ban hành) and the days it sets."""

    number: str
    notice_date: date | None
    title: str
    days: tuple[NoticeDay, ...]

    @property
    def years(self) -> frozenset[int]:
        return frozenset(d.day.year for d in self.days)

    def overrides(self) -> tuple[DayOverride, ...]:
        return tuple(DayOverride(d.day, d.kind, d.note, self.number) for d in self.days)


def _bad(what: str, en: str) -> DomainError:
    return DomainError(
        Problem(
            "calendar.notices", f"Tệp văn bản lịch nghỉ không hợp lệ: {what}.", f"Invalid notices file: {en}."
        )
    )


def _day(text: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise _bad(
            f"ngày «{text}» ({where}) không đúng dạng YYYY-MM-DD", f"day {text!r} ({where}) is not YYYY-MM-DD"
        ) from None


def parse_notices(data: Mapping[str, Any]) -> tuple[CalendarNotice, ...]:
    """The notices of a seed file's JSON (schema 1), checked: numbers unique, a day set once."""
    if data.get("schema") != 1 or not isinstance(data.get("notices"), list):
        raise _bad("thiếu «schema»: 1 hoặc danh sách «notices»", "missing schema 1 or the notices list")
    notices: list[CalendarNotice] = []
    seen_days: dict[date, str] = {}
    for raw in data["notices"]:
        number = str(raw.get("number", "")).strip()
        if not number:
            raise _bad("một văn bản không có số hiệu", "a notice has no number")
        if any(n.number == number for n in notices):
            raise _bad(f"số hiệu {number} lặp lại", f"notice {number} repeated")
        nd = raw.get("date")
        days: list[NoticeDay] = []
        for d in raw.get("days", []):
            day = _day(d.get("day"), number)
            if day in seen_days:
                raise _bad(
                    f"ngày {day:%d/%m/%Y} có trong cả {seen_days[day]} và {number}",
                    f"{day} is set by both {seen_days[day]} and {number}",
                )
            seen_days[day] = number
            try:
                kind = DayKind(d.get("kind"))
            except ValueError:
                raise _bad(
                    f"loại ngày «{d.get('kind')}» ({number})", f"day kind {d.get('kind')!r} ({number})"
                ) from None
            days.append(NoticeDay(day, kind, str(d.get("note", ""))))
        if not days:
            raise _bad(f"văn bản {number} không có ngày nào", f"notice {number} sets no day")
        notices.append(
            CalendarNotice(
                number,
                _day(nd, number) if nd else None,
                str(raw.get("title", "")),
                tuple(sorted(days, key=lambda x: x.day)),
            )
        )
    return tuple(notices)


def group_by_notice(
    rows: Iterable[tuple[date, str, str, str, date | None]],
) -> tuple[CalendarNotice, ...]:
    """Notices rebuilt from stored day rows ``(day, kind, note, notice number, notice date)``; rows
    without a number (an operator's or an old server's exception) are grouped under ``""``."""
    by_number: dict[str, list[tuple[NoticeDay, date | None]]] = {}
    for day, kind, note, number, notice_date in rows:
        by_number.setdefault(number or "", []).append((NoticeDay(day, DayKind(kind), note), notice_date))
    out = []
    for number, items in by_number.items():
        dates = [nd for _d, nd in items if nd is not None]
        out.append(
            CalendarNotice(
                number,
                min(dates) if dates else None,
                "",
                tuple(sorted((d for d, _ in items), key=lambda x: x.day)),
            )
        )
    return tuple(sorted(out, key=lambda n: (min(d.day for d in n.days), n.number)))


def notice_years(notices: Iterable[CalendarNotice]) -> frozenset[int]:
    """The years for which at least one numbered notice is loaded."""
    years: set[int] = set()
    for n in notices:
        if n.number:
            years |= n.years
    return frozenset(years)


def estimated_years(loaded: frozenset[int], start: date, end: date) -> tuple[int, ...]:
    """The years between ``start`` and ``end`` (both included) that have no notice loaded: a period
    crossing them is counted on estimated days."""
    return tuple(y for y in range(start.year, end.year + 1) if y not in loaded)


def missing_next_year(loaded: frozenset[int], today: date) -> int | None:
    """Next year, when it is 1 November or later and no notice of next year is loaded; else None."""
    if (today.month, today.day) >= WARN_FROM and today.year + 1 not in loaded:
        return today.year + 1
    return None
