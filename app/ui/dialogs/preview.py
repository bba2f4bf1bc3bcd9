"""Preview of a printed form (receipt, slips) with Print and Save as PDF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.errors import show_error
from app.ui.i18n import fmt
from app.ui.lanes.printing import PrintTarget, print_pdf, save_pdf
from app.ui.lanes.worker import Worker
from app.ui.shell.screenfit import fit_size


class PreviewDialog(QDialog):
    """Shows the PDF exactly as archived; Print (Ctrl+P) closes the preview once printed."""

    printed = Signal(int)
    saved = Signal(str)

    def __init__(
        self,
        parent: QWidget | None,
        worker: Worker,
        pdf: bytes,
        title: str,
        target: Callable[[], PrintTarget],
        file_name: str = "document.pdf",
        *,
        is_copy: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("previewDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.pdf = pdf
        self._worker = worker
        self._target = target
        self._file_name = file_name
        self.file_dialog: QFileDialog | None = None
        fit_size(self, 760, 900)

        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        layout = QVBoxLayout(self)
        heading = QLabel(title + (self.tr(" — reprint, marked COPY") if is_copy else ""), self)
        heading.setObjectName("previewTitle")
        layout.addWidget(heading)
        self.view = QPdfView(self)
        self.view.setObjectName("previewView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        layout.addWidget(self.view, 1)

        self.status = QLabel("", self)
        self.status.setObjectName("previewStatus")
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(self.tr("&Print (Ctrl+P)"), self)
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_now)
        self.save_button = QPushButton(self.tr("&Save as PDF… (Ctrl+S)"), self)
        self.save_button.setObjectName("savePdfButton")
        self.save_button.clicked.connect(self.save_as)
        close = QPushButton(self.tr("Close (Esc)"), self)
        close.clicked.connect(self.reject)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_now)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_as)
        self.print_button.setFocus()

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    def print_now(self) -> None:
        if not self.print_button.isEnabled():
            return
        self.print_button.setEnabled(False)
        self.status.setText(self.tr("Printing…"))
        self._worker.run(
            print_pdf,
            self.pdf,
            self._target(),
            self.windowTitle(),
            on_done=self._printed,
            on_error=self._failed,
            owner=self,
        )

    def _printed(self, pages: object) -> None:
        self.status.setText(fmt(self.tr("Printed %1 page(s)."), pages))
        self.printed.emit(int(pages))  # type: ignore[call-overload]
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.print_button.setEnabled(True)
        self.status.setText("")
        show_error(self, exc)

    def save_as(self) -> None:
        # Qt's own dialog, not the platform's: it speaks the window's language (app.ui.i18n installs
        # Qt's Vietnamese), and it looks the same on every counter PC.
        dialog = QFileDialog(self, self.tr("Save as PDF"), str(Path.home()), self.tr("PDF files (*.pdf)"))
        dialog.setObjectName("savePdfDialog")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(self._file_name)
        fit_size(dialog, 760, 520)
        self.file_dialog = dialog
        dialog.fileSelected.connect(self._save_to)
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None))
        dialog.open()

    def _save_to(self, path: str) -> None:
        if not path:
            return
        target = Path(path if path.lower().endswith(".pdf") else path + ".pdf")
        self._worker.run(save_pdf, self.pdf, target, on_done=self._saved, on_error=self._failed, owner=self)

    def _saved(self, path: object) -> None:
        self.status.setText(fmt(self.tr("Saved to %1"), path))
        self.saved.emit(str(path))
