"""Issue 16, item 7 (D5, D11): https:// only (http:// on loopback), and TLS failures named for what they
are, against a real TLS server on 127.0.0.1 whose certificates are made here (trustme)."""

from __future__ import annotations

import http.server
import io
import json
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from app.cli.main import main
from app.sync.client import InsecureTransport, SyncClient
from app.sync.service import normalise_url
from app.sync.transport import insecure_problem


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = json.dumps(
            {"status": "ok", "server_time": datetime.now(UTC).isoformat(), "protocol": 1}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass


@pytest.fixture
def tls_server() -> Iterator[tuple[str, ...]]:
    """Serve the health route over TLS on 127.0.0.1 with a given leaf certificate; returns a starter."""
    servers: list[http.server.HTTPServer] = []

    def start(leaf: trustme.LeafCert) -> str:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(ctx)
        srv = http.server.HTTPServer(("127.0.0.1", 0), _Health)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(srv)
        return f"https://127.0.0.1:{srv.server_address[1]}"

    yield start  # type: ignore[misc]
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def _client_trusting(ca: trustme.CA, url: str) -> SyncClient:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return SyncClient(url, None, timeout=5, tls_context=ctx)


def test_a_valid_certificate_connects(tls_server) -> None:  # type: ignore[no-untyped-def]
    ca = trustme.CA()
    url = tls_server(ca.issue_cert("127.0.0.1"))
    with _client_trusting(ca, url) as client:
        assert client.health().status == "ok"


@pytest.mark.expect_log("app.sync.transport", "WARNING", "TLS failure .* tls.untrusted")
def test_a_self_signed_certificate_is_reported_as_not_trusted(tls_server) -> None:  # type: ignore[no-untyped-def]
    url = tls_server(trustme.CA().issue_cert("127.0.0.1"))
    with SyncClient(url, None, timeout=5) as client, pytest.raises(InsecureTransport) as caught:
        client.health()
    problem = caught.value.problem
    assert problem.code == "tls.untrusted" and "không được tin cậy" in problem.vi  # was "sync.unreachable"


@pytest.mark.expect_log("app.sync.transport", "WARNING", "tls.name_mismatch")
def test_a_certificate_for_another_name_is_reported_as_such(tls_server) -> None:  # type: ignore[no-untyped-def]
    ca = trustme.CA()
    url = tls_server(ca.issue_cert("motcua-sync.other.example"))
    with _client_trusting(ca, url) as client, pytest.raises(InsecureTransport) as caught:
        client.health()
    assert caught.value.problem.code == "tls.name_mismatch" and "tên khác" in caught.value.problem.vi


@pytest.mark.expect_log("app.sync.transport", "WARNING", "tls.expired")
def test_an_expired_certificate_is_reported_as_such(tls_server) -> None:  # type: ignore[no-untyped-def]
    ca = trustme.CA()
    now = datetime.now(UTC)
    leaf = ca.issue_cert("127.0.0.1", not_before=now - timedelta(days=60), not_after=now - timedelta(days=1))
    url = tls_server(leaf)
    with _client_trusting(ca, url) as client, pytest.raises(InsecureTransport) as caught:
        client.health()
    assert caught.value.problem.code == "tls.expired" and "hết hạn" in caught.value.problem.vi


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://motcua-sync.bacninh.gov.vn:8765", True),
        ("http://192.168.1.10:8765", True),
        ("ftp://127.0.0.1", True),
        ("https://motcua-sync.bacninh.gov.vn", False),
        ("http://127.0.0.1:8765", False),
        ("http://localhost:8765", False),
        ("http://[::1]:8765", False),
    ],
)
def test_plain_http_only_on_loopback(url: str, refused: bool) -> None:
    assert (insecure_problem(url) is not None) == refused
    if refused:
        with pytest.raises(InsecureTransport):
            SyncClient(url, None)


def test_an_address_without_scheme_gets_https_unless_loopback() -> None:
    assert normalise_url("motcua-sync.bacninh.gov.vn/") == "https://motcua-sync.bacninh.gov.vn"
    assert normalise_url("10.0.0.5:8765") == "https://10.0.0.5:8765"
    assert normalise_url("127.0.0.1:8765") == "http://127.0.0.1:8765"


def test_enrol_over_plain_http_is_refused_before_connecting(data_dir: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["enrol", "--server", "http://motcua-sync.bacninh.gov.vn:1", "--code", "ABCD-EFGH-JKLM"]
    code = main([*argv, "--data-dir", str(data_dir)], out=out, err=err)
    assert code == 1 and "https://" in err.getvalue() and "không mã hóa" in err.getvalue()
