"""This desk's configuration as the use cases need it: home centre, workstation, calendar, address index.

Read inside the caller's transaction; the expensive pieces (calendar, address index) are cached per
process and rebuilt when their source rows change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.address import AddressIndex, NewUnit, OldUnit, Province
from app.domain.calendar import DayOverride, WorkingCalendar, WorkingHours
from app.domain.errors import DomainError, Problem
from app.models import AdminUnit, Centre, HolidayOverride, UnitSuccession, Workstation
from app.services.reference import get_setting

NO_CENTRE = Problem(
    "desk.no_centre",
    "Máy trạm chưa được cấu hình trung tâm tiếp nhận. Hãy chạy với --demo hoặc đăng ký máy trạm với máy chủ.",
    "This workstation has no receiving centre configured. Run with --demo or enrol it with the server.",
)


@dataclass(frozen=True)
class Desk:
    centre_id: int
    agency_eid: str
    centre_name: str
    parent_name: str
    unit_code: str | None
    province_code: str
    place_name: str
    workstation_id: int | None
    workstation_name: str
    slot: int


def load_desk(session: Session) -> Desk:
    centre = session.scalar(select(Centre).where(Centre.is_home.is_(True)))
    if centre is None:
        raise DomainError(NO_CENTRE)
    ws = session.scalar(select(Workstation).where(Workstation.is_local.is_(True)))
    return Desk(
        centre_id=centre.id,
        agency_eid=centre.agency_eid,
        centre_name=centre.name,
        parent_name=centre.parent_name,
        unit_code=centre.unit_code,
        province_code=centre.province_code,
        place_name=centre.place_name,
        workstation_id=ws.id if ws else None,
        workstation_name=ws.name if ws else "",
        slot=ws.slot if ws else 0,
    )


_lock = threading.Lock()
_calendars: dict[tuple[object, ...], WorkingCalendar] = {}


def _parse_hours(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def load_calendar(session: Session, centre_id: int | None = None) -> WorkingCalendar:
    """The working-time calendar of the home (or given) centre with the holiday override table."""
    centre = (
        session.get(Centre, centre_id)
        if centre_id is not None
        else session.scalar(select(Centre).where(Centre.is_home.is_(True)))
    )
    sessions = (
        (_parse_hours(centre.morning_hours), _parse_hours(centre.afternoon_hours))
        if centre is not None
        else None
    )
    overrides = tuple(
        (o.day, o.kind, o.note)
        for o in session.scalars(select(HolidayOverride).order_by(HolidayOverride.day))
    )
    key = (sessions, overrides)
    with _lock:
        cal = _calendars.get(key)
        if cal is None:
            hours = WorkingHours(sessions=sessions) if sessions else WorkingHours()
            cal = WorkingCalendar(
                overrides=[DayOverride(day=d, kind=k, note=n) for d, k, n in overrides], hours=hours
            )
            if len(_calendars) > 16:
                _calendars.clear()
            _calendars[key] = cal
    return cal


_address: dict[str, AddressIndex] = {}


def address_index(session: Session) -> AddressIndex:
    """The index that maps (old or new) addresses to current communes, built once per reference version."""
    with session.no_autoflush:  # a read of reference data: nothing pending matters to it
        digest = str(get_setting(session, "reference.units_digest", ""))
    with _lock:
        index = _address.get(digest)
        if index is not None:
            return index
    current = session.execute(
        select(
            AdminUnit.code, AdminUnit.name, AdminUnit.kind, AdminUnit.province_code, AdminUnit.level
        ).where(AdminUnit.valid_to.is_(None))
    ).all()
    provinces = [Province(code=c, name=n) for c, n, _k, _p, level in current if level == "province"]
    new_units = [
        NewUnit(code=c, name=n, kind=k, province_code=p)
        for c, n, k, p, level in current
        if level == "commune"
    ]
    old = AdminUnit.__table__.alias("old")
    new = AdminUnit.__table__.alias("new")
    rows = session.execute(
        select(
            old.c.code,
            old.c.name,
            old.c.district_code,
            old.c.district_name,
            old.c.province_code,
            old.c.province_name,
            new.c.code,
            UnitSuccession.note,
        )
        .join(UnitSuccession, UnitSuccession.old_unit_id == old.c.id)
        .join(new, new.c.id == UnitSuccession.new_unit_id)
        .where(old.c.level == "commune")
    ).all()
    olds = [
        OldUnit(
            old_code=r[0],
            old_name=r[1],
            old_district_code=r[2] or "",
            old_district_name=r[3] or "",
            old_province_code=r[4],
            old_province_name=r[5],
            new_code=r[6],
            note=r[7],
        )
        for r in rows
    ]
    index = AddressIndex.build(new_units, olds, provinces)
    with _lock:
        _address.clear()
        _address[digest] = index
    return index
