"""Protocol checks and bad input (clock skew, versions, bad JSON, wrong types, big batches): never 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from srvkit import A, Desk, LiveServer, World, today

from app.contract import MAX_PUSH_EVENTS, utc_now
from app.sync.client import ClockSkew, ServerRefused


@pytest.fixture
def desk(world: World) -> Desk:
    return world.desk(A)


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url + "/api/v1", timeout=30) as client:
        yield client


def headers(desk: Desk | None = None, **extra: str) -> dict[str, str]:
    h = {"X-Motcua-Protocol": "1", "X-Motcua-Client-Time": utc_now().isoformat()}
    if desk is not None and desk.client.token:
        h["Authorization"] = f"Bearer {desk.client.token}"
    h.update(extra)
    return h


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "server_time"}
    detail = body["detail"]
    assert {"code", "vi", "en"} <= set(detail) <= {"code", "vi", "en", "field"}
    assert all(isinstance(detail[k], str) and detail[k] for k in ("code", "vi", "en"))
    if code is not None:
        assert detail["code"] == code
    return dict(detail)


def test_health_needs_nothing(http: httpx.Client) -> None:
    r = http.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["protocol"] == 1 and body["server_time"].endswith("Z")


@pytest.mark.parametrize("minutes", [6, -6, 60 * 24])
def test_clock_skew_is_refused_with_instructions(http: httpx.Client, desk: Desk, minutes: int) -> None:
    skewed = (utc_now() + timedelta(minutes=minutes)).isoformat()
    r = http.get("/sync/changes", headers=headers(desk, **{"X-Motcua-Client-Time": skewed}))
    detail = assert_problem(r, 409, "clock.skew")
    assert detail["vi"].startswith(f"Đồng hồ máy trạm lệch {abs(minutes)} phút so với máy chủ")
    assert "Hãy chỉnh lại giờ hệ thống" in detail["vi"]


def test_a_small_skew_and_a_naive_client_time_are_fine(http: httpx.Client, desk: Desk) -> None:
    near = (utc_now() - timedelta(minutes=4)).replace(tzinfo=None).isoformat()
    r = http.get("/sync/changes", headers=headers(desk, **{"X-Motcua-Client-Time": near}))
    assert r.status_code == 200


def test_the_client_raises_clock_skew(world: World, desk: Desk) -> None:
    ahead = world.client(desk.client.token, clock=lambda: utc_now() + timedelta(minutes=10))
    with pytest.raises(ClockSkew) as err:
        ahead.changes(0, 10)  # refused by the server
    assert err.value.problem.code == "clock.skew" and err.value.skew is None
    with pytest.raises(ClockSkew) as err:
        ahead.health()  # not checked by the server: the client compares server_time itself
    assert err.value.skew is not None and err.value.skew > timedelta(minutes=9)
    assert "nhanh hơn" in err.value.problem.vi


def test_an_unreadable_client_time_is_a_400(http: httpx.Client, desk: Desk) -> None:
    r = http.get("/sync/changes", headers=headers(desk, **{"X-Motcua-Client-Time": "hôm qua".encode().hex()}))
    assert_problem(r, 400, "clock.invalid")


def test_enrolment_checks_the_body_clock_too(http: httpx.Client, world: World) -> None:
    body = {
        "code": world.enrol_code(A),
        "device_name": "Quầy 1",
        "client_time": (utc_now() - timedelta(hours=2)).isoformat(),
    }
    assert_problem(http.post("/devices/enroll", json=body, headers=headers()), 409, "clock.skew")


@pytest.mark.parametrize("version", [None, "0", "", "abc", "1.0", "2"])
def test_other_protocol_versions_get_426(http: httpx.Client, desk: Desk, version: str | None) -> None:
    h = headers(desk)
    if version is None:
        del h["X-Motcua-Protocol"]
    else:
        h["X-Motcua-Protocol"] = version
    detail = assert_problem(http.get("/sync/changes", headers=h), 426, "protocol.too_old")
    assert "máy chủ" in detail["vi"]


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"not json",
        b"[1, 2",
        b'{"events": [}',
        b"\xff\xfe\x00",
        b'{"events": "' + b"\\ud800" + b'"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_bad_json_is_a_4xx(http: httpx.Client, desk: Desk, body: bytes) -> None:
    r = http.post("/sync/push", content=body, headers=headers(desk, **{"Content-Type": "application/json"}))
    assert 400 <= r.status_code < 500
    assert_problem(r, r.status_code)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/sync/push", {}),
        ("/sync/push", {"events": None}),
        ("/sync/push", {"events": [1, "x", None]}),
        ("/sync/push", {"events": [{"event_id": "not-a-uuid"}]}),
        ("/sync/push", {"events": [], "extra": 1}),
        ("/sync/push", [1, 2, 3]),
        ("/numbering/lease", {"agency_eid": A, "day": "2026-13-01", "size": 5}),
        ("/numbering/lease", {"agency_eid": A, "day": "today", "size": 0}),
        ("/numbering/lease", {"agency_eid": A, "size": 501, "day": "2026-05-04"}),
        ("/numbering/lease", {"agency_eid": A + "\x00", "size": 5, "day": "2026-05-04"}),
        ("/auth/login", {"username": "", "password": "x"}),
        ("/auth/login", {"username": "demo\x00", "password": "x"}),
        ("/auth/login", {"username": "\ud800", "password": "x"}),
        ("/auth/login", {"username": ["demo"], "password": 1}),
        ("/devices/enroll", {"code": 12345, "device_name": "x", "client_time": "x"}),
    ],
)
def test_wrong_types_get_422_with_the_detail_shape(
    http: httpx.Client, desk: Desk, path: str, body: Any
) -> None:
    r = http.post(
        path, content=json.dumps(body), headers=headers(desk, **{"Content-Type": "application/json"})
    )
    detail = assert_problem(r, 422)
    assert detail["code"] == "request.invalid"
    assert "không hợp lệ" in detail["vi"]


@pytest.mark.parametrize(
    "query", ["since=-1", "since=abc", "limit=0", "limit=1001", "since=99999999999999999999999"]
)
def test_bad_changes_queries_get_422(http: httpx.Client, desk: Desk, query: str) -> None:
    assert_problem(http.get(f"/sync/changes?{query}", headers=headers(desk)), 422, "request.invalid")


def test_a_batch_over_the_limit_is_refused_whole(world: World, desk: Desk, http: httpx.Client) -> None:
    events = [
        world.received(desk, world.snapshot(A)).model_dump(mode="json") for _ in range(MAX_PUSH_EVENTS + 1)
    ]
    r = http.post("/sync/push", json={"events": events}, headers=headers(desk))
    detail = assert_problem(r, 422, "request.invalid")
    assert detail["field"] == "body.events"
    # 500 is fine.
    r = http.post("/sync/push", json={"events": events[:MAX_PUSH_EVENTS]}, headers=headers(desk))
    assert r.status_code == 200 and len(r.json()["results"]) == MAX_PUSH_EVENTS


def test_a_huge_body_gets_413(http: httpx.Client, desk: Desk) -> None:
    body = b'{"events": [], "pad": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    r = http.post("/sync/push", content=body, headers=headers(desk, **{"Content-Type": "application/json"}))
    assert_problem(r, 413, "request.too_large")


def test_unknown_paths_and_methods_get_the_detail_shape(http: httpx.Client, desk: Desk) -> None:
    assert_problem(http.get("/nowhere", headers=headers(desk)), 404, "http.404")
    assert_problem(http.get("/sync/push", headers=headers(desk)), 405, "http.405")
    assert_problem(http.delete("/health"), 405, "http.405")


def test_client_validation_and_refusals(world: World, desk: Desk) -> None:
    with pytest.raises(ServerRefused) as err:
        world.client("wrong").lease(A, today(), 5)
    assert err.value.status_code == 401
