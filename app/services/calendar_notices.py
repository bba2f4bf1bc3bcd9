"""The public-sector calendar notices on this desk: the bundled seed, what is loaded, and the warnings.

The seed (``resources/calendar/public-sector-notices.json``) is loaded into ``holiday_overrides`` at
start-up when it changed (a digest in ``settings``), as rows of source ``seed``; rows pulled from the
provincial server (source ``server``) are never touched by the seed and win over it. See
:mod:`app.domain.notices` for the model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.notices import CalendarNotice, group_by_notice, missing_next_year, notice_years, parse_notices
from app.models import HolidayOverride
from app.models.db import Store
from app.paths import resources_dir
from app.services.reference import get_setting, set_setting

_DIGEST_KEY = "reference.calendar_digest"


def seed_path() -> Path:
    return resources_dir() / "calendar" / "public-sector-notices.json"


def seed_notices(path: Path | None = None) -> tuple[CalendarNotice, ...]:
    """The notices of the bundled seed file (checked)."""
    return parse_notices(json.loads((path or seed_path()).read_text(encoding="utf-8")))


def ensure_calendar_seed(session: Session, path: Path | None = None) -> bool:
    """Load the seed notices into the day table if the file changed. Returns True if it wrote."""
    path = path or seed_path()
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if get_setting(session, _DIGEST_KEY) == digest:
        return False
    notices = parse_notices(json.loads(raw.decode("utf-8")))
    rows = {o.day: o for o in session.scalars(select(HolidayOverride))}
    wanted: dict[date, tuple[str, str, str, date | None]] = {}
    for n in notices:
        for d in n.days:
            wanted[d.day] = (d.kind.value, d.note, n.number, n.notice_date)
    for day, row in rows.items():
        if row.source == "seed" and day not in wanted:
            session.delete(row)
    for day, (kind, note, number, notice_date) in wanted.items():
        found = rows.get(day)
        if found is not None and found.source != "seed":
            continue  # the provincial server's row wins
        row = found or HolidayOverride(day=day, source="seed")
        if found is None:
            session.add(row)
        if (row.kind, row.note, row.notice, row.notice_date) != (kind, note, number, notice_date):
            row.kind, row.note, row.notice, row.notice_date = kind, note, number, notice_date
    set_setting(session, _DIGEST_KEY, digest)
    return True


@dataclass(frozen=True)
class LoadedCalendar:
    """What the desk's calendar holds: its notices, the years they cover, and the warning to give."""

    notices: tuple[CalendarNotice, ...]
    years: frozenset[int]
    #: Next year, when it is 1 November or later and next year's notices are not loaded.
    missing_year: int | None
    #: Where each notice's rows came from ("seed" / "server" / both).
    sources: dict[str, str]


def loaded_calendar(store: Store, today: date | None = None, year: int | None = None) -> LoadedCalendar:
    """The notices loaded on this desk (of ``year`` only if given)."""
    today = today or date.today()
    with store.read() as s:
        rows = s.scalars(select(HolidayOverride).order_by(HolidayOverride.day)).all()
        data = [(r.day, r.kind, r.note, r.notice, r.notice_date) for r in rows]
        sources: dict[str, set[str]] = {}
        for r in rows:
            sources.setdefault(r.notice, set()).add(r.source)
    notices = group_by_notice(data)
    years = notice_years(notices)
    if year is not None:
        notices = tuple(n for n in notices if year in n.years)
    return LoadedCalendar(
        notices, years, missing_next_year(years, today), {k: "+".join(sorted(v)) for k, v in sources.items()}
    )
