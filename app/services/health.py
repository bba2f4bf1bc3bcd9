"""The database check of ``motcua-desk db check``: SQLite's integrity and foreign-key checks, then the
audit chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import DatabaseError

from app.models.db import Store, integrity_check
from app.services.audit import ChainReport, verify


@dataclass(frozen=True)
class DatabaseCheck:
    #: SQLite's findings (its own English wording), empty when the file is sound.
    integrity: tuple[str, ...]
    audit: ChainReport

    @property
    def ok(self) -> bool:
        return not self.integrity and self.audit.ok


def check_database(store: Store) -> DatabaseCheck:
    """The full integrity check and the foreign keys, then the audit chain from its first entry."""
    problems = [*store.damaged, *(p for p in integrity_check(store.engine) if p not in store.damaged)]
    try:
        with store.read() as s:
            report = verify(s)
    except DatabaseError as exc:  # a damaged page under the audit trail: a finding, not a crash
        report = ChainReport(0, None, f"the audit trail cannot be read: {getattr(exc, 'orig', exc)}")
    return DatabaseCheck(tuple(problems), report)
