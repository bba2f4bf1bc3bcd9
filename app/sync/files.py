"""Uploading digitised files to the provincial server (issue 19), after the events that name them.

A file row is sent when its ``dossier.files`` event has been accepted (outbox ``sent``) and its OCR is no
longer pending (so the PDF/A with the text layer is sent, once). For each file the server is asked what
it holds: nothing more is sent for a file it has (idempotent by SHA-256), and an interrupted upload
resumes at the server's offset. A refusal (too large, hash mismatch, not visible to this centre) parks
the row with the server's reason, like a parked event; a transient failure leaves it pending for the
next round. Intake never waits: this runs on the sync thread.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.contract import DossierState
from app.digitise.blobs import BlobStore
from app.models import DossierFile, OutboxEntry
from app.models.db import Store
from app.services.dossiers import find_dossier
from app.sync.client import ServerRefused, SyncClient

log = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024


@dataclass
class UploadReport:
    sent: int = 0
    parked: int = 0
    bytes_sent: int = 0


def record_remote_files(s: Session, states: Sequence[DossierState]) -> None:
    """In the pull's transaction: a ``dossier.files`` event made at another workstation becomes a
    ``dossier_files`` row here (``source='server'``, nothing to upload), the newest per paper current.
    Its file is fetched later (:func:`fetch_files`); until then ``db check`` does not count it missing."""
    events = [(st.id, ev) for st in states for ev in st.events if ev.type == "dossier.files"]
    if not events:
        return
    known = set(
        s.scalars(
            select(DossierFile.event_id).where(DossierFile.event_id.in_([ev.event_id for _d, ev in events]))
        )
    )
    for dossier_id, ev in events:
        if ev.event_id in known:
            continue
        known.add(ev.event_id)
        p = ev.files()
        at = ev.occurred_at.replace(tzinfo=None)
        s.execute(
            update(DossierFile)
            .where(
                DossierFile.dossier_id == dossier_id,
                DossierFile.kind == p.kind,
                DossierFile.paper_no == p.paper_no,
                DossierFile.replaced_at.is_(None),
            )
            .values(replaced_at=at)
        )
        s.add(
            DossierFile(
                dossier_id=dossier_id,
                kind=p.kind,
                paper_no=p.paper_no,
                name=p.name,
                declared_pages=p.declared_pages,
                page_count=p.page_count,
                image_count=p.image_count,
                pages=[page.model_dump(mode="json") for page in p.pages],
                sha256=p.sha256,
                original_sha256=p.sha256,
                size=p.size,
                media_type=p.media_type,
                exemption=p.exemption,
                source="server",
                ocr_state="none",
                upload_state="none",
                last_error="",
                event_id=ev.event_id,
                operator_name=ev.operator,
                created_at=at,
                replaced_at=None,
            )
        )
    s.flush()


def fetch_files(store: Store, client: SyncClient, ref: str) -> int:
    """Fetch the dossier's files recorded from the server and not yet here (the competent commune
    opening a forwarded dossier); each is checked against its SHA-256 before it is stored. Returns how
    many were fetched."""
    blobs = BlobStore.of(store.path.parent, store.key)
    with store.read() as s:
        d = find_dossier(s, ref)
        wanted = s.scalars(
            select(DossierFile.sha256).where(
                DossierFile.dossier_id == d.id,
                DossierFile.source == "server",
                DossierFile.sha256.is_not(None),
                DossierFile.replaced_at.is_(None),  # not an earlier set, nor a file its PDF/A replaced
            )
        ).all()
    fetched = 0
    for sha256 in dict.fromkeys(h for h in wanted if h):
        if blobs.exists(sha256):
            continue
        data = client.file_content(sha256)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"the server sent a file that does not match {sha256}")
        blobs.put(data)
        fetched += 1
    return fetched


def fetch_missing(store: Store, client: SyncClient, limit: int = 50) -> int:
    """In each sync round, after the pull: fetch files of papers digitised elsewhere (a dossier forwarded
    to this commune) that are not here yet, so the dossier opens with its pages even offline later. A file
    the server has not received yet is left for a later round."""
    blobs = BlobStore.of(store.path.parent, store.key)
    with store.read() as s:
        wanted = s.scalars(
            select(DossierFile.sha256)
            .where(
                DossierFile.source == "server",
                DossierFile.sha256.is_not(None),
                DossierFile.replaced_at.is_(None),
            )
            .order_by(DossierFile.id.desc())
        ).all()
    fetched = 0
    for sha256 in dict.fromkeys(h for h in wanted if h):
        if fetched >= limit:
            break
        if blobs.exists(sha256):
            continue
        try:
            data = client.file_content(sha256)
        except ServerRefused as refused:
            log.info("file %s not fetched yet: %s", sha256, refused.problem.en)
            continue
        if hashlib.sha256(data).hexdigest() != sha256:
            log.warning("the server sent a file that does not match %s", sha256)
            continue
        blobs.put(data)
        fetched += 1
    return fetched


def _ready(store: Store) -> list[tuple[int, str, str]]:
    """(row, the row's file, the file its sent event names): the two differ when OCR finished after the
    event was pushed; the server accepts only the file the event names, the image-only PDF."""
    with store.read() as s:
        rows = s.execute(
            select(DossierFile.id, DossierFile.sha256, OutboxEntry.payload)
            .join(OutboxEntry, OutboxEntry.event_id == DossierFile.event_id)
            .where(
                DossierFile.upload_state == "pending",
                DossierFile.source != "server",
                DossierFile.sha256.is_not(None),
                DossierFile.ocr_state != "pending",
                DossierFile.replaced_at.is_(None),
                OutboxEntry.state == "sent",
            )
            .order_by(DossierFile.id)
        ).all()
    out = []
    for i, h, payload in rows:
        named = (payload or {}).get("payload", {}).get("sha256") or h
        out.append((int(i), str(h), str(named)))
    return out


def _mark(store: Store, row_id: int, sha256: str, state: str, error: str = "") -> None:
    with store.write() as s:
        s.execute(
            update(DossierFile)
            .where(DossierFile.id == row_id, DossierFile.sha256 == sha256)
            .values(upload_state=state, last_error=error)
        )


def upload_pending(store: Store, client: SyncClient, chunk: int | None = None) -> UploadReport:
    """Send every file that is ready, in chunks of ``chunk`` bytes (default ``CHUNK_BYTES``, read at each
    call); raises ``TransientError`` on a network failure (rows stay pending)."""
    chunk = chunk or CHUNK_BYTES
    report = UploadReport()
    blobs = BlobStore.of(store.path.parent, store.key)
    for row_id, row_sha256, sha256 in _ready(store):
        try:
            status = client.file_status(sha256)
            if status.have:
                _mark(store, row_id, row_sha256, "sent")  # idempotent by SHA-256: nothing sent again
                continue
            data = blobs.read(sha256)
            offset = status.offset
            while offset < len(data):
                result = client.put_chunk(sha256, offset, len(data), data[offset : offset + chunk])
                report.bytes_sent += min(chunk, len(data) - offset)
                offset = result.offset
                if result.complete:
                    break
        except ServerRefused as refused:
            if (
                refused.problem.code == "file.offset"
                and refused.problem.field
                and refused.problem.field.isdigit()
            ):
                continue  # another round resumes from the server's offset
            _mark(store, row_id, row_sha256, "parked", refused.problem.vi)
            report.parked += 1
            continue
        except (OSError, ValueError) as exc:  # the local file is missing or damaged: db check names it
            log.warning("file %s cannot be uploaded: %s", sha256, exc)
            _mark(store, row_id, row_sha256, "parked", f"local file: {exc}")
            report.parked += 1
            continue
        _mark(store, row_id, row_sha256, "sent")
        report.sent += 1
    return report


def pending_files(store: Store) -> tuple[int, int]:
    """Files (and their bytes) still to upload, parked ones not counted."""
    with store.read() as s:
        count, total = s.execute(
            select(func.count(), func.coalesce(func.sum(DossierFile.size), 0)).where(
                DossierFile.upload_state == "pending",
                DossierFile.sha256.is_not(None),
                DossierFile.replaced_at.is_(None),
            )
        ).one()
    return int(count), int(total)


def parked_files(store: Store) -> int:
    """Files the server refused (or that could not be read here): shown like parked events."""
    with store.read() as s:
        n = s.scalar(
            select(func.count()).where(
                DossierFile.upload_state == "parked", DossierFile.replaced_at.is_(None)
            )
        )
    return int(n or 0)
