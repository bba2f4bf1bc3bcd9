"""The fault proxy itself (tools/faultproxy.py): each fault does to an HTTP client what it says, on
127.0.0.1, in front of a tiny counting HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tools.faultproxy import PASS, Fault, FaultProxy, RandomFaults, Request, Scripted, always


class Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Upstream

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.hits += 1
        answer = b'{"echo": ' + str(len(body)).encode() + b', "pad": "' + b"x" * 2000 + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    srv = Upstream()
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    t.join(5)


@pytest.fixture
def proxy(upstream: Upstream) -> Iterator[FaultProxy]:
    with FaultProxy(upstream.server_address[1]) as p:
        yield p


def post(proxy: FaultProxy, timeout: float = 5.0) -> httpx.Response:
    with httpx.Client(base_url=proxy.url, timeout=timeout) as c:
        return c.post("/api/v1/sync/push", content=b"x" * 300)


def test_pass_relays_request_and_answer(proxy: FaultProxy, upstream: Upstream) -> None:
    r = post(proxy)
    assert r.status_code == 200 and r.json()["echo"] == 300
    assert upstream.hits == 1 and proxy.stats.counts == {"pass": 1}


@pytest.mark.parametrize(
    ("kind", "reaches_server"),
    [("drop", False), ("reset", False), ("drop_after", True), ("reset_after", True), ("truncate", True)],
)
def test_connection_faults_are_transport_errors(
    proxy: FaultProxy, upstream: Upstream, kind: str, reaches_server: bool
) -> None:
    proxy.plan = always(Fault(kind, keep=0.6))
    with pytest.raises(httpx.TransportError):
        post(proxy)
    assert upstream.hits == int(reaches_server)


@pytest.mark.parametrize(("kind", "reaches_server"), [("status", False), ("status_after", True)])
def test_raw_status_answers(proxy: FaultProxy, upstream: Upstream, kind: str, reaches_server: bool) -> None:
    proxy.plan = always(Fault(kind, status=502))
    r = post(proxy)
    assert r.status_code == 502 and "text/html" in r.headers["content-type"]
    assert upstream.hits == int(reaches_server)


@pytest.mark.parametrize("kind", ["delay", "delay_after"])
def test_delays_make_the_client_time_out(proxy: FaultProxy, upstream: Upstream, kind: str) -> None:
    proxy.plan = Scripted([Fault(kind, delay=0.6)])
    with pytest.raises(httpx.ReadTimeout):
        post(proxy, timeout=0.2)
    # "delay" forwards the request once its delay is over although the client has given up: the server
    # acts on it late (an unknown outcome too); "delay_after" forwarded it at once.
    assert post(proxy).status_code == 200
    proxy.stop()  # joins the delayed request's thread
    assert upstream.hits == 2


def test_refuse_heal_and_restart(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.refuse()
    with pytest.raises(httpx.ConnectError):
        post(proxy)
    proxy.heal()
    assert post(proxy).status_code == 200
    proxy.restart(down=30)  # healed explicitly below
    assert not proxy.listening
    with pytest.raises(httpx.ConnectError):
        post(proxy)
    proxy.heal()
    assert post(proxy).status_code == 200
    proxy.plan = Scripted([Fault("restart", down=30)])
    with pytest.raises(httpx.TransportError):
        post(proxy)
    with pytest.raises(httpx.ConnectError):
        post(proxy)
    proxy.heal()
    assert post(proxy).status_code == 200


def test_raw_mode_per_connection(upstream: Upstream) -> None:
    with FaultProxy(upstream.server_address[1], raw=True, plan=Scripted(["pass", "reset", "truncate"])) as p:
        assert post(p).status_code == 200
        with pytest.raises(httpx.TransportError):
            post(p)
        with pytest.raises(httpx.TransportError):
            post(p)
        assert post(p).status_code == 200


def test_random_faults_are_reproducible() -> None:
    rates = {"drop": 0.2, "reset_after": 0.2, "truncate": 0.1, "status": 0.1}

    def draw(seed: int) -> list[Fault]:
        plan = RandomFaults(seed, rates)
        return [plan(Request(i, "POST", "/api/v1/sync/push", i)) for i in range(1, 200)]

    first, again, other = draw(7), draw(7), draw(8)
    assert first == again and first != other
    kinds = {f.kind for f in first}
    assert kinds == {"pass", *rates}
    only_push = RandomFaults(7, {"drop": 1.0}, paths=["/api/v1/sync/push"])
    assert only_push(Request(1, "GET", "/api/v1/health", 1)) == PASS
    assert only_push(Request(2, "POST", "/api/v1/sync/push", 2)).kind == "drop"
    with pytest.raises(ValueError):
        RandomFaults(1, {"drop": 0.7, "reset": 0.7})
    with pytest.raises(ValueError):
        FaultProxy(1, upstream_host="10.0.0.1")
