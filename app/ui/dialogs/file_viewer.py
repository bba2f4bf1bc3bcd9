"""The viewer of a stored paper (issue 19): its PDF's pages with Qt's own PDF module (QtPdf, part of
PySide6), page through with PgUp/PgDn, zoom with Ctrl++ / Ctrl+− / Ctrl+0 (fit the width), Esc closes.

The file's bytes are read (and checked against their SHA-256) on the digitising lane; the dialog only
parses them from memory.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMargins, QPointF, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.i18n import fmt
from app.ui.shell.screenfit import fit_size

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 6.0


class FileViewer(QDialog):
    def __init__(self, parent: QWidget | None, title: str, data: bytes) -> None:
        super().__init__(parent)
        self.setObjectName("fileViewer")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setObjectName("fileViewerPages")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        # QPdfView fits the page to the viewport without its margins: with them, the whole page is
        # 12 px too tall and a scroll bar cuts its foot.
        self.view.setDocumentMargins(QMargins(0, 0, 0, 0))
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.page_label = QLabel("", self)
        self.page_label.setObjectName("fileViewerPage")
        row.addWidget(self.page_label, 1)
        hint = QLabel(
            self.tr("PgUp / PgDn page · Ctrl++ / Ctrl+− zoom · Ctrl+0 whole page · Esc close"), self
        )
        row.addWidget(hint)
        close = QPushButton(self.tr("Close (Esc)"), self)
        close.clicked.connect(self.reject)
        row.addWidget(close)
        layout.addLayout(row)
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_PageDown), lambda: self.go(self.page + 1)),
            (QKeySequence(Qt.Key.Key_PageUp), lambda: self.go(self.page - 1)),
            (QKeySequence(Qt.Key.Key_Home), lambda: self.go(0)),
            (QKeySequence(Qt.Key.Key_End), lambda: self.go(self.pages - 1)),
            (QKeySequence("Ctrl++"), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence("Ctrl+="), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence("Ctrl+-"), lambda: self.zoom_by(1 / ZOOM_STEP)),
            (QKeySequence("Ctrl+0"), self.fit),
        ):
            QShortcut(keys, self, slot)
        self.view.pageNavigator().currentPageChanged.connect(lambda _p: self._show_page())
        fit_size(self, 760, 700)
        self._show_page()

    @property
    def pages(self) -> int:
        return self.document.pageCount()

    @property
    def page(self) -> int:
        return self.view.pageNavigator().currentPage()

    @property
    def zoom(self) -> float:
        return self.view.zoomFactor() if self.view.zoomMode() == QPdfView.ZoomMode.Custom else 1.0

    def go(self, page: int) -> None:
        if self.pages and 0 <= page < self.pages:
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
            self._show_page()

    def zoom_by(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_MIN, min(ZOOM_MAX, self.view.zoomFactor() * factor)))
        self._show_page()

    def fit(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setZoomFactor(1.0)
        self._show_page()

    def _show_page(self) -> None:
        if self.document.status() != QPdfDocument.Status.Ready:
            self.page_label.setText(self.tr("The file could not be opened."))
            return
        self.page_label.setText(
            fmt(self.tr("Page %1 of %2 · zoom %3 %"), self.page + 1, self.pages, round(self.zoom * 100))
        )
