"""QR codes and Code 128 barcodes drawn straight onto a ReportLab canvas.

The QR matrix comes from the ``qrcode`` package and is drawn as one filled path of horizontal runs: about
twice as fast as ReportLab's own QR widget, and the same bytes for the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import qrcode
import qrcode.constants
from reportlab.pdfgen.canvas import Canvas

from app.domain.text import nfc
from app.print.model import ReceiptData

if TYPE_CHECKING:  # imported when first drawn: reportlab.graphics costs ~0.1 s at start-up
    from reportlab.graphics.barcode.code128 import Code128


def lookup_address(data: ReceiptData) -> str:
    """The centre's look-up address for this dossier: ``<lookup_url>?ma=<code>&k=<secret>``.

    Returns ``""`` when the centre has no look-up page configured.
    """
    base = nfc(data.agency.lookup_url).strip()
    if not base:
        return ""
    params = {"ma": nfc(data.code).strip()}
    secret = nfc(data.lookup_secret).strip()
    if secret:
        params["k"] = secret
    sep = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        sep = ""
    return f"{base}{sep}{urlencode(params)}"


@dataclass(frozen=True, slots=True)
class QrMatrix:
    """The dark runs of a QR symbol: per row, (start column, length). ``size`` excludes the quiet zone."""

    size: int
    runs: tuple[tuple[tuple[int, int], ...], ...]


@lru_cache(maxsize=64)
def qr_matrix(text: str) -> QrMatrix:
    """Encode ``text`` (error correction M, smallest version that fits)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1)
    qr.add_data(nfc(text).encode("utf-8"))
    qr.make(fit=True)
    rows: list[tuple[tuple[int, int], ...]] = []
    for row in qr.modules:
        runs: list[tuple[int, int]] = []
        start = -1
        for col, dark in enumerate(row):
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                runs.append((start, col - start))
                start = -1
        if start >= 0:
            runs.append((start, len(row) - start))
        rows.append(tuple(runs))
    return QrMatrix(size=len(qr.modules), runs=tuple(rows))


def draw_qr(canvas: Canvas, matrix: QrMatrix, x: float, y: float, size: float) -> None:
    """Draw ``matrix`` as a ``size`` × ``size`` square with its lower-left corner at (x, y).

    The caller leaves a quiet zone of at least 4 modules around it (the page's white space).
    """
    module = size / matrix.size
    path = canvas.beginPath()
    top = y + size
    for r, runs in enumerate(matrix.runs):
        row_y = top - (r + 1) * module
        for start, length in runs:
            path.rect(x + start * module, row_y, length * module, module)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def code128(value: str, bar_width: float, bar_height: float) -> Code128:
    """A Code 128 barcode, bars only: no human-readable line (the forms print the code themselves) and no
    built-in quiet zone — the caller keeps at least 10 bar widths of white on each side (margins do)."""
    from reportlab.graphics.barcode.code128 import Code128

    return Code128(nfc(value), barWidth=bar_width, barHeight=bar_height, humanReadable=False, quiet=0)


def code128_fitting(
    value: str, max_width: float, bar_height: float, bar_width: float = 0.72, min_bar_width: float = 0.5
) -> Code128 | None:
    """The widest Code 128 of ``value`` with bars up to ``bar_width`` that fits ``max_width``, or ``None``."""
    barcode = code128(value, bar_width, bar_height)
    if barcode.width <= max_width:
        return barcode
    scaled = int(bar_width * max_width / barcode.width * 1000) / 1000
    if scaled < min_bar_width:
        return None
    barcode = code128(value, scaled, bar_height)
    return barcode if barcode.width <= max_width + 0.01 else None
