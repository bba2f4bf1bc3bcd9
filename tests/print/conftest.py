"""Helpers for the print tests: PDF text extraction (pypdf), rasterising (PDFium) and barcode decoding
(zxing-cpp). All three install from PyPI wheels; nothing needs a system package."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """NFC, every run of white space as one space (wrapped lines join back)."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def page_texts(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [squash(page.extract_text() or "") for page in reader.pages]


def pdf_text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def rasterise(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
    finally:
        doc.close()


def decode(image: Image.Image) -> dict[str, list[str]]:
    """Every barcode found on the image, by format name ("QRCode", "Code128", …)."""
    found: dict[str, list[str]] = {}
    for result in zxingcpp.read_barcodes(image.convert("L")):
        found.setdefault(result.format.name, []).append(result.text)
    return found


@pytest.fixture
def text_of() -> Callable[[bytes], str]:
    return pdf_text


@pytest.fixture
def pages_of() -> Callable[[bytes], list[str]]:
    return page_texts


@pytest.fixture
def barcodes_of() -> Callable[[bytes, int], list[dict[str, list[str]]]]:
    def run(pdf: bytes, dpi: int = 300) -> list[dict[str, list[str]]]:
        return [decode(img) for img in rasterise(pdf, dpi)]

    return run
