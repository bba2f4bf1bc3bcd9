"""Digitising: bytes per page, desk CPU per page and OCR pages per minute, with baselines in the same run.

    .venv/bin/python bench/bench_digitise.py [--pages 4] [--no-ocr] [--no-write]

Input: A4 pages made here (``app.digitise.samples``: Vietnamese text in Be Vietnam Pro at 12 pt, rendered
at 300 dpi, skewed 0.5–2.5°, sensor noise and dust), saved as grey PNG files as a scanner would give them.

* **desk**: ``app.digitise.imaging`` (deskew, crop, levels, grey or G4 black-and-white) into one PDF per
  page; CPU seconds per page (``time.process_time``) without OCR.
* **img2pdf**: the same PNG embedded losslessly (``img2pdf``), the baseline for "bytes per page".
* **ocrmypdf -O3**: OCRmyPDF's own optimiser on the img2pdf file, no OCR (``--ocr-engine none
  --output-type pdf -O 3``; its JBIG2 needs ``jbig2enc``, not in Debian 12, so it falls back to its
  other lossless/lossy steps).
* **OCR**: ``app.digitise.ocr.ocr_pdf`` on the desk's PDF (Tesseract ``vie``, one core): pages per minute,
  and the size of the PDF/A-2b with its text layer.
* **ocrmypdf alone**: what OCRmyPDF makes of the same scan by itself, with OCR, PDF/A-2b and its strongest
  optimiser (``-l vie --output-type pdfa-2 -O 3``), and the same on the desk's cleaned image-only page
  (``ocrmypdf -O 3`` where the desk calls ``ocr_pdf``): the desk's PDF/A must be no larger than either.
* **legibility**: the words of the page's known text that Tesseract reads correctly on the grey scan and
  that the stored PDF/A's text layer holds (``pdftotext``); the stored page should hold at least as many.

Merges the figures into ``bench/results/latest.json`` under ``"digitise"``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import img2pdf  # noqa: E402
from common import save  # noqa: E402
from PIL import Image  # noqa: E402

from app.digitise import imaging, ocr, samples  # noqa: E402

TRUTH = Counter(
    w.strip(".,:;()-–«»\"'").lower()
    for w in " ".join(samples.PARAGRAPHS * 2).split()
    if len(w.strip(".,:;()-–«»\"'")) > 1
)


def right_words(words: list[str]) -> int:
    """How many words of the page's known text are among ``words`` (each counted as often as the page
    has it)."""
    read = Counter(w.strip(".,:;()-–«»\"'").lower() for w in words)
    return sum((read & TRUTH).values())


def ocrmypdf_alone(src: Path, dst: Path) -> int:
    """OCRmyPDF by itself: Vietnamese OCR, PDF/A-2b, its strongest optimiser; the output's size."""
    cmd = [sys.executable, "-m", "ocrmypdf", "-q", "-l", "vie", "--output-type", "pdfa-2", "-O", "3"]
    cmd += ["--jobs", "1"]
    if src.suffix == ".png":
        cmd += ["--image-dpi", "300"]
    subprocess.run([*cmd, str(src), str(dst)], check=True)
    return dst.stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-digitise-"))
    files = []
    for i in range(args.pages):
        page = samples.scanned(
            samples.text_page(), skew_deg=0.5 + 2.0 * i / max(1, args.pages - 1), seed=10 + i
        )
        f = tmp / f"p{i}.png"
        page.save(f, dpi=(300, 300))
        files.append(f)

    desk_sizes, cpu, ocr_sizes, ocr_s = [], [], [], []
    lossless_sizes, optimiser_sizes = [], []
    alone_sizes, alone_desk_sizes, scan_right, stored_right = [], [], [], []
    run_ocr = not args.no_ocr and ocr.available() is None
    for f in files:
        with Image.open(f) as img:
            img.load()
            raw = imaging.RawPage(img.copy(), 300.0, f.name)
        t0 = time.process_time()
        pdf = imaging.pages_pdf([imaging.clean_page(raw)])
        cpu.append(time.process_time() - t0)
        desk_sizes.append(len(pdf))
        lossless = img2pdf.convert(str(f))
        lossless_sizes.append(len(lossless))
        lossless_file = tmp / f"{f.stem}-lossless.pdf"
        lossless_file.write_bytes(lossless)
        optimised = tmp / f"{f.stem}-opt.pdf"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ocrmypdf",
                "-q",
                "--ocr-engine",
                "none",
                "--output-type",
                "pdf",
                "-O",
                "3",
                str(lossless_file),
                str(optimised),
            ],
            check=True,
        )
        optimiser_sizes.append(optimised.stat().st_size)
        if run_ocr:
            t1 = time.perf_counter()
            stored = ocr.ocr_pdf(pdf)
            ocr_s.append(time.perf_counter() - t1)
            ocr_sizes.append(len(stored))
            stored_file = tmp / f"{f.stem}-stored.pdf"
            stored_file.write_bytes(stored)
            text = subprocess.run(
                ["pdftotext", str(stored_file), "-"], capture_output=True, text=True, check=True
            ).stdout
            stored_right.append(right_words(text.split()))
            scan_right.append(right_words(ocr.image_words(f)))
            desk_file = tmp / f"{f.stem}-desk.pdf"
            desk_file.write_bytes(pdf)
            alone_sizes.append(ocrmypdf_alone(f, tmp / f"{f.stem}-alone.pdf"))
            alone_desk_sizes.append(ocrmypdf_alone(desk_file, tmp / f"{f.stem}-alone-desk.pdf"))

    def kb(values: list[int]) -> float:
        return round(statistics.mean(values) / 1000, 1)

    figures = {
        "pages": args.pages,
        "desk_kb_per_page": kb(desk_sizes),
        "desk_max_kb": round(max(desk_sizes) / 1000, 1),
        "img2pdf_lossless_kb_per_page": kb(lossless_sizes),
        "ocrmypdf_O3_kb_per_page": kb(optimiser_sizes),
        "desk_cpu_s_per_page_median": round(statistics.median(cpu), 3),
        "desk_cpu_s_per_page_max": round(max(cpu), 3),
    }
    if ocr_s:
        figures["ocr_pages_per_min"] = round(60 / statistics.mean(ocr_s), 1)
        figures["with_ocr_pdfa_kb_per_page"] = kb(ocr_sizes)
        figures["with_ocr_pdfa_max_kb"] = round(max(ocr_sizes) / 1000, 1)
        figures["ocrmypdf_alone_on_scan_kb_per_page"] = kb(alone_sizes)
        figures["ocrmypdf_O3_on_desk_page_kb_per_page"] = kb(alone_desk_sizes)
        figures["words_right_scan"] = sum(scan_right)
        figures["words_right_stored"] = sum(stored_right)
        figures["words_of_the_text"] = sum(TRUTH.values()) * len(files)
    for k, v in figures.items():
        print(f"{k:36} {v}")
    print(
        f"target: <= 60 KB per page (image-only max {figures['desk_max_kb']} KB; PDF/A with text max "
        f"{figures.get('with_ocr_pdfa_max_kb', '-')} KB); no larger than ocrmypdf alone on the scan "
        f"({figures.get('ocrmypdf_alone_on_scan_kb_per_page', '-')} KB) or on the desk's page "
        f"({figures.get('ocrmypdf_O3_on_desk_page_kb_per_page', '-')} KB); stored page reads at least as "
        f"many words as the scan ({figures.get('words_right_stored', '-')} vs "
        f"{figures.get('words_right_scan', '-')}); CPU <= 0.5 s per page"
    )
    if not args.no_write:
        save("digitise", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
