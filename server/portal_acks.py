"""What the national portal acknowledged of each dossier, for the desks (``GET /sync/portal-acks``) and the
server's own reconciliation (server/portal.py :func:`~server.portal.reconcile`).

Read-only. A page holds the dossiers of the asking centre (receiving or competent) whose last
acknowledgement is after the cursor, in (``synced_at``, dossier id) order: ``portal_dossiers.synced_at`` is
set on every acknowledgement (server/portal.py ``push_once``), so a dossier comes again whenever the portal
acknowledged one more of its records. The desk keeps the latest answer per dossier
(app/sync/portal_acks.py) and classifies with app/domain/reconcile.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.contract import PortalAckInfo, PortalAcksResponse, utc_now
from app.domain.reconcile import PortalAck
from server.db import Database
from server.models import Dossier, EventRow, PortalDelivery, PortalDossier

__all__ = ["acks_of", "page"]

_SENT = "sent"


def _utc_naive(text: object) -> datetime | None:
    """An event's ``occurred_at`` (ISO, with its offset) as naive UTC, the server's clock."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def acks_of(s: Session, dossier_ids: Sequence[str]) -> dict[str, tuple[PortalAck, int, int]]:
    """Per dossier with at least one delivery: what the portal acknowledged (status of the last
    acknowledged record, event time and acknowledgement time of the first), records in all and
    acknowledged. Keyed by dossier id, not by code: an online dossier's first records are keyed by the
    portal's id on the portal and its later ones by our code."""
    rows: dict[str, list[tuple[int, int, str, datetime | None, str]]] = {}
    for i in range(0, len(dossier_ids), 500):
        part = list(dossier_ids[i : i + 500])
        for row in s.execute(
            select(
                PortalDelivery.dossier_id,
                PortalDelivery.seq,
                PortalDelivery.id,
                PortalDelivery.state,
                PortalDelivery.sent_at,
                PortalDelivery.event_id,
            ).where(PortalDelivery.dossier_id.in_(part))
        ):
            rows.setdefault(row[0], []).append((row[1], row[2], row[3], row[4], row[5]))
    first: dict[str, tuple[datetime | None, str]] = {}
    last_ids: dict[str, int] = {}
    for did, items in rows.items():
        sent = sorted(x for x in items if x[2] == _SENT)
        if sent:
            first[did] = (sent[0][3], sent[0][4])
            last_ids[did] = sent[-1][1]
    statuses: dict[str, int | None] = {}
    occurred: dict[str, datetime | None] = {}
    ids = list(last_ids.values())
    events = [e for _, e in first.values()]
    for i in range(0, len(ids), 500):
        for did, body in s.execute(
            select(PortalDelivery.dossier_id, PortalDelivery.body).where(
                PortalDelivery.id.in_(ids[i : i + 500])
            )
        ):
            status = ((body or {}).get("HoSo") or {}).get("TrangThaiHoSo")
            statuses[did] = status if isinstance(status, int) and 1 <= status <= 10 else None
    for i in range(0, len(events), 500):
        for eid, body in s.execute(
            select(EventRow.event_id, EventRow.body).where(EventRow.event_id.in_(events[i : i + 500]))
        ):
            occurred[eid] = _utc_naive((body or {}).get("occurred_at"))
    out: dict[str, tuple[PortalAck, int, int]] = {}
    for did, items in rows.items():
        acked = sum(1 for x in items if x[2] == _SENT)
        first_at, first_event = first.get(did, (None, ""))
        ack = PortalAck(
            status=statuses.get(did),
            first_event_at=occurred.get(first_event),
            first_acked_at=first_at,
            pending=len(items) - acked,
        )
        out[did] = (ack, len(items), acked)
    return out


def page(
    db: Database, centre_eid: str, since_at: datetime | None, since_id: str, limit: int
) -> PortalAcksResponse:
    """The dossiers of ``centre_eid`` acknowledged after the cursor (``since_at`` naive UTC, ``since_id``)."""
    with db.read() as s:
        q = (
            select(PortalDossier.dossier_id, PortalDossier.state, PortalDossier.synced_at, Dossier.code)
            .join(Dossier, Dossier.id == PortalDossier.dossier_id)
            .where(
                or_(PortalDossier.receiving_eid == centre_eid, PortalDossier.competent_eid == centre_eid),
                PortalDossier.synced_at.is_not(None),
            )
        )
        if since_at is not None:
            q = q.where(
                or_(
                    PortalDossier.synced_at > since_at,
                    and_(PortalDossier.synced_at == since_at, PortalDossier.dossier_id > since_id),
                )
            )
        found = list(
            s.execute(q.order_by(PortalDossier.synced_at, PortalDossier.dossier_id).limit(limit + 1))
        )
        more = len(found) > limit
        found = found[:limit]
        acks = acks_of(s, [r[0] for r in found])
    items: list[PortalAckInfo] = []
    for did, state, synced_at, code in found:
        ack, records, acked = acks.get(did, (PortalAck(None), 0, 0))
        items.append(
            PortalAckInfo(
                dossier_id=did,
                code=code,
                state=state,
                records=records,
                acked=acked,
                status=ack.status,
                first_event_at=_aware(ack.first_event_at),
                first_acked_at=_aware(ack.first_acked_at),
                last_acked_at=synced_at.replace(tzinfo=UTC),
            )
        )
    last = found[-1] if found else None
    return PortalAcksResponse(
        items=items,
        next_at=last[2].replace(tzinfo=UTC)
        if last is not None
        else since_at and since_at.replace(tzinfo=UTC),
        next_id=last[0] if last is not None else since_id,
        more=more,
        server_time=utc_now(),
    )


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None
