"""Sync › Rejected events…: what the provincial server refused for good (a transition no longer legal, a
code already used…), with the server's reason, so the operator can act on the dossier. The rest of the
queue is not held up by these events."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.sync.service import QUARANTINED_TYPE, ParkedRow
from app.ui.i18n import show_datetime
from app.ui.shell.screenfit import fit_size


def event_type_label(event_type: str) -> str:
    labels = {
        "dossier.received": QCoreApplication.translate("Parked", "Dossier received"),
        "dossier.transition": QCoreApplication.translate("Parked", "Status change"),
        QUARANTINED_TYPE: QCoreApplication.translate("Parked", "Server change not applied (quarantined)"),
    }
    return labels.get(event_type, event_type)


class ParkedDialog(QDialog):
    #: The id of the dossier the operator wants to open (Enter or double-click on a row).
    open_dossier = Signal(str)

    COLUMNS = 4

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("parkedDialog")
        self.setWindowTitle(self.tr("Events rejected by the server"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_size(self, 860, 420)
        self.rows: list[ParkedRow] = []
        layout = QVBoxLayout(self)
        self.caption = QLabel(self.tr("Loading…"), self)
        self.caption.setObjectName("parkedCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("parkedTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Dossier"), self.tr("Event"), self.tr("Reason given by the server")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(self.COLUMNS - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMNS - 1, QHeaderView.ResizeMode.Stretch)
        self.table.cellActivated.connect(self._activated)
        self.table.cellDoubleClicked.connect(self._activated)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("&Close"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.setFocus()

    def set_rows(self, rows: Sequence[ParkedRow]) -> None:
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            cells = (
                show_datetime(r.created_at),
                r.code or r.dossier_id,
                event_type_label(r.type),
                r.reason,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, col, item)
        self.table.resizeRowsToContents()
        if self.rows:
            self.caption.setText(
                self.tr(
                    "%n event(s) were refused for good by the provincial server. The other changes keep "
                    "syncing. Check each dossier (Enter opens it) and redo the action if needed.",
                    "",
                    len(self.rows),
                )
            )
            self.table.selectRow(0)
        else:
            self.caption.setText(self.tr("The server has refused no event."))

    def _activated(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.rows):
            self.open_dossier.emit(self.rows[row].dossier_id)
