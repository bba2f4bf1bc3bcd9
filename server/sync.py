"""Push (events from a workstation's outbox) and pull (the change feed), with their rules.

Push
----
Each event is processed in its own transaction: its rows (event, dossier state, change) commit together
and a rejected or failing event never blocks the others. Rules, in order:

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

Each accepted event updates the dossier's state (status, due date, handling agency) and appends one
``dossier`` change carrying the whole dossier and all its events.

Pull
----
``changes`` returns the changes with ``seq > since`` visible to the centre, in ``seq`` order. A dossier
change is visible to the centres named as receiving, competent or handling agency *in that change*: a
centre a dossier is forwarded to receives the whole dossier with its history in the change that forwards
it, and both sides see each other's later events. Procedure and calendar changes are visible to every
centre (one server per province). A device's own events come back too: the client deduplicates by
``event_id`` and takes the server's status as authoritative.

No skipped sequence numbers (PostgreSQL)
---------------------------------------
``changes.seq`` comes from a sequence, allocated at insert; transactions may commit in another order than
they allocated, so a reader could see seq 12 committed while 11 is still in flight, move its cursor to 12
and never see 11. To prevent it, every transaction that appends to the change feed first takes the
transaction-level advisory lock :data:`CHANGES_LOCK_KEY` (``pg_advisory_xact_lock``), held until its commit
or rollback: appends are serialised, so sequence numbers are allocated and committed in the same order and
a reader never sees a later number before an earlier one. The lock is taken as the transaction's last step
(after its row locks), so it is held only for the insert and the commit. On SQLite the single writer gives
the same guarantee.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.domain.codes import DEFAULT_PLAN, parse_code
from app.domain.errors import DomainError, Problem
from app.domain.status import Action, Status, transition
from app.sync.protocol import (
    Change,
    DossierSnapshot,
    Event,
    EventResult,
    ProblemBody,
    TransitionPayload,
)
from server.db import Database
from server.devices import DeviceContext
from server.errors import busy, scope_forbidden
from server.models import Centre, ChangeRow, Dossier, EventRow, NumberCounter, canonical_json

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
    dossier_id: str | None = None,
    receiving_eid: str | None = None,
    competent_eid: str | None = None,
    handling_eid: str | None = None,
) -> int:
    """Append one change; call it as the last write of the transaction. Returns its ``seq``."""
    lock_change_feed(session)
    row = ChangeRow(
        kind=kind,
        dossier_id=dossier_id,
        receiving_eid=receiving_eid,
        competent_eid=competent_eid,
        handling_eid=handling_eid,
        body=body,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row.seq


@dataclass(frozen=True, slots=True)
class ChangesPage:
    changes: list[Change]
    next: int
    more: bool


def changes(db: Database, centre_eid: str, since: int, limit: int) -> ChangesPage:
    """The changes after ``since`` visible to ``centre_eid``, at most ``limit``."""
    with db.read() as s:
        rows = s.scalars(
            select(ChangeRow)
            .where(
                ChangeRow.seq > since,
                or_(
                    ChangeRow.kind != "dossier",
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
    out = [Change.model_validate({"seq": r.seq, "kind": r.kind, r.kind: r.body}) for r in rows]
    return ChangesPage(out, rows[-1].seq if rows else since, more)


# --- push ------------------------------------------------------------------------------------------------


def push(db: Database, ctx: DeviceContext, events: Sequence[Event], now: datetime) -> list[EventResult]:
    return [_push_one(db, ctx, ev, now) for ev in events]


def _push_one(db: Database, ctx: DeviceContext, ev: Event, now: datetime) -> EventResult:
    for attempt in range(_RETRIES):
        try:
            with db.write() as s:
                status = _apply(s, ctx, ev, now)
            return EventResult(event_id=ev.event_id, status=status)
        except Rejected as r:
            return EventResult(event_id=ev.event_id, status="rejected", reason=ProblemBody.of(r.problem))
        except IntegrityError:
            # A concurrent push inserted the same event, dossier or code first: evaluate again.
            log.info("event %s: concurrent insert, retrying (%d)", ev.event_id, attempt + 1)
        except OperationalError as exc:
            # PostgreSQL deadlock or serialisation failure: retry; anything else is the database's fault.
            if getattr(getattr(exc, "orig", None), "sqlstate", None) not in ("40001", "40P01"):
                raise
            log.info("event %s: %s, retrying (%d)", ev.event_id, exc.orig, attempt + 1)
    log.warning("event %s: still conflicting after %d attempts", ev.event_id, _RETRIES)
    raise busy()


def _hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _normalise(ev: Event) -> tuple[dict[str, Any], DossierSnapshot | TransitionPayload]:
    typed: DossierSnapshot | TransitionPayload
    typed = ev.snapshot() if ev.type == "dossier.received" else ev.transition()
    body = ev.model_dump(mode="json")
    body["payload"] = typed.model_dump(mode="json")
    return body, typed


def _invalid(ev: Event, err: ValidationError) -> Problem:
    first = err.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(x) for x in ("payload", *first["loc"]))
    return Problem(
        "event.invalid",
        f"Sự kiện {ev.type} có dữ liệu không hợp lệ ở «{where}»: {first['msg']}.",
        f"Event {ev.type} has invalid data at {where!r}: {first['msg']}.",
        where,
    )


def _apply(s: Session, ctx: DeviceContext, ev: Event, now: datetime) -> str:
    # Lock the dossier first: a concurrent push of the same transition then finds its event recorded
    # (and answers "duplicate") instead of judging it against the status it already moved to.
    dossier = s.get(Dossier, ev.dossier_id, with_for_update=True) if ev.type == "dossier.transition" else None
    existing = s.scalar(select(EventRow).where(EventRow.event_id == ev.event_id))
    try:
        body, typed = _normalise(ev)
    except ValidationError as err:
        if existing is not None:
            raise Rejected(_conflict(ev)) from None
        raise Rejected(_invalid(ev, err)) from None
    digest = _hash(body)
    if existing is not None:
        if existing.body_hash == digest:
            return "duplicate"
        raise Rejected(_conflict(ev))
    try:
        if isinstance(typed, DossierSnapshot):
            _apply_received(s, ctx, ev, typed, body, digest, now)
        else:
            _apply_transition(s, ctx, ev, dossier, typed, body, digest, now)
    except Rejected:
        # Under READ COMMITTED a concurrent push of this very event may have committed since the first
        # look (its dossier row is what made this one fail): it is then a duplicate, not a rejection.
        late = s.scalar(select(EventRow.body_hash).where(EventRow.event_id == ev.event_id))
        if late is None:
            raise
        if late == digest:
            return "duplicate"
        raise Rejected(_conflict(ev)) from None
    return "accepted"


def _conflict(ev: Event) -> Problem:
    return Problem(
        "event.conflict",
        f"Máy chủ đã nhận một sự kiện khác có cùng mã {ev.event_id}: sự kiện này không được ghi nhận "
        "(lỗi phần mềm máy trạm, hãy báo bộ phận kỹ thuật).",
        f"The server already has a different event with id {ev.event_id}: this one was not recorded "
        "(a workstation bug; report it to IT support).",
    )


def _apply_received(
    s: Session,
    ctx: DeviceContext,
    ev: Event,
    snap: DossierSnapshot,
    body: dict[str, Any],
    digest: str,
    now: datetime,
) -> None:
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
    number: int | None = None
    day: date | None = None
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
        number, day = parsed.number, parsed.day
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
    if s.get(Dossier, snap.id) is not None:
        raise Rejected(
            Problem(
                "dossier.exists",
                f"Máy chủ đã có hồ sơ {snap.code or snap.id}: không tiếp nhận lại lần nữa.",
                f"The server already has dossier {snap.code or snap.id}: it cannot be received again.",
            )
        )
    if snap.code is not None:
        other = s.scalar(select(Dossier.id).where(Dossier.code == snap.code))
        if other is not None:
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
    snapshot = snap.model_dump(mode="json")
    dossier = Dossier(
        id=snap.id,
        code=snap.code,
        receiving_eid=snap.receiving_agency_eid,
        competent_eid=snap.competent_agency_eid,
        handling_eid=snap.handling_agency_eid,
        status=snap.status.value,
        snapshot=snapshot,
        created_at=now,
        updated_at=now,
    )
    s.add(dossier)
    s.flush()
    if number is not None and day is not None:
        _note_issued(s, snap.receiving_agency_eid, day, number)
    _record(s, ctx, ev, dossier, body, digest, now)


def _note_issued(s: Session, agency_eid: str, day: date, number: int) -> None:
    """Keep future leases above a lease-region number issued without a lease (``LeaseBook.note_issued``)."""
    if DEFAULT_PLAN.lease_region_of(number) is None:
        return
    counter = s.get(NumberCounter, (agency_eid, day), with_for_update=True)
    if counter is None:
        s.add(NumberCounter(agency_eid=agency_eid, day=day, high_water=number))
    elif counter.high_water < number:
        counter.high_water = number


def _apply_transition(
    s: Session,
    ctx: DeviceContext,
    ev: Event,
    dossier: Dossier | None,
    tp: TransitionPayload,
    body: dict[str, Any],
    digest: str,
    now: datetime,
) -> None:
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
    if ctx.centre_eid not in (dossier.receiving_eid, dossier.competent_eid, dossier.handling_eid):
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
    try:
        new_status = transition(dossier.status, tp.action)
    except DomainError as err:
        raise Rejected(err.problems[0]) from None
    snapshot = dict(dossier.snapshot)
    snapshot["status"] = new_status.value
    if tp.due_at is not None:
        snapshot["due_at"] = body["payload"]["due_at"]
    if tp.handling_agency_eid is not None:
        snapshot["handling_agency_eid"] = tp.handling_agency_eid
        target = s.scalar(select(Centre.name).where(Centre.eid == tp.handling_agency_eid))
        name = target or tp.extra.get("handling_agency")
        if isinstance(name, str) and name and len(name) <= 300:
            snapshot["handling_agency"] = name
        dossier.handling_eid = tp.handling_agency_eid
    dossier.status = new_status.value
    dossier.snapshot = snapshot
    dossier.updated_at = now
    _record(s, ctx, ev, dossier, body, digest, now)


def _record(
    s: Session,
    ctx: DeviceContext,
    ev: Event,
    dossier: Dossier,
    body: dict[str, Any],
    digest: str,
    now: datetime,
) -> None:
    s.add(
        EventRow(
            event_id=ev.event_id,
            dossier_id=dossier.id,
            type=ev.type,
            body=body,
            body_hash=digest,
            device_id=ctx.device_id,
            received_at=now,
        )
    )
    s.flush()
    events = list(
        s.scalars(select(EventRow.body).where(EventRow.dossier_id == dossier.id).order_by(EventRow.id))
    )
    append_change(
        s,
        "dossier",
        dict(dossier.snapshot) | {"events": events},
        now,
        dossier_id=dossier.id,
        receiving_eid=dossier.receiving_eid,
        competent_eid=dossier.competent_eid,
        handling_eid=dossier.handling_eid,
    )


def counts(s: Session) -> dict[str, int]:
    """Sizes of the dossier, event and change tables (for ``motcua-server status``)."""
    return {
        "dossiers": s.scalar(select(func.count()).select_from(Dossier)) or 0,
        "events": s.scalar(select(func.count()).select_from(EventRow)) or 0,
        "changes": s.scalar(select(func.count()).select_from(ChangeRow)) or 0,
        "last_seq": s.scalar(select(func.max(ChangeRow.seq))) or 0,
    }
