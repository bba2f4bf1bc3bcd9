"""Enrolment (one-time, expiring codes; slots), bearer tokens and revocation, against the live server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from srvkit import A, B, World

from app.domain.codes import DEFAULT_PLAN
from app.sync.client import ServerRefused
from server import admin, devices
from server import audit as server_audit
from server.devices import sha256
from server.models import Device, EnrolmentCode
from server.throttle import Limit


def test_enrolment_gives_a_token_the_centre_and_a_slot(world: World) -> None:
    client = world.client()
    code = world.enrol_code(A)
    r = client.enroll(code, "Quầy 1")
    assert r.centre.eid == A
    assert r.centre.kind == "commune_centre"
    assert r.centre.name.startswith("Trung tâm Phục vụ hành chính công")
    assert r.slot == 0
    assert len(r.device_token) >= 40
    assert client.token == r.device_token
    # The server keeps only hashes.
    with world.db.read() as s:
        device = s.get(Device, r.device_id)
        assert device is not None and device.token_hash == sha256(r.device_token)
        assert device.token_hash != r.device_token
        assert s.scalar(select(EnrolmentCode.code_hash)) == sha256(code.replace("-", ""))
    # The token works.
    assert client.changes(0, 10).next == 0


def test_each_device_of_a_centre_gets_a_distinct_slot(world: World) -> None:
    slots_a = [world.desk(A, f"Quầy {i}").slot for i in range(3)]
    slot_b = world.desk(B).slot
    assert slots_a == [0, 1, 2]
    assert slot_b == 0


def test_the_code_works_once(world: World) -> None:
    code = world.enrol_code(A)
    world.client().enroll(code, "Quầy 1")
    with pytest.raises(ServerRefused) as err:
        world.client().enroll(code, "Quầy 2")
    assert err.value.status_code == 403
    assert err.value.problem.code == "enrol.invalid"  # the same answer as a wrong code (D17)
    assert "chỉ dùng một lần" in err.value.problem.vi


def test_an_expired_code_is_refused(world: World) -> None:
    code = world.enrol_code(A, ttl_hours=1, now=admin.now_utc() - timedelta(hours=2))
    with pytest.raises(ServerRefused) as err:
        world.client().enroll(code, "Quầy 1")
    assert (err.value.status_code, err.value.problem.code) == (403, "enrol.invalid")
    assert "hết hạn" in err.value.problem.vi


def test_a_wrong_code_is_refused(world: World) -> None:
    with pytest.raises(ServerRefused) as err:
        world.client().enroll("AAAA-BBBB-CCCC", "Quầy 1")
    assert (err.value.status_code, err.value.problem.code) == (403, "enrol.invalid")


def test_the_code_may_be_typed_loosely(world: World) -> None:
    code = world.enrol_code(A)
    r = world.client().enroll(" " + code.lower().replace("-", " ") + " ", "Quầy 1")
    assert r.centre.eid == A


def test_a_revoked_device_gets_401_and_its_slot_is_freed(world: World) -> None:
    first = world.desk(A)
    second = world.desk(A, "Quầy 2")
    assert admin.revoke_device(world.db, first.device_id)
    with pytest.raises(ServerRefused) as err:
        first.client.changes(0, 10)
    assert (err.value.status_code, err.value.problem.code) == (401, "auth.revoked")
    assert "thu hồi" in err.value.problem.vi
    second.client.changes(0, 10)  # the other device still works
    assert world.desk(A, "Quầy 3").slot == first.slot
    assert not admin.revoke_device(world.db, first.device_id)  # already revoked


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 500])
def test_no_or_a_wrong_token_gets_401(world: World, token: str | None) -> None:
    with pytest.raises(ServerRefused) as err:
        world.client(token).changes(0, 10)
    assert (err.value.status_code, err.value.problem.code) == (401, "auth.device")


def test_a_centre_has_at_most_plan_slots_active_devices(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(devices, "ENROL_PER_SOURCE", Limit(100, 60))  # 11 enrolments from 127.0.0.1
    for i in range(DEFAULT_PLAN.slots):
        world.desk(B, f"Quầy {i}")
    with pytest.raises(ServerRefused) as err:
        world.desk(B, "Quầy thừa")
    assert (err.value.status_code, err.value.problem.code) == (409, "enrol.no_slot")
    assert "revoke-device" in err.value.problem.vi


def test_one_answer_for_wrong_used_expired_and_revoked_codes_the_log_keeps_which(world: World) -> None:
    """D17: the answer does not tell whether a code exists; the audit log does."""
    used = world.enrol_code(A)
    world.client().enroll(used, "Quầy 1")
    expired = world.enrol_code(A, ttl_hours=1, now=admin.now_utc() - timedelta(hours=2))
    revoked = world.enrol_code(A)
    assert admin.revoke_code(world.db, revoked).startswith("Trung tâm")
    answers = []
    for code in ("AAAA-BBBB-CCCC", used, expired, revoked):
        with pytest.raises(ServerRefused) as err:
            world.client().enroll(code, "Quầy 2")
        answers.append(
            (err.value.status_code, err.value.problem.code, err.value.problem.vi, err.value.problem.en)
        )
    assert len(set(answers)) == 1
    details = [e.detail for e in server_audit.entries(world.db, kind="enrol.failed")]
    assert sorted(d.split()[0] for d in details) == [
        "enrol.expired",
        "enrol.invalid",
        "enrol.revoked",
        "enrol.used",
    ]
    assert any(e.kind == "revoke" and e.detail == "enrolment code" for e in server_audit.entries(world.db))


def test_revoke_code_command(world: World) -> None:
    import io

    from server.cli import main as server_main

    code = world.enrol_code(A)
    out = io.StringIO()
    assert server_main(["revoke-code", code, "--db", world.live.db_url], out=out) == 0
    assert "revoked" in out.getvalue()
    with pytest.raises(ServerRefused):
        world.client().enroll(code, "Quầy 1")
    used = world.enrol_code(A)
    world.client().enroll(used, "Quầy 1")
    err = io.StringIO()
    assert server_main(["revoke-code", used, "--db", world.live.db_url], out=err) == 1
    assert server_main(["revoke-code", "ZZZZ-ZZZZ-ZZZZ", "--db", world.live.db_url], out=err) == 1
