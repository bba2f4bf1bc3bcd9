"""A thin typed HTTP client of the sync API (``app.contract``), on httpx.

Every call sends ``X-Motcua-Protocol`` and ``X-Motcua-Client-Time`` and returns the protocol's response
model, or raises one of:

- :class:`ServerRefused` — the server answered 4xx with a reason for the operator (``problem``) and the
  HTTP ``status_code`` (401: the device token is wrong or revoked; 426: this app is too old; …). Sending
  the same request again will not help.
- :class:`ClockSkew` — the workstation clock is more than 5 minutes off the server's, as the server said
  (409 ``clock.skew``) or as this client found comparing the answer's ``server_time``. Nothing is synced
  until the clock is fixed; the problem says how.
- :class:`TransientError` — network error, timeout, 5xx, 408/429, or an answer that is not the protocol's:
  try again later with the *same* request (pushes are idempotent by ``event_id``).

It keeps no state besides the token, and stores nothing (the sync engine keeps the token in the keyring).
"""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.contract import (
    API_PREFIX,
    CLIENT_TIME_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    AuditHead,
    BatchResult,
    ChangesResponse,
    ChunkResult,
    EnrollRequest,
    EnrollResponse,
    Event,
    FileStatus,
    HealthResponse,
    LeaseRequest,
    LeaseResponse,
    LoginRequest,
    LoginResponse,
    PortalAcksResponse,
    ProblemBody,
    PushRequest,
    PushResponse,
    QuarantineAck,
    QuarantineItem,
    QuarantineReport,
    clock_skew,
    clock_skew_problem,
    utc_now,
)
from app.domain.errors import Problem
from app.sync.transport import insecure_problem, tls_problem

__all__ = ["ClockSkew", "InsecureTransport", "ServerRefused", "SyncClient", "SyncError", "TransientError"]

M = TypeVar("M", bound=BaseModel)

_RETRYABLE_4XX = frozenset({408, 425, 429})


class SyncError(Exception):
    """Base of the client's errors."""


class ServerRefused(SyncError):
    """The server refused the request (4xx): ``problem`` says why, for the operator."""

    def __init__(self, problem: Problem, status_code: int) -> None:
        self.problem = problem
        self.status_code = status_code
        super().__init__(f"{status_code} {problem.code}: {problem.en}")


class InsecureTransport(ServerRefused):
    """Refused before any connection (plain http:// to another machine) or at the TLS handshake
    (certificate not trusted, name mismatch, expired): ``problem`` says which (app.sync.transport)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem, 0)


class ClockSkew(SyncError):
    """The workstation clock is off by more than the protocol allows; ``problem`` says how to fix it."""

    def __init__(self, problem: Problem, skew: timedelta | None = None) -> None:
        self.problem = problem
        #: Workstation clock minus server clock, when this client measured it.
        self.skew = skew
        self.status_code = 409
        super().__init__(f"{problem.code}: {problem.en}")


class TransientError(SyncError):
    """The server could not be reached or could not answer now: retry later with the same request."""

    def __init__(self, message: str, status_code: int | None = None, problem: Problem | None = None) -> None:
        self.status_code = status_code
        self.problem = problem or Problem(
            "sync.unreachable",
            "Không kết nối được máy chủ tỉnh; dữ liệu vẫn được lưu trên máy trạm và sẽ tự gửi lại "
            "khi có mạng.",
            "Cannot reach the provincial server; data stays on this workstation and is sent when the "
            "network is back.",
        )
        super().__init__(message)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CA bundle), made once per process. The sync thread opens a
    client every round, and loading the CA bundle holds the GIL for ~20-30 ms: the window's event loop
    stalled for as long each time."""
    return httpx.create_ssl_context()


class SyncClient:
    """The sync API at ``base_url`` (e.g. ``http://server:8765``), as the device holding ``token``."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if transport is None:  # a real network connection: https://, or http:// on loopback only
            problem = insecure_problem(base_url)
            if problem is not None:
                raise InsecureTransport(problem)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._clock = clock
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + API_PREFIX,
            timeout=timeout,
            transport=transport,
            verify=tls_context or _tls_context(),
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION), "Accept": "application/json"},
        )

    # -- lifecycle

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the API

    def health(self) -> HealthResponse:
        return self._call("GET", "/health", HealthResponse)

    def enroll(self, code: str, device_name: str) -> EnrollResponse:
        """Enrol this workstation; on success the client uses the new token for the next calls."""
        body = EnrollRequest(code=code, device_name=device_name, client_time=self._clock())
        response = self._call("POST", "/devices/enroll", EnrollResponse, body=body)
        self.token = response.device_token
        return response

    def login(self, username: str, password: str) -> LoginResponse:
        body = LoginRequest(username=username, password=password)
        return self._call("POST", "/auth/login", LoginResponse, body=body)

    def push(self, events: Sequence[Event], audit_head: AuditHead | None = None) -> PushResponse:
        """Push up to ``MAX_PUSH_EVENTS`` events (the caller splits larger outboxes), with the head of the
        desk's audit chain."""
        body = PushRequest(events=list(events), audit_head=audit_head)
        return self._call("POST", "/sync/push", PushResponse, body=body)

    def changes(self, since: int, limit: int = 500) -> ChangesResponse:
        return self._call("GET", "/sync/changes", ChangesResponse, params={"since": since, "limit": limit})

    def lease(self, agency_eid: str, day: date, size: int) -> LeaseResponse:
        body = LeaseRequest(agency_eid=agency_eid, day=day, size=size)
        return self._call("POST", "/numbering/lease", LeaseResponse, body=body)

    def report_quarantined(self, items: Sequence[QuarantineItem]) -> QuarantineAck:
        """Tell the server which changes of its feed this desk keeps in quarantine."""
        body = QuarantineReport(items=list(items))
        return self._call("POST", "/sync/quarantined", QuarantineAck, body=body)

    def portal_acks(
        self, since_at: datetime | None, since_id: str = "", limit: int = 500
    ) -> PortalAcksResponse:
        """What the national portal acknowledged of the centre's dossiers, after the cursor."""
        params: dict[str, Any] = {"since_id": since_id, "limit": limit}
        if since_at is not None:
            params["since_at"] = since_at.isoformat()
        return self._call("GET", "/sync/portal-acks", PortalAcksResponse, params=params)

    def file_status(self, sha256: str) -> FileStatus:
        return self._call("GET", f"/files/{sha256}", FileStatus)

    def put_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> ChunkResult:
        return self._call(
            "PUT", f"/files/{sha256}", ChunkResult, content=data, params={"offset": offset, "total": total}
        )

    def put_files(self, files: Sequence[tuple[str, bytes]]) -> BatchResult:
        """Several whole files, (sha256, bytes) each, in one ``POST /files/batch``."""
        return self._call(
            "POST",
            "/files/batch",
            BatchResult,
            content=b"".join(data for _sha, data in files),
            params={"file": [f"{sha256}:{len(data)}" for sha256, data in files]},
        )

    def file_content(self, sha256: str) -> bytes:
        """A digitised file's bytes (the caller checks them against ``sha256``)."""
        try:
            response = self._http.get(f"/files/{sha256}/content", headers=self._headers())
        except httpx.HTTPError as exc:
            raise TransientError(f"network error: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code in _RETRYABLE_4XX:
            raise TransientError(f"HTTP {response.status_code}", response.status_code, None)
        if response.status_code >= 400:
            raise ServerRefused(_problem_of(response), response.status_code)
        return response.content

    # -- plumbing

    def _headers(self) -> dict[str, str]:
        headers = {CLIENT_TIME_HEADER: self._clock().isoformat()}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
    ) -> M:
        try:
            headers = self._headers()
            if body is not None:
                headers["Content-Type"] = "application/json"
                # Serialised by pydantic straight to JSON bytes (not a dict for httpx to dump again).
                content = body.model_dump_json().encode()
            elif content is not None:
                headers["Content-Type"] = "application/octet-stream"
            response = self._http.request(
                method,
                path,
                content=content,
                params=params,
                headers=headers,
            )
        except httpx.TimeoutException as exc:
            raise TransientError(f"timeout: {exc!r}") from exc
        except httpx.HTTPError as exc:  # connection refused, reset, DNS, protocol errors…
            tls = tls_problem(exc, self.base_url)
            if tls is not None:  # not an outage: a certificate the desk must not trust
                raise InsecureTransport(tls) from exc
            raise TransientError(f"network error: {exc!r}") from exc
        status = response.status_code
        if status >= 400:
            problem = _problem_of(response)
            if status >= 500 or status in _RETRYABLE_4XX:
                raise TransientError(
                    f"HTTP {status}", status, problem if problem.code != "http.unknown" else None
                )
            if problem.code == "clock.skew":
                raise ClockSkew(problem)
            raise ServerRefused(problem, status)
        try:
            result = model.model_validate_json(response.content)
        except ValidationError as exc:
            raise TransientError(f"HTTP {status}: the answer is not a protocol {model.__name__}") from exc
        server_time = getattr(result, "server_time", None)
        if isinstance(server_time, datetime):
            skew = clock_skew(self._clock(), server_time)
            if skew is not None:
                raise ClockSkew(clock_skew_problem(skew), skew)
        return result


def _problem_of(response: httpx.Response) -> Problem:
    """The ``detail`` problem of an error answer, or a generic one (e.g. a proxy's HTML page)."""
    try:
        data = json.loads(response.content)
        return ProblemBody.model_validate(data["detail"]).to_problem()
    except (ValueError, KeyError, TypeError, ValidationError):
        pass
    status = response.status_code
    return Problem(
        "http.unknown",
        f"Máy chủ trả lời lỗi HTTP {status} không rõ nguyên nhân.",
        f"The server answered HTTP {status} without a reason.",
    )
