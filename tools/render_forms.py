"""Regenerate ``docs/forms/*.png`` (one PNG per page of every form) from the fixed sample data.

    .venv/bin/python tools/render_forms.py             # write docs/forms/*.png (about 100 dpi)
    .venv/bin/python tools/render_forms.py --pdf DIR   # also keep the PDFs in DIR
    .venv/bin/python tools/render_forms.py --golden    # print the SHA-256 of the sample receipt only

The golden hash pinned in ``tests/print/test_golden.py`` is the ``--golden`` output: after an intended
layout change, run it and paste the new value there.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.print import forms, samples  # noqa: E402

DPI = 100

#: output name → (form name, sample factory, how many pages to keep as PNG)
SAMPLES: dict[str, tuple[str, Callable[[], object], int]] = {
    "01-receipt-a4": ("receipt", samples.receipt, 2),
    "01-receipt-a4-reprint": ("receipt", lambda: samples.receipt(copy_mark=True), 1),
    "01-receipt-a4-short": ("receipt", samples.receipt_short, 1),
    "01-receipt-80mm": ("receipt-80mm", samples.receipt, 1),
    "02-supplement": ("supplement", samples.supplement, 1),
    "03-refusal": ("refusal", samples.refusal, 1),
    "04-apology": ("apology", samples.apology, 1),
    "05-stop": ("stop", samples.stop, 1),
    "06-control": ("control", samples.control_slip, 1),
    "07-logbook": ("logbook", samples.logbook, 2),
    "handover": ("handover", samples.handover, 1),
    "catalogue": ("catalogue", samples.catalogue, 1),
}


def golden_sha256() -> str:
    """SHA-256 of the A4 receipt of :func:`samples.receipt` (the value pinned by the golden test)."""
    return hashlib.sha256(forms.receipt_a4(samples.receipt())).hexdigest()


def rasterise(pdf: bytes, dpi: int = DPI) -> list[object]:
    """Every page of ``pdf`` as a PIL image (grey scale), rendered with PDFium."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    finally:
        doc.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "forms", help="PNG folder")
    parser.add_argument("--pdf", type=Path, default=None, help="also write the PDFs to this folder")
    parser.add_argument("--dpi", type=int, default=DPI)
    parser.add_argument("--golden", action="store_true", help="print the sample receipt's SHA-256 and exit")
    args = parser.parse_args(argv)

    if args.golden:
        print(golden_sha256())
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    if args.pdf:
        args.pdf.mkdir(parents=True, exist_ok=True)
    for stem, (form, factory, keep) in SAMPLES.items():
        pdf = forms.render(form, factory())
        if args.pdf:
            (args.pdf / f"{stem}.pdf").write_bytes(pdf)
        pages = rasterise(pdf, args.dpi)[:keep]
        for i, image in enumerate(pages, start=1):
            name = f"{stem}.png" if len(pages) == 1 else f"{stem}-p{i}.png"
            # 16 grey levels, 4 bits a pixel: a third smaller and as legible.
            image.quantize(16).save(args.out / name, optimize=True, bits=4)  # type: ignore[attr-defined]
            print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
