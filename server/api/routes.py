"""The ``/api/v1`` routes. Endpoints are plain functions (run in the thread pool), one use case each."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.contract import (
    API_PREFIX,
    CLIENT_TIME_HEADER,
    MAX_CHANGES_LIMIT,
    MAX_INT32,
    MAX_PORTAL_ACKS_LIMIT,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ChangesResponse,
    EnrollRequest,
    EnrollResponse,
    ErrorResponse,
    HealthResponse,
    LeaseRequest,
    LeaseResponse,
    LoginRequest,
    LoginResponse,
    PortalAcksResponse,
    PushRequest,
    PushResponse,
    QuarantineAck,
    QuarantineReport,
    as_utc,
    clock_skew,
    clock_skew_problem,
    utc_now,
)
from app.domain.errors import Problem
from server import audit_heads, devices, numbering, portal_acks, quarantine, sync
from server.db import Database
from server.devices import DeviceContext
from server.errors import ApiError

_bearer = HTTPBearer(auto_error=False, description="The device token returned by /devices/enroll.")

_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 409, 413, 422, 426, 503)
}


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def naive_utc(moment: datetime) -> datetime:
    return as_utc(moment).replace(tzinfo=None)


async def check_protocol(
    version: Annotated[str | None, Header(alias=PROTOCOL_HEADER, description="Protocol version: 1")] = None,
) -> None:
    value = (version or "").strip()
    if value == str(PROTOCOL_VERSION):
        return
    if value.isdigit() and int(value) > PROTOCOL_VERSION:
        vi = (
            f"Máy trạm dùng giao thức đồng bộ phiên bản {value}, máy chủ mới hỗ trợ đến phiên bản "
            f"{PROTOCOL_VERSION}: cần nâng cấp máy chủ tỉnh (báo bộ phận kỹ thuật)."
        )
        en = (
            f"The workstation speaks sync protocol {value}; the server supports up to {PROTOCOL_VERSION}: "
            "the provincial server needs an upgrade (tell IT support)."
        )
    else:
        vi = (
            "Phiên bản Một Cửa Desk trên máy trạm đã cũ, không còn đồng bộ được với máy chủ tỉnh "
            f"(cần giao thức phiên bản {PROTOCOL_VERSION}): hãy cài phiên bản mới nhất."
        )
        en = (
            "This workstation's Một Cửa Desk is too old to sync with the provincial server "
            f"(protocol {PROTOCOL_VERSION} is required): install the latest version."
        )
    raise ApiError(426, Problem("protocol.too_old", vi, en), {"Upgrade": f"motcua-sync/{PROTOCOL_VERSION}"})


def _clock_range() -> ApiError:
    return ApiError(
        422,
        Problem(
            "clock.range",
            "Giờ máy trạm gửi kèm nằm ngoài khoảng ngày giờ máy chủ xử lý được (múi giờ hoặc năm không hợp "
            "lệ): hãy chỉnh lại ngày giờ của máy trạm.",
            "The workstation time sent is outside the dates the server can handle (an impossible time zone "
            "or year): fix the workstation's date and time.",
        ),
    )


def _check_skew(client_time: datetime) -> None:
    try:
        skew = clock_skew(client_time, utc_now())
    except (OverflowError, ValueError):  # e.g. 9999-12-31T23:59:59-00:01 is past datetime.max in UTC
        raise _clock_range() from None
    if skew is not None:
        raise ApiError(409, clock_skew_problem(skew))


async def check_clock(
    client_time: Annotated[
        str | None, Header(alias=CLIENT_TIME_HEADER, description="Workstation time, ISO 8601 UTC; required")
    ] = None,
) -> None:
    if not client_time or not client_time.strip():
        raise ApiError(
            400,
            Problem(
                "clock.missing",
                f"Yêu cầu đồng bộ thiếu giờ máy trạm ({CLIENT_TIME_HEADER}): hãy cài phiên bản Một Cửa Desk "
                "mới nhất.",
                f"The sync request lacks the workstation time ({CLIENT_TIME_HEADER}): install the latest "
                "Một Cửa Desk.",
            ),
        )
    try:
        moment = datetime.fromisoformat(client_time.strip())
    except ValueError:
        raise ApiError(
            400,
            Problem(
                "clock.invalid",
                f"Giờ máy trạm gửi kèm ({CLIENT_TIME_HEADER}) không đúng dạng ISO 8601.",
                f"The workstation time sent in {CLIENT_TIME_HEADER} is not ISO 8601.",
            ),
        ) from None
    _check_skew(moment)


def current_device(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    db: Annotated[Database, Depends(get_db)],
) -> DeviceContext:
    return devices.authenticate(db, credentials.credentials if credentials else None)


DbDep = Annotated[Database, Depends(get_db)]
DeviceDep = Annotated[DeviceContext, Depends(current_device)]

health_router = APIRouter(prefix=API_PREFIX)
router = APIRouter(
    prefix=API_PREFIX, dependencies=[Depends(check_protocol), Depends(check_clock)], responses=_ERRORS
)


@health_router.get("/health", tags=["health"])
def health() -> HealthResponse:
    """Liveness and the server's time and protocol version (no authentication, no version check)."""
    return HealthResponse(status="ok", server_time=utc_now(), protocol=PROTOCOL_VERSION)


def client_source(request: Request) -> str:
    """The client's address: the peer, or what a configured trusted proxy forwarded (``serve
    --trusted-proxy``; uvicorn believes X-Forwarded-For from those only)."""
    return request.client.host if request.client is not None else ""


@router.post("/devices/enroll", tags=["devices"], responses={429: {"model": ErrorResponse}})
def enroll(body: EnrollRequest, db: DbDep, request: Request) -> EnrollResponse:
    """Enrol a workstation with a one-time code; returns its token once. Limited per source address."""
    _check_skew(body.client_time)
    now = utc_now()
    done = devices.enroll_guarded(db, body.code, body.device_name, naive_utc(now), client_source(request))
    return EnrollResponse(
        device_id=done.device_id,
        device_token=done.token,
        centre=done.centre,
        slot=done.slot,
        server_time=utc_now(),
    )


@router.post("/auth/login", tags=["auth"], responses={429: {"model": ErrorResponse}})
async def login(body: LoginRequest, db: DbDep, device: DeviceDep, request: Request) -> LoginResponse:
    """Check an operator of the device's centre; returns the password hash for offline log-in. Limited
    per device, per source address and per account (429 with Retry-After)."""
    operator = await devices.login(db, device, body.username, body.password, client_source(request))
    return LoginResponse(operator=operator, server_time=utc_now())


@router.post("/sync/push", tags=["sync"])
def push(body: PushRequest, db: DbDep, device: DeviceDep) -> PushResponse:
    """Events from the workstation's outbox: each is accepted, a duplicate, or rejected with a reason."""
    now = naive_utc(utc_now())
    results = sync.push(db, device, body.events, now)  # records the device's last sync too (if due)
    audit_heads.note(db, device, body.audit_head, now)  # a rewritten chain is recorded, never refused
    return PushResponse(results=results, server_time=utc_now())


@router.get("/sync/changes", tags=["sync"], response_model=ChangesResponse)
def changes(
    db: DbDep,
    device: DeviceDep,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGES_LIMIT)] = 500,
) -> Response:
    """The changes visible to the device's centre after ``since``, in sequence order."""
    page = sync.changes(db, device.centre_eid, min(since, MAX_INT32), limit)
    devices.touch(db, device, naive_utc(utc_now()))
    # A ChangesResponse, assembled from the stored change texts (validated when written), not re-encoded.
    return Response(page.response_json(since, utc_now()), media_type="application/json")


@router.post("/numbering/lease", tags=["numbering"])
def lease(body: LeaseRequest, db: DbDep, device: DeviceDep) -> LeaseResponse:
    """A block of dossier numbers of the device's agency for a day."""
    granted = numbering.lease(db, device, body.agency_eid, body.day, body.size, naive_utc(utc_now()))
    return LeaseResponse(lease=granted, slot=device.slot, server_time=utc_now())


@router.post("/sync/quarantined", tags=["sync"])
def quarantined(body: QuarantineReport, db: DbDep, device: DeviceDep) -> QuarantineAck:
    """Changes of the feed the desk could not apply and keeps in quarantine (recorded for the
    administrators: ``motcua-server quarantined``)."""
    recorded = quarantine.record(db, device, body.items, naive_utc(utc_now()))
    return QuarantineAck(recorded=recorded, server_time=utc_now())


@router.get("/sync/portal-acks", tags=["sync"])
def portal_acknowledgements(
    db: DbDep,
    device: DeviceDep,
    since_at: datetime | None = None,
    since_id: Annotated[str, Query(max_length=60)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PORTAL_ACKS_LIMIT)] = 500,
) -> PortalAcksResponse:
    """What the national portal acknowledged of the centre's dossiers, those acknowledged after the
    cursor (read-only; the desks' reconciliation report)."""
    since = naive_utc(since_at) if since_at is not None else None
    return portal_acks.page(db, device.centre_eid, since, since_id, limit)
