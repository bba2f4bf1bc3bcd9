"""Dossier use cases. Each runs in ONE write transaction: the dossier rows, its event, the search index,
an audit entry and an outbox entry commit together, or nothing does.

Nothing here imports Qt; the GUI calls these through its worker bridge, the command line directly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from app.domain import validation as v
from app.domain.address import AddressMatch
from app.domain.codes import DEFAULT_PLAN, format_code
from app.domain.collection import APPLICANT, validate_collector
from app.domain.errors import DomainError, Problem
from app.domain.identity import normalize_gender
from app.domain.notices import estimated_years
from app.domain.roles import Role, may_perform, roles_of
from app.domain.roles import refusal as role_refusal
from app.domain.routing import ProcedureRouting, ReceivingCentre, Route, TargetCommune, route_dossier
from app.domain.rules import apply_extension, compute_fee, find_extension, time_for_channel
from app.domain.status import Action, Status, is_open, transition
from app.domain.text import clean_spaces, fold
from app.models import (
    AdminUnit,
    Applicant,
    Centre,
    Dossier,
    DossierEvent,
    NumberLease,
    OutboxEntry,
    UnitSuccession,
)
from app.models.base import table_of
from app.models.db import DirectConnection, NeedsSession, Store
from app.models.fastwrite import RowInserter, execute
from app.models.search_index import index_new_row, terms
from app.services import audit
from app.services.audit import Actor
from app.services.desk import (
    AgencyInfo,
    CommuneInfo,
    Desk,
    ProcedureInfo,
    Reference,
    cached_reference,
    commune_centre,
    current_commune,
    load_calendar,
    reference,
)
from app.services.reference import get_setting, set_setting

CHANNELS = ("direct", "postal", "online")
DELIVERIES = ("counter", "post")
#: Fields whose procedures any commune may perform whatever the applicant's address (chứng thực:
#: Decree 23/2015 lets any commune certify). Elsewhere the competent commune is where the applicant
#: lives or where the land, building or business is.
ANY_COMMUNE_FIELDS = frozenset({fold("Chứng thực")})
_SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _problem(code: str, vi: str, en: str, field_name: str | None = None) -> Problem:
    return Problem(code, vi, en, field_name)


# --- inputs and results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantInput:
    full_name: str
    personal_id: str | None = None
    old_id: str | None = None
    birth_date: date | str | None = None
    gender: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str = ""


@dataclass(frozen=True)
class PaperInput:
    name: str
    form: str
    count: int = 1


@dataclass(frozen=True)
class ReceiveRequest:
    procedure_code: str
    applicant: ApplicantInput
    #: The commune of competence when the applicant chooses it (or the land/business is there);
    #: by default it follows from the applicant's address.
    commune_code: str | None = None
    channel: str = "direct"
    #: Papers received, as the operator ticked or named them. ``None`` records no paper: the receipt
    #: certifies only what was handed in (rules-2026.md D5), never the whole catalogue list.
    papers: Sequence[PaperInput] | None = None
    sets_count: int = 1
    result_delivery: str = "counter"
    notes: str = ""
    received_at: datetime | None = None
    #: The fee's basis for a per-page / per-copy fee (pages of the original, copies asked for).
    pages: int = 0
    copies: int = 0
    #: The ground of an exemption the operator ticked ("" = no exemption): the amount due is 0.
    fee_exemption: str = ""
    #: An extension set by specialised law (catalogue ``extensions`` id) and the reason it applies.
    extension: str = ""
    extension_reason: str = ""
    #: Papers named by their position in the catalogue list (1-based) and count, as the command line
    #: gives them (``--paper 1 --paper 3:2``); used when ``papers`` is None.
    paper_numbers: Sequence[tuple[int, int]] | None = None
    #: Channels the applicant consents to be notified on (NOTIFY_CHANNELS): the server sends the notices.
    notify: Sequence[str] = ()


@dataclass(frozen=True)
class ReceiveResult:
    dossier_id: str
    code: str
    lookup_secret: str
    received_at: datetime
    due_at: datetime
    scenario: str
    route: Route
    status: str
    fee_vnd: int = 0
    fee_basis: str = ""
    #: Years the due date's period crosses that have no public-sector notice loaded (estimated days).
    estimated_years: tuple[int, ...] = ()
    extension: str = ""


@dataclass(frozen=True)
class Preview:
    """What the intake screen shows live before saving: fee, time, due date and routing."""

    procedure_code: str
    procedure_name: str
    fee_vnd: int
    due_at: datetime
    route: Route | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)


# --- validation ---------------------------------------------------------------------------------------


@dataclass
class CleanApplicant:
    full_name: str
    personal_id: str | None
    old_id: str | None
    birth_date: date | None
    gender: str | None
    phone: str | None
    email: str | None
    address: str

    def to_row(self, unit_code: str | None, at: datetime) -> dict[str, Any]:
        """The values of a new ``applicants`` row for these validated fields."""
        return {
            "id": _new_id(),
            "personal_id": self.personal_id,
            "old_id": self.old_id,
            "full_name": self.full_name,
            "name_folded": fold(self.full_name),
            "birth_date": self.birth_date,
            "gender": self.gender,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "unit_code": unit_code,
            "created_at": at,
        }


def clean_applicant(a: ApplicantInput, today: date | None = None) -> tuple[CleanApplicant, list[Problem]]:
    problems: list[Problem] = []

    def take(result: v.Result[Any]) -> Any:
        problems.extend(result.problems)
        return result.value

    name = take(v.validate_name(a.full_name))
    birth = (
        take(
            v.validate_date(a.birth_date, field="birth_date", required=False, allow_future=False, today=today)
        )
        if a.birth_date not in (None, "")
        else None
    )
    gender = normalize_gender(a.gender) if a.gender else None
    if a.gender and gender is None:
        problems.append(
            _problem(
                "applicant.gender",
                f"Giới tính «{a.gender}» không hợp lệ: chỉ nhận Nam hoặc Nữ.",
                f"Gender {a.gender!r} is invalid: use Nam or Nữ.",
                "gender",
            )
        )
    pid = None
    if a.personal_id:
        pid = take(v.validate_id_number(a.personal_id, birth_date=birth, gender=gender))
    old = take(v.validate_id_number(a.old_id, field="old_id", allow_old=True)) if a.old_id else None
    phone = take(v.validate_phone(a.phone or ""))
    email = take(v.validate_email(a.email or ""))
    address = take(v.validate_address(a.address or ""))
    clean = CleanApplicant(name or "", pid, old, birth, gender, phone, email, address or "")
    return clean, problems


# --- helpers --------------------------------------------------------------------------------------------


def _new_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` writes it, without building the
    ``UUID`` object (~2.5 µs, three per receive)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _lookup_secret() -> str:
    # 32 letters = 5 random bits each: one call for the four (secrets.choice four times cost ~9 µs).
    bits = secrets.randbits(20)
    return "".join(_SECRET_ALPHABET[(bits >> shift) & 31] for shift in (0, 5, 10, 15))


def _procedure(session: Session, code: str, ref: Reference) -> ProcedureInfo:
    proc = ref.procedure(session, code.strip())
    if proc is None:
        raise DomainError(
            _problem(
                "procedure.unknown",
                f"Không có thủ tục mã «{code}» trong danh mục của trung tâm.",
                f"No procedure with code {code!r} in this centre's catalogue.",
                "procedure",
            )
        )
    return proc


def decide_route(
    session: Session,
    desk: Desk,
    proc: ProcedureInfo,
    address: str,
    commune_code: str | None,
    match: AddressMatch | None | bool = False,
    *,
    ref: Reference,
) -> tuple[Route, AgencyInfo | None]:
    """The routing scenario from the procedure and the applicant's address or choice.

    With the address already matched (``match`` given), a decision is remembered in ``ref`` under what it
    was decided from — the desk, the procedure, the commune chosen, whether there is an address and the
    commune it was matched to — all else it reads being reference data of that version. Refusals are
    not remembered (they are raised again, worked out afresh)."""
    key: tuple[Any, ...] | None = None
    if match is not False:
        matched = (
            match.unit.code
            if isinstance(match, AddressMatch) and match.unit is not None and match.confidence >= 0.5
            else None
        )
        key = (desk, proc.code, commune_code, bool(address), matched)
        found: tuple[Route, AgencyInfo | None] | None = ref.routes.get(key)
        if found is not None:
            return found
    decided = _decide_route(session, desk, proc, address, commune_code, match, ref=ref)
    if key is not None:
        if len(ref.routes) >= 2000:  # bounded whatever is typed
            ref.routes.clear()
        ref.routes[key] = decided
    return decided


def _decide_route(
    session: Session,
    desk: Desk,
    proc: ProcedureInfo,
    address: str,
    commune_code: str | None,
    match: AddressMatch | None | bool,
    *,
    ref: Reference,
) -> tuple[Route, AgencyInfo | None]:
    if desk.unit_code is None:
        raise DomainError(
            _problem(
                "desk.no_unit",
                "Trung tâm chưa có mã đơn vị hành chính.",
                "The centre has no administrative unit code.",
                None,
            )
        )
    centre = ReceivingCentre(desk.unit_code, desk.province_code, desk.agency_eid, desk.centre_name)
    routing = ProcedureRouting(proc.code, proc.level, proc.competent_agency, proc.cross_boundary)  # type: ignore[arg-type]
    target: TargetCommune | None = None
    # A province-level procedure is decided by this province's agency: the commune where the land, the
    # building or the business lies (``commune_code``) decides whether it is this province's at all
    # (rules-2026.md D4; app/domain/routing.py refuses another province's with the advice).
    province_matter = proc.level == "province" and bool(commune_code)
    if province_matter or (proc.level == "commune" and fold(proc.field) not in ANY_COMMUNE_FIELDS):
        unit: CommuneInfo | None = None
        chosen = bool(commune_code)
        if commune_code:
            unit = ref.commune(session, commune_code.strip())
            if unit is None:
                raise DomainError(
                    _problem(
                        "routing.commune_unknown",
                        f"Không có xã, phường mã «{commune_code}».",
                        f"No commune has code {commune_code!r}.",
                        "commune",
                    )
                )
        elif address and not province_matter:
            if match is False:  # not matched by the caller yet
                match = ref.address_index(session).match(address)
            if isinstance(match, AddressMatch) and match.unit is not None and match.confidence >= 0.5:
                unit = ref.commune(session, match.unit.code)
        if unit is not None:
            target = TargetCommune(
                unit.code,
                unit.province_code,
                unit.name,
                ref.commune_centre_eid(session, unit.code),
                chosen_by_applicant=chosen,
            )
    route = route_dossier(routing, centre, target)
    agency = (
        ref.provincial_agency(session, desk.province_code, proc.competent_agency)
        if proc.level == "province"
        else None
    )
    return route, agency


_LEASES = table_of(NumberLease)
_L = _LEASES.c
# The counter's hot path: the next number of the best usable lease ('server' before 'fallback'), spent in
# one statement. Dates are stored as ISO text (SQLAlchemy's SQLite DATE format).
_SPEND_NUMBER = (
    "UPDATE number_leases SET next_number = next_number + 1 WHERE id = ("
    "SELECT id FROM number_leases WHERE agency_eid = ? AND day = ? AND next_number <= last_number"
    " ORDER BY source DESC, first_number LIMIT 1) RETURNING next_number - 1"
)


def next_code(session: Session, desk: Desk, day: date, at: datetime) -> str:
    """Spend the next dossier number of this agency for ``day``: a server lease first, then the slot's
    fallback block (docs/design.md, Numbering). Raises when both are exhausted. One statement in the
    everyday case."""
    conn = session.connection()
    row = execute(conn, _SPEND_NUMBER, (desk.agency_eid, day.isoformat())).fetchone()
    number: int | None = row[0] if row is not None else None
    if number is None:
        used = set(
            conn.execute(
                select(_L.first_number, _L.last_number).where(
                    _L.agency_eid == desk.agency_eid, _L.day == day, _L.source == "fallback"
                )
            ).tuples()
        )
        for lo, hi in DEFAULT_PLAN.fallback_ranges(desk.slot):
            if (lo, hi) not in used:
                conn.execute(
                    insert(_LEASES).values(
                        agency_eid=desk.agency_eid,
                        day=day,
                        first_number=lo,
                        last_number=hi,
                        next_number=lo + 1,
                        source="fallback",
                        workstation_id=desk.workstation_id,
                        granted_at=at,
                    )
                )
                number = lo
                break
    if number is None:
        raise DomainError(
            _problem(
                "numbering.exhausted",
                "Máy trạm đã dùng hết dải số hồ sơ được cấp cho hôm nay. "
                "Hãy kết nối mạng và đồng bộ để nhận thêm số.",
                "This workstation has used every dossier number it holds for today. "
                "Connect and sync to get more.",
            )
        )
    return format_code(desk.agency_eid, day, number)


def snapshot(d: dict[str, Any], proc: ProcedureInfo, a: dict[str, Any], receiving_eid: str) -> dict[str, Any]:
    """The ``dossier.received`` payload of the sync protocol (app/contract.py: DossierSnapshot), from
    the values of the new ``dossiers`` and ``applicants`` rows."""
    birth: date | None = a["birth_date"]
    return {
        "id": d["id"],
        "code": d["code"],
        "lookup_secret": d["lookup_secret"],
        "procedure_code": proc.code,
        "procedure_name": proc.name,
        "applicant": {
            "id": a["id"],
            "personal_id": a["personal_id"],
            "old_id": a["old_id"],
            "full_name": a["full_name"],
            "birth_date": birth.isoformat() if birth else None,
            "gender": a["gender"],
            "phone": a["phone"],
            "email": a["email"],
            "address": a["address"],
            "unit_code": a["unit_code"],
        },
        "receiving_agency_eid": receiving_eid,
        "receiving_agency": d["receiving_agency"],
        "competent_agency": d["competent_agency"],
        "competent_agency_eid": d["competent_agency_eid"],
        "competent_unit_code": d["competent_unit_code"],
        "handling_agency": d["handling_agency"],
        "handling_agency_eid": d["handling_agency_eid"],
        "scenario": d["scenario"],
        "channel": d["channel"],
        "received_at": d["received_at"].isoformat(),
        "due_at": d["due_at"].isoformat() if d["due_at"] else None,
        "status": d["status"],
        "papers_received": d["papers_received"],
        "sets_count": d["sets_count"],
        "fee_vnd": d["fee_vnd"],
        "result_delivery": d["result_delivery"],
        "notes": d["notes"],
        "notify": [c for c in d.get("notify", "").split(",") if c],
    }


def _envelope(
    event_id: str,
    dossier_id: str,
    seq: int,
    event_type: str,
    at: datetime,
    actor: Actor,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """An outbox entry's payload: the sync protocol's event (app/contract.py: PushEvent)."""
    return {
        "event_id": event_id,
        "dossier_id": dossier_id,
        "seq": seq,
        "type": event_type,
        "occurred_at": at.isoformat(),
        "operator": actor.operator,
        "workstation": actor.workstation,
        "payload": payload,
    }


def _transition(
    session: Session,
    d: Dossier,
    actor: Actor,
    action: Action,
    from_status: str,
    at: datetime,
    reason: str,
    payload: dict[str, Any],
    *,
    due_at: datetime | None = None,
    handling_agency_eid: str | None = None,
    code: str | None = None,
) -> DossierEvent:
    """Append a status-machine event to the dossier (it already holds the new status) and its
    ``dossier.transition`` outbox entry (same id), in the caller's transaction. ``due_at`` and
    ``handling_agency_eid`` are sent only when the event changed them."""
    event = DossierEvent(
        id=_new_id(),
        dossier_id=d.id,
        seq=len(d.events) + 1,
        action=action.value,
        from_status=from_status,
        to_status=d.status,
        occurred_at=at,
        operator_name=actor.operator,
        workstation_name=actor.workstation,
        reason=reason,
        payload=payload,
        origin="local",
    )
    d.events.append(event)
    body = {
        "action": action.value,
        "from_status": from_status,
        "to_status": d.status,
        "reason": reason,
        "due_at": due_at.isoformat() if due_at else None,
        "handling_agency_eid": handling_agency_eid,
        "extra": payload,
    }
    if code is not None:
        body["code"] = code  # an online dossier's code, given when it is accepted (app/services/online.py)
    session.add(
        OutboxEntry(
            event_id=event.id,
            dossier_id=d.id,
            event_type="dossier.transition",
            created_at=at,
            state="pending",
            payload=_envelope(event.id, d.id, event.seq, "dossier.transition", at, actor, body),
        )
    )
    return event


_INSERT_APPLICANT = RowInserter(table_of(Applicant))
_INSERT_DOSSIER = RowInserter(table_of(Dossier))
_INSERT_EVENT = RowInserter(table_of(DossierEvent))
_INSERT_OUTBOX = RowInserter(table_of(OutboxEntry))


def _dossier_row(
    desk: Desk,
    proc: ProcedureInfo,
    applicant: dict[str, Any],
    req: ReceiveRequest,
    at: datetime,
    **fields: Any,
) -> dict[str, Any]:
    """The values of a new ``dossiers`` row: what every new dossier has, plus ``fields`` (the code,
    routing, status and dates that receiving and refusing decide)."""
    return {
        "id": _new_id(),
        "procedure_id": proc.id,
        "applicant_id": applicant["id"],
        "receiving_centre_id": desk.centre_id,
        "receiving_agency": desk.centre_name,
        "channel": req.channel,
        "received_at": at,
        "sets_count": req.sets_count,
        "result_delivery": req.result_delivery,
        "notify": ",".join(c for c in NOTIFY_CHANNELS if c in req.notify),
        "operator_id": None,
        "workstation_id": desk.workstation_id,
        "returned_at": None,
        "version": 1,
        "created_at": at,
        "updated_at": at,
        **fields,
    }


def _insert_new_dossier(
    session: Session,
    actor: Actor,
    desk: Desk,
    proc: ProcedureInfo,
    applicant: dict[str, Any],
    dossier: dict[str, Any],
    action: Action,
    reason: str,
    event_payload: dict[str, Any],
    audit_action: str,
    audit_details: dict[str, Any],
) -> None:
    """Write a new dossier with its applicant, first event, outbox entry, search-index row and audit
    entry, in the caller's transaction, with prepared inserts (this is the counter's hot path)."""
    conn = session.connection()
    at: datetime = dossier["received_at"]
    _INSERT_APPLICANT(conn, applicant)
    rowid = _INSERT_DOSSIER(conn, dossier)
    event_id = _new_id()
    _INSERT_EVENT(
        conn,
        {
            "id": event_id,
            "dossier_id": dossier["id"],
            "seq": 1,
            "action": action.value,
            "from_status": None,
            "to_status": dossier["status"],
            "occurred_at": at,
            "operator_name": actor.operator,
            "workstation_name": actor.workstation,
            "reason": reason,
            "payload": event_payload,
            "origin": "local",
        },
    )
    body = snapshot(dossier, proc, applicant, desk.agency_eid)
    _INSERT_OUTBOX(
        conn,
        {
            "event_id": event_id,
            "dossier_id": dossier["id"],
            "event_type": "dossier.received",
            "created_at": at,
            "state": "pending",
            "payload": _envelope(event_id, dossier["id"], 1, "dossier.received", at, actor, body),
            "attempts": 0,
            "last_error": "",
            "sent_at": None,
        },
    )
    index_new_row(
        conn,
        rowid,
        terms(applicant["name_folded"], applicant["personal_id"], applicant["phone"], dossier["code"]),
    )
    audit.append(
        session,
        actor,
        audit_action,
        "dossier",
        dossier["id"],
        audit_details,
        at=at,
        rows=(("dossier", dossier), ("applicant", applicant)),
        outbox=(event_id,),
    )


# --- use cases ------------------------------------------------------------------------------------------


def preview(
    store: Store,
    procedure_code: str,
    address: str = "",
    commune_code: str | None = None,
    received_at: datetime | None = None,
    channel: str = "direct",
) -> Preview:
    """Fee, due date and routing for the intake screen, without writing anything."""
    at = received_at or datetime.now()
    with store.read() as s:
        ref = reference(s)
        desk = ref.desk(s)
        proc = _procedure(s, procedure_code, ref)
        due = ref.calendar(s).due_at(at, *proc.time_for(channel))
        try:
            route, _ = decide_route(s, desk, proc, address, commune_code, ref=ref)
            problems: tuple[Problem, ...] = ()
        except DomainError as exc:
            route, problems = None, exc.problems
        return Preview(proc.code, proc.name, proc.fee_vnd, due, route, problems)


#: Channels of the server's notices an applicant may consent to at intake (server/notices).
NOTIFY_CHANNELS = ("email", "sms", "zalo")


def notify_problems(channels: Sequence[str], applicant: CleanApplicant) -> list[Problem]:
    """Refusals of the consent to notices: an unknown channel, or one without its address (e-mail for
    ``email``, phone for ``sms`` and ``zalo``)."""
    problems: list[Problem] = []
    for channel in channels:
        if channel not in NOTIFY_CHANNELS:
            problems.append(
                _problem(
                    "dossier.notify",
                    f"Kênh thông báo «{channel}» không hợp lệ (email, sms, zalo).",
                    f"Notice channel {channel!r} is invalid (email, sms, zalo).",
                    "notify",
                )
            )
        elif channel == "email" and not applicant.email:
            problems.append(
                _problem(
                    "dossier.notify_email",
                    "Người nộp đồng ý nhận thông báo qua thư điện tử nhưng chưa có địa chỉ thư điện tử.",
                    "The applicant consents to e-mail notices but gave no e-mail address.",
                    "email",
                )
            )
        elif channel in ("sms", "zalo") and not applicant.phone:
            problems.append(
                _problem(
                    "dossier.notify_phone",
                    "Người nộp đồng ý nhận thông báo qua SMS/Zalo nhưng chưa có số điện thoại.",
                    "The applicant consents to SMS/Zalo notices but gave no phone number.",
                    "phone",
                )
            )
    return problems


def receive(store: Store, actor: Actor, req: ReceiveRequest) -> ReceiveResult:
    """Receive a dossier: validate, route, number, compute the due date, and record it durably."""
    at = (req.received_at or datetime.now()).replace(microsecond=0)
    applicant, problems = clean_applicant(req.applicant, today=at.date())
    if req.channel not in CHANNELS:
        problems.append(
            _problem(
                "dossier.channel",
                f"Kênh tiếp nhận «{req.channel}» không hợp lệ.",
                f"Channel {req.channel!r} is invalid.",
                "channel",
            )
        )
    if req.result_delivery not in DELIVERIES:
        problems.append(
            _problem(
                "dossier.delivery",
                f"Hình thức nhận kết quả «{req.result_delivery}» không hợp lệ.",
                f"Result delivery {req.result_delivery!r} is invalid.",
                "result_delivery",
            )
        )
    problems.extend(notify_problems(req.notify, applicant))
    problems.extend(v.validate_count(req.sets_count, field="sets_count").problems)
    notes = v.validate_text(req.notes or "", field="notes")
    problems.extend(notes.problems)
    for name, value in (("pages", req.pages), ("copies", req.copies)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
            problems.append(
                _problem(
                    f"dossier.{name}",
                    f"Số {'trang' if name == 'pages' else 'bản'} phải là số nguyên từ 0 đến 100000.",
                    f"The number of {name} must be a whole number from 0 to 100000.",
                    name,
                )
            )
    exemption = v.validate_text(req.fee_exemption or "", field="fee_exemption")
    ext_reason = v.validate_text(req.extension_reason or "", field="extension_reason")
    problems.extend(exemption.problems + ext_reason.problems)
    if req.extension and not (ext_reason.value or "").strip():
        problems.append(
            _problem(
                "dossier.extension_reason",
                "Hãy ghi lý do áp dụng gia hạn theo quy định chuyên ngành.",
                "Give the reason the extension applies.",
                "extension_reason",
            )
        )
    if problems:
        raise DomainError(problems)
    texts = (notes.value or "", exemption.value or "", (ext_reason.value or "").strip())
    try:  # the counter's everyday case: the reference data this transaction sees are cached
        with store.write_direct() as conn:
            ref = cached_reference(cast(Connection, conn))
            if ref is None:
                raise NeedsSession("reference")
            return _record(cast(Session, _WarmSession(conn, store)), ref, actor, req, at, applicant, texts)
    except NeedsSession:
        pass
    with store.write() as s:
        return _record(s, reference(s), actor, req, at, applicant, texts)


class _WarmSession:
    """Stands for the session in :func:`_record` on a direct write transaction: it gives the
    transaction's connection (every statement of the path is prepared: app.models.fastwrite) and the
    store's engine (the audit chain's key is found by the engine's URL); anything else — a query for
    reference data not cached yet, the first number lease of the day, an ORM object — raises
    :class:`NeedsSession`, and :func:`receive` rolls back and runs the same code in a session."""

    __slots__ = ("_conn", "_engine")

    def __init__(self, conn: DirectConnection, store: Store) -> None:
        self._conn = conn
        self._engine = store.engine

    def connection(self) -> DirectConnection:
        return self._conn

    def get_bind(self) -> Engine:
        return self._engine

    def __getattr__(self, name: str) -> Any:
        raise NeedsSession(name)


def _record(
    s: Session,
    ref: Reference,
    actor: Actor,
    req: ReceiveRequest,
    at: datetime,
    applicant: CleanApplicant,
    texts: tuple[str, str, str],
) -> ReceiveResult:
    """The writing half of :func:`receive`, in the caller's transaction: route, number, due date and
    fee, then the rows. ``texts``: the validated notes, fee exemption and extension reason."""
    notes, exemption, ext_reason = texts
    desk = ref.desk(s)
    proc = _procedure(s, req.procedure_code, ref)
    papers = _papers(proc, req.papers if req.paper_numbers is None else _numbered(proc, req.paper_numbers))
    match = ref.address_index(s).match(applicant.address) if applicant.address else None
    route, provincial = decide_route(s, desk, proc, applicant.address, req.commune_code, match, ref=ref)
    calendar = ref.calendar(s)
    due = calendar.due_at(at, *proc.time_for(req.channel))
    extension_text = ""
    if req.extension:
        ext = find_extension(proc.extensions, req.extension.strip(), proc.code)
        due = apply_extension(calendar, at, due, ext)
        extension_text = f"{ext.label}. Lý do: {ext_reason}"
    fee = compute_fee(
        proc.fee_vnd,
        proc.fee_rule,
        pages=req.pages,
        copies=req.copies,
        exemption=exemption,
        demo=proc.fee_demo,
    )
    estimated = estimated_years(calendar.notice_years, at.date(), due.date())
    unit_code = match.unit.code if match is not None and match.unit is not None else None
    a = applicant.to_row(unit_code, at)
    competent_name = provincial.name if provincial is not None else route.competent_agency.name
    competent_eid = provincial.agency_eid if provincial is not None else route.competent_agency.eid
    d = _dossier_row(
        desk,
        proc,
        a,
        req,
        at,
        code=next_code(s, desk, at.date(), at),
        lookup_secret=_lookup_secret(),
        competent_agency=competent_name,
        competent_agency_eid=competent_eid,
        competent_unit_code=route.competent_agency.unit_code,
        handling_agency=competent_name,
        handling_agency_eid=competent_eid,
        scenario=route.scenario.value,
        due_at=due,
        status=Status.RECEIVED.value,
        papers_received=papers,
        fee_vnd=fee.amount_vnd,
        notes=notes,
        finished_at=None,
        original_due_at=due,
        pages=req.pages,
        copies=req.copies,
        fee_basis=fee.basis,
        extension=extension_text,
    )
    # the promise on the receipt (due_at), kept for the 766 on-time index (app/domain/stats766.py)
    payload: dict[str, Any] = {
        "scenario": d["scenario"],
        "channel": req.channel,
        "due_at": due.isoformat(),
    }
    if estimated:
        # The period crosses a year without a loaded notice: the due date rests on estimated days.
        payload["calendar_estimated"] = list(estimated)
    if extension_text:
        payload["extension"] = {"id": req.extension.strip(), "text": extension_text}
    if fee.basis:
        payload["fee_basis"] = fee.basis
    _insert_new_dossier(
        s,
        actor,
        desk,
        proc,
        a,
        d,
        Action.RECEIVE,
        "",
        payload,
        "dossier.receive",
        {"code": d["code"], "procedure": proc.code, "scenario": d["scenario"]},
    )
    return ReceiveResult(
        d["id"],
        d["code"],
        d["lookup_secret"],
        at,
        due,
        d["scenario"],
        route,
        d["status"],
        fee.amount_vnd,
        fee.basis,
        estimated,
        extension_text,
    )


def _papers(proc: ProcedureInfo, given: Sequence[PaperInput] | None) -> list[dict[str, Any]]:
    """The papers as received: only those given (``None`` = none), never the catalogue's whole list."""
    if given is None:
        return []
    out: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for p in given:
        count = v.validate_count(p.count, field="papers")
        problems.extend(count.problems)
        if p.form not in ("original", "copy", "original_or_copy", "show"):
            problems.append(
                _problem(
                    "paper.form",
                    f"Loại giấy tờ «{p.form}» không hợp lệ.",
                    f"Paper form {p.form!r} is invalid.",
                    "papers",
                )
            )
        out.append({"name": clean_spaces(p.name), "form": p.form, "count": count.value or 0})
    if problems:
        raise DomainError(problems)
    return out


def _numbered(proc: ProcedureInfo, picks: Sequence[tuple[int, int]]) -> list[PaperInput]:
    """The catalogue papers named by position (1-based), with the count given."""
    out: list[PaperInput] = []
    for n, count in picks:
        if not 1 <= n <= len(proc.papers):
            raise DomainError(
                _problem(
                    "paper.number",
                    f"Thủ tục {proc.code} không có giấy tờ số {n} (có {len(proc.papers)} loại).",
                    f"Procedure {proc.code} has no paper number {n} (it lists {len(proc.papers)}).",
                    "papers",
                )
            )
        p = proc.papers[n - 1]
        out.append(PaperInput(p.name, p.form, count))
    return out


def refuse_intake(store: Store, actor: Actor, req: ReceiveRequest, reason: str) -> str:
    """Refuse a dossier at the counter (Mẫu 03): recorded with its reason, no dossier number spent."""
    at = (req.received_at or datetime.now()).replace(microsecond=0)
    applicant, problems = clean_applicant(req.applicant, today=at.date())
    why = v.validate_text(reason, field="reason")
    problems.extend(why.problems)
    if not (why.value or "").strip():
        problems.append(_reason_missing())
    if problems:
        raise DomainError(problems)
    with store.write() as s:
        ref = reference(s)
        desk = ref.desk(s)
        proc = _procedure(s, req.procedure_code, ref)
        a = applicant.to_row(None, at)
        status = transition(None, Action.REFUSE)
        d = _dossier_row(
            desk,
            proc,
            a,
            req,
            at,
            code=None,
            lookup_secret="",
            competent_agency="",
            competent_agency_eid=None,
            competent_unit_code=None,
            handling_agency="",
            handling_agency_eid=None,
            scenario="a",
            due_at=None,
            status=status.value,
            papers_received=_papers(
                proc, req.papers if req.paper_numbers is None else _numbered(proc, req.paper_numbers)
            ),
            fee_vnd=0,
            notes=why.value or "",
            finished_at=at,
            original_due_at=None,
            pages=0,
            copies=0,
            fee_basis="",
            extension="",
        )
        _insert_new_dossier(
            s,
            actor,
            desk,
            proc,
            a,
            d,
            Action.REFUSE,
            why.value or "",
            {},
            "dossier.refuse",
            {"procedure": proc.code, "reason": d["notes"]},
        )
        return str(d["id"])


#: Setting (``settings`` table) for the due date after a supplement: ``"extend"`` (default: the old due
#: date plus the working time spent waiting, as one provincial system does) or ``"restart"`` (the full
#: limit counted again from the completed file, a reading of NĐ 61/2018). UNSURE: no text of NĐ 118/2025
#: on this was read (rules-2026.md §5); a province may decide otherwise.
SUPPLEMENT_RULE_KEY = "rules.supplement_time"


SUPPLEMENT_RULES = ("extend", "restart")


def supplement_rule(store: Store) -> str:
    """The province's reading of the time after a supplement (:data:`SUPPLEMENT_RULE_KEY`)."""
    with store.read() as s:
        return str(get_setting(s, SUPPLEMENT_RULE_KEY, "extend"))


def set_supplement_rule(store: Store, actor: Actor, rule: str) -> None:
    if rule not in SUPPLEMENT_RULES:
        raise DomainError(
            _problem(
                "rules.supplement_time",
                f"Cách tính «{rule}» không hợp lệ: chỉ có extend (cộng thời gian chờ) "
                "hoặc restart (tính lại).",
                f"Rule {rule!r} is invalid: use extend (add the waiting time) or restart (count again).",
                "supplement_time",
            )
        )
    with store.write() as s:
        set_setting(s, SUPPLEMENT_RULE_KEY, rule)
        audit.append(s, actor, "settings.rules", "setting", SUPPLEMENT_RULE_KEY, {"value": rule})


def _check_apology(session: Session, d: Dossier, at: datetime, new_due_at: datetime | None) -> None:
    """Mẫu 04 "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết": sent **before** the due date
    (rules-2026.md S16, D6), with a new appointment after the current one that is working time on the
    desk's calendar (a Saturday or a holiday is refused)."""
    if d.due_at is not None and at >= d.due_at:
        raise DomainError(
            _problem(
                "dossier.apology_late",
                f"Đã quá ngày hẹn trả ({d.due_at:%H:%M %d/%m/%Y}): văn bản xin lỗi và đề nghị gia hạn phải "
                "gửi trước khi hết thời hạn giải quyết. Hồ sơ này được tính là quá hạn.",
                f"The due date ({d.due_at:%Y-%m-%d %H:%M}) has passed: the apology and extension request "
                "must be sent before the time limit ends. This dossier counts as late.",
                "new_due_at",
            )
        )
    if new_due_at is None or (d.due_at is not None and new_due_at <= d.due_at):
        raise DomainError(
            _problem(
                "dossier.new_due",
                "Hãy chọn ngày hẹn trả mới, sau ngày hẹn hiện tại.",
                "Choose a new due date after the current one.",
                "new_due_at",
            )
        )
    if not load_calendar(session).is_working_time(new_due_at):
        raise DomainError(
            _problem(
                "dossier.new_due_not_working",
                f"Ngày hẹn mới {new_due_at:%H:%M %d/%m/%Y} không phải giờ làm việc theo lịch của trung tâm "
                "(ngày nghỉ, cuối tuần hoặc ngoài giờ). Hãy chọn một thời điểm trong giờ làm việc.",
                f"The new appointment {new_due_at:%Y-%m-%d %H:%M} is not working time on the centre's "
                "calendar (a day off, a weekend or outside hours). Choose a time within working hours.",
                "new_due_at",
            )
        )


def _reason_missing() -> Problem:
    return _problem("dossier.reason", "Hãy ghi rõ lý do.", "Give the reason.", "reason")


#: Actions that need a reason the citizen will read.
NEEDS_REASON = frozenset(
    {Action.REFUSE, Action.REQUEST_SUPPLEMENT, Action.WITHDRAW, Action.STOP, Action.APOLOGISE}
)


@dataclass(frozen=True)
class ActionResult:
    dossier_id: str
    code: str | None
    action: str
    status: str
    due_at: datetime | None
    event_id: str


def find_dossier(session: Session, ref: str) -> Dossier:
    """A dossier by its code or id."""
    ref = ref.strip()
    d = session.scalar(select(Dossier).where(Dossier.code == ref)) or session.get(Dossier, ref)
    if d is None:
        raise DomainError(
            _problem("dossier.unknown", f"Không tìm thấy hồ sơ «{ref}».", f"No dossier {ref!r}.", "code")
        )
    return d


@dataclass(frozen=True)
class ApplicantRecord:
    full_name: str
    personal_id: str | None
    birth_date: date | None
    gender: str | None
    phone: str | None
    email: str | None
    address: str
    unit_code: str | None


@dataclass(frozen=True)
class EventRecord:
    seq: int
    action: str
    from_status: str | None
    to_status: str
    occurred_at: datetime
    operator_name: str
    workstation_name: str
    reason: str
    #: The event's data (e.g. the forward's target, the hand-back's collector).
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DossierRecord:
    """One dossier as recorded, with its applicant and its events in order (``motcua-desk show``)."""

    id: str
    code: str | None
    status: str
    procedure_code: str
    procedure_name: str
    applicant: ApplicantRecord
    scenario: str
    channel: str
    receiving_agency: str
    competent_agency: str
    handling_agency: str
    handling_agency_eid: str | None
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    fee_vnd: int
    #: The papers received, as recorded (name, form, count).
    papers: tuple[dict[str, Any], ...]
    notes: str
    events: tuple[EventRecord, ...]
    #: The due date first promised (kept after an apology; lateness is judged against it).
    original_due_at: datetime | None = None
    fee_basis: str = ""
    extension: str = ""
    pages: int = 0
    copies: int = 0


def dossier_roles(session: Session, d: Dossier) -> frozenset[Role]:
    """The roles of this desk's centre on ``d`` (every role on a desk with no home centre yet)."""
    home = session.scalar(select(Centre).where(Centre.is_home.is_(True)))
    if home is None:
        return frozenset(Role)
    receiving = session.get(Centre, d.receiving_centre_id)
    return roles_of(
        home.agency_eid,
        receiving.agency_eid if receiving is not None else None,
        d.competent_agency_eid,
        d.handling_agency_eid,
    )


def dossier_record(store: Store, ref: str) -> DossierRecord:
    """A dossier by its code or id (DomainError ``dossier.unknown`` otherwise)."""
    with store.read() as s:
        d = find_dossier(s, ref)
        a: Applicant = d.applicant
        return DossierRecord(
            id=d.id,
            code=d.code,
            status=d.status,
            procedure_code=d.procedure.code,
            procedure_name=d.procedure.name,
            applicant=ApplicantRecord(
                full_name=a.full_name,
                personal_id=a.personal_id,
                birth_date=a.birth_date,
                gender=a.gender,
                phone=a.phone,
                email=a.email,
                address=a.address,
                unit_code=a.unit_code,
            ),
            scenario=d.scenario,
            channel=d.channel,
            receiving_agency=d.receiving_agency,
            competent_agency=d.competent_agency,
            handling_agency=d.handling_agency,
            handling_agency_eid=d.handling_agency_eid,
            received_at=d.received_at,
            due_at=d.due_at,
            finished_at=d.finished_at,
            returned_at=d.returned_at,
            fee_vnd=d.fee_vnd,
            papers=tuple(d.papers_received),
            notes=d.notes,
            events=tuple(
                EventRecord(
                    e.seq,
                    e.action,
                    e.from_status,
                    e.to_status,
                    e.occurred_at,
                    e.operator_name,
                    e.workstation_name,
                    e.reason,
                    dict(e.payload or {}),
                )
                for e in d.events
            ),
            original_due_at=d.original_due_at,
            fee_basis=d.fee_basis,
            extension=d.extension,
            pages=d.pages,
            copies=d.copies,
        )


def perform(
    store: Store,
    actor: Actor,
    ref: str,
    action: Action | str,
    *,
    reason: str = "",
    new_due_at: datetime | None = None,
    handling_agency_eid: str | None = None,
    extra: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ActionResult:
    """Apply one status-machine action to a dossier (supplement request and receipt, forward, result,
    hand-back, withdrawal, stop, apology with a new date), with its event, audit and outbox entries."""
    act = Action(action)
    explicit_time = at is not None
    at = (at or datetime.now()).replace(microsecond=0)
    why = v.validate_text(reason or "", field="reason")
    if why.problems:
        raise DomainError(why.problems)
    text_reason = why.value or ""
    if act in NEEDS_REASON and not text_reason.strip():
        raise DomainError(_reason_missing())
    with store.write() as s:
        return perform_in(
            s,
            actor,
            ref,
            act,
            at,
            text_reason,
            new_due_at,
            handling_agency_eid,
            extra,
            explicit_time=explicit_time,
        )


def perform_in(
    s: Session,
    actor: Actor,
    ref: str,
    act: Action,
    at: datetime,
    text_reason: str,
    new_due_at: datetime | None,
    handling_agency_eid: str | None,
    extra: dict[str, Any] | None,
    *,
    explicit_time: bool = False,
) -> ActionResult:
    """The body of :func:`perform` in the caller's transaction (also used by a batch of forwards).
    ``explicit_time``: ``at`` was given by the caller (``act --at``), so it may not precede the dossier's
    last step."""
    d = find_dossier(s, ref)
    before = d.status
    after = transition(before, act)  # refuses an illegal action with a readable reason
    roles = dossier_roles(s, d)
    if not may_perform(roles, before, act):  # the same role table as the server (app.domain.roles)
        raise DomainError(role_refusal(roles, act))
    last_at = d.events[-1].occurred_at if d.events else at
    if explicit_time and at < last_at:
        raise DomainError(
            _problem(
                "dossier.time_order",
                f"Thời điểm thao tác không được trước bước gần nhất ({last_at:%Y-%m-%d %H:%M}).",
                f"The action time cannot be before the dossier's last step ({last_at:%Y-%m-%d %H:%M}).",
                "at",
            )
        )
    payload: dict[str, Any] = dict(extra or {})
    due_changed = False
    if act is Action.SUPPLEMENT_RECEIVED:
        requested = next(
            (e.occurred_at for e in reversed(d.events) if e.action == Action.REQUEST_SUPPLEMENT.value),
            None,
        )
        if d.due_at is not None and requested is not None and at > requested:
            calendar = load_calendar(s)
            if get_setting(s, SUPPLEMENT_RULE_KEY, "extend") == "restart":
                # The province reads the law as "time restarts once the file is complete".
                limit = time_for_channel(
                    d.procedure.time_value, d.procedure.time_unit, d.procedure.time_by_channel, d.channel
                )
                d.due_at = calendar.due_at(at, *limit)
                payload["supplement_rule"] = "restart"
            else:
                d.due_at = calendar.extend_for_supplement(d.due_at, requested, at)
                payload["supplement_rule"] = "extend"
            due_changed = True
    elif act is Action.APOLOGISE:
        _check_apology(s, d, at, new_due_at)
        assert new_due_at is not None
        payload["previous_due_at"] = d.due_at.isoformat() if d.due_at else None
        d.original_due_at = d.original_due_at or d.due_at
        payload["original_due_at"] = d.original_due_at.isoformat() if d.original_due_at else None
        # The letter speaks for the agency responsible for the delay: the competent agency when the
        # dossier was forwarded (scenarios b and c), the centre itself otherwise (rules-2026.md D6).
        payload["responsible_agency"] = (
            d.competent_agency if d.scenario in ("b", "c") and d.competent_agency else d.receiving_agency
        )
        d.due_at = new_due_at.replace(microsecond=0)
        payload["new_due_at"] = d.due_at.isoformat()
        due_changed = True
    elif act is Action.FORWARD:
        target = handling_agency_eid or d.competent_agency_eid
        if target is None:
            raise DomainError(
                _problem(
                    "dossier.forward_target",
                    "Chưa xác định được cơ quan nhận hồ sơ chuyển đến.",
                    "The agency to forward to is not known.",
                    "handling_agency",
                )
            )
        agency = s.scalar(select(Centre).where(Centre.agency_eid == target))
        d.handling_agency_eid = target
        d.handling_agency = agency.name if agency is not None else d.handling_agency
        payload["handling_agency"] = d.handling_agency  # the timeline names where it went
    elif act is Action.RESULT_READY:
        d.finished_at = at
    elif act is Action.HAND_BACK:
        # Who collected the result: the applicant (default) or an authorised person with ID number.
        collector = validate_collector(
            str(payload.get("collected_by") or APPLICANT),
            str(payload.get("collector_name") or ""),
            str(payload.get("collector_id") or ""),
            applicant_name=d.applicant.full_name,
            applicant_id=d.applicant.personal_id or d.applicant.old_id or "",
        )
        payload.update(collector.as_payload())
        d.returned_at = at
    elif act in (Action.WITHDRAW, Action.STOP):
        d.finished_at = at
    d.status = after.value
    d.version += 1
    d.updated_at = at
    event = _transition(
        s,
        d,
        actor,
        act,
        before,
        at,
        text_reason,
        payload,
        due_at=d.due_at if due_changed else None,
        handling_agency_eid=d.handling_agency_eid if act is Action.FORWARD else None,
    )
    audit.append(
        s,
        actor,
        f"dossier.{act.value}",
        "dossier",
        d.id,
        {"code": d.code, "from": before, "to": d.status, "reason": text_reason},
        at=at,
        rows=(("dossier", d),),
        outbox=(event.id,),
    )
    return ActionResult(d.id, d.code, act.value, d.status, d.due_at, event.id)


# --- reorganisation transfer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverRow:
    code: str | None
    applicant: str
    procedure: str
    status: str
    due_at: datetime | None


@dataclass(frozen=True)
class TransferResult:
    from_unit: str
    from_name: str
    to_unit: str
    to_name: str
    continuing_agency: str
    rows: tuple[HandoverRow, ...]


def transfer_dissolved(
    store: Store, actor: Actor, from_unit: str, to_unit: str, at: datetime | None = None
) -> TransferResult:
    """Hand every unfinished dossier of a dissolved unit's agency to its successor, in one transaction.

    The code and the original receiving agency stay; the handling agency becomes the successor's
    (the continuing agency), with a ``transfer`` event per dossier and one audit entry for the list.
    """
    at = (at or datetime.now()).replace(microsecond=0)
    from_unit, to_unit = from_unit.strip(), to_unit.strip()
    with store.write() as s:
        old_units = s.scalars(
            select(AdminUnit).where(
                AdminUnit.code == from_unit, AdminUnit.level == "commune", AdminUnit.valid_to.is_not(None)
            )
        ).all()
        new_unit = current_commune(s, to_unit)
        if not old_units or new_unit is None:
            raise DomainError(
                _problem(
                    "transfer.units",
                    f"Không có đơn vị cũ mã «{from_unit}» hoặc đơn vị hiện hành mã «{to_unit}».",
                    f"No former unit {from_unit!r} or no current unit {to_unit!r}.",
                    "unit",
                )
            )
        successors = set(
            s.scalars(
                select(UnitSuccession.new_unit_id).where(
                    UnitSuccession.old_unit_id.in_([u.id for u in old_units])
                )
            )
        )
        if new_unit.id not in successors:
            raise DomainError(
                _problem(
                    "transfer.not_successor",
                    f"{new_unit.name} không phải đơn vị kế thừa của {old_units[0].name} "
                    "theo danh mục sắp xếp.",
                    f"{new_unit.name} is not a successor of {old_units[0].name} in the reorganisation table.",
                    "unit",
                )
            )
        old_centres = s.scalars(
            select(Centre).where(Centre.unit_code == from_unit, Centre.valid_to.is_not(None))
        ).all()
        successor = commune_centre(s, to_unit)
        if successor is None:
            raise DomainError(
                _problem(
                    "transfer.no_centre",
                    f"Chưa có trung tâm tiếp nhận của {new_unit.name} trong danh mục cơ quan.",
                    f"{new_unit.name} has no receiving centre in the agency list.",
                    "unit",
                )
            )
        eids = [c.agency_eid for c in old_centres]
        for c in old_centres:  # the dissolved agency's successor, recorded once
            c.successor_id = successor.id
        dossiers = (
            [
                d
                for d in s.scalars(
                    select(Dossier).where(Dossier.handling_agency_eid.in_(eids)).order_by(Dossier.received_at)
                )
                if is_open(d.status)
            ]
            if eids
            else []
        )
        rows: list[HandoverRow] = []
        events: list[str] = []
        for d in dossiers:
            before = d.status
            transition(before, Action.TRANSFER)
            payload = {
                "from_agency_eid": d.handling_agency_eid,
                "from_agency": d.handling_agency,
                "to_agency_eid": successor.agency_eid,
                "to_agency": successor.name,
            }
            d.handling_agency_eid = successor.agency_eid
            d.handling_agency = successor.name
            d.version += 1
            d.updated_at = at
            moved = _transition(
                s,
                d,
                actor,
                Action.TRANSFER,
                before,
                at,
                f"Sắp xếp đơn vị hành chính: {old_units[0].name} → {new_unit.name}",
                payload,
                handling_agency_eid=successor.agency_eid,
            )
            events.append(moved.id)
            rows.append(HandoverRow(d.code, d.applicant.full_name, d.procedure.name, d.status, d.due_at))
        audit.append(
            s,
            actor,
            "dossier.transfer",
            "unit",
            from_unit,
            {"to": to_unit, "dossiers": [r.code for r in rows]},
            at=at,
            rows=[("dossier", d) for d in dossiers],
            outbox=events,
        )
        return TransferResult(
            from_unit, old_units[0].name, to_unit, new_unit.name, successor.name, tuple(rows)
        )
