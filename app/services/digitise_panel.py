"""The window's digitising panel (issue 19, item 8), as use cases: pages from the scanner or from files,
their thumbnails, a paper's set cleaned and compressed into its PDF, papers stored, a stored file read for
the viewer, and the intake that records the dossier, then its papers, then prints the receipt.

Which lane runs what (``app.ui.lanes``): scanning, reading files, thumbnails and :func:`prepare` are CPU or
device work with no database (the digitising lane); each page is cleaned and compressed in a child
process as soon as it is read (:func:`_in_child` says why), and the panel holds only that (about 50 KB a
page, not its ≈ 9 MB of pixels); :func:`prepare_papers` turns the pages the operator rotated and makes
each paper's PDF and its page hashes there too (img2pdf, pikepdf and NumPy never enter the window's
process: ``tests/digitise/test_window_imports.py``); storing (:func:`store_papers`,
:func:`receive_store_and_print`) writes the store (the database lane). Each paper is written by
``app.services.files`` — its PDF first, then its row with the ``dossier.files`` event that adds it, in one
transaction — so a crash leaves a paper's whole page set or none of it.

At intake the dossier does not exist until it is received, and a paper can only be attached to a dossier
whose checklist names it: :func:`receive_store_and_print` checks every paper's page count first (a
mismatch refuses the whole save and records nothing), receives the dossier, then stores each paper (one
transaction each), then prints the receipt, which marks the papers digitised. If storing a paper fails
after the dossier was received (a full disk), the dossier stays received and the outcome says which
papers to digitise again from the dossier screen.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import ParamSpec, TypeVar

from app.allocator import tune_allocator
from app.digitise import imaging, sources
from app.domain import digitise as dg
from app.domain.errors import DomainError, Problem
from app.models.db import Store
from app.services import files as svc
from app.services.audit import Actor
from app.services.dossiers import ReceiveRequest, receive
from app.services.drafts import INTAKE, clear_draft
from app.services.intake import IntakeOutcome, print_receipt

log = logging.getLogger(__name__)

#: A thumbnail's box in pixels (an A4 page is drawn 85×120).
THUMB_BOX = (85, 120)


@dataclass(frozen=True)
class LoadedPage:
    """A page as the panel holds it: cleaned and compressed as soon as it was read (as read, unturned:
    the operator's quarter turns are applied when the paper is stored, :func:`prepare`) and a small PNG
    for its thumbnail, made from the cleaned page. About 40-60 KB a page, where its raw pixels are
    ≈ 9 MB at 300 dpi: a 50-page feeder stays within the issue's memory bound
    (``bench/bench_batch_memory.py --panel``)."""

    page: imaging.CleanPage
    thumbnail: bytes


def _loaded(raws: Iterable[imaging.RawPage]) -> list[LoadedPage]:
    out = []
    for raw in raws:
        page, thumb = _in_child(imaging.clean_with_thumbnail, raw, THUMB_BOX)
        del raw  # the next page's pixels are read only once this one's are gone
        out.append(LoadedPage(page, thumb))
    return out


def scan_pages(device: str | None, *, feeder: bool, resolution: int) -> list[LoadedPage]:
    """Scan one page (flatbed) or the whole feeder, each sheet cleaned (in the child process) while the
    scanner reads the next."""
    return _loaded(sources.scan_pages(device, feeder=feeder, resolution=resolution))


def load_files(paths: Sequence[Path]) -> list[LoadedPage]:
    """Every page of the files chosen or dropped (PNG, JPEG, TIFF, PDF), in order: each file read and its
    pages cleaned in the child process (a file's decoded pixels, ≈ 9 MB a page, never enter this one)."""
    out: list[LoadedPage] = []
    for path in paths:
        for page, thumb in _in_child(imaging.clean_file_with_thumbnails, path, THUMB_BOX):
            out.append(LoadedPage(page, thumb))
    return out


def scanners() -> list[sources.Device]:
    """The scanners found; none (and no error) when there is no scanner driver on this machine."""
    try:
        return sources.list_devices()
    except DomainError:
        return []


def prepare(
    name: str,
    pages: dg.PageSet,
    images: Mapping[str, imaging.CleanPage],
    declared: int | None,
    *,
    rotate: Callable[[imaging.CleanPage, int], imaging.CleanPage] = imaging.rotate_clean,
    assemble: Callable[[Sequence[imaging.CleanPage], str], tuple[bytes, list[str]]] = imaging.assemble,
) -> svc.Prepared:
    """The declared count checked (a mismatch is refused with its message), then each page turned as the
    operator asked (the same bytes as cleaning it with its rotation: :func:`imaging.clean_page`) and the
    set put into its PDF (``assemble``)."""
    dg.check_page_count(name, dg.validate_declared(declared), len(pages))
    turned: dict[str, imaging.RawPage | imaging.CleanPage] = {}
    for page in pages.pages:
        for key in (page.image, page.note_image):
            if key is not None:
                turned[key] = rotate(images[key], page.rotation)
    return svc.prepare_pages(pages, turned, title=name, assemble=assemble)


#: One paper to prepare: (paper number, name, pages, declared count, exemption, paper reused).
PaperRow = tuple[int, str, dg.PageSet, int | None, str | None, int | None]


def _child_init() -> None:
    tune_allocator()  # each page's pixels freed back to the system (app/allocator.py)
    if hasattr(os, "nice"):
        os.nice(5)  # the counter's window first when the two cores are busy


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _in_child(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``fn`` (a function of :mod:`app.digitise.imaging`) run in a child process (one, kept for the next
    pages; started with ``spawn``, as on Windows), one page per call.

    Why not in the lane's thread: Pillow's CCITT G4 encoder (libtiff) and its JPEG encoder keep Python's
    GIL for a whole page, about 100 ms for an A4 page at 300 dpi, and the GUI thread cannot run meanwhile
    (``bench/bench_gui.py --digitise`` measured stalls of 60-80 ms). One page per call, because the
    arguments are pickled holding the GIL too (a few ms for a page; 50-100 ms for a whole feeder). The
    child runs at a lower priority and imports only the imaging module. If it dies (killed, out of
    memory), the pool is made again and the page is done here."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_child_init
            )
        pool = _pool
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except BrokenProcessPool as exc:
        log.warning("the compression process died (%s); compressing in this process", exc)
        with _pool_lock:
            if _pool is pool:
                _pool = None
        pool.shutdown(wait=False)
        return fn(*args, **kwargs)


def clean_in_child(raw: imaging.RawPage, rotation: int) -> imaging.CleanPage:
    """:func:`app.digitise.imaging.clean_page` in the child process (:func:`_in_child`)."""
    return _in_child(imaging.clean_page, raw, rotation)


def rotate_in_child(page: imaging.CleanPage, rotation: int) -> imaging.CleanPage:
    """:func:`app.digitise.imaging.rotate_clean` in the child process (a turned page is encoded again)."""
    if rotation % 4 == 0:
        return page
    return _in_child(imaging.rotate_clean, page, rotation)


def assemble_in_child(pages: Sequence[imaging.CleanPage], title: str) -> tuple[bytes, list[str]]:
    """:func:`app.digitise.imaging.assemble` in the child process: img2pdf and pikepdf (16 MB resident)
    are never imported by the window's process."""
    return _in_child(imaging.assemble, pages, title)


def page_hashes_in_child(pdf: bytes) -> list[str]:
    """:func:`app.digitise.imaging.page_hashes` in the child process (the window's OCR worker checks the
    recognised PDF's pages with it; pikepdf stays out of the window's process)."""
    return _in_child(imaging.page_hashes, pdf)


def stop_compression() -> None:
    """The child process ended (the window closes; it would also end with the interpreter)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def prepare_papers(rows: Sequence[PaperRow], images: Mapping[str, imaging.CleanPage]) -> list[PanelPaper]:
    """Every paper's pages (cleaned when they were read) turned as asked (in the child process of
    :func:`_in_child`) and put into its PDF there; an exempt or reused paper has none."""
    out = []
    for paper_no, name, pages, declared, exemption, reuse_id in rows:
        prepared = None
        if exemption is None and reuse_id is None:
            prepared = prepare(
                name, pages, images, declared, rotate=rotate_in_child, assemble=assemble_in_child
            )
        out.append(PanelPaper(paper_no, name, prepared, declared, exemption, reuse_id))
    return out


@dataclass(frozen=True)
class PanelPaper:
    """What the panel hands over for one paper of the dossier's checklist (1-based ``paper_no``):
    prepared pages, an exemption (TT 03/2025 Art. 5.2) or a paper to reuse (a ``dossier_files`` id)."""

    paper_no: int
    name: str
    prepared: svc.Prepared | None = None
    declared: int | None = None
    exemption: str | None = None
    reuse_file_id: int | None = None
    source: str = "scanner"


def check_papers(papers: Sequence[PanelPaper]) -> None:
    """Every paper's count and exemption, before anything is recorded."""
    problems: list[Problem] = []
    for p in papers:
        try:
            if p.exemption is not None:
                dg.parse_exemption(p.exemption)
            elif p.prepared is not None:
                dg.check_page_count(p.name, p.declared, p.prepared.page_count)
            elif p.reuse_file_id is None:
                dg.check_page_count(p.name, p.declared, 0)
        except DomainError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DomainError(problems)


def store_paper(store: Store, actor: Actor, ref: str, paper: PanelPaper) -> svc.AttachResult:
    """One paper stored (its own transaction with its event)."""
    if paper.exemption is not None:
        return svc.exempt(store, actor, ref, paper.paper_no, paper.exemption)
    if paper.reuse_file_id is not None:
        return svc.reuse(store, actor, ref, paper.paper_no, paper.reuse_file_id)
    if paper.prepared is None:
        raise DomainError(
            Problem(
                "digitise.no_pages",
                f"Giấy tờ «{paper.name}» chưa có trang nào được số hóa.",
                f"No page of {paper.name!r} has been digitised.",
                "pages",
            )
        )
    return svc.attach_prepared(
        store, actor, ref, paper.paper_no, paper.prepared, declared=paper.declared, source=paper.source
    )


def store_papers(
    store: Store, actor: Actor, ref: str, papers: Sequence[PanelPaper]
) -> list[svc.AttachResult]:
    check_papers(papers)
    return [store_paper(store, actor, ref, p) for p in papers]


@dataclass(frozen=True)
class DigitisedIntake:
    outcome: IntakeOutcome
    stored: tuple[svc.AttachResult, ...] = ()
    #: Why some papers were not stored (the dossier was received): digitise them from the dossier screen.
    papers_error: BaseException | None = None
    not_stored: tuple[str, ...] = field(default=())


def receive_store_and_print(
    store: Store, actor: Actor, req: ReceiveRequest, form: str, papers: Sequence[PanelPaper]
) -> DigitisedIntake:
    """Intake with the panel's papers: see the module docstring for the order."""
    check_papers(papers)
    result = receive(store, actor, req)
    clear_draft(store, INTAKE)
    stored: list[svc.AttachResult] = []
    error: BaseException | None = None
    for i, p in enumerate(papers):
        try:
            stored.append(store_paper(store, actor, result.dossier_id, p))
        except Exception as exc:  # the dossier is received; these papers are digitised again later
            if not isinstance(exc, DomainError):
                log.exception("paper %s of %s not stored", p.paper_no, result.code)
            error = exc
            not_stored = tuple(x.name for x in papers[i:])
            break
    else:
        not_stored = ()
    outcome = print_receipt(store, actor, result, form)
    return DigitisedIntake(outcome, tuple(stored), error, not_stored)


def read_file(store: Store, sha256: str) -> bytes:
    """A stored file's bytes, checked against its SHA-256 (for the viewer)."""
    if not dg.is_sha256(sha256):
        raise DomainError(Problem("digitise.sha256", "Mã tệp không hợp lệ.", "Invalid file hash."))
    try:
        return svc.blob_store(store).read(sha256)
    except (OSError, ValueError):
        raise DomainError(
            Problem(
                "digitise.file_damaged",
                f"Tệp {sha256[:12]}… bị thiếu hoặc hỏng: chạy «db check».",
                f"The file {sha256[:12]}… is missing or damaged: run 'db check'.",
            )
        ) from None
