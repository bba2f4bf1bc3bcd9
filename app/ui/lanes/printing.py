"""Printing a form's PDF through Qt, off the GUI thread.

The PDF bytes come from the services (the archived document); here each page is rasterised at
:data:`PRINT_DPI` (a 1200-dpi page would take ~85 MB) and painted on a ``QPrinter``.
A :class:`PrintTarget` is either a printer by name or a PDF file (tests and "print to file").

Printing runs in a process of its own (:mod:`app.ui.lanes.print_process`): Qt keeps the GIL through its C++
calls, and the window's event loop must not wait while a page is rasterised. The Qt modules are imported
on first use (the window is shown before they are needed).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.errors import DomainError, Problem

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

PRINT_DPI = 300
#: Horizontal bands a page is rasterised and painted in (in the print process): a band image of a 300-dpi
#: A4 page (2480 × 3508) takes ~0.7 MB where the whole page would take ~35 MB. Same total work.
PRINT_BANDS = 48


@dataclass(frozen=True)
class PrintTarget:
    # A printer's name ("" = the system's default printer); ignored when ``pdf_path`` is set.
    printer_name: str = ""
    # Print into this PDF file instead of a printer.
    pdf_path: Path | None = None


def available_printers() -> list[str]:
    """The printers' names, asked of the print process (:mod:`app.ui.lanes.print_process`), on the worker's
    thread: the print system's answer (CUPS, the Windows spooler) may take seconds with network printers,
    and the window must not wait for it."""
    answer = _run_print_process(["--list-printers"], b"", LIST_TIMEOUT_S)
    if "printers" not in answer:
        raise RuntimeError("the print process did not list the printers")
    return [str(name) for name in answer["printers"]]


def available_printers_here() -> list[str]:
    """:func:`available_printers` in this process (the print process's work)."""
    from PySide6.QtPrintSupport import QPrinterInfo

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
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

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


def _paint_page(doc: QPdfDocument, page: int, painter: QPainter) -> None:
    """Rasterise ``page`` to fill the painter's viewport, in :data:`PRINT_BANDS` horizontal bands."""
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtPdf import QPdfDocumentRenderOptions

    rect = painter.viewport()
    width, height = rect.width(), rect.height()
    options = QPdfDocumentRenderOptions()
    options.setScaledSize(QSize(width, height))  # the whole page's size; each band clips it
    band = max(1, -(-height // PRINT_BANDS))  # ceil
    for top in range(0, height, band):
        rows = min(band, height - top)
        # Qt builds the clip's matrix from QRect.right()/bottom() (left + width - 1), which would scale
        # a band by (rows - 1) / rows and drift it up the page; a clip one pixel larger than the band's
        # image gives the exact page scale (the image itself bounds what is drawn).
        options.setScaledClipRect(QRect(0, top, width + 1, rows + 1))
        image = doc.render(page, QSize(width, rows), options)
        painter.drawImage(QRect(rect.x(), rect.y() + top, width, rows), image)


def print_pdf(pdf: bytes, target: PrintTarget, title: str = "") -> int:
    """Print every page of ``pdf`` to ``target`` at :data:`PRINT_DPI`; returns the number of pages.

    Runs in a child process (:mod:`app.ui.lanes.print_process`), waited for on the worker's thread. Qt keeps
    the GIL through its C++ calls, and rasterising a page and writing the print job (``QPainter.end``
    on the PDF engine compresses every band) held it for 50-80 ms at a time: the GUI thread's event loop
    stalled while it waited. A process of its own shares no GIL with the window.
    """
    args = ["--title", title]
    args += (
        ["--pdf", str(target.pdf_path)] if target.pdf_path is not None else ["--printer", target.printer_name]
    )
    answer = _run_print_process(args, pdf, PRINT_TIMEOUT_S)
    if "pages" not in answer:
        raise RuntimeError("the print process did not say how many pages it printed")
    return int(answer["pages"])


def _run_print_process(args: list[str], stdin: bytes, timeout: float) -> dict[str, Any]:
    """Run :mod:`app.ui.lanes.print_process` with ``args`` and ``stdin``; its JSON answer. Problems it reports
    are raised as a :class:`DomainError`, any other failure as a ``RuntimeError`` with its error output."""
    argv = [sys.executable, "-m", "app.ui.lanes.print_process", *args]
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console window flashing up
    try:
        done = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=timeout, check=False, creationflags=flags
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"the print process did not finish within {timeout:g} s") from exc
    try:
        answer = json.loads(done.stdout.decode("utf-8") or "{}")
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    if "problems" in answer:
        raise DomainError([Problem(**p) for p in answer["problems"]])
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"the print process failed (exit {done.returncode}): {tail}")
    return answer


#: How long a print job may take (a long document on a slow printer driver).
PRINT_TIMEOUT_S = 300
#: How long the print system may take to list its printers.
LIST_TIMEOUT_S = 60


def print_pdf_here(pdf: bytes, target: PrintTarget, title: str = "") -> int:
    """:func:`print_pdf` in this process (the print process's work; a ``QGuiApplication`` must exist).

    Painting on a QPrinter and a QImage is allowed outside the GUI thread."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
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
                _paint_page(doc, page, painter)
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
