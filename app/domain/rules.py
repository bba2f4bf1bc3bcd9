"""Catalogue rules as published: the time limit per channel, computed fees, extensions set by law.

Time limit per channel (rules-2026.md D2, S14)
    The national records give different limits for in person (``direct``), online and by post, e.g.
    1.013225: 15 days in person, 20 online or by post. A catalogue entry keeps the in-person limit in
    ``time_value``/``time_unit`` and the limits of the other channels in ``time_by_channel``
    (``{"online": {"value": 20, "unit": "calendar_days"}}``); a channel not listed has the in-person limit.

Fees (D3)
    A ``fee_rule`` computes the amount due from what the operator enters at intake (pages, copies):
    ``{"per": "page", "tiers": [[1, 2000], [3, 1000]], "cap_per_copy": 200000}`` reads "2.000 đ a page,
    1.000 đ a page from the third page, at most 200.000 đ a copy" (2.000815, Thông tư 226/2016/TT-BTC as
    quoted on the national record). Without a rule the fee is the flat ``fee_vnd``. An exemption the
    operator ticks (with its ground) makes the amount 0. A fee whose text says "giá trị demo" is a demo
    value and is printed as such.

Extensions (S15, S14)
    Some specialised laws let the competent body take longer in stated cases (chứng thực: up to 2 more
    working days for many pages or copies, with an appointment slip; 2.001023: +2 or +5 working days).
    Each is a catalogue ``extensions`` entry ``{"id", "label", "add": {"value", "unit"}}`` or, where the
    law sets a different total, ``{"id", "label", "limit": {"value", "unit"}}``; the operator applies one
    at intake with the reason, and the receipt prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.calendar import TimeUnit, WorkingCalendar
from app.domain.errors import DomainError, Problem
from app.domain.text import fold

__all__ = [
    "Extension",
    "FeeResult",
    "apply_extension",
    "compute_fee",
    "is_demo_fee",
    "parse_extensions",
    "time_for_channel",
    "vnd",
]


def vnd(amount: int) -> str:
    """12345 → "12.345" (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".")


def time_for_channel(
    time_value: int, time_unit: str, by_channel: Mapping[str, Any] | None, channel: str
) -> tuple[int, str]:
    """The limit that applies to a dossier filed through ``channel``."""
    entry = (by_channel or {}).get(channel)
    if not entry:
        return time_value, time_unit
    return int(entry["value"]), str(entry["unit"])


# --- fees ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeResult:
    amount_vnd: int
    #: How the amount was found, in Vietnamese, for the receipt ("" for a plain flat fee).
    basis: str


def is_demo_fee(fee_text: str) -> bool:
    return "gia tri demo" in fold(fee_text)


def _count_problem(field_name: str, vi: str, en: str) -> DomainError:
    return DomainError(Problem(f"fee.{field_name}", vi, en, field_name))


def compute_fee(
    fee_vnd: int,
    rule: Mapping[str, Any] | None,
    *,
    pages: int = 0,
    copies: int = 0,
    exemption: str = "",
    demo: bool = False,
) -> FeeResult:
    """The amount due and its basis. A per-page rule needs the number of pages (of the original) and of
    copies; refused with a readable reason when they are missing."""
    demo_note = " (giá trị demo)" if demo else ""
    if exemption.strip():
        return FeeResult(0, f"Miễn phí, lệ phí: {exemption.strip()}")
    if not rule:
        return FeeResult(fee_vnd, f"{vnd(fee_vnd)} đồng{demo_note}" if demo and fee_vnd else "")
    if rule.get("per") != "page":
        raise DomainError(
            Problem(
                "fee.rule", f"Quy tắc tính phí không hỗ trợ: {rule!r}.", f"Unsupported fee rule: {rule!r}."
            )
        )
    if pages < 1:
        raise _count_problem(
            "pages",
            "Thủ tục này tính phí theo trang: hãy nhập số trang của bản chính.",
            "This procedure's fee is per page: enter the number of pages of the original.",
        )
    if copies < 1:
        raise _count_problem(
            "copies",
            "Thủ tục này tính phí theo bản: hãy nhập số bản cần chứng thực.",
            "This procedure's fee is per copy: enter the number of copies.",
        )
    tiers: list[tuple[int, int]] = sorted((int(a), int(b)) for a, b in rule["tiers"])
    per_copy = 0
    parts: list[str] = []
    for i, (first, rate) in enumerate(tiers):
        last = tiers[i + 1][0] - 1 if i + 1 < len(tiers) else pages
        n = max(0, min(pages, last) - first + 1)
        if n:
            per_copy += n * rate
            parts.append(f"{n} trang × {vnd(rate)}")
    cap_raw = rule.get("cap_per_copy")
    cap = int(cap_raw) if cap_raw is not None else None
    capped = cap is not None and per_copy > cap
    if cap is not None and capped:
        per_copy = cap
    total = per_copy * copies
    basis = f"{pages} trang, {copies} bản: ({' + '.join(parts)})"
    if capped:
        basis += f", tối đa {vnd(cap or 0)}"
    basis += f" × {copies} bản = {vnd(total)} đồng{demo_note}"
    return FeeResult(total, basis)


# --- extensions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extension:
    id: str
    label: str
    #: "add": the amount is added to the due date; "limit": it replaces the procedure's limit.
    mode: str
    value: int
    unit: str


def parse_extensions(raw: Sequence[Mapping[str, Any]] | None) -> tuple[Extension, ...]:
    out = []
    for e in raw or ():
        mode = "add" if "add" in e else "limit"
        spec = e[mode]
        out.append(Extension(str(e["id"]), str(e["label"]), mode, int(spec["value"]), str(spec["unit"])))
    return tuple(out)


def find_extension(extensions: Sequence[Extension], ext_id: str, procedure_code: str) -> Extension:
    for e in extensions:
        if e.id == ext_id:
            return e
    known = ", ".join(e.id for e in extensions) or "không có / none"
    raise DomainError(
        Problem(
            "extension.unknown",
            f"Thủ tục {procedure_code} không có trường hợp gia hạn «{ext_id}» (có: {known}).",
            f"Procedure {procedure_code} has no extension {ext_id!r} (known: {known}).",
            "extension",
        )
    )


def apply_extension(
    calendar: WorkingCalendar, received_at: datetime, due: datetime, ext: Extension
) -> datetime:
    """The due date with the extension: ``add`` counts from the ordinary due date; ``limit`` recomputes
    from the receipt with the law's own limit (never earlier than the ordinary due date)."""
    if ext.mode == "add":
        if TimeUnit(ext.unit) is TimeUnit.CALENDAR_DAYS:
            return calendar.due_at(due, ext.value, TimeUnit.CALENDAR_DAYS)
        hours = ext.value * calendar.hours.hours_per_day if ext.unit == "working_days" else ext.value
        return calendar.add_working_hours(due, hours)
    return max(due, calendar.due_at(received_at, ext.value, ext.unit))
