"""The audit trail: append-only entries, each hash-chained to the one before.

``hash = sha256(prev_hash || canonical JSON of the entry)``. The newest hash is also kept in
``settings`` (in the same transaction), so removing entries from the end is detected as well as
editing or removing one in the middle. :func:`verify` names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.canonical import canonical_json
from app.models import AuditEntry
from app.models.base import JSONText, table_of
from app.models.fastwrite import RowInserter, execute
from app.services.reference import get_setting

GENESIS = "0" * 64
HEAD_KEY = "audit.head"


@dataclass(frozen=True)
class Actor:
    """Who does something, and where: recorded on every event and audit entry."""

    operator: str
    workstation: str


def _entry_hash(
    prev_hash: str,
    at: datetime,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str,
    details: dict[str, Any],
) -> str:
    body = canonical_json(
        {
            "at": at.isoformat(timespec="microseconds"),
            "operator": actor.operator,
            "workstation": actor.workstation,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
        },
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


# Prepared once: building statements costs more than running them on this path (every use case).
_INSERT_ENTRY = RowInserter(table_of(AuditEntry))
_READ_HEAD = "SELECT value FROM settings WHERE key = ?"
_UPSERT_HEAD = (
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_JSON = JSONText()


def append(
    session: Session,
    actor: Actor,
    action: str,
    entity: str = "",
    entity_id: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> str:
    """Append an entry in the caller's transaction (which must be a write transaction); returns its hash.

    Written at once on the session's connection (entries are ordered by id, so
    the chain follows the order of the calls whatever else the session flushes later)."""
    details = json.loads(canonical_json(details or {}, default=str))  # as stored: JSON values only
    at = at or datetime.now()
    conn = session.connection()
    # The head may have moved earlier in this same transaction: the session remembers it.
    prev = session.info.get(HEAD_KEY)
    if prev is None:
        row = execute(conn, _READ_HEAD, (HEAD_KEY,)).fetchone()
        prev = _JSON.process_result_value(row[0], None) if row is not None else GENESIS
    digest = _entry_hash(prev, at, actor, action, entity, entity_id, details)
    _INSERT_ENTRY(
        conn,
        {
            "at": at,
            "operator_name": actor.operator,
            "workstation_name": actor.workstation,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    execute(conn, _UPSERT_HEAD, (HEAD_KEY, _JSON.process_bind_param(digest, None)))
    session.info[HEAD_KEY] = digest
    return digest


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # id of the first entry whose link does not verify
    reason: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason


def verify(session: Session) -> ChainReport:
    prev = GENESIS
    count = 0
    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
        count += 1
        if e.prev_hash != prev:
            return ChainReport(count, e.id, f"entry {e.id}: link to the previous entry is broken")
        actor = Actor(e.operator_name, e.workstation_name)
        if _entry_hash(prev, e.at, actor, e.action, e.entity, e.entity_id, e.details) != e.hash:
            return ChainReport(count, e.id, f"entry {e.id}: content does not match its hash")
        prev = e.hash
    head = get_setting(session, HEAD_KEY, GENESIS)
    if head != prev:
        return ChainReport(count, None, "the newest entries are missing (chain head does not match)")
    return ChainReport(count, None, "")
