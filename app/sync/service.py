"""What the window's sync menu asks of the sync package, as plain functions run off the GUI thread: the
enrolment (on the network lane), the enrolment form's defaults and the rejected ("parked") events with
their dossiers' codes (on the database lane), and whether this machine has a keyring for the device token.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.contract import EnrollResponse
from app.domain.errors import DomainError, Problem
from app.models import Dossier
from app.models.db import Store
from app.services.reference import get_setting
from app.sync import credentials, engine
from app.sync.client import SyncError
from app.sync.transport import is_loopback

QUARANTINED_TYPE = engine.QUARANTINED_TYPE

__all__ = [
    "QUARANTINED_TYPE",
    "EnrolDefaults",
    "ParkedRow",
    "enrol",
    "enrol_defaults",
    "keyring_problem",
    "normalise_url",
    "parked_rows",
]


def normalise_url(url: str) -> str:
    """What the operator typed as the server address, as a base URL (``https://`` when no scheme, but
    ``http://`` for a server on this machine: plain http is refused anywhere else)."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        host = url.split("/", 1)[0].rsplit(":", 1)[0] if not url.startswith("[") else url.split("]")[0]
        url = ("http://" if is_loopback(host) else "https://") + url
    return url


def enrol(store: Store, server_url: str, code: str, device_name: str) -> EnrollResponse:
    """:func:`app.sync.engine.enrol`, with the client's failures (wrong or expired code, unreachable
    server, clock off) turned into the :class:`DomainError` the dialog shows. Runs on the network lane."""
    try:
        return engine.enrol(store, normalise_url(server_url), code, device_name.strip())
    except SyncError as exc:
        problem = getattr(exc, "problem", None)
        if not isinstance(problem, Problem):
            raise
        raise DomainError(problem) from exc


@dataclass(frozen=True)
class EnrolDefaults:
    server_url: str
    device_name: str


def enrol_defaults(store: Store, workstation_name: str = "") -> EnrolDefaults:
    """The server this desk last enrolled with, and its workstation name (the host name when none)."""
    with store.read() as s:
        url = str(get_setting(s, engine.KEY_SERVER) or "")
    return EnrolDefaults(url, workstation_name or socket.gethostname())


@dataclass(frozen=True)
class ParkedRow:
    """An event the server refused for good, as the operator sees it."""

    event_id: str
    dossier_id: str
    code: str | None  # None: the dossier is not (or no longer) in the local store
    type: str
    reason: str
    created_at: datetime | None


def parked_rows(store: Store) -> list[ParkedRow]:
    """The parked events with their dossier's code. Runs on the database worker."""
    events = engine.parked_events(store)
    ids = list({str(e["dossier_id"]) for e in events})
    with store.read() as s:  # one query for every code (a dossier no longer stored has none)
        codes = dict(s.execute(select(Dossier.id, Dossier.code).where(Dossier.id.in_(ids))).tuples().all())
    return [
        ParkedRow(
            str(e["event_id"]),
            str(e["dossier_id"]),
            codes.get(str(e["dossier_id"])) or e.get("code"),
            str(e["type"]),
            str(e["reason"] or ""),
            e["created_at"],
        )
        for e in events
    ]


def keyring_problem() -> Problem | None:
    """Why device tokens cannot be kept on this machine (no OS keyring), or None."""
    return credentials.keyring_problem()
