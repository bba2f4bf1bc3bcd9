"""The citizen's earlier dossiers, shown beside the intake form right after their ID card is scanned
(e.g. "a result waiting to be handed back"): Alt+K goes to the list, Enter (or a double click) opens one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGroupBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.services.desk_lists import DeskRow, find_rows
from app.ui.i18n import fmt, show_date
from app.ui.labels import status_label
from app.ui.lanes.worker import Worker

ID_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_ROWS = 20


class HistoryList(QListWidget):
    """Enter opens the current dossier."""

    chosen = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.chosen.emit(str(item.data(ID_ROLE)))
            return
        super().keyPressEvent(event)


class CitizenHistory(QGroupBox):
    open_dossier = Signal(str)

    def __init__(self, worker: Worker, store: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("citizenHistory")
        self._worker = worker
        self._store = store
        self._seq = 0
        self.personal_id = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.list = HistoryList(self)
        self.list.setObjectName("historyList")
        self.list.setMaximumHeight(96)
        self.list.chosen.connect(self.open_dossier)
        self.list.itemDoubleClicked.connect(lambda item: self.open_dossier.emit(str(item.data(ID_ROLE))))
        layout.addWidget(self.list)
        self.hide()

    def look_up(self, personal_id: str) -> None:
        """The dossiers of this ID number (on the worker); the box shows itself if there are any."""
        self._seq += 1
        self.personal_id = personal_id
        if not personal_id:
            self.clear()
            return
        seq = self._seq
        self._worker.run(
            find_rows, self._store, personal_id, on_done=lambda rows: self._found(seq, rows), owner=self
        )

    def clear(self) -> None:
        self._seq += 1
        self.personal_id = ""
        self.list.clear()
        self.hide()

    def _found(self, seq: int, rows: object) -> None:
        if seq != self._seq:
            return
        assert isinstance(rows, list)
        self.list.clear()
        mine = [r for r in rows if isinstance(r, DeskRow) and r.personal_id == self.personal_id][:MAX_ROWS]
        for r in mine:
            item = QListWidgetItem(
                fmt(
                    self.tr("%1 · %2 · %3 · received %4"),
                    r.code or self.tr("(no number)"),
                    r.procedure_name,
                    status_label(r.status),
                    show_date(r.received_at.date()),
                )
            )
            item.setData(ID_ROLE, r.dossier_id)
            item.setToolTip(item.text())
            self.list.addItem(item)
        self.setTitle(fmt(self.tr("Earlier dossiers of this citizen (%1) — Alt+K, Enter opens"), len(mine)))
        if mine:
            self.list.setCurrentRow(0)
        self.setVisible(bool(mine))
