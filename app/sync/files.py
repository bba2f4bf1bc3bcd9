"""Uploading digitised files to the provincial server (issue 19), after the events that name them.

A file row is sent when its ``dossier.files`` event has been accepted (outbox ``sent``) and its OCR is no
longer pending (so the PDF/A with the text layer is sent, once). A file no round has begun is sent at once,
its first chunk at offset 0 (no status request: on loopback that round trip cost as much as the chunk); a
file a round began and did not finish (listed in the setting ``KEY_IN_FLIGHT`` before its batch starts,
so a crash cannot hide it), or already sent for another row, is asked about first: nothing more is sent
for a file the server has (idempotent by SHA-256), and an interrupted upload resumes at the server's
offset. A first chunk the server refuses with 409 ``file.offset`` (it holds part of the file) falls back to
asking, then resumes there. Small files sent at once (most papers: one chunk each) go together, up to
``BATCH_FILES`` whole files and one chunk's bytes in one ``POST /files/batch`` (one request instead of
one each: the server checks the device and the centre once, then verifies and stores each file durably
and answers for each); a file of a batch the server holds part of is resumed alone, and a server without
the batch route gets the files one by one. ``UPLOAD_WORKERS`` uploads go at once on the one thread-safe
httpx client (the server's fsyncs overlap; the workers never touch the desk's database), and the rows of
``MARK_BATCH`` files (a window) are marked in one transaction, while the next window's files are sent.
A refusal (too large, hash mismatch, not visible to this centre) parks the row with the server's reason,
like a parked event; a transient failure leaves it pending for the next round. Intake never waits: this
runs on the sync thread.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from app.contract import MAX_BATCH_FILES, DossierState
from app.digitise.blobs import BlobStore
from app.models import DossierFile, OutboxEntry
from app.models.db import Store
from app.services.dossiers import find_dossier
from app.services.reference import get_setting, set_setting
from app.sync.client import ServerRefused, SyncClient, SyncError

log = logging.getLogger(__name__)

#: Bytes a request: a chunk of a large file, or the whole small files of a batch together. 2 MiB sent 60
#: files of ~125 KB in 0.076-0.092 s instead of 0.096-0.113 s on loopback (bench_upload, session 15), no
#: nearer the transport (whose bodies grow with it), and held twice the bytes in the window's memory while
#: uploading, where the 50-page intake is at its 250 MB target: kept at 1 MiB.
CHUNK_BYTES = 1024 * 1024
#: Files uploaded at once, each on its own thread with the one (thread-safe) httpx client: the server's
#: durable writes (fsync of the file and its folder) overlap instead of following each other.
UPLOAD_WORKERS = 4
#: Files whose rows are marked sent (or parked) in one desk transaction.
MARK_BATCH = 32
#: Most small files sent whole together in one ``POST /files/batch`` (their bytes at most one chunk).
BATCH_FILES = 16
#: Setting: the files of the batch being uploaded (and those an earlier round left unfinished), written
#: before the batch starts and cleared with its marks, so that after a crash or a network failure in
#: between these are asked about first (the server answers "have it" or its offset), never sent blind.
KEY_IN_FLIGHT = "sync.files_in_flight"


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


def _ready(store: Store) -> list[tuple[int, str, str, int]]:
    """(row, the row's file, the file its sent event names, that file's size): the two differ when OCR
    finished after the event was pushed; the server accepts only the file the event names, the image-only
    PDF."""
    with store.read() as s:
        rows = s.execute(
            select(DossierFile.id, DossierFile.sha256, OutboxEntry.payload, DossierFile.size)
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
    for i, h, payload, size in rows:
        named = (payload or {}).get("payload", {}).get("sha256") or h
        named_size = (payload or {}).get("payload", {}).get("size") if named != h else size
        out.append((int(i), str(h), str(named), int(named_size or 0)))
    return out


@dataclass(frozen=True)
class _Outcome:
    """How one file's upload ended: ``sent`` (the server holds it), ``parked`` (refused, or unreadable
    here: ``error`` says why) or ``later`` (the server's offset moved twice under us: next round)."""

    state: str
    error: str = ""
    bytes_sent: int = 0
    uploaded: bool = False  # bytes were accepted now (not "the server already had it")


def _upload_one(
    client: SyncClient, blobs: BlobStore, sha256: str, ask_first: bool, chunk: int, stop: threading.Event
) -> _Outcome | None:
    """One file, on a worker thread (no database here). ``ask_first``: ask the server what it holds before
    sending (a file this desk may have sent before); otherwise the first chunk goes at offset 0 at once,
    and a 409 ``file.offset`` (the server holds part of it) falls back to asking. ``None``: not started,
    the round stopped on another file's network failure."""
    if stop.is_set():
        return None
    try:
        offset = 0
        if ask_first:
            status = client.file_status(sha256)
            if status.have:
                return _Outcome("sent")  # idempotent by SHA-256: nothing sent again
            offset = status.offset
        data = blobs.read(sha256)
        sent = 0
        asked = ask_first
        while True:
            piece = data[offset : offset + chunk]  # empty only to complete a partial the server holds whole
            try:
                result = client.put_chunk(sha256, offset, len(data), piece)
            except ServerRefused as refused:
                if refused.problem.code != "file.offset" or asked:
                    raise
                asked = True  # the server holds part of the file (an earlier, interrupted upload)
                status = client.file_status(sha256)
                if status.have:
                    return _Outcome("sent", bytes_sent=sent, uploaded=sent > 0)
                offset = status.offset
                continue
            sent += len(piece)
            if result.complete:
                return _Outcome("sent", bytes_sent=sent, uploaded=True)
            if result.offset <= offset or result.offset > len(data):
                return _Outcome("later", bytes_sent=sent)  # not advancing: let the next round ask again
            offset = result.offset
    except ServerRefused as refused:
        if refused.problem.code == "file.offset":
            return _Outcome("later")  # moved again while we asked: another round resumes from there
        return _Outcome("parked", refused.problem.vi)
    except SyncError:
        stop.set()  # here, before the next file starts on this thread; the round raises it
        raise
    except (OSError, ValueError) as exc:  # the local file is missing or damaged: db check names it
        log.warning("file %s cannot be uploaded: %s", sha256, exc)
        return _Outcome("parked", f"local file: {exc}")


def _upload_batch(
    client: SyncClient, blobs: BlobStore, shas: Sequence[str], chunk: int, stop: threading.Event
) -> dict[str, _Outcome | None]:
    """Small files a round has not begun before, whole in one ``POST /files/batch``, on a worker thread.
    Each is reported on its own; a file of which the server holds a part (409 ``file.offset``) is then
    resumed alone, and a batch the server does not take at all (a server without the route answers 404
    or 405) is sent file by file. ``None``: not started, the round stopped on a network failure."""
    if stop.is_set():
        return dict.fromkeys(shas)
    out: dict[str, _Outcome | None] = {}
    items: list[tuple[str, bytes]] = []
    for sha256 in shas:
        try:
            items.append((sha256, blobs.read(sha256)))
        except (OSError, ValueError) as exc:  # the local file is missing or damaged: db check names it
            log.warning("file %s cannot be uploaded: %s", sha256, exc)
            out[sha256] = _Outcome("parked", f"local file: {exc}")
    if not items:
        return out
    alone: list[tuple[str, bool]] = []  # (file, ask the server first)
    try:
        result = client.put_files(items)
    except ServerRefused as refused:  # the batch as a whole (an older server): each file on its own
        log.info("batch upload refused (%s): sending the files one by one", refused.problem.en)
        alone = [(sha256, False) for sha256, _data in items]
    except SyncError:
        stop.set()  # here, before the next file starts on this thread; the round raises it
        raise
    else:
        answers = {r.sha256: r for r in result.files}
        for sha256, data in items:
            answer = answers.get(sha256)
            if answer is None:
                out[sha256] = _Outcome("later")  # not answered: asked about next round
            elif answer.complete:
                out[sha256] = _Outcome("sent", bytes_sent=len(data), uploaded=True)
            elif answer.problem is not None and answer.problem.code == "file.offset":
                alone.append((sha256, True))  # the server holds part of it: resume it alone
            elif answer.status >= 500 or answer.problem is None:
                out[sha256] = _Outcome("later")  # the server could not store it now: next round
            else:
                out[sha256] = _Outcome("parked", answer.problem.vi)
    for sha256, ask_first in alone:
        out[sha256] = _upload_one(client, blobs, sha256, ask_first, chunk, stop)
    return out


def _tasks(
    shas: Sequence[str], sizes: dict[str, int], ask: set[str], chunk: int, most: int
) -> list[tuple[bool, list[str]]]:
    """The batch's uploads: (whole in one batch request?, files). Files that fit in a chunk and that no
    round has begun are packed, up to ``most`` files and ``chunk`` bytes a request; the others (large,
    or to be asked about first) go one by one."""
    tasks: list[tuple[bool, list[str]]] = []
    group: list[str] = []
    held = 0
    for sha256 in shas:
        size = sizes.get(sha256, 0)
        if most < 2 or sha256 in ask or not 0 < size <= chunk:
            tasks.append((False, [sha256]))
            continue
        if group and (len(group) >= most or held + size > chunk):
            tasks.append((True, group))
            group, held = [], 0
        group.append(sha256)
        held += size
    if group:
        tasks.append((True, group) if len(group) > 1 else (False, group))
    return tasks


def _mark(s: Session, marks: Sequence[tuple[int, str, str, str]]) -> None:
    """Mark rows (row id, the row's file, state, error) in one statement run for all of them: a row whose
    file was replaced meanwhile (another sha256) is left as it is."""
    if not marks:
        return
    table = cast(Table, DossierFile.__table__)
    s.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.sha256 == bindparam("row_sha256"))
        .values(upload_state=bindparam("new_state"), last_error=bindparam("new_error")),
        [
            {"row_id": row_id, "row_sha256": row_sha256, "new_state": state, "new_error": error}
            for row_id, row_sha256, state, error in marks
        ],
    )


def _one(
    client: SyncClient, blobs: BlobStore, sha256: str, ask_first: bool, chunk: int, stop: threading.Event
) -> dict[str, _Outcome | None]:
    return {sha256: _upload_one(client, blobs, sha256, ask_first, chunk, stop)}


def upload_pending(
    store: Store,
    client: SyncClient,
    chunk: int | None = None,
    workers: int | None = None,
    batch_files: int | None = None,
) -> UploadReport:
    """Send every file that is ready, in chunks of ``chunk`` bytes (default ``CHUNK_BYTES``, read at each
    call), ``workers`` uploads at a time (default ``UPLOAD_WORKERS``) on the one thread-safe httpx client,
    small files up to ``batch_files`` (default ``BATCH_FILES``; 1: each file its own requests, as older
    desks do) whole in one request, their rows marked in one transaction per ``MARK_BATCH`` files. Raises
    the first ``TransientError`` (or other sync error) after marking what finished: the other rows stay
    pending and are asked about first next time."""
    chunk = chunk or CHUNK_BYTES
    workers = max(1, workers or UPLOAD_WORKERS)
    most = min(BATCH_FILES if batch_files is None else batch_files, MAX_BATCH_FILES)
    report = UploadReport()
    rows_of: dict[str, list[tuple[int, str]]] = {}
    sizes: dict[str, int] = {}
    for row_id, row_sha256, sha256, size in _ready(store):
        rows_of.setdefault(sha256, []).append((row_id, row_sha256))  # one upload for rows naming one file
        sizes[sha256] = size
    if not rows_of:
        return report
    blobs = BlobStore.of(store.path.parent, store.key)
    shas = list(rows_of)
    with store.read() as s:
        # Files a round began and did not finish (a crash, a network failure before the answer): the
        # server may hold them whole or in part, so it is asked first.
        unsure = set(get_setting(s, KEY_IN_FLIGHT, None) or []) & set(shas)
        done_before = set(  # the same file already sent for another row (a reused paper)
            s.scalars(
                select(DossierFile.sha256).where(
                    DossierFile.sha256.in_(shas), DossierFile.upload_state == "sent"
                )
            )
        )
    windows = [shas[i : i + MARK_BATCH] for i in range(0, len(shas), MARK_BATCH)]
    ask = {str(sha) for sha in unsure | done_before}
    # Two windows of MARK_BATCH files are uploaded at once: while one window's rows are marked (a desk
    # transaction), the next one's requests keep the workers busy. A window is declared in flight before
    # its first request and leaves the declaration with its marks.
    in_flight = unsure | set(windows[0]) | (set(windows[1]) if len(windows) > 1 else set())
    with store.write() as s:  # a crash from here on makes the next round ask before sending
        set_setting(s, KEY_IN_FLIGHT, sorted(in_flight))
    stop = threading.Event()
    failure: SyncError | None = None
    with ThreadPoolExecutor(max_workers=min(workers, len(shas)), thread_name_prefix="upload") as pool:

        def submit(window: Sequence[str]) -> dict[Future[dict[str, _Outcome | None]], list[str]]:
            return {
                (
                    pool.submit(_upload_batch, client, blobs, shas_, chunk, stop)
                    if together
                    else pool.submit(_one, client, blobs, shas_[0], shas_[0] in ask, chunk, stop)
                ): shas_
                for together, shas_ in _tasks(window, sizes, ask, chunk, most)
            }

        running = deque(submit(window) for window in windows[:2])
        submitted = len(running)
        while running:
            futures = running.popleft()
            outcomes: dict[str, _Outcome] = {}
            for future in as_completed(futures):
                try:
                    got = future.result()
                except SyncError as exc:  # network, clock, certificate: stop the round, keep what finished
                    if failure is None:
                        failure = exc
                        stop.set()
                    continue
                for sha, outcome in got.items():
                    if outcome is None:
                        if sha not in unsure:
                            in_flight.discard(sha)  # never started: sent at once next time
                    else:
                        outcomes[sha] = outcome
            finished = {sha for sha, outcome in outcomes.items() if outcome.state != "later"}
            in_flight -= finished
            more = failure is None and submitted < len(windows)
            if more:
                in_flight |= set(windows[submitted])
            with store.write() as s:  # one transaction for the window's rows, and the next one declared
                _mark(
                    s,
                    [
                        (row_id, row_sha256, outcomes[sha].state, outcomes[sha].error)
                        for sha in finished
                        for row_id, row_sha256 in rows_of[sha]
                    ],
                )
                set_setting(s, KEY_IN_FLIGHT, sorted(in_flight))
            if more:
                running.append(submit(windows[submitted]))
                submitted += 1
            for outcome in outcomes.values():
                report.bytes_sent += outcome.bytes_sent
                report.sent += outcome.uploaded
                report.parked += outcome.state == "parked"
    if failure is not None:
        raise failure
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
