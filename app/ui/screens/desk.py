"""The desk: today's dossiers, due soon, overdue, awaiting a supplement, results to hand back, forwarded
out and in, and an instant search (code, ID number, phone, name without diacritics). Keyboard only:
type to search, ↓ into the table, Enter opens a dossier, Alt+1…8 switch lists, Esc clears the search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFocusEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.desk_lists import LISTS, DeskRow, desk_counts, desk_list, find_rows
from app.ui.errors import show_error
from app.ui.i18n import fmt, show_datetime
from app.ui.labels import list_label, pdf_file_name, status_label
from app.ui.shell.context import UiContext

SEARCH_MS = 150
URGENCY_COLOURS = {"overdue": QColor("#f8d7da"), "due_soon": QColor("#fff3cd")}
_URGENCY_BRUSHES = {urgency: QBrush(colour) for urgency, colour in URGENCY_COLOURS.items()}
_DARK_TEXT = QBrush(QColor("#202020"))
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class DeskTableModel(QAbstractTableModel):
    """The rows of a desk list. The view asks :meth:`data` for every visible cell and role at each paint,
    on the GUI thread: a row's seven texts are made once, the first time one of them is asked for."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[DeskRow] = []
        self._texts: list[tuple[str, ...] | None] = []

    def headers(self) -> list[str]:
        return [
            self.tr("Code"),
            self.tr("Applicant"),
            self.tr("Procedure"),
            self.tr("Status"),
            self.tr("Received"),
            self.tr("Due"),
            self.tr("Handling agency"),
        ]

    def set_rows(self, rows: Sequence[DeskRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._texts = [None] * len(self.rows)
        self.endResetModel()

    def _row_texts(self, i: int) -> tuple[str, ...]:
        texts = self._texts[i]
        if texts is None:
            row = self.rows[i]
            texts = self._texts[i] = (
                row.code or self.tr("(no number)"),
                row.applicant_name,
                row.procedure_name,
                status_label(row.status),
                show_datetime(row.received_at),
                show_datetime(row.due_at),
                row.handling_agency,
            )
        return texts

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 7

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        i = index.row()
        if not index.isValid() or not 0 <= i < len(self.rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_texts(i)[index.column()]
        row = self.rows[i]
        if role == Qt.ItemDataRole.BackgroundRole:
            return _URGENCY_BRUSHES.get(row.urgency)
        if role == Qt.ItemDataRole.ForegroundRole:
            return _DARK_TEXT if row.urgency in URGENCY_COLOURS else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.urgency == "overdue":
                return self.tr("Overdue")
            if row.urgency == "due_soon":
                return self.tr("Due soon")
            return row.procedure_name if index.column() == 2 else None
        if role == ID_ROLE:
            return row.dossier_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers()[section]
        return None


class DeskPage(QWidget):
    # The id of the dossier to open in the detail screen.
    open_dossier = Signal(str)
    # A batch forward printed its hand-over slip: (PDF, title, file name).
    document = Signal(bytes, str, str)
    # Dossiers changed (a batch forward): counters elsewhere should reload.
    changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deskPage")
        self.ctx = ctx
        self.kind = "today"
        self.query = ""
        self._seq = 0
        # Enter was pressed in the search box before its answer came: open the dossier if it is the only one.
        self._open_single = False
        self.counts: dict[str, int] = {}
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        caption = QLabel(self.tr("&Search:"), self)
        self.search = QLineEdit(self)
        self.search.setObjectName("deskSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            self.tr("Code, ID number, phone or name (no diacritics needed) — Ctrl+F")
        )
        caption.setBuddy(self.search)
        top.addWidget(caption)
        top.addWidget(self.search, 1)
        layout.addLayout(top)
        self.tabs = QTabBar(self)
        self.tabs.setObjectName("deskLists")
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for kind in LISTS:
            self.tabs.addTab(list_label(kind))
        self.tabs.currentChanged.connect(self._tab_changed)
        layout.addWidget(self.tabs)
        self.model = DeskTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("deskTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((200, 170, 290, 150, 120, 120)):
            self.table.setColumnWidth(col, width)
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table, 1)
        # "Chờ chuyển": several dossiers chosen (Shift/Ctrl + arrows or clicks, Ctrl+A), forwarded at once.
        batch = QHBoxLayout()
        self.batch_hint = QLabel(
            self.tr("Select several with Shift+↓ or Ctrl+click (Ctrl+A all), then F7"), self
        )
        self.batch_hint.setEnabled(False)
        self.forward_button = QPushButton(
            self.tr("Forward the selected and print one hand-over slip (F7)"), self
        )
        self.forward_button.setObjectName("forwardSelected")
        self.forward_button.clicked.connect(self.forward_selected)
        batch.addWidget(self.batch_hint, 1)
        batch.addWidget(self.forward_button)
        layout.addLayout(batch)
        forward_key = QShortcut(QKeySequence(Qt.Key.Key_F7), self)
        forward_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        forward_key.activated.connect(self.forward_selected)
        self.confirm: QMessageBox | None = None
        self.forwarding = False
        self._batch_widgets_shown(False)
        bottom = QHBoxLayout()
        self.summary = QLabel("", self)
        self.summary.setObjectName("deskSummary")
        bottom.addWidget(self.summary, 1)
        for urgency, text in (("due_soon", self.tr("Due soon")), ("overdue", self.tr("Overdue"))):
            swatch = QLabel(f"  {text}  ", self)
            swatch.setStyleSheet(f"background: {URGENCY_COLOURS[urgency].name()}; color: #202020;")
            bottom.addWidget(swatch)
        hint = QLabel(
            self.tr("Enter opens (in the search box: the only hit) · Alt+1…8 lists · Esc clears the search"),
            self,
        )
        hint.setEnabled(False)
        bottom.addWidget(hint)
        layout.addLayout(bottom)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_MS)
        self._search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.installEventFilter(self)
        self.table.installEventFilter(self)
        for i in range(len(LISTS)):
            shortcut = QShortcut(QKeySequence(f"Alt+{i + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda i=i: self.show_list(LISTS[i]))
        self.setFocusProxy(self.search)

    # --- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the current list (or search) and the counts."""
        if self.query:
            self._run_search()
        else:
            self._load_list()
        self.ctx.worker.run(desk_counts, self.ctx.store, on_done=self._counts_loaded, owner=self)

    def show_list(self, kind: str) -> None:
        self.tabs.setCurrentIndex(LISTS.index(kind))  # → _tab_changed

    def _tab_changed(self, index: int) -> None:
        self.kind = LISTS[index]
        self._batch_widgets_shown(self.kind == "to_forward")
        if self.search.text():
            self.search.clear()  # → the list after the debounce
        self._load_list()
        self.table.setFocus()

    def _load_list(self) -> None:
        self._seq += 1
        seq = self._seq
        kind = self.kind
        self.ctx.worker.run(
            desk_list,
            self.ctx.store,
            kind,
            on_done=lambda rows: self._rows_loaded(seq, rows, kind),
            owner=self,
        )

    def _run_search(self) -> None:
        self.query = self.search.text().strip()
        if not self.query:
            self._load_list()
            return
        self._seq += 1
        seq = self._seq
        self.ctx.worker.run(
            find_rows,
            self.ctx.store,
            self.query,
            on_done=lambda rows: self._rows_loaded(seq, rows, "search"),
            owner=self,
        )

    def _rows_loaded(self, seq: int, rows: object, kind: str) -> None:
        if seq != self._seq:
            return  # an older answer
        assert isinstance(rows, list)
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        open_single, self._open_single = self._open_single, False
        if open_single and kind == "search":
            if len(rows) == 1:
                self._activated(self.model.index(0, 0))
            elif rows:
                self.table.setFocus()
        self.summary.setText(fmt(self.tr("%1: %2 dossier(s)"), list_label(kind), len(rows)))

    def _counts_loaded(self, counts: object) -> None:
        assert isinstance(counts, dict)
        self.counts = counts
        for i, kind in enumerate(LISTS):
            n = counts.get(kind, 0)
            self.tabs.setTabText(i, f"{list_label(kind)} ({n})" if n else list_label(kind))

    # --- keyboard --------------------------------------------------------------------------------

    def current_dossier_id(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.data(index, ID_ROLE) if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        dossier_id = self.model.data(index, ID_ROLE)
        if dossier_id:
            self.open_dossier.emit(dossier_id)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.FocusIn:
            assert isinstance(event, QFocusEvent)
            if event.reason() != Qt.FocusReason.MouseFocusReason:
                # Coming back to the desk: what is typed replaces the last search, not adds to it.
                self.search.selectAll()
            return False
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if obj is self.search:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.search.text().strip():
                if self._search_timer.isActive() or self.query != self.search.text().strip():
                    self._search_timer.stop()
                    self._open_single = True  # the answer opens its dossier if it is the only one
                    self._run_search()
                    return True
                if len(self.model.rows) == 1:
                    self._activated(self.model.index(0, 0))
                    return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) or (
                key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.model.rows
            ):
                if self._search_timer.isActive():
                    self._search_timer.stop()
                    self._run_search()
                self.table.setFocus()
                if not self.table.currentIndex().isValid() and self.model.rows:
                    self.table.selectRow(0)
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        elif obj is self.table:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._activated(self.table.currentIndex())
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self.search.setFocus()
                return True
            if key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
                self.search.setFocus()
                return True
            text = event.text()
            if (
                text
                and text.isprintable()
                and not event.modifiers()
                & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
            ):
                self.search.setFocus()  # typing in the table searches
                self.search.insert(text)
                return True
        return False

    # --- batch forward ("Chờ chuyển") -----------------------------------------------------------

    def _batch_widgets_shown(self, shown: bool) -> None:
        self.batch_hint.setVisible(shown)
        self.forward_button.setVisible(shown)
        self.table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection
            if shown
            else QAbstractItemView.SelectionMode.SingleSelection
        )

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].dossier_id for r in rows if r < len(self.model.rows)]

    def forward_selected(self) -> QMessageBox | None:
        """F7 in "Chờ chuyển": ask, then forward the selected dossiers and print one hand-over slip."""
        if self.kind != "to_forward" or self.query or self.forwarding or self.ctx.session is None:
            return None
        ids = self.selected_ids()
        if not ids:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Forward dossiers"),
            fmt(
                self.tr(
                    "Forward the %1 selected dossier(s) to the agency that resolves them "
                    "and print one hand-over slip?"
                ),
                len(ids),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("forwardConfirm")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self._forward(ids))
        box.finished.connect(lambda _r: setattr(self, "confirm", None))
        self.confirm = box
        box.open()
        return box

    def _forward(self, ids: list[str]) -> None:
        from app.services.batch import forward_batch

        self.forwarding = True
        self.ctx.worker.run(
            forward_batch,
            self.ctx.store,
            self.ctx.actor,
            ids,
            on_done=self._forwarded,
            on_error=self._forward_failed,
            owner=self,
        )

    def _forwarded(self, outcome: object) -> None:
        from app.services.batch import BatchForward

        assert isinstance(outcome, BatchForward)
        self.forwarding = False
        self.summary.setText(
            fmt(self.tr("Forwarded %1 dossier(s) to %2."), len(outcome.results), outcome.agency)
        )
        self.refresh()
        self.changed.emit()
        self.document.emit(
            outcome.pdf,
            fmt(self.tr("Hand-over slip — %1"), outcome.agency),
            pdf_file_name("forward", f"{outcome.forwarded_at:%Y%m%d-%H%M}"),
        )

    def _forward_failed(self, exc: BaseException) -> None:
        self.forwarding = False
        box = show_error(self, exc)
        box.finished.connect(self._back_to_table)  # the selection is still there: change it, F7 again

    def _back_to_table(self) -> None:
        self.window().activateWindow()
        self.table.setFocus()

    def search_for(self, text: str) -> None:
        """Search at once (e.g. a scanned ID card on the desk)."""
        self.search.setText(text)
        self._search_timer.stop()
        self._run_search()
        self.search.setFocus()
