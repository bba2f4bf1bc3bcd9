"""This desk's configuration as the use cases need it: home centre, workstation, calendar, address index.

Read inside the caller's transaction; the expensive pieces (calendar, address index) are cached per
process and rebuilt when their source rows change.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import time
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.domain.address import AddressIndex, NewUnit, OldUnit, Province
from app.domain.calendar import DayOverride, WorkingCalendar, WorkingHours
from app.domain.errors import DomainError, Problem
from app.domain.rules import Extension, is_demo_fee, parse_extensions, time_for_channel
from app.domain.text import fold
from app.models import AdminUnit, Centre, HolidayOverride, Procedure, UnitSuccession, Workstation
from app.models.db import Store
from app.models.reference_version import current_token
from app.services.gcpause import paused_gc
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
    """This desk's home centre and local workstation (cached per reference version)."""
    return reference(session).desk(session)


def read_desk(store: Store) -> Desk:
    """:func:`load_desk` in a read session of its own, for a caller that holds only the store."""
    with store.read() as s:
        return load_desk(s)


def home_centre(session: Session) -> Centre:
    """This desk's home centre (refused with :data:`NO_CENTRE` when none is configured)."""
    centre = session.scalar(select(Centre).where(Centre.is_home.is_(True)))
    if centre is None:
        raise DomainError(NO_CENTRE)
    return centre


def _read_desk(session: Session) -> Desk:
    centre = home_centre(session)
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


def _parse_hours(text: str) -> tuple[time, time]:
    start, end = text.split("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def load_calendar(session: Session) -> WorkingCalendar:
    """The working-time calendar of the home centre with the holiday override table (cached per
    reference version)."""
    return reference(session).calendar(session)


def _read_calendar(session: Session) -> WorkingCalendar:
    centre = session.scalar(select(Centre).where(Centre.is_home.is_(True)))
    overrides = [
        DayOverride(day=o.day, kind=o.kind, note=o.note, notice=o.notice)
        for o in session.scalars(select(HolidayOverride).order_by(HolidayOverride.day))
    ]
    if centre is None:
        return WorkingCalendar(overrides=overrides)
    sessions = (_parse_hours(centre.morning_hours), _parse_hours(centre.afternoon_hours))
    return WorkingCalendar(overrides=overrides, hours=WorkingHours(sessions=sessions))


_address: dict[str, AddressIndex] = {}


def address_index(session: Session) -> AddressIndex:
    """The index that maps (old or new) addresses to current communes, built once per reference version."""
    return reference(session).address_index(session)


def _read_address_index(session: Session) -> AddressIndex:
    """Built once per version of the unit tables (their digest), which changes far less often than the
    reference token (an enrolment, a catalogue update): the build takes a while."""
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


# --- reference data cached per version token --------------------------------------------------------------


@dataclass(frozen=True)
class PaperInfo:
    name: str
    form: str
    count: int


@dataclass(frozen=True)
class ProcedureInfo:
    """An active catalogue procedure as the use cases need it (read once per reference version)."""

    id: int
    code: str
    name: str
    field: str
    level: str
    competent_agency: str
    cross_boundary: bool
    time_value: int
    time_unit: str
    fee_vnd: int
    papers: tuple[PaperInfo, ...]
    time_by_channel: dict[str, Any] = dc_field(default_factory=dict)
    fee_rule: dict[str, Any] | None = None
    extensions: tuple[Extension, ...] = ()
    fee_demo: bool = False

    def time_for(self, channel: str) -> tuple[int, str]:
        """The limit for a dossier filed through ``channel`` (in person, online, by post)."""
        return time_for_channel(self.time_value, self.time_unit, self.time_by_channel, channel)


@dataclass(frozen=True)
class CommuneInfo:
    code: str
    name: str
    province_code: str


@dataclass(frozen=True)
class AgencyInfo:
    agency_eid: str
    name: str


class Reference:
    """What the use cases derive from reference data, valid for one version token of the store.

    Everything is read lazily, on first use, inside some transaction that saw the same token, so it is
    exactly what a fresh read would give. Misses (an unknown code) are remembered too: adding the row
    renews the token.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self._desk: Desk | DomainError | None = None
        self._calendar: WorkingCalendar | None = None
        self._address: AddressIndex | None = None
        self._procedures: dict[str, ProcedureInfo | None] = {}
        self._communes: dict[str, CommuneInfo | None] = {}
        self._centre_eids: dict[str, str | None] = {}
        self._agencies: dict[tuple[str, str], AgencyInfo | None] = {}
        #: Routing decisions (app.services.dossiers.decide_route) by what they were decided from.
        self.routes: dict[tuple[Any, ...], Any] = {}

    def desk(self, session: Session) -> Desk:
        if self._desk is None:
            try:
                self._desk = _read_desk(session)
            except DomainError as exc:
                self._desk = exc
        if isinstance(self._desk, DomainError):
            raise DomainError(list(self._desk.problems))
        return self._desk

    def calendar(self, session: Session) -> WorkingCalendar:
        if self._calendar is None:
            self._calendar = _read_calendar(session)
        return self._calendar

    def address_index(self, session: Session) -> AddressIndex:
        if self._address is None:
            self._address = _read_address_index(session)
        return self._address

    def procedure(self, session: Session, code: str) -> ProcedureInfo | None:
        """The active procedure with this catalogue code."""
        if code not in self._procedures:
            _bound(self._procedures)
            p = session.scalar(select(Procedure).where(Procedure.code == code, Procedure.active.is_(True)))
            self._procedures[code] = (
                None
                if p is None
                else ProcedureInfo(
                    id=p.id,
                    code=p.code,
                    name=p.name,
                    field=p.field,
                    level=p.level,
                    competent_agency=p.competent_agency,
                    cross_boundary=p.cross_boundary,
                    time_value=p.time_value,
                    time_unit=p.time_unit,
                    fee_vnd=p.fee_vnd,
                    papers=tuple(PaperInfo(x.name, x.form, x.count) for x in p.papers),
                    time_by_channel=dict(p.time_by_channel or {}),
                    fee_rule=p.fee_rule,
                    extensions=parse_extensions(p.extensions),
                    fee_demo=is_demo_fee(p.fee_text),
                )
            )
        return self._procedures[code]

    def commune(self, session: Session, code: str) -> CommuneInfo | None:
        """A current commune-level unit (:func:`current_commune`)."""
        if code not in self._communes:
            _bound(self._communes)
            unit = current_commune(session, code)
            self._communes[code] = (
                None if unit is None else CommuneInfo(unit.code, unit.name, unit.province_code)
            )
        return self._communes[code]

    def commune_centre_eid(self, session: Session, unit_code: str) -> str | None:
        """The e-ID of a unit's current commune centre, if the store knows it (:func:`commune_centre`)."""
        if unit_code not in self._centre_eids:
            _bound(self._centre_eids)
            centre = commune_centre(session, unit_code)
            self._centre_eids[unit_code] = None if centre is None else centre.agency_eid
        return self._centre_eids[unit_code]

    def provincial_agency(self, session: Session, province_code: str, name: str) -> AgencyInfo | None:
        """The provincial agency (a centre of kind ``provincial_agency``) whose name starts with ``name``
        (diacritics and case ignored)."""
        key = (province_code, fold(name))
        if key not in self._agencies:
            _bound(self._agencies)
            found: AgencyInfo | None = None
            for eid, agency_name in session.execute(
                select(Centre.agency_eid, Centre.name).where(
                    Centre.kind == "provincial_agency", Centre.province_code == province_code
                )
            ):
                if fold(agency_name).startswith(key[1]):
                    found = AgencyInfo(eid, agency_name)
                    break
            self._agencies[key] = found
        return self._agencies[key]


def current_commune(session: Session, code: str) -> AdminUnit | None:
    """The current (not dissolved) commune-level unit with this code."""
    return session.scalar(
        select(AdminUnit).where(
            AdminUnit.code == code, AdminUnit.level == "commune", AdminUnit.valid_to.is_(None)
        )
    )


def commune_centre(session: Session, unit_code: str) -> Centre | None:
    """The current receiving centre of a commune-level unit."""
    return session.scalar(
        select(Centre).where(
            Centre.unit_code == unit_code, Centre.kind == "commune_centre", Centre.valid_to.is_(None)
        )
    )


def _bound(memo: dict[Any, Any], limit: int = 2000) -> None:
    """Keep a memo of looked-up codes small whatever is typed (unknown codes are remembered too)."""
    if len(memo) >= limit:
        memo.clear()


_references: dict[str, Reference] = {}


def cached_reference(conn: Connection) -> Reference | None:
    """The reference data cached for the version ``conn``'s transaction sees, if any is (a direct write
    transaction: app.models.db.Store.write_direct)."""
    return _references.get(current_token(conn))


def warm_up(store: Store) -> None:
    """Build what the first intake reads (the address index, the working calendar) ahead of it, with
    Python's cyclic collector paused, then move the objects built to the collector's permanent generation:
    the index is some 100,000 long-lived objects, which a full collection would otherwise rescan each time
    (about 30 ms with the GIL held: a GUI stall when the first intake of the day built the index in the
    worker lane, ``bench/bench_gui.py --digitise``)."""
    with paused_gc(), store.read() as s:
        ref = reference(s)
        ref.calendar(s)
        ref.address_index(s)
    gc.freeze()


def reference(session: Session) -> Reference:
    """The cached reference data for the version this transaction sees (one indexed read)."""
    session.flush()  # reference rows changed earlier in this transaction renew the token only once flushed
    token = current_token(session.connection())
    ref = _references.get(token)
    if ref is None:
        ref = Reference(token)
        with _lock:
            if len(_references) >= 8:  # tokens of other stores (tests, tools) or of superseded versions
                _references.pop(next(iter(_references)))
            _references[token] = ref
    return ref
