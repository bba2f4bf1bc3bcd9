"""Number leases (``app.domain.codes.LeaseBook``) persisted per agency and day.

The high-water mark of an (agency, day) is one row of ``number_counters``. A lease reads it under a row
lock (``SELECT … FOR UPDATE`` on PostgreSQL, after an ``INSERT … ON CONFLICT DO NOTHING`` that makes
sure the row exists; SQLite's single writer serialises the same steps), grants with ``LeaseBook`` and
writes the new mark in the same transaction, so two leases never overlap and never enter the
workstations' fallback regions.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

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

#: The numbers one device may be leased for one agency and day (D14: without a cap one device took all
#: 88,989 leasable numbers of a day in 0.7 s and a second desk got none). A counter receives a few hundred
#: dossiers on its busiest day; the cap is far above that and far below a day's numbers. Raised with
#: ``$MOTCUA_LEASE_PER_DEVICE_DAY``. A request beyond it gets what is left under the cap, then 409
#: ``lease.device_cap``; the desk keeps its slot's fallback block either way.
LEASE_PER_DEVICE_DAY_ENV = "MOTCUA_LEASE_PER_DEVICE_DAY"
LEASE_PER_DEVICE_DAY = int(os.environ.get(LEASE_PER_DEVICE_DAY_ENV) or 2_000)


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
        size = min(size, _left_under_cap(s, ctx, agency_eid, day))
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


def _left_under_cap(s: Session, ctx: DeviceContext, agency_eid: str, day: date) -> int:
    """How many more numbers of (agency, day) the device may be leased; 409 when none."""
    taken = s.scalar(
        select(func.coalesce(func.sum(NumberLease.last_number - NumberLease.first_number + 1), 0)).where(
            NumberLease.device_id == ctx.device_id,
            NumberLease.agency_eid == agency_eid,
            NumberLease.day == day,
        )
    )
    left = LEASE_PER_DEVICE_DAY - int(taken or 0)
    if left <= 0:
        raise ApiError(
            409,
            Problem(
                "lease.device_cap",
                f"Máy trạm này đã nhận đủ {LEASE_PER_DEVICE_DAY} số hồ sơ cho ngày {day:%d/%m/%Y}, là mức "
                "tối đa của một máy trong một ngày: máy tiếp tục dùng dải số dự phòng của mình; nếu thật sự "
                f"cần thêm, quản trị viên nâng mức bằng biến môi trường {LEASE_PER_DEVICE_DAY_ENV} "
                "của máy chủ.",
                f"This workstation has been leased {LEASE_PER_DEVICE_DAY} numbers for {day:%d/%m/%Y}, the "
                "most one workstation gets for one day: it goes on with its fallback block; if more are "
                "really needed, the administrator raises the cap with the server's "
                f"{LEASE_PER_DEVICE_DAY_ENV}.",
                "size",
            ),
        )
    return left
