"""The server's security audit log (``audit_log``): enrolments, log-ins, revocations, failures and throttled
clients, with the device, the account and the source address. Listed by ``motcua-server audit``.

An entry is written in its own short transaction (a failed log-in rolls nothing else back). A throttled
client is recorded once per lockout or window, not once per refused request, so a flood cannot fill the
table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import Database
from server.models import AuditEntry

KINDS = (
    "enrol",
    "enrol.failed",
    "login",
    "login.failed",
    "login.locked",
    "rehash",
    "throttled",
    "revoke",
    "audit.chain",
)


def add(
    s: Session,
    kind: str,
    at: datetime,
    *,
    centre_eid: str | None = None,
    device_id: str | None = None,
    username: str | None = None,
    source: str | None = None,
    detail: str = "",
) -> None:
    """Add an entry in the caller's transaction."""
    s.add(
        AuditEntry(
            at=at,
            kind=kind,
            centre_eid=centre_eid,
            device_id=device_id,
            username=(username or None) and username[:100],
            source=(source or None) and source[:64],
            detail=detail[:300],
        )
    )


def record(db: Database, kind: str, at: datetime, **fields: str | None) -> None:
    """Add an entry in a transaction of its own."""
    with db.write() as s:
        add(s, kind, at, **fields)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    kind: str
    centre_eid: str | None
    device_id: str | None
    username: str | None
    source: str | None
    detail: str


def entries(db: Database, *, limit: int = 100, kind: str | None = None) -> list[Entry]:
    """The newest ``limit`` entries (of ``kind``, or ``kind.*``), newest first."""
    with db.read() as s:
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if kind:
            q = q.where((AuditEntry.kind == kind) | AuditEntry.kind.startswith(kind + "."))
        return [
            Entry(e.at, e.kind, e.centre_eid, e.device_id, e.username, e.source, e.detail)
            for e in s.scalars(q)
        ]
