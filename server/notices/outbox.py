"""The notices outbox: queued exactly once per (event, channel), sent exactly once or flagged.

Queueing (:func:`enqueue_new`): the accepted events after the cursor (``notice_cursor``) are read in
arrival order; each that gives a notice (server/notices/messages.py) queues one row per channel the
applicant consented to, and the cursor moves, in the same transaction. The unique (event, channel) pair
stops a second queueing whatever happens (a crash before the commit redoes the whole batch).

Sending (:func:`send_due`), per notice:

1. *claim* — in its own transaction, ``queued`` → ``sending`` (attempts + 1, ``claimed_at``), committed
   before anything leaves;
2. *send* through the channel's provider, with the notice's key (``n-<id>``) as the provider's request id;
3. *record* — ``sent`` (with the provider's reference), or back to ``queued`` with a back-off when the
   provider said no (:class:`Refused`: nothing was delivered), ``failed`` after :data:`MAX_ATTEMPTS`.

An unknown outcome (:class:`Unknown`: the answer was lost, the process died between 2 and 3) is resent
only through a provider that de-duplicates by request id (eSMS ``RequestId``); for the others (SMTP, ZNS)
the notice becomes ``unknown`` and is not sent again, since resending could deliver it twice: an operator
sees it in ``motcua-server notices CODE``. A ``sending`` row older than :data:`CLAIM_TIMEOUT` is such a
process death and is judged the same way at the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select

from app.contract import DossierSnapshot, Event
from server.db import Database
from server.models import Centre, Dossier, EventRow, Notice, NoticeCursor
from server.notices.messages import compose, kind_of, lookup_link, sms_text
from server.notices.providers import Outgoing, Refused, Sender, Unknown

MAX_ATTEMPTS = 6
CLAIM_TIMEOUT = timedelta(minutes=10)
BATCH = 500


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each refused attempt (capped at an hour)."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def enqueue_new(db: Database, now: datetime) -> int:
    """Queue the notices of the events accepted since the last call; returns how many were queued."""
    queued = 0
    with db.write() as s:
        cursor = s.get(NoticeCursor, 1, with_for_update=True)
        if cursor is None:
            cursor = NoticeCursor(id=1, last_event_id=0)
            s.add(cursor)
        rows = s.execute(
            select(EventRow.id, EventRow.body, EventRow.dossier_id)
            .where(EventRow.id > cursor.last_event_id)
            .order_by(EventRow.id)
            .limit(BATCH)
        ).all()
        for row_id, body, dossier_id in rows:
            cursor.last_event_id = row_id
            try:
                event = Event.model_validate(body)
            except ValidationError:
                continue
            kind = kind_of(event)
            dossier = s.get(Dossier, dossier_id)
            if kind is None or dossier is None:
                continue
            snap = DossierSnapshot.model_validate(
                {k: v for k, v in dossier.snapshot.items() if k != "events"}
            )
            if event.type == "dossier.received":
                snap = event.snapshot()
            if not snap.notify:
                continue
            centre = s.scalar(select(Centre).where(Centre.eid == snap.receiving_agency_eid))
            link = lookup_link(centre.lookup_url if centre else "", snap)
            message = compose(kind, event, snap, centre.name if centre else snap.receiving_agency, link)
            for channel in snap.notify:
                to = snap.applicant.email if channel == "email" else snap.applicant.phone
                if not to:
                    continue
                exists = s.scalar(
                    select(Notice.id).where(Notice.event_id == event.event_id, Notice.channel == channel)
                )
                if exists is not None:
                    continue
                s.add(
                    Notice(
                        event_id=event.event_id,
                        dossier_id=dossier_id,
                        dossier_code=snap.code or "",
                        kind=kind,
                        channel=channel,
                        recipient=to,
                        subject=message.subject,
                        body=sms_text(message.body) if channel == "sms" else message.body,
                        params=message.params,
                        state="queued",
                        attempts=0,
                        next_attempt_at=now,
                        provider_ref="",
                        last_error="",
                        created_at=now,
                    )
                )
                queued += 1
    return queued


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    #: No sender configured for the channel: left queued.
    skipped: int = 0


def _recover(db: Database, senders: dict[str, Sender], now: datetime, report: Report) -> None:
    """``sending`` rows whose process died: resend only through a de-duplicating provider."""
    with db.write() as s:
        stale = s.scalars(
            select(Notice).where(Notice.state == "sending", Notice.claimed_at < now - CLAIM_TIMEOUT)
        ).all()
        for n in stale:
            sender = senders.get(n.channel)
            if sender is not None and sender.idempotent:
                n.state, n.next_attempt_at = "queued", now
            else:
                n.state, n.last_error = "unknown", "interrupted while sending; not resent (could duplicate)"
                report.unknown += 1


def _claim(db: Database, notice_id: int, now: datetime) -> Notice | None:
    with db.write() as s:
        n = s.get(Notice, notice_id, with_for_update=True)
        if n is None or n.state != "queued":
            return None
        n.state, n.attempts, n.claimed_at = "sending", n.attempts + 1, now
        s.flush()
        s.expunge(n)
        return n


def _record(db: Database, notice_id: int, **values: object) -> None:
    with db.write() as s:
        n = s.get(Notice, notice_id, with_for_update=True)
        if n is not None:
            for key, value in values.items():
                setattr(n, key, value)


def send_due(db: Database, senders: dict[str, Sender], now: datetime, limit: int = 200) -> Report:
    """Send the queued notices that are due, through the configured senders."""
    report = Report()
    _recover(db, senders, now, report)
    with db.read() as s:
        due = s.execute(
            select(Notice.id, Notice.channel)
            .where(Notice.state == "queued", Notice.next_attempt_at <= now)
            .order_by(Notice.id)
            .limit(limit)
        ).all()
    for notice_id, channel in due:
        sender = senders.get(channel)
        if sender is None:
            report.skipped += 1
            continue
        n = _claim(db, notice_id, now)
        if n is None:
            continue
        out = Outgoing(f"n-{n.id}", n.recipient, n.subject, n.body, {k: str(v) for k, v in n.params.items()})
        try:
            ref = sender.send(out)
        except Refused as exc:
            if n.attempts >= MAX_ATTEMPTS:
                _record(db, n.id, state="failed", last_error=str(exc)[:1000])
                report.failed += 1
            else:
                _record(
                    db,
                    n.id,
                    state="queued",
                    next_attempt_at=now + backoff(n.attempts),
                    last_error=str(exc)[:1000],
                )
                report.retried += 1
            continue
        except Unknown as exc:
            if sender.idempotent and n.attempts < MAX_ATTEMPTS:
                _record(db, n.id, state="queued", next_attempt_at=now, last_error=str(exc)[:1000])
                report.retried += 1
            else:
                _record(db, n.id, state="unknown", last_error=str(exc)[:1000])
                report.unknown += 1
            continue
        _record(db, n.id, state="sent", sent_at=now, provider_ref=ref[:200], last_error="")
        report.sent += 1
    return report


@dataclass(frozen=True, slots=True)
class NoticeState:
    kind: str
    channel: str
    recipient: str
    state: str
    attempts: int
    sent_at: datetime | None
    last_error: str


def mask(recipient: str) -> str:
    """``an.nguyen@example.vn`` → ``a***@example.vn``; ``0912345678`` → ``*******678``."""
    if "@" in recipient:
        user, _, domain = recipient.partition("@")
        return f"{user[:1]}***@{domain}"
    return "*" * max(len(recipient) - 3, 0) + recipient[-3:]


def states(db: Database, code: str) -> list[NoticeState]:
    """The notices of the dossier with this code and their delivery states, oldest first."""
    with db.read() as s:
        rows = s.scalars(
            select(Notice).where(Notice.dossier_code == code.strip().upper()).order_by(Notice.id)
        )
        return [
            NoticeState(n.kind, n.channel, mask(n.recipient), n.state, n.attempts, n.sent_at, n.last_error)
            for n in rows
        ]
