"""Operator log-in at the desk, offline, against the slow salted hash cached in ``operators``.

Five wrong passwords in a row lock the account on this workstation for five minutes; both the
failure count and the lock end are stored in the operator's row, so a restart does not reset them.
Each attempt is one write transaction with its audit entry. The password is never stored or logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.domain.errors import DomainError, Problem
from app.domain.passwords import verify_password
from app.models import Operator
from app.models.db import Store
from app.services import audit
from app.services.audit import Actor
from app.services.desk import load_desk
from app.services.reference import get_setting, set_setting

MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=5)
LAST_USERNAME_KEY = "session.last_username"

#: The clock of this module (tests replace it to move time forward).
clock: Callable[[], datetime] = datetime.now


@dataclass(frozen=True)
class OperatorSession:
    """Who is working at this desk: recorded on every action through :attr:`actor`."""

    operator_id: int
    username: str
    full_name: str
    role: str
    workstation: str
    centre_name: str
    logged_in_at: datetime

    @property
    def actor(self) -> Actor:
        return Actor(operator=self.full_name, workstation=self.workstation)


def _bad_credentials(left: int | None = None) -> Problem:
    if left is None:
        return Problem(
            "session.bad_credentials",
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            "Wrong user name or password.",
            "password",
        )
    return Problem(
        "session.bad_credentials",
        f"Tên đăng nhập hoặc mật khẩu không đúng. Còn {left} lần thử trước khi tài khoản bị tạm khóa "
        f"{_minutes(LOCK_DURATION)} phút trên máy trạm này.",
        f"Wrong user name or password. {left} attempt(s) left before the account is locked on this "
        f"workstation for {_minutes(LOCK_DURATION)} minutes.",
        "password",
    )


def _minutes(delta: timedelta) -> int:
    return max(1, -(-int(delta.total_seconds()) // 60))  # rounded up


def _locked(until: datetime, now: datetime, just_now: bool) -> Problem:
    left = _minutes(until - now)
    if just_now:
        return Problem(
            "session.locked",
            f"Sai mật khẩu {MAX_FAILURES} lần liên tiếp: tài khoản bị tạm khóa trên máy trạm này đến "
            f"{until:%H:%M} ({left} phút).",
            f"{MAX_FAILURES} wrong passwords in a row: the account is locked on this workstation until "
            f"{until:%H:%M} ({left} min).",
            "password",
        )
    return Problem(
        "session.locked",
        f"Tài khoản đang tạm khóa trên máy trạm này đến {until:%H:%M} (còn {left} phút). "
        "Hãy chờ hoặc nhờ người quản trị mở khóa.",
        f"The account is locked on this workstation until {until:%H:%M} ({left} min left). "
        "Wait, or ask an administrator to unlock it.",
        "password",
    )


def login(store: Store, username: str, password: str, *, now: datetime | None = None) -> OperatorSession:
    """Check the operator's password offline; count failures and lock after :data:`MAX_FAILURES`.

    Raises :class:`DomainError` (wrong name or password, locked account). Runs the slow hash (~50 ms):
    call it off the GUI thread.
    """
    at = (now or clock()).replace(microsecond=0)
    name = username.strip()
    if not name or not password:
        raise DomainError(
            Problem(
                "session.missing",
                "Hãy nhập tên đăng nhập và mật khẩu.",
                "Enter the user name and the password.",
                "username" if not name else "password",
            )
        )
    failure: Problem | None = None
    session: OperatorSession | None = None
    with store.write() as s:
        desk = load_desk(s)
        op = s.scalar(select(Operator).where(func.lower(Operator.username) == name.lower()))
        if op is None or not op.active:
            failure = _bad_credentials()
            audit.append(
                s, Actor(name, desk.workstation_name), "session.login_failed", "operator", name, at=at
            )
        elif op.locked_until is not None and at < op.locked_until:
            failure = _locked(op.locked_until, at, just_now=False)
        else:
            if op.locked_until is not None:  # the lock has run out: a fresh start
                op.locked_until = None
                op.failed_attempts = 0
            actor = Actor(op.full_name, desk.workstation_name)
            if verify_password(password, op.password_hash):
                op.failed_attempts = 0
                set_setting(s, LAST_USERNAME_KEY, op.username)
                audit.append(s, actor, "session.login", "operator", op.username, at=at)
                session = OperatorSession(
                    op.id, op.username, op.full_name, op.role, desk.workstation_name, desk.centre_name, at
                )
            else:
                op.failed_attempts = (op.failed_attempts or 0) + 1
                details = {"failed_attempts": op.failed_attempts}
                if op.failed_attempts >= MAX_FAILURES:
                    op.locked_until = at + LOCK_DURATION
                    failure = _locked(op.locked_until, at, just_now=True)
                    audit.append(s, actor, "session.locked", "operator", op.username, details, at=at)
                else:
                    failure = _bad_credentials(MAX_FAILURES - op.failed_attempts)
                    audit.append(s, actor, "session.login_failed", "operator", op.username, details, at=at)
    # Raised after the commit: the failure count and the lock must persist.
    if failure is not None:
        raise DomainError(failure)
    assert session is not None
    return session


def logout(store: Store, session: OperatorSession, *, now: datetime | None = None) -> None:
    with store.write() as s:
        audit.append(s, session.actor, "session.logout", "operator", session.username, at=now or clock())


def last_username(store: Store) -> str:
    """The user name of the last successful log-in on this workstation ("" if none)."""
    with store.read() as s:
        return str(get_setting(s, LAST_USERNAME_KEY, "") or "")


@dataclass(frozen=True)
class LockState:
    failed_attempts: int
    locked_until: datetime | None


def lock_state(store: Store, username: str) -> LockState | None:
    """The failure count and lock end of an operator (for support and tests)."""
    with store.read() as s:
        op = s.scalar(select(Operator).where(func.lower(Operator.username) == username.strip().lower()))
        return None if op is None else LockState(op.failed_attempts, op.locked_until)
