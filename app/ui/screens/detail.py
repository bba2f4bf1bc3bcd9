"""One dossier: applicant, papers, the three agencies, the timeline of events, and only the actions its
status allows, each asking for what it needs and printing its slip where a form exists."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.collection import AUTHORISED, Collector, collector_of
from app.domain.errors import DomainError
from app.domain.roles import Role, may_perform
from app.domain.status import Action, allowed_actions
from app.services.actions import ActionOutcome, perform_and_print
from app.services.desk_lists import AgencyItem, DossierDetail, agencies, dossier_detail
from app.services.intake import print_dossier_form
from app.ui.dialogs.common import ActionDialog
from app.ui.dialogs.digitise import DigitisePanel, PanelModel
from app.ui.errors import error_text, show_error
from app.ui.i18n import fmt, show_date, show_datetime, show_money
from app.ui.labels import (
    action_label,
    delivery_label,
    form_label,
    gender_label,
    paper_form_label,
    pdf_file_name,
    scenario_label,
    status_label,
)
from app.ui.screens.desk import URGENCY_COLOURS
from app.ui.shell.context import UiContext

# The actions the detail screen offers (those :func:`perform` handles), in the order shown.
PERFORMABLE = (
    Action.START_PROCESSING,
    Action.FORWARD,
    Action.REQUEST_SUPPLEMENT,
    Action.SUPPLEMENT_RECEIVED,
    Action.REQUEST_FEES,
    Action.FEES_PAID,
    Action.RESULT_READY,
    Action.HAND_BACK,
    Action.APOLOGISE,
    Action.WITHDRAW,
    Action.STOP,
)
ACTIONS_PER_ROW = 4
# The printed form an action produces.
ACTION_FORMS = {"request_supplement": "supplement", "apologise": "apology", "stop": "stop"}


def allowed_here(status: str, roles: frozenset[Role] = frozenset(Role)) -> list[Action]:
    """The actions offered: legal from ``status`` and open to this centre's ``roles`` (app.domain.roles)."""
    allowed = set(allowed_actions(status))
    return [a for a in PERFORMABLE if a in allowed and may_perform(roles, status, a)]


class DetailPage(QWidget):
    # The dossier changed (an action was recorded): lists and counters should reload.
    changed = Signal(str)
    # A form was printed for the dossier: (Printed, title, file name).
    document = Signal(object, str, str)
    back = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPage")
        self.ctx = ctx
        self.detail: DossierDetail | None = None
        self.dossier_id: str | None = None
        self.agency_items: list[AgencyItem] = []
        self.dialog: ActionDialog | None = None
        self.action_buttons: dict[str, QPushButton] = {}
        self.busy = False
        # The digitising panel (F8, issue 19) and its unsaved pages, per dossier.
        self.digitise_panel: DigitisePanel | None = None
        self.digitise_models: dict[str, PanelModel] = {}

        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel(self.tr("No dossier is open. Open one from the desk (F3)."), self)
        self.title.setObjectName("detailTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self.title, 1)
        self.status = QLabel("", self)
        self.status.setObjectName("detailStatus")
        head.addWidget(self.status)
        layout.addLayout(head)

        grid = QGridLayout()
        layout.addLayout(grid)
        self.fields: dict[str, QLabel] = {}

        def group(title: str, rows: list[tuple[str, str]]) -> QGroupBox:
            box = QGroupBox(title, self)
            form = QFormLayout(box)
            for name, caption in rows:
                value = QLabel("", box)
                value.setObjectName(f"detail_{name}")
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.fields[name] = value
                form.addRow(caption, value)
            return box

        grid.addWidget(
            group(
                self.tr("Applicant"),
                [
                    ("applicant", self.tr("Name:")),
                    ("personal_id", self.tr("ID number:")),
                    ("birth", self.tr("Born:")),
                    ("phone", self.tr("Phone:")),
                    ("address", self.tr("Address:")),
                ],
            ),
            0,
            0,
        )
        grid.addWidget(
            group(
                self.tr("Dossier"),
                [
                    ("procedure", self.tr("Procedure:")),
                    ("received", self.tr("Received:")),
                    ("due", self.tr("Due:")),
                    ("fee", self.tr("Fee:")),
                    ("delivery", self.tr("Result:")),
                ],
            ),
            0,
            1,
        )
        grid.addWidget(
            group(
                self.tr("Agencies"),
                [
                    ("scenario", self.tr("Routing:")),
                    ("receiving", self.tr("Receiving:")),
                    ("competent", self.tr("Competent:")),
                    ("handling", self.tr("Handling:")),
                ],
            ),
            0,
            2,
        )
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

        lists = QHBoxLayout()
        papers_box = QGroupBox(self.tr("Papers received"), self)
        papers_layout = QVBoxLayout(papers_box)
        self.papers = QListWidget(papers_box)
        self.papers.setObjectName("detailPapers")
        self.papers.setWordWrap(True)
        papers_layout.addWidget(self.papers)
        lists.addWidget(papers_box, 2)
        events_box = QGroupBox(self.tr("Timeline"), self)
        events_layout = QVBoxLayout(events_box)
        self.events = QTableWidget(0, 5, events_box)
        self.events.setObjectName("detailEvents")
        self.events.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("Step"),
                self.tr("Status after"),
                self.tr("By"),
                self.tr("Reason / note"),
            ]
        )
        self.events.verticalHeader().hide()
        self.events.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.events.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.events.setTabKeyNavigation(False)
        self.events.horizontalHeader().setStretchLastSection(True)
        self.events.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((120, 200, 150, 170)):
            self.events.setColumnWidth(col, width)
        events_layout.addWidget(self.events)
        lists.addWidget(events_box, 5)
        layout.addLayout(lists, 1)

        self.actions_box = QGroupBox(self.tr("Actions"), self)
        self.actions_layout = QGridLayout(self.actions_box)
        layout.addWidget(self.actions_box)
        prints = QHBoxLayout()
        self.reprint_button = QPushButton(self.tr("Reprint the receipt"), self)
        self.reprint_button.setObjectName("reprintReceipt")
        self.reprint_button.clicked.connect(lambda: self.print_form(self.ctx.settings.receipt_format))
        self.control_button = QPushButton(self.tr("Print the control slip"), self)
        self.control_button.setObjectName("printControl")
        self.control_button.clicked.connect(lambda: self.print_form("control"))
        self.refusal_button = QPushButton(self.tr("Reprint the refusal slip"), self)
        self.refusal_button.setObjectName("reprintRefusal")
        self.refusal_button.clicked.connect(lambda: self.print_form("refusal"))
        back = QPushButton(self.tr("Back to the desk (Esc)"), self)
        back.setObjectName("backButton")
        back.clicked.connect(self.back.emit)
        self.message = QLabel("", self)
        self.message.setObjectName("detailMessage")
        self.message.setWordWrap(True)
        prints.addWidget(self.reprint_button)
        prints.addWidget(self.control_button)
        prints.addWidget(self.refusal_button)
        self.digitise_button = QPushButton(self.tr("Digitised papers (F8)"), self)
        self.digitise_button.setObjectName("digitiseButton")
        self.digitise_button.clicked.connect(self.open_digitise)
        prints.addWidget(self.digitise_button)
        prints.addWidget(self.message, 1)
        prints.addWidget(back)
        layout.addLayout(prints)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.back.emit)
        digitise = QShortcut(QKeySequence("F8"), self)
        digitise.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        digitise.activated.connect(self.open_digitise)
        self._show(None)

    # --- loading ---------------------------------------------------------------------------------

    def load(self, dossier_id: str) -> None:
        self.dossier_id = dossier_id
        self.ctx.worker.run(dossier_detail, self.ctx.store, dossier_id, on_done=self._loaded, owner=self)
        if not self.agency_items:
            self.ctx.worker.run(agencies, self.ctx.store, on_done=self._agencies_loaded, owner=self)

    def reload(self) -> None:
        if self.dossier_id:
            self.load(self.dossier_id)

    def _agencies_loaded(self, items: object) -> None:
        assert isinstance(items, list)
        self.agency_items = items

    def _loaded(self, detail: object) -> None:
        assert isinstance(detail, DossierDetail)
        if detail.dossier_id == self.dossier_id:
            self._show(detail)

    def _show(self, d: DossierDetail | None) -> None:
        self.detail = d
        for button in self.action_buttons.values():
            self.actions_layout.removeWidget(button)
            button.deleteLater()
        self.action_buttons.clear()
        for label in self.fields.values():
            label.setText("")
        self.papers.clear()
        self.events.setRowCount(0)
        has_receipt = d is not None and d.code is not None and d.status != "refused"
        self.reprint_button.setVisible(has_receipt)
        self.control_button.setVisible(has_receipt)
        self.refusal_button.setVisible(d is not None and d.status == "refused")
        if d is None:
            self.status.setText("")
            return
        self.title.setText(d.code or self.tr("Refused at intake (no number)"))
        urgency = {"overdue": self.tr(" — overdue"), "due_soon": self.tr(" — due soon")}.get(d.urgency, "")
        self.status.setText(status_label(d.status) + urgency)
        colour = URGENCY_COLOURS[d.urgency].name() if d.urgency in URGENCY_COLOURS else None
        self.status.setStyleSheet(
            f"background: {colour}; color: #202020; padding: 2px 6px;" if colour else ""
        )
        f = self.fields
        f["applicant"].setText(d.applicant_name)
        f["personal_id"].setText(d.personal_id or d.old_id or "")
        f["birth"].setText(" ".join(x for x in (show_date(d.birth_date), gender_label(d.gender)) if x))
        f["phone"].setText(" · ".join(x for x in (d.phone or "", d.email or "") if x))
        f["address"].setText(d.address)
        f["procedure"].setText(f"{d.procedure_name} ({d.procedure_code})")
        f["received"].setText(show_datetime(d.received_at))
        f["due"].setText(show_datetime(d.due_at))
        f["fee"].setText(show_money(d.fee_vnd))
        f["delivery"].setText(delivery_label(d.result_delivery))
        f["scenario"].setText(scenario_label(d.scenario))
        f["receiving"].setText(d.receiving_agency)
        f["competent"].setText(d.competent_agency)
        f["handling"].setText(d.handling_agency)
        for p in d.papers:
            self.papers.addItem(fmt(self.tr("%1 — %2 × %3"), p.name, paper_form_label(p.form), p.count))
        self.events.setRowCount(len(d.events))
        for i, e in enumerate(d.events):
            target = e.payload.get("handling_agency") if e.action == "forward" else None
            step = (
                fmt(self.tr("%1 → %2"), action_label(e.action), target) if target else action_label(e.action)
            )
            who = collector_of(e.payload) if e.action == "hand_back" else None
            if who is not None:
                step = fmt(self.tr("%1 — collected by %2"), step, self.collector_label(who))
            values = (
                show_datetime(e.occurred_at),
                step,
                status_label(e.to_status),
                f"{e.operator_name} ({e.workstation_name})" if e.workstation_name else e.operator_name,
                e.reason,
            )
            for col, value in enumerate(values):
                self.events.setItem(i, col, QTableWidgetItem(value))
        for action in allowed_here(d.status, d.roles):
            button = QPushButton(action_label(action), self.actions_box)
            button.setObjectName(f"action_{action.value}")
            button.clicked.connect(lambda _checked=False, a=action.value: self.start_action(a))
            n = len(self.action_buttons)
            self.actions_layout.addWidget(button, n // ACTIONS_PER_ROW, n % ACTIONS_PER_ROW)
            button.show()
            self.action_buttons[action.value] = button
        if not self.action_buttons:
            self.message.setText(self.tr("The dossier is closed: no further action."))
        else:
            self.message.setText("")
            next(iter(self.action_buttons.values())).setFocus()

    def collector_label(self, who: Collector) -> str:
        if who.kind == AUTHORISED:
            return fmt(self.tr("authorised person %1 (ID %2)"), who.name, who.id_number)
        return fmt(self.tr("the applicant %1"), who.name)

    # --- digitised papers (issue 19) ----------------------------------------------------------------

    def open_digitise(self) -> DigitisePanel | None:
        """F8: the digitising panel of the open dossier (its stored files, new pages, the viewer)."""
        d = self.detail
        if d is None or d.code is None or d.status == "refused" or self.ctx.session is None:
            return None
        model = self.digitise_models.setdefault(d.dossier_id, PanelModel())
        panel = DigitisePanel(
            self,
            self.ctx,
            self.ctx.digitise_lane,
            model,
            title=fmt(self.tr("Digitised papers of dossier %1"), d.code),
            ref=d.dossier_id,
            personal_id=d.personal_id,
        )
        panel.stored.connect(self._papers_stored)
        panel.finished.connect(self._digitise_closed)
        self.digitise_panel = panel
        panel.open()
        return panel

    def _digitise_closed(self, _result: int) -> None:
        self.digitise_panel = None
        self.window().activateWindow()
        self.digitise_button.setFocus()

    def _papers_stored(self) -> None:
        # ``changed`` has the window wake the OCR, with the sync round, as after an intake's save.
        self.reload()
        if self.dossier_id:
            self.changed.emit(self.dossier_id)

    # --- actions ---------------------------------------------------------------------------------

    def start_action(self, action: str) -> ActionDialog | None:
        """Ask what the action needs; OK records it (and prints its slip)."""
        d = self.detail
        if d is None or self.busy or self.ctx.session is None or action not in self.action_buttons:
            return None
        dialog = ActionDialog(self, action, d, self.agency_items)
        dialog.submitted.connect(lambda values, a=action: self._submit(a, values))
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _submit(self, action: str, values: dict[str, Any]) -> None:
        d = self.detail
        if d is None or self.busy:
            return
        self.busy = True
        self.ctx.worker.run(
            perform_and_print,
            self.ctx.store,
            self.ctx.actor,
            d.dossier_id,
            action,
            values,
            ACTION_FORMS.get(action),
            on_done=self._performed,
            on_error=self._action_failed,
            owner=self,
        )

    def _performed(self, outcome: object) -> None:
        assert isinstance(outcome, ActionOutcome)
        self.busy = False
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None
        r = outcome.result
        self.message.setText(fmt(self.tr("Recorded: %1."), action_label(r.action)))
        self.reload()
        self.changed.emit(r.dossier_id)
        if outcome.printed is not None:
            self._emit_document(outcome.printed)
        elif outcome.print_error is not None:
            self.message.setText(
                fmt(self.tr("Recorded, but the slip was not printed: %1"), error_text(outcome.print_error))
            )

    def _action_failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, DomainError) and self.dialog is not None:
            self.dialog.show_problems(exc.problems)
            return
        show_error(self, exc)

    # --- printing --------------------------------------------------------------------------------

    def print_form(self, form: str) -> None:
        d = self.detail
        if d is None or self.ctx.session is None:
            return
        self.ctx.worker.run(
            print_dossier_form,
            self.ctx.store,
            self.ctx.actor,
            d.dossier_id,
            form,
            on_done=self._emit_document,
            on_error=lambda exc: show_error(self, exc),
            owner=self,
        )

    def _emit_document(self, printed: object) -> None:
        from app.services.printing import Printed

        assert isinstance(printed, Printed)
        d = self.detail
        code = d.code if d is not None and d.code else "refused"
        self.document.emit(printed, f"{form_label(printed.form)} — {code}", pdf_file_name(printed.form, code))
