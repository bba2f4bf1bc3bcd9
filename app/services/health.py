"""The database check of ``motcua-desk db check``: SQLite's integrity and foreign-key checks, the
audit chain, then the digitised files (present, with their SHA-256)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import DatabaseError

from app.models.db import Store, integrity_check
from app.services.audit import ChainReport, verify
from app.services.files import FileProblem, check_files


@dataclass(frozen=True)
class DatabaseCheck:
    #: SQLite's findings (its own English wording), empty when the file is sound.
    integrity: tuple[str, ...]
    audit: ChainReport
    #: Digitised files missing from the data folder or no longer matching their SHA-256.
    files: tuple[FileProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.integrity and self.audit.ok and not self.files


def check_database(store: Store) -> DatabaseCheck:
    """The full integrity check and the foreign keys, the audit chain from its first entry, then every
    digitised file's presence and hash."""
    problems = [*store.damaged, *(p for p in integrity_check(store.engine) if p not in store.damaged)]
    try:
        with store.read() as s:
            report = verify(s, data_dir=store.path.parent)
    except DatabaseError as exc:  # a damaged page under the audit trail: a finding, not a crash
        report = ChainReport(0, None, f"the audit trail cannot be read: {getattr(exc, 'orig', exc)}")
    return DatabaseCheck(tuple(problems), report, tuple(check_files(store)) if not problems else ())
