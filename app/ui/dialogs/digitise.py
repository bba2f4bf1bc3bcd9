"""The digitising panel (issue 19, item 8): per paper of the dossier's checklist, its pages as thumbnails,
pages against the declared count, keyboard first.

Opened with F8 from the intake screen (the pages wait in the intake's :class:`PanelModel` until the dossier
is saved: they are stored right after it is received, each paper in one transaction with its event) and
from the dossier screen (Ctrl+S stores the papers changed). Keys in the panel:

F8 scan into the current paper (the whole feeder when "feeder" is ticked) · Shift+F8 rescan the selected
page · Ctrl+F8 scan the selected page's sticky-note image (Ctrl+Shift+O: from a file) · Ctrl+O choose
files (or drop PNG, JPEG, TIFF, PDF) · Delete remove the page · Ctrl+↑ / Ctrl+↓ move it · R rotate it ·
E the exemption (TT 03/2025
Art. 5.2) · U reuse the paper offered · V view the stored file · Ctrl+PgUp / Ctrl+PgDn previous / next
paper · Ctrl+S store (dossier screen) · Esc close.

Scanning, reading files, thumbnails and compressing run on the digitising lane; storing and the OCR count
on the database lane (``app.ui.lanes``). The GUI thread only draws the thumbnails' small PNGs. Each page is
cleaned and compressed as soon as it is read (in a child process): the panel holds about 50 KB a page, not
its raw pixels; a page rotated (R) is turned when the paper is stored, the same bytes as cleaning it turned.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
    QPixmap,
    QShortcut,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.digitise.sources import Device
from app.domain import digitise as dg
from app.domain.errors import DomainError, Problem
from app.domain.text import fold
from app.services import digitise_panel as dp
from app.services.files import DossierFiles, PaperFiles, Reusable, dossier_files, pending_ocr_count
from app.ui.errors import error_text
from app.ui.i18n import current_language, fmt, message, show_date
from app.ui.lanes.worker import Worker
from app.ui.shell.context import UiContext
from app.ui.shell.screenfit import fit_size

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20;"
OCR_POLL_MS = 1500
DEFAULT_RESOLUTION = 300
FILE_SUFFIXES = ("png", "jpg", "jpeg", "tif", "tiff", "pdf")


@dataclass
class PaperWork:
    """One paper of the checklist as the panel edits it (nothing here is stored yet)."""

    key: int
    paper_no: int
    name: str
    pages: dg.PageSet = field(default_factory=dg.PageSet)
    declared: int | None = None
    exemption: str | None = None
    reuse: Reusable | None = None
    stored: PaperFiles | None = None

    @property
    def pending(self) -> bool:
        return bool(len(self.pages)) or self.exemption is not None or self.reuse is not None

    @property
    def mismatch(self) -> bool:
        return bool(len(self.pages)) and self.declared is not None and self.declared != len(self.pages)

    def clear(self) -> None:
        self.pages = dg.PageSet()
        self.declared = None
        self.exemption = None
        self.reuse = None


@dataclass
class PanelModel:
    """The papers shown, their work (kept by key, so a paper unticked and ticked again keeps its pages),
    the pages' images and the papers offered for reuse."""

    works: dict[int, PaperWork] = field(default_factory=dict)
    shown: list[int] = field(default_factory=list)
    images: dict[str, dp.LoadedPage] = field(default_factory=dict)
    offers: list[Reusable] = field(default_factory=list)

    def set_papers(self, rows: Sequence[tuple[int, int, str]]) -> None:
        """(key, paper number in the dossier, name) of the papers to show."""
        self.shown = []
        for key, paper_no, name in rows:
            work = self.works.get(key)
            if work is None or work.name != name:
                work = self.works[key] = PaperWork(key, paper_no, name)
            work.paper_no = paper_no
            self.shown.append(key)

    @property
    def papers(self) -> list[PaperWork]:
        return [self.works[k] for k in self.shown]

    def pending(self) -> list[PaperWork]:
        return [w for w in self.papers if w.pending]

    def hidden_pending(self) -> list[PaperWork]:
        return [w for k, w in self.works.items() if k not in self.shown and w.pending]

    def add_images(self, loaded: Sequence[dp.LoadedPage]) -> list[str]:
        keys = []
        for page in loaded:
            key = uuid.uuid4().hex
            self.images[key] = page
            keys.append(key)
        return keys

    def offer_for(self, name: str) -> Reusable | None:
        """The newest paper offered whose name is this paper's (diacritics and case aside)."""
        wanted = fold(name).strip()
        return next((o for o in self.offers if fold(o.name).strip() == wanted), None)

    def clear(self) -> None:
        self.works.clear()
        self.shown.clear()
        self.images.clear()
        self.offers.clear()


def check_counts(works: Sequence[PaperWork]) -> None:
    """TT 01/2023 Art. 8.2 before anything is stored: each paper's pages against its declared count."""
    problems: list[Problem] = []
    for w in works:
        if w.exemption is None and w.reuse is None:
            try:
                dg.check_page_count(w.name, w.declared, len(w.pages))
            except DomainError as exc:
                problems.extend(exc.problems)
    if problems:
        raise DomainError(problems)


def prepare_all(rows: Sequence[dp.PaperRow], images: dict[str, Any]) -> list[dp.PanelPaper]:
    """On the digitising lane: every paper's pages (cleaned when they were read) turned as asked and put
    into its PDF (a turned page is encoded again in the child process of
    :func:`app.services.digitise_panel.rotate_in_child`: the GUI thread keeps the GIL)."""
    return dp.prepare_papers(rows, images)


def snapshot(model: PanelModel, works: Sequence[PaperWork]) -> tuple[list[Any], dict[str, Any]]:
    """What :func:`prepare_all` needs, copied in the GUI thread (the cleaned pages of these papers)."""
    rows: list[Any] = []
    images: dict[str, Any] = {}
    for w in works:
        rows.append(
            (w.paper_no, w.name, w.pages, w.declared, w.exemption, w.reuse.file_id if w.reuse else None)
        )
        for p in w.pages.pages:
            for key in (p.image, p.note_image):
                if key is not None:
                    images[key] = model.images[key].page
    return rows, images


def exemption_text(value: str) -> str:
    ex = dg.Exemption(value)
    return ex.vi if current_language() == "vi" else ex.en


class DigitisePanel(QDialog):
    """See the module docstring. ``ref`` is the dossier (dossier screen) or None (intake)."""

    # Papers were stored (dossier screen): the screen reloads, the background OCR is woken.
    stored = Signal()

    def __init__(
        self,
        parent: QWidget,
        ctx: UiContext,
        lane: Worker,
        model: PanelModel,
        *,
        title: str,
        ref: str | None = None,
        personal_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("digitisePanel")
        self.setWindowTitle(title)
        self.ctx = ctx
        self.lane = lane
        self.model = model
        self.ref = ref
        self.personal_id = personal_id
        self.resolution = DEFAULT_RESOLUTION
        self.tasks = 0
        self.viewer: QDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self._pixmaps: dict[str, QPixmap] = {}
        self._quiet = False
        self.setAcceptDrops(True)
        self._build()
        self._ocr_timer = QTimer(self)
        self._ocr_timer.setInterval(OCR_POLL_MS)
        self._ocr_timer.timeout.connect(self.poll_ocr)
        self._ocr_timer.start()
        self.poll_ocr()
        self.lane.run(dp.scanners, on_done=self._scanners_found, owner=self)
        if ref is not None:
            self.reload()
        elif personal_id:
            self._load_offers()
        self.refresh()
        fit_size(self, 1060, 640)

    # --- layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        papers_caption = QLabel(self.tr("&Papers:"), self)
        top.addWidget(papers_caption)
        top.addStretch(1)
        top.addWidget(QLabel(self.tr("Scanner:"), self))
        self.device = QComboBox(self)
        self.device.setObjectName("digitiseDevice")
        self.device.setMinimumContentsLength(16)
        self.device.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        top.addWidget(self.device)
        self.feeder = QCheckBox(self.tr("Feeder"), self)
        self.feeder.setObjectName("digitiseFeeder")
        self.feeder.setChecked(True)
        top.addWidget(self.feeder)
        outer.addLayout(top)

        body = QHBoxLayout()
        self.papers = QListWidget(self)
        self.papers.setObjectName("digitisePapers")
        self.papers.setWordWrap(True)
        self.papers.currentRowChanged.connect(lambda _r: self._paper_changed())
        papers_caption.setBuddy(self.papers)
        body.addWidget(self.papers, 2)
        right = QVBoxLayout()
        self.pages = QListWidget(self)
        self.pages.setObjectName("digitisePages")
        self.pages.setViewMode(QListView.ViewMode.IconMode)
        self.pages.setMovement(QListView.Movement.Static)
        self.pages.setResizeMode(QListView.ResizeMode.Adjust)
        self.pages.setIconSize(QSize(*dp.THUMB_BOX))
        self.pages.setGridSize(QSize(dp.THUMB_BOX[0] + 30, dp.THUMB_BOX[1] + 40))
        self.pages.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        right.addWidget(self.pages, 1)
        grid = QGridLayout()
        declared_caption = QLabel(self.tr("&Declared pages:"), self)
        self.declared = QSpinBox(self)
        self.declared.setObjectName("digitiseDeclared")
        self.declared.setRange(0, dg.MAX_PAGES)
        self.declared.setSpecialValueText("—")
        self.declared.valueChanged.connect(self._declared_changed)
        declared_caption.setBuddy(self.declared)
        grid.addWidget(declared_caption, 0, 0)
        grid.addWidget(self.declared, 0, 1)
        exemption_caption = QLabel(self.tr("No copy needed (E):"), self)
        self.exemption = QComboBox(self)
        self.exemption.setObjectName("digitiseExemption")
        self.exemption.addItem(self.tr("— (the paper is digitised)"), "")
        for ex in dg.Exemption:
            self.exemption.addItem(exemption_text(ex.value), ex.value)
        self.exemption.currentIndexChanged.connect(self._exemption_changed)
        grid.addWidget(exemption_caption, 1, 0)
        grid.addWidget(self.exemption, 1, 1, 1, 3)
        reuse_caption = QLabel(self.tr("Reuse (U):"), self)
        self.reuse = QComboBox(self)
        self.reuse.setObjectName("digitiseReuse")
        grid.addWidget(reuse_caption, 2, 0)
        grid.addWidget(self.reuse, 2, 1, 1, 3)
        grid.setColumnStretch(3, 1)
        right.addLayout(grid)
        body.addLayout(right, 5)
        outer.addLayout(body, 1)

        self.message = QLabel("", self)
        self.message.setObjectName("digitiseMessage")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        status = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.setObjectName("digitiseProgress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        self.activity = QLabel("", self)
        self.activity.setObjectName("digitiseActivity")
        self.ocr = QLabel("", self)
        self.ocr.setObjectName("digitiseOcr")
        status.addWidget(self.progress)
        status.addWidget(self.activity, 1)
        status.addWidget(self.ocr)
        outer.addLayout(status)

        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot in (
            ("scan", self.tr("Scan (F8)"), self.scan),
            ("rescan", self.tr("Rescan page (Shift+F8)"), self.rescan_page),
            ("note", self.tr("Sticky-note image (Ctrl+F8)"), self.scan_note),
            ("files", self.tr("Files… (Ctrl+O)"), lambda: self.choose_files()),
            ("rotate", self.tr("Rotate (R)"), self.rotate_page),
            ("delete", self.tr("Delete page (Del)"), self.delete_page),
            ("view", self.tr("View file (V)"), self.view_file),
        ):
            b = QPushButton(text, self)
            b.setObjectName(f"digitise_{name}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            buttons.addWidget(b)
            self.buttons[name] = b
        buttons.addStretch(1)
        if self.ref is not None:
            store = QPushButton(self.tr("Store (Ctrl+S)"), self)
            store.setObjectName("digitise_store")
            store.clicked.connect(self.store_changes)
            buttons.addWidget(store)
            self.buttons["store"] = store
        close = QPushButton(self.tr("Close (Esc)"), self)
        close.setObjectName("digitise_close")
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        outer.addLayout(buttons)

        for keys, slot in (
            ("F8", self.scan),
            ("Shift+F8", self.rescan_page),
            ("Ctrl+F8", self.scan_note),
            ("Ctrl+O", self.choose_files),
            ("Ctrl+Shift+O", lambda: self.choose_files(note=True)),
            ("Del", self.delete_page),
            ("Ctrl+Up", lambda: self.move_page(-1)),
            ("Ctrl+Down", lambda: self.move_page(1)),
            ("R", self.rotate_page),
            ("E", self.exemption.setFocus),
            ("U", self.apply_reuse),
            ("V", self.view_file),
            ("Ctrl+PgUp", lambda: self._step_paper(-1)),
            ("Ctrl+PgDown", lambda: self._step_paper(1)),
            ("Ctrl+S", self.store_changes),
        ):
            QShortcut(QKeySequence(keys), self, slot)

    # --- state ------------------------------------------------------------------------------------

    @property
    def current(self) -> PaperWork | None:
        row = self.papers.currentRow()
        papers = self.model.papers
        return papers[row] if 0 <= row < len(papers) else None

    @property
    def page_index(self) -> int:
        return self.pages.currentRow()

    def _step_paper(self, delta: int) -> None:
        if self.papers.count():
            self.papers.setCurrentRow(max(0, min(self.papers.count() - 1, self.papers.currentRow() + delta)))

    def paper_text(self, w: PaperWork) -> str:
        head = f"{w.paper_no}. {w.name}"
        if w.exemption is not None:
            return fmt(self.tr("%1 — no copy: %2"), head, exemption_text(w.exemption))
        if w.reuse is not None:
            return fmt(
                self.tr("%1 — reused from dossier %2 (%3 pages)"), head, w.reuse.dossier_code, w.reuse.pages
            )
        if len(w.pages):
            declared = "?" if w.declared is None else str(w.declared)
            text = fmt(self.tr("%1 — %2/%3 pages, not stored yet"), head, len(w.pages), declared)
            return text + (self.tr(" — MISMATCH") if w.mismatch else "")
        s = w.stored
        if s is not None and s.exemption:
            return fmt(self.tr("%1 — stored: no copy (%2)"), head, exemption_text(s.exemption))
        if s is not None and s.sha256:
            return fmt(
                self.tr("%1 — stored: %2 pages%3 · OCR %4 · upload %5"),
                head,
                s.pages,
                self.tr(" (reused)") if s.reused else "",
                s.ocr_state,
                s.upload_state,
            )
        return fmt(self.tr("%1 — not digitised"), head)

    def refresh(self) -> None:
        """Redraw the papers list (keeping the current row) and the current paper's pages."""
        row = max(0, self.papers.currentRow())
        self._quiet = True
        self.papers.clear()
        for w in self.model.papers:
            item = QListWidgetItem(self.paper_text(w))
            if w.mismatch:
                item.setForeground(QColor("#b00020"))
            self.papers.addItem(item)
        if self.papers.count():
            self.papers.setCurrentRow(min(row, self.papers.count() - 1))
        self._quiet = False
        self._paper_changed()

    def _paper_changed(self) -> None:
        if self._quiet:
            return
        w = self.current
        keep = self.pages.currentRow()
        self.pages.clear()
        self._quiet = True
        self.declared.setValue(0 if w is None or w.declared is None else w.declared)
        self.exemption.setCurrentIndex(
            max(0, self.exemption.findData(w.exemption or "")) if w is not None else 0
        )
        self.reuse.clear()
        self.reuse.addItem(self.tr("—"), None)
        for o in self.model.offers:
            self.reuse.addItem(
                fmt(
                    self.tr("%1 (dossier %2, %3 pages, %4)"),
                    o.name,
                    o.dossier_code,
                    o.pages,
                    show_date(o.created_at.date()),
                ),
                o.file_id,
            )
        if w is not None:
            offer = w.reuse or self.model.offer_for(w.name)
            if offer is not None:
                self.reuse.setCurrentIndex(max(0, self.reuse.findData(offer.file_id)))
        self._quiet = False
        if w is None:
            return
        for n, page in enumerate(w.pages.pages, start=1):
            text = fmt(self.tr("Page %1"), n) + (self.tr(" + note") if page.note_image else "")
            item = QListWidgetItem(self._icon(page.image, page.rotation), text)
            self.pages.addItem(item)
        if self.pages.count():
            self.pages.setCurrentRow(min(max(keep, 0), self.pages.count() - 1))

    def _icon(self, key: str, rotation: int) -> QIcon:
        pix = self._pixmaps.get(key)
        if pix is None:
            pix = QPixmap()
            pix.loadFromData(self.model.images[key].thumbnail, "PNG")
            self._pixmaps[key] = pix
        if rotation:
            pix = pix.transformed(QTransform().rotate(90 * rotation))
        return QIcon(pix)

    def _declared_changed(self, value: int) -> None:
        w = self.current
        if self._quiet or w is None:
            return
        w.declared = value or None
        self._redraw_current()

    def _exemption_changed(self, _index: int) -> None:
        w = self.current
        if self._quiet or w is None:
            return
        value = self.exemption.currentData() or None
        w.exemption = value
        if value is not None:
            w.reuse = None
        self._redraw_current()

    def _redraw_current(self) -> None:
        w = self.current
        row = self.papers.currentRow()
        if w is None or row < 0:
            return
        item = self.papers.item(row)
        item.setText(self.paper_text(w))
        item.setForeground(QColor("#b00020") if w.mismatch else self.palette().text().color())

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)

    # --- work on the lanes --------------------------------------------------------------------------

    def _run(
        self, activity: str, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None], **kw: Any
    ) -> None:
        self.tasks += 1
        self.progress.show()
        self.activity.setText(activity)

        def done(value: object) -> None:
            self._task_over()
            on_done(value)

        def failed(exc: BaseException) -> None:
            self._task_over()
            self.say(error_text(exc), error=True)

        self.lane.run(fn, *args, on_done=done, on_error=failed, owner=self, **kw)

    def _task_over(self) -> None:
        self.tasks -= 1
        if self.tasks == 0:
            self.progress.hide()
            self.activity.setText("")

    def _scanners_found(self, devices: object) -> None:
        assert isinstance(devices, list)
        self.device.clear()
        for d in devices:
            self.device.addItem(device_label(d), d.name)
        if not devices:
            self.device.addItem(self.tr("no scanner found"), None)

    def scan(self) -> None:
        """F8: scan into the current paper (the whole feeder, or one page)."""
        w = self.current
        if w is None:
            return
        feeder = self.feeder.isChecked()
        self._run(
            self.tr("Scanning…"),
            dp.scan_pages,
            self.device.currentData(),
            feeder=feeder,
            resolution=self.resolution,
            on_done=partial(self._pages_in, w.key, feeder=feeder),
        )

    def add_files(self, paths: Sequence[str | Path]) -> None:
        """Files chosen or dropped: all their pages, at the end of the current paper."""
        w = self.current
        if w is None or not paths:
            return
        self._run(
            self.tr("Reading the files…"),
            dp.load_files,
            [Path(p) for p in paths],
            on_done=partial(self._pages_in, w.key, feeder=False),
        )

    def _pages_in(self, key: int, loaded: object, *, feeder: bool) -> None:
        assert isinstance(loaded, list)
        w = self.model.works.get(key)
        if w is None:
            return
        try:
            w.pages = w.pages.add(self.model.add_images(loaded))
        except DomainError as exc:
            self.say(error_text(exc), error=True)
            return
        if feeder and w.declared is None:
            w.declared = len(w.pages)  # the feeder reports the count; the operator corrects it if wrong
        w.exemption = None
        w.reuse = None
        self.say(fmt(self.tr("%1 page(s) added to %2."), len(loaded), w.name))
        self.refresh()

    def rescan_page(self) -> None:
        w, i = self.current, self.page_index
        if w is None or i < 0:
            return
        self._run(
            self.tr("Scanning…"),
            dp.scan_pages,
            self.device.currentData(),
            feeder=False,
            resolution=self.resolution,
            on_done=partial(self._page_replaced, w.key, i, note=False),
        )

    def scan_note(self) -> None:
        w, i = self.current, self.page_index
        if w is None or i < 0:
            return
        self._run(
            self.tr("Scanning the page with its sticky note…"),
            dp.scan_pages,
            self.device.currentData(),
            feeder=False,
            resolution=self.resolution,
            on_done=partial(self._page_replaced, w.key, i, note=True),
        )

    def add_note_files(self, paths: Sequence[str | Path]) -> None:
        """The selected page's sticky-note image from a file (a phone photo)."""
        w, i = self.current, self.page_index
        if w is None or i < 0 or not paths:
            return
        self._run(
            self.tr("Reading the files…"),
            dp.load_files,
            [Path(p) for p in paths][:1],
            on_done=partial(self._page_replaced, w.key, i, note=True),
        )

    def _page_replaced(self, key: int, index: int, loaded: object, *, note: bool) -> None:
        assert isinstance(loaded, list) and loaded
        w = self.model.works.get(key)
        if w is None:
            return
        (image,) = self.model.add_images(loaded[:1])
        try:
            w.pages = w.pages.add_note_image(index, image) if note else w.pages.rescan(index, image)
        except DomainError as exc:
            self.say(error_text(exc), error=True)
            return
        self.say(
            fmt(self.tr("Page %1: sticky-note image added."), index + 1)
            if note
            else fmt(self.tr("Page %1 scanned again."), index + 1)
        )
        self.refresh()

    def choose_files(self, *, note: bool = False) -> None:
        """Ctrl+O: files for the current paper; Ctrl+Shift+O: the selected page's sticky-note image."""
        dialog = QFileDialog(self, self.tr("Choose the scanned pages"))
        dialog.setObjectName("digitiseFiles")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter(
            fmt(self.tr("Images and PDF (%1)"), " ".join(f"*.{s} *.{s.upper()}" for s in FILE_SUFFIXES))
        )
        dialog.filesSelected.connect(self.add_note_files if note else self.add_files)
        self.file_dialog = dialog
        dialog.open()

    # --- page edits (pure, in the GUI thread) -----------------------------------------------------------

    def _edit(self, op: Callable[[dg.PageSet, int], dg.PageSet], select: Callable[[int], int]) -> None:
        w, i = self.current, self.page_index
        if w is None or i < 0:
            return
        w.pages = op(w.pages, i)
        self.refresh()
        if self.pages.count():
            self.pages.setCurrentRow(max(0, min(self.pages.count() - 1, select(i))))

    def delete_page(self) -> None:
        self._edit(lambda s, i: s.delete(i), lambda i: i)

    def move_page(self, delta: int) -> None:
        self._edit(lambda s, i: s.move(i, delta), lambda i: i + delta)

    def rotate_page(self) -> None:
        self._edit(lambda s, i: s.rotate(i), lambda i: i)

    # --- reuse, viewer ------------------------------------------------------------------------------

    def _load_offers(self) -> None:
        from app.services.files import reusable_papers

        if self.personal_id:
            self.ctx.worker.run(
                reusable_papers, self.ctx.store, self.personal_id, on_done=self._offers_loaded, owner=self
            )

    def _offers_loaded(self, offers: object) -> None:
        assert isinstance(offers, list)
        self.model.offers = offers
        self._paper_changed()

    def apply_reuse(self) -> None:
        """U: the paper chosen in "Reuse" (the one of the same name is chosen already) is linked."""
        w = self.current
        file_id = self.reuse.currentData()
        offer = next((o for o in self.model.offers if o.file_id == file_id), None)
        if w is None:
            return
        if offer is None:
            self.say(self.tr("No digitised paper of this citizen to reuse."), error=True)
            return
        w.clear()
        w.reuse = offer
        self.say(fmt(self.tr("%1: reused from dossier %2."), w.name, offer.dossier_code))
        self.refresh()

    def view_file(self) -> None:
        """V: the stored file of the current paper (or of the paper it reuses) in the viewer."""
        w = self.current
        if w is None:
            return
        sha256 = (w.reuse.sha256 if w.reuse else None) or (w.stored.sha256 if w.stored else None)
        if not sha256:
            self.say(self.tr("This paper has no stored file yet."), error=True)
            return
        self._run(
            self.tr("Opening the file…"),
            dp.read_file,
            self.ctx.store,
            sha256,
            on_done=partial(self._open_viewer, w.name),
        )

    def _open_viewer(self, name: str, data: object) -> None:
        from app.ui.dialogs.file_viewer import FileViewer

        assert isinstance(data, bytes)
        viewer = FileViewer(self, name, data)
        viewer.finished.connect(self._viewer_closed)
        self.viewer = viewer
        viewer.open()

    def _viewer_closed(self, _result: int) -> None:
        self.viewer = None
        self.activateWindow()
        self.papers.setFocus()

    # --- the dossier screen: stored files, storing ----------------------------------------------------

    def reload(self) -> None:
        if self.ref is not None:
            self.ctx.worker.run(
                dossier_files, self.ctx.store, self.ref, on_done=self._files_loaded, owner=self
            )
            self._load_offers()

    def _files_loaded(self, listing: object) -> None:
        assert isinstance(listing, DossierFiles)
        papers = [p for p in listing.papers if p.kind == "paper"]
        self.model.set_papers([(p.paper_no, p.paper_no, p.name) for p in papers])
        for p in papers:
            self.model.works[p.paper_no].stored = p
        self.refresh()

    def store_changes(self) -> None:
        """Ctrl+S (dossier screen): the papers changed, each checked, compressed, then stored."""
        if self.ref is None:
            return
        works = self.model.pending()
        if not works:
            self.say(self.tr("Nothing to store: scan or choose pages first."), error=True)
            return
        try:
            check_counts(works)
        except DomainError as exc:
            self.say("\n".join(message(p) for p in exc.problems), error=True)
            return
        rows, images = snapshot(self.model, works)
        self._run(self.tr("Compressing the pages…"), prepare_all, rows, images, on_done=self._prepared)

    def _prepared(self, papers: object) -> None:
        assert isinstance(papers, list)
        self.tasks += 1
        self.progress.show()
        self.activity.setText(self.tr("Storing…"))
        self.ctx.worker.run(
            dp.store_papers,
            self.ctx.store,
            self.ctx.actor,
            self.ref,
            papers,
            on_done=self._stored,
            on_error=self._store_failed,
            owner=self,
        )

    def _stored(self, results: object) -> None:
        assert isinstance(results, list)
        self._task_over()
        for r in results:
            work = self.model.works.get(r.paper_no)
            if work is not None:
                work.clear()
        self.say(fmt(self.tr("%1 paper(s) stored. Text recognition runs in the background."), len(results)))
        self.stored.emit()
        self.reload()
        self.poll_ocr()

    def _store_failed(self, exc: BaseException) -> None:
        self._task_over()
        self.say(error_text(exc), error=True)

    # --- OCR progress ----------------------------------------------------------------------------------

    def poll_ocr(self) -> None:
        if not self.ctx.worker.idle:
            return  # the database lane is busy: ask at the next tick
        self.ctx.worker.run(pending_ocr_count, self.ctx.store, on_done=self._ocr_count, owner=self)

    def _ocr_count(self, n: object) -> None:
        assert isinstance(n, int)
        self.ocr.setText(
            fmt(self.tr("Text recognition (OCR): %1 file(s) waiting"), n)
            if n
            else self.tr("Text recognition (OCR): nothing waiting")
        )

    def done(self, result: int) -> None:  # noqa: D102 (QDialog's)
        self._ocr_timer.stop()
        super().done(result)

    # --- drops --------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.add_files(paths)


def device_label(d: Device) -> str:
    """A scanner as the operator knows it. SANE names its devices readably (``test:0``, ``genesys:…``). On
    Windows one scanner can appear twice, through its TWAIN and its WIA driver, and WIA's id is a GUID: the
    scanner's own name is shown, with the driver's kind."""
    if d.kind in ("TWAIN", "WIA"):
        return f"{d.model} — {d.vendor} ({d.kind})" if d.vendor else f"{d.model} ({d.kind})"
    return f"{d.name} — {d.vendor} {d.model}".strip(" —")
