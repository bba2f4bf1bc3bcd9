"""Printing a form's PDF through Qt, off the GUI thread.

The PDF bytes come from the services (the archived document); here each page is rasterised with
``QPdfDocument`` at :data:`PRINT_DPI` (a 1200-dpi page would take ~85 MB) and painted on a ``QPrinter``.
A :class:`PrintTarget` is either a printer by name or a PDF file (tests and "print to file").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from app.domain.errors import DomainError, Problem

PRINT_DPI = 300


@dataclass(frozen=True)
class PrintTarget:
    # A printer's name ("" = the system's default printer); ignored when ``pdf_path`` is set.
    printer_name: str = ""
    # Print into this PDF file instead of a printer.
    pdf_path: Path | None = None


def available_printers() -> list[str]:
    return list(QPrinterInfo.availablePrinterNames())


def _no_printer() -> DomainError:
    return DomainError(
        Problem(
            "print.no_printer",
            "Máy này chưa cài máy in. Hãy dùng «Lưu thành PDF» rồi in từ máy khác, hoặc cài máy in "
            "và chọn nó trong Cài đặt.",
            "No printer is installed on this computer. Use 'Save as PDF' and print elsewhere, or install a "
            "printer and choose it in Settings.",
        )
    )


def _printer(target: PrintTarget) -> QPrinter:
    if target.pdf_path is not None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target.pdf_path))
    else:
        info = (
            QPrinterInfo.printerInfo(target.printer_name)
            if target.printer_name
            else QPrinterInfo.defaultPrinter()
        )
        if info.isNull():
            raise _no_printer()
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setResolution(PRINT_DPI)
    return printer


def print_pdf(pdf: bytes, target: PrintTarget, title: str = "") -> int:
    """Print every page of ``pdf`` to ``target`` at :data:`PRINT_DPI`; returns the number of pages.

    Runs in the worker's thread (painting on a QPrinter and a QImage is allowed outside the GUI thread).
    """
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument(None)
    try:
        doc.load(buffer)
        if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() == 0:
            raise DomainError(
                Problem("print.bad_pdf", "Không đọc được tệp PDF cần in.", "The PDF to print cannot be read.")
            )
        printer = _printer(target)
        if title:
            printer.setDocName(title)
        first = doc.pagePointSize(0)
        printer.setPageLayout(
            QPageLayout(
                QPageSize(first, QPageSize.Unit.Point),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        painter = QPainter()
        if not painter.begin(printer):
            raise _no_printer()
        try:
            for page in range(doc.pageCount()):
                if page:
                    printer.newPage()
                rect = painter.viewport()
                image = doc.render(page, QSize(rect.width(), rect.height()))
                painter.drawImage(rect, image)
        finally:
            painter.end()
        return doc.pageCount()
    finally:
        doc.close()
        buffer.close()


def save_pdf(pdf: bytes, path: Path) -> Path:
    """Write the archived PDF bytes as they are (the printed PDF is the archived PDF)."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(pdf)
    tmp.replace(path)
    return path
