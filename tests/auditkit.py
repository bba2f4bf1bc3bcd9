"""Making a store look as a desk of before the keyed audit chain left it (issue 16, D10): entries chained
by SHA-256 only (``audit._entry_hash``), no ``audit.keyed``/``audit.sealed`` markers, no seals."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.domain.canonical import canonical_json
from app.services import audit
from app.services.audit import Actor

ENTRY_COLUMNS = "id, at, operator_name, workstation_name, action, entity, entity_id, details"


def make_unkeyed(con: Any) -> None:
    """Rewrite the audit chain on the DB-API connection ``con`` (committed here) as the earlier version
    wrote it."""
    con.execute("DELETE FROM audit_entries WHERE action IN ('audit.keyed', 'audit.sealed')")
    prev = audit.GENESIS
    for ident, at, op, ws, action, entity, entity_id, details in con.execute(
        f"SELECT {ENTRY_COLUMNS} FROM audit_entries ORDER BY id"
    ).fetchall():
        d = json.loads(details)
        d.pop("seal", None)
        digest = audit._entry_hash(
            prev, datetime.fromisoformat(at), Actor(op, ws), action, entity, entity_id, d
        )
        con.execute(
            "UPDATE audit_entries SET prev_hash = ?, hash = ?, details = ? WHERE id = ?",
            (prev, digest, canonical_json(d), ident),
        )
        prev = digest
    con.execute("UPDATE settings SET value = ? WHERE key = 'audit.head'", (json.dumps(prev),))
    con.commit()
