"""The sync protocol between a workstation and the provincial server, version 1 (docs/design.md, Sync
protocol).

Pydantic v2 models shared by the server (``server/``) and the workstation's HTTP client
(``app.sync.client``). Everything travels as JSON.

Conventions
-----------
- Every request to ``/api/v1`` (except ``/health``) carries ``X-Motcua-Protocol: 1``; the server answers
  426 ``protocol.too_old`` to any other version. Every such request carries ``X-Motcua-Client-Time``
  (ISO 8601, UTC; a naive value is read as UTC; missing: 400 ``clock.missing``, a date the server cannot
  hold: 422 ``clock.range``); when it is more than :data:`MAX_CLOCK_SKEW` away from the server clock the
  server answers 409 ``clock.skew``.
- Every response body has ``server_time`` (ISO 8601, UTC). Errors are 4xx with
  ``{"detail": {"code", "vi", "en", "field"?}, "server_time"}``; 503 means "try again later".
- Dossier times (``occurred_at``, ``received_at``, ``due_at``) are the centre's wall-clock times as the
  workstation stores them (naive, Asia/Ho_Chi_Minh); the server keeps them exactly as sent. The OpenAPI
  schema says so (:data:`WallClock`: a pattern, not ``format: date-time``); a number is not a time.
- Strings never contain NUL or lone surrogate code points, and have bounded lengths; ids are lowercase
  hyphenated UUIDs. Request models refuse unknown keys (a client and server of the same protocol version
  know exactly the same fields).
- An event's ``payload`` is a JSON object: a :class:`DossierSnapshot` for ``dossier.received``, a
  :class:`TransitionPayload` for ``dossier.transition``. The server validates it per event, so one bad
  payload is rejected alone (``event.invalid``) and does not fail the batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from app.domain.codes import Lease
from app.domain.errors import Problem
from app.domain.status import Action, Status

__all__ = [
    "API_PREFIX",
    "CLIENT_TIME_HEADER",
    "MAX_CHANGES_LIMIT",
    "MAX_CLOCK_SKEW",
    "MAX_PORTAL_ACKS_LIMIT",
    "MAX_LEASE_SIZE",
    "MAX_PUSH_EVENTS",
    "NO_NUL_PATTERN",
    "PROTOCOL_HEADER",
    "PROTOCOL_VERSION",
    "WALL_CLOCK_PATTERN",
    "ApplicantInfo",
    "AuditHead",
    "CalendarDay",
    "CatalogueItem",
    "CataloguePaper",
    "CentreInfo",
    "Change",
    "ChangesResponse",
    "DossierSnapshot",
    "DossierState",
    "EnrollRequest",
    "EnrollResponse",
    "ErrorResponse",
    "Event",
    "EventResult",
    "HealthResponse",
    "LeaseInfo",
    "LeaseRequest",
    "LeaseResponse",
    "LoginRequest",
    "LoginResponse",
    "OperatorInfo",
    "PortalAckInfo",
    "PortalAcksResponse",
    "ProblemBody",
    "PushRequest",
    "PushResponse",
    "TransitionPayload",
    "WallClock",
    "as_utc",
    "clock_skew",
    "clock_skew_problem",
    "utc_now",
]

PROTOCOL_VERSION: Final = 1
API_PREFIX: Final = "/api/v1"
PROTOCOL_HEADER: Final = "X-Motcua-Protocol"
CLIENT_TIME_HEADER: Final = "X-Motcua-Client-Time"
MAX_CLOCK_SKEW: Final = timedelta(minutes=5)
MAX_PUSH_EVENTS: Final = 500
MAX_CHANGES_LIMIT: Final = 1000
MAX_LEASE_SIZE: Final = 500
#: Upper bound of every integer that reaches a database column (PostgreSQL ``integer``).
MAX_INT32: Final = 2**31 - 1
#: Pages of one digitised paper (app.domain.digitise.MAX_PAGES).
MAX_PAPER_PAGES: Final = 500


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the form of every ``server_time``)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC; a naive value is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def clock_skew(client_time: datetime, server_time: datetime) -> timedelta | None:
    """How far the client clock is ahead of the server's (negative: behind), if beyond the limit."""
    skew = as_utc(client_time) - as_utc(server_time)
    return skew if abs(skew) > MAX_CLOCK_SKEW else None


def clock_skew_problem(skew: timedelta) -> Problem:
    """The operator's explanation of a workstation clock ``skew`` ahead (+) or behind (-) the server."""
    minutes = max(1, round(abs(skew).total_seconds() / 60))
    ahead = skew > timedelta(0)
    vi_dir, en_dir = ("nhanh", "ahead of") if ahead else ("chậm", "behind")
    return Problem(
        "clock.skew",
        f"Đồng hồ máy trạm lệch {minutes} phút so với máy chủ ({vi_dir} hơn). Hãy chỉnh lại giờ hệ thống của "
        "máy trạm (bật tự động đồng bộ thời gian trong phần cài đặt ngày giờ của Windows/Linux) rồi "
        "đồng bộ lại; "
        "dữ liệu chưa gửi vẫn được giữ nguyên.",
        f"The workstation clock is {minutes} minutes {en_dir} the server's. Fix the workstation's system "
        "time (turn on automatic time synchronisation in the date and time settings) and sync again; "
        "unsent data is kept.",
    )


# --------------------------------------------------------------------------------------------- types


#: Any lone surrogate code point (U+D800–U+DFFF): one C-level scan instead of a per-character generator.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _check_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    if _SURROGATE.search(value) is not None:
        raise ValueError("text must not contain lone surrogate code points")
    return value


_MAX_JSON_DEPTH: Final = 32


def _check_json(value: Any) -> Any:
    """Check a JSON value: no value deeper than 32 levels, and every string (keys too) clean as
    :func:`_check_text`. The strings are gathered by one walk of the containers and checked together
    (one C-level scan), not one call per value."""
    strings: list[str] = []
    _gather(value, 0, strings)
    _check_text("".join(strings))
    return value


def _gather(value: Any, depth: int, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
        return
    if isinstance(value, dict):
        items: Iterable[Any] = value.values()
        out.extend(value)  # the keys, in one C-level step
    elif isinstance(value, list):
        items = value
    else:
        return
    if value and depth >= _MAX_JSON_DEPTH:
        raise ValueError("JSON value nested too deeply (more than 32 levels)")
    for item in items:
        kind = type(item)
        if kind is str:  # the exact types first: what JSON gives, without isinstance's walk
            out.append(item)
        elif kind is dict or kind is list:
            _gather(item, depth + 1, out)
        elif isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict | list):
            _gather(item, depth + 1, out)


class _SchemaPattern:
    """Adds ``pattern`` (and a description) to a type's JSON schema only: what a validator already checks,
    said in the OpenAPI document (D18) without a second check at run time."""

    def __init__(self, pattern: str, description: str, *, drop_format: bool = False) -> None:
        self.pattern, self.description, self.drop_format = pattern, description, drop_format

    def __get_pydantic_json_schema__(
        self, core: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core)
        if self.drop_format:
            schema.pop("format", None)
        schema["pattern"] = self.pattern
        schema.setdefault("description", self.description)
        return schema


#: No NUL, no lone surrogate (written with escapes: the OpenAPI text stays valid UTF-8).
NO_NUL_PATTERN: Final = r"^[^\u0000\ud800-\udfff]*$"
_CLEAN: Final = AfterValidator(_check_text)
_CLEAN_SCHEMA: Final = _SchemaPattern(NO_NUL_PATTERN, "Text without NUL or lone surrogate code points.")

Text3 = Annotated[str, StringConstraints(max_length=3), _CLEAN, _CLEAN_SCHEMA]
Text9 = Annotated[str, StringConstraints(max_length=9), _CLEAN, _CLEAN_SCHEMA]
Text12 = Annotated[str, StringConstraints(max_length=12), _CLEAN, _CLEAN_SCHEMA]
Text16 = Annotated[str, StringConstraints(max_length=16), _CLEAN, _CLEAN_SCHEMA]
Text20 = Annotated[str, StringConstraints(max_length=20), _CLEAN, _CLEAN_SCHEMA]
Text60 = Annotated[str, StringConstraints(max_length=60), _CLEAN, _CLEAN_SCHEMA]
Text100 = Annotated[str, StringConstraints(max_length=100), _CLEAN, _CLEAN_SCHEMA]
Text200 = Annotated[str, StringConstraints(max_length=200), _CLEAN, _CLEAN_SCHEMA]
Text300 = Annotated[str, StringConstraints(max_length=300), _CLEAN, _CLEAN_SCHEMA]
Text1000 = Annotated[str, StringConstraints(max_length=1_000), _CLEAN, _CLEAN_SCHEMA]
Text5000 = Annotated[str, StringConstraints(max_length=5_000), _CLEAN, _CLEAN_SCHEMA]
Key64 = Annotated[str, StringConstraints(min_length=1, max_length=64), _CLEAN, _CLEAN_SCHEMA]
Key100 = Annotated[str, StringConstraints(min_length=1, max_length=100), _CLEAN, _CLEAN_SCHEMA]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300), _CLEAN, _CLEAN_SCHEMA]
LongName = Annotated[str, StringConstraints(min_length=1, max_length=2_000), _CLEAN, _CLEAN_SCHEMA]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=200), _CLEAN, _CLEAN_SCHEMA]
ProcedureCode = Annotated[str, StringConstraints(min_length=1, max_length=60), _CLEAN, _CLEAN_SCHEMA]

#: A lowercase hyphenated UUID (``str(uuid.uuid4())``).
UuidStr = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
#: An agency e-ID (Decision 20/2020/QĐ-TTg), e.g. ``000.17.22.H56``.
AgencyEid = Annotated[str, StringConstraints(max_length=35, pattern=r"^[0-9A-Z]+(\.[0-9A-Z]+)*$")]
#: An administrative unit code (``07210``, ``24``).
UnitCode = Annotated[str, StringConstraints(min_length=1, max_length=10, pattern=r"^[0-9A-Za-z.]+$")]
#: A free-form JSON object (bounded nesting, clean strings).
JsonObject = Annotated[dict[str, Any], AfterValidator(_check_json)]


def _wall_clock_input(value: Any) -> Any:
    # JSON numbers are not times: lax mode would read 0 as 1970-01-01 (schemathesis ST201, D18); a text
    # must be what the schema's pattern says (lax mode would also take a bare date).
    if isinstance(value, int | float):
        raise ValueError("a time must be an ISO 8601 date-time text, not a number")
    if isinstance(value, str) and _WALL_CLOCK.match(value) is None:
        raise ValueError("a time must be an ISO 8601 date-time text: YYYY-MM-DDTHH:MM[:SS[.ffffff]][offset]")
    return value


#: A dossier time: the centre's wall clock as the workstation stores it, without a UTC offset (one is
#: accepted and ignored by the desk). The OpenAPI schema says so with a pattern rather than
#: ``format: date-time``, which demands an offset (schemathesis ST108, D18).
WALL_CLOCK_PATTERN: Final = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
_WALL_CLOCK: Final = re.compile(WALL_CLOCK_PATTERN)
WallClock = Annotated[
    datetime,
    BeforeValidator(_wall_clock_input),
    _SchemaPattern(
        WALL_CLOCK_PATTERN,
        "The centre's wall-clock time (Asia/Ho_Chi_Minh), ISO 8601; usually without a UTC offset.",
        drop_format=True,
    ),
]
SmallInt = Annotated[int, Field(ge=0, le=MAX_INT32)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------- errors


class ProblemBody(_Model):
    """An error or a rejection, for the operator: Vietnamese first, English twin."""

    code: Key100
    vi: Text5000
    en: Text5000
    field: Text200 | None = None

    @classmethod
    def of(cls, problem: Problem) -> ProblemBody:
        return cls(code=problem.code, vi=problem.vi, en=problem.en, field=problem.field)

    def to_problem(self) -> Problem:
        return Problem(self.code, self.vi, self.en, self.field)


class ErrorResponse(_Model):
    detail: ProblemBody
    server_time: datetime | None = None


# ------------------------------------------------------------------------------------------ enrolment


class CentreInfo(_Model):
    """A centre (commune centre or provincial agency) as the server knows it."""

    eid: AgencyEid
    name: Name
    kind: Literal["commune_centre", "provincial_agency"]
    unit_code: UnitCode | None = None
    province_code: UnitCode
    parent_name: Text300 = ""
    place_name: Text100 = ""
    address: Text1000 = ""
    hotline: Text100 = ""
    lookup_url: Text1000 = ""


class EnrollRequest(_Model):
    code: Key64
    device_name: Key100
    client_time: datetime


class EnrollResponse(_Model):
    device_id: UuidStr
    #: Returned once; the server keeps only its SHA-256. The workstation stores it in the OS keyring.
    device_token: str
    centre: CentreInfo
    #: The workstation's numbering slot for its centre's agency (fallback numbers, ``NumberingPlan``).
    slot: int
    server_time: datetime


# ---------------------------------------------------------------------------------------------- login


class LoginRequest(_Model):
    username: Key100
    password: Secret


class OperatorInfo(_Model):
    username: Text100
    full_name: Text200
    role: Text20
    #: The password hash (Argon2id, or a legacy scrypt one; ``app.domain.passwords``), so the workstation
    #: can verify the password offline.
    password_hash: Text1000


class LoginResponse(_Model):
    operator: OperatorInfo
    server_time: datetime


# ------------------------------------------------------------------------------------------- dossiers


class ApplicantInfo(_Model):
    id: UuidStr
    personal_id: Text12 | None = None
    old_id: Text9 | None = None
    full_name: Text200
    birth_date: date | None = None
    gender: Text3 | None = None
    phone: Text20 | None = None
    email: Text200 | None = None
    address: Text1000 = ""
    unit_code: UnitCode | None = None


class DossierSnapshot(_Model):
    """The whole dossier as received (payload of ``dossier.received``)."""

    id: UuidStr
    #: ``<agency e-ID>-<yyMMdd>-<NNNN>``; null only for a dossier refused at intake without a number.
    code: Text60 | None = None
    lookup_secret: Text16 = ""
    procedure_code: ProcedureCode
    procedure_name: Text1000
    applicant: ApplicantInfo
    receiving_agency_eid: AgencyEid
    receiving_agency: Text300
    competent_agency: Text300
    competent_agency_eid: AgencyEid | None = None
    competent_unit_code: UnitCode | None = None
    handling_agency: Text300
    handling_agency_eid: AgencyEid | None = None
    scenario: Literal["a", "b", "c"]
    channel: Literal["direct", "postal", "online"] = "direct"
    received_at: WallClock
    due_at: WallClock | None = None
    status: Status
    papers_received: Annotated[list[JsonObject], Field(max_length=500)] = []
    sets_count: Annotated[int, Field(ge=1, le=10_000)] = 1
    fee_vnd: Annotated[int, Field(ge=0, le=10**15)] = 0
    result_delivery: Text20 = "counter"
    notes: Text5000 = ""
    #: An online dossier: the national portal's identifier (kept beside our code) and the moment it must be
    #: accepted or refused by (working hours by the due-date calendar; server/portal.py).
    portal_id: Text60 | None = None
    acceptance_due_at: WallClock | None = None
    #: An online dossier: whether the applicant signed in to the portal with VNeID
    #: (``TaiKhoanDuocXacThucVoiVNeID``) and whether the fee was paid online: 0 no, 1 on the national
    #: portal, 2 on the provincial gateway (``DuocThanhToanTrucTuyen``), as the portal's submission says.
    vneid_verified: bool = False
    paid_online: Annotated[int, Field(ge=0, le=2)] = 0
    #: The channels the applicant consented at intake to be notified on (the server's notices).
    notify: Annotated[list[Literal["email", "sms", "zalo"]], Field(max_length=3)] = []


class TransitionPayload(_Model):
    """Payload of ``dossier.transition``: one action of the status machine (``app.domain.status``)."""

    action: Action
    from_status: Status | None = None
    to_status: Status
    reason: Text5000 = ""
    #: Set when the action changes the due date (supplement received, apology/extension).
    due_at: WallClock | None = None
    #: The forward (or transfer) target.
    handling_agency_eid: AgencyEid | None = None
    #: The code given when an online dossier is accepted (``receive`` from ``new``); nothing else sets it.
    code: Text60 | None = None
    extra: JsonObject = {}


Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class FilePage(_Model):
    """One image of a digitised paper: its page number, whether it is the sticky-note image of that page,
    and the SHA-256 of its image stream in the PDF (``app.digitise.imaging.page_hashes``)."""

    page: Annotated[int, Field(ge=1, le=MAX_PAPER_PAGES)]
    note: bool = False
    mode: Literal["bw", "grey"]
    dpi: Annotated[int, Field(ge=50, le=1200)]
    sha256: Sha256Hex


class FilesPayload(_Model):
    """Payload of ``dossier.files``: a paper of the dossier digitised (one PDF), or exempt from copying
    (TT 03/2025 Art. 5.2), or the electronic result (issue 19). The file itself travels separately."""

    kind: Literal["paper", "result"]
    #: The paper's 1-based row in the dossier's checklist; 0 for the result.
    paper_no: Annotated[int, Field(ge=0, le=500)]
    name: Text5000
    declared_pages: Annotated[int, Field(ge=1, le=MAX_PAPER_PAGES)] | None = None
    page_count: Annotated[int, Field(ge=0, le=MAX_PAPER_PAGES)]
    image_count: Annotated[int, Field(ge=0, le=2 * MAX_PAPER_PAGES)]
    pages: Annotated[list[FilePage], Field(max_length=2 * MAX_PAPER_PAGES)] = []
    sha256: Sha256Hex | None = None
    size: Annotated[int, Field(ge=0, le=MAX_INT32)] = 0
    media_type: Literal["application/pdf"] = "application/pdf"
    exemption: Literal["electronic", "shown_only", "verification_result", "secret"] | None = None
    #: The file was digitised earlier for another dossier of the same citizen and reused (linked).
    reused: bool = False
    #: Set on the event a desk records when OCR ends after the paper's event was pushed: this file is the
    #: PDF/A with the text layer of the image-only PDF with this SHA-256, named by an earlier event of the
    #: same paper; the same page images (``pages`` the same hashes), only the text layer and the PDF/A
    #: declarations added. Left out of the event's JSON when not set (the canonical form of the events
    #: made before it existed is unchanged).
    text_layer_of: Sha256Hex | None = None

    @model_serializer(mode="wrap")
    def _without_unset_text_layer(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("text_layer_of") is None:
            out.pop("text_layer_of", None)
        return out


class FileStatus(_Model):
    """``GET /files/{sha256}``: whether the server holds the file, or how much of an upload it holds."""

    sha256: Sha256Hex
    size: Annotated[int, Field(ge=0, le=MAX_INT32)]
    have: bool
    offset: Annotated[int, Field(ge=0, le=MAX_INT32)]
    server_time: datetime


class ChunkResult(_Model):
    """``PUT /files/{sha256}?offset=N&total=T`` with the chunk's bytes as the body."""

    offset: Annotated[int, Field(ge=0, le=MAX_INT32)]
    complete: bool
    server_time: datetime


#: Most whole files in one ``POST /files/batch`` request (their bytes together at most one chunk's limit).
MAX_BATCH_FILES = 64


class BatchFileResult(_Model):
    """One file of a ``POST /files/batch``: ``complete`` (the server holds it whole, verified and durable:
    stored now or before), or refused with ``status`` (the HTTP status a single-file upload would have
    had: 409 ``file.offset`` = part of it is held, resume it alone; 5xx = try again later; other 4xx =
    refused) and ``problem``."""

    sha256: Sha256Hex
    complete: bool
    status: Annotated[int, Field(ge=200, le=599)] = 200
    problem: ProblemBody | None = None


class BatchResult(_Model):
    """``POST /files/batch?file=<sha256>:<size>&…`` with the files' bytes one after another as the body:
    one result per file, in the request's order."""

    files: list[BatchFileResult]
    server_time: datetime


EventType = Literal["dossier.received", "dossier.transition", "dossier.files"]


class Event(_Model):
    """One change made at a workstation, pushed from its outbox; idempotent by ``event_id``."""

    event_id: UuidStr
    dossier_id: UuidStr
    #: Per dossier, 1-based, as numbered by the workstation that made the event.
    seq: Annotated[int, Field(ge=1, le=MAX_INT32)]
    type: EventType
    occurred_at: WallClock
    operator: Text200
    workstation: Text100
    payload: JsonObject

    @classmethod
    def received(
        cls,
        event_id: str,
        snapshot: DossierSnapshot,
        *,
        seq: int = 1,
        occurred_at: datetime,
        operator: str,
        workstation: str,
    ) -> Event:
        return cls(
            event_id=event_id,
            dossier_id=snapshot.id,
            seq=seq,
            type="dossier.received",
            occurred_at=occurred_at,
            operator=operator,
            workstation=workstation,
            payload=snapshot.model_dump(mode="json"),
        )

    @classmethod
    def transitioned(
        cls,
        event_id: str,
        dossier_id: str,
        payload: TransitionPayload,
        *,
        seq: int,
        occurred_at: datetime,
        operator: str,
        workstation: str,
    ) -> Event:
        return cls(
            event_id=event_id,
            dossier_id=dossier_id,
            seq=seq,
            type="dossier.transition",
            occurred_at=occurred_at,
            operator=operator,
            workstation=workstation,
            payload=payload.model_dump(mode="json"),
        )

    def snapshot(self) -> DossierSnapshot:
        """The payload of a ``dossier.received`` event (raises ``pydantic.ValidationError``)."""
        return DossierSnapshot.model_validate(self.payload)

    def transition(self) -> TransitionPayload:
        """The payload of a ``dossier.transition`` event (raises ``pydantic.ValidationError``)."""
        return TransitionPayload.model_validate(self.payload)

    def files(self) -> FilesPayload:
        """The payload of a ``dossier.files`` event (raises ``pydantic.ValidationError``)."""
        return FilesPayload.model_validate(self.payload)


class AuditHead(_Model):
    """The head of the desk's keyed audit chain (issue 16, D10): its position and MAC, and the MAC the
    chain now has at the position of the head the server last acknowledged (the anchor)."""

    position: Annotated[int, Field(strict=True, ge=1, le=2**62)]
    mac: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    anchor_position: Annotated[int, Field(strict=True, ge=1, le=2**62)] | None = None
    anchor_mac: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{64})?$")] | None = None


class PushRequest(_Model):
    events: Annotated[list[Event], Field(max_length=MAX_PUSH_EVENTS)]
    #: Optional (older desks send none); recorded per device, never a reason to refuse the events.
    audit_head: AuditHead | None = None


class EventResult(_Model):
    event_id: UuidStr
    status: Literal["accepted", "duplicate", "rejected"]
    reason: ProblemBody | None = None


class PushResponse(_Model):
    results: list[EventResult]
    server_time: datetime


# -------------------------------------------------------------------------------------------- changes


class CataloguePaper(_Model):
    name: LongName
    form: Literal["original", "copy", "original_or_copy", "show"]
    count: Annotated[int, Field(ge=1, le=1_000)]
    note: Text5000 = ""


_Unit = Literal["same_day", "working_days", "working_hours", "calendar_days"]


class TimeLimit(_Model):
    value: SmallInt
    unit: _Unit


class FeeRule(_Model):
    per: Literal["page"]
    #: ``[first page, đồng a page]`` in order, e.g. ``[[1, 2000], [3, 1000]]``.
    tiers: Annotated[
        list[tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=0, le=10**9)]]],
        Field(min_length=1, max_length=10),
    ]
    cap_per_copy: Annotated[int, Field(ge=0, le=10**12)] | None = None


class CatalogueExtension(_Model):
    id: Annotated[str, Field(min_length=1, max_length=40)]
    label: Text300
    add: TimeLimit | None = None
    limit: TimeLimit | None = None


class CatalogueItem(_Model):
    """One procedure, exactly as an entry of ``resources/catalogue/demo-procedures.json`` (schema 1)."""

    code: ProcedureCode
    name: LongName
    field: Text300
    level: Literal["commune", "province"]
    competent_agency: Text300
    time_value: SmallInt
    time_unit: Literal["same_day", "working_days", "working_hours", "calendar_days"]
    time_text: Text5000 = ""
    fee_vnd: Annotated[int, Field(ge=0, le=10**15)] = 0
    fee_text: Text5000 = ""
    papers: Annotated[list[CataloguePaper], Field(min_length=1, max_length=200)]
    channels: list[Literal["direct", "postal", "online"]] = ["direct"]
    cross_boundary: bool = False
    unsure: Text5000 = ""
    #: Limits of the channels that differ from the in-person one (app.domain.rules).
    time_by_channel: dict[Literal["postal", "online"], TimeLimit] = {}
    #: A computed fee (per page / per copy, tiers, cap); None = the flat ``fee_vnd``.
    fee_rule: FeeRule | None = None
    #: Extensions set by specialised law that the operator may apply at intake.
    extensions: Annotated[list[CatalogueExtension], Field(max_length=20)] = []


class CalendarDay(_Model):
    """An exception to the holiday calendar: an extra day off, or a make-up working day."""

    day: date
    kind: Literal["off", "working"]
    note: Text300 = ""
    #: The published notice that sets the day (số hiệu, e.g. "12729/VPCP-KGVX") and its date.
    notice: Annotated[str, Field(max_length=100)] = ""
    notice_date: date | None = None
    #: The province removed this day (``motcua-server holiday remove``): desks delete their row.
    removed: bool = False


class DossierState(DossierSnapshot):
    """A dossier as the server holds it now (status, due date, handling agency kept up to date by the
    accepted events) and all its accepted events, in the server's arrival order."""

    events: list[Event]


class RatingInfo(_Model):
    """A citizen's satisfaction rating of a handed-back dossier (one per dossier), from the server's
    citizen pages: pulled by the desks so that their statistics can count it."""

    dossier_id: UuidStr
    dossier_code: Text60
    centre_eid: AgencyEid
    #: The operator who handed the result back, as named in the dossier's ``hand_back`` event.
    officer: Text200 = ""
    score: Annotated[int, Field(ge=1, le=5)]
    comment: Text1000 = ""
    source: Literal["qr", "tablet"]
    rated_at: datetime


#: What a change of the feed carries (one of the optional fields of :class:`Change`).
ChangeKind = Literal["dossier", "procedure", "calendar", "centre", "rating"]


class Change(_Model):
    seq: int
    kind: ChangeKind
    dossier: DossierState | None = None
    procedure: CatalogueItem | None = None
    calendar: CalendarDay | None = None
    #: A centre's published settings changed (its look-up address, hotline…): every centre sees it.
    centre: CentreInfo | None = None
    #: A rating of a dossier: visible to the centres that see the dossier.
    rating: RatingInfo | None = None


class ChangesResponse(_Model):
    changes: list[Change]
    #: The cursor for the next call (``since=next``); store it with the changes, in the same transaction.
    next: int
    more: bool
    server_time: datetime


# ------------------------------------------------------------------------------------------ portal acks

#: Dossiers a ``/sync/portal-acks`` page carries at most.
MAX_PORTAL_ACKS_LIMIT: Final = 1000


class PortalAckInfo(_Model):
    """What the national portal acknowledged of one dossier of the centre (server/portal_acks.py), for the
    desks' reconciliation (app/domain/reconcile.py). Times are UTC."""

    dossier_id: UuidStr
    code: Text60 | None = None
    #: The server's sync state of the dossier: ``pending``, ``synced`` or ``failed`` (refused by the portal).
    state: Text20
    records: Annotated[int, Field(ge=0, le=MAX_INT32)]
    acked: Annotated[int, Field(ge=0, le=MAX_INT32)]
    #: The national status (``TrangThaiHoSo``) of the last acknowledged record.
    status: Annotated[int, Field(ge=1, le=10)] | None = None
    #: When the event of the first acknowledged record happened, and when the portal acknowledged it.
    first_event_at: datetime | None = None
    first_acked_at: datetime | None = None
    last_acked_at: datetime


class PortalAcksResponse(_Model):
    items: list[PortalAckInfo]
    #: The cursor of the next page (``since_at``/``since_id``): the last item's ``last_acked_at`` and id.
    next_at: datetime | None = None
    next_id: Text60 = ""
    more: bool
    server_time: datetime


# ------------------------------------------------------------------------------------------ quarantine

#: Quarantined changes a desk reports in one call.
MAX_QUARANTINE_REPORT = 200


class QuarantineItem(_Model):
    """A change of the feed a desk could not apply and keeps in quarantine (issue 16, D1)."""

    seq: Annotated[int, Field(ge=0, le=2**62)]
    kind: ChangeKind
    dossier_id: UuidStr | None = None
    code: Text200 | None = None
    reason: Text5000


class QuarantineReport(_Model):
    items: Annotated[list[QuarantineItem], Field(min_length=1, max_length=MAX_QUARANTINE_REPORT)]


class QuarantineAck(_Model):
    recorded: int
    server_time: datetime


# ------------------------------------------------------------------------------------------ numbering


class LeaseRequest(_Model):
    agency_eid: AgencyEid
    day: date
    size: Annotated[int, Field(ge=1, le=MAX_LEASE_SIZE)]


class LeaseInfo(_Model):
    agency_eid: AgencyEid
    day: date
    first: int
    last: int

    def to_domain(self) -> Lease:
        return Lease(self.agency_eid, self.day, self.first, self.last)


class LeaseResponse(_Model):
    lease: LeaseInfo
    slot: int
    server_time: datetime


# ---------------------------------------------------------------------------------------------- health


class HealthResponse(_Model):
    status: Literal["ok"]
    server_time: datetime
    protocol: int
