"""Digitised papers and results of dossiers (issue 19): attach, list, export, OCR later, check, sweep.

The order of an attach, so that a crash at any moment leaves a paper's whole page set or none of it:

1. the pages are read and checked (``app.domain.digitise``: the declared count, the paper's row);
2. each page is cleaned and compressed, all into ONE PDF per paper (``app.digitise.imaging``);
3. the PDF is written to the file store (``app.digitise.blobs``: temp name, fsync, rename, fsync);
4. ONE write transaction: the ``dossier_files`` row (an earlier set of the same paper is marked
   replaced), the ``dossier.files`` outbox event that takes it to the server, and an audit entry.

A crash before 4 commits leaves an unreferenced file, removed by :func:`sweep` (after a grace period);
after it, the row and its whole file. Text recognition comes later (:func:`run_ocr`, on a background
lane or ``motcua-desk files --ocr``): the PDF/A with the text layer replaces the row's file in another
transaction, and the image-only PDF stays referenced (``original_sha256``), so nothing a row ever
referenced is removed and an older database backup still finds its files.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.digitise import imaging
from app.digitise.blobs import BlobStore, FileFault, Stored
from app.domain import digitise as dg
from app.domain.errors import DomainError, Problem
from app.domain.status import Status
from app.domain.text import fold
from app.models import Dossier, DossierFile, OutboxEntry
from app.models.db import Store, StoreError, environment_problem
from app.services import audit
from app.services.audit import Actor
from app.services.dossiers import find_dossier

log = logging.getLogger(__name__)

EVENT_TYPE = "dossier.files"
RESULT_NAME = ("Kết quả giải quyết thủ tục hành chính", "Result of the procedure")
#: Statuses at which the electronic result may be attached (result ready, handed back).
RESULT_STATUSES = (Status.RESULT_READY.value, Status.RETURNED.value)


def data_dir_of(store: Store) -> Path:
    """The data folder of a store (the database file lives at its top: ``app.paths.database_path``)."""
    return store.path.parent


def blob_store(store: Store) -> BlobStore:
    return BlobStore.of(data_dir_of(store), store.key)  # encrypted at rest when the store is


# --- attach ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachRequest:
    ref: str
    #: The paper's 1-based row in the dossier's checklist (ignored for the result).
    paper_no: int = 1
    files: tuple[Path, ...] = ()
    declared_pages: int | None = None
    exemption: str | None = None
    result: bool = False
    #: (page number, image file): the page photographed or scanned WITH its sticky note.
    notes: tuple[tuple[int, Path], ...] = ()
    #: Quarter turns clockwise per page number (1-based).
    rotations: Mapping[int, int] = field(default_factory=dict)
    source: str = "file"


@dataclass(frozen=True)
class AttachResult:
    dossier_code: str | None
    kind: str
    paper_no: int
    name: str
    page_count: int
    image_count: int
    sha256: str | None
    size: int
    exemption: str | None
    event_id: str
    modes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Target:
    dossier_id: str
    code: str | None
    kind: str
    paper_no: int
    name: str


def _target(s: Session, req_ref: str, result: bool, paper_no: int) -> _Target:
    d = find_dossier(s, req_ref)
    if result:
        if d.status not in RESULT_STATUSES:
            raise DomainError(
                Problem(
                    "digitise.result_status",
                    "Chỉ đính kèm kết quả điện tử khi hồ sơ đã có kết quả hoặc đã trả kết quả.",
                    "The electronic result is attached once the result is ready or handed back.",
                    "result",
                )
            )
        return _Target(d.id, d.code, dg.FileKind.RESULT.value, 0, RESULT_NAME[0])
    papers = d.papers_received
    index = dg.check_paper_number(paper_no, len(papers))
    return _Target(d.id, d.code, dg.FileKind.PAPER.value, paper_no, str(papers[index]["name"]))


def attach(store: Store, actor: Actor, req: AttachRequest, *, at: datetime | None = None) -> AttachResult:
    """Digitise one paper (or the result) from files: see the module docstring for the order of work."""
    if req.exemption is not None:
        return exempt(store, actor, req.ref, req.paper_no, req.exemption, at=at)
    with store.read() as s:
        _target(s, req.ref, req.result, req.paper_no)  # refuse a wrong code or paper before the work
    declared = dg.validate_declared(req.declared_pages)
    # Each page is cleaned and compressed as soon as it is read, so that a 50-page batch never holds
    # more than one page's pixels (≈ 9 MB at 300 dpi) at a time.
    images: dict[str, imaging.RawPage | imaging.CleanPage] = {}
    for f in req.files:
        for raw in imaging.iter_file(f):
            n = len(images)
            images[str(n)] = imaging.clean_page(raw, req.rotations.get(n + 1, 0))
            del raw
    pages = dg.PageSet().add(list(images))
    for page_no, quarter_turns in req.rotations.items():
        pages = pages.rotate(page_no - 1, quarter_turns)
    for page_no, note_file in req.notes:
        note_page = next(iter(imaging.iter_file(note_file)))
        key = f"note-{page_no}"
        images[key] = imaging.clean_page(note_page, req.rotations.get(page_no, 0))
        pages = pages.add_note_image(page_no - 1, key)
    return attach_pages(
        store,
        actor,
        req.ref,
        req.paper_no,
        pages,
        images,
        declared=declared,
        result=req.result,
        source=req.source,
        at=at,
    )


def attach_pages(
    store: Store,
    actor: Actor,
    ref: str,
    paper_no: int,
    pages: dg.PageSet,
    images: Mapping[str, imaging.RawPage | imaging.CleanPage],
    *,
    declared: int | None = None,
    result: bool = False,
    source: str = "file",
    at: datetime | None = None,
) -> AttachResult:
    """Store an edited page set (the digitising panel's, a scanner's) as the paper's one PDF. An image
    given already cleaned (a ``CleanPage``, its page's rotation applied) is taken as it is."""
    with store.read() as s:
        target = _target(s, ref, result, paper_no)
    dg.check_page_count(target.name, declared, len(pages))
    prepared = prepare_pages(pages, images, title=f"{target.code or ''} {target.name}".strip())
    return attach_prepared(
        store, actor, ref, paper_no, prepared, declared=declared, result=result, source=source, at=at
    )


@dataclass(frozen=True)
class Prepared:
    """A page set cleaned and compressed into its one PDF, not stored yet (the window does this on its
    digitising lane, then stores it on the database lane with :func:`attach_prepared`)."""

    pdf: bytes
    page_count: int
    page_rows: tuple[dict[str, Any], ...]

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(str(r["mode"]) for r in self.page_rows)


def prepare_pages(
    pages: dg.PageSet,
    images: Mapping[str, imaging.RawPage | imaging.CleanPage],
    *,
    title: str = "",
    clean: Callable[[imaging.RawPage, int], imaging.CleanPage] = imaging.clean_page,
    assemble: Callable[[Sequence[imaging.CleanPage], str], tuple[bytes, list[str]]] = imaging.assemble,
) -> Prepared:
    """Clean and compress every image of the set (two for a page with a sticky note) into one PDF, with
    each page's SHA-256 (no file, no database: CPU only). ``clean`` cleans one page and ``assemble`` makes
    the PDF and its page hashes (the window's panel does both in a child process:
    ``app.services.digitise_panel``)."""
    cleaned: list[imaging.CleanPage] = []
    page_rows: list[dict[str, Any]] = []
    for number, page in enumerate(pages.pages, start=1):
        for key, is_note in ((page.image, False), (page.note_image, True)):
            if key is None:
                continue
            item = images[key]
            c = item if isinstance(item, imaging.CleanPage) else clean(item, page.rotation)
            cleaned.append(c)
            page_rows.append({"page": number, "note": is_note, "mode": c.mode, "dpi": c.dpi})
    pdf, hashes = assemble(cleaned, title)
    for page_row, digest in zip(page_rows, hashes, strict=True):
        page_row["sha256"] = digest
    return Prepared(pdf, len(pages), tuple(page_rows))


def attach_prepared(
    store: Store,
    actor: Actor,
    ref: str,
    paper_no: int,
    prepared: Prepared,
    *,
    declared: int | None = None,
    result: bool = False,
    source: str = "file",
    at: datetime | None = None,
) -> AttachResult:
    """Write a prepared paper's PDF to the file store, then its row, event and audit entry in one
    transaction (the order of the module docstring); the declared count is checked again here."""
    with store.read() as s:
        target = _target(s, ref, result, paper_no)
    dg.check_page_count(target.name, declared, prepared.page_count)
    stored = _put(store, prepared.pdf)
    at = (at or datetime.now()).replace(microsecond=0)
    try:
        row = _record(
            store,
            actor,
            ref,
            target,
            at,
            declared=declared,
            page_count=prepared.page_count,
            page_rows=[dict(r) for r in prepared.page_rows],
            sha256=stored.sha256,
            size=stored.size,
            exemption=None,
            source=source,
        )
    except (StoreError, DomainError):
        _forget(store, stored)
        raise
    return AttachResult(
        target.code,
        target.kind,
        target.paper_no,
        target.name,
        prepared.page_count,
        len(prepared.page_rows),
        stored.sha256,
        stored.size,
        None,
        row,
        prepared.modes,
    )


def _put(store: Store, data: bytes) -> Stored:
    """The file written durably, or the disk's failure (full, read-only…) explained to the operator."""
    blobs = blob_store(store)
    try:
        return blobs.put(data)
    except OSError as exc:
        problem = environment_problem(exc, blobs.root)
        if problem is None:
            raise
        raise StoreError(problem) from exc


def _forget(store: Store, stored: Stored) -> None:
    """The rows of a file this call wrote were not committed (a full disk, a refusal): the file goes too,
    unless some row references it (the same pages stored meanwhile for another paper) or it was there
    before. Reads still work on a full disk; if this fails, the sweep removes the file later."""
    if not stored.new:
        return
    try:
        with store.read() as s:
            if stored.sha256 in referenced_hashes(s):
                return
        blob_store(store).discard(stored.sha256)
    except (StoreError, OSError) as exc:
        log.info("file %s left for the sweep: %s", stored.sha256, exc)


def exempt(
    store: Store, actor: Actor, ref: str, paper_no: int, reason: str, *, at: datetime | None = None
) -> AttachResult:
    """Record that a paper needs no copy (TT 03/2025 Art. 5.2), with its reason, instead of pages."""
    why = dg.parse_exemption(reason)
    with store.read() as s:
        target = _target(s, ref, False, paper_no)
    at = (at or datetime.now()).replace(microsecond=0)
    event_id = _record(
        store,
        actor,
        ref,
        target,
        at,
        declared=None,
        page_count=0,
        page_rows=[],
        sha256=None,
        size=0,
        exemption=why.value,
        source="exemption",
    )
    return AttachResult(
        target.code, target.kind, target.paper_no, target.name, 0, 0, None, 0, why.value, event_id
    )


def _files_event(
    event_id: str,
    dossier_id: str,
    seq: int,
    at: datetime,
    payload: dict[str, Any],
    operator: str | None,
    workstation: str | None,
) -> OutboxEntry:
    """The outbox row of a ``dossier.files`` event (its envelope as the sync engine sends it); the operator
    and workstation are left out of the envelope when unknown."""
    envelope: dict[str, Any] = {
        "event_id": event_id,
        "dossier_id": dossier_id,
        "seq": seq,
        "type": EVENT_TYPE,
        "occurred_at": at.isoformat(),
    }
    if operator is not None:
        envelope["operator"] = operator
    if workstation is not None:
        envelope["workstation"] = workstation
    envelope["payload"] = payload
    return OutboxEntry(
        event_id=event_id,
        dossier_id=dossier_id,
        event_type=EVENT_TYPE,
        created_at=at,
        state="pending",
        payload=envelope,
    )


def _record(
    store: Store,
    actor: Actor,
    ref: str,
    target: _Target,
    at: datetime,
    *,
    declared: int | None,
    page_count: int,
    page_rows: list[dict[str, Any]],
    sha256: str | None,
    size: int,
    exemption: str | None,
    source: str,
    reused_from: int | None = None,
    ocr_state: str | None = None,
) -> str:
    """The row, the outbox event and the audit entry: one write transaction."""
    event_id = str(uuid.uuid4())
    with store.write() as s:
        d = find_dossier(s, ref)
        if d.id != target.dossier_id:  # pragma: no cover - a code does not move between dossiers
            raise DomainError(Problem("dossier.unknown", "Hồ sơ đã thay đổi.", "The dossier changed."))
        s.execute(
            update(DossierFile)
            .where(
                DossierFile.dossier_id == d.id,
                DossierFile.kind == target.kind,
                DossierFile.paper_no == target.paper_no,
                DossierFile.replaced_at.is_(None),
            )
            .values(replaced_at=at)
        )
        s.add(
            DossierFile(
                dossier_id=d.id,
                kind=target.kind,
                paper_no=target.paper_no,
                name=target.name,
                declared_pages=declared,
                page_count=page_count,
                image_count=len(page_rows),
                pages=page_rows,
                sha256=sha256,
                original_sha256=sha256,
                size=size,
                media_type="application/pdf",
                exemption=exemption,
                source=source,
                reused_from=reused_from,
                ocr_state=ocr_state or (dg.OcrState.NONE.value if exemption else dg.OcrState.PENDING.value),
                upload_state=dg.UploadState.PENDING.value,
                last_error="",
                event_id=event_id,
                operator_name=actor.operator,
                created_at=at,
                replaced_at=None,
            )
        )
        payload = {
            "kind": target.kind,
            "paper_no": target.paper_no,
            "name": target.name,
            "declared_pages": declared,
            "page_count": page_count,
            "image_count": len(page_rows),
            "pages": page_rows,
            "sha256": sha256,
            "size": size,
            "media_type": "application/pdf",
            "exemption": exemption,
            "reused": reused_from is not None,
        }
        s.add(_files_event(event_id, d.id, len(d.events) + 1, at, payload, actor.operator, actor.workstation))
        audit.append(
            s,
            actor,
            "dossier.exempt_paper"
            if exemption
            else "dossier.reuse_paper"
            if reused_from is not None
            else f"dossier.attach_{target.kind}",
            "dossier",
            d.id,
            {
                "code": d.code,
                "paper_no": target.paper_no,
                "pages": page_count,
                "sha256": sha256,
                "exemption": exemption,
            },
            at=at,
            outbox=(event_id,),
        )
    return event_id


# --- reuse ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reusable:
    """A paper this desk already holds for a citizen, offered for reuse in a new dossier."""

    file_id: int
    dossier_code: str | None
    paper_no: int
    name: str
    pages: int
    sha256: str
    created_at: datetime


def reusable_papers(store: Store, personal_id: str) -> list[Reusable]:
    """The current digitised papers of the citizen's dossiers whose files are here (newest first)."""
    from app.models import Applicant

    blobs = blob_store(store)
    with store.read() as s:
        rows = s.execute(
            select(DossierFile, Dossier.code)
            .join(Dossier, Dossier.id == DossierFile.dossier_id)
            .join(Applicant, Applicant.id == Dossier.applicant_id)
            .where(
                Applicant.personal_id == personal_id.strip(),
                DossierFile.kind == "paper",
                DossierFile.sha256.is_not(None),
                DossierFile.replaced_at.is_(None),
            )
            .order_by(DossierFile.created_at.desc(), DossierFile.id.desc())
        ).all()
    out: list[Reusable] = []
    seen: set[str] = set()
    for r, code in rows:
        if r.sha256 in seen or not blobs.exists(r.sha256):
            continue
        seen.add(r.sha256)
        out.append(Reusable(r.id, code, r.paper_no, r.name, r.page_count, r.sha256, r.created_at))
    return out


def reuse(
    store: Store, actor: Actor, ref: str, paper_no: int, file_id: int, *, at: datetime | None = None
) -> AttachResult:
    """Link a paper digitised for another dossier of the same citizen as paper ``paper_no`` of this one:
    the same file (nothing copied), marked reused, with its own event."""
    with store.read() as s:
        target = _target(s, ref, False, paper_no)
        src = s.get(DossierFile, file_id)
        here = find_dossier(s, ref)
        source_dossier = s.get(Dossier, src.dossier_id) if src is not None else None
        if (
            src is None
            or src.sha256 is None
            or source_dossier is None
            or source_dossier.applicant.personal_id is None
            or source_dossier.applicant.personal_id != here.applicant.personal_id
        ):
            raise DomainError(
                Problem(
                    "digitise.reuse",
                    "Chỉ dùng lại được giấy tờ đã số hóa của chính công dân này (cùng số định danh).",
                    "Only a paper already digitised for this same citizen (same personal ID) can be reused.",
                    "reuse",
                )
            )
        pages, sha256, size, declared = list(src.pages), src.sha256, src.size, src.declared_pages
        page_count, ocr_state = src.page_count, src.ocr_state
    if not blob_store(store).exists(sha256):
        raise DomainError(_file_fault(target.code, target.name, sha256))
    at = (at or datetime.now()).replace(microsecond=0)
    event_id = _record(
        store,
        actor,
        ref,
        target,
        at,
        declared=declared,
        page_count=page_count,
        page_rows=pages,
        sha256=sha256,
        size=size,
        exemption=None,
        source="reuse",
        reused_from=file_id,
        ocr_state=ocr_state,
    )
    return AttachResult(
        target.code,
        target.kind,
        target.paper_no,
        target.name,
        page_count,
        len(pages),
        sha256,
        size,
        None,
        event_id,
    )


# --- list and export ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperFiles:
    kind: str
    paper_no: int
    name: str
    form: str
    declared_pages: int | None
    pages: int
    images: int
    size: int
    sha256: str | None
    ocr_state: str
    upload_state: str
    exemption: str | None
    created_at: datetime | None
    page_hashes: tuple[str, ...] = ()
    media_type: str = ""
    reused: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "paper": self.paper_no,
            "name": self.name,
            "form": self.form,
            "declared_pages": self.declared_pages,
            "pages": self.pages,
            "images": self.images,
            "bytes": self.size,
            "sha256": self.sha256,
            "ocr_state": self.ocr_state,
            "upload_state": self.upload_state,
            "exemption": self.exemption,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "page_sha256": list(self.page_hashes),
            "media_type": self.media_type or None,
            "reused": self.reused,
        }


@dataclass(frozen=True)
class DossierFiles:
    dossier_id: str
    code: str | None
    papers: tuple[PaperFiles, ...]


def _current(s: Session, dossier_id: str) -> dict[tuple[str, int], DossierFile]:
    rows = s.scalars(
        select(DossierFile).where(DossierFile.dossier_id == dossier_id, DossierFile.replaced_at.is_(None))
    )
    return {(r.kind, r.paper_no): r for r in rows}


def _paper(kind: str, no: int, name: str, form: str, r: DossierFile | None) -> PaperFiles:
    if r is None:
        return PaperFiles(kind, no, name, form, None, 0, 0, 0, None, "none", "none", None, None)
    return PaperFiles(
        kind,
        no,
        name,
        form,
        r.declared_pages,
        r.page_count,
        r.image_count,
        r.size,
        r.sha256,
        r.ocr_state,
        r.upload_state,
        r.exemption,
        r.created_at,
        tuple(p["sha256"] for p in r.pages),
        r.media_type if r.sha256 else "",
        r.reused_from is not None,
    )


def dossier_files(store: Store, ref: str) -> DossierFiles:
    """Every paper of the dossier's checklist (digitised, exempt or not yet), then the result if any."""
    with store.read() as s:
        d = find_dossier(s, ref)
        current = _current(s, d.id)
        papers = [
            _paper("paper", i, str(p["name"]), str(p.get("form", "")), current.get(("paper", i)))
            for i, p in enumerate(d.papers_received, start=1)
        ]
        result = current.get(("result", 0))
        if result is not None:
            papers.append(_paper("result", 0, result.name, "", result))
        return DossierFiles(d.id, d.code, tuple(papers))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")[:60] or "giay-to"


def export(store: Store, ref: str, dest: Path) -> list[Path]:
    """Copy the dossier's current files to ``dest`` (``01-to-khai.pdf`` …, ``ket-qua.pdf``), each checked
    against its SHA-256 first."""
    listing = dossier_files(store, ref)
    blobs = blob_store(store)
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for p in listing.papers:
        if p.sha256 is None:
            continue
        try:
            data = blobs.read(p.sha256)
        except (OSError, ValueError):
            raise DomainError(_file_fault(listing.code, p.name, p.sha256)) from None
        name = "ket-qua.pdf" if p.kind == "result" else f"{p.paper_no:02d}-{_slug(p.name)}.pdf"
        out = dest / name
        tmp = out.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(out)
        written.append(out)
    return written


def _file_fault(code: str | None, name: str, sha256: str) -> Problem:
    return Problem(
        "digitise.file_damaged",
        f"Tệp của giấy tờ «{name}» (hồ sơ {code}) bị thiếu hoặc hỏng ({sha256[:12]}…): chạy «db check».",
        f"The file of {name!r} (dossier {code}) is missing or damaged ({sha256[:12]}…): run 'db check'.",
    )


# --- OCR in the background --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrReport:
    done: int
    failed: int
    left: int
    unavailable: str | None = None


def pending_ocr_count(store: Store) -> int:
    with store.read() as s:
        return len(
            s.scalars(
                select(DossierFile.id).where(
                    DossierFile.ocr_state == "pending", DossierFile.replaced_at.is_(None)
                )
            ).all()
        )


def run_ocr(
    store: Store,
    limit: int | None = None,
    cancel: threading.Event | None = None,
    page_hashes: Callable[[bytes], list[str]] = imaging.page_hashes,
) -> OcrReport:
    """Recognise the text of pending files, one at a time, oldest first (never inside a transaction:
    a file takes seconds). Each result is stored, then its row switched in a short transaction, only if
    the row still holds the file that was read (:func:`_switch_to_text_layer`: with a new event when the
    paper's event was already pushed) and its pages' ``page_hashes`` are the row's (the window reads them
    in its cleaning child: ``app.services.digitise_panel.page_hashes_in_child``)."""
    from app.digitise import ocr

    missing = ocr.available()
    with store.read() as s:
        jobs = s.execute(
            select(DossierFile.id, DossierFile.sha256, DossierFile.name, DossierFile.pages)
            .where(DossierFile.ocr_state == "pending", DossierFile.replaced_at.is_(None))
            .order_by(DossierFile.id)
        ).all()
    if missing is not None:
        return OcrReport(0, 0, len(jobs), missing)
    blobs = blob_store(store)
    done = failed = 0
    for n, (row_id, sha256, name, pages) in enumerate(jobs):
        if limit is not None and n >= limit:
            break
        try:
            text_pdf = ocr.ocr_pdf(blobs.read(sha256), title=name, cancel=cancel)
        except (ocr.OcrError, OSError, ValueError) as exc:
            if cancel is not None and cancel.is_set():
                break  # stopped (the desk is closing): the file stays pending
            log.info("OCR failed for file row %s: %s", row_id, exc)
            _ocr_failed(store, row_id, sha256, str(exc))
            failed += 1
            continue
        if page_hashes(text_pdf) != [str(p["sha256"]) for p in pages]:
            # The text layer is added under the page images, never in their place: a file whose images
            # changed is not the same paper's pages (nor what its event declared).
            _ocr_failed(store, row_id, sha256, "OCR changed the page images (page SHA-256 differ)")
            failed += 1
            continue
        stored = _put(store, text_pdf)
        with store.write() as s:
            _switch_to_text_layer(s, row_id, sha256, stored)
        done += 1
    return OcrReport(done, failed, len(jobs) - done - failed)


def _ocr_failed(store: Store, row_id: int, sha256: str, error: str) -> None:
    with store.write() as s:
        s.execute(
            update(DossierFile)
            .where(DossierFile.id == row_id, DossierFile.sha256 == sha256)
            .values(ocr_state=dg.OcrState.FAILED.value, last_error=error[:500])
        )


def _switch_to_text_layer(s: Session, row_id: int, old_sha256: str, stored: Stored) -> None:
    """In one write transaction, the paper's file becomes OCR's PDF/A (only if the row still holds the
    file that was read and still waits for OCR: one switch, and at most one event, per recognition).

    - Its ``dossier.files`` event still waits in the outbox, never tried: the row and the event name the
      PDF/A (the server accepts only a file an event names), which then travels instead of the image-only
      PDF.
    - The event was pushed, or a push of it began (the sync engine counts the attempt in the transaction
      that reads the batch, before sending it: in flight, or tried with the answer lost, the server may
      hold it, and an event is never changed once sent): the row is kept as it was, marked replaced,
      and a new row with a new ``dossier.files`` event (same paper, same pages and page hashes, the
      PDF/A's SHA-256 and size, ``text_layer_of`` = the image-only PDF) takes its place: the PDF/A is
      uploaded after that event, and the desks the dossier is forwarded to switch to it from the change
      feed. The image-only PDF is then not uploaded (the PDF/A holds the same page images).
    - A row replaced meanwhile by a newer page set is switched here only (an event for it would make the
      old set current again elsewhere)."""
    row = s.get(DossierFile, row_id)
    if row is None or row.sha256 != old_sha256 or row.ocr_state != dg.OcrState.PENDING.value:
        return
    entry = s.scalar(select(OutboxEntry).where(OutboxEntry.event_id == row.event_id))
    inner = dict(entry.payload.get("payload", {})) if entry is not None else {}
    pushed = (
        entry is not None
        and (entry.state != "pending" or entry.attempts > 0)
        and inner.get("sha256") == old_sha256
        and row.replaced_at is None
        and row.source != "server"
    )
    if not pushed:
        row.sha256, row.size = stored.sha256, stored.size
        row.ocr_state, row.last_error = dg.OcrState.DONE.value, ""
        if entry is not None and entry.state == "pending" and inner.get("sha256") == old_sha256:
            entry.payload = {
                **entry.payload,
                "payload": {**inner, "sha256": stored.sha256, "size": stored.size},
            }
        return
    assert entry is not None
    at = datetime.now().replace(microsecond=0)
    event_id = str(uuid.uuid4())
    row.ocr_state, row.last_error = dg.OcrState.DONE.value, ""
    row.upload_state = dg.UploadState.NONE.value  # its text-layer version is sent instead
    row.replaced_at = at
    s.add(
        DossierFile(
            dossier_id=row.dossier_id,
            kind=row.kind,
            paper_no=row.paper_no,
            name=row.name,
            declared_pages=row.declared_pages,
            page_count=row.page_count,
            image_count=row.image_count,
            pages=list(row.pages),
            sha256=stored.sha256,
            original_sha256=old_sha256,
            size=stored.size,
            media_type=row.media_type,
            exemption=None,
            source=row.source,
            reused_from=row.reused_from,
            ocr_state=dg.OcrState.DONE.value,
            upload_state=dg.UploadState.PENDING.value,
            last_error="",
            event_id=event_id,
            operator_name=row.operator_name,
            created_at=at,
            replaced_at=None,
        )
    )
    payload = {**inner, "sha256": stored.sha256, "size": stored.size, "text_layer_of": old_sha256}
    d = s.get(Dossier, row.dossier_id)
    actor = Actor("ocr", str(entry.payload.get("workstation", "")))
    s.add(
        _files_event(
            event_id,
            row.dossier_id,
            (len(d.events) if d is not None else 0) + 1,
            at,
            payload,
            entry.payload.get("operator"),
            entry.payload.get("workstation"),
        )
    )
    audit.append(
        s,
        actor,
        "dossier.text_layer",
        "dossier",
        row.dossier_id,
        {
            "code": d.code if d is not None else None,
            "paper_no": row.paper_no,
            "sha256": stored.sha256,
            "text_layer_of": old_sha256,
        },
        at=at,
        outbox=(event_id,),
    )


# --- checks ---------------------------------------------------------------------------------------------


def referenced_hashes(s: Session) -> set[str]:
    out: set[str] = set()
    for a, b in s.execute(select(DossierFile.sha256, DossierFile.original_sha256)):
        out.update(h for h in (a, b) if h)
    return out


@dataclass(frozen=True)
class FileProblem:
    sha256: str
    problem: str  # "missing" | "damaged"
    where: tuple[str, ...]  # "CODE paper N (name)"


def check_files(store: Store) -> list[FileProblem]:
    """Every file a row references (current, replaced, the image-only originals): present, with the
    content its SHA-256 names. Used by ``db check``."""
    blobs = blob_store(store)
    with store.read() as s:
        hashes = referenced_hashes(s)
        # A paper digitised at another commune is fetched on demand: not missing before that.
        remote_only = set(
            s.scalars(
                select(DossierFile.sha256).where(
                    DossierFile.source == "server", DossierFile.sha256.is_not(None)
                )
            )
        ) - set(
            s.scalars(
                select(DossierFile.sha256).where(
                    DossierFile.source != "server", DossierFile.sha256.is_not(None)
                )
            )
        )
        hashes -= {h for h in remote_only if h and not blobs.exists(h)}
        faults: list[FileFault] = blobs.verify(hashes)
        if not faults:
            return []
        bad = {f.sha256 for f in faults}
        where: dict[str, list[str]] = {}
        rows = s.execute(
            select(
                Dossier.code,
                DossierFile.paper_no,
                DossierFile.name,
                DossierFile.sha256,
                DossierFile.original_sha256,
            ).join(Dossier, Dossier.id == DossierFile.dossier_id)
        )
        for code, paper_no, name, a, b in rows:
            for h in {a, b} & bad:
                where.setdefault(h, []).append(f"{code} #{paper_no} ({name})")
    return [FileProblem(f.sha256, f.problem, tuple(where.get(f.sha256, ()))) for f in faults]


def sweep(store: Store, grace_s: float | None = None) -> list[str]:
    """Remove files no row references (left by a crash between writing a file and committing its row)
    and stale temp files, older than the grace period."""
    from app.digitise.blobs import SWEEP_GRACE_S

    with store.read() as s:
        keep = referenced_hashes(s)
    return blob_store(store).sweep(keep, SWEEP_GRACE_S if grace_s is None else grace_s)


class OcrWorker:
    """Text recognition in the background of the window: a daemon thread that recognises pending files
    one at a time (each in a child process), woken after an attach and every ``interval`` seconds. Stopping
    it kills a recognition in progress; that file stays pending for the next start."""

    def __init__(
        self,
        store: Store,
        interval: float = 30.0,
        page_hashes: Callable[[bytes], list[str]] = imaging.page_hashes,
    ) -> None:
        self.store = store
        self.interval = interval
        self.page_hashes = page_hashes
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.done = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ocr", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = run_ocr(self.store, limit=1, cancel=self._stop, page_hashes=self.page_hashes)
            except Exception:  # the disk, the database: logged, tried again later
                log.exception("background OCR failed")
                report = OcrReport(0, 0, 0)
            self.done += report.done
            if report.unavailable is not None or report.left == 0:  # nothing more now: sleep until woken
                self._wake.wait(self.interval)
                self._wake.clear()
