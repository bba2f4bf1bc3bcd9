"""What the server believes of a pushed event: its dossier number and its times (docs/design.md, Numbering;
README, Security).

Numbers (D2). The server is the authority on dossier numbers. A ``dossier.received`` code
``<e-ID>-<yyMMdd>-<N>`` pushed by a device is accepted only when

- ``N`` is in the lease region and inside a lease granted **to that device** for that agency and day
  (``number_leases``), or ``N`` is in the fallback region and inside **that device's slot's** block
  (``NumberingPlan.fallback_ranges(slot)``): one desk can no longer spend, or collide with, another desk's
  numbers;
- the code's day is plausible: not before the local day the device was enrolled (it held no numbers
  before) and not after today in Vietnam (with the clock allowance ``MAX_CLOCK_SKEW``).

Times (D8). Dossier times are the centre's wall-clock times (naive, Asia/Ho_Chi_Minh; an aware value is
converted). An event's ``occurred_at``, and a received dossier's ``received_at``, must lie between the
device's enrolment less :data:`ENROLMENT_GRACE` and the server's now plus ``MAX_CLOCK_SKEW``. The event
is **refused**
(not accepted and flagged): a device cannot have acted before it existed for the server, nor in the
future, so such a time is either a wrong clock that the operator must fix (the desk keeps the event parked
with this reason, and it can be sent again once corrected) or a forgery; accepting it would put a false
time into the statutory record (receipt time, due dates, overdue statistics) for every centre that pulls
it. A consequence: a workstation must be enrolled before it receives dossiers that are to reach the
server; work done before the enrolment is refused with this reason.

Every refusal is a :class:`Problem` in Vietnamese and English; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.contract import MAX_CLOCK_SKEW
from app.domain.calendar import VIETNAM_TZ
from app.domain.codes import DEFAULT_PLAN, NumberingPlan, ParsedCode
from app.domain.errors import Problem
from server.devices import DeviceContext
from server.models import NumberLease

#: How long before its enrolment a device's times (and code days) are still believed. A workstation whose
#: time zone is not Vietnam's (a PC left on UTC, as CI machines are) stamps wall-clock times up to 14 hours
#: off while its clock itself is right; a day covers that, and still refuses the dates D8 found (1970, a
#: year before the device existed).
ENROLMENT_GRACE = timedelta(days=1)

#: Lease ranges of one device: (agency e-ID, day) → [(first, last), …].
Leases = dict[tuple[str, date], list[tuple[int, int]]]


def device_leases(s: Session, device_id: str, keys: Iterable[tuple[str, date]]) -> Leases:
    """The leases granted to ``device_id`` for the given (agency, day) pairs."""
    wanted = list(set(keys))
    out: Leases = {k: [] for k in wanted}
    for start in range(0, len(wanted), 200):
        chunk = wanted[start : start + 200]
        rows = s.execute(
            select(NumberLease.agency_eid, NumberLease.day, NumberLease.first_number, NumberLease.last_number)
            .where(NumberLease.device_id == device_id)
            .where(tuple_(NumberLease.agency_eid, NumberLease.day).in_(chunk))
        ).tuples()
        for eid, day, first, last in rows:
            out.setdefault((eid, day), []).append((first, last))
    return out


def as_utc_naive(moment: datetime) -> datetime | None:
    """A dossier time (naive: Vietnam wall clock; aware: converted) as naive UTC; None if out of range."""
    try:
        aware = moment.replace(tzinfo=VIETNAM_TZ) if moment.tzinfo is None else moment
        return aware.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


def local_day(now_utc: datetime) -> date:
    return now_utc.replace(tzinfo=UTC).astimezone(VIETNAM_TZ).date()


def code_problem(
    ctx: DeviceContext,
    code: str,
    parsed: ParsedCode,
    leases: Leases,
    now: datetime,
    plan: NumberingPlan = DEFAULT_PLAN,
) -> Problem | None:
    """Why the device may not use ``code`` (None: it may). ``now`` is naive UTC."""
    today = local_day(now + MAX_CLOCK_SKEW)
    first_day = local_day(ctx.enrolled_at - ENROLMENT_GRACE) if ctx.enrolled_at is not None else None
    if parsed.day > today or (first_day is not None and parsed.day < first_day):
        since_vi = since_en = ""
        if first_day is not None:
            since_vi = f" và không trước ngày {first_day:%d/%m/%Y} (máy trạm được đăng ký từ hôm sau)"
            since_en = f" and not before {first_day:%d/%m/%Y} (the day before the workstation was enrolled)"
        return Problem(
            "code.day",
            f"Mã hồ sơ {code} mang ngày {parsed.day:%d/%m/%Y}: ngày trong mã phải không sau hôm nay"
            f"{since_vi}. Kiểm tra ngày giờ của máy trạm rồi báo bộ phận kỹ thuật.",
            f"Dossier code {code} carries the day {parsed.day:%d/%m/%Y}: a code's day must not be after "
            f"today{since_en}. Check the workstation's date, then tell IT support.",
            "code",
        )
    n = parsed.number
    if plan.lease_region_of(n) is not None:
        ranges = leases.get((parsed.agency_eid, parsed.day), [])
        if not any(first <= n <= last for first, last in ranges):
            return Problem(
                "code.not_leased",
                f"Số {n} của mã hồ sơ {code} không nằm trong dải số máy chủ đã cấp cho máy trạm này "
                f"({ctx.device_name}) ngày {parsed.day:%d/%m/%Y}: máy trạm chỉ được dùng số được cấp cho "
                "chính nó. Báo bộ phận kỹ thuật.",
                f"Number {n} of dossier code {code} is not in a block the server leased to this workstation "
                f"({ctx.device_name}) for {parsed.day:%d/%m/%Y}: a workstation may use only numbers leased "
                "to itself. Tell IT support.",
                "code",
            )
        return None
    ranges_own = plan.fallback_ranges(ctx.slot) if 0 <= ctx.slot < plan.slots else ()
    if not any(first <= n <= last for first, last in ranges_own):
        own = ", ".join(f"{a}–{b}" for a, b in ranges_own) or "—"
        return Problem(
            "code.not_slot",
            f"Số {n} của mã hồ sơ {code} nằm trong dải số dự phòng của máy trạm khác: máy trạm này "
            f"(số hiệu {ctx.slot}) chỉ được dùng số dự phòng {own}. Báo bộ phận kỹ thuật.",
            f"Number {n} of dossier code {code} is in another workstation's fallback block: this "
            f"workstation (slot {ctx.slot}) may use only the fallback numbers {own}. Tell IT support.",
            "code",
        )
    return None


def time_problem(ctx: DeviceContext, what: str, moment: datetime, now: datetime) -> Problem | None:
    """Why ``moment`` (the event's ``what``: ``occurred_at`` or ``payload.received_at``) is not believable
    for this device at ``now`` (naive UTC); None if it is."""
    labels = {
        "occurred_at": ("thời điểm thực hiện", "the time of the event"),
        "payload.received_at": ("thời điểm tiếp nhận", "the receipt time"),
    }
    utc = as_utc_naive(moment)
    latest = now + MAX_CLOCK_SKEW
    earliest = ctx.enrolled_at - ENROLMENT_GRACE if ctx.enrolled_at is not None else None
    if utc is not None and earliest is not None and earliest <= utc <= latest:
        return None  # the common case, decided before any text is made
    vi, en = labels.get(what, (what, what))
    shown = f"{moment:%H:%M %d/%m/%Y}"
    if utc is not None and utc > latest:
        return Problem(
            "time.future",
            f"Sự kiện ghi {vi} là {shown}, sau giờ hiện tại của máy chủ: máy chủ không nhận thời điểm trong "
            "tương lai. Hãy chỉnh lại ngày giờ của máy trạm và báo bộ phận kỹ thuật.",
            f"The event gives {en} as {shown}, after the server's current time: the server does not accept "
            "times in the future. Fix the workstation's date and time and tell IT support.",
            what,
        )
    if utc is None or (earliest is not None and utc < earliest):
        enrolled = local_time(ctx.enrolled_at) if ctx.enrolled_at is not None else None
        since_vi = f" ({enrolled:%H:%M %d/%m/%Y})" if enrolled else ""
        return Problem(
            "time.before_enrolment",
            f"Sự kiện ghi {vi} là {shown}, trước khi máy trạm được đăng ký với máy chủ{since_vi}: máy chủ "
            "không nhận việc ghi trước thời điểm đó. Kiểm tra ngày giờ của máy trạm và báo bộ phận kỹ thuật.",
            f"The event gives {en} as {shown}, before the workstation was enrolled with the server"
            f"{since_vi}: the server does not accept work dated before that. Check the workstation's date "
            "and tell IT support.",
            what,
        )
    return None


def local_time(utc_naive: datetime) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone(VIETNAM_TZ).replace(tzinfo=None)
