"""Receipt generation time against a bare ReportLab page, in the same run.

    .venv/bin/python bench/bench_receipt.py [--n 200] [--rounds 3] [--no-write]

* **receipt**: ``receipt_a4`` — Mẫu 01, two copies (two A4 pages), wrapped text, the papers table, the QR
  code and the Code 128 barcode — for N receipts, each with its own dossier code.
* **bare**: the same two pages drawn with plain ``Canvas.drawString`` calls: the same text runs (taken once
  from the receipt PDF, with their fonts, sizes and positions), the same embedded font faces, the same QR
  matrix drawn by the same function, ``invariant=1`` and compression as the receipt; no layout work, no
  table rules, no barcode.

Prints both per-receipt times and their ratio (target ≤ 1.5) and merges the figures into
``bench/results/latest.json`` under the key ``"receipt"``. The best round of each counts (least noise).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pypdf  # noqa: E402

from app.print import fonts, forms, samples  # noqa: E402
from app.print.codes import draw_qr, lookup_address, qr_matrix  # noqa: E402
from app.print.layout import MM, new_canvas, text_width  # noqa: E402
from app.print.model import ReceiptData  # noqa: E402

TARGET = 1.5
RESULTS = ROOT / "bench" / "results" / "latest.json"

Run = tuple[str, str, float, float, float]  # text, font, size, x, y


def text_runs(pdf: bytes) -> list[list[Run]]:
    """Every text run of every page of ``pdf`` with its font face, size and position."""
    pages: list[list[Run]] = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        runs: list[Run] = []
        ends: dict[tuple[float, float], float] = {}

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: Any,
            size: float,
            runs: list[Run] = runs,
            ends: dict[tuple[float, float], float] = ends,
        ) -> None:
            text = text.replace("\n", "")
            if not text.strip() or font is None:
                return
            base = str(font.get("/BaseFont", ""))
            face = fonts.REGULAR
            if "BoldItalic" in base:
                face = fonts.BOLD_ITALIC
            elif "Bold" in base:
                face = fonts.BOLD
            elif "Italic" in base:
                face = fonts.ITALIC
            x, y, size = tm[4] + cm[4], tm[5] + cm[5], size * (tm[0] or 1.0)
            # pypdf reports a run that follows a font change on the same line at the line's origin:
            # place it after the runs already seen from that origin.
            key = (round(x, 2), round(y, 2))
            start = ends.get(key, x)
            ends[key] = start + text_width(text, face, size)
            runs.append((text, face, size, start, y))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def bare_page(pages: list[list[Run]], data: ReceiptData) -> bytes:
    """The receipt's text and QR on plain ReportLab pages."""
    address = lookup_address(data)
    qr = qr_matrix(address)
    c, buf = new_canvas((595.2756, 841.8898), title=data.code, author=data.agency.name)
    for runs in pages:
        for text, face, size, x, y in runs:
            c.setFont(face, size)
            c.drawString(x, y, text)
        draw_qr(c, qr, 595.2756 - 15 * MM - 22 * MM, 700, 22 * MM)
        c.showPage()
    c.save()
    return buf.getvalue()


def receipts(n: int) -> list[ReceiptData]:
    base = samples.receipt()
    return [
        dataclasses.replace(base, code=f"000.07.21.H24-250705-{i:04d}", lookup_secret=f"K{i:03d}")
        for i in range(n)
    ]


def time_per_item(func: Callable[[ReceiptData], bytes], items: list[ReceiptData]) -> float:
    qr_matrix.cache_clear()
    start = time.perf_counter()
    for item in items:
        func(item)
    return (time.perf_counter() - start) / len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="receipts per round (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best of each side counts")
    parser.add_argument("--no-write", action="store_true", help=f"do not update {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    items = receipts(args.n)
    runs = text_runs(forms.receipt_a4(samples.receipt()))

    def bare(d: ReceiptData) -> bytes:
        return bare_page(runs, d)

    # Warm up both paths (font registration, imports, caches of glyph widths).
    for d in items[:5]:
        forms.receipt_a4(d)
        bare(d)

    receipt_s: list[float] = []
    bare_s: list[float] = []
    for _ in range(args.rounds):
        receipt_s.append(time_per_item(forms.receipt_a4, items))
        bare_s.append(time_per_item(bare, items))
    r, b = min(receipt_s), min(bare_s)
    ratio = r / b
    print(f"receipt (A4, 2 copies, QR + Code 128): {r * 1000:7.2f} ms per receipt")
    print(f"bare ReportLab pages (same text + QR):  {b * 1000:7.2f} ms per receipt")
    print(f"ratio: {ratio:.2f} (target <= {TARGET}) -> {'OK' if ratio <= TARGET else 'OVER TARGET'}")

    if not args.no_write:
        figures: dict[str, Any] = {
            "n": args.n,
            "rounds": args.rounds,
            "receipt_ms": round(r * 1000, 3),
            "bare_page_ms": round(b * 1000, 3),
            "ratio": round(ratio, 3),
            "target_ratio": TARGET,
            "ok": ratio <= TARGET,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "reportlab": version("reportlab"),
            "machine": platform.machine(),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        try:
            merged = json.loads(RESULTS.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            merged = {}
        merged["receipt"] = figures
        RESULTS.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
