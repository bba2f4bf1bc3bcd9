"""Settings: the centre (read-only), this workstation's name and slot, the server address, the receipt
format, the printer, the language and the font size."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import DEFAULT_PLAN
from app.domain.errors import Problem
from app.services.desk_lists import DeskSummary
from app.services.settings import FONT_SIZES, DeskSettings
from app.ui.dialogs.common import show_field_problems
from app.ui.i18n import fmt
from app.ui.shell.screenfit import fit_size

ERROR_STYLE = "color: #b00020;"


class SettingsDialog(QDialog):
    # The edited :class:`DeskSettings`; the caller stores them and closes the dialog.
    submitted = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        summary: DeskSummary,
        settings: DeskSettings,
        printers: Sequence[str] | None = None,
    ) -> None:
        """``printers``: the printers' names, or None while they are being looked for (the window asks
        the print system off the GUI thread, then calls :meth:`set_printers`)."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_size(self, 560, 520)
        layout = QVBoxLayout(self)

        centre = QGroupBox(self.tr("Centre (from the server; read-only)"), self)
        info = QFormLayout(centre)
        for caption, value in (
            (self.tr("Name:"), summary.centre_name),
            (self.tr("Administrative unit:"), summary.unit_label),
            (self.tr("Agency e-ID:"), summary.agency_eid),
            (self.tr("Address:"), summary.address),
            (self.tr("Hotline:"), summary.hotline),
        ):
            label = QLabel(value, centre)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            info.addRow(caption, label)
        layout.addWidget(centre)

        # The public-sector calendar notices this desk holds, per year (read-only: they come with the
        # software and from the provincial server; rules-2026.md D1).
        calendar = QGroupBox(self.tr("Public-sector calendar notices (read-only)"), self)
        cal_form = QFormLayout(calendar)
        for year, numbers in summary.notices:
            label = QLabel("; ".join(numbers), calendar)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            cal_form.addRow(f"{year}:", label)
        if not summary.notices:
            cal_form.addRow(QLabel(self.tr("No notice loaded: days off are estimated."), calendar))
        if summary.missing_notice_year is not None:
            warning = QLabel(
                fmt(
                    self.tr("The notices for %1 are not loaded yet: due dates in that year are estimated."),
                    summary.missing_notice_year,
                ),
                calendar,
            )
            warning.setObjectName("calendarWarning")
            warning.setWordWrap(True)
            warning.setStyleSheet(ERROR_STYLE)
            cal_form.addRow(warning)
        layout.addWidget(calendar)

        desk = QGroupBox(self.tr("This workstation"), self)
        form = QFormLayout(desk)
        self.errors: dict[str, QLabel] = {}

        def add(name: str, caption: str, widget: QWidget) -> None:
            box = QWidget(desk)
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(widget)
            error = QLabel("", box)
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            col.addWidget(error)
            self.errors[name] = error
            box.setFocusProxy(widget)
            form.addRow(caption, box)

        self.workstation_name = QLineEdit(settings.workstation_name, desk)
        self.workstation_name.setObjectName("settingsWorkstation")
        add("workstation_name", self.tr("Workstation &name:"), self.workstation_name)
        self.slot = QSpinBox(desk)
        self.slot.setObjectName("settingsSlot")
        self.slot.setRange(0, DEFAULT_PLAN.slots - 1)
        self.slot.setValue(settings.workstation_slot)
        self.slot.setToolTip(self.tr("Numbering slot for offline dossier numbers; given by the server."))
        add("workstation_slot", self.tr("Workstation &slot:"), self.slot)
        self.server = QLineEdit(settings.server_url, desk)
        if settings.server_enrolled:
            self.server.setReadOnly(True)  # the enrolled server: Sync › Enrol workstation changes it
            self.server.setToolTip(
                self.tr("This desk is enrolled with this server; enrol again to change it.")
            )
        self.server.setObjectName("settingsServer")
        self.server.setPlaceholderText("https://motcua.example.gov.vn")
        add("server_url", self.tr("Server &address:"), self.server)
        self.receipt = QComboBox(desk)
        self.receipt.setObjectName("settingsReceipt")
        self.receipt.addItem(self.tr("A4 sheet"), "receipt")
        self.receipt.addItem(self.tr("80 mm roll"), "receipt-80mm")
        self.receipt.setCurrentIndex(max(0, self.receipt.findData(settings.receipt_format)))
        add("receipt_format", self.tr("&Receipt format:"), self.receipt)
        self.numbering = QComboBox(desk)
        self.numbering.setObjectName("settingsLogbookNumbering")
        self.numbering.addItem(self.tr("Book = the year, number = place in the year"), "year")
        self.numbering.addItem(self.tr("Left blank (written by hand)"), "none")
        self.numbering.setCurrentIndex(max(0, self.numbering.findData(settings.logbook_numbering)))
        add("logbook_numbering", self.tr("Lo&gbook numbering (receipt):"), self.numbering)
        self.printer = QComboBox(desk)
        self.printer.setObjectName("settingsPrinter")
        #: True once the printers' names are known (:meth:`set_printers`).
        self.printers_known = False
        self._fill_printers(printers, settings.printer)
        add("printer", self.tr("&Printer:"), self.printer)
        self.language = QComboBox(desk)
        self.language.setObjectName("settingsLanguage")
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        add("language", self.tr("&Language:"), self.language)
        self.font_size = QSpinBox(desk)
        self.font_size.setObjectName("settingsFontSize")
        self.font_size.setRange(0, FONT_SIZES.stop - 1)
        self.font_size.setSpecialValueText(self.tr("System default"))
        self.font_size.setSuffix(" pt")
        self.font_size.setValue(settings.font_size)
        add("font_size", self.tr("&Font size:"), self.font_size)
        layout.addWidget(desk)

        self.general = QLabel("", self)
        self.general.setStyleSheet(ERROR_STYLE)
        self.general.setWordWrap(True)
        self.general.hide()
        layout.addWidget(self.general)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("settingsSave")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.workstation_name.setFocus()

    def set_printers(self, printers: object) -> None:
        """The printers found (a list of names), replacing "looking for printers"; the choice is kept."""
        names = [str(n) for n in printers] if isinstance(printers, list | tuple) else []
        self._fill_printers(names, self.printer.currentData() or "")

    def _fill_printers(self, printers: Sequence[str] | None, chosen: str) -> None:
        combo = self.printer
        combo.clear()
        combo.addItem(self.tr("System default printer"), "")
        for name in printers or ():
            combo.addItem(name, name)
        if chosen and combo.findData(chosen) < 0:
            missing = self.tr(" (not found)") if printers is not None else ""
            combo.addItem(chosen + missing, chosen)
        combo.setCurrentIndex(max(0, combo.findData(chosen)))
        if printers is None:
            combo.setToolTip(self.tr("Looking for printers…"))
        elif not printers:
            combo.setToolTip(self.tr("No printer is installed on this computer."))
        else:
            combo.setToolTip("")
        self.printers_known = printers is not None

    def values(self) -> DeskSettings:
        size = self.font_size.value()
        return DeskSettings(
            workstation_name=self.workstation_name.text(),
            workstation_slot=self.slot.value(),
            server_url=self.server.text(),
            receipt_format=self.receipt.currentData(),
            printer=self.printer.currentData(),
            language=self.language.currentData(),
            font_size=size if size >= FONT_SIZES.start else 0,
            server_enrolled=self.server.isReadOnly(),
            logbook_numbering=self.numbering.currentData(),
        )

    def submit(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.hide()
        self.submitted.emit(self.values())

    def show_problems(self, problems: Sequence[Problem]) -> None:
        show_field_problems(problems, self.errors, self.general)
