"""The log-in screen: operator name and password, checked offline (off the GUI thread).

It is the first thing shown, before the store is open: the operator can type at once; the centre's name
appears and the log-in works once the desk is attached (:meth:`LoginPage.attach`). An Enter pressed
before that is kept and acted on then."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import DomainError
from app.ui.errors import error_text
from app.ui.lanes.worker import Worker

if TYPE_CHECKING:  # imported when the desk is attached: the log-in form is shown before
    from app.services.desk_lists import DeskSummary
    from app.services.store import Store


class LoginPage(QWidget):
    # The :class:`~app.services.session.OperatorSession` of the operator who logged in.
    logged_in = Signal(object)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginPage")
        self._worker = worker
        self._store: Store | None = None
        self.busy = False
        self._submit_when_attached = False

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.title = title = QLabel("", self)
        title.setObjectName("centreTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        outer.addWidget(title)
        self.unit = unit = QLabel("", self)
        unit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(unit)
        self.catalogue = catalogue = QLabel("", self)
        catalogue.setObjectName("catalogueCount")
        catalogue.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(catalogue)

        box = QFrame(self)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setMaximumWidth(460)
        form = QFormLayout(box)
        heading = QLabel(self.tr("Log in to receive dossiers"), box)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        form.addRow(heading)
        self.username = QLineEdit(box)
        self.username.setObjectName("loginUser")
        self.username.setPlaceholderText(self.tr("user name"))
        form.addRow(self.tr("&Operator:"), self.username)
        self.password = QLineEdit(box)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("&Password:"), self.password)
        self.error = QLabel("", box)
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        form.addRow(self.error)
        self.button = QPushButton(self.tr("Log in (Enter)"), box)
        self.button.setObjectName("loginButton")
        self.button.clicked.connect(self.submit)
        form.addRow(self.button)
        hint = QLabel(
            self.tr("Works offline. 5 wrong passwords lock the account on this workstation for 5 minutes."),
            box,
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        form.addRow(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 2)
        row.addStretch(1)
        outer.addSpacing(16)
        outer.addLayout(row)
        outer.addStretch(2)

        self.username.returnPressed.connect(self._next)
        self.password.returnPressed.connect(self.submit)
        self.setFocusProxy(self.username)

    def attach(self, store: Store, summary: DeskSummary) -> None:
        """The store is open: the centre it serves, and log-ins checked against it."""
        self._store = store
        self.title.setText(summary.centre_name or self.tr("No centre is configured"))
        self.unit.setText(summary.unit_label)
        self.catalogue.setText(self.tr("%n procedure(s) in the catalogue", "", summary.procedures))
        if self._submit_when_attached:
            self._submit_when_attached = False
            self.submit()
        elif not (self.username.text() or self.password.text()):
            self._ask_last_username()

    def reset(self) -> None:
        """Ready for the next operator: the last user name pre-filled, the password empty."""
        self.password.clear()
        self.error.hide()
        self._set_busy(False)
        if self._store is not None:
            self._ask_last_username()

    def _ask_last_username(self) -> None:
        from app.services import session

        self._worker.run(session.last_username, self._store, on_done=self._prefill, owner=self)

    def _prefill(self, name: object) -> None:
        if self.password.text() or self.busy:
            return  # the operator is already at it
        if name and not self.username.text():
            self.username.setText(str(name))
        (self.password if self.username.text() else self.username).setFocus()

    def _next(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        if self._store is None:  # typed before the store was open: acted on once it is
            self._submit_when_attached = True
            return
        from app.services import session

        self._set_busy(True)
        self.error.hide()
        self._worker.run(
            session.login,
            self._store,
            self.username.text(),
            self.password.text(),
            on_done=self._done,
            on_error=self._failed,
            owner=self,
        )

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.button.setEnabled(not busy)
        self.button.setText(self.tr("Checking…") if busy else self.tr("Log in (Enter)"))

    def _done(self, result: object) -> None:
        self._set_busy(False)
        self.password.clear()
        self.logged_in.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password.clear()
        self.error.setText(error_text(exc))
        self.error.show()
        if isinstance(exc, DomainError) and any(p.field == "username" for p in exc.problems):
            self.username.setFocus()
        else:
            self.password.setFocus()
