"""The status bar: centre, operator, connection, events waiting to sync, events the server rejected, last
sync, clock warning, and a busy indicator while the worker runs something long."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from app.ui.i18n import fmt, show_datetime

BUSY_DELAY_MS = 250
SYNC_STATES = ("offline", "online", "syncing", "error", "not_enrolled", "clock")


class DeskStatusBar(QStatusBar):
    #: The operator clicked the count of rejected events.
    parked_clicked = Signal()

    def __init__(self, centre_name: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deskStatusBar")
        # None: the store is not open yet (the centre is unknown, not missing).
        self.centre_label = QLabel("" if centre_name is None else centre_name or self.tr("No centre"), self)
        self.centre_label.setObjectName("statusCentre")
        self.operator_label = QLabel(self.tr("Not logged in"), self)
        self.operator_label.setObjectName("statusOperator")
        self.connection_label = QLabel(self.tr("Offline"), self)
        self.connection_label.setObjectName("statusConnection")
        self.pending_label = QLabel("", self)
        self.pending_label.setObjectName("statusPending")
        self.parked_label = QLabel("", self)
        self.parked_label.setObjectName("statusParked")
        self.parked_label.setStyleSheet("color: #b00020;")
        self.parked_label.linkActivated.connect(lambda _link: self.parked_clicked.emit())
        self.parked_label.hide()
        self.files_label = QLabel("", self)
        self.files_label.setObjectName("statusFiles")
        self.files_label.hide()
        self.last_sync_label = QLabel("", self)
        self.last_sync_label.setObjectName("statusLastSync")
        self.clock_label = QLabel("", self)
        self.clock_label.setObjectName("statusClock")
        self.clock_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.clock_label.hide()
        self.unencrypted_label = QLabel("", self)
        self.unencrypted_label.setObjectName("statusUnencrypted")
        self.unencrypted_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.unencrypted_label.hide()
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
        self.addPermanentWidget(self.unencrypted_label)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.clock_label)
        self.addPermanentWidget(self.operator_label)
        self.addPermanentWidget(self.connection_label)
        self.addPermanentWidget(self.pending_label)
        self.addPermanentWidget(self.parked_label)
        self.addPermanentWidget(self.files_label)
        self.addPermanentWidget(self.last_sync_label)
        self.state = "offline"
        self.set_sync_state("offline", 0, None)

    def set_centre(self, centre_name: str) -> None:
        self.centre_label.setText(centre_name or self.tr("No centre"))

    def set_operator(self, full_name: str | None, workstation: str = "") -> None:
        if not full_name:
            self.operator_label.setText(self.tr("Not logged in"))
        elif workstation:
            self.operator_label.setText(fmt(self.tr("Operator: %1 · %2"), full_name, workstation))
        else:
            self.operator_label.setText(fmt(self.tr("Operator: %1"), full_name))

    @Slot(str, int, object)
    def set_sync_state(self, state: str, pending: int, last_sync: datetime | None) -> None:
        """For the sync engine: its state (see ``SYNC_STATES``), events waiting, time of the last sync."""
        self.state = state if state in SYNC_STATES else "offline"
        self.connection_label.setText(
            {
                "online": self.tr("Online"),
                "syncing": self.tr("Syncing…"),
                "error": self.tr("Sync error"),
                "not_enrolled": self.tr("Not enrolled"),
                "clock": self.tr("Clock off"),
            }.get(self.state, self.tr("Offline"))
        )
        self.set_pending(pending)
        self.last_sync_label.setText(
            fmt(self.tr("Last sync: %1"), show_datetime(last_sync)) if last_sync else self.tr("Never synced")
        )

    @Slot(int)
    def set_pending(self, pending: int) -> None:
        self.pending_label.setText(fmt(self.tr("To sync: %1"), pending))

    def set_sync_problem(self, text: str) -> None:
        """Why the last round did not succeed (empty: it did), as the connection's tooltip."""
        self.connection_label.setToolTip(text)

    def set_files(self, pending: int, pending_bytes: int, parked: int) -> None:
        """Digitised files still to upload (count and size) and files the server refused."""
        if pending <= 0 and parked <= 0:
            self.files_label.hide()
            return
        text = fmt(self.tr("Files to send: %1 (%2 MB)"), pending, f"{pending_bytes / 1_000_000:.1f}")
        if parked > 0:
            text += " · " + fmt(self.tr("files refused: %1"), parked)
        self.files_label.setText(text)
        self.files_label.show()

    def set_parked(self, parked: int) -> None:
        """Events the server refused for good: a red count that opens their list."""
        if parked <= 0:
            self.parked_label.hide()
            return
        text = fmt(self.tr("Rejected: %1"), parked)
        self.parked_label.setText(f'<a href="parked">{text}</a>')
        self.parked_label.setToolTip(self.tr("Events the server refused: click to see why"))
        self.parked_label.show()

    def set_clock_problem(self, text: str | None) -> None:
        """The sync engine refuses to sync with a clock this far off: ``text`` says how to fix it."""
        if text:
            self.clock_label.setText(self.tr("Clock off: fix the date and time"))
            self.clock_label.setToolTip(text)
            self.clock_label.show()
        elif self.clock_label.toolTip():  # only what this method showed
            self.clock_label.setToolTip("")
            self.clock_label.hide()

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

    def set_unencrypted(self, unencrypted: bool) -> None:
        """The store is kept in clear (no OS keyring, app.services.storekey): a warning for as long as the
        window is open."""
        self.unencrypted_label.setText(self.tr("Data NOT encrypted: no keyring"))
        self.unencrypted_label.setToolTip(
            self.tr(
                "This computer has no OS keyring to keep the encryption key, so citizens' data is stored "
                "unencrypted. Install gnome-keyring or KWallet and start the desk again: "
                "it is encrypted then."
            )
        )
        self.unencrypted_label.setVisible(unencrypted)

    @Slot(bool)
    def set_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy.hide()
