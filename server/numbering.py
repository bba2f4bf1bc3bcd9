"""Number leases (``app.domain.codes.LeaseBook``) persisted per agency and day.

The high-water mark of an (agency, day) is one row of ``number_counters``. A lease reads it under a row
lock (``SELECT … FOR UPDATE`` on PostgreSQL, after an ``INSERT … ON CONFLICT DO NOTHING`` that makes
sure the row exists; SQLite's single writer serialises the same steps), grants with ``LeaseBook`` and
writes the new mark in the same transaction, so two leases never overlap and never enter the
workstations' fallback regions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.contract import MAX_LEASE_SIZE, LeaseInfo
from app.domain.calendar import VIETNAM_TZ
from app.domain.codes import DEFAULT_PLAN, LeaseBook
from app.domain.errors import DomainError, Problem
from server.db import Database
from server.devices import DeviceContext
from server.errors import ApiError, scope_forbidden
from server.models import NumberCounter, NumberLease

#: Leases are granted for the days from yesterday (a desk near midnight) to this many days ahead.
MAX_DAYS_AHEAD = 60


def local_today(now_utc: datetime) -> date:
    """The day in Vietnam at ``now_utc`` (naive UTC): the day of a dossier code is a local day."""
    return now_utc.replace(tzinfo=UTC).astimezone(VIETNAM_TZ).date()


def lease(
    db: Database, ctx: DeviceContext, agency_eid: str, day: date, size: int, now: datetime
) -> LeaseInfo:
    if agency_eid != ctx.centre_eid:
        raise ApiError(
            403,
            scope_forbidden(f"dải số của cơ quan {agency_eid}", f"the numbers of agency {agency_eid}"),
        )
    today = local_today(now)
    if not today - timedelta(days=1) <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
        raise ApiError(
            422,
            Problem(
                "lease.day",
                f"Chỉ cấp dải số cho các ngày từ hôm qua đến {MAX_DAYS_AHEAD} ngày tới "
                f"(đã yêu cầu ngày {day:%d/%m/%Y}): kiểm tra lại ngày giờ của máy trạm.",
                f"Numbers are leased only for days from yesterday to {MAX_DAYS_AHEAD} days ahead "
                f"(asked for {day:%d/%m/%Y}): check the workstation's date.",
                "day",
            ),
        )
    with db.write() as s:
        values = {"agency_eid": agency_eid, "day": day, "high_water": 0}
        stmt = (pg_insert if db.is_postgres else sqlite_insert)(NumberCounter).values(values)
        s.execute(stmt.on_conflict_do_nothing(index_elements=["agency_eid", "day"]))
        counter = s.scalar(
            select(NumberCounter)
            .where(NumberCounter.agency_eid == agency_eid, NumberCounter.day == day)
            .with_for_update()
        )
        assert counter is not None
        book = LeaseBook(
            DEFAULT_PLAN, high_water={(agency_eid, day): counter.high_water}, max_lease=MAX_LEASE_SIZE
        )
        try:
            granted = book.grant(agency_eid, day, size)
        except DomainError as err:
            raise ApiError(409, err.problems[0]) from None
        counter.high_water = book.high_water(agency_eid, day)
        s.add(
            NumberLease(
                device_id=ctx.device_id,
                agency_eid=agency_eid,
                day=day,
                first_number=granted.first,
                last_number=granted.last,
                granted_at=now,
            )
        )
    return LeaseInfo(agency_eid=granted.agency_eid, day=granted.day, first=granted.first, last=granted.last)
