"""Changes of the feed that a desk could not apply and keeps in quarantine (issue 16, D1).

A desk never stops pulling for one change it cannot apply (a code that collides with a dossier it holds,
for instance after a slot was reused): it keeps the change aside, moves its cursor on and tells the server
here. The report is idempotent (one row per device and change); ``motcua-server quarantined`` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.contract import QuarantineItem
from server.db import Database
from server.devices import DeviceContext
from server.models import Centre, Device, QuarantinedChange


def record(db: Database, device: DeviceContext, items: Sequence[QuarantineItem], now: datetime) -> int:
    """Record what a desk reports; returns how many were new."""
    with db.write() as s:
        known = set(
            s.scalars(
                select(QuarantinedChange.change_seq).where(
                    QuarantinedChange.device_id == device.device_id,
                    QuarantinedChange.change_seq.in_([i.seq for i in items]),
                )
            )
        )
        new = 0
        for item in items:
            if item.seq in known:
                continue
            known.add(item.seq)
            s.add(
                QuarantinedChange(
                    device_id=device.device_id,
                    change_seq=item.seq,
                    kind=item.kind,
                    dossier_id=item.dossier_id,
                    code=item.code,
                    reason=item.reason,
                    reported_at=now,
                )
            )
            new += 1
    return new


@dataclass(frozen=True)
class QuarantinedRow:
    reported_at: datetime
    centre_eid: str
    device_id: str
    device_name: str
    change_seq: int
    code: str | None
    reason: str


def listing(db: Database) -> list[QuarantinedRow]:
    with db.read() as s:
        rows = s.execute(
            select(QuarantinedChange, Device, Centre)
            .join(Device, Device.id == QuarantinedChange.device_id)
            .join(Centre, Centre.id == Device.centre_id)
            .order_by(QuarantinedChange.reported_at, QuarantinedChange.id)
        ).all()
        return [
            QuarantinedRow(q.reported_at, c.eid, d.id, d.name, q.change_seq, q.code, q.reason)
            for q, d, c in rows
        ]
