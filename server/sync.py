"""Push (events from a workstation's outbox) and pull (the change feed), with their rules.

Push
----
A batch is one transaction and commits once (one WAL flush / fsync per batch, not per event). Every rule
below is checked before an event writes anything, so a rejected event leaves nothing to undo and the
batch's first run takes no savepoint. Only a unique key can fail after an event started writing (another
push committed the same event, dossier or code meanwhile); that run is then rolled back whole and the
batch runs again with each event inside its own SAVEPOINT, so that a failing event is rolled back alone
without losing the others (:func:`push`). Rules, in order:

1. Idempotence by ``event_id``: an event already accepted with the same canonical content (the event as
   validated, payload normalised by its model, as key-sorted JSON) is a ``duplicate``; with a different
   content it is ``rejected`` ``event.conflict``. Rejected events are not kept, so a rejected event can be
   sent again later (e.g. after the dossier it refers to has arrived).
2. The payload must match its type (``event.invalid``).
3. ``dossier.received``: the receiving agency must be the device's centre and the code's e-ID part too
   (``scope.forbidden`` / ``code.agency``); the code must be well formed (``code.format``…) and not used by
   another dossier (``code.duplicate``); the status must be one a dossier can start in (``status.initial``)
   and the dossier must not exist yet (``dossier.exists``).
4. ``dossier.transition``: the dossier must exist (``dossier.unknown``) and be visible to the device's
   centre (receiving, competent or handling agency; ``scope.forbidden``); the action must be legal from the
   server's current status (``app.domain.status.transition``; events are ordered by their arrival at the
   server) or it is rejected with the status machine's reason (``status.illegal.<action>``). The server's
   status is the one the machine computes; ``from_status``/``to_status`` are the workstation's view.
5. ``dossier.files`` (issue 19): like a transition, the dossier must exist and be visible to the device's
   centre; it is recorded among the dossier's events (its file references reach every centre named on
   the dossier through the change feed), its file reference is written to ``file_refs`` (the index the
   file routes check, ``server.blobs``), and it changes no status. One marked ``text_layer_of`` (OCR's
   PDF/A of a file an earlier event named, sent when OCR ended after that event was pushed) is accepted
   only for the same paper with the same page hashes, from the centre whose workstation sent that earlier
   event (``files.text_layer_*``; ``app.domain.roles.text_layer_refusal``).

Each accepted event updates the dossier's state (status, due date, handling agency) and appends one
``dossier`` change carrying the whole dossier and all its events.

What a batch reads first (the event ids already stored, the dossiers and codes already taken) is a hint
only: under READ COMMITTED another push may commit the same event, dossier or code meanwhile. The unique
constraints are the guard: the event's insert then fails, and in the run with savepoints its savepoint
is rolled back and the event judged again from fresh reads (``duplicate``, ``event.conflict``,
``dossier.exists``…). A dossier a transition refers to is locked (``SELECT … FOR UPDATE``) before it is
judged, and stays locked by the batch until its commit (in the run without savepoints, also when the
transition is rejected; with savepoints, once an event of the batch changed it). A deadlock or
serialisation failure between two batches rolls the whole batch back, and it is evaluated again from the
start.

Pull
----
``changes`` returns the changes with ``seq > since`` visible to the centre, in ``seq`` order. A dossier
change is visible to the centres named as receiving, competent or handling agency *in that change*: a
centre a dossier is forwarded to receives the whole dossier with its history in the change that forwards
it, and both sides see each other's later events. Procedure and calendar changes are visible to every
centre (one server per province). A device's own events come back too: the client deduplicates by
``event_id`` and takes the server's status as authoritative.

Change bodies are validated when they are written (every writer stores a protocol model's JSON dump) and
stored as canonical JSON text; a page of changes is assembled from that text as it is, without parsing it
again.

No skipped sequence numbers (PostgreSQL)
---------------------------------------
``changes.seq`` comes from a sequence, allocated at insert; transactions may commit in another order than
they allocated, so a reader could see seq 12 committed while 11 is still in flight, move its cursor to 12
and never see 11. To prevent it, every transaction that appends to the change feed first takes the
transaction-level advisory lock :data:`CHANGES_LOCK_KEY` (``pg_advisory_xact_lock``), held until its commit
or rollback: appends are serialised, so sequence numbers are allocated and committed in the same order and
a reader never sees a later number before an earlier one (PostgreSQL makes a commit visible before it
releases the transaction's locks). A push batch keeps its changes in memory and writes them all as its
very last step, after its row locks: it takes the lock **once per batch**, holds it only for that insert
and the commit, and never waits for another lock while holding it (so it cannot deadlock). On SQLite the
single writer gives the same guarantee.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Text, bindparam, func, insert, or_, select, text, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.contract import (
    DossierSnapshot,
    Event,
    EventResult,
    FilesPayload,
    ProblemBody,
    TransitionPayload,
)
from app.domain.canonical import canonical_json
from app.domain.codes import DEFAULT_PLAN, parse_code
from app.domain.errors import DomainError, Problem
from app.domain.roles import may_carry_due, may_perform, roles_of, text_layer_refusal
from app.domain.roles import refusal as role_refusal
from app.domain.status import Action, Status, transition
from server import trust
from server.blobs import file_ref
from server.db import Database
from server.devices import DeviceContext, sha256, touch_due, touch_stmt
from server.errors import busy, first_error, scope_forbidden, wire_time
from server.models import (
    Centre,
    ChangeRow,
    Device,
    DeviceOperator,
    Dossier,
    EventRow,
    FileRef,
    NumberCounter,
    Operator,
)

log = logging.getLogger(__name__)

#: Key of the PostgreSQL advisory lock that serialises appends to the change feed ("MOTCUA" in ASCII).
CHANGES_LOCK_KEY = 0x4D4F54435541
#: Statuses a dossier can start in (its first event): ``transition(None, action)`` for every action.
INITIAL_STATUSES = frozenset(
    transition(None, a) for a in (Action.SUBMIT_ONLINE, Action.RECEIVE, Action.REFUSE)
)
_RETRIES = 3


class Rejected(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)


# --- the change feed -----------------------------------------------------------------------------------


def lock_change_feed(session: Session) -> None:
    """Serialise appends to the change feed until this transaction ends (see the module notes)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGES_LOCK_KEY})


def append_change(
    session: Session,
    kind: str,
    body: dict[str, Any],
    now: datetime,
    *,
    eids: tuple[str | None, str | None, str | None] | None = None,
) -> int:
    """Append one change, visible to every centre (a procedure, calendar or centre change) or, with
    ``eids`` (receiving, competent, handling), only to those centres (a rating); a push batch writes its
    dossier changes itself (:meth:`_Batch.finish`). Call it as the last write of the transaction.
    Returns its ``seq``."""
    lock_change_feed(session)
    receiving, competent, handling = eids or (None, None, None)
    row = ChangeRow(
        kind=kind,
        body=body,
        created_at=now,
        receiving_eid=receiving,
        competent_eid=competent,
        handling_eid=handling,
    )
    session.add(row)
    session.flush()
    return row.seq


@dataclass(frozen=True, slots=True)
class ChangesPage:
    #: Each change as the JSON text of an ``app.contract.Change``.
    items: list[str]
    next: int
    more: bool

    def response_json(self, since: int, server_time: datetime) -> bytes:
        """The ``ChangesResponse`` JSON of this page, assembled from the stored change texts."""
        moment = wire_time(server_time)
        return (
            f'{{"changes":[{",".join(self.items)}],"next":{max(self.next, since)},'
            f'"more":{"true" if self.more else "false"},"server_time":"{moment}"}}'
        ).encode()


#: The JSON text of a change, around its kind's body: key order and nulls as ``Change.model_dump_json``.
_CHANGE_TEXT = {
    "dossier": (
        '"kind":"dossier","dossier":',
        ',"procedure":null,"calendar":null,"centre":null,"rating":null}',
    ),
    "procedure": (
        '"kind":"procedure","dossier":null,"procedure":',
        ',"calendar":null,"centre":null,"rating":null}',
    ),
    "calendar": (
        '"kind":"calendar","dossier":null,"procedure":null,"calendar":',
        ',"centre":null,"rating":null}',
    ),
    "centre": (
        '"kind":"centre","dossier":null,"procedure":null,"calendar":null,"centre":',
        ',"rating":null}',
    ),
    "rating": (
        '"kind":"rating","dossier":null,"procedure":null,"calendar":null,"centre":null,"rating":',
        "}",
    ),
}


def changes(db: Database, centre_eid: str, since: int, limit: int) -> ChangesPage:
    """The changes after ``since`` visible to ``centre_eid``, at most ``limit``.

    The bodies are served as stored (canonical JSON written from a validated protocol model), not parsed
    and validated again."""
    with db.read() as s:
        rows = s.execute(
            select(ChangeRow.seq, ChangeRow.kind, type_coerce(ChangeRow.body, Text))
            .where(
                ChangeRow.seq > since,
                or_(
                    ChangeRow.kind.in_(("procedure", "calendar", "centre")),
                    ChangeRow.receiving_eid == centre_eid,
                    ChangeRow.competent_eid == centre_eid,
                    ChangeRow.handling_eid == centre_eid,
                ),
            )
            .order_by(ChangeRow.seq)
            .limit(limit + 1)
        ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for seq, kind, body in rows:
        head, tail = _CHANGE_TEXT[kind]
        items.append(f'{{"seq":{int(seq)},{head}{body}{tail}')
    return ChangesPage(items, rows[-1][0] if rows else since, more)


# --- push ------------------------------------------------------------------------------------------------

_EVENTS: Any = EventRow.__table__
_REFS: Any = FileRef.__table__
_DOSSIERS: Any = Dossier.__table__
_CHANGES: Any = ChangeRow.__table__
#: Change rows with their body already serialised (canonical JSON text).
_INSERT_CHANGES = insert(_CHANGES).values(
    kind=bindparam("kind"),
    dossier_id=bindparam("dossier_id"),
    receiving_eid=bindparam("receiving_eid"),
    competent_eid=bindparam("competent_eid"),
    handling_eid=bindparam("handling_eid"),
    body=bindparam("b_body", type_=Text()),
    created_at=bindparam("created_at"),
)
_INSERT_DOSSIER = insert(_DOSSIERS).values(
    id=bindparam("b_id"),
    code=bindparam("b_code"),
    receiving_eid=bindparam("b_receiving"),
    competent_eid=bindparam("b_competent"),
    handling_eid=bindparam("b_handling"),
    status=bindparam("b_status"),
    snapshot=bindparam("b_snapshot", type_=Text()),
    created_at=bindparam("b_now"),
    updated_at=bindparam("b_now"),
)
_UPDATE_DOSSIER = (
    update(_DOSSIERS)
    .where(_DOSSIERS.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        snapshot=bindparam("b_snapshot", type_=Text()),
        handling_eid=bindparam("b_handling"),
        updated_at=bindparam("b_now"),
    )
)
_LOCK_DOSSIER = (
    select(
        _DOSSIERS.c.id,
        _DOSSIERS.c.code,
        _DOSSIERS.c.receiving_eid,
        _DOSSIERS.c.competent_eid,
        _DOSSIERS.c.handling_eid,
        _DOSSIERS.c.status,
        _DOSSIERS.c.snapshot,
    )
    .where(_DOSSIERS.c.id == bindparam("b_id"))
    .with_for_update()
)
_INSERT_EVENT = insert(_EVENTS).values(
    event_id=bindparam("event_id"),
    dossier_id=bindparam("dossier_id"),
    type=bindparam("type"),
    body=bindparam("b_body", type_=Text()),
    body_hash=bindparam("body_hash"),
    device_id=bindparam("device_id"),
    received_at=bindparam("received_at"),
)


@dataclass(slots=True)
class _DossierState:
    """A dossier as this batch holds it (row locked by the batch's transaction)."""

    id: str
    code: str | None
    receiving_eid: str
    competent_eid: str | None
    handling_eid: str | None
    status: str
    snapshot: dict[str, Any]
    #: Its events' stored JSON texts in arrival order, once read or written by this batch.
    events: list[str] | None = None


@dataclass(slots=True)
class _Outcome:
    status: str
    dossier: _DossierState | None = None
    change: dict[str, Any] | None = None
    issued: tuple[str, date, int] | None = None
    digest: str = ""


class _Batch:
    """One push batch in one transaction (see the module notes)."""

    def __init__(
        self, s: Session, ctx: DeviceContext, events: Sequence[Event], now: datetime, *, savepoints: bool
    ) -> None:
        self.s = s
        #: The transaction's connection: one SAVEPOINT per event on it (lighter than the session's).
        self.conn = s.connection()
        #: False on a batch's first run: no event writes before it is judged, so none needs a savepoint
        #: unless an insert fails on a unique key, which ends the run (see :func:`push`).
        self.savepoints = savepoints
        self.ctx = ctx
        self.now = now
        #: Hints read once for the whole batch: event id → stored hash; dossier ids and codes taken.
        self.stored: dict[str, str] = {}
        self.taken_ids: set[str] = set()
        self.taken_codes: set[str] = set()
        #: Dossiers this batch has changed (so it holds their row locks).
        self.dossiers: dict[str, _DossierState] = {}
        self.changes: list[dict[str, Any]] = []
        self.issued: dict[tuple[str, date], int] = {}
        self._prefetch(events)

    def _prefetch(self, events: Sequence[Event]) -> None:
        s = self.s
        ids = list({ev.event_id for ev in events})
        for chunk in _chunks(ids):
            self.stored.update(
                s.execute(
                    select(_EVENTS.c.event_id, _EVENTS.c.body_hash).where(_EVENTS.c.event_id.in_(chunk))
                )
                .tuples()
                .all()
            )
        received = [ev for ev in events if ev.type == "dossier.received"]
        dossier_ids = list({ev.dossier_id for ev in received})
        codes = list({c for ev in received if isinstance(c := ev.payload.get("code"), str)})
        for chunk in _chunks(dossier_ids):
            self.taken_ids.update(s.scalars(select(_DOSSIERS.c.id).where(_DOSSIERS.c.id.in_(chunk))))
        for chunk in _chunks(codes):
            self.taken_codes.update(s.scalars(select(_DOSSIERS.c.code).where(_DOSSIERS.c.code.in_(chunk))))
        # The codes online dossiers get when accepted (``receive`` from ``new``) are checked against the
        # device's leases too.
        online = {
            c
            for ev in events
            if ev.type == "dossier.transition" and isinstance(c := ev.payload.get("code"), str)
        }
        keys = []
        for code in set(codes) | online:
            try:
                parsed = parse_code(code)
            except DomainError:
                continue
            keys.append((parsed.agency_eid, parsed.day))
        #: Who this device's events may name: the active operators of its centre who logged in through it
        #: (``/auth/login``; the desk's offline log-in uses the hash it got there), by username or full name.
        self.operators = self._operators() if events else frozenset()
        #: This device's leases for the (agency, day) of the codes it pushes (they only grow, and a desk
        #: uses a number only after its lease was granted: read once per batch).
        self.leases = trust.device_leases(s, self.ctx.device_id, keys) if keys else {}

    def _operators(self) -> frozenset[str]:
        rows = self.s.execute(
            select(Operator.username, Operator.full_name)
            .join(DeviceOperator, DeviceOperator.operator_id == Operator.id)
            .where(
                DeviceOperator.device_id == self.ctx.device_id,
                Operator.centre_id == self.ctx.centre_id,
                Operator.active.is_(True),
            )
        ).tuples()
        return frozenset(name for row in rows for name in row)

    def push(self, ev: Event) -> EventResult:
        for attempt in range(_RETRIES):
            try:
                if self.savepoints:
                    with self.conn.begin_nested():
                        outcome = _apply(self, ev, fresh=attempt > 0)
                else:
                    outcome = _apply(self, ev, fresh=False)  # an IntegrityError ends this run of the batch
            except Rejected as r:
                return EventResult(event_id=ev.event_id, status="rejected", reason=ProblemBody.of(r.problem))
            except IntegrityError:
                if not self.savepoints:
                    raise
                # A concurrent push inserted the same event, dossier or code first: judge it again.
                log.info("event %s: concurrent insert, retrying (%d)", ev.event_id, attempt + 1)
                continue
            self._keep(ev, outcome)
            return EventResult(event_id=ev.event_id, status=outcome.status)  # type: ignore[arg-type]
        log.warning("event %s: still conflicting after %d attempts", ev.event_id, _RETRIES)
        raise busy()

    def _keep(self, ev: Event, outcome: _Outcome) -> None:
        """What an accepted event's released savepoint leaves to the batch."""
        if outcome.status != "accepted":
            return
        self.stored[ev.event_id] = outcome.digest
        assert outcome.dossier is not None and outcome.change is not None
        self.dossiers[outcome.dossier.id] = outcome.dossier
        self.taken_ids.add(outcome.dossier.id)
        if outcome.dossier.code is not None:
            self.taken_codes.add(outcome.dossier.code)
        self.changes.append(outcome.change)
        if outcome.issued is not None:
            agency, day, number = outcome.issued
            self.issued[(agency, day)] = max(self.issued.get((agency, day), 0), number)

    def finish(self) -> None:
        """The batch's last writes: the number counters, the device's last sync, then the change feed."""
        s = self.s
        for (agency, day), number in sorted(self.issued.items()):
            _note_issued(s, agency, day, number)
        if touch_due(self.ctx, self.now):
            s.execute(touch_stmt(self.ctx.device_id, self.now))
        if self.changes:
            lock_change_feed(s)
            s.execute(_INSERT_CHANGES, self.changes)


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def push(db: Database, ctx: DeviceContext, events: Sequence[Event], now: datetime) -> list[EventResult]:
    """Judge and record a batch of events in one transaction; one result per event, in order.

    The first run has no savepoints: every rule that rejects an event is checked before the event writes
    anything, so only an insert that fails on a unique key (another push stored the same event, dossier
    or code since the batch's first reads) needs one. That run then ends, rolled back whole, and the batch
    runs again with a savepoint per event. The common batch thus costs no savepoint at all, and on
    PostgreSQL a catch-up batch of hundreds of events does not open hundreds of subtransactions (beyond
    64 in one transaction, every other session's snapshots overflow to ``pg_subtrans`` lookups)."""
    savepoints = False  # until a unique key fails; a deadlock's rerun stays on the cheap path
    attempts = _RETRIES + 1
    for attempt in range(attempts):
        try:
            with db.write() as s:
                batch = _Batch(s, ctx, events, now, savepoints=savepoints)
                results = [batch.push(ev) for ev in events]
                batch.finish()
            return results
        except IntegrityError as exc:
            savepoints = True
            log.info("push batch: %s, again with a savepoint per event (%d)", exc.orig, attempt + 1)
        except OperationalError as exc:
            # PostgreSQL deadlock or serialisation failure: the whole batch was rolled back, evaluate it
            # again; anything else is the database's fault.
            if getattr(getattr(exc, "orig", None), "sqlstate", None) not in ("40001", "40P01"):
                raise
            log.info("push batch: %s, retrying (%d)", exc.orig, attempt + 1)
    log.warning("push batch of %d events: still conflicting after %d attempts", len(events), attempts)
    raise busy()


def _normalise(ev: Event) -> tuple[dict[str, Any], DossierSnapshot | TransitionPayload | FilesPayload]:
    typed: DossierSnapshot | TransitionPayload | FilesPayload
    if ev.type == "dossier.received":
        typed = ev.snapshot()
    elif ev.type == "dossier.files":
        typed = ev.files()
    else:
        typed = ev.transition()
    body = ev.model_dump(mode="json", exclude={"payload"})  # the payload as normalised by its model:
    body["payload"] = typed.model_dump(mode="json")
    return body, typed


def _invalid(ev: Event, err: ValidationError) -> Problem:
    where, msg = first_error(err, "payload")
    return Problem(
        "event.invalid",
        f"Sự kiện {ev.type} có dữ liệu không hợp lệ ở «{where}»: {msg}.",
        f"Event {ev.type} has invalid data at {where!r}: {msg}.",
        where,
    )


def _stored_hash(b: _Batch, event_id: str, fresh: bool) -> str | None:
    if not fresh:  # None: not stored when the batch began (a later insert by another push fails on the key)
        return b.stored.get(event_id)
    return b.s.scalar(select(_EVENTS.c.body_hash).where(_EVENTS.c.event_id == event_id))


def _apply(b: _Batch, ev: Event, *, fresh: bool) -> _Outcome:
    s = b.s
    # Lock the dossier first: a concurrent push of the same transition then finds its event recorded
    # (and answers "duplicate") instead of judging it against the status it already moved to.
    dossier: _DossierState | None = None
    if ev.type in ("dossier.transition", "dossier.files"):
        dossier = None if fresh else b.dossiers.get(ev.dossier_id)
        if dossier is None:
            dossier = _lock_dossier(s, ev.dossier_id)
    existing = _stored_hash(b, ev.event_id, fresh)
    try:
        body, typed = _normalise(ev)
    except ValidationError as err:
        if existing is not None:
            raise Rejected(_conflict(ev)) from None
        raise Rejected(_invalid(ev, err)) from None
    snapshot_parts: tuple[str, str] | None = None
    if isinstance(typed, DossierSnapshot):
        # The snapshot is serialised once, for the event's text, the dossier row and the change.
        snapshot_parts = split_json(body["payload"], "events")
        body_text = json_object(*split_json(body, "payload"), "payload", json_object(*snapshot_parts))
    else:
        body_text = canonical_json(body)
    digest = sha256(body_text)
    if existing is not None:
        if existing == digest:
            return _Outcome("duplicate")
        raise Rejected(_conflict(ev))
    _check_operator(b, ev)
    _check_times(b, ev, typed)
    try:
        if isinstance(typed, DossierSnapshot):
            assert snapshot_parts is not None
            outcome = _apply_received(b, ev, typed, body, snapshot_parts, body_text, digest, fresh=fresh)
        elif isinstance(typed, FilesPayload):
            outcome = _apply_files(b, ev, dossier, typed, body_text, digest)
        else:
            outcome = _apply_transition(b, ev, dossier, typed, body, body_text, digest)
    except Rejected:
        # Under READ COMMITTED a concurrent push of this very event may have committed since the first
        # look (its dossier row is what made this one fail): it is then a duplicate, not a rejection.
        late = s.scalar(select(_EVENTS.c.body_hash).where(_EVENTS.c.event_id == ev.event_id))
        if late is None:
            raise
        if late == digest:
            return _Outcome("duplicate")
        raise Rejected(_conflict(ev)) from None
    return outcome


def _check_operator(b: _Batch, ev: Event) -> None:
    """The operator named on an event must be one who logged in through this device, of its centre and
    active on the server (by username or full name, as the desk records it): free text is refused."""
    if ev.operator not in b.operators:
        raise Rejected(
            Problem(
                "operator.unknown",
                f"Người thực hiện «{ev.operator[:100]}» không phải cán bộ đang hoạt động của "
                f"{b.ctx.centre.name} đã đăng nhập trên máy trạm này ({b.ctx.device_name}): cán bộ cần đăng "
                "nhập trực tuyến trên máy trạm này ít nhất một lần (hoặc tài khoản đã bị khóa).",
                f"The operator {ev.operator[:100]!r} is not an active operator of {b.ctx.centre.name} who "
                f"has logged in on this workstation ({b.ctx.device_name}): operators must log in online on "
                "this workstation at least once (or the account is disabled).",
                "operator",
            )
        )


def _check_times(b: _Batch, ev: Event, typed: DossierSnapshot | TransitionPayload | FilesPayload) -> None:
    """Refuse an event whose times cannot be true for this device (:mod:`server.trust`)."""
    problem = trust.time_problem(b.ctx, "occurred_at", ev.occurred_at, b.now)
    if problem is None and isinstance(typed, DossierSnapshot):
        problem = trust.time_problem(b.ctx, "payload.received_at", typed.received_at, b.now)
    if problem is not None:
        raise Rejected(problem)


def _events_of(s: Session, dossier: _DossierState) -> list[str]:
    """The stored texts of the dossier's events in order: prefetched with the batch, else read now."""
    if dossier.events is not None:
        return dossier.events
    return list(
        s.scalars(
            select(type_coerce(_EVENTS.c.body, Text))
            .where(_EVENTS.c.dossier_id == dossier.id)
            .order_by(_EVENTS.c.id)
        )
    )


def _lock_dossier(s: Session, dossier_id: str) -> _DossierState | None:
    row = s.execute(_LOCK_DOSSIER, {"b_id": dossier_id}).first()
    return None if row is None else _DossierState(*row)


def _conflict(ev: Event) -> Problem:
    return Problem(
        "event.conflict",
        f"Máy chủ đã nhận một sự kiện khác có cùng mã {ev.event_id}: sự kiện này không được ghi nhận "
        "(lỗi phần mềm máy trạm, hãy báo bộ phận kỹ thuật).",
        f"The server already has a different event with id {ev.event_id}: this one was not recorded "
        "(a workstation bug; report it to IT support).",
    )


def _apply_received(
    b: _Batch,
    ev: Event,
    snap: DossierSnapshot,
    body: dict[str, Any],
    snapshot_parts: tuple[str, str],
    body_text: str,
    digest: str,
    *,
    fresh: bool,
) -> _Outcome:
    s, ctx = b.s, b.ctx
    if snap.id != ev.dossier_id:
        raise Rejected(
            Problem(
                "event.invalid",
                "Mã hồ sơ trong nội dung sự kiện khác mã hồ sơ của sự kiện.",
                "The dossier id in the payload differs from the event's dossier_id.",
                "payload.id",
            )
        )
    if snap.receiving_agency_eid != ctx.centre_eid:
        raise Rejected(scope_forbidden(f"cơ quan tiếp nhận {snap.receiving_agency_eid}", "another agency"))
    issued: tuple[str, date, int] | None = None
    if snap.code is not None:
        try:
            parsed = parse_code(snap.code)
        except DomainError as err:
            raise Rejected(err.problems[0]) from None
        if parsed.agency_eid != ctx.centre_eid:
            raise Rejected(
                Problem(
                    "code.agency",
                    f"Mã hồ sơ {snap.code} mang mã định danh {parsed.agency_eid}, không phải của "
                    f"{ctx.centre.name} ({ctx.centre_eid}).",
                    f"Dossier code {snap.code} carries e-ID {parsed.agency_eid}, not {ctx.centre.name}'s "
                    f"({ctx.centre_eid}).",
                    "code",
                )
            )
        refused = trust.code_problem(ctx, snap.code, parsed, b.leases, b.now)
        if refused is not None:
            raise Rejected(refused)
        if DEFAULT_PLAN.lease_region_of(parsed.number) is not None:
            issued = (snap.receiving_agency_eid, parsed.day, parsed.number)
    if snap.status not in INITIAL_STATUSES:
        raise Rejected(
            Problem(
                "status.initial",
                f"Hồ sơ mới không thể bắt đầu ở trạng thái «{snap.status.label_vi}».",
                f"A new dossier cannot start in status {snap.status.label_en!r}.",
                "status",
            )
        )
    if snap.code is None and snap.status is not Status.REFUSED and snap.status is not Status.NEW:
        raise Rejected(
            Problem(
                "code.missing",
                "Hồ sơ đã tiếp nhận phải có mã hồ sơ.",
                "A received dossier must have a dossier code.",
                "code",
            )
        )
    if fresh:
        exists = s.scalar(select(_DOSSIERS.c.id).where(_DOSSIERS.c.id == snap.id)) is not None
    else:
        exists = snap.id in b.taken_ids
    if exists:
        raise Rejected(
            Problem(
                "dossier.exists",
                f"Máy chủ đã có hồ sơ {snap.code or snap.id}: không tiếp nhận lại lần nữa.",
                f"The server already has dossier {snap.code or snap.id}: it cannot be received again.",
            )
        )
    if snap.code is not None:
        if fresh:
            used = s.scalar(select(_DOSSIERS.c.id).where(_DOSSIERS.c.code == snap.code)) is not None
        else:
            used = snap.code in b.taken_codes
        if used:
            raise Rejected(
                Problem(
                    "code.duplicate",
                    f"Mã hồ sơ {snap.code} đã được dùng cho một hồ sơ khác trên máy chủ: hồ sơ này cần được "
                    "cấp mã mới (báo bộ phận kỹ thuật).",
                    f"Dossier code {snap.code} is already used by another dossier on the server: "
                    "this dossier needs a new code (report it to IT support).",
                    "code",
                )
            )
    snapshot: dict[str, Any] = body["payload"]  # the snapshot as validated (``snap.model_dump``)
    dossier = _DossierState(
        id=snap.id,
        code=snap.code,
        receiving_eid=snap.receiving_agency_eid,
        competent_eid=snap.competent_agency_eid,
        handling_eid=snap.handling_agency_eid,
        status=snap.status.value,
        snapshot=snapshot,
        events=[],
    )
    s.execute(
        _INSERT_DOSSIER,
        {
            "b_id": dossier.id,
            "b_code": dossier.code,
            "b_receiving": dossier.receiving_eid,
            "b_competent": dossier.competent_eid,
            "b_handling": dossier.handling_eid,
            "b_status": dossier.status,
            "b_snapshot": json_object(*snapshot_parts),
            "b_now": b.now,
        },
    )
    return _record(b, ev, dossier, snapshot_parts, body_text, digest, issued)


def _note_issued(s: Session, agency_eid: str, day: date, number: int) -> None:
    """Keep future leases above a lease-region number issued without a lease (``LeaseBook.note_issued``):
    one upsert that only ever raises the mark."""
    table: Any = NumberCounter.__table__
    postgres = s.get_bind().dialect.name == "postgresql"
    stmt: Any = (pg_insert if postgres else sqlite_insert)(table).values(
        agency_eid=agency_eid, day=day, high_water=number
    )
    higher = func.greatest if postgres else func.max  # SQLite's two-argument max() is the scalar max
    s.execute(
        stmt.on_conflict_do_update(
            index_elements=["agency_eid", "day"],
            set_={"high_water": higher(table.c.high_water, stmt.excluded.high_water)},
        )
    )


def _apply_transition(
    b: _Batch,
    ev: Event,
    dossier: _DossierState | None,
    tp: TransitionPayload,
    body: dict[str, Any],
    body_text: str,
    digest: str,
) -> _Outcome:
    s, ctx = b.s, b.ctx
    if dossier is None:
        raise Rejected(
            Problem(
                "dossier.unknown",
                "Máy chủ chưa có hồ sơ này: sự kiện tiếp nhận hồ sơ phải được gửi trước "
                "(lỗi phần mềm máy trạm, hãy báo bộ phận kỹ thuật).",
                "The server does not have this dossier: its receipt event must be sent first (a workstation "
                "bug; report it to IT support).",
            )
        )
    roles = roles_of(ctx.centre_eid, dossier.receiving_eid, dossier.competent_eid, dossier.handling_eid)
    if not roles:
        raise Rejected(scope_forbidden(f"hồ sơ {dossier.code or dossier.id}", f"dossier {dossier.code}"))
    if tp.handling_agency_eid is not None and tp.action not in (Action.FORWARD, Action.TRANSFER):
        raise Rejected(
            Problem(
                "event.invalid",
                "Chỉ thao tác chuyển hồ sơ mới được đổi cơ quan giải quyết (handling_agency_eid).",
                "Only forward and transfer may change the handling agency (handling_agency_eid).",
                "payload.handling_agency_eid",
            )
        )
    new_code, issued = _online_code(b, dossier, tp) if tp.code is not None else (None, None)
    try:
        new_status = transition(dossier.status, tp.action)
    except DomainError as err:
        raise Rejected(err.problems[0]) from None
    if not may_perform(roles, dossier.status, tp.action):
        raise Rejected(role_refusal(roles, tp.action))
    snapshot = dict(dossier.snapshot)
    snapshot["status"] = new_status.value
    if tp.due_at is not None:
        _check_due(tp, dossier.status, snapshot.get("due_at"), ev.occurred_at)
        snapshot["due_at"] = body["payload"]["due_at"]
    handling_eid = dossier.handling_eid
    if tp.handling_agency_eid is not None:
        snapshot["handling_agency_eid"] = tp.handling_agency_eid
        target = s.scalar(select(Centre.name).where(Centre.eid == tp.handling_agency_eid))
        if target is None:
            raise Rejected(
                Problem(
                    "target.unknown",
                    f"Cơ quan {tp.handling_agency_eid} không có trên máy chủ tỉnh: chỉ chuyển được hồ sơ đến "
                    "một cơ quan đã đăng ký với máy chủ.",
                    f"Agency {tp.handling_agency_eid} is not on the provincial server: a dossier can be "
                    "forwarded only to an agency registered with the server.",
                    "payload.handling_agency_eid",
                )
            )
        snapshot["handling_agency"] = target  # the server's name of it, not the one the desk sent
        handling_eid = tp.handling_agency_eid
    if new_code is not None:  # written once every check of the event has passed
        snapshot["code"] = new_code
        s.execute(update(_DOSSIERS).where(_DOSSIERS.c.id == dossier.id).values(code=new_code))
    # The statuses are the server's, whatever the workstation believed (its view may be older); the stored
    # text says so, while the event's digest stays that of what was sent (a resend is still a duplicate).
    if body["payload"]["to_status"] != new_status.value or body["payload"]["from_status"] != dossier.status:
        body["payload"]["from_status"] = dossier.status
        body["payload"]["to_status"] = new_status.value
        body_text = canonical_json(body)
    events = _events_of(s, dossier)
    after = replace(
        dossier,
        code=new_code or dossier.code,
        handling_eid=handling_eid,
        status=new_status.value,
        snapshot=snapshot,
        events=events,
    )
    snapshot_parts = split_json(snapshot, "events")
    s.execute(
        _UPDATE_DOSSIER,
        {
            "b_id": dossier.id,
            "b_status": after.status,
            "b_snapshot": json_object(*snapshot_parts),
            "b_handling": handling_eid,
            "b_now": b.now,
        },
    )
    return _record(b, ev, after, snapshot_parts, body_text, digest, issued)


def _online_code(
    b: _Batch, dossier: _DossierState, tp: TransitionPayload
) -> tuple[str, tuple[str, date, int] | None]:
    """The code an online dossier gets when it is accepted (``receive`` from ``new``; server/portal.py):
    a number of the accepting device's lease or slot, as for a dossier received at the counter (issue 16);
    with the lease-region number issued, if it is one."""
    assert tp.code is not None
    if tp.action is not Action.RECEIVE or dossier.code is not None:
        raise Rejected(
            Problem(
                "event.invalid",
                "Chỉ khi tiếp nhận một hồ sơ trực tuyến chưa có mã mới được cấp mã hồ sơ.",
                "Only accepting an online dossier that has no code yet may give it a code.",
                "payload.code",
            )
        )
    try:
        parsed = parse_code(tp.code)
    except DomainError as err:
        raise Rejected(err.problems[0]) from None
    if parsed.agency_eid != b.ctx.centre_eid:
        raise Rejected(
            Problem(
                "code.agency",
                f"Mã hồ sơ {tp.code} không mang mã định danh của {b.ctx.centre.name} ({b.ctx.centre_eid}).",
                f"Dossier code {tp.code} does not carry {b.ctx.centre.name}'s e-ID ({b.ctx.centre_eid}).",
                "payload.code",
            )
        )
    refused = trust.code_problem(b.ctx, tp.code, parsed, b.leases, b.now)
    if refused is not None:
        raise Rejected(refused)
    if b.s.scalar(select(_DOSSIERS.c.id).where(_DOSSIERS.c.code == tp.code)) is not None:
        raise Rejected(
            Problem(
                "code.duplicate",
                f"Mã hồ sơ {tp.code} đã được dùng cho một hồ sơ khác trên máy chủ.",
                f"Dossier code {tp.code} is already used by another dossier on the server.",
                "payload.code",
            )
        )
    issued = None
    if DEFAULT_PLAN.lease_region_of(parsed.number) is not None:
        issued = (b.ctx.centre_eid, parsed.day, parsed.number)
    return tp.code, issued


def _check_due(tp: TransitionPayload, status: str, current: Any, occurred_at: datetime) -> None:
    """Only the actions that may change the due date carry one (app.domain.roles.may_carry_due: a supplement
    received, an apology, or the acceptance of an online dossier that has none yet), and never an earlier
    one; a first due date is not before the acceptance itself."""
    try:
        before = datetime.fromisoformat(current) if isinstance(current, str) else None
    except ValueError:
        before = None
    if not may_carry_due(status, tp.action, has_due=current is not None):
        raise Rejected(
            Problem(
                "event.due_at",
                f"Thao tác «{tp.action.label_vi}» không được đổi ngày hẹn trả kết quả: chỉ khi nhận hồ sơ bổ "
                "sung hoặc xin lỗi và hẹn lại thì ngày hẹn mới thay đổi (hồ sơ trực tuyến nhận ngày hẹn "
                "đầu tiên khi được tiếp nhận).",
                f"'{tp.action.label_en}' may not change the due date: only a supplement received or an "
                "apology with a new date does (an online dossier gets its first due date when accepted).",
                "payload.due_at",
            )
        )
    assert tp.due_at is not None
    due = tp.due_at.replace(tzinfo=None)
    if before is None and due < occurred_at.replace(tzinfo=None):
        raise Rejected(
            Problem(
                "event.due_before_receipt",
                f"Ngày hẹn trả {due:%H:%M %d/%m/%Y} sớm hơn thời điểm tiếp nhận hồ sơ "
                f"({occurred_at:%H:%M %d/%m/%Y}).",
                f"The due date {due:%H:%M %d/%m/%Y} is before the dossier was accepted "
                f"({occurred_at:%H:%M %d/%m/%Y}).",
                "payload.due_at",
            )
        )
    if before is not None and due < before.replace(tzinfo=None):
        raise Rejected(
            Problem(
                "event.due_earlier",
                "Ngày hẹn trả mới không được sớm hơn ngày hẹn hiện tại của hồ sơ.",
                "The new due date may not be earlier than the dossier's current one.",
                "payload.due_at",
            )
        )


def _apply_files(
    b: _Batch, ev: Event, dossier: _DossierState | None, fp: FilesPayload, body_text: str, digest: str
) -> _Outcome:
    """A paper digitised, exempt or the result attached (issue 19): recorded among the dossier's events,
    so its file references travel in the change feed to every centre named on the dossier (a forwarded
    dossier's competent agency included); the status does not change. The file itself is uploaded
    separately."""
    s, ctx = b.s, b.ctx
    if dossier is None:
        raise Rejected(
            Problem(
                "dossier.unknown",
                "Máy chủ chưa có hồ sơ này: sự kiện tiếp nhận hồ sơ phải được gửi trước.",
                "The server does not have this dossier: its receipt event must be sent first.",
            )
        )
    if ctx.centre_eid not in (dossier.receiving_eid, dossier.competent_eid, dossier.handling_eid):
        raise Rejected(scope_forbidden(f"hồ sơ {dossier.code or dossier.id}", f"dossier {dossier.code}"))
    if fp.text_layer_of is not None:
        _check_text_layer(s, ctx, dossier.id, fp, fp.text_layer_of)
    events = _events_of(s, dossier)
    after = replace(dossier, events=events)
    outcome = _record(b, ev, after, split_json(dict(dossier.snapshot), "events"), body_text, digest, None)
    s.execute(insert(FileRef).values(file_ref(ev.event_id, dossier.id, fp)))  # in the same transaction
    return outcome


def _check_text_layer(s: Session, ctx: DeviceContext, dossier_id: str, fp: FilesPayload, of: str) -> None:
    """A text-layer version (OCR's PDF/A, ``text_layer_of``): an accepted event of this dossier named the
    image-only file, it was sent by a workstation of the sender's centre (the centre that holds the
    paper), and the new file is of the same paper with the same page images (``app.domain.roles``)."""
    row = s.execute(
        select(
            type_coerce(_EVENTS.c.body, Text),
            Centre.eid,
        )
        .select_from(_REFS)
        .join(_EVENTS, _EVENTS.c.event_id == _REFS.c.event_id)
        .outerjoin(Device, Device.id == _EVENTS.c.device_id)
        .outerjoin(Centre, Centre.id == Device.centre_id)
        .where(_REFS.c.dossier_id == dossier_id, _REFS.c.sha256 == of)
        .order_by(_REFS.c.id.desc())
        .limit(1)
    ).first()
    earlier: tuple[str, int, list[str]] | None = None
    holder: str | None = None
    if row is not None:
        old = FilesPayload.model_validate(json.loads(row[0])["payload"])
        earlier = (old.kind, old.paper_no, [p.sha256 for p in old.pages])
        holder = row[1]
    problem = text_layer_refusal(
        sender_eid=ctx.centre_eid,
        holder_eid=holder,
        earlier=earlier,
        later=(fp.kind, fp.paper_no, [p.sha256 for p in fp.pages]),
    )
    if problem is not None:
        raise Rejected(problem)


def _record(
    b: _Batch,
    ev: Event,
    dossier: _DossierState,
    snapshot_parts: tuple[str, str],
    body_text: str,
    digest: str,
    issued: tuple[str, date, int] | None,
) -> _Outcome:
    b.s.execute(
        _INSERT_EVENT,
        {
            "event_id": ev.event_id,
            "dossier_id": dossier.id,
            "type": ev.type,
            "b_body": body_text,
            "body_hash": digest,
            "device_id": b.ctx.device_id,
            "received_at": b.now,
        },
    )
    assert dossier.events is not None
    events = [*dossier.events, body_text]
    kept = replace(dossier, events=events)
    change = {
        "kind": "dossier",
        "dossier_id": dossier.id,
        "receiving_eid": dossier.receiving_eid,
        "competent_eid": dossier.competent_eid,
        "handling_eid": dossier.handling_eid,
        "b_body": json_object(*snapshot_parts, "events", f"[{','.join(events)}]"),
        "created_at": b.now,
    }
    return _Outcome("accepted", kept, change, issued, digest)


def split_json(obj: dict[str, Any], key: str) -> tuple[str, str]:
    """The canonical JSON members of ``obj`` sorted before ``key`` and after it (``key`` itself left out),
    for :func:`json_object`."""
    before = canonical_json({k: v for k, v in obj.items() if k < key})[1:-1]
    after = canonical_json({k: v for k, v in obj.items() if k > key})[1:-1]
    return before, after


def json_object(before: str, after: str, key: str | None = None, raw: str | None = None) -> str:
    """``canonical_json`` of an object from :func:`split_json` parts, with ``key`` set to the JSON text
    ``raw`` (itself canonical): the same text, without serialising ``raw``'s value again. A JSON array of
    canonical texts joined by "," is the canonical JSON of the array."""
    middle = f"{canonical_json(key)}:{raw}" if key is not None else ""
    return "{" + ",".join(p for p in (before, middle, after) if p) + "}"


def counts(s: Session) -> dict[str, int]:
    """Sizes of the dossier, event and change tables (for ``motcua-server status``)."""
    return {
        "dossiers": s.scalar(select(func.count()).select_from(Dossier)) or 0,
        "events": s.scalar(select(func.count()).select_from(EventRow)) or 0,
        "changes": s.scalar(select(func.count()).select_from(ChangeRow)) or 0,
        "last_seq": s.scalar(select(func.max(ChangeRow.seq))) or 0,
    }
