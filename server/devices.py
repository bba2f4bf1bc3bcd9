"""Devices: enrolment with a one-time code, bearer-token authentication, operator login."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import anyio.to_thread
from sqlalchemy import CursorResult, Update, select, update

from app.contract import CentreInfo, OperatorInfo, utc_now
from app.domain.codes import DEFAULT_PLAN, NumberingPlan
from app.domain.errors import Problem
from app.domain.passwords import hash_password, needs_rehash, verify_password
from app.domain.usernames import normalise_username, username_key, username_problem
from server import audit
from server.db import Database
from server.errors import ApiError, revoked, unauthorised
from server.models import Centre, Device, DeviceOperator, EnrolmentCode, Operator
from server.throttle import (
    ENROL_FAILURES,
    ENROL_PER_SOURCE,
    LOGIN_FAILURES,
    LOGIN_PER_DEVICE,
    LOGIN_PER_SOURCE,
    Limit,
    Throttle,
    run_hash,
    too_many,
)

#: Enrolment code alphabet: no 0/O, 1/I/L confusion when read aloud or typed.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LEN = 4
_NOT_CODE = re.compile(r"[\s\-]+")
#: A hash to verify against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = hash_password(secrets.token_hex(8))
#: The process's rate limits and lockouts of log-in and enrolment.
THROTTLE = Throttle()
#: How often at most a device's ``last_sync_at`` is written (see :func:`touch_due`).
TOUCH_EVERY = timedelta(seconds=30)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_enrolment_code(code: str) -> str:
    return _NOT_CODE.sub("", code).upper()


def new_enrolment_code() -> str:
    """``XXXX-XXXX-XXXX`` from :data:`CODE_ALPHABET` (about 59 bits)."""
    groups = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LEN)) for _ in range(CODE_GROUPS)
    ]
    return "-".join(groups)


def centre_info(centre: Centre) -> CentreInfo:
    return CentreInfo(
        eid=centre.eid,
        name=centre.name,
        kind=centre.kind,  # type: ignore[arg-type]
        unit_code=centre.unit_code,
        province_code=centre.province_code,
        parent_name=centre.parent_name,
        place_name=centre.place_name,
        address=centre.address,
        hotline=centre.hotline,
        lookup_url=centre.lookup_url,
    )


@dataclass(frozen=True, slots=True)
class DeviceContext:
    """The authenticated device of a request."""

    device_id: str
    device_name: str
    slot: int
    centre_id: int
    centre: CentreInfo
    #: The device's last recorded sync when the request came in (``touch_due``).
    last_sync_at: datetime | None = None
    #: When the device was enrolled (naive UTC): nothing it reports can have happened much earlier.
    enrolled_at: datetime | None = None

    @property
    def centre_eid(self) -> str:
        return self.centre.eid


@dataclass(frozen=True, slots=True)
class Enrolment:
    device_id: str
    token: str
    centre: CentreInfo
    slot: int


class CodeRefused(ApiError):
    """An enrolment code that cannot be used; ``reason`` (invalid, used, expired, revoked) goes to the audit
    log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            403,
            Problem(
                "enrol.invalid",
                "Mã đăng ký máy trạm không dùng được (sai, đã dùng, đã hết hạn hoặc đã bị thu hồi): "
                "kiểm tra lại mã, hoặc xin quản trị viên mã mới. Mỗi mã chỉ dùng một lần.",
                "The enrolment code cannot be used (wrong, already used, expired or revoked): check it, "
                "or ask the administrator for a new one. Each code works once.",
                "code",
            ),
        )
        self.reason = reason


def enroll(
    db: Database, code: str, device_name: str, now: datetime, plan: NumberingPlan = DEFAULT_PLAN
) -> Enrolment:
    """Use a one-time enrolment code: create the device, its token and its numbering slot."""
    code_hash = sha256(normalise_enrolment_code(code))
    with db.write() as s:
        row = s.scalar(select(EnrolmentCode).where(EnrolmentCode.code_hash == code_hash).with_for_update())
        # One answer for a code that is wrong, used, expired or revoked (D17): the answer does not tell
        # whether a code exists; the audit log keeps which it was.
        if row is None:
            raise CodeRefused("invalid")
        if row.used_at is not None:
            raise CodeRefused("used")
        if row.revoked_at is not None:
            raise CodeRefused("revoked")
        if row.expires_at <= now:
            raise CodeRefused("expired")
        # Lock the centre so concurrent enrolments of its devices take distinct slots.
        centre = s.scalar(select(Centre).where(Centre.id == row.centre_id).with_for_update())
        assert centre is not None  # foreign key
        taken = set(
            s.scalars(select(Device.slot).where(Device.centre_id == centre.id, Device.revoked_at.is_(None)))
        )
        free = [slot for slot in range(plan.slots) if slot not in taken]
        if not free:
            raise ApiError(
                409,
                Problem(
                    "enrol.no_slot",
                    f"{centre.name} đã có {plan.slots} máy trạm đang hoạt động, là số tối đa: "
                    "thu hồi máy không còn dùng («motcua-server revoke-device») rồi đăng ký lại.",
                    f"{centre.name} already has {plan.slots} active workstations, the maximum: revoke one no "
                    "longer in use ('motcua-server revoke-device') and enrol again.",
                ),
            )
        token = secrets.token_urlsafe(32)
        device = Device(
            id=str(uuid.uuid4()),
            centre_id=centre.id,
            name=device_name,
            token_hash=sha256(token),
            slot=free[0],
            enrolled_at=now,
        )
        s.add(device)
        s.flush()
        # An UPDATE's result is a CursorResult (it has rowcount); Session.execute is typed for any statement.
        used = cast(
            CursorResult[Any],
            s.execute(
                update(EnrolmentCode)
                .where(EnrolmentCode.id == row.id, EnrolmentCode.used_at.is_(None))
                .values(used_at=now, device_id=device.id)
            ),
        )
        if used.rowcount != 1:  # pragma: no cover - the row lock above makes this impossible
            raise ApiError(409, Problem("enrol.used", "Mã đăng ký này đã được dùng.", "Code already used."))
        return Enrolment(device.id, token, centre_info(centre), device.slot)


def authenticate(db: Database, token: str | None) -> DeviceContext:
    """The device holding bearer ``token``, or 401."""
    token = (token or "").strip()
    if not token or len(token) > 200:
        raise unauthorised()
    with db.read() as s:
        found = s.execute(
            select(Device, Centre)
            .join(Centre, Centre.id == Device.centre_id)
            .where(Device.token_hash == sha256(token))
        ).first()
        if found is None:
            raise unauthorised()
        device, centre = found
        if device.revoked_at is not None:
            raise revoked()
        return DeviceContext(
            device.id,
            device.name,
            device.slot,
            centre.id,
            centre_info(centre),
            device.last_sync_at,
            device.enrolled_at,
        )


def touch_due(ctx: DeviceContext, now: datetime) -> bool:
    """Whether the device's last sync time is worth recording again: at most once per
    :data:`TOUCH_EVERY` per device (it is shown to administrators to the minute, and a write per request
    would cost a transaction, and on SQLite an fsync, for every page of changes)."""
    return ctx.last_sync_at is None or not timedelta(0) <= now - ctx.last_sync_at < TOUCH_EVERY


def touch_stmt(device_id: str, now: datetime) -> Update:
    """The statement recording the device's last successful sync (run it in the caller's transaction)."""
    return update(Device).where(Device.id == device_id).values(last_sync_at=now)


def touch(db: Database, ctx: DeviceContext, now: datetime) -> None:
    """Record the device's last successful sync, if due (:func:`touch_due`)."""
    if touch_due(ctx, now):
        with db.write() as s:
            s.execute(touch_stmt(ctx.device_id, now))


def _find_operator(db: Database, ctx: DeviceContext, username: str) -> tuple[Operator | None, str]:
    """The centre's operator ``username`` (detached; the exact name, else the one account whose
    :func:`username_key` it has), and why there is none, for the audit log only: the answer to the
    device is the same whether the name is unknown, refused or another centre's (D12)."""
    name = normalise_username(username)
    if username_problem(name) is not None:
        return None, "username refused"
    with db.read() as s:
        op = s.scalar(select(Operator).where(Operator.centre_id == ctx.centre_id, Operator.username == name))
        if op is None:
            key = username_key(name)
            alike = [
                o
                for o in s.scalars(select(Operator).where(Operator.centre_id == ctx.centre_id))
                if username_key(o.username) == key
            ]
            op = alike[0] if len(alike) == 1 else None
        if op is not None:
            s.expunge(op)
            return op, ""
        elsewhere = s.scalar(select(Operator.id).where(Operator.username == name).limit(1)) is not None
        return None, "another centre's account" if elsewhere else "unknown account"


def _logged_in(
    db: Database, ctx: DeviceContext, op: Operator, new_hash: str | None, now: datetime, source: str
) -> None:
    """Record the log-in: the device may now name this operator on its events; the audit entry; the
    stronger hash if the stored one was due for it."""
    with db.write() as s:
        link = s.get(DeviceOperator, (ctx.device_id, op.id))
        if link is None:
            s.add(
                DeviceOperator(
                    device_id=ctx.device_id, operator_id=op.id, first_login_at=now, last_login_at=now
                )
            )
        else:
            link.last_login_at = now
        if new_hash is not None:
            s.execute(update(Operator).where(Operator.id == op.id).values(password_hash=new_hash))
            audit.add(
                s, "rehash", now, centre_eid=ctx.centre_eid, device_id=ctx.device_id, username=op.username
            )
        audit.add(
            s,
            "login",
            now,
            centre_eid=ctx.centre_eid,
            device_id=ctx.device_id,
            username=op.username,
            source=source,
        )


def _throttled(db: Database, key: str, wait: float, now: datetime, **fields: str | None) -> None:
    """Audit a throttled client once per key and minute (never once per refused request)."""
    if THROTTLE.hit(f"audited:{key}", Limit(1, 60)) is None:
        audit.record(db, "throttled", now, detail=f"{key} for {round(wait)} s", **fields)


async def login(
    db: Database, ctx: DeviceContext, username: str, password: str, source: str = ""
) -> OperatorInfo:
    """Check an operator's password for the device's centre; 401/403 with a reason otherwise, 429 when
    the device, the source address or the account is over its limit (:mod:`server.throttle`). The hash
    runs in the bounded hashing pool, off the event loop and off the endpoints' threads."""
    now = utc_now().replace(tzinfo=None)
    who = {"centre_eid": ctx.centre_eid, "device_id": ctx.device_id, "username": username, "source": source}
    # Per account as the centre tells accounts apart (case and diacritics folded, D12): "LAN" and "lan"
    # share one lockout.
    account = f"login:account:{ctx.device_id}:{username_key(normalise_username(username))}"
    for key, limit in (
        (f"login:device:{ctx.device_id}", LOGIN_PER_DEVICE),
        (f"login:source:{source}", LOGIN_PER_SOURCE),
    ):
        wait = THROTTLE.hit(key, limit)
        if wait is not None:
            await anyio.to_thread.run_sync(functools.partial(_throttled, db, key, wait, now, **who))
            raise too_many(
                wait, "đăng nhập từ máy trạm hoặc địa chỉ này", "log-in attempts from this device or address"
            )
    wait = THROTTLE.locked(account)
    if wait is not None:
        raise too_many(
            wait, f"nhập sai mật khẩu tài khoản «{username}»", f"wrong passwords for account {username!r}"
        )
    op, why = await anyio.to_thread.run_sync(_find_operator, db, ctx, username)
    stored = op.password_hash if op is not None else _DUMMY_HASH
    ok = await run_hash(ctx.centre_id, lambda: verify_password(password, stored))
    if op is None or not ok:
        locked = THROTTLE.failed(account, LOGIN_FAILURES)
        kind = "login.locked" if locked else "login.failed"
        detail = why or "wrong password"
        await anyio.to_thread.run_sync(lambda: audit.record(db, kind, now, detail=detail, **who))
        raise _bad_credentials()  # one answer for every reason (D12: no cross-centre enumeration)
    if not op.active:
        await anyio.to_thread.run_sync(
            lambda: audit.record(db, "login.failed", now, detail="inactive", **who)
        )
        raise ApiError(
            403,
            Problem(
                "auth.inactive",
                f"Tài khoản «{username}» đã bị khóa: liên hệ quản trị viên.",
                f"Account {username!r} is disabled: contact the administrator.",
                "username",
            ),
        )
    THROTTLE.succeeded(account)
    new_hash = (
        await run_hash(ctx.centre_id, lambda: hash_password(password)) if needs_rehash(stored) else None
    )
    await anyio.to_thread.run_sync(_logged_in, db, ctx, op, new_hash, now, source)
    return OperatorInfo(
        username=op.username, full_name=op.full_name, role=op.role, password_hash=new_hash or op.password_hash
    )


def enroll_guarded(db: Database, code: str, device_name: str, now: datetime, source: str = "") -> Enrolment:
    """:func:`enroll` behind the per-address limits (:mod:`server.throttle`), with its audit entries."""
    key = f"enrol:source:{source}"
    wait = THROTTLE.hit(key, ENROL_PER_SOURCE)
    if wait is not None:
        _throttled(db, key, wait, now, source=source)
        raise too_many(wait, "đăng ký máy trạm từ địa chỉ này", "enrolment attempts from this address")
    try:
        done = enroll(db, code, device_name, now)
    except ApiError as err:
        if err.problem.code.startswith("enrol."):
            locked = THROTTLE.failed(key, ENROL_FAILURES)
            reason = f"enrol.{err.reason}" if isinstance(err, CodeRefused) else err.problem.code
            detail = reason + (" (locked out)" if locked else "")
            audit.record(db, "enrol.failed", now, source=source, detail=detail)
        raise
    THROTTLE.succeeded(key)
    audit.record(
        db,
        "enrol",
        now,
        centre_eid=done.centre.eid,
        device_id=done.device_id,
        source=source,
        detail=device_name,
    )
    return done


def _bad_credentials() -> ApiError:
    return ApiError(
        401,
        Problem(
            "auth.bad_credentials",
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            "Wrong username or password.",
            "password",
        ),
    )


def enrolment_expiry(now: datetime, ttl_hours: float) -> datetime:
    return now + timedelta(hours=ttl_hours)
