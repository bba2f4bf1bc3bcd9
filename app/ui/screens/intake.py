"""The intake screen, keyboard first: scan the ID card, pick the procedure by typing, tick the papers with
Space, see fee, due date and routing live, Ctrl+Enter saves and prints the receipt.

The half-filled form is saved as a draft (debounced) on every change and restored at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain import validation as v
from app.domain.errors import DomainError, Problem
from app.domain.identity import QrIdentity, parse_cccd_qr
from app.domain.text import fold
from app.services.desk_lists import ProcedureItem
from app.services.dossiers import (
    ApplicantInput,
    PaperInput,
    Preview,
    ReceiveRequest,
    clean_applicant,
    preview,
)
from app.services.drafts import INTAKE, clear_draft, load_draft, save_draft
from app.services.intake import IntakeOutcome, receive_and_print, refuse_and_print
from app.ui.dialogs.common import ReasonDialog
from app.ui.dialogs.digitise import DigitisePanel, PanelModel, check_counts, prepare_all, snapshot
from app.ui.errors import error_text, show_error
from app.ui.i18n import current_language, fmt, message, show_date, show_datetime, show_money
from app.ui.labels import paper_form_label, scenario_label, time_label
from app.ui.screens.commune import CommunePicker
from app.ui.screens.history import CitizenHistory
from app.ui.shell.context import UiContext

log = logging.getLogger(__name__)


def _draft_not_kept(exc: BaseException) -> None:
    log.warning("the intake draft could not be written: %s", exc)


TEXT_FIELDS = ("full_name", "personal_id", "old_id", "birth_date", "phone", "email", "address")
AUTOSAVE_MS = 400
PREVIEW_MS = 250
ERROR_STYLE = "color: #b00020;"
# Lines of room kept under each field for its error message.
ERROR_LINES = 2


# --- the procedure picker ---------------------------------------------------------------------------


def match_procedures(items: Sequence[ProcedureItem], query: str) -> list[ProcedureItem]:
    """Procedures matching what was typed, diacritics optional: every word typed must begin a word of the
    name (or be part of the code, or of the name's initials: "dkks"); the typed phrase first."""
    q = fold(query)
    tokens = q.split()
    if not tokens:
        return list(items)
    ranked: list[tuple[int, int, ProcedureItem]] = []
    for pos, item in enumerate(items):
        words = item.folded.split()
        initials = "".join(w[0] for w in words if w)
        if all(
            any(w.startswith(t) for w in words) or t in item.code or (len(t) >= 3 and t in initials)
            for t in tokens
        ):
            ranked.append((0 if q in item.folded else 1, pos, item))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in ranked]


class ProcedurePicker(QWidget):
    """A line edit with a filtered list below: type, arrows, Enter."""

    chosen = Signal(object)  # ProcedureItem | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[ProcedureItem] = []
        self._shown: list[ProcedureItem] = []
        self.current: ProcedureItem | None = None
        self._quiet = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("procedureSearch")
        self.edit.setPlaceholderText(self.tr("Type a few letters, e.g. khai sinh, then ↓ and Enter"))
        self.edit.setClearButtonEnabled(True)
        layout.addWidget(self.edit)
        self.list = QListWidget(self)
        self.list.setObjectName("procedureList")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setMaximumHeight(150)
        self.list.setWordWrap(False)
        self.list.hide()
        layout.addWidget(self.list)
        self.edit.textEdited.connect(self._filter)
        self.edit.installEventFilter(self)
        self.list.itemActivated.connect(lambda _item: self.choose_current())
        self.list.itemClicked.connect(lambda _item: self.choose_current())
        self.setFocusProxy(self.edit)

    def set_items(self, items: Sequence[ProcedureItem]) -> None:
        self._items = list(items)
        if self.current is not None:
            self.current = next((p for p in self._items if p.code == self.current.code), None)

    def _filter(self, text: str) -> None:
        if self._quiet:
            return
        if self.current is not None:  # typing again: the choice is open again
            self.current = None
            self.chosen.emit(None)
        self._shown = match_procedures(self._items, text) if text.strip() else []
        self.list.clear()
        for p in self._shown[:50]:
            item = QListWidgetItem(f"{p.name}  ·  {p.code}")
            item.setToolTip(p.name)
            self.list.addItem(item)
        self.list.setVisible(bool(self._shown))
        if self._shown:
            self.list.setCurrentRow(0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                return False
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                if not self.list.isVisible():
                    self._filter(self.edit.text())
                    return True
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}[
                    Qt.Key(key)
                ]
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.isVisible():
                self.choose_current()
                return True
            if key == Qt.Key.Key_Escape and self.list.isVisible():
                self.list.hide()
                return True
        return False

    def choose_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._shown):
            self.set_current(self._shown[row])
            self.chosen.emit(self.current)

    def set_current(self, item: ProcedureItem | None) -> None:
        self.current = item
        self._quiet = True
        self.edit.setText("" if item is None else f"{item.name} ({item.code})")
        self.edit.setCursorPosition(0)
        self._quiet = False
        self.list.hide()

    def set_code(self, code: str | None) -> None:
        self.set_current(next((p for p in self._items if p.code == code), None) if code else None)


# --- the papers checklist ---------------------------------------------------------------------------


def is_applicant_id_paper(name: str, form: str) -> bool:
    """The applicant's own ID card shown at the counter: ticked by itself when the card is scanned."""
    folded = fold(name)
    return form == "show" and (
        folded.startswith(("giay to tuy than", "can cuoc dien tu")) or "cua nguoi de nghi" in folded
    )


class PapersList(QListWidget):
    """The procedure's papers: Space ticks, + / − change the count, Ctrl+A ticks all."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("papersList")
        self._papers: list[tuple[str, str, int]] = []
        self._counts: list[int] = []
        self.setWordWrap(True)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def set_papers(self, papers: Sequence[tuple[str, str, int]]) -> None:
        self.blockSignals(True)
        self.clear()
        self._papers = list(papers)
        self._counts = [count for _n, _f, count in papers]
        for i in range(len(self._papers)):
            item = QListWidgetItem()
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
            self._label(i)
        self.blockSignals(False)
        if self._papers:
            self.setCurrentRow(0)
        self.changed.emit()

    def _label(self, row: int) -> None:
        name, form, _count = self._papers[row]
        self.item(row).setText(fmt(self.tr("%1 — %2 × %3"), name, paper_form_label(form), self._counts[row]))

    def ticked(self) -> list[int]:
        return [i for i in range(self.count()) if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_ticked(self, rows: dict[int, int]) -> None:
        self.blockSignals(True)
        for i in range(self.count()):
            self.item(i).setCheckState(Qt.CheckState.Checked if i in rows else Qt.CheckState.Unchecked)
            if i in rows and rows[i] >= 1:
                self._counts[i] = rows[i]
            self._label(i)
        self.blockSignals(False)
        self.changed.emit()

    def inputs(self) -> list[PaperInput]:
        return [PaperInput(self._papers[i][0], self._papers[i][1], self._counts[i]) for i in self.ticked()]

    def counts(self) -> dict[int, int]:
        return {i: self._counts[i] for i in self.ticked()}

    def tick_id_card(self) -> None:
        """Tick the applicant's ID card paper (if the procedure lists one)."""
        for i, (name, form, _count) in enumerate(self._papers):
            if is_applicant_id_paper(name, form):
                self.item(i).setCheckState(Qt.CheckState.Checked)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        row = self.currentRow()
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Minus) and 0 <= row < len(self._counts):
            delta = 1 if event.key() == Qt.Key.Key_Plus else -1
            self._counts[row] = max(1, min(99, self._counts[row] + delta))
            self._label(row)
            self.changed.emit()
            return
        if event.key() == Qt.Key.Key_A and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            everything = len(self.ticked()) < self.count()
            self.set_ticked({i: self._counts[i] for i in range(self.count())} if everything else {})
            return
        super().keyPressEvent(event)


# --- the screen -------------------------------------------------------------------------------------


class IntakePage(QWidget):
    # An :class:`IntakeOutcome` after a dossier was received (and its receipt printed) or refused.
    saved = Signal(object)
    # The id of an earlier dossier of the scanned citizen, to open in the dossier screen.
    open_dossier = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakePage")
        self.ctx = ctx
        self.busy = False
        self._restoring = False
        self._preview_seq = 0
        self.reason_dialog: ReasonDialog | None = None
        self.confirm_box: QMessageBox | None = None
        # The applicant's card was scanned for this form: its "show the ID card" paper is ticked.
        self.card_scanned = False
        # The digitising panel's pages (F8), stored right after the dossier is received (issue 19).
        self.digitise_model = PanelModel()
        self.digitise_panel: DigitisePanel | None = None
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_draft_now)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_MS)
        self._preview_timer.timeout.connect(self._request_preview)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self._build()

    # --- layout ---------------------------------------------------------------------------------

    def _error_label(self, name: str, parent: QWidget, lines: int = ERROR_LINES) -> QLabel:
        """The field's error line. Its room is kept while it is hidden, so that no field moves when an
        error appears (a click aimed at the next field lands there)."""
        label = QLabel("", parent)
        label.setObjectName(f"error_{name}")
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 2)
        policy = label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        label.setSizePolicy(policy)
        label.hide()
        self.errors[name] = label
        return label

    def _field(self, form: QFormLayout, name: str, caption: str, parent: QWidget, widget: QWidget) -> None:
        box = QWidget(parent)
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        col.addWidget(widget)
        col.addWidget(self._error_label(name, box))
        box.setFocusProxy(widget)
        # The caption's buddy is the field itself: Alt+letter gives it the focus (a buddy without a
        # focus policy of its own, like the box, would not take it).
        label = QLabel(caption, parent)
        label.setObjectName(f"caption_{name}")
        label.setBuddy(widget)
        form.addRow(label, box)

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.scan_banner = QLabel(
            self.tr("Scan the citizen's ID card at any time: the fields fill themselves."), self
        )
        self.scan_banner.setObjectName("scanBanner")
        self.scan_banner.setWordWrap(True)
        outer.addWidget(self.scan_banner)
        columns = QHBoxLayout()
        outer.addLayout(columns, 1)

        # applicant
        applicant = QGroupBox(self.tr("Applicant"), self)
        form = QFormLayout(applicant)
        captions = {
            "full_name": self.tr("Full &name:"),
            "personal_id": self.tr("Personal &ID:"),
            "old_id": self.tr("Old ID (CMND):"),
            "birth_date": self.tr("&Birth date:"),
            "phone": self.tr("&Telephone:"),
            "email": self.tr("E-mail:"),
            "address": self.tr("&Address:"),
        }
        for name in TEXT_FIELDS:
            edit = QLineEdit(applicant)
            edit.setObjectName(f"field_{name}")
            self.edits[name] = edit
            edit.textEdited.connect(lambda _t, n=name: self._field_edited(n))
            edit.editingFinished.connect(lambda n=name: self._check_field(n))
            self._field(form, name, captions[name], applicant, edit)
            if name == "birth_date":
                edit.setPlaceholderText(self.tr("dd/mm/yyyy"))
                self.gender = QComboBox(applicant)
                self.gender.setObjectName("field_gender")
                self.gender.addItem("", "")
                self.gender.addItem(self.tr("Male"), "Nam")
                self.gender.addItem(self.tr("Female"), "Nữ")
                self.gender.currentIndexChanged.connect(lambda _i: self._field_edited("gender"))
                self._field(form, "gender", self.tr("&Gender:"), applicant, self.gender)
        self.edits["address"].textEdited.connect(lambda _t: self._preview_timer.start())
        left = QVBoxLayout()
        left.addWidget(applicant, 1)
        self.history = CitizenHistory(self.ctx.worker, self.ctx.store, self)
        self.history.open_dossier.connect(self.open_dossier)
        left.addWidget(self.history)
        columns.addLayout(left, 5)
        to_history = QShortcut(QKeySequence("Alt+K"), self)
        to_history.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        to_history.activated.connect(self._focus_history)

        # dossier
        dossier = QGroupBox(self.tr("Dossier"), self)
        col = QVBoxLayout(dossier)
        procedure_caption = QLabel(self.tr("&Procedure:"), dossier)
        col.addWidget(procedure_caption)
        self.picker = ProcedurePicker(dossier)
        procedure_caption.setBuddy(self.picker.edit)
        self.picker.chosen.connect(self._procedure_chosen)
        col.addWidget(self.picker)
        col.addWidget(self._error_label("procedure", dossier, 1))
        commune_caption = QLabel(self.tr("Competent co&mmune (if not the residence):"), dossier)
        col.addWidget(commune_caption)
        self.commune = CommunePicker(self.ctx.worker, self.ctx.store, dossier)
        commune_caption.setBuddy(self.commune.edit)
        self.commune.changed.connect(self._commune_changed)
        col.addWidget(self.commune)
        col.addWidget(self._error_label("commune", dossier, 1))
        papers_caption = QLabel(self.tr("Pape&rs received (Space ticks, + / − count, Ctrl+A all):"), dossier)
        col.addWidget(papers_caption)
        self.papers = PapersList(dossier)
        papers_caption.setBuddy(self.papers)
        self.papers.changed.connect(lambda: self._field_edited("papers"))
        col.addWidget(self.papers, 1)
        col.addWidget(self._error_label("papers", dossier, 1))
        row = QHBoxLayout()
        sets_caption = QLabel(self.tr("Sets:"), dossier)
        self.sets = QSpinBox(dossier)
        self.sets.setObjectName("field_sets")
        self.sets.setRange(1, 99)
        sets_caption.setBuddy(self.sets)
        self.sets.valueChanged.connect(lambda _v: self._field_edited("sets_count"))
        self.delivery = QComboBox(dossier)
        self.delivery.setObjectName("field_delivery")
        self.delivery.addItem(self.tr("Result at the counter"), "counter")
        self.delivery.addItem(self.tr("Result by post"), "post")
        self.delivery.currentIndexChanged.connect(lambda _i: self._field_edited("result_delivery"))
        row.addWidget(sets_caption)
        row.addWidget(self.sets)
        # The fee's basis where it is per page / per copy (chứng thực bản sao); 0 = not applicable.
        pages_caption = QLabel(self.tr("Pages:"), dossier)
        self.pages = QSpinBox(dossier)
        self.pages.setObjectName("field_pages")
        self.pages.setRange(0, 99999)
        pages_caption.setBuddy(self.pages)
        copies_caption = QLabel(self.tr("Copies:"), dossier)
        self.copies = QSpinBox(dossier)
        self.copies.setObjectName("field_copies")
        self.copies.setRange(0, 99999)
        copies_caption.setBuddy(self.copies)
        row.addWidget(pages_caption)
        row.addWidget(self.pages)
        row.addWidget(copies_caption)
        row.addWidget(self.copies)
        row.addWidget(self.delivery, 1)
        col.addLayout(row)
        self.fee_exemption = QLineEdit(dossier)
        self.fee_exemption.setObjectName("field_fee_exemption")
        self.fee_exemption.setPlaceholderText(self.tr("Fee exemption: its ground (empty if none)"))
        # One row for the fee exemption and the applicant's consent to the server's notices (received,
        # supplement, fees, result…) per channel: the form must keep fitting a 1280×720 screen.
        consent = QHBoxLayout()
        consent.addWidget(self.fee_exemption, 1)
        consent.addWidget(QLabel(self.tr("Notify the applicant by:"), dossier))
        self.notify: dict[str, QCheckBox] = {}
        for channel, text in (
            ("email", self.tr("E-mail")),
            ("sms", self.tr("SMS")),
            ("zalo", self.tr("Zalo")),
        ):
            box = QCheckBox(text, dossier)
            box.setObjectName(f"field_notify_{channel}")
            box.toggled.connect(lambda _on: self._field_edited("notify"))
            self.notify[channel] = box
            consent.addWidget(box)
        col.addLayout(consent)
        self.notes = QLineEdit(dossier)
        self.notes.setObjectName("field_notes")
        self.notes.setPlaceholderText(self.tr("Notes (optional)"))
        self.notes.textEdited.connect(lambda _t: self._field_edited("notes"))
        col.addWidget(self.notes)
        col.addWidget(self._error_label("notes", dossier, 1))

        facts = QGroupBox(self.tr("Fee, time and routing"), dossier)
        grid = QGridLayout(facts)
        self.fee_value = QLabel("—", facts)
        self.fee_value.setObjectName("previewFee")
        self.fee_value.setWordWrap(True)
        self.time_value = QLabel("—", facts)
        self.time_value.setObjectName("previewTime")
        self.time_value.setWordWrap(True)
        self.due_value = QLabel("—", facts)
        self.due_value.setObjectName("previewDue")
        self.route_value = QLabel("—", facts)
        self.route_value.setObjectName("previewRoute")
        self.route_value.setWordWrap(True)
        self.agency_value = QLabel("—", facts)
        self.agency_value.setObjectName("previewAgency")
        self.agency_value.setWordWrap(True)
        for i, (caption, value) in enumerate(
            (
                (self.tr("Fee:"), self.fee_value),
                (self.tr("Processing time:"), self.time_value),
                (self.tr("Due:"), self.due_value),
                (self.tr("Routing:"), self.route_value),
                (self.tr("Competent agency:"), self.agency_value),
            )
        ):
            grid.addWidget(QLabel(caption, facts), i, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, i, 1)
        grid.setColumnStretch(1, 1)
        # The facts keep the height their text needs (the fee is read out whole): the papers list gives way.
        facts.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.papers.setMinimumHeight(60)
        col.addWidget(facts)
        columns.addWidget(dossier, 6)

        self.general_error = QLabel("", self)
        self.general_error.setObjectName("generalError")
        self.general_error.setStyleSheet(ERROR_STYLE)
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        outer.addWidget(self.general_error)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Save and print (Ctrl+Enter)"), self)
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        self.refuse_button = QPushButton(self.tr("Refuse… (Ctrl+R)"), self)
        self.refuse_button.setObjectName("refuseButton")
        self.refuse_button.clicked.connect(self.refuse)
        self.clear_button = QPushButton(self.tr("&Clear form (Ctrl+N)"), self)
        self.clear_button.setObjectName("clearButton")
        self.clear_button.clicked.connect(self.ask_clear)
        self.digitise_button = QPushButton(self.tr("Digitise the papers… (F8)"), self)
        self.digitise_button.setObjectName("digitiseButton")
        self.digitise_button.clicked.connect(self.open_digitise)
        for b in (self.save_button, self.refuse_button, self.digitise_button, self.clear_button):
            b.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.refuse_button)
        buttons.addWidget(self.digitise_button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        outer.addLayout(buttons)
        for keys, slot in (("F8", self.open_digitise), ("F12", self.reuse_offered)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.setTabOrder(self.picker.edit, self.commune.edit)
        self.setTabOrder(self.commune.edit, self.papers)
        self.setFocusProxy(self.picker.edit)

    # --- catalogue, draft ------------------------------------------------------------------------

    def set_catalogue(self, items: Sequence[ProcedureItem]) -> None:
        self.picker.set_items(items)

    def restore_draft(self) -> None:
        """Load the autosaved draft (if any) into the form."""
        self.ctx.worker.run(load_draft, self.ctx.store, INTAKE, on_done=self._draft_loaded, owner=self)

    def _draft_loaded(self, data: object) -> None:
        if isinstance(data, dict) and data:
            self.set_state(data)
            self.scan_banner.setText(self.tr("A form left unfinished was restored."))

    def state(self) -> dict[str, Any]:
        """The form as a JSON-serialisable draft."""
        return {
            "fields": {n: e.text() for n, e in self.edits.items() if e.text()},
            "gender": self.gender.currentData() or "",
            "procedure": self.picker.current.code if self.picker.current else "",
            "papers": {str(i): c for i, c in self.papers.counts().items()},
            "sets": self.sets.value(),
            "delivery": self.delivery.currentData(),
            "notes": self.notes.text(),
            "notify": [c for c, box in self.notify.items() if box.isChecked()],
            "card_scanned": self.card_scanned,
            "commune": [self.commune.code, self.commune.name] if self.commune.code else [],
        }

    def is_empty(self) -> bool:
        s = self.state()
        return not (s["fields"] or s["gender"] or s["procedure"] or s["notes"] or s["commune"])

    def set_state(self, data: dict[str, Any]) -> None:
        self._restoring = True
        try:
            fields = data.get("fields", {})
            for name, edit in self.edits.items():
                edit.setText(str(fields.get(name, "")))
            self.gender.setCurrentIndex(max(0, self.gender.findData(data.get("gender", ""))))
            self.picker.set_code(data.get("procedure") or None)
            self._load_papers()
            papers = data.get("papers", {})
            self.papers.set_ticked(
                {int(k): int(c) for k, c in papers.items()} if isinstance(papers, dict) else {}
            )
            self.sets.setValue(int(data.get("sets", 1) or 1))
            self.delivery.setCurrentIndex(max(0, self.delivery.findData(data.get("delivery", "counter"))))
            self.notes.setText(str(data.get("notes", "")))
            chosen = data.get("notify", [])
            for channel, box in self.notify.items():
                box.setChecked(isinstance(chosen, list) and channel in chosen)
            self.card_scanned = bool(data.get("card_scanned", False))
            chosen = data.get("commune") or []
            if isinstance(chosen, list) and len(chosen) == 2:
                self.commune.set_choice(str(chosen[0]), str(chosen[1]))
            else:
                self.commune.set_choice(None)
        finally:
            self._restoring = False
        self._clear_errors()
        self._schedule_preview()

    def save_draft_now(self) -> None:
        self._autosave.stop()
        # A draft is a convenience kept in the background: when it cannot be written (a full disk) the
        # log says so, and no box interrupts the operator every few seconds; saving the form says why.
        if self.is_empty():
            self.ctx.worker.run(clear_draft, self.ctx.store, INTAKE, on_error=_draft_not_kept)
        else:
            self.ctx.worker.run(save_draft, self.ctx.store, INTAKE, self.state(), on_error=_draft_not_kept)

    def flush_draft(self) -> None:
        """Save a pending draft change now (before closing, logging out or switching language)."""
        if self._autosave.isActive():
            self.save_draft_now()

    def ask_clear(self) -> None:
        """Ctrl+N: clear the form for the next citizen, asking first if something was typed in it."""
        if self.is_empty():
            self.clear_form()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Clear the form"),
            self.tr("Clear everything typed for this citizen? It is not saved."),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("confirmClear")
        yes = box.addButton(self.tr("&Clear"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("&Keep"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda b: self.clear_form() if b is yes else None)
        box.finished.connect(self._confirm_closed)
        self.confirm_box = box
        box.open()

    def _confirm_closed(self, _result: int) -> None:
        self.confirm_box = None
        self.window().activateWindow()
        self.picker.edit.setFocus()

    def stop_timers(self) -> None:
        """The window is closing: no preview is asked for any more (the draft is flushed by the caller)."""
        self._preview_timer.stop()

    def clear_form(self, *, keep_draft: bool = False) -> None:
        """Empty the form for the next citizen (and forget the draft unless ``keep_draft``)."""
        self._restoring = True
        try:
            for e in self.edits.values():
                e.clear()
            self.gender.setCurrentIndex(0)
            self.picker.set_current(None)
            self.papers.set_papers([])
            self.sets.setValue(1)
            self.pages.setValue(0)
            self.copies.setValue(0)
            self.fee_exemption.clear()
            self.delivery.setCurrentIndex(0)
            self.notes.clear()
            self.commune.set_choice(None)
            self.history.clear()
            for box in self.notify.values():
                box.setChecked(False)
            self.card_scanned = False
            self.digitise_model.clear()
        finally:
            self._restoring = False
        self._clear_errors()
        self._show_preview(None)
        self.scan_banner.setText(
            self.tr("Scan the citizen's ID card at any time: the fields fill themselves.")
        )
        self._autosave.stop()
        if not keep_draft:
            self.ctx.worker.run(clear_draft, self.ctx.store, INTAKE)
        self.picker.edit.setFocus()

    # --- changes ---------------------------------------------------------------------------------

    def _field_edited(self, name: str) -> None:
        if self._restoring:
            return
        label = self.errors.get(name)
        if label is not None:
            label.hide()
        self._autosave.start()

    def _check_field(self, name: str) -> None:
        """Validate one field when the operator leaves it (domain rules, no database)."""
        text = self.edits[name].text()
        if not text.strip():
            if name != "full_name":
                self._set_field_problems(name, [])
            return
        if name == "full_name":
            result: v.Result[Any] = v.validate_name(text)
        elif name == "personal_id":
            result = v.validate_id_number(text)
        elif name == "old_id":
            result = v.validate_id_number(text, field="old_id", allow_old=True)
        elif name == "birth_date":
            result = v.validate_date(text, field="birth_date", allow_future=False)
        elif name == "phone":
            result = v.validate_phone(text)
        elif name == "email":
            result = v.validate_email(text)
        else:
            return
        self._set_field_problems(name, list(result.problems))

    def _set_field_problems(self, name: str, problems: Sequence[Problem]) -> None:
        label = self.errors.get(name)
        if label is None:
            return
        if problems:
            label.setText("\n".join(message(p) for p in problems))
            label.show()
        else:
            label.hide()

    def _focus_history(self) -> None:
        if self.history.isVisible():
            self.history.list.setFocus()

    def _commune_changed(self) -> None:
        self._field_edited("commune")
        self._schedule_preview()
        if self.commune.code is not None:
            self.papers.setFocus()  # the commune chosen: on to the papers

    def _procedure_chosen(self, item: object) -> None:
        self._load_papers()
        if self.card_scanned:
            self.papers.tick_id_card()
        self._field_edited("procedure")
        self._schedule_preview()
        if item is not None:
            self.papers.setFocus()

    def _load_papers(self) -> None:
        p = self.picker.current
        self.papers.set_papers([(x.name, x.form, x.count) for x in p.papers] if p else [])

    # --- live preview ----------------------------------------------------------------------------

    def _schedule_preview(self) -> None:
        if self.picker.current is None:
            self._show_preview(None)
            return
        self._preview_timer.start()

    def _request_preview(self) -> None:
        p = self.picker.current
        if p is None:
            return
        self._preview_seq += 1
        seq = self._preview_seq
        self.ctx.worker.run(
            preview,
            self.ctx.store,
            p.code,
            self.edits["address"].text(),
            self.commune.code,
            on_done=lambda result: self._preview_done(seq, result),
            on_error=lambda exc: self._preview_failed(seq, exc),
            owner=self,
        )

    def _preview_done(self, seq: int, result: object) -> None:
        if seq == self._preview_seq and isinstance(result, Preview):
            self._show_preview(result)

    def _preview_failed(self, seq: int, exc: BaseException) -> None:
        if seq == self._preview_seq:
            self._show_preview(None)
            self.route_value.setText(error_text(exc))

    def _show_preview(self, result: Preview | None) -> None:
        p = self.picker.current
        if result is None or p is None:
            for label in (
                self.fee_value,
                self.time_value,
                self.due_value,
                self.route_value,
                self.agency_value,
            ):
                label.setText("—")
            return
        fee = show_money(result.fee_vnd)
        if p.fee_text:
            fee = f"{fee} — {p.fee_text}"  # whole: the operator reads the fee out, it is never cut
        self.fee_value.setText(fee)
        self.fee_value.setToolTip(p.fee_text)
        self.time_value.setText(time_label(p.time_value, p.time_unit))
        self.due_value.setText(show_datetime(result.due_at))
        if result.route is not None:
            route = result.route
            self.route_value.setText(
                f"{scenario_label(route.scenario.value)} — {route.explanation(current_language())}"
            )
            self.agency_value.setText(route.competent_agency.name)
        else:
            self.route_value.setText("\n".join(message(x) for x in result.problems))
            self.agency_value.setText("—")

    # --- the ID card ------------------------------------------------------------------------------

    def apply_scan(self, payload: str, *, today: date | None = None) -> QrIdentity:
        """Fill the applicant from a scanned QR payload; say what could not be read."""
        ident = parse_cccd_qr(payload, today=today)
        if not ident.readable and not ident.full_name:
            self.scan_banner.setText(
                fmt(self.tr("The card could not be read: %1"), "; ".join(message(p) for p in ident.problems))
            )
            self.scan_banner.setStyleSheet(ERROR_STYLE)
            return ident
        self._restoring = True
        try:
            previous = self.edits["personal_id"].text().strip()
            if previous and ident.personal_id and previous != ident.personal_id:
                for name in ("phone", "email"):  # another citizen: do not mix their contacts in
                    self.edits[name].clear()
            values = {
                "personal_id": ident.personal_id,
                "old_id": ident.old_id or "",
                "full_name": ident.full_name,
                "birth_date": show_date(ident.birth_date) if ident.birth_date else "",
                "address": ident.address,
            }
            for name, value in values.items():
                if value or name == "old_id":
                    self.edits[name].setText(value)
                    self.edits[name].setCursorPosition(0)
            if ident.gender:
                self.gender.setCurrentIndex(max(0, self.gender.findData(ident.gender)))
        finally:
            self._restoring = False
        self._clear_errors()
        self.card_scanned = bool(ident.personal_id)
        if self.card_scanned:
            self.papers.tick_id_card()
        self.history.look_up(ident.personal_id or "")
        self.digitise_model.offers = []
        if ident.personal_id:  # papers this centre already digitised for the citizen (issue 19 item 7)
            from app.services.files import reusable_papers

            pid = ident.personal_id
            self.ctx.worker.run(
                reusable_papers,
                self.ctx.store,
                pid,
                on_done=lambda offers: self._offers_loaded(pid, offers),
                owner=self,
            )
        by_field: dict[str, list[Problem]] = {}
        for p in ident.problems:
            by_field.setdefault(p.field or "", []).append(p)
        for name, problems in by_field.items():
            self._set_field_problems(name, problems)
        if ident.problems:
            self.scan_banner.setText(
                fmt(
                    self.tr("Card read for %1. Could not read: %2"),
                    ident.full_name or ident.personal_id,
                    " ".join(message(p) for p in ident.problems),
                )
            )
            self.scan_banner.setStyleSheet("color: #8a5300;")
        else:
            self.scan_banner.setText(fmt(self.tr("Card read: %1, %2."), ident.full_name, ident.personal_id))
            self.scan_banner.setStyleSheet("color: #1b5e20;")
        self._autosave.start()
        self._schedule_preview()
        (self.papers if self.picker.current is not None else self.picker.edit).setFocus()
        return ident

    # --- save, refuse ------------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.general_error.hide()

    def show_problems(self, problems: Sequence[Problem]) -> None:
        """Each problem next to its field; the rest above the buttons."""
        self._clear_errors()
        grouped: dict[str, list[Problem]] = {}
        general: list[Problem] = []
        aliases = {"sets_count": "papers", "result_delivery": "notes", "notify": "notes"}
        for p in problems:
            name = aliases.get(p.field or "", p.field or "")
            if name in self.errors:
                grouped.setdefault(name, []).append(p)
            else:
                general.append(p)
        for name, ps in grouped.items():
            self._set_field_problems(name, ps)
        if general:
            self.general_error.setText("\n".join(message(p) for p in general))
            self.general_error.show()
        first = next((n for n in (*TEXT_FIELDS, "gender", "procedure", "papers") if n in grouped), None)
        if first in self.edits:
            self.edits[first].setFocus()
        elif first == "procedure":
            self.picker.edit.setFocus()
        elif first == "papers":
            self.papers.setFocus()

    def request(self) -> ReceiveRequest | None:
        """The receive request from the form, or ``None`` (with inline messages) if it is incomplete."""
        problems: list[Problem] = []
        if self.picker.current is None:
            problems.append(
                Problem(
                    "ui.procedure",
                    self.tr("Choose the procedure: type a few letters, then Enter."),
                    self.tr("Choose the procedure: type a few letters, then Enter."),
                    "procedure",
                )
            )
        elif not self.papers.ticked():
            problems.append(  # with every other error below: one round of corrections
                Problem(
                    "ui.papers",
                    self.tr("Tick the papers received (Space)."),
                    self.tr("Tick the papers received (Space)."),
                    "papers",
                )
            )
        # The applicant's fields by the same rules the service applies (pure, no database): every error
        # shows at once, not one round per kind.
        problems.extend(clean_applicant(self._applicant())[1])
        if problems:
            self.show_problems(problems)
            return None
        assert self.picker.current is not None
        return ReceiveRequest(
            procedure_code=self.picker.current.code,
            applicant=self._applicant(),
            papers=self.papers.inputs(),
            sets_count=self.sets.value(),
            result_delivery=self.delivery.currentData(),
            notes=self.notes.text(),
            commune_code=self.commune.code,
            pages=self.pages.value(),
            copies=self.copies.value(),
            fee_exemption=self.fee_exemption.text(),
            notify=tuple(c for c, box in self.notify.items() if box.isChecked()),
        )

    def _applicant(self) -> ApplicantInput:
        """The applicant as typed (or scanned) into the form."""
        e = self.edits
        return ApplicantInput(
            full_name=e["full_name"].text(),
            personal_id=e["personal_id"].text().strip() or None,
            old_id=e["old_id"].text().strip() or None,
            birth_date=e["birth_date"].text().strip() or None,
            gender=self.gender.currentData() or None,
            phone=e["phone"].text().strip() or None,
            email=e["email"].text().strip() or None,
            address=e["address"].text(),
        )

    def save(self) -> None:
        """Ctrl+Enter: record the dossier, then print its receipt and show the preview."""
        if self.busy or self.ctx.session is None:
            return
        req = self.request()
        if req is None:
            return
        if self._digitised_rows() or self.digitise_model.hidden_pending():
            self._save_with_papers(req)
            return
        self._set_busy(True)
        self._autosave.stop()
        self.ctx.worker.run(
            receive_and_print,
            self.ctx.store,
            self.ctx.actor,
            req,
            self.ctx.settings.receipt_format,
            on_done=self._saved,
            on_error=self._failed,
            owner=self,
        )

    # --- digitising (issue 19) ------------------------------------------------------------------

    def _digitised_rows(self) -> list[tuple[int, int, str]]:
        """(checklist row, paper number in the dossier, name) of the ticked papers."""
        names = [p.name for p in self.papers.inputs()]
        return [(row, n, names[n - 1]) for n, row in enumerate(self.papers.ticked(), start=1)]

    def open_digitise(self) -> DigitisePanel | None:
        """F8: the digitising panel for the ticked papers; its pages wait here until the save."""
        if self.ctx.session is None or self.busy:
            return None
        rows = self._digitised_rows()
        if not rows:
            self.request()  # says: choose the procedure / tick the papers
            return None
        self.digitise_model.set_papers(rows)
        panel = DigitisePanel(
            self,
            self.ctx,
            self.ctx.digitise_lane,
            self.digitise_model,
            title=self.tr("Digitise the papers of this dossier"),
            personal_id=self.edits["personal_id"].text().strip() or None,
        )
        panel.finished.connect(self._digitise_closed)
        self.digitise_panel = panel
        panel.open()
        return panel

    def _digitise_closed(self, _result: int) -> None:
        self.digitise_panel = None
        ready = len(self.digitise_model.pending())
        if ready:
            self.scan_banner.setText(
                fmt(self.tr("%1 paper(s) digitised: stored when the dossier is saved (Ctrl+Enter)."), ready)
            )
            self.scan_banner.setStyleSheet("color: #1b5e20;")
        self.window().activateWindow()
        self.papers.setFocus()

    def _offers_loaded(self, personal_id: str, offers: object) -> None:
        assert isinstance(offers, list)
        if self.edits["personal_id"].text().strip() != personal_id:
            return  # another card was scanned meanwhile
        self.digitise_model.offers = offers
        if offers:
            self.scan_banner.setText(
                self.scan_banner.text()
                + " "
                + fmt(
                    self.tr("%1 paper(s) already digitised for this citizen: F12 reuses them."), len(offers)
                )
            )

    def reuse_offered(self) -> None:
        """F12: every ticked paper not digitised yet that the citizen's earlier dossiers hold (same
        name) is linked to their stored file, marked reused (not copied), when the dossier is saved."""
        model = self.digitise_model
        if not model.offers:
            self.scan_banner.setText(self.tr("No paper already digitised for this citizen."))
            return
        model.set_papers(self._digitised_rows())
        reused = []
        for w in model.papers:
            offer = model.offer_for(w.name)
            if offer is not None and not w.pending:
                w.reuse = offer
                reused.append(w.name)
        if reused:
            self.scan_banner.setText(fmt(self.tr("Reused: %1."), "; ".join(reused)))
            self.scan_banner.setStyleSheet("color: #1b5e20;")
        else:
            self.scan_banner.setText(
                self.tr("None of the ticked papers is one already digitised: tick it, or choose it in F8.")
            )

    def _save_with_papers(self, req: ReceiveRequest) -> None:
        """The page counts checked here, the pages compressed on the digitising lane, then the dossier
        received and its papers stored on the database lane."""
        model = self.digitise_model
        model.set_papers(self._digitised_rows())
        hidden = model.hidden_pending()
        if hidden:
            texts = [
                fmt(self.tr("%1 has pages but is not ticked: tick it or delete its pages (F8)."), w.name)
                for w in hidden
            ]
            self.show_problems([Problem("ui.digitised_unticked", t, t, "papers") for t in texts])
            return
        works = model.pending()
        try:
            check_counts(works)
        except DomainError as exc:
            self.show_problems(exc.problems)
            return
        rows, images = snapshot(model, works)
        self._set_busy(True)
        self._autosave.stop()
        self.scan_banner.setText(self.tr("Compressing the digitised pages…"))
        self.ctx.digitise_lane.run(
            prepare_all,
            rows,
            images,
            on_done=lambda papers: self._receive_with(req, papers),
            on_error=self._failed,
            owner=self,
        )

    def _receive_with(self, req: ReceiveRequest, papers: object) -> None:
        from app.services.digitise_panel import receive_store_and_print

        self.scan_banner.setText(self.tr("Saving the dossier and its papers…"))
        self.ctx.worker.run(
            receive_store_and_print,
            self.ctx.store,
            self.ctx.actor,
            req,
            self.ctx.settings.receipt_format,
            papers,
            on_done=self._saved_with_papers,
            on_error=self._failed,
            owner=self,
        )

    def _saved_with_papers(self, result: object) -> None:
        from app.services.digitise_panel import DigitisedIntake

        assert isinstance(result, DigitisedIntake)
        self._saved(result.outcome)  # the window wakes the OCR with the sync round (``saved``)
        if result.papers_error is not None:
            self.general_error.setText(
                fmt(
                    self.tr(
                        "The dossier was received, but these papers were not stored: %1 (%2). "
                        "Digitise them again from the dossier screen (F8)."
                    ),
                    "; ".join(result.not_stored),
                    error_text(result.papers_error),
                )
            )
            self.general_error.show()
        elif result.stored:
            self.scan_banner.setText(
                self.scan_banner.text() + " " + fmt(self.tr("%1 paper(s) digitised."), len(result.stored))
            )

    def refuse(self) -> None:
        """Ctrl+R: ask the reason, record the refusal and print the refusal slip."""
        if self.busy or self.ctx.session is None:
            return
        if self.picker.current is None:
            self.request()  # shows "choose the procedure"
            return
        dialog = ReasonDialog(
            self,
            self.tr("Refuse the dossier"),
            self.tr("Why is the dossier refused? The citizen reads this on the refusal slip."),
        )
        dialog.submitted.connect(self._refuse_with)
        self.reason_dialog = dialog
        dialog.open()

    def _refuse_with(self, reason: str) -> None:
        p = self.picker.current
        if p is None:
            return
        req = ReceiveRequest(
            procedure_code=p.code,
            applicant=self._applicant(),
            papers=self.papers.inputs(),
            sets_count=self.sets.value(),
            result_delivery=self.delivery.currentData(),
            commune_code=self.commune.code,
        )
        self._set_busy(True)
        self._autosave.stop()
        self.ctx.worker.run(
            refuse_and_print,
            self.ctx.store,
            self.ctx.actor,
            req,
            reason,
            on_done=self._saved,
            on_error=self._refuse_failed,
            owner=self,
        )

    def _refuse_failed(self, exc: BaseException) -> None:
        dialog = self.reason_dialog
        if isinstance(exc, DomainError) and dialog is not None and dialog.isVisible():
            mine = [p for p in exc.problems if p.field == "reason"]
            if mine:
                self._set_busy(False)
                dialog.show_problems(mine)
                return
            dialog.reject()
        self._failed(exc)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy)
        self.refuse_button.setEnabled(not busy)

    def _saved(self, outcome: object) -> None:
        assert isinstance(outcome, IntakeOutcome)
        self._set_busy(False)
        if self.reason_dialog is not None:
            self.reason_dialog.accept()
            self.reason_dialog = None
        self.clear_form()
        if outcome.code:
            self.scan_banner.setText(fmt(self.tr("Dossier %1 received."), outcome.code))
        else:
            self.scan_banner.setText(self.tr("The refusal was recorded."))
        self.scan_banner.setStyleSheet("color: #1b5e20;")
        if outcome.print_error is not None:
            self.general_error.setText(
                fmt(
                    self.tr("Saved, but the form was not printed: %1 Reprint it from the dossier screen."),
                    error_text(outcome.print_error),
                )
            )
            self.general_error.show()
        self.saved.emit(outcome)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._autosave.start()
        if isinstance(exc, DomainError):
            self.show_problems(exc.problems)
        else:
            show_error(self, exc)
