"""Operator log-in offline, with the 5-failure / 5-minute lock persisted in the operator's row."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain.errors import DomainError
from app.models import AuditEntry
from app.models.db import Store
from app.services import session as svc

T0 = datetime(2026, 11, 30, 9, 0, 0)


def fail(store: Store, at: datetime, password: str = "wrong") -> DomainError:
    with pytest.raises(DomainError) as info:
        svc.login(store, "demo", password, now=at)
    return info.value


def test_login_gives_the_operator_and_workstation(store: Store) -> None:
    s = svc.login(store, " Demo ", "motcua", now=T0)
    assert (s.username, s.full_name, s.workstation) == ("demo", "Nguyễn Thị Minh Anh", "Quầy 1")
    assert s.actor.operator == "Nguyễn Thị Minh Anh" and s.actor.workstation == "Quầy 1"
    assert s.centre_name.startswith("Trung tâm Phục vụ")
    assert svc.last_username(store) == "demo"
    with store.read() as r:
        assert r.scalars(select(AuditEntry.action)).all()[-1] == "session.login"


def test_unknown_user_and_empty_fields_are_refused(store: Store) -> None:
    with pytest.raises(DomainError) as info:
        svc.login(store, "nobody", "x", now=T0)
    assert info.value.problems[0].code == "session.bad_credentials"
    with pytest.raises(DomainError) as info:
        svc.login(store, "demo", "", now=T0)
    assert info.value.problems[0].field == "password"


def test_five_failures_lock_the_account_for_five_minutes(store: Store) -> None:
    for i in range(4):
        err = fail(store, T0 + timedelta(seconds=i))
        assert err.problems[0].code == "session.bad_credentials"
        assert f"Còn {4 - i} lần thử" in err.problems[0].vi
    assert svc.lock_state(store, "demo") == svc.LockState(4, None)
    err = fail(store, T0 + timedelta(seconds=10))
    assert err.problems[0].code == "session.locked" and "09:05" in err.problems[0].vi
    state = svc.lock_state(store, "demo")
    assert state is not None and state.locked_until == T0 + timedelta(seconds=10) + timedelta(minutes=5)
    # Locked: even the right password is refused, and the lock does not move.
    err = fail(store, T0 + timedelta(minutes=3), password="motcua")
    assert err.problems[0].code == "session.locked" and "còn 3 phút" in err.problems[0].vi
    assert svc.lock_state(store, "demo") == state
    # After five minutes the right password works and the count starts again.
    s = svc.login(store, "demo", "motcua", now=T0 + timedelta(minutes=5, seconds=11))
    assert s.username == "demo"
    assert svc.lock_state(store, "demo") == svc.LockState(0, None)


def test_a_success_resets_the_count(store: Store) -> None:
    for i in range(3):
        fail(store, T0 + timedelta(seconds=i))
    svc.login(store, "demo", "motcua", now=T0 + timedelta(seconds=5))
    assert svc.lock_state(store, "demo") == svc.LockState(0, None)


def test_the_lock_survives_a_restart(data_dir: object, store: Store) -> None:
    from app.bootstrap import open_store

    for i in range(5):
        fail(store, T0 + timedelta(seconds=i))
    store.dispose()
    again = open_store(data_dir, demo=True)  # type: ignore[arg-type]
    try:
        err = fail(again, T0 + timedelta(minutes=1), password="motcua")
        assert err.problems[0].code == "session.locked"
    finally:
        again.dispose()


def test_the_module_clock_is_used_by_default(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(svc, "clock", lambda: T0)
    for _ in range(5):
        with pytest.raises(DomainError):
            svc.login(store, "demo", "bad")
    state = svc.lock_state(store, "demo")
    assert state is not None and state.locked_until == T0 + svc.LOCK_DURATION
