"""Operator login through a device of the operator's centre."""

from __future__ import annotations

import pytest
from srvkit import A, B, World

from app.domain.passwords import verify_password
from app.sync.client import ServerRefused
from server import admin
from server import audit as server_audit


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
    """D12: the same answer as an unknown user (no cross-centre enumeration); the audit log tells which."""
    desk_a = operators.desk(A)
    answers = []
    for username in ("hung", "không-có-ai"):
        with pytest.raises(ServerRefused) as err:
            desk_a.client.login(username, "mật-khẩu-số-2")
        answers.append((err.value.status_code, err.value.problem.code, err.value.problem.vi))
    assert (
        answers[0] == answers[1] == (401, "auth.bad_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")
    )
    details = [e.detail for e in server_audit.entries(operators.db, kind="login")]
    assert "another centre's account" in details and "unknown account" in details
    # …but can on a device of their own centre.
    assert operators.desk(B).client.login("hung", "mật-khẩu-số-2").operator.role == "supervisor"


LOOK_ALIKES = [
    "Lan",  # case
    "LAN",
    "l\u0430n",  # Cyrillic а
    "la\u0301n",  # NFD lán
    "l\u00e1n",  # NFC lán: the same name to a reader
    "lan\u200b",  # zero-width space
    "\u202enal",  # right-to-left override
    "ｌａｎ",  # full-width
    "lan\u00a0",  # no-break space
]


@pytest.mark.parametrize("username", LOOK_ALIKES)
def test_look_alike_usernames_cannot_coexist(operators: World, username: str) -> None:
    with pytest.raises(admin.AdminError) as err:
        admin.add_operator(operators.db, A, username, "Người Khác", "một-mật-khẩu-dài-khác")
    assert err.value.problem.code in ("admin.operator_exists", "admin.username_chars")
    # Another centre may have its own "lan".
    admin.add_operator(operators.db, B, "lan", "Trần Thị Lan B", "một-mật-khẩu-dài-khác")


def test_usernames_are_stored_nfc_and_log_in_case_insensitively(operators: World) -> None:
    admin.add_operator(operators.db, A, "ma\u0301i.nt", "Nguyễn Thị Mai", "một-mật-khẩu-dài-khác")
    desk = operators.desk(A)
    r = desk.client.login("MÁI.NT", "một-mật-khẩu-dài-khác")
    assert r.operator.username == "m\u00e1i.nt"  # stored NFC
    assert desk.client.login("ma\u0301i.nt", "một-mật-khẩu-dài-khác").operator.username == "m\u00e1i.nt"
    with pytest.raises(ServerRefused) as err:  # an invisible character: the same answer as any wrong name
        desk.client.login("lan\u200b", "mật-khẩu-số-1")
    assert err.value.status_code == 401 and err.value.problem.code == "auth.bad_credentials"


def test_login_needs_an_enrolled_device(operators: World) -> None:
    with pytest.raises(ServerRefused) as err:
        operators.client().login("lan", "mật-khẩu-số-1")
    assert err.value.status_code == 401


def test_status_reports_look_alike_accounts_made_before_the_rules(operators: World) -> None:
    """Rows written before D12's rules are kept and reported, not removed."""
    import io

    from server.cli import main as server_main
    from server.models import Centre, Operator

    with operators.db.write() as s:
        centre = s.query(Centre).filter(Centre.eid == A).one()
        for name in ("Lan", "lan\u200b"):
            s.add(
                Operator(
                    centre_id=centre.id,
                    username=name,
                    full_name="Cũ",
                    password_hash="x",
                    role="operator",
                    created_at=admin.now_utc(),
                )
            )
    out = io.StringIO()
    assert server_main(["status", "--db", operators.live.db_url], out=out) == 0
    text = out.getvalue()
    assert "usernames to fix" in text and "'Lan'" in text and "'lan\\u200b'" in text
    desk = operators.desk(A)
    assert desk.client.login("lan", "mật-khẩu-số-1").operator.username == "lan"  # exact name still works
