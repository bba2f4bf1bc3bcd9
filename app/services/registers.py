"""The registers printed from the window (Mẫu 07 logbook, the hand-over list of a former unit, the public
catalogue): what the dialog offers to choose, and each register's PDF from the services the command line
uses (:mod:`app.services.printing`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.domain.errors import DomainError, Problem
from app.domain.status import Action
from app.models import Centre, DossierEvent
from app.models.db import Store
from app.services import printing

#: The longest period one logbook is printed for (a year and a day, so a whole year with its edges).
MAX_LOGBOOK_DAYS = 367


@dataclass(frozen=True)
class FormerUnit:
    unit_code: str
    name: str


def handover_units(store: Store) -> list[FormerUnit]:
    """The former units whose unfinished dossiers were handed to a successor (a hand-over list exists)."""
    with store.read() as s:
        eids = {
            e.get("from_agency_eid")
            for e in s.scalars(
                select(DossierEvent.payload).where(DossierEvent.action == Action.TRANSFER.value)
            )
            if isinstance(e, dict)
        }
        if not eids:
            return []
        centres = s.scalars(
            select(Centre).where(Centre.agency_eid.in_([x for x in eids if isinstance(x, str)]))
        ).all()
        seen: dict[str, FormerUnit] = {}
        for c in centres:
            if c.unit_code and c.unit_code not in seen:
                seen[c.unit_code] = FormerUnit(c.unit_code, c.name)
        return sorted(seen.values(), key=lambda u: u.unit_code)


def register_pdf(
    store: Store,
    register: str,
    *,
    first: date | None = None,
    last: date | None = None,
    unit: str = "",
) -> bytes:
    """One register as PDF: ``logbook`` (``first``..``last``), ``handover`` (former ``unit``) or
    ``catalogue``. Bad input raises :class:`DomainError` naming the field."""
    if register == "logbook":
        if first is None or last is None or last < first:
            raise DomainError(
                Problem(
                    "registers.period",
                    "Ngày cuối kỳ phải từ ngày đầu kỳ trở đi.",
                    "The period's last day must not be before its first day.",
                    "period",
                )
            )
        if (last - first).days >= MAX_LOGBOOK_DAYS:
            raise DomainError(
                Problem(
                    "registers.period_long",
                    f"Mỗi lần in sổ tối đa {MAX_LOGBOOK_DAYS} ngày; hãy in từng năm.",
                    f"A logbook is printed for at most {MAX_LOGBOOK_DAYS} days; print it year by year.",
                    "period",
                )
            )
        return printing.logbook(store, first, last)
    if register == "handover":
        if not unit.strip():
            raise DomainError(
                Problem(
                    "registers.unit",
                    "Hãy chọn đơn vị cũ đã bàn giao hồ sơ.",
                    "Choose the former unit whose dossiers were handed over.",
                    "unit",
                )
            )
        return printing.handover(store, unit.strip())
    if register == "catalogue":
        return printing.catalogue(store)
    raise DomainError(
        Problem("registers.kind", f"Không có sổ «{register}».", f"No register {register!r}.", None)
    )
