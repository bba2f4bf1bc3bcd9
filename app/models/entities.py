"""The local store: SQLAlchemy 2.0 typed ORM.

Datetimes are naive local wall-clock times of the centre (Asia/Ho_Chi_Minh); the working-time
calendar of ``app.domain.calendar`` works on the same convention.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONText, Uuid

# --- reference data ---------------------------------------------------------------------------------


class AdminUnit(Base):
    """An administrative unit, current or historical.

    Codes are reused across generations (old ward 07210 Hoàng Văn Thụ vs new ward 07210 Bắc Giang), so
    the key is a surrogate id and ``(code, level, valid_from)`` is unique. Current units have
    ``valid_to`` = None; units abolished by the 1 July 2025 reform have ``valid_to`` = 2025-06-30 and
    their successors in :class:`UnitSuccession`.
    """

    __tablename__ = "admin_units"
    __table_args__ = (
        UniqueConstraint("code", "level", "valid_from", name="uq_admin_units_code_level_valid_from"),
        CheckConstraint("level IN ('province', 'district', 'commune')", name="level"),
        Index("ix_admin_units_code_current", "code", "valid_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str] = mapped_column(String(10))
    # xa, phuong, dac_khu, thi_tran, tinh, thanh_pho, quan, huyen, thi_xa …
    kind: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str] = mapped_column(String(4), index=True)
    province_name: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str | None] = mapped_column(String(6))
    district_name: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The default successor (a unit merged whole); a unit split several ways has several successions.
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("admin_units.id"))


class UnitSuccession(Base):
    """One row of the official conversion table: an old unit (whole or part) went into a new unit."""

    __tablename__ = "unit_successions"

    old_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), primary_key=True)
    new_unit_id: Mapped[int] = mapped_column(ForeignKey("admin_units.id"), primary_key=True, index=True)
    note: Mapped[str] = mapped_column(String(200), default="")


class Centre(Base):
    """A receiving or handling agency: a commune centre, or a provincial department (inter-level)."""

    __tablename__ = "centres"
    __table_args__ = (CheckConstraint("kind IN ('commune_centre', 'provincial_agency')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_eid: Mapped[str] = mapped_column(String(35), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="commune_centre")
    name: Mapped[str] = mapped_column(String(300))
    parent_name: Mapped[str] = mapped_column(String(300), default="")
    unit_code: Mapped[str | None] = mapped_column(String(10))
    province_code: Mapped[str] = mapped_column(String(4))
    place_name: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    hotline: Mapped[str] = mapped_column(String(50), default="")
    lookup_url: Mapped[str] = mapped_column(String(500), default="")
    # Working hours "HH:MM-HH:MM" for the morning and afternoon sessions.
    morning_hours: Mapped[str] = mapped_column(String(11), default="07:00-11:30")
    afternoon_hours: Mapped[str] = mapped_column(String(11), default="13:30-17:00")
    is_home: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))


class Procedure(Base):
    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint("level IN ('commune', 'province')", name="level"),
        CheckConstraint(
            "time_unit IN ('same_day', 'working_days', 'working_hours', 'calendar_days')", name="time_unit"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    name_folded: Mapped[str] = mapped_column(String(500))
    field: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10))
    competent_agency: Mapped[str] = mapped_column(String(300))
    time_value: Mapped[int] = mapped_column(Integer)
    time_unit: Mapped[str] = mapped_column(String(20))
    time_text: Mapped[str] = mapped_column(Text, default="")
    fee_vnd: Mapped[int] = mapped_column(Integer, default=0)
    fee_text: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[list[str]] = mapped_column(JSONText, default=list)
    cross_boundary: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Rules as published (0004_rules): limits of other channels, a computed fee, extensions by law.
    time_by_channel: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict, server_default="{}")
    fee_rule: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    extensions: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list, server_default="[]")

    papers: Mapped[list[ProcedurePaper]] = relationship(
        back_populates="procedure", order_by="ProcedurePaper.position", cascade="all, delete-orphan"
    )


class ProcedurePaper(Base):
    __tablename__ = "procedure_papers"
    __table_args__ = (
        CheckConstraint("form IN ('original', 'copy', 'original_or_copy', 'show')", name="form"),
        CheckConstraint("count >= 1", name="count"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    form: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str] = mapped_column(Text, default="")

    procedure: Mapped[Procedure] = relationship(back_populates="papers")


class HolidayOverride(Base):
    """An editable exception to the holiday calendar: an extra day off, or a make-up working day."""

    __tablename__ = "holiday_overrides"
    __table_args__ = (CheckConstraint("kind IN ('off', 'working')", name="kind"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(300), default="")
    # The published notice that sets the day (0004_rules) and where the row came from: "seed" (the
    # bundled notices file) or "server" (the provincial table, which wins).
    notice: Mapped[str] = mapped_column(String(100), default="", server_default="")
    notice_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10), default="server", server_default="server")


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)


# --- people and machines ----------------------------------------------------------------------------


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # A slow salted hash (Argon2id, or legacy scrypt; parameters in the string); never the password.
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="operator")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    server_id: Mapped[str | None] = mapped_column(String(64))


class Workstation(Base):
    __tablename__ = "workstations"
    __table_args__ = (UniqueConstraint("centre_id", "slot", name="uq_workstations_centre_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    slot: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    device_id: Mapped[str | None] = mapped_column(String(64))
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime)


class NumberLease(Base):
    """A block of dossier numbers for one agency and one day, from the server or the slot's fallback."""

    __tablename__ = "number_leases"
    __table_args__ = (
        CheckConstraint("source IN ('server', 'fallback')", name="source"),
        CheckConstraint("first_number <= last_number", name="range"),
        Index("ix_number_leases_agency_day", "agency_eid", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_eid: Mapped[str] = mapped_column(String(35))
    day: Mapped[date] = mapped_column(Date)
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    # The next number to hand out; last_number + 1 when spent.
    next_number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstations.id"))
    granted_at: Mapped[datetime] = mapped_column(DateTime)


# --- dossiers ---------------------------------------------------------------------------------------


class Applicant(Base):
    __tablename__ = "applicants"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    personal_id: Mapped[str | None] = mapped_column(String(12), index=True)
    old_id: Mapped[str | None] = mapped_column(String(9))
    full_name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(3))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    unit_code: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint("scenario IN ('a', 'b', 'c')", name="scenario"),
        CheckConstraint("channel IN ('direct', 'postal', 'online')", name="channel"),
        Index("ix_dossiers_status_due", "status", "due_at"),
        Index("ix_dossiers_received_at", "received_at"),
    )

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    # Unique once given; NULL only while a dossier refused at intake has no number.
    code: Mapped[str | None] = mapped_column(String(60), unique=True)
    lookup_secret: Mapped[str] = mapped_column(String(8), default="")
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    applicant_id: Mapped[str] = mapped_column(ForeignKey("applicants.id"), index=True)
    receiving_centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    receiving_agency: Mapped[str] = mapped_column(String(300))
    competent_agency: Mapped[str] = mapped_column(String(300))
    competent_unit_code: Mapped[str | None] = mapped_column(String(10))
    handling_agency: Mapped[str] = mapped_column(String(300))
    competent_agency_eid: Mapped[str | None] = mapped_column(String(35))
    handling_agency_eid: Mapped[str | None] = mapped_column(String(35), index=True)
    scenario: Mapped[str] = mapped_column(String(1))
    channel: Mapped[str] = mapped_column(String(10), default="direct")
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(30))
    papers_received: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    sets_count: Mapped[int] = mapped_column(Integer, default=1)
    fee_vnd: Mapped[int] = mapped_column(Integer, default=0)
    result_delivery: Mapped[str] = mapped_column(String(20), default="counter")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Channels the applicant consented to be notified on, comma-separated ("email,sms"); "" = none.
    notify: Mapped[str] = mapped_column(String(20), default="")
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstations.id"))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # 0004_rules: the date first promised (kept after an apology; lateness is judged against it), the
    # fee's basis, and the extension by law applied at intake.
    original_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    pages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    copies: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fee_basis: Mapped[str] = mapped_column(Text, default="", server_default="")
    extension: Mapped[str] = mapped_column(Text, default="", server_default="")

    procedure: Mapped[Procedure] = relationship()
    applicant: Mapped[Applicant] = relationship()
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", order_by="DossierEvent.seq", cascade="all, delete-orphan"
    )


class DossierEvent(Base):
    __tablename__ = "dossier_events"
    __table_args__ = (UniqueConstraint("dossier_id", "seq", name="uq_dossier_events_dossier_seq"),)

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    operator_name: Mapped[str] = mapped_column(String(200), default="")
    workstation_name: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    # Where the event came from: this workstation, or the server (pulled).
    origin: Mapped[str] = mapped_column(String(10), default="local")

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class OnlineDossier(Base):
    """A dossier submitted on the national portal: its portal id (kept beside our code) and the moment it
    must be accepted or refused by (server/portal.py, docs/portal-contract.md)."""

    __tablename__ = "online_dossiers"

    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    portal_id: Mapped[str] = mapped_column(String(60), unique=True)
    acceptance_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: As the portal's submission said (docs/portal-contract.md): signed in with VNeID; fee paid online
    #: (0 no, 1 on the national portal, 2 on the provincial gateway: ``DuocThanhToanTrucTuyen``).
    vneid_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    paid_online: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PortalAck(Base):
    """What the national portal acknowledged of a dossier, as the server last told (``/sync/portal-acks``,
    app/sync/portal_acks.py); no row: nothing acknowledged yet. Times are naive UTC."""

    __tablename__ = "portal_acks"

    dossier_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20))
    records: Mapped[int] = mapped_column(Integer)
    acked: Mapped[int] = mapped_column(Integer)
    status: Mapped[int | None] = mapped_column(Integer)
    first_event_at: Mapped[datetime | None] = mapped_column(DateTime)
    first_acked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_acked_at: Mapped[datetime] = mapped_column(DateTime)


# --- sync and audit ---------------------------------------------------------------------------------


class OutboxEntry(Base):
    """A sync event written in the same transaction as the change it describes."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'parked')", name="state"),
        Index("ix_outbox_state_seq", "state", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(Uuid, unique=True)
    dossier_id: Mapped[str | None] = mapped_column(Uuid)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class QuarantinedChange(Base):
    """A change of the server's feed this desk could not apply (e.g. a pulled dossier whose code a local
    dossier already holds): kept with its reason so that the pull moves on; shown with the parked events
    and reported to the server (``reported_at``)."""

    __tablename__ = "quarantined_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_seq: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    dossier_id: Mapped[str | None] = mapped_column(String(36))
    code: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    body: Mapped[dict[str, Any]] = mapped_column(JSONText)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Append-only audit trail; each entry's hash covers its content and the previous entry's hash."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    operator_name: Mapped[str] = mapped_column(String(200), default="")
    workstation_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class PrintedDocument(Base):
    """A printed form exactly as printed (the PDF bytes), archived with its dossier."""

    __tablename__ = "printed_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    form: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    operator_name: Mapped[str] = mapped_column(String(200), default="")
    is_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class DossierRating(Base):
    """A citizen's satisfaction rating of a dossier, pulled from the server's change feed (one per dossier;
    the citizen rates on the server's look-up page or the counter's tablet page)."""

    __tablename__ = "dossier_ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    dossier_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(60), index=True)
    centre_eid: Mapped[str] = mapped_column(String(35))
    officer: Mapped[str] = mapped_column(String(200), default="")
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    source: Mapped[str] = mapped_column(String(10))
    rated_at: Mapped[datetime] = mapped_column(DateTime)


class DossierFile(Base):
    """A digitised paper (or the electronic result) of a dossier: one PDF per paper, content-addressed.

    The file itself lives in the data folder under ``files/`` by its SHA-256 (``app.digitise.blobs``);
    this row, the dossier event that adds it, its outbox entry and an audit entry commit together
    (``app.services.files``). A newer set for the same paper marks the old row ``replaced_at`` (kept for
    the record). An exempt paper (TT 03/2025 Art. 5.2) has a row with its reason and no file.
    """

    __tablename__ = "dossier_files"
    __table_args__ = (
        CheckConstraint("kind IN ('paper', 'result')", name="kind"),
        CheckConstraint("ocr_state IN ('pending', 'done', 'failed', 'none')", name="ocr_state"),
        CheckConstraint("upload_state IN ('pending', 'sent', 'parked', 'none')", name="upload_state"),
        CheckConstraint("(sha256 IS NULL) = (exemption IS NOT NULL)", name="file_or_exemption"),
        Index("ix_dossier_files_dossier", "dossier_id", "kind", "paper_no"),
        Index("ix_dossier_files_sha256", "sha256"),
        Index("ix_dossier_files_ocr", "ocr_state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"))
    kind: Mapped[str] = mapped_column(String(10), default="paper")
    #: The paper's 1-based row in the dossier's checklist (``papers_received``); 0 for the result.
    paper_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    declared_pages: Mapped[int | None] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Pages plus the second images of pages with a sticky note (TT 01/2023 Art. 8.2).
    image_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Per page: {"sha256": of its image as stored in the PDF, "note": bool, "mode": "bw"|"grey"}.
    pages: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: The image-only PDF made at intake, kept when OCR replaces ``sha256`` by the PDF/A with text: no
    #: file a row ever referenced is removed, so an older backup of the database still finds its files.
    original_sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    media_type: Mapped[str] = mapped_column(String(60), default="application/pdf")
    exemption: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20), default="file")
    #: A paper reused from another dossier of the same citizen (linked, not copied: the same file),
    #: the ``dossier_files`` row it was taken from (Quyết định 766, indicator 4.3).
    reused_from: Mapped[int | None] = mapped_column(Integer)
    ocr_state: Mapped[str] = mapped_column(String(10), default="pending")
    upload_state: Mapped[str] = mapped_column(String(10), default="pending")
    last_error: Mapped[str] = mapped_column(Text, default="")
    event_id: Mapped[str] = mapped_column(Uuid)
    operator_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime)


#: Tables that exist in the database but not in the ORM (the FTS5 index and its shadow tables).
UNMAPPED_TABLE_PREFIXES = ("dossier_search",)


class ReferenceVersion(Base):
    """One row whose ``token`` changes (to a fresh random value) whenever reference data changes.

    Triggers (:mod:`app.models.reference_version`) on every table the use cases read as reference data
    (centres, workstations, procedures and their papers, administrative units and successions, holiday
    overrides) set a new token in the writing transaction, so a process may keep what it read under a
    token for as long as the token stays the same: one indexed read per use case instead of ten.
    """

    __tablename__ = "reference_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
