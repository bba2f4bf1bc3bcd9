"""Printing rasterises each page in horizontal bands (so the GUI thread gets the GIL between them): the
printed page must still be the whole page, every band at its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from app.ui.lanes import printing
from app.ui.lanes.printing import PrintTarget, print_pdf, print_pdf_here

SIZE = QSize(124, 175)  # both PDFs compared at this size (A4 at ~15 dpi)


def _source_pdf() -> bytes:
    """Two A4 pages of black blocks, placed across band boundaries, different on each page."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(72)
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF())
    )
    painter = QPainter(writer)
    black = QColor("black")
    painter.fillRect(QRectF(20, 20, 200, 60), black)  # top left
    painter.fillRect(QRectF(300, 380, 150, 90), black)  # middle right, across band edges
    painter.fillRect(QRectF(60, 760, 120, 60), black)  # bottom left
    writer.newPage()
    painter.fillRect(QRectF(400, 30, 150, 700), black)  # a tall block on the right
    painter.end()
    buffer.close()
    return bytes(data.data())


def _render(pdf: bytes) -> list[QImage]:
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument(None)
    doc.load(buffer)
    assert doc.status() == QPdfDocument.Status.Ready
    images = []
    for page in range(doc.pageCount()):
        # The rendered page is transparent where nothing is drawn: put it on white paper.
        paper = QImage(SIZE, QImage.Format.Format_RGB32)
        paper.fill(QColor("white"))
        painter = QPainter(paper)
        painter.drawImage(0, 0, doc.render(page, SIZE))
        painter.end()
        images.append(paper)
    doc.close()
    buffer.close()
    return images


def _dark(image: QImage) -> set[tuple[int, int]]:
    return {
        (x, y)
        for y in range(image.height())
        for x in range(image.width())
        if QColor(image.pixel(x, y)).value() < 128
    }


def _misplaced(want: QImage, got: QImage) -> int:
    """Pixels away from the blocks' edges (their 3 × 3 neighbourhood all dark or all light in ``want``)
    that are not the same in ``got``: resampling may shade an edge differently, nothing else moves."""
    want_dark, got_dark = _dark(want), _dark(got)
    wrong = 0
    for y in range(1, want.height() - 1):
        for x in range(1, want.width() - 1):
            around = {(x + dx, y + dy) in want_dark for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
            if len(around) == 1 and ((x, y) in want_dark) != ((x, y) in got_dark):
                wrong += 1
    return wrong


def test_printed_pages_match_the_source_band_by_band(qtbot: QtBot, tmp_path: Path) -> None:
    assert printing.PRINT_BANDS > 1 and printing.PRINT_DPI <= 300
    source = _source_pdf()
    out = tmp_path / "printed.pdf"
    assert print_pdf(source, PrintTarget(pdf_path=out), "bands") == 2
    expected, printed = _render(source), _render(out.read_bytes())
    assert len(printed) == 2
    for want, got in zip(expected, printed, strict=True):
        want_dark, got_dark = _dark(want), _dark(got)
        assert want_dark, "the source page has content"
        assert len(got_dark) > 0.9 * len(want_dark), "the printed page is (partly) blank"
        # A band drawn at the wrong offset, squeezed or missing would move or drop whole blocks.
        assert _misplaced(want, got) == 0


@pytest.mark.parametrize("bands", [1, 7])
def test_band_count_does_not_change_the_page(qtbot: QtBot, tmp_path: Path, bands: int) -> None:
    source = _source_pdf()
    printed: list[QImage] = []
    for n in (bands, printing.PRINT_BANDS):
        out = tmp_path / f"printed-{n}.pdf"
        old = printing.PRINT_BANDS
        printing.PRINT_BANDS = n
        try:
            print_pdf_here(source, PrintTarget(pdf_path=out))
        finally:
            printing.PRINT_BANDS = old
        printed.append(_render(out.read_bytes())[0])
    assert _dark(printed[0]) and _misplaced(printed[0], printed[1]) == 0


def test_a_printer_that_does_not_exist_is_refused_in_the_operators_words(tmp_path: Path) -> None:
    """The print process reports the refusal; the desk raises it as the same DomainError as before."""
    from app.domain.errors import DomainError

    with pytest.raises(DomainError) as caught:
        print_pdf(_source_pdf(), PrintTarget(printer_name="Máy in không có thật"))
    (problem,) = caught.value.problems
    assert problem.code == "print.no_printer" and "máy in" in problem.vi


def test_an_unreadable_pdf_is_refused(tmp_path: Path) -> None:
    from app.domain.errors import DomainError

    with pytest.raises(DomainError) as caught:
        print_pdf(b"%PDF-1.4 not really", PrintTarget(pdf_path=tmp_path / "x.pdf"))
    assert caught.value.problems[0].code == "print.bad_pdf"
    assert not (tmp_path / "x.pdf").exists()


def test_the_print_process_lists_the_printers() -> None:
    """``--list-printers`` answers in its own process (offscreen: none), as the settings dialog asks."""
    assert printing.available_printers() == printing.available_printers_here() == []
