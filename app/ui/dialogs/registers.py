"""Print a register from the window: the logbook (Mẫu 07) for a period, the hand-over list of a former
unit, or the public catalogue of procedures. OK ("Preview") emits :attr:`submitted`; the main window makes
the PDF on the worker and opens the same preview as the receipt (print, save as PDF)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Problem
from app.services.registers import FormerUnit
from app.ui.dialogs.common import DateEdit, _error_label, accept_hint, show_field_problems
from app.ui.i18n import fmt
from app.ui.shell.screenfit import fit_size


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


class RegistersDialog(QDialog):
    submitted = Signal(dict)

    def __init__(self, parent: QWidget | None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registersDialog")
        self.setWindowTitle(self.tr("Logbook and lists"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_size(self, 620, 360)
        today = today or date.today()
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        layout.addLayout(grid)
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        self.errors: dict[str, QLabel] = {}

        def choice(name: str, text: str, row: int) -> QRadioButton:
            button = QRadioButton(text, self)
            button.setObjectName(f"register_{name}")
            self.group.addButton(button)
            self.choices[name] = button
            grid.addWidget(button, row, 0, 1, 2)
            return button

        choice("logbook", self.tr("The &logbook (Mẫu 07) for a period"), 0)
        self.first = DateEdit(self)
        self.first.setObjectName("registerFrom")
        self.last = DateEdit(self)
        self.last.setObjectName("registerTo")
        for edit, value in ((self.first, today.replace(day=1)), (self.last, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setDate(_qdate(value))
        period = QWidget(self)
        row = QGridLayout(period)
        row.setContentsMargins(24, 0, 0, 0)
        from_label = QLabel(self.tr("&From:"), period)
        from_label.setBuddy(self.first)
        to_label = QLabel(self.tr("&To:"), period)
        to_label.setBuddy(self.last)
        row.addWidget(from_label, 0, 0)
        row.addWidget(self.first, 0, 1)
        row.addWidget(to_label, 0, 2)
        row.addWidget(self.last, 0, 3)
        row.setColumnStretch(4, 1)
        grid.addWidget(period, 1, 0, 1, 2)
        self.errors["period"] = _error_label(self)
        grid.addWidget(self.errors["period"], 2, 0, 1, 2)

        choice("handover", self.tr("The &hand-over list of a former unit"), 3)
        self.unit = QComboBox(self)
        self.unit.setObjectName("registerUnit")
        self.unit.setPlaceholderText(self.tr("No unit has handed over dossiers"))
        unit_box = QWidget(self)
        unit_row = QGridLayout(unit_box)
        unit_row.setContentsMargins(24, 0, 0, 0)
        unit_label = QLabel(self.tr("Former &unit:"), unit_box)
        unit_label.setBuddy(self.unit)
        unit_row.addWidget(unit_label, 0, 0)
        unit_row.addWidget(self.unit, 0, 1)
        unit_row.setColumnStretch(1, 1)
        grid.addWidget(unit_box, 4, 0, 1, 2)
        self.errors["unit"] = _error_label(self)
        grid.addWidget(self.errors["unit"], 5, 0, 1, 2)

        choice("catalogue", self.tr("The public &catalogue of procedures"), 6)
        self.choices["logbook"].setChecked(True)
        self.group.buttonToggled.connect(lambda _b, _on: self._enable())
        self._enable()

        layout.addStretch(1)
        self.general = _error_label(self)
        layout.addWidget(self.general)
        layout.addWidget(accept_hint(self))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("&Preview"))
        self.ok.setObjectName("registerPreview")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.submit)
        self.choices["logbook"].setFocus()

    def set_units(self, units: Sequence[FormerUnit]) -> None:
        self.unit.clear()
        for u in units:
            self.unit.addItem(fmt(self.tr("%1 — %2"), u.unit_code, u.name), u.unit_code)
        if units:
            self.unit.setCurrentIndex(0)  # with a placeholder text a combo box starts with none chosen

    def _enable(self) -> None:
        logbook = self.choices["logbook"].isChecked()
        self.first.setEnabled(logbook)
        self.last.setEnabled(logbook)
        self.unit.setEnabled(self.choices["handover"].isChecked())

    def register(self) -> str:
        return next(name for name, b in self.choices.items() if b.isChecked())

    def values(self) -> dict[str, Any]:
        return {
            "register": self.register(),
            "first": _pydate(self.first.date()),
            "last": _pydate(self.last.date()),
            "unit": self.unit.currentData() or "",
        }

    def submit(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.hide()
        self.submitted.emit(self.values())

    def show_problems(self, problems: Sequence[Problem]) -> None:
        show_field_problems(problems, self.errors, self.general)
