"""Pull what the national portal acknowledged of the centre's dossiers (``GET /sync/portal-acks``,
server/portal_acks.py) into ``portal_acks``, after each sync round's pull: the reconciliation report
(app/services/reconcile.py) then works offline from the last answer.

The cursor is the last acknowledgement seen (server time, dossier id). Each round starts
:data:`OVERLAP` earlier than it, so that an acknowledgement committed late by the server with an earlier
time is not missed; rows are upserted, so seeing one twice changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.contract import PortalAckInfo, as_utc
from app.models import PortalAck
from app.models.db import Store
from app.services.reference import get_setting, set_setting
from app.sync.client import ServerRefused, SyncClient

log = logging.getLogger(__name__)

KEY_AT: Final = "portal_acks.since_at"
KEY_ID: Final = "portal_acks.since_id"
OVERLAP: Final = timedelta(minutes=2)
#: Pages one round reads at most (the next round continues from the cursor).
MAX_PAGES: Final = 200


def _naive(moment: datetime | None) -> datetime | None:
    return as_utc(moment).replace(tzinfo=None) if moment is not None else None


def _row(item: PortalAckInfo) -> dict[str, object]:
    return {
        "dossier_id": item.dossier_id,
        "code": item.code,
        "state": item.state,
        "records": item.records,
        "acked": item.acked,
        "status": item.status,
        "first_event_at": _naive(item.first_event_at),
        "first_acked_at": _naive(item.first_acked_at),
        "last_acked_at": _naive(item.last_acked_at),
    }


def pull_acks(store: Store, client: SyncClient) -> int:
    """Read the acknowledgements after the cursor; returns how many dossiers were updated. A server that
    does not offer the route (older than this desk) is skipped: the report then says nothing is known."""
    with store.read() as s:
        at_text = get_setting(s, KEY_AT, None)
        since_id = str(get_setting(s, KEY_ID, "") or "")
    since_at = datetime.fromisoformat(str(at_text)) - OVERLAP if at_text else None
    if since_at is not None:
        since_id = ""
    updated = 0
    for _ in range(MAX_PAGES):
        try:
            page = client.portal_acks(since_at, since_id)
        except ServerRefused as exc:
            log.info("portal acknowledgements not offered by the server: %s", exc)
            return updated
        with store.write() as s:
            if page.items:
                insert = sqlite_insert(PortalAck).values([_row(i) for i in page.items])
                s.execute(
                    insert.on_conflict_do_update(
                        index_elements=["dossier_id"],
                        set_={k: insert.excluded[k] for k in _row(page.items[0]) if k != "dossier_id"},
                    )
                )
            if page.next_at is not None:
                set_setting(s, KEY_AT, _naive(page.next_at).isoformat())  # type: ignore[union-attr]
                set_setting(s, KEY_ID, page.next_id)
        updated += len(page.items)
        if not page.more:
            break
        since_at, since_id = _naive(page.next_at), page.next_id
    return updated
