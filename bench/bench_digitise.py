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

Merges the figures into ``bench/results/latest.json`` under ``"digitise"``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import img2pdf  # noqa: E402
from common import save  # noqa: E402
from PIL import Image  # noqa: E402

from app.digitise import imaging, ocr, samples  # noqa: E402


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
        if not args.no_ocr and ocr.available() is None:
            t1 = time.perf_counter()
            ocr_sizes.append(len(ocr.ocr_pdf(pdf)))
            ocr_s.append(time.perf_counter() - t1)

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
    for k, v in figures.items():
        print(f"{k:32} {v}")
    print(
        f"target: <= 60 KB per page (desk max {figures['desk_max_kb']} KB); "
        f"no larger than ocrmypdf -O3 ({figures['ocrmypdf_O3_kb_per_page']} KB); CPU <= 0.5 s per page"
    )
    if not args.no_write:
        save("digitise", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
