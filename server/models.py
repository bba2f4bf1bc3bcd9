"""The server's schema (SQLAlchemy 2.0 typed ORM). Its own, not the workstation's.

Conventions:
- Times are naive UTC (``DateTime`` without time zone, the same on SQLite and PostgreSQL); dossier times
  inside the JSON documents are kept exactly as the workstation sent them.
- JSON documents are stored as compact, key-sorted text (:class:`JSONText`): portable, and stable to
  hash.
- ``changes.seq`` is the monotonic sequence the workstations pull by (see ``server.sync``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app.domain.canonical import canonical_json

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class JSONText(TypeDecorator[Any]):
    """JSON stored as compact, key-sorted UTF-8 text (never NUL: ``json.dumps`` escapes control
    characters, which PostgreSQL ``text`` requires)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return canonical_json(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)


UUID_LEN = 36
EID_LEN = 35


# --- reference ---------------------------------------------------------------------------------------


class AdminUnit(Base):
    """A current administrative unit (province or commune level, since 1 July 2025)."""

    __tablename__ = "admin_units"
    __table_args__ = (
        UniqueConstraint("level", "code", name="uq_admin_units_level_code"),
        CheckConstraint("level IN ('province', 'commune')", name="level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str] = mapped_column(String(4), index=True)


class Centre(Base):
    """A commune centre or a provincial agency: it has devices and operators, and sees its dossiers."""

    __tablename__ = "centres"
    __table_args__ = (CheckConstraint("kind IN ('commune_centre', 'provincial_agency')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    eid: Mapped[str] = mapped_column(String(EID_LEN), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    parent_name: Mapped[str] = mapped_column(String(300), default="")
    unit_code: Mapped[str | None] = mapped_column(String(10))
    province_code: Mapped[str] = mapped_column(String(10))
    place_name: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(1000), default="")
    hotline: Mapped[str] = mapped_column(String(100), default="")
    lookup_url: Mapped[str] = mapped_column(String(1000), default="")
    #: Shown on the centre's public page (server/web); empty: the page says to call the hotline.
    opening_hours: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Procedure(Base):
    """A catalogue entry, kept whole as the catalogue JSON shape (``CatalogueItem``)."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    item: Mapped[dict[str, Any]] = mapped_column(JSONText)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CalendarDay(Base):
    """An exception to the holiday calendar for the whole province."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint("kind IN ('off', 'working')", name="kind"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    #: The published notice that sets the day (s0002_rules).
    notice: Mapped[str] = mapped_column(String(100), default="", server_default="")
    notice_date: Mapped[date | None] = mapped_column(Date)


# --- people and devices ------------------------------------------------------------------------------


class Operator(Base):
    """An operator of one centre. Usernames are unique within a centre."""

    __tablename__ = "operators"
    __table_args__ = (UniqueConstraint("centre_id", "username", name="uq_operators_centre_username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    username: Mapped[str] = mapped_column(String(100), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="operator")
    # scrypt (app.domain.passwords), parameters in the string; never the password.
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class EnrolmentCode(Base):
    """A one-time, expiring enrolment code; only its SHA-256 is kept."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    device_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    #: ``motcua-server revoke-code``: an unused code withdrawn before it expired (D17; s0003_audit).
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Device(Base):
    """An enrolled workstation. Its bearer token is kept only as a SHA-256."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Numbering slot of the centre's agency, distinct among the centre's active (not revoked) devices.
    slot: Mapped[int] = mapped_column(Integer)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime)


# --- dossiers and the change feed --------------------------------------------------------------------


class Dossier(Base):
    """The server's state of a dossier: the received snapshot, kept up to date by accepted events."""

    __tablename__ = "dossiers"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    code: Mapped[str | None] = mapped_column(String(60), unique=True)
    receiving_eid: Mapped[str] = mapped_column(String(EID_LEN), index=True)
    competent_eid: Mapped[str | None] = mapped_column(String(EID_LEN), index=True)
    handling_eid: Mapped[str | None] = mapped_column(String(EID_LEN), index=True)
    status: Mapped[str] = mapped_column(String(30))
    # A DossierSnapshot (app.contract) with the current status, due date and handling agency.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class EventRow(Base):
    """An accepted event; ``id`` is the server's arrival order. Rejected events are not kept."""

    __tablename__ = "events"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(UUID_LEN), unique=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    type: Mapped[str] = mapped_column(String(30))
    # The event as validated (payload normalised by its model), and the SHA-256 of its canonical JSON.
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    body_hash: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)


class ChangeRow(Base):
    """One entry of the change feed. ``seq`` only grows; readers pull ``seq > since``.

    A dossier change carries the dossier's whole state at that moment and is visible to the centres whose
    e-ID is in ``receiving_eid``, ``competent_eid`` or ``handling_eid`` (as they were at that moment);
    procedure and calendar changes are visible to every centre.
    """

    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint("kind IN ('dossier', 'procedure', 'calendar', 'centre', 'rating')", name="kind"),
        Index("ix_changes_kind_seq", "kind", "seq"),
        Index("ix_changes_receiving_eid_seq", "receiving_eid", "seq"),
        Index("ix_changes_competent_eid_seq", "competent_eid", "seq"),
        Index("ix_changes_handling_eid_seq", "handling_eid", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    dossier_id: Mapped[str | None] = mapped_column(String(UUID_LEN), index=True)
    receiving_eid: Mapped[str | None] = mapped_column(String(EID_LEN))
    competent_eid: Mapped[str | None] = mapped_column(String(EID_LEN))
    handling_eid: Mapped[str | None] = mapped_column(String(EID_LEN))
    # The value of the change's ``dossier`` / ``procedure`` / ``calendar`` key (app.contract.Change).
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# --- digitised files (issue 19) ----------------------------------------------------------------------


class FileRef(Base):
    """A file reference: one row per accepted ``dossier.files`` event, written in the transaction that
    stores the event (``server.sync``). Which dossiers name a file (and so which centres may send or
    fetch it: those of the dossier row) and a dossier's files, by index instead of scanning events."""

    __tablename__ = "file_refs"
    __table_args__ = (Index("ix_file_refs_dossier_id_id", "dossier_id", "id"),)

    #: Arrival order (the event's): the newest row of a paper is its current file.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.event_id"), unique=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    #: None for a paper exempt from copying (TT 03/2025 Art. 5.2).
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    paper_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    exemption: Mapped[str | None] = mapped_column(String(30))


class StoredBlob(Base):
    """A file in the PostgreSQL blob store (``MOTCUA_BLOB_STORE=postgres``, ``server.blobs``): its
    declared size, the bytes received so far, and whether it is complete (SHA-256 verified). A file is
    served only when complete."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    held: Mapped[int] = mapped_column(BigInteger)
    complete: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class BlobChunk(Base):
    """One received chunk of a file in the PostgreSQL blob store, at its byte offset (``start``)."""

    __tablename__ = "blob_chunks"

    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True)
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# --- numbering ---------------------------------------------------------------------------------------


class NumberCounter(Base):
    """The lease high-water mark of an agency for a day (``app.domain.codes.LeaseBook``)."""

    __tablename__ = "number_counters"

    agency_eid: Mapped[str] = mapped_column(String(EID_LEN), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    high_water: Mapped[int] = mapped_column(Integer)


class NumberLease(Base):
    """A granted lease, for the record (who got which numbers, when)."""

    __tablename__ = "number_leases"
    __table_args__ = (
        Index("ix_number_leases_agency_eid_day", "agency_eid", "day"),
        CheckConstraint("first_number <= last_number", name="range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    agency_eid: Mapped[str] = mapped_column(String(EID_LEN))
    day: Mapped[date] = mapped_column(Date)
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(DateTime)


# --- trust (issue 16) --------------------------------------------------------------------------------


class QuarantinedChange(Base):
    """A change of the feed a desk reported it could not apply (e.g. its code collides with a dossier the
    desk holds): the desk keeps it in quarantine and pulls on; an administrator looks into it."""

    __tablename__ = "quarantined_changes"
    __table_args__ = (UniqueConstraint("device_id", "change_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    change_seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    dossier_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    code: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(DateTime)


# --- the national portal (server/portal.py, docs/portal-contract.md) ----------------------------------


class PortalSetting(Base):
    """The portal connector's settings and cursors (``url``, ``enabled``, ``events_cursor``…)."""

    __tablename__ = "portal_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PortalDossier(Base):
    """Per-dossier sync state with the portal."""

    __tablename__ = "portal_dossiers"

    dossier_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    receiving_eid: Mapped[str] = mapped_column(String(EID_LEN), index=True)
    competent_eid: Mapped[str | None] = mapped_column(String(EID_LEN), index=True)
    #: ``pending`` (deliveries waiting), ``synced`` (all acknowledged), ``failed`` (a delivery refused).
    state: Mapped[str] = mapped_column(String(10))
    events_total: Mapped[int] = mapped_column(Integer)
    events_acked: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime)


class PortalDelivery(Base):
    """One record to deliver, idempotent by (``code``, ``event_id``); a dossier's go in ``seq`` order."""

    __tablename__ = "portal_deliveries"
    __table_args__ = (
        UniqueConstraint("code", "event_id", name="uq_portal_deliveries_code_event"),
        Index("ix_portal_deliveries_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    code: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[str] = mapped_column(String(UUID_LEN))
    seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    #: ``pending``, ``sent`` or ``failed`` (refused by the portal: needs a person).
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    event_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


# --- citizen pages (server/web) ----------------------------------------------------------------------


class LookupLimit(Base):
    """Failed look-ups counted per key (``ip:<address>`` or ``code:<dossier code>``), with a lockout.

    Kept in the database, not in a worker's memory: the limits hold across worker processes and restarts
    (server/web/limits.py explains the arithmetic)."""

    __tablename__ = "lookup_limits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: Lockouts in a row without a success; each one doubles the next lockout (capped).
    strikes: Mapped[int] = mapped_column(Integer, default=0)


class Rating(Base):
    """A citizen's satisfaction rating of a handed-back dossier: one per dossier."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    dossier_code: Mapped[str] = mapped_column(String(60))
    centre_eid: Mapped[str] = mapped_column(String(EID_LEN), index=True)
    #: The operator who handed the result back (from the dossier's hand-back event), as the desk named him.
    officer: Mapped[str] = mapped_column(String(200), default="")
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    #: ``qr`` (the receipt's link) or ``tablet`` (the counter's tablet page).
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Notice(Base):
    """A notice to the applicant (server/notices): one per accepted event and consented channel, queued
    in this outbox and sent by ``motcua-server send-notices``. The unique (event, channel) pair makes the
    queueing exactly-once; the states make the sending so (see server/notices/outbox.py)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", name="uq_notices_event_id_channel"),
        CheckConstraint("channel IN ('email', 'sms', 'zalo')", name="channel"),
        CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed', 'unknown')", name="state"),
        Index("ix_notices_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(UUID_LEN))
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier_code: Mapped[str] = mapped_column(String(60), index=True)
    #: received | supplement | fees | result_ready | apology | stopped
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: Template parameters of the Zalo ZNS message (JSON object).
    params: Mapped[dict[str, Any]] = mapped_column(JSONText)
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    provider_ref: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class NoticeCursor(Base):
    """The last event (``events.id``) turned into notices: one row."""

    __tablename__ = "notice_cursor"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)


# --- trust (issue 16): who logged in where, and the security audit log ------------------------------------


class DeviceOperator(Base):
    """An operator who logged in through a device (``/auth/login``): the operators an event pushed by that
    device may name (``server.operators``). The desk's offline log-in uses the hash it got here."""

    __tablename__ = "device_operators"

    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), primary_key=True, index=True)
    first_login_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """One security event: an enrolment, a log-in, a revocation, a failure or a throttled client."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    #: ``enrol``, ``enrol.failed``, ``login``, ``login.failed``, ``throttled``, ``revoke``, ``rehash``…
    kind: Mapped[str] = mapped_column(String(30), index=True)
    centre_eid: Mapped[str | None] = mapped_column(String(EID_LEN))
    device_id: Mapped[str | None] = mapped_column(String(UUID_LEN))
    username: Mapped[str | None] = mapped_column(String(100))
    #: The client's address as the server saw it (after trusted proxies only).
    source: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(300), default="")


class DeviceAuditHead(Base):
    """The head of a device's keyed audit chain as last pushed (issue 16, D10; ``server/audit_heads.py``)."""

    __tablename__ = "device_audit_heads"

    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    mac: Mapped[str] = mapped_column(String(64))
    pushed_at: Mapped[datetime] = mapped_column(DateTime)
    #: The head before it (a push whose answer was lost leaves the desk anchored on that one).
    prior_position: Mapped[int | None] = mapped_column(BigInteger)
    prior_mac: Mapped[str | None] = mapped_column(String(64))
