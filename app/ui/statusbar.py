"""The status bar: centre, operator, connection, events waiting to sync, last sync, clock warning, and a
busy indicator while the worker runs something long."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from app.ui.i18n import fmt, show_datetime

BUSY_DELAY_MS = 250
SYNC_STATES = ("offline", "online", "syncing")


class DeskStatusBar(QStatusBar):
    def __init__(self, centre_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deskStatusBar")
        self.centre_label = QLabel(centre_name or self.tr("No centre"), self)
        self.centre_label.setObjectName("statusCentre")
        self.operator_label = QLabel(self.tr("Not logged in"), self)
        self.operator_label.setObjectName("statusOperator")
        self.connection_label = QLabel(self.tr("Offline"), self)
        self.connection_label.setObjectName("statusConnection")
        self.pending_label = QLabel("", self)
        self.pending_label.setObjectName("statusPending")
        self.last_sync_label = QLabel("", self)
        self.last_sync_label.setObjectName("statusLastSync")
        self.clock_label = QLabel("", self)
        self.clock_label.setObjectName("statusClock")
        self.clock_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.clock_label.hide()
        self.busy = QProgressBar(self)
        self.busy.setObjectName("statusBusy")
        self.busy.setRange(0, 0)  # an indeterminate "working…" bar
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self.busy.show)
        self.addWidget(self.centre_label, 1)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.clock_label)
        self.addPermanentWidget(self.operator_label)
        self.addPermanentWidget(self.connection_label)
        self.addPermanentWidget(self.pending_label)
        self.addPermanentWidget(self.last_sync_label)
        self.state = "offline"
        self.set_sync_state("offline", 0, None)

    def set_operator(self, full_name: str | None, workstation: str = "") -> None:
        if not full_name:
            self.operator_label.setText(self.tr("Not logged in"))
        elif workstation:
            self.operator_label.setText(fmt(self.tr("Operator: %1 · %2"), full_name, workstation))
        else:
            self.operator_label.setText(fmt(self.tr("Operator: %1"), full_name))

    @Slot(str, int, object)
    def set_sync_state(self, state: str, pending: int, last_sync: datetime | None) -> None:
        """For the sync engine: "offline", "online" or "syncing", events waiting, time of the last sync."""
        self.state = state if state in SYNC_STATES else "offline"
        self.connection_label.setText(
            {"online": self.tr("Online"), "syncing": self.tr("Syncing…")}.get(self.state, self.tr("Offline"))
        )
        self.set_pending(pending)
        self.last_sync_label.setText(
            fmt(self.tr("Last sync: %1"), show_datetime(last_sync)) if last_sync else self.tr("Never synced")
        )

    @Slot(int)
    def set_pending(self, pending: int) -> None:
        self.pending_label.setText(fmt(self.tr("To sync: %1"), pending))

    @Slot(object)
    def set_clock_warning(self, skew_seconds: float | None) -> None:
        """Show a warning when this computer's clock is off (``None`` or a small skew hides it)."""
        if skew_seconds is None or abs(skew_seconds) < 60:
            self.clock_label.hide()
            return
        minutes = round(abs(skew_seconds) / 60)
        text = (
            fmt(self.tr("Clock %1 min fast: fix the date and time"), minutes)
            if skew_seconds > 0
            else fmt(self.tr("Clock %1 min slow: fix the date and time"), minutes)
        )
        self.clock_label.setText(text)
        self.clock_label.show()

    @Slot(bool)
    def set_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy.hide()
