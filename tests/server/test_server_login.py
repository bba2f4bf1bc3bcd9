"""Operator login through a device of the operator's centre."""

from __future__ import annotations

import pytest
from srvkit import A, B, World

from app.domain.passwords import verify_password
from app.sync.client import ServerRefused
from server import admin


@pytest.fixture
def operators(world: World) -> World:
    admin.add_operator(world.db, A, "lan", "Trần Thị Lan", "mật-khẩu-số-1", "operator")
    admin.add_operator(world.db, B, "hung", "Lê Văn Hùng", "mật-khẩu-số-2", "supervisor")
    return world


def test_login_returns_the_operator_and_a_hash_to_verify_offline(operators: World) -> None:
    desk = operators.desk(A)
    r = desk.client.login("lan", "mật-khẩu-số-1")
    assert (r.operator.username, r.operator.full_name, r.operator.role) == ("lan", "Trần Thị Lan", "operator")
    assert r.operator.password_hash.startswith("$argon2id$")
    assert verify_password("mật-khẩu-số-1", r.operator.password_hash)
    assert not verify_password("mật-khẩu-số-2", r.operator.password_hash)


@pytest.mark.parametrize(("username", "password"), [("lan", "sai"), ("lan", "MẬT-KHẨU-SỐ-1"), ("ai-đó", "x")])
def test_a_wrong_password_or_user_gets_401_in_vietnamese(
    operators: World, username: str, password: str
) -> None:
    desk = operators.desk(A)
    with pytest.raises(ServerRefused) as err:
        desk.client.login(username, password)
    assert err.value.status_code == 401
    assert err.value.problem.code == "auth.bad_credentials"
    assert err.value.problem.vi == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_an_operator_of_another_centre_cannot_log_in(operators: World) -> None:
    desk_a = operators.desk(A)
    with pytest.raises(ServerRefused) as err:
        desk_a.client.login("hung", "mật-khẩu-số-2")
    assert err.value.status_code == 403
    assert err.value.problem.code == "auth.other_centre"
    # …but can on a device of their own centre.
    assert operators.desk(B).client.login("hung", "mật-khẩu-số-2").operator.role == "supervisor"


def test_login_needs_an_enrolled_device(operators: World) -> None:
    with pytest.raises(ServerRefused) as err:
        operators.client().login("lan", "mật-khẩu-số-1")
    assert err.value.status_code == 401
