"""Small dialogs that ask what an action needs: a reason, a new due date, the missing papers, an agency.

They never block (``open()``, not ``exec()``): OK emits :attr:`submitted` and the dialog stays open until
the caller closes it, so a refusal from the service can be shown next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.collection import APPLICANT, AUTHORISED
from app.domain.errors import Problem
from app.domain.status import Action
from app.services.desk_lists import AgencyItem, DossierDetail
from app.services.dossiers import NEEDS_REASON
from app.ui.i18n import fmt, message
from app.ui.labels import action_label
from app.ui.shell.screenfit import fit_size

ERROR_STYLE = "color: #b00020;"


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def show_field_problems(problems: Sequence[Problem], errors: dict[str, QLabel], general: QLabel) -> None:
    """Each problem under its field's error label; those of no known field together in ``general``."""
    rest = []
    for p in problems:
        label = errors.get(p.field or "")
        if label is None:
            rest.append(p)
        else:
            label.setText(message(p))
            label.show()
    if rest:
        general.setText("\n".join(message(p) for p in rest))
        general.show()


class LeaveWithTab:
    """For date edits: Tab leaves the field (to the next one) instead of walking day → month → year; the
    arrows and typing still move between the sections."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt's names)
        return QWidget.focusNextPrevChild(self, next)  # type: ignore[arg-type]


class DateEdit(LeaveWithTab, QDateEdit):
    pass


class DateTimeEdit(LeaveWithTab, QDateTimeEdit):
    pass


def accept_hint(parent: QWidget) -> QLabel:
    """The line above a dialog's buttons that says how to accept it from the keyboard."""
    hint = QLabel(QCoreApplication.translate("Dialogs", "Ctrl+Enter accepts · Esc cancels"), parent)
    hint.setObjectName("acceptHint")
    hint.setEnabled(False)
    return hint


class ReasonDialog(QDialog):
    """Asks for a reason (Ctrl+Enter submits)."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None, title: str, prompt: str) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_size(self, 520, 260)
        layout = QVBoxLayout(self)
        caption = QLabel(prompt, self)
        caption.setWordWrap(True)
        layout.addWidget(caption)
        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("reasonEdit")
        self.reason.setTabChangesFocus(True)
        layout.addWidget(self.reason, 1)
        self.error = _error_label(self)
        self.error.setObjectName("reasonError")
        layout.addWidget(self.error)
        layout.addWidget(accept_hint(self))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.submit)
        self.reason.setFocus()

    def submit(self) -> None:
        self.error.hide()
        self.submitted.emit(self.reason.toPlainText())

    def show_problems(self, problems: Sequence[Problem]) -> None:
        self.error.setText("\n".join(message(p) for p in problems))
        self.error.show()
        self.reason.setFocus()


def parse_missing(text: str) -> list[dict[str, str]]:
    """One missing paper per line; what is wrong with it after a colon."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, why = line.partition(":")
        items.append({"name": name.strip(), "reason": why.strip()})
    return items


def _qdatetime(value: datetime) -> QDateTime:
    return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute))


def _pydatetime(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


class ActionDialog(QDialog):
    """Asks what one status-machine action needs, then emits :attr:`submitted` with the arguments of
    :func:`app.services.dossiers.perform` (``reason``, ``new_due_at``, ``handling_agency_eid``, ``extra``)."""

    submitted = Signal(dict)

    def __init__(
        self,
        parent: QWidget | None,
        action: str,
        detail: DossierDetail,
        agencies: Sequence[AgencyItem] = (),
        *,
        now: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("actionDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.action = action
        now = now or datetime.now()
        self.setWindowTitle(f"{action_label(action)} — {detail.code or ''}")
        fit_size(self, 580, 380)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        # Captions above their fields, fields the dialog's full width: no label alone in a corner with
        # the field floating beside it.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form, 1)
        self.errors: dict[str, QLabel] = {}

        def add(name: str, caption: str, widget: QWidget) -> None:
            box = QWidget(self)
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(widget)
            self.errors[name] = _error_label(box)
            col.addWidget(self.errors[name])
            box.setFocusProxy(widget)
            label = QLabel(caption, self)
            label.setBuddy(widget)  # Alt+letter of the caption reaches the field itself
            form.addRow(label, box)

        self.agency: QComboBox | None = None
        if action == "forward":
            self.agency = QComboBox(self)
            self.agency.setObjectName("agencyCombo")
            for a in agencies:
                self.agency.addItem(a.name, a.agency_eid)
            wanted = self.agency.findData(detail.competent_agency_eid)
            if wanted >= 0:
                self.agency.setCurrentIndex(wanted)
            add("handling_agency", self.tr("Forward to:"), self.agency)

        self.missing: QPlainTextEdit | None = None
        self.deadline: QDateEdit | None = None
        if action == "request_supplement":
            self.missing = QPlainTextEdit(self)
            self.missing.setObjectName("missingEdit")
            self.missing.setTabChangesFocus(True)
            self.missing.setPlaceholderText(
                self.tr("One paper per line; after a colon, what is wrong with it")
            )
            self.missing.setPlainText("\n".join(f"{name}: " for name in detail.papers_missing[:3]))
            add("missing", self.tr("Missing papers:"), self.missing)
            self.deadline = DateEdit(self)
            self.deadline.setObjectName("deadlineEdit")
            self.deadline.setCalendarPopup(True)
            self.deadline.setDisplayFormat("dd/MM/yyyy")
            soon = now.date() + timedelta(days=7)
            self.deadline.setDate(QDate(soon.year, soon.month, soon.day))
            add("deadline", self.tr("Supplement by:"), self.deadline)

        self.new_due: QDateTimeEdit | None = None
        if action == "apologise":
            self.new_due = DateTimeEdit(self)
            self.new_due.setObjectName("newDueEdit")
            self.new_due.setCalendarPopup(True)
            self.new_due.setDisplayFormat("HH:mm dd/MM/yyyy")
            base = max(detail.due_at or now, now)
            proposed = (base + timedelta(days=3)).replace(second=0, microsecond=0)
            # The new appointment must be working time (the service checks it against the calendar):
            # propose a weekday, within the day's sessions.
            while proposed.weekday() >= 5:
                proposed += timedelta(days=1)
            if not time(7, 0) <= proposed.time() <= time(17, 0) or time(11, 30) < proposed.time() < time(
                13, 30
            ):
                proposed = proposed.replace(hour=10, minute=0)
            self.new_due.setDateTime(_qdatetime(proposed))
            add("new_due_at", self.tr("New due date:"), self.new_due)

        self.collected_by: QComboBox | None = None
        self.collector_name: QLineEdit | None = None
        self.collector_id: QLineEdit | None = None
        if action == "hand_back":
            # Who collects the result: the applicant, or a person the applicant authorised (name + ID).
            self.collected_by = QComboBox(self)
            self.collected_by.setObjectName("collectedByCombo")
            self.collected_by.addItem(fmt(self.tr("The applicant: %1"), detail.applicant_name), APPLICANT)
            self.collected_by.addItem(self.tr("An authorised person"), AUTHORISED)
            add("collected_by", self.tr("Collected &by:"), self.collected_by)
            self.collector_name = QLineEdit(self)
            self.collector_name.setObjectName("collectorNameEdit")
            self.collector_name.setMaxLength(200)
            add("collector_name", self.tr("Authorised person's &name:"), self.collector_name)
            self.collector_id = QLineEdit(self)
            self.collector_id.setObjectName("collectorIdEdit")
            self.collector_id.setMaxLength(20)
            self.collector_id.setPlaceholderText(self.tr("12-digit personal ID number"))
            add("collector_id", self.tr("Authorised person's &ID number:"), self.collector_id)
            self.collected_by.currentIndexChanged.connect(self._collector_changed)
            self._collector_changed()

        self.reason = QPlainTextEdit(self)
        self.reason.setObjectName("reasonEdit")
        self.reason.setTabChangesFocus(True)
        self.reason_required = Action(action) in NEEDS_REASON
        add(
            "reason",
            self.tr("Reason (required):") if self.reason_required else self.tr("Note (optional):"),
            self.reason,
        )
        self.general = _error_label(self)
        layout.addWidget(self.general)
        layout.addWidget(accept_hint(self))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("actionOk")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.submit)
        first = self.agency or self.missing or self.new_due or self.collected_by or self.reason
        first.setFocus()

    def _collector_changed(self) -> None:
        authorised = self.collected_by is not None and self.collected_by.currentData() == AUTHORISED
        for edit in (self.collector_name, self.collector_id):
            if edit is not None:
                edit.setEnabled(authorised)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason.toPlainText()}
        if self.agency is not None:
            out["handling_agency_eid"] = self.agency.currentData()
        if self.missing is not None and self.deadline is not None:
            d = self.deadline.date()
            deadline = datetime.combine(date(d.year(), d.month(), d.day()), time(17, 0))
            out["extra"] = {
                "missing": parse_missing(self.missing.toPlainText()),
                "deadline": deadline.isoformat(),
            }
        if self.new_due is not None:
            out["new_due_at"] = _pydatetime(self.new_due.dateTime())
        if (
            self.collected_by is not None
            and self.collector_name is not None
            and self.collector_id is not None
        ):
            kind = str(self.collected_by.currentData())
            authorised = kind == AUTHORISED
            out["extra"] = {
                "collected_by": kind,
                "collector_name": self.collector_name.text() if authorised else "",
                "collector_id": self.collector_id.text() if authorised else "",
            }
        return out

    def submit(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.hide()
        values = self.values()
        if self.missing is not None and not values["extra"]["missing"]:
            self.show_problems(
                [
                    Problem(
                        "ui.missing",
                        self.tr("List at least one missing paper."),
                        self.tr("List at least one missing paper."),
                        "missing",
                    )
                ]
            )
            return
        self.submitted.emit(values)

    def show_problems(self, problems: Sequence[Problem]) -> None:
        show_field_problems(problems, self.errors, self.general)
