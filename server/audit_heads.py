"""The heads of the desks' keyed audit chains (issue 16, D10): kept per device, checked at every push.

Each push may carry the head of the desk's chain (``AuditHead``: position and MAC) and an anchor: the MAC
the desk's chain has *now* at the position of the head this server last acknowledged. The server keeps
the last head of each device (``device_audit_heads``) and records in its security audit log (kind
``audit.chain``, listed by ``motcua-server audit --kind audit``) when

- the position goes backwards: the tail of the chain was deleted, or the store was replaced by an older
  copy of itself (a restore from a backup shows the same way, which is worth knowing too);
- the position is the same but the MAC differs, or the anchor's MAC differs from the head the server
  holds: the chain was rewritten (even by someone holding the key, for the part already pushed).

Why heads and not the key: the device secret stays on the device (the OS keyring). The server could not
verify MACs without the entries anyway, and a copy of every desk's key on the server would let whoever
reads its database forge any desk's chain. The head check needs nothing secret. What it cannot see: a
change to entries written after the last push (the desk's own ``db check`` finds those, with the key).

The server accepts an anchor on the head before the last one too: a push whose answer was lost leaves
the desk anchored there. So a store replaced by a copy exactly one push old is not told from a lost answer;
a copy two or more pushes old is.

A finding never refuses the desk's events: they are the citizens' dossiers, accepted or refused by their
own rules. It is recorded once (the new head is then kept), for IT to look at with the desk's
``db check``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.contract import AuditHead
from server import audit
from server.db import Database
from server.devices import DeviceContext
from server.models import DeviceAuditHead

log = logging.getLogger(__name__)


def judge(held: DeviceAuditHead | None, head: AuditHead) -> str:
    """What is wrong with ``head`` given the heads the server holds; "" when it continues them."""
    if held is None:
        return ""
    if head.position < held.position:
        return (
            f"audit chain went back from entry {held.position} to {head.position} "
            "(its tail deleted, or the store replaced by an older copy)"
        )
    if head.position == held.position and head.mac != held.mac:
        return f"audit chain rewritten: entry {head.position} has another MAC than the one pushed before"
    known = {held.position: held.mac}
    if held.prior_position is not None and held.prior_mac is not None:
        known.setdefault(held.prior_position, held.prior_mac)
    if head.anchor_position is None or head.anchor_position not in known:
        if head.position == held.position:
            return ""  # the same head again
        return (
            f"the desk's chain does not name the head it pushed last (entry {held.position}): "
            "an older copy of its store, or its record of the last push removed"
        )
    if head.anchor_mac != known[head.anchor_position]:
        return f"audit chain rewritten: entry {head.anchor_position}, pushed before, has changed"
    return ""


def note(db: Database, ctx: DeviceContext, head: AuditHead | None, now: datetime) -> str:
    """Check and keep the head a push carried (its own short transaction); returns the finding, or ""."""
    if head is None:
        return ""
    try:
        return _note(db, ctx, head, now)
    except IntegrityError:  # two pushes of one device raced to store its first head: the other one did
        log.info("audit head of %s: stored by a concurrent push", ctx.device_id)
        return ""


def _note(db: Database, ctx: DeviceContext, head: AuditHead, now: datetime) -> str:
    with db.write() as s:
        q = select(DeviceAuditHead).where(DeviceAuditHead.device_id == ctx.device_id)
        held = s.scalar(q.with_for_update() if db.is_postgres else q)
        finding = judge(held, head)
        if finding:
            audit.add(
                s, "audit.chain", now, centre_eid=ctx.centre_eid, device_id=ctx.device_id, detail=finding
            )
        if held is None:
            s.add(
                DeviceAuditHead(device_id=ctx.device_id, position=head.position, mac=head.mac, pushed_at=now)
            )
        elif head.position != held.position or head.mac != held.mac:
            held.prior_position, held.prior_mac = held.position, held.mac
            held.position, held.mac, held.pushed_at = head.position, head.mac, now
    return finding
