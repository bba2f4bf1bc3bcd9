"""Reconciliation with the national portal on the desk (issue 20 item 5): the centre's dossiers received in
a period against what the portal acknowledged, as the server last told this desk (``portal_acks``, pulled
each sync round by app/sync/portal_acks.py). The reasons are app.domain.reconcile's, the same as the
server's ``motcua-server portal reconcile``.

"Known here": the dossiers with a code that this centre received or is competent for, received (local
date) from ``first`` to ``last``. Online dossiers still without a code (not accepted, or refused before
acceptance) are left out, as on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from app.domain.errors import DomainError, Problem
from app.domain.reconcile import LATE_AFTER, Difference, PortalAck, classify
from app.domain.status import Status
from app.models import Dossier
from app.models import PortalAck as AckRow
from app.models.db import Store
from app.services.desk import home_centre
from app.services.reference import get_setting

__all__ = ["ReconcileReport", "reconcile"]

#: The sync engine's record of its last successful round (app/sync/engine.py ``KEY_LAST``).
_KEY_LAST = "sync.last_success"


@dataclass(frozen=True)
class ReconcileReport:
    centre: str
    first: date
    last: date
    known: int
    acknowledged: int
    differences: list[Difference]
    #: The desk's last successful sync round (local time): the portal's answers are as of then.
    as_of: datetime | None


def reconcile(
    store: Store, first: date, last: date, *, late_after: timedelta = LATE_AFTER
) -> ReconcileReport:
    if last < first:
        raise DomainError(
            Problem(
                "reconcile.period",
                "Ngày kết thúc phải không trước ngày bắt đầu.",
                "The end date cannot be before the start date.",
                "to",
            )
        )
    if not timedelta(0) < late_after <= timedelta(days=365):
        raise DomainError(
            Problem(
                "reconcile.late_after",
                "Ngưỡng đồng bộ muộn phải lớn hơn 0 và không quá 365 ngày.",
                "The late threshold must be above 0 and at most 365 days.",
                "late_after",
            )
        )
    lo, hi = datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
    with store.read() as s:
        centre = home_centre(s)
        rows = s.execute(
            select(
                Dossier.code,
                Dossier.status,
                AckRow.status,
                AckRow.first_event_at,
                AckRow.first_acked_at,
                AckRow.records,
                AckRow.acked,
            )
            .outerjoin(AckRow, AckRow.dossier_id == Dossier.id)
            .where(
                or_(
                    Dossier.receiving_centre_id == centre.id,
                    Dossier.competent_agency_eid == centre.agency_eid,
                ),
                Dossier.received_at >= lo,
                Dossier.received_at < hi,
                Dossier.code.is_not(None),
            )
            .order_by(Dossier.code)
        ).all()
        last_sync = get_setting(s, _KEY_LAST, None)
        eid = centre.agency_eid
    diffs: list[Difference] = []
    acknowledged = 0
    for code, status, portal_status, first_event_at, first_acked_at, records, acked in rows:
        ack = (
            PortalAck(portal_status, first_event_at, first_acked_at, (records or 0) - (acked or 0))
            if portal_status is not None
            else None
        )
        acknowledged += ack is not None
        diff = classify(str(code), Status(status).national_code, ack, late_after)
        if diff is not None:
            diffs.append(diff)
    return ReconcileReport(
        eid,
        first,
        last,
        len(rows),
        acknowledged,
        diffs,
        datetime.fromisoformat(str(last_sync)) if last_sync else None,
    )
