"""Sync › Enrol workstation…: the provincial server's address, the one-time code from the administrator
and this workstation's name. The server is called on the sync controller's network lane; the dialog stays
responsive and shows the server's reason (wrong or expired code, unreachable server, no OS keyring) or,
on success, the centre and the slot this workstation got."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.contract import EnrollResponse
from app.sync.service import EnrolDefaults, keyring_problem
from app.ui.errors import error_text
from app.ui.i18n import fmt, message
from app.ui.lanes.sync import SyncController
from app.ui.shell.screenfit import fit_size

ERROR_STYLE = "color: #b00020;"
OK_STYLE = "color: #1b5e20; font-weight: bold;"


class EnrolDialog(QDialog):
    #: The server's answer (:class:`~app.contract.EnrollResponse`) after a successful enrolment.
    enrolled = Signal(object)

    def __init__(self, parent: QWidget | None, controller: SyncController, defaults: EnrolDefaults) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self.setWindowTitle(self.tr("Enrol this workstation"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_size(self, 560, 320)
        self._controller = controller
        self.busy = False
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Enter the provincial server's address and the one-time enrolment code given by the "
                "administrator. The device key is kept in the operating system's keyring."
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.server = QLineEdit(defaults.server_url, self)
        self.server.setObjectName("enrolServer")
        self.server.setPlaceholderText("https://motcua-sync.example.gov.vn")
        form.addRow(self.tr("&Server address:"), self.server)
        self.code = QLineEdit(self)
        self.code.setObjectName("enrolCode")
        self.code.setPlaceholderText("XXXX-XXXX-XXXX")
        form.addRow(self.tr("One-time &code:"), self.code)
        self.name = QLineEdit(defaults.device_name, self)
        self.name.setObjectName("enrolName")
        form.addRow(self.tr("&Workstation name:"), self.name)
        self.message = QLabel("", self)
        self.message.setObjectName("enrolMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message, 1)
        self.buttons = QDialogButtonBox(self)
        self.submit_button = QPushButton(self.tr("&Enrol"), self)
        self.submit_button.setObjectName("enrolSubmit")
        self.submit_button.setDefault(True)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.ActionRole)
        # Our own caption: Qt ships no Vietnamese translation of its standard buttons.
        self.close_button = self.buttons.addButton(self.tr("&Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setObjectName("enrolClose")
        self.close_button.setAutoDefault(False)  # Enter in a field enrols; Esc or Close closes
        self.submit_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        problem = keyring_problem()
        if problem is not None:  # say it before the code is typed (the code is not spent on it)
            self._show(message(problem), error=True)
        (self.code if self.server.text() else self.server).setFocus()

    def _show(self, text: str, *, error: bool) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    def _set_busy(self, busy: bool) -> None:
        """While the server is asked: nothing editable, Enter does nothing (the focus stays put)."""
        self.busy = busy
        for edit in (self.server, self.code, self.name):
            edit.setReadOnly(busy)
        self.submit_button.setEnabled(not busy)

    def submit(self) -> None:
        if self.busy:
            return
        missing = [
            (edit, text)
            for edit, text in (
                (self.server, self.tr("Enter the server address.")),
                (self.code, self.tr("Enter the one-time enrolment code.")),
                (self.name, self.tr("Enter a name for this workstation.")),
            )
            if not edit.text().strip()
        ]
        if missing:
            self._show(missing[0][1], error=True)
            missing[0][0].setFocus()
            return
        self._set_busy(True)
        self._show(self.tr("Contacting the server…"), error=False)
        self._controller.enrol(
            self.server.text(),
            self.code.text(),
            self.name.text(),
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _done(self, response: object) -> None:
        assert isinstance(response, EnrollResponse)
        self._set_busy(False)
        for edit in (self.server, self.code, self.name):
            edit.setReadOnly(True)
        self.submit_button.setEnabled(False)
        self._show(
            fmt(
                self.tr("Enrolled with %1 (%2); workstation slot: %3. Sync starts now."),
                response.centre.name,
                response.centre.eid,
                response.slot,
            ),
            error=False,
        )
        self.close_button.setFocus()
        self.enrolled.emit(response)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show(error_text(exc), error=True)
        self.code.setFocus()
        self.code.selectAll()
