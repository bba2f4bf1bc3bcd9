"""``SyncClient`` error mapping, with canned answers (httpx.MockTransport) and a closed port."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from app.contract import utc_now
from app.sync.client import ClockSkew, ServerRefused, SyncClient, TransientError


def client_answering(handler: Callable[[httpx.Request], httpx.Response]) -> SyncClient:
    return SyncClient("http://server.test", "tok", transport=httpx.MockTransport(handler))


def problem_json(code: str) -> dict[str, object]:
    return {"detail": {"code": code, "vi": "Lý do.", "en": "Reason."}, "server_time": utc_now().isoformat()}


def test_requests_carry_the_protocol_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "ok", "server_time": utc_now().isoformat(), "protocol": 1})

    client_answering(handler).health()
    (request,) = seen
    assert request.url.path == "/api/v1/health"
    assert request.headers["X-Motcua-Protocol"] == "1"
    assert request.headers["Authorization"] == "Bearer tok"
    sent = request.headers["X-Motcua-Client-Time"]
    assert abs(utc_now() - datetime.fromisoformat(sent)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(503, json=problem_json("server.busy")),
        httpx.Response(502, text="<html>Bad gateway</html>"),
        httpx.Response(500, text=""),
        httpx.Response(429, text="slow down"),
        httpx.Response(200, text="<html>captive portal</html>"),
        httpx.Response(200, json={"unexpected": True}),
    ],
)
def test_server_side_trouble_is_transient(response: httpx.Response) -> None:
    with pytest.raises(TransientError):
        client_answering(lambda _r: response).changes(0, 10)


def test_a_503_keeps_the_servers_reason() -> None:
    with pytest.raises(TransientError) as err:
        client_answering(lambda _r: httpx.Response(503, json=problem_json("server.busy"))).changes(0, 10)
    assert err.value.status_code == 503 and err.value.problem.code == "server.busy"


def test_network_errors_and_timeouts_are_transient() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(TransientError):
        client_answering(timeout).changes(0, 10)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with (
        SyncClient(f"http://127.0.0.1:{port}", "tok", timeout=2) as closed,
        pytest.raises(TransientError) as err,
    ):
        closed.health()
    assert err.value.problem.code == "sync.unreachable"


def test_refusals_carry_the_problem_and_status() -> None:
    with pytest.raises(ServerRefused) as err:
        client_answering(lambda _r: httpx.Response(401, json=problem_json("auth.revoked"))).changes(0, 10)
    assert (err.value.status_code, err.value.problem.code, err.value.problem.vi) == (
        401,
        "auth.revoked",
        "Lý do.",
    )
    with pytest.raises(ServerRefused) as err:
        client_answering(lambda _r: httpx.Response(413, text="<html>too big</html>")).changes(0, 10)
    assert (err.value.status_code, err.value.problem.code) == (413, "http.unknown")


def test_clock_skew_from_the_server_and_from_server_time() -> None:
    with pytest.raises(ClockSkew):
        client_answering(lambda _r: httpx.Response(409, json=problem_json("clock.skew"))).changes(0, 10)
    late = (utc_now() - timedelta(minutes=30)).isoformat()
    with pytest.raises(ClockSkew) as err:
        client_answering(
            lambda _r: httpx.Response(200, json={"status": "ok", "server_time": late, "protocol": 1})
        ).health()
    assert err.value.skew is not None and err.value.skew > timedelta(minutes=29)
    assert "Đồng hồ máy trạm lệch 30 phút" in err.value.problem.vi
