"""Text recognition in the background (Tesseract `vie` through OCRmyPDF): the stored page stays as
legible as the scan, the file becomes PDF/A-2b with a text layer, the page images are untouched."""

from __future__ import annotations

import io
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from digitise_helpers import ACTOR, receive

from app.digitise import imaging, ocr, samples
from app.digitise.blobs import BlobStore
from app.models.db import Store
from app.services import files as svc
from app.services.health import check_database

pytestmark = pytest.mark.skipif(ocr.available() is not None, reason=f"OCR cannot run: {ocr.available()}")


def words(text: str) -> Counter[str]:
    return Counter(
        w.strip(".,:;()-–«»\"'").lower() for w in text.split() if len(w.strip(".,:;()-–«»\"'")) > 1
    )


def test_stored_page_is_as_legible_as_the_scan(
    store: Store, page_files: dict[str, Path], tmp_path: Path
) -> None:
    code = receive(store)
    r = svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["dense"],), declared_pages=1))
    assert r.size <= 60_000  # the image-only page
    original_hashes = imaging.page_hashes(BlobStore.of(store.path.parent, store.key).read(r.sha256 or ""))
    assert svc.pending_ocr_count(store) == 1
    report = svc.run_ocr(store)
    assert (report.done, report.failed, report.left) == (1, 0, 0)
    (paper, *_rest) = svc.dossier_files(store, code).papers
    assert paper.ocr_state == "done" and paper.sha256 != r.sha256
    assert paper.size <= 60_000, paper.size  # with the text layer and the PDF/A declarations
    data = BlobStore.of(store.path.parent, store.key).read(paper.sha256 or "")
    assert imaging.page_hashes(data) == original_hashes  # the page image itself is untouched
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
    out = tmp_path / "stored.pdf"
    out.write_bytes(data)
    stored_text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Tesseract misreads some diacritics of this font on the scan itself: compare what each reads
    # correctly (the page's text is known), and ask the stored page for at least as much.
    truth = words(" ".join(samples.PARAGRAPHS * 2))
    scan_right = words(" ".join(ocr.image_words(page_files["dense"]))) & truth
    stored_right = words(stored_text) & truth
    assert sum(stored_right.values()) >= 0.98 * sum(scan_right.values())
    stored_words = words(stored_text)
    assert {"khai", "sinh", "phường", "giang"} <= set(stored_words)
    assert check_database(store).ok  # both the PDF/A and the image-only original are kept and sound


def test_background_worker_recognises_pending_files_and_stops_quickly(
    store: Store, page_files: dict[str, Path]
) -> None:
    import time

    code = receive(store)
    svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))
    worker = svc.OcrWorker(store, interval=0.2)
    worker.start()
    deadline = time.monotonic() + 120
    while svc.pending_ocr_count(store) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert svc.pending_ocr_count(store) == 0 and worker.done == 1
    # A second paper: stopping in the middle of its recognition kills the child; the file stays pending.
    svc.attach(store, ACTOR, svc.AttachRequest(code, 2, (page_files["dense"],)))
    worker.wake()
    time.sleep(1.0)
    started = time.monotonic()
    worker.stop(timeout=10)
    assert time.monotonic() - started < 5
    assert svc.pending_ocr_count(store) == 1
    assert svc.dossier_files(store, code).papers[1].ocr_state == "pending"
