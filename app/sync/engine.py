"""The workstation's sync engine: push the outbox, pull the changes feed, lease dossier numbers ahead.

Rules (docs/design.md, Sync protocol): a change and its outbox entry commit together (the services do
that); the sender drains the outbox whenever the server answers and resends an event with the same id
after an unknown outcome (the server answers ``duplicate``); a permanently rejected event is **parked**
and shown to the operator without blocking the rest; pulled changes are applied in the same transaction
as the new checkpoint, never before; no sync with a clock more than 5 minutes off.

No Qt here: :class:`SyncWorker` runs rounds on a background thread and reports :class:`SyncState`
through a callback, which the GUI turns into a signal.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Text, bindparam, func, select, text, type_coerce, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, selectinload

from app.contract import (
    MAX_PUSH_EVENTS,
    MAX_QUARANTINE_REPORT,
    AuditHead,
    CentreInfo,
    Change,
    DossierState,
    EnrollResponse,
    Event,
    QuarantineItem,
)
from app.domain.calendar import local_naive
from app.domain.errors import DomainError, Problem
from app.domain.text import fold
from app.models import (
    Applicant,
    Centre,
    Dossier,
    DossierEvent,
    DossierRating,
    HolidayOverride,
    NumberLease,
    OnlineDossier,
    OutboxEntry,
    Procedure,
    QuarantinedChange,
    Workstation,
)
from app.models.base import table_of
from app.models.db import Store, StoreError, environment_problem
from app.models.fastwrite import RowInserter
from app.models.search_index import reindex_rows, terms
from app.services import audit
from app.services.desk import load_calendar, load_desk
from app.services.gcpause import paused_gc
from app.services.reference import get_setting, set_setting, upsert_procedure
from app.sync import credentials
from app.sync.client import ClockSkew, ServerRefused, SyncClient, SyncError, TransientError

log = logging.getLogger(__name__)
T = TypeVar("T")

KEY_SERVER = "sync.server_url"
KEY_DEVICE = "sync.device_id"
KEY_CURSOR = "sync.cursor"
KEY_LAST = "sync.last_success"


def token_name(device_id: str) -> str:
    return f"device-token:{device_id}"


NOT_ENROLLED = Problem(
    "sync.not_enrolled",
    "Máy trạm chưa được đăng ký với máy chủ tỉnh. Hãy đăng ký bằng địa chỉ máy chủ và mã đăng ký một lần "
    "do quản trị viên cấp (menu Đồng bộ › Đăng ký máy trạm, hoặc lệnh motcua-desk enrol).",
    "This workstation is not enrolled with the provincial server. Enrol it with the server address and the "
    "one-time code from the administrator (Sync › Enrol workstation, or motcua-desk enrol).",
)


# --- enrolment and online login ---------------------------------------------------------------------------


def enrol(
    store: Store,
    server_url: str,
    code: str,
    device_name: str,
    client_factory: Callable[[str, str | None], SyncClient] | None = None,
) -> EnrollResponse:
    """Enrol this workstation: the token goes to the OS keyring, the centre and slot to the store."""
    problem = credentials.keyring_problem()
    if problem is not None:  # check first: the one-time code must not be spent for a token we cannot keep
        raise DomainError(problem)
    factory = client_factory or (lambda url, token: SyncClient(url, token))
    with factory(server_url, None) as client:
        response = client.enroll(code.strip(), device_name)
    credentials.save_secret(token_name(response.device_id), response.device_token)
    c = response.centre
    with store.write() as s:
        for other in s.scalars(select(Centre).where(Centre.is_home.is_(True))):
            other.is_home = False
        centre = s.scalar(select(Centre).where(Centre.agency_eid == c.eid)) or Centre(agency_eid=c.eid)
        centre.kind, centre.name, centre.unit_code, centre.province_code = (
            c.kind,
            c.name,
            c.unit_code,
            c.province_code,
        )
        centre.parent_name, centre.place_name, centre.address = c.parent_name, c.place_name, c.address
        centre.hotline, centre.lookup_url, centre.is_home = c.hotline, c.lookup_url, True
        s.add(centre)
        s.flush()
        ws = s.scalar(select(Workstation).where(Workstation.is_local.is_(True)))
        if ws is None:
            ws = Workstation(centre_id=centre.id, slot=response.slot, name=device_name, is_local=True)
            s.add(ws)
        ws.centre_id, ws.slot, ws.device_id, ws.enrolled_at = (
            centre.id,
            response.slot,
            response.device_id,
            datetime.now(),
        )
        ws.name = device_name
        set_setting(s, KEY_SERVER, server_url.rstrip("/"))
        set_setting(s, KEY_DEVICE, response.device_id)
        set_setting(s, KEY_CURSOR, 0)
    log.info("enrolled as device %s of centre %s, slot %s", response.device_id, c.eid, response.slot)
    return response


def connection(store: Store) -> tuple[str, str, str]:
    """(server URL, device id, token) of this enrolled workstation, or DomainError(NOT_ENROLLED)."""
    with store.read() as s:
        url, device = get_setting(s, KEY_SERVER), get_setting(s, KEY_DEVICE)
    if not url or not device:
        raise DomainError(NOT_ENROLLED)
    try:
        token = credentials.load_secret(token_name(device))
    except credentials.KeyringUnavailable as exc:
        raise DomainError(exc.problem) from exc
    if not token:
        raise DomainError(NOT_ENROLLED)
    return url, device, token


# --- one round --------------------------------------------------------------------------------------------


@dataclass
class RoundReport:
    pushed: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    pulled: int = 0
    leased: int = 0
    #: Pulled changes that could not be applied, kept in quarantine (the pull went on without them).
    quarantined: int = 0
    parked: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)
    #: Digitised files uploaded in this round, and their bytes (app.sync.files).
    files_sent: int = 0
    file_bytes_sent: int = 0
    files_fetched: int = 0


class SyncEngine:
    """Runs sync rounds for one enrolled workstation. Not thread-safe: one round at a time."""

    def __init__(
        self,
        store: Store,
        client: SyncClient,
        *,
        batch: int = 200,
        lease_days: int = 2,
        lease_size: int = 50,
        lease_low_water: int = 10,
    ) -> None:
        self.store = store
        self.client = client
        self.batch = min(batch, MAX_PUSH_EVENTS)
        self.lease_days = lease_days
        self.lease_size = lease_size
        self.lease_low_water = lease_low_water

    def run_round(self) -> RoundReport:
        """Health/clock check, push everything pending, pull every change, lease ahead."""
        self.client.health()  # raises ClockSkew / TransientError before anything moves
        report = RoundReport()
        self.push(report)
        from app.sync.files import upload_pending  # after the events that name the files

        uploaded = upload_pending(self.store, self.client)
        report.files_sent, report.file_bytes_sent = uploaded.sent, uploaded.bytes_sent
        self.pull(report)
        from app.sync.files import fetch_missing  # the papers of dossiers forwarded here

        report.files_fetched = fetch_missing(self.store, self.client)
        from app.sync.portal_acks import pull_acks  # what the national portal acknowledged (reconciliation)

        pull_acks(self.store, self.client)
        self.lease_ahead(report)
        with self.store.write() as s:
            set_setting(s, KEY_LAST, datetime.now().isoformat(timespec="seconds"))
        return report

    # -- push

    def push(self, report: RoundReport) -> None:
        while True:
            # The batch is read and its attempt counted in one write transaction, before anything goes on
            # the wire: a row with an attempt is "in flight or sent" for the writers that would otherwise
            # rewrite a pending event (OCR's switch to the PDF/A, app/services/files.py), which then record
            # a new event instead. Write transactions are serialised (BEGIN IMMEDIATE), so such a writer
            # either changed the payload before this read (and the new version is sent) or sees the attempt.
            with self.store.write() as s:
                # The payloads as their stored JSON text, validated from it by pydantic (no json.loads).
                entries = s.execute(
                    select(OutboxEntry.seq, OutboxEntry.event_id, type_coerce(OutboxEntry.payload, Text))
                    .where(OutboxEntry.state == "pending")
                    .order_by(OutboxEntry.seq)
                    .limit(self.batch)
                ).all()
                head = audit.current_head(s) if entries else None
                _bump_attempts(s, [e.seq for e in entries])
            if not entries:
                return
            events: list[Event] = []
            invalid: dict[str, str] = {}
            for e in entries:
                try:
                    events.append(Event.model_validate_json(e[2]))
                except ValidationError as exc:  # a local bug: park it, never block the queue
                    invalid[e.event_id] = f"invalid event: {exc.errors()[0].get('msg', '')}"
            # A TransientError leaves the rows pending (their attempt counted) for the next round.
            response = self.client.push(events, _wire_head(head)) if events else None
            results = {r.event_id: r for r in (response.results if response else [])}
            now = datetime.now()
            # The outcome of each row still in the outbox, written in bulk (one UPDATE per outcome, the
            # parked rows' reasons as one executemany): a per-row ``Session.get`` with autoflush cost ~17%
            # of a push. Every row sent got its attempt counted when the batch was read.
            with self.store.write() as s:
                alive = _existing_seqs(s, [e.seq for e in entries])
                sent: list[int] = []
                parked: list[dict[str, Any]] = []
                for e in entries:
                    if e.seq not in alive:
                        continue
                    result = results.get(e.event_id)
                    if e.event_id in invalid:
                        reason = invalid[e.event_id]
                    elif result is None:
                        continue  # stays pending, sent again next round
                    elif result.status in ("accepted", "duplicate"):
                        sent.append(e.seq)
                        report.accepted += result.status == "accepted"
                        report.duplicate += result.status == "duplicate"
                        continue
                    else:
                        reason = result.reason.vi if result.reason else "rejected"
                    parked.append({"b_seq": e.seq, "b_error": reason})
                    report.parked.append((e.event_id, reason))
                    report.rejected += 1
                if response is not None and head is not None:
                    audit.note_pushed(s, head)  # the server holds this head: the next push anchors on it
                for chunk in _chunks(sent):
                    s.execute(
                        update(_OUTBOX)
                        .where(_OUTBOX.c.seq.in_(chunk))
                        .values(state="sent", sent_at=now, last_error="")
                    )
                if parked:
                    s.execute(
                        update(_OUTBOX)
                        .where(_OUTBOX.c.seq == bindparam("b_seq"))
                        .values(state="parked", last_error=bindparam("b_error")),
                        parked,
                    )
            report.pushed += len(entries)
            if len(entries) < self.batch or not results:
                return

    # -- pull

    def pull(self, report: RoundReport) -> None:
        while True:
            with self.store.read() as s:
                cursor = int(get_setting(s, KEY_CURSOR, 0) or 0)
            with paused_gc():  # a page is ~100,000 short-lived objects (app/services/gcpause.py)
                page = self.client.changes(cursor, limit=500)
                with self.store.write() as s:  # the changes and the checkpoint commit together
                    report.quarantined += apply_page(s, page.changes)
                    set_setting(s, KEY_CURSOR, page.next)
            report.pulled += len(page.changes)
            if not page.more:
                break
        self.report_quarantined()

    def report_quarantined(self) -> None:
        """Tell the server about the changes this desk could not apply (not yet told). A server that
        cannot be told now is told at a later round: the pull itself never waits for it."""
        with self.store.read() as s:
            rows = s.scalars(
                select(QuarantinedChange)
                .where(QuarantinedChange.reported_at.is_(None))
                .order_by(QuarantinedChange.change_seq)
                .limit(MAX_QUARANTINE_REPORT)
            ).all()
        if not rows:
            return
        items = [
            QuarantineItem.model_validate(
                {
                    "seq": r.change_seq,
                    "kind": r.kind,
                    "dossier_id": r.dossier_id,
                    "code": r.code,
                    "reason": r.reason,
                }
            )
            for r in rows
        ]
        try:
            self.client.report_quarantined(items)
        except SyncError as exc:
            log.warning("could not report %d quarantined change(s) to the server: %s", len(items), exc)
            return
        with self.store.write() as s:
            s.execute(
                update(table_of(QuarantinedChange))
                .where(table_of(QuarantinedChange).c.id.in_([r.id for r in rows]))
                .values(reported_at=datetime.now())
            )

    # -- leases

    def lease_ahead(self, report: RoundReport) -> None:
        with self.store.read() as s:
            desk = load_desk(s)
            calendar = load_calendar(s)
            # Today (whatever the calendar says: a counter may open on a day off) and the coming working days.
            days: list[date] = [date.today()]
            d = date.today() + timedelta(days=1)
            while len(days) < self.lease_days + 1:
                if calendar.is_working_day(d):
                    days.append(d)
                d += timedelta(days=1)
            left = {
                day: s.scalar(
                    select(
                        func.coalesce(func.sum(NumberLease.last_number - NumberLease.next_number + 1), 0)
                    ).where(
                        NumberLease.agency_eid == desk.agency_eid,
                        NumberLease.day == day,
                        NumberLease.source == "server",
                    )
                )
                or 0
                for day in days
            }
        for day, remaining in left.items():
            if remaining >= self.lease_low_water:
                continue
            try:
                response = self.client.lease(desk.agency_eid, day, self.lease_size)
            except ServerRefused as exc:
                if exc.problem.code != "lease.device_cap":
                    raise
                # The server's per-device cap for the day (D14): the round is not a failure; this desk
                # goes on with what it holds, then its slot's fallback block.
                log.warning("no more leases for %s: %s", day, exc.problem.en)
                continue
            lease = response.lease
            with self.store.write() as s:
                s.add(
                    NumberLease(
                        agency_eid=lease.agency_eid,
                        day=lease.day,
                        first_number=lease.first,
                        last_number=lease.last,
                        next_number=lease.first,
                        source="server",
                        workstation_id=desk.workstation_id,
                        granted_at=datetime.now(),
                    )
                )
            report.leased += lease.last - lease.first + 1


#: The outbox table, for the push's bulk updates (Core statements: no ORM objects loaded or flushed).
_OUTBOX: Any = OutboxEntry.__table__
#: Tables a page of pulled changes inserts into in bulk (``apply_dossiers``).
_INSERT_APPLICANTS = RowInserter(table_of(Applicant))
_INSERT_DOSSIERS = RowInserter(table_of(Dossier))
_INSERT_EVENTS = RowInserter(table_of(DossierEvent))
#: Columns of a dossier that only the workstation that received it has (the fee's basis and the
#: extension applied at intake are not in the sync snapshot; the amount is).
_NOT_FROM_THE_SERVER = {
    "operator_id": None,
    "workstation_id": None,
    "pages": 0,
    "copies": 0,
    "fee_basis": "",
    "extension": "",
}


def _original_due(state: DossierState) -> datetime | None:
    """The due date first promised: the one in the ``dossier.received`` snapshot (an apology moves
    ``due_at`` later, never this one)."""
    for e in state.events:
        if e.type == "dossier.received" and isinstance(e.payload.get("due_at"), str):
            try:
                return _naive(datetime.fromisoformat(e.payload["due_at"]))
            except ValueError:
                break
    return _naive(state.due_at)


#: Seqs per ``IN (...)`` list, well under SQLite's bound-parameter limit whatever the batch size.
_IN_CHUNK = 500


def _chunks(seqs: list[T]) -> list[list[T]]:
    return [seqs[i : i + _IN_CHUNK] for i in range(0, len(seqs), _IN_CHUNK)]


def _existing_seqs(s: Session, seqs: list[int]) -> set[int]:
    """The seqs still in the outbox (a row may have gone since the batch was read)."""
    found: set[int] = set()
    for chunk in _chunks(seqs):
        found.update(s.scalars(select(OutboxEntry.seq).where(OutboxEntry.seq.in_(chunk))))
    return found


def _bump_attempts(s: Session, seqs: list[int]) -> None:
    """One more attempt for each of these outbox rows, their state unchanged."""
    for chunk in _chunks(seqs):
        s.execute(update(_OUTBOX).where(_OUTBOX.c.seq.in_(chunk)).values(attempts=_OUTBOX.c.attempts + 1))


# --- applying pulled changes -----------------------------------------------------------------------------


def _apply_reference_change(s: Session, change: Change) -> None:
    """A pulled procedure or calendar change (dossier changes go through :func:`apply_dossiers`)."""
    if change.kind == "procedure" and change.procedure is not None:
        upsert_procedure(s, change.procedure.model_dump(), datetime.now())
    elif change.kind == "calendar" and change.calendar is not None:
        c = change.calendar
        day = s.get(HolidayOverride, c.day)
        if c.removed:
            if day is not None:
                s.delete(day)
            return
        day = day or HolidayOverride(day=c.day)
        day.kind, day.note, day.notice, day.notice_date = c.kind, c.note, c.notice, c.notice_date
        day.source = "server"
        s.add(day)
    elif change.kind == "centre" and change.centre is not None:
        _apply_centre(s, change.centre)
    elif change.kind == "rating" and change.rating is not None:
        r = change.rating
        row = s.get(DossierRating, r.dossier_id) or DossierRating(dossier_id=r.dossier_id)
        row.dossier_code, row.centre_eid, row.officer = r.dossier_code, r.centre_eid, r.officer
        row.score, row.comment, row.source = r.score, r.comment, r.source
        row.rated_at = local_naive(r.rated_at)  # the centre's wall-clock time, like every desk time
        s.add(row)


def _apply_centre(s: Session, c: CentreInfo) -> None:
    """A centre's published settings from the server (its look-up address above all): only a centre this
    store already knows is updated (the home centre and those its dossiers were forwarded to)."""
    centre = s.scalar(select(Centre).where(Centre.agency_eid == c.eid))
    if centre is None:
        return
    centre.name, centre.parent_name, centre.place_name = c.name, c.parent_name, c.place_name
    centre.address, centre.hotline, centre.lookup_url = c.address, c.hotline, c.lookup_url


def apply_page(s: Session, changes: Sequence[Change]) -> int:
    """Apply a page of pulled changes; a change that cannot be applied (a code a local dossier already
    holds, a broken reference…) is quarantined with its reason instead of stopping the pull for good.
    Returns how many were quarantined.

    The whole page is tried at once in a savepoint (the everyday, fast path). If it fails for a reason that
    is not the environment's (disk full, read-only, busy: those stop the round as before), the page is
    applied again one change at a time, each in its own savepoint."""
    try:
        with s.begin_nested():
            apply_changes(s, changes)
        return 0
    except Exception as exc:
        if _environment_failure(exc):
            raise
    quarantined = 0
    for change in changes:
        try:
            with s.begin_nested():
                apply_changes(s, [change])
        except Exception as exc:
            if _environment_failure(exc):
                raise
            quarantine(s, change, _reason(s, change, exc))
            quarantined += 1
    return quarantined


def _environment_failure(exc: BaseException) -> bool:
    return isinstance(exc, DatabaseError) and environment_problem(exc, Path("")) is not None


def _reason(s: Session, change: Change, exc: BaseException) -> str:
    """Why a change could not be applied, for the operator (Vietnamese) and the server."""
    st = change.dossier
    if st is not None and st.code:
        holder = s.scalar(select(Dossier.id).where(Dossier.code == st.code, Dossier.id != st.id))
        if holder is not None:
            return (
                f"Mã hồ sơ {st.code} của máy chủ trùng với một hồ sơ khác đã có trên máy này ({holder}); "
                "thay đổi được giữ lại (cách ly), không áp dụng. Báo bộ phận kỹ thuật của tỉnh. "
                f"/ The server's dossier code {st.code} is already held by another local dossier ({holder}); "
                "the change is quarantined, not applied."
            )
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
    return (
        f"Thay đổi từ máy chủ không áp dụng được ({type(exc).__name__}: {detail}); được giữ lại (cách ly). "
        f"/ The server's change could not be applied ({type(exc).__name__}: {detail}); it is quarantined."
    )


def quarantine(s: Session, change: Change, reason: str) -> None:
    """Keep a change that could not be applied, with its reason (once per change of the feed)."""
    log.warning("pulled change %d quarantined: %s", change.seq, reason)
    if s.scalar(select(QuarantinedChange.id).where(QuarantinedChange.change_seq == change.seq)) is not None:
        return
    st = change.dossier
    s.add(
        QuarantinedChange(
            change_seq=change.seq,
            kind=change.kind,
            dossier_id=st.id if st is not None else None,
            code=st.code if st is not None else None,
            reason=reason,
            body=change.model_dump(mode="json"),
            created_at=datetime.now(),
        )
    )
    s.flush()


def apply_changes(s: Session, changes: Sequence[Change]) -> None:
    """Apply a page of pulled changes in order, in the caller's transaction, each run of dossier changes
    as one batch."""
    run: list[DossierState] = []
    for change in changes:
        if change.kind == "dossier":
            if change.dossier is not None:
                run.append(change.dossier)
            continue
        if run:
            apply_dossiers(s, run)
            run = []
        _apply_reference_change(s, change)
    if run:
        apply_dossiers(s, run)


def _wire_head(head: audit.Head | None) -> AuditHead | None:
    if head is None:
        return None
    return AuditHead(
        position=head.position, mac=head.mac, anchor_position=head.anchor_position, anchor_mac=head.anchor_mac
    )


def _naive(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment is not None and moment.tzinfo is not None else moment


def _procedure_for(s: Session, state: DossierState) -> Procedure:
    proc = s.scalar(select(Procedure).where(Procedure.code == state.procedure_code))
    if proc is None:  # not in this centre's catalogue (forwarded from elsewhere): keep a reference row
        proc = Procedure(
            code=state.procedure_code,
            name=state.procedure_name,
            name_folded=fold(state.procedure_name),
            field="",
            level="commune",
            competent_agency=state.competent_agency,
            time_value=0,
            time_unit="same_day",
            channels=[],
            cross_boundary=False,
            active=False,
            notes="",
        )
        s.add(proc)
        s.flush()
    return proc


def _centre_for(s: Session, eid: str, name: str) -> Centre:
    centre = s.scalar(select(Centre).where(Centre.agency_eid == eid))
    if centre is None:
        home = s.scalar(select(Centre).where(Centre.is_home.is_(True)))
        centre = Centre(
            agency_eid=eid, name=name, kind="commune_centre", province_code=home.province_code if home else ""
        )
        s.add(centre)
        s.flush()
    return centre


class _NewRow(SimpleNamespace):
    """A row created by a page of changes, written with one multi-row INSERT per table at the end."""


def apply_dossiers(s: Session, states: Sequence[DossierState]) -> None:
    """Bring the local copies of dossiers to the server's states, in order: create a dossier (forwarded to
    this centre) or add the events made elsewhere, keeping the code, the original receiving agency and
    local history.

    A page at a time: the rows it needs are read with a few ``IN`` queries, the changes applied in memory
    in order (a dossier may appear more than once in a page), then the new applicants, dossiers and events
    are inserted with one statement per table and the local dossiers it changed are flushed together.
    """
    ids = list(dict.fromkeys(st.id for st in states))
    local: dict[str, Dossier] = {}
    pending: set[str] = set()
    for chunk in _chunks(ids):
        local.update(
            (d.id, d)
            for d in s.scalars(
                select(Dossier).where(Dossier.id.in_(chunk)).options(selectinload(Dossier.events))
            )
        )
        pending.update(
            s.scalars(
                select(OutboxEntry.dossier_id)
                .where(OutboxEntry.dossier_id.in_(chunk), OutboxEntry.state == "pending")
                .distinct()
            )
        )
    fresh = [st for st in states if st.id not in local]
    applicants: set[str] = set()
    procedures: dict[str, int] = {}
    centres: dict[str, int] = {}
    if fresh:
        for chunk in _chunks(list({st.applicant.id for st in fresh})):
            applicants.update(s.scalars(select(Applicant.id).where(Applicant.id.in_(chunk))))
        codes = list({st.procedure_code for st in fresh})
        procedures.update(
            s.execute(select(Procedure.code, Procedure.id).where(Procedure.code.in_(codes))).tuples().all()
        )
        eids = list({st.receiving_agency_eid for st in fresh})
        centres.update(
            s.execute(select(Centre.agency_eid, Centre.id).where(Centre.agency_eid.in_(eids))).tuples().all()
        )
    new: dict[str, _NewRow] = {}
    new_applicants: list[dict[str, Any]] = []
    index: list[tuple[str, str]] = []
    for state in states:
        d: Any = local.get(state.id) or new.get(state.id)
        created = d is None
        if d is None:
            a = state.applicant
            name_folded = fold(a.full_name)
            if a.id not in applicants:
                applicants.add(a.id)
                new_applicants.append(
                    {
                        "id": a.id,
                        "personal_id": a.personal_id,
                        "old_id": a.old_id,
                        "full_name": a.full_name,
                        "name_folded": name_folded,
                        "birth_date": a.birth_date,
                        "gender": a.gender,
                        "phone": a.phone,
                        "email": a.email,
                        "address": a.address,
                        "unit_code": a.unit_code,
                        "created_at": _naive(state.received_at) or datetime.now(),
                    }
                )
            if state.procedure_code not in procedures:
                procedures[state.procedure_code] = _procedure_for(s, state).id
            if state.receiving_agency_eid not in centres:
                centre = _centre_for(s, state.receiving_agency_eid, state.receiving_agency)
                centres[state.receiving_agency_eid] = centre.id
            d = new[state.id] = _NewRow(
                id=state.id,
                code=state.code,
                lookup_secret=state.lookup_secret,
                procedure_id=procedures[state.procedure_code],
                applicant_id=a.id,
                receiving_centre_id=centres[state.receiving_agency_eid],
                receiving_agency=state.receiving_agency,
                channel=state.channel,
                received_at=_naive(state.received_at),
                papers_received=state.papers_received,
                sets_count=state.sets_count,
                fee_vnd=state.fee_vnd,
                result_delivery=state.result_delivery,
                notes=state.notes,
                notify=",".join(state.notify),
                version=0,
                created_at=datetime.now(),
                status=state.status.value,
                scenario=state.scenario,
                competent_agency=state.competent_agency,
                handling_agency=state.handling_agency,
                updated_at=datetime.now(),
                finished_at=None,
                returned_at=None,
                original_due_at=_original_due(state),
                events=[],
            )
            index.append(
                (d.id, terms(name_folded, a.personal_id, a.phone, state.code)),
            )
        _apply_state(d, state, created, state.id in pending, DossierEvent if state.id in local else _NewRow)
    # The new rows with prepared inserts (app.models.fastwrite: the column types' own bind processors,
    # one executemany per table); a page brings hundreds.
    conn = s.connection()
    _INSERT_APPLICANTS.many(conn, new_applicants)
    _INSERT_DOSSIERS.many(
        conn,
        ({k: v for k, v in vars(d).items() if k != "events"} | _NOT_FROM_THE_SERVER for d in new.values()),
    )
    _INSERT_EVENTS.many(conn, (vars(e) | {"dossier_id": d.id} for d in new.values() for e in d.events))
    s.flush()
    online = {st.id: st for st in states if st.portal_id is not None}
    if online:
        # Online dossiers from the national portal: their portal id and acceptance deadline (one row each);
        # a supplement the citizen sent moves the deadline (server/portal.py).
        insert_online = sqlite_insert(OnlineDossier).values(
            [
                {
                    "dossier_id": i,
                    "portal_id": st.portal_id,
                    "acceptance_due_at": _naive(st.acceptance_due_at),
                    "vneid_verified": st.vneid_verified,
                    "paid_online": st.paid_online,
                }
                for i, st in online.items()
            ]
        )
        conn.execute(
            insert_online.on_conflict_do_update(
                index_elements=["dossier_id"],
                set_={
                    "acceptance_due_at": insert_online.excluded.acceptance_due_at,
                    "vneid_verified": insert_online.excluded.vneid_verified,
                    "paid_online": insert_online.excluded.paid_online,
                },
            )
        )
    if index:
        rowids: dict[str, int] = {}
        for chunk in _chunks([i for i, _ in index]):
            rowids.update(
                s.execute(
                    text("SELECT id, rowid FROM dossiers WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": chunk},
                )
                .tuples()
                .all()
            )
        reindex_rows(conn, [(rowids[i], t) for i, t in index])
    if any(ev.type == "dossier.files" for st in states for ev in st.events):
        # The papers digitised elsewhere (issue 19); the module (and the blob store's) is loaded only
        # when a page brings some.
        from app.sync.files import record_remote_files

        record_remote_files(s, states)
    # The rows as they now are, sealed into the audit chain (issue 16, D10: db check finds direct edits).
    touched = {st.id: local.get(st.id) or new[st.id] for st in states}
    audit.append(
        s,
        audit.Actor("sync", ""),
        "sync.applied",
        "dossier",
        "",
        {"dossiers": len(touched)},
        rows=[*(("applicant", a) for a in new_applicants), *(("dossier", d) for d in touched.values())],
    )


def _apply_state(
    d: Any, state: DossierState, created: bool, local_pending: bool, event_row: Callable[..., Any]
) -> None:
    """One change of one dossier (a local ``Dossier`` or a :class:`_NewRow`), as the server sent it."""
    known = {e.id for e in d.events}
    for ev in state.events:
        if ev.event_id in known or ev.type == "dossier.files":
            # A digitised paper is not a status event: its reference is kept with the files (issue 19).
            continue
        payload = ev.payload
        action = payload.get("action", "receive") if ev.type == "dossier.transition" else "receive"
        d.events.append(
            event_row(
                id=ev.event_id,
                seq=len(d.events) + 1,
                action=action,
                from_status=payload.get("from_status"),
                to_status=payload.get("to_status", payload.get("status", state.status.value)),
                occurred_at=_naive(ev.occurred_at),
                operator_name=ev.operator,
                workstation_name=ev.workstation,
                reason=payload.get("reason", ""),
                payload=payload.get("extra", {}),
                origin="server",
            )
        )
    if not d.code and state.code:
        d.code = state.code  # an online dossier accepted at another workstation of the centre
    if created or not local_pending:
        # The server orders events; without local changes still on their way, its state is the truth.
        d.status = state.status.value
        d.due_at = _naive(state.due_at)
        d.competent_agency, d.competent_agency_eid = state.competent_agency, state.competent_agency_eid
        d.competent_unit_code = state.competent_unit_code
        d.handling_agency, d.handling_agency_eid = state.handling_agency, state.handling_agency_eid
        d.scenario = state.scenario
        last = {e.action: _naive(e.occurred_at) for e in d.events}
        d.finished_at = d.finished_at or last.get("result_ready")
        d.returned_at = d.returned_at or last.get("hand_back")
    d.version = (d.version or 0) + 1
    d.updated_at = datetime.now()


# --- background worker ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncState:
    """What the status bar shows."""

    state: str  # "offline" | "online" | "syncing" | "error" | "clock" | "not_enrolled"
    pending: int = 0
    parked: int = 0
    last_success: datetime | None = None
    problem: Problem | None = None
    next_attempt_in: float | None = None
    #: Changes the round that just ended brought from the server (lists on screen may need a reload).
    pulled: int = 0
    #: Digitised files (and their bytes) still to upload, and files the server refused (issue 19).
    files_pending: int = 0
    file_bytes_pending: int = 0
    files_parked: int = 0


def outbox_counts(store: Store) -> tuple[int, int]:
    with store.read() as s:
        rows: dict[str, int] = {
            state: n
            for state, n in s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state))
        }
        # The changes kept in quarantine are shown with the parked events (one count for the status bar).
        quarantined = s.scalar(select(func.count()).select_from(QuarantinedChange)) or 0
    return int(rows.get("pending", 0)), int(rows.get("parked", 0)) + int(quarantined)


def last_success(store: Store) -> datetime | None:
    with store.read() as s:
        value = get_setting(s, KEY_LAST)
    return datetime.fromisoformat(value) if value else None


class Backoff:
    """Exponential back-off with full jitter: 2, 4, 8 … s capped at ``cap``, each × random(0.5, 1.5)."""

    def __init__(self, base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None) -> None:
        self.base, self.cap, self.failures = base, cap, 0
        self.rng = rng or random.Random()

    def next_delay(self) -> float:
        self.failures += 1
        return min(self.cap, self.base * 2.0 ** (self.failures - 1)) * self.rng.uniform(0.5, 1.5)

    def reset(self) -> None:
        self.failures = 0


class SyncWorker:
    """Sync rounds on a background thread: at start, every ``interval`` seconds, and whenever woken
    (after a local change, on reconnect, or by "Sync now"); transient failures back off with jitter."""

    def __init__(
        self,
        store: Store,
        on_state: Callable[[SyncState], None],
        *,
        interval: float = 60.0,
        client_factory: Callable[[str, str], SyncClient] | None = None,
    ) -> None:
        self.store = store
        self.on_state = on_state
        self.interval = interval
        self.client_factory = client_factory or (lambda url, token: SyncClient(url, token))
        self.backoff = Backoff()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: RoundReport | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"sync-{uuid.uuid4().hex[:6]}", daemon=True
            )
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _emit(self, state: SyncState) -> None:
        try:
            self.on_state(state)
        except Exception:  # the GUI's problem must not kill the sync thread
            log.exception("sync state callback failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            delay = self.run_once()
            self._wake.wait(delay)
            self._wake.clear()

    def run_once(self) -> float:
        """One round; returns how long to wait before the next one."""
        pending, parked = outbox_counts(self.store)
        base = SyncState("syncing", pending, parked, last_success(self.store))
        try:
            url, _device, token = connection(self.store)
        except DomainError as exc:
            self._emit(replace(base, state="not_enrolled", problem=exc.problems[0]))
            return self.interval
        self._emit(base)
        try:
            with self.client_factory(url, token) as client:
                self.last_report = SyncEngine(self.store, client).run_round()
        except ClockSkew as exc:
            self._emit(replace(base, state="clock", problem=exc.problem))
            return self.interval
        except TransientError as exc:
            delay = self.backoff.next_delay()
            pending, parked = outbox_counts(self.store)
            self._emit(
                replace(
                    base,
                    state="offline",
                    pending=pending,
                    parked=parked,
                    problem=exc.problem,
                    next_attempt_in=delay,
                )
            )
            return delay
        except StoreError as exc:  # the desk's own disk (full, read-only): say so, retry later
            try:
                pending, parked = outbox_counts(self.store)
            except Exception:
                pending, parked = base.pending, base.parked
            self._emit(replace(base, state="error", pending=pending, parked=parked, problem=exc.problem))
            return self.backoff.next_delay()
        except ServerRefused as exc:  # e.g. revoked device: not retried quickly
            pending, parked = outbox_counts(self.store)
            self._emit(replace(base, state="error", pending=pending, parked=parked, problem=exc.problem))
            return self.interval
        except Exception:
            log.exception("sync round failed")
            self._emit(
                replace(
                    base,
                    state="error",
                    problem=Problem(
                        "sync.unexpected",
                        "Lỗi không mong đợi khi đồng bộ; chi tiết trong nhật ký.",
                        "Unexpected error while syncing; details in the log.",
                    ),
                )
            )
            return self.backoff.next_delay()
        self.backoff.reset()
        pending, parked = outbox_counts(self.store)
        pulled = self.last_report.pulled if self.last_report is not None else 0
        from app.sync.files import parked_files, pending_files

        files_pending, file_bytes = pending_files(self.store)
        self._emit(
            SyncState(
                "online",
                pending,
                parked,
                last_success(self.store),
                pulled=pulled,
                files_pending=files_pending,
                file_bytes_pending=file_bytes,
                files_parked=parked_files(self.store),
            )
        )
        return self.interval


#: The ``type`` of a quarantined change among the parked events.
QUARANTINED_TYPE = "change.quarantined"


def parked_events(store: Store) -> list[dict[str, Any]]:
    """Events the server refused for good, then the server's changes this desk could not apply
    (quarantined), for the operator to see (neither blocks sync)."""
    with store.read() as s:
        rows = s.scalars(
            select(OutboxEntry).where(OutboxEntry.state == "parked").order_by(OutboxEntry.seq)
        ).all()
        events: list[dict[str, Any]] = [
            {
                "event_id": r.event_id,
                "dossier_id": r.dossier_id,
                "type": r.event_type,
                "reason": r.last_error,
                "created_at": r.created_at,
            }
            for r in rows
        ]
        for q in s.scalars(select(QuarantinedChange).order_by(QuarantinedChange.change_seq)):
            # The local dossier that holds the code, if any: the one the operator can open.
            holder = (
                s.scalar(select(Dossier.id).where(Dossier.code == q.code)) if q.code is not None else None
            )
            events.append(
                {
                    "event_id": f"change:{q.change_seq}",
                    "dossier_id": holder or q.dossier_id or "",
                    "type": QUARANTINED_TYPE,
                    "reason": q.reason,
                    "created_at": q.created_at,
                    "code": q.code,
                    "reported": q.reported_at is not None,
                }
            )
        return events
