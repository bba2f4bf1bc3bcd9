"""The "Hồ sơ trực tuyến" inbox: dossiers submitted on the national portal for this centre, the most urgent
first, with their acceptance deadline (amber when 2 working hours or less are left, red once passed), the
attached files, and the decision: accept (our code and due date now), refuse with a reason, or ask the citizen
for a supplement before acceptance (the papers missing and a reason: the clock stops until the citizen sends
it on the portal). Decisions are ordinary outbox events: they work offline and reach the portal through the
server (app/services/online.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import online
from app.services.online import OnlineItem
from app.ui.errors import error_text
from app.ui.i18n import fmt, show_datetime
from app.ui.shell.context import UiContext

LEVEL_COLOURS = {"near": QColor("#fff3cd"), "late": QColor("#f8d7da")}
_DARK_TEXT = QBrush(QColor("#202020"))


class OnlineInboxPage(QWidget):
    # A decision was recorded (the dossier's id): the sync should run.
    changed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onlineInbox")
        self.ctx = ctx
        self.items: list[OnlineItem] = []
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("onlineTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Portal id"),
                self.tr("Applicant"),
                self.tr("Procedure"),
                self.tr("Submitted"),
                self.tr("Accept by"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((170, 180, 320, 140)):
            self.table.setColumnWidth(col, width)
        self.table.currentCellChanged.connect(lambda *_: self._show_files())
        layout.addWidget(self.table, 3)
        files_caption = QLabel(self.tr("Attached &files:"), self)
        self.files = QListWidget(self)
        self.files.setObjectName("onlineFiles")
        files_caption.setBuddy(self.files)
        layout.addWidget(files_caption)
        layout.addWidget(self.files, 1)
        row = QHBoxLayout()
        self.accept_button = QPushButton(self.tr("&Accept"), self)
        self.accept_button.setObjectName("onlineAccept")
        self.accept_button.clicked.connect(self.accept)
        reason_caption = QLabel(self.tr("Re&ason (refusal or supplement):"), self)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("onlineReason")
        reason_caption.setBuddy(self.reason)
        self.refuse_button = QPushButton(self.tr("&Refuse"), self)
        self.refuse_button.setObjectName("onlineRefuse")
        self.refuse_button.clicked.connect(self.refuse)
        row.addWidget(self.accept_button)
        row.addSpacing(24)
        row.addWidget(reason_caption)
        row.addWidget(self.reason, 1)
        row.addWidget(self.refuse_button)
        layout.addLayout(row)
        supplement_row = QHBoxLayout()
        missing_caption = QLabel(self.tr("&Missing papers (separate with ;):"), self)
        self.missing = QLineEdit(self)
        self.missing.setObjectName("onlineMissing")
        missing_caption.setBuddy(self.missing)
        self.supplement_button = QPushButton(self.tr("Ask for a su&pplement"), self)
        self.supplement_button.setObjectName("onlineSupplement")
        self.supplement_button.setToolTip(
            self.tr(
                "The reason above goes with it; the acceptance clock stops until the citizen supplements."
            )
        )
        self.supplement_button.clicked.connect(self.ask_supplement)
        supplement_row.addWidget(missing_caption)
        supplement_row.addWidget(self.missing, 1)
        supplement_row.addWidget(self.supplement_button)
        layout.addLayout(supplement_row)
        bottom = QHBoxLayout()
        self.message = QLabel("", self)
        self.message.setObjectName("onlineMessage")
        self.message.setWordWrap(True)
        bottom.addWidget(self.message, 1)
        for level, text in (("near", self.tr("Due soon")), ("late", self.tr("Overdue"))):
            swatch = QLabel(f"  {text}  ", self)
            swatch.setStyleSheet(f"background: {LEVEL_COLOURS[level].name()}; color: #202020;")
            bottom.addWidget(swatch)
        layout.addLayout(bottom)
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.ctx.worker.run(online.inbox, self.ctx.store, on_done=self._loaded, owner=self)

    def _loaded(self, items: object) -> None:
        assert isinstance(items, list)
        self.items = items
        self.table.setRowCount(len(items))
        for r, item in enumerate(items):
            texts = (
                item.portal_id,
                item.applicant,
                item.procedure_name,
                show_datetime(item.submitted_at),
                self.tr("Waiting for the citizen's supplement")
                if item.level == "waiting"
                else show_datetime(item.acceptance_due_at),
            )
            for c, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                colour = LEVEL_COLOURS.get(item.level)
                if colour is not None:
                    cell.setBackground(QBrush(colour))
                    cell.setForeground(_DARK_TEXT)
                    cell.setToolTip(self.tr("Overdue") if item.level == "late" else self.tr("Due soon"))
                self.table.setItem(r, c, cell)
        if items:
            self.table.selectRow(0)
        self._show_files()
        self._update_buttons()

    def current(self) -> OnlineItem | None:
        r = self.table.currentRow()
        return self.items[r] if 0 <= r < len(self.items) else None

    def _show_files(self) -> None:
        self.files.clear()
        item = self.current()
        for paper in item.papers if item is not None else []:
            url = paper.get("file_url") or ""
            self.files.addItem(f"{paper.get('name', '')}  {url}".strip())
        if item is not None and item.level == "waiting":
            self.files.addItem(
                fmt(self.tr("Asked for: %1 (%2)"), "; ".join(item.missing), item.supplement_reason)
            )
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.current()
        has = item is not None
        waiting = item is not None and item.level == "waiting"
        self.accept_button.setEnabled(has and not waiting)
        self.refuse_button.setEnabled(has)
        self.supplement_button.setEnabled(has and not waiting)

    # --- decisions -------------------------------------------------------------------------------

    def accept(self) -> None:
        item = self.current()
        if item is None:
            return
        self.ctx.worker.run(
            online.accept,
            self.ctx.store,
            self.ctx.actor,
            item.dossier_id,
            on_done=self._accepted,
            on_error=self._failed,
            owner=self,
        )

    def refuse(self) -> None:
        item = self.current()
        if item is None:
            return
        self.ctx.worker.run(
            online.refuse,
            self.ctx.store,
            self.ctx.actor,
            item.dossier_id,
            self.reason.text(),
            on_done=self._refused,
            on_error=self._failed,
            owner=self,
        )

    def ask_supplement(self) -> None:
        item = self.current()
        if item is None:
            return
        self.ctx.worker.run(
            online.ask_supplement,
            self.ctx.store,
            self.ctx.actor,
            item.dossier_id,
            self.missing.text().split(";"),
            self.reason.text(),
            on_done=self._asked,
            on_error=self._failed,
            owner=self,
        )

    def _asked(self, result: Any) -> None:
        self.reason.clear()
        self.missing.clear()
        self.message.setText(
            self.tr("Supplement asked for; the request goes to the portal and the acceptance clock stops.")
        )
        self.changed.emit(result.dossier_id)
        self.refresh()

    def _accepted(self, result: Any) -> None:
        self.message.setText(
            fmt(self.tr("Accepted as %1, due %2."), result.code, show_datetime(result.due_at))
        )
        self.changed.emit(result.dossier_id)
        self.refresh()

    def _refused(self, result: Any) -> None:
        self.reason.clear()
        self.message.setText(self.tr("Refused; the reason goes back to the portal."))
        self.changed.emit(result.dossier_id)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(error_text(exc))

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.reason.hasFocus():
            self.refuse()
            return
        super().keyPressEvent(event)
