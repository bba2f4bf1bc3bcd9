"""Online dossiers from the national portal: the "Hồ sơ trực tuyến" inbox and its decisions.

An online dossier arrives through the change feed in status 1 (``new``) with the portal's id and its
acceptance deadline (server/portal.py: 8 working hours by default, counted by the due-date calendar). The
operator checks the attached files, then accepts it (our code and due date are given now; the acceptance,
with code and due date, goes back to the portal as its electronic receipt) or refuses it with a reason.
Both are ordinary status-machine events in the outbox, so they work offline and are sent when the desk
syncs; the server's connector delivers them to the portal.

Before deciding, the operator may ask the citizen for a supplement (:func:`ask_supplement`: the papers
missing and a reason): an outbox event like the others, sent to the portal with national status 5 "Yêu cầu
bổ sung giấy tờ" (app.domain.portal). The dossier stays "not accepted" here (no code, no due date, outside
the processing figures) and its acceptance clock stops; when the citizen sends the supplement on the portal
the server records it (``online_supplemented``, with the new files) and gives a new acceptance deadline
(restarted by default, a province setting: app.domain.portal.ACCEPTANCE_AFTER_SUPPLEMENT — no source was
found for this clock). It cannot be accepted while the supplement is awaited; it can be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import validation as v
from app.domain.errors import DomainError, Problem
from app.domain.portal import awaiting_supplement
from app.domain.status import Action, Status, transition
from app.models import Dossier, OnlineDossier
from app.services import audit
from app.services.audit import Actor
from app.services.desk import load_calendar, reference
from app.services.dossiers import (
    ActionResult,
    _lookup_secret,
    _procedure,
    _transition,
    next_code,
    perform,
    perform_in,
)
from app.services.store import Store

#: Amber when this much working time or less is left before the acceptance deadline.
NEAR = timedelta(hours=2)


@dataclass(frozen=True)
class OnlineItem:
    dossier_id: str
    portal_id: str
    procedure_code: str
    procedure_name: str
    applicant: str
    submitted_at: datetime
    acceptance_due_at: datetime | None
    #: Working time left (negative: overdue).
    left: timedelta | None
    #: "ok", "near" (amber), "late" (red) or "waiting" (the citizen's supplement is awaited: clock stopped).
    level: str
    papers: list[dict[str, Any]]
    #: While a supplement is awaited: the papers asked for and the reason given.
    missing: tuple[str, ...] = ()
    supplement_reason: str = ""


def inbox(store: Store, *, now: datetime | None = None) -> list[OnlineItem]:
    """The online dossiers of this centre still waiting for a decision, the most urgent first."""
    now = now or datetime.now()
    with store.read() as s:
        desk = reference(s).desk(s)
        cal = load_calendar(s)
        rows = s.execute(
            select(Dossier, OnlineDossier)
            .join(OnlineDossier, OnlineDossier.dossier_id == Dossier.id)
            .where(Dossier.status == Status.NEW.value, Dossier.competent_agency_eid == desk.agency_eid)
        ).all()
        out = []
        for d, o in rows:
            events = sorted(d.events, key=lambda e: e.seq)
            waiting = awaiting_supplement([e.action for e in events])
            asked = next(
                (e for e in reversed(events) if e.action == Action.REQUEST_ONLINE_SUPPLEMENT.value), None
            )
            papers = list(d.papers_received)
            for e in events:  # the files the citizen sent with a supplement (server/portal.py)
                if e.action == Action.ONLINE_SUPPLEMENTED.value:
                    papers += [p for p in (e.payload or {}).get("papers") or [] if isinstance(p, dict)]
            left = cal.working_hours_between(now, o.acceptance_due_at) if o.acceptance_due_at else None
            level = "ok"
            if waiting:
                level, left = "waiting", None
            elif left is not None and o.acceptance_due_at is not None:
                if now >= o.acceptance_due_at:
                    level = "late"
                elif left <= NEAR:
                    level = "near"
            out.append(
                OnlineItem(
                    d.id,
                    o.portal_id,
                    d.procedure.code,
                    d.procedure.name,
                    d.applicant.full_name,
                    d.received_at,
                    o.acceptance_due_at,
                    left,
                    level,
                    papers,
                    tuple((asked.payload or {}).get("missing_papers") or ()) if waiting and asked else (),
                    asked.reason if waiting and asked else "",
                )
            )
    # The most urgent first; those waiting for the citizen (clock stopped) last.
    return sorted(
        out, key=lambda x: (x.level == "waiting", x.acceptance_due_at or datetime.max, x.submitted_at)
    )


def _online(s: Session, ref: str) -> Dossier:
    ref = ref.strip()
    d = s.get(Dossier, ref)
    if d is None:
        o = s.scalar(select(OnlineDossier).where(OnlineDossier.portal_id == ref))
        d = s.get(Dossier, o.dossier_id) if o is not None else None
    if d is None or s.get(OnlineDossier, d.id) is None:
        raise DomainError(
            Problem(
                "online.unknown",
                f"Không tìm thấy hồ sơ trực tuyến «{ref}».",
                f"No online dossier {ref!r}.",
                "ref",
            )
        )
    return d


def _waiting(d: Dossier) -> bool:
    return d.status == Status.NEW.value and awaiting_supplement(
        [e.action for e in sorted(d.events, key=lambda e: e.seq)]
    )


def accept(store: Store, actor: Actor, ref: str, *, at: datetime | None = None) -> ActionResult:
    """Accept an online dossier: our code and due date now, the ``receive`` event in the outbox."""
    at = (at or datetime.now()).replace(microsecond=0)
    with store.write() as s:
        d = _online(s, ref)
        before = d.status
        after = transition(before, Action.RECEIVE)  # refuses when it was already decided
        if _waiting(d):
            raise DomainError(
                Problem(
                    "online.awaiting_supplement",
                    "Hồ sơ đang chờ công dân bổ sung trên Cổng Dịch vụ công: chưa tiếp nhận được. Hãy chờ "
                    "bản bổ sung (đồng bộ lại) hoặc từ chối hồ sơ.",
                    "The dossier waits for the citizen's supplement on the portal and cannot be accepted "
                    "yet: wait for the supplement (sync again) or refuse the dossier.",
                    "ref",
                )
            )
        rf = reference(s)
        desk = rf.desk(s)
        proc = _procedure(s, d.procedure.code, rf)
        code = next_code(s, desk, at.date(), at)
        d.code = code
        d.lookup_secret = d.lookup_secret or _lookup_secret()
        d.due_at = rf.calendar(s).due_at(at, proc.time_value, proc.time_unit)
        d.status = after.value
        d.version += 1
        d.updated_at = at
        event = _transition(
            s, d, actor, Action.RECEIVE, before, at, "", {"online": True}, due_at=d.due_at, code=code
        )
        audit.append(
            s,
            actor,
            "dossier.accept_online",
            "dossier",
            d.id,
            {"code": code, "from": before},
            at=at,
            rows=(("dossier", d),),
            outbox=(event.id,),
        )
        return ActionResult(d.id, d.code, Action.RECEIVE.value, d.status, d.due_at, event.id)


def refuse(store: Store, actor: Actor, ref: str, reason: str, *, at: datetime | None = None) -> ActionResult:
    """Refuse an online dossier with a reason (national status 3); the reason goes back to the portal."""
    with store.read() as s:
        dossier_id = _online(s, ref).id
    return perform(store, actor, dossier_id, Action.REFUSE, reason=reason, at=at)


def ask_supplement(
    store: Store,
    actor: Actor,
    ref: str,
    missing: list[str],
    reason: str,
    *,
    at: datetime | None = None,
) -> ActionResult:
    """Ask the citizen, through the portal, for the papers ``missing`` before accepting (national status 5
    on the portal); the acceptance clock stops until the supplement arrives. Works offline (outbox)."""
    papers = []
    for name in missing:
        checked = v.validate_text(name, field="missing")
        if checked.problems:
            raise DomainError(checked.problems)
        text = (checked.value or "").strip()
        if text and text not in papers:
            papers.append(text[:1000])
    if not papers:
        raise DomainError(
            Problem(
                "online.missing_papers",
                "Hãy ghi rõ giấy tờ cần bổ sung.",
                "Name the papers the citizen must supply.",
                "missing",
            )
        )
    why = v.validate_text(reason, field="reason")
    if why.problems:
        raise DomainError(why.problems)
    text_reason = (why.value or "").strip()
    if not text_reason:
        raise DomainError(Problem("dossier.reason", "Hãy ghi rõ lý do.", "Give the reason.", "reason"))
    at = (at or datetime.now()).replace(microsecond=0)
    with store.write() as s:
        d = _online(s, ref)
        if _waiting(d):
            raise DomainError(
                Problem(
                    "online.already_asked",
                    "Đã yêu cầu bổ sung hồ sơ này; đang chờ công dân gửi bổ sung.",
                    "A supplement was already asked for; the citizen's answer is awaited.",
                    "ref",
                )
            )
        return perform_in(
            s,
            actor,
            d.id,
            Action.REQUEST_ONLINE_SUPPLEMENT,
            at,
            text_reason,
            None,
            None,
            {"online": True, "missing_papers": papers},
        )
