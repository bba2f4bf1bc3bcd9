"""Reconciliation with the national portal (issue 20 item 5), opened from the dashboard: the centre's
dossiers received in a period against what the portal acknowledged, as of the desk's last sync round, with
the reason for each difference (app/services/reconcile.py). Computed on the worker lane; the GUI thread only
fills the table."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import pick
from app.domain.reconcile import Reason
from app.services.reconcile import ReconcileReport, reconcile
from app.ui.dialogs.common import DateEdit
from app.ui.i18n import current_language, fmt
from app.ui.shell.context import UiContext
from app.ui.shell.screenfit import fit_size


def _pydate(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


class ReconcileDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reconcileDialog")
        self.setWindowTitle(self.tr("Reconciliation with the national portal"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_size(self, 820, 480)
        self.ctx = ctx
        self.report: ReconcileReport | None = None
        self.loading = False
        today = today or date.today()
        row = QHBoxLayout()
        self.first = DateEdit(QDate(today.year, today.month, 1), self)
        self.first.setObjectName("reconcileFrom")
        self.first.setCalendarPopup(True)
        self.last = DateEdit(QDate(today.year, today.month, today.day), self)
        self.last.setObjectName("reconcileTo")
        self.last.setCalendarPopup(True)
        first_caption = QLabel(self.tr("&From:"), self)
        first_caption.setBuddy(self.first)
        last_caption = QLabel(self.tr("&To:"), self)
        last_caption.setBuddy(self.last)
        self.run_button = QPushButton(self.tr("&Compare"), self)
        self.run_button.setObjectName("reconcileRun")
        self.run_button.clicked.connect(self.refresh)
        for w in (first_caption, self.first, last_caption, self.last, self.run_button):
            row.addWidget(w)
        row.addStretch(1)
        self.summary = QLabel(self)
        self.summary.setObjectName("reconcileSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("reconcileTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Code"),
                self.tr("Reason"),
                self.tr("Status here"),
                self.tr("On the portal"),
                self.tr("Detail"),
            ]
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self._reasons = {
            Reason.NEVER_SYNCED: self.tr("Never synced"),
            Reason.SYNCED_LATE: self.tr("Synced late"),
            Reason.STATUS_DIFFERS: self.tr("Status differs"),
        }

    def refresh(self) -> None:
        """Compare on the worker lane; the table follows when the answer arrives."""
        if self.loading:
            return
        self.loading = True
        self.run_button.setEnabled(False)
        self.summary.setText(self.tr("Comparing…"))
        self.ctx.worker.run(
            reconcile,
            self.ctx.store,
            _pydate(self.first.date()),
            _pydate(self.last.date()),
            on_done=self._show,
            on_error=self._failed,
            owner=self,
        )

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.run_button.setEnabled(True)
        self.summary.setText(self.tr("The comparison could not be made."))
        self.ctx.worker.default_error_handler(exc)

    def _show(self, value: object) -> None:
        self.loading = False
        self.run_button.setEnabled(True)
        assert isinstance(value, ReconcileReport)
        self.report = value
        as_of = (
            fmt(self.tr("as of the last sync round, %1"), value.as_of.strftime("%d/%m/%Y %H:%M"))
            if value.as_of is not None
            else self.tr("never synced: what the portal holds is unknown")
        )
        self.summary.setText(
            fmt(
                self.tr("Dossiers here: %1 · acknowledged by the portal: %2 · differences: %3 (%4)"),
                str(value.known),
                str(value.acknowledged),
                str(len(value.differences)),
                as_of,
            )
        )
        lang = current_language()
        self.table.setRowCount(len(value.differences))
        for i, d in enumerate(value.differences):
            cells = (
                d.code,
                self._reasons[d.reason],
                str(d.ours) if d.ours is not None else "—",
                str(d.portal) if d.portal is not None else "—",
                pick(lang, d.detail_vi, d.detail_en),
            )
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
