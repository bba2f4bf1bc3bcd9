"""The main window: log-in first, then the intake screen (F2), the desk (F3) and a dossier (F4), menus
with every shortcut, and the status bar (centre, operator, connection, sync queue, clock).

Once open (:meth:`MainWindow.start_background`) it syncs with the provincial server on a thread of its own
(:mod:`app.ui.lanes.sync`) and takes the daily backup (:mod:`app.ui.lanes.backup`)."""

from __future__ import annotations

import contextlib
import gc
import logging
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QRect, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from app import __version__
from app.domain.errors import DomainError, Problem
from app.ui.errors import show_error, show_problem
from app.ui.i18n import current_language, fmt, install_translators, message, remember_language, show_date
from app.ui.lanes.worker import Worker
from app.ui.screens.login import LoginPage
from app.ui.shell.scanner import ScannerFilter
from app.ui.shell.screenfit import fit_size, on_screen
from app.ui.shell.statusbar import DeskStatusBar

# Everything below is imported when the desk is attached (:meth:`MainWindow.attach`) or later: the window
# is shown before SQLAlchemy, ReportLab, httpx and pydantic are imported (see app.ui.shell.application).
if TYPE_CHECKING:
    from app.services.desk_lists import DeskSummary
    from app.services.files import OcrWorker
    from app.services.intake import IntakeOutcome
    from app.services.session import OperatorSession
    from app.services.settings import DeskSettings
    from app.services.store import Store
    from app.services.window_state import WindowGeometry
    from app.ui.dialogs.enrol import EnrolDialog
    from app.ui.dialogs.parked import ParkedDialog
    from app.ui.dialogs.preview import PreviewDialog
    from app.ui.dialogs.registers import RegistersDialog
    from app.ui.dialogs.settings import SettingsDialog
    from app.ui.lanes.backup import BackupController
    from app.ui.lanes.printing import PrintTarget
    from app.ui.lanes.sync import SyncController, SyncState
    from app.ui.screens.dashboard import DashboardPage
    from app.ui.screens.desk import DeskPage
    from app.ui.screens.detail import DetailPage
    from app.ui.screens.intake import IntakePage
    from app.ui.shell.context import UiContext

log = logging.getLogger(__name__)

PENDING_REFRESH_MS = 30_000
#: After a dossier is saved with its receipt, how long the sync round and the OCR child wait to start:
#: until the receipt's preview is on screen, so that they do not compete with its opening for the
#: interpreter's lock and the two cores. ``bench/bench_gui.py --digitise 1 --file-pages 40``: the window's
#: longest stalls (30-67 ms) came there when they started at once.
WAKE_AFTER_SAVE_MS = 300


def apply_font_size(size: int) -> None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    font = QFont(app.font())
    if size:
        font.setPointSize(size)
        app.setFont(font)


def _desk_now(store: Store) -> tuple[DeskSummary, DeskSettings]:
    """The desk as the store has it now (after an enrolment changed the centre or the workstation)."""
    from app.services.desk_lists import desk_summary
    from app.services.settings import load_settings

    return desk_summary(store), load_settings(store)


def _warm_up(store: Store) -> None:
    """Import what the first receipt, preview and print need and build the reference data the first intake
    reads (on the worker, once the desk is open), so that the operator's first intake waits for neither
    ReportLab's import nor the address index, nor the GUI thread for the preview's module (QtPdf and its
    widgets: 18 ms of imports in the GUI thread at the first receipt, more when a lane imports at the
    same time; only modules are loaded here, no Qt object is made off the GUI thread)."""
    import app.services.printing  # noqa: F401
    import app.ui.dialogs.preview  # noqa: F401
    from app.services.desk import warm_up

    warm_up(store)


def _page_hashes_in_child(pdf: bytes) -> list[str]:
    """The OCR worker's check of a recognised PDF's pages, made in the digitising panel's child process
    (pikepdf stays out of the window's process); imported on the OCR thread, not the GUI thread."""
    from app.services.digitise_panel import page_hashes_in_child

    return page_hashes_in_child(pdf)


class MainWindow(QMainWindow):
    """The window. Built in two steps: the shell (menus, the log-in form, the status bar) at once, then
    the desk (:meth:`attach`: the store, the workspace screens) once the store is open. Given a store, the
    constructor does both."""

    def __init__(
        self,
        store: Store | None = None,
        summary: DeskSummary | None = None,
        settings: DeskSettings | None = None,
        *,
        data_dir: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.data_dir = data_dir
        self._shut = False  # set by shutdown(): nothing starts after it
        self.worker = Worker(self)
        self.worker.default_error_handler = lambda exc: show_error(self, exc)
        #: The printing lane: a print waits on the print process (a slow printer driver, up to minutes),
        #: and saves, lists and counts on :attr:`worker` must not queue behind it.
        self.print_worker = Worker(self)
        self.print_worker.default_error_handler = self.worker.default_error_handler
        # Scanner, files and compression of the digitising panel (issue 19): never the database lane.
        self.digitise_worker = Worker(self)
        self.digitise_worker.default_error_handler = self.worker.default_error_handler
        #: The store, settings and operator; set by :meth:`attach`.
        self.ctx: UiContext
        self.attached = False
        # Tests replace this to print into a PDF file.
        self.print_target_override: PrintTarget | None = None
        self.preview: PreviewDialog | None = None
        self.registers: RegistersDialog | None = None
        self.register_busy = False
        self._focus_before_dialog: QWidget | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.sync_state: tuple[str, int, datetime | None] = ("offline", 0, None)
        self.clock_skew: float | None = None
        self.enrol_dialog: EnrolDialog | None = None
        self.parked_dialog: ParkedDialog | None = None
        #: Sync with the provincial server (its own thread); created by :meth:`start_background`.
        self.sync: SyncController | None = None
        #: Text recognition of digitised papers (its own thread); created by :meth:`start_background`.
        self.ocr: OcrWorker | None = None
        self.backups: BackupController | None = None
        self.scanner = ScannerFilter(self)
        self.scanner.scanned.connect(self.on_scan)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.scanner.watch(app)
        self._pending_timer = QTimer(self)
        self._pending_timer.setInterval(PENDING_REFRESH_MS)
        self._pending_timer.timeout.connect(self.refresh_pending)
        # After a save with a receipt: its preview one turn of the event loop later, then the background.
        self._saved_outcome: IntakeOutcome | None = None
        self._saved_preview_timer = QTimer(self)
        self._saved_preview_timer.setSingleShot(True)
        self._saved_preview_timer.setInterval(0)
        self._saved_preview_timer.timeout.connect(self._open_saved_preview)
        self._wake_after_save = QTimer(self)
        self._wake_after_save.setSingleShot(True)
        self._wake_after_save.setInterval(WAKE_AFTER_SAVE_MS)
        self._wake_after_save.timeout.connect(self._wake_background)
        fit_size(self, 1200, 760)  # shown maximised at the first start (app.ui.shell.application)
        self._build_ui()
        if store is not None:
            assert summary is not None and settings is not None
            self.attach(store, summary, settings)

    @property
    def shut(self) -> bool:
        """:meth:`shutdown` has run: the window does no more work."""
        return self._shut

    def attach(self, store: Store, summary: DeskSummary, settings: DeskSettings) -> None:
        """The store is open: the desk's screens are built and the log-in form is ready for use."""
        from app.ui.lanes.backup import BackupController
        from app.ui.shell.context import UiContext

        self.ctx = UiContext(store, self.worker, summary, settings, digitise=self.digitise_worker)
        self.ctx.print_target = self._print_target
        self.backups = BackupController(store, Path(self.data_dir) if self.data_dir else None, self)
        self.attached = True
        # The shell stays as shown (what the operator typed in the log-in form too); the desk is added.
        self.setWindowTitle(self._title())
        self.status.set_centre(summary.centre_name)
        self.status.set_unencrypted(store.unencrypted is not None)
        self._build_workspace()
        self.login_page.attach(store, summary)
        self._set_logged_in(None, reset=False)

    # --- building (again on a language change) ----------------------------------------------------

    def _title(self) -> str:
        if not self.attached:
            return QApplication.translate("Startup", "Một Cửa Desk")
        return fmt(self.tr("Một Cửa Desk — %1"), self.ctx.summary.centre_name or self.tr("no centre"))

    def retranslate_shell(self) -> None:
        """The language changed before the desk was attached: the shell again, in it."""
        self._build_ui()

    def _build_ui(self) -> None:
        self.setWindowTitle(self._title())
        self._build_menus()
        self.stack = QStackedWidget(self)
        self.login_page = LoginPage(self.worker, self.stack)
        self.login_page.logged_in.connect(self.on_logged_in)
        self.stack.addWidget(self.login_page)
        self.setCentralWidget(self.stack)
        self.status = DeskStatusBar(self.ctx.summary.centre_name if self.attached else None, self)
        self.setStatusBar(self.status)
        self.worker.busy_changed.connect(self.status.set_busy)
        self.status.set_sync_state(*self.sync_state)
        self.status.set_clock_warning(self.clock_skew)
        self.status.parked_clicked.connect(self.open_parked)
        if self.sync is not None and self.sync.state is not None:
            self._show_sync_details(self.sync.state)
        if not self.attached:
            self._set_logged_in(None)
            return
        self.status.set_unencrypted(self.ctx.store.unencrypted is not None)
        self._build_workspace()
        self.login_page.attach(self.ctx.store, self.ctx.summary)
        self._set_logged_in(self.ctx.session)

    def _build_workspace(self) -> None:
        from app.ui.screens.dashboard import DashboardPage
        from app.ui.screens.desk import DeskPage
        from app.ui.screens.detail import DetailPage
        from app.ui.screens.intake import IntakePage

        self.tabs = QTabWidget(self.stack)
        self.tabs.setObjectName("workspaceTabs")
        self.intake: IntakePage = IntakePage(self.ctx, self.tabs)
        self.desk: DeskPage = DeskPage(self.ctx, self.tabs)
        self.detail: DetailPage = DetailPage(self.ctx, self.tabs)
        self.tabs.addTab(self.intake, self.tr("Intake (F2)"))
        self.tabs.addTab(self.desk, self.tr("Desk (F3)"))
        self.tabs.addTab(self.detail, self.tr("Dossier (F4)"))
        from app.ui.screens.online_inbox import OnlineInboxPage

        self.online: OnlineInboxPage = OnlineInboxPage(self.ctx, self.tabs)
        self.tabs.addTab(self.online, self.tr("Online dossiers"))
        self.online.changed.connect(self._dossier_changed)
        self.dashboard: DashboardPage = DashboardPage(self.ctx, self.tabs)  # recomputed when shown
        self.tabs.addTab(self.dashboard, self.tr("Dashboard"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.intake.saved.connect(self._intake_saved)
        self.intake.open_dossier.connect(self.open_dossier)
        self.desk.open_dossier.connect(self.open_dossier)
        self.desk.document.connect(lambda pdf, title, name: self.open_pdf(pdf, title, name))
        self.desk.changed.connect(self._desk_changed)
        self.detail.changed.connect(self._dossier_changed)
        self.detail.document.connect(self.open_preview)
        self.detail.back.connect(self.show_desk)
        self.stack.addWidget(self.tabs)

    def _action(
        self, text: str, slot: Any, *shortcuts: QKeySequence | QKeySequence.StandardKey | str, name: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([s if isinstance(s, QKeySequence) else QKeySequence(s) for s in shortcuts])
        if name:
            action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        for old in self.findChildren(QAction):
            if old.parent() is self:
                self.removeAction(old)
                old.deleteLater()
        file_menu = bar.addMenu(self.tr("&File"))
        self.settings_action = self._action(
            self.tr("&Settings…"), self.open_settings, "Ctrl+,", name="actSettings"
        )
        self.logout_action = self._action(self.tr("&Log out"), self.logout, "Ctrl+L", name="actLogout")
        self.backup_action = self._action(self.tr("&Back up now"), self.backup_now, name="actBackup")
        quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.logout_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        dossier_menu = bar.addMenu(self.tr("&Dossier"))
        self.intake_action = self._action(self.tr("New &intake"), self.show_intake, "F2", name="actIntake")
        self.desk_action = self._action(self.tr("The &desk"), self.show_desk, "F3", name="actDesk")
        self.detail_action = self._action(self.tr("Open d&ossier"), self.show_detail, "F4", name="actDetail")
        self.find_action = self._action(
            self.tr("&Find…"), self.find, QKeySequence.StandardKey.Find, name="actFind"
        )
        self.save_action = self._action(
            self.tr("&Save and print"), self.save_intake, "Ctrl+Return", "Ctrl+Enter", name="actSave"
        )
        self.refuse_action = self._action(self.tr("&Refuse…"), self.refuse_intake, "Ctrl+R", name="actRefuse")
        self.clear_action = self._action(
            self.tr("&Clear the form"), self.clear_intake, "Ctrl+N", name="actClear"
        )
        self.registers_action = self._action(
            self.tr("&Logbook and lists…"), self.open_registers, "F6", name="actRegisters"
        )
        for a in (self.intake_action, self.desk_action, self.detail_action, self.find_action):
            dossier_menu.addAction(a)
        dossier_menu.addSeparator()
        for a in (self.save_action, self.refuse_action, self.clear_action):
            dossier_menu.addAction(a)
        dossier_menu.addSeparator()
        dossier_menu.addAction(self.registers_action)
        self.workspace_actions = [
            self.settings_action,
            self.logout_action,
            self.intake_action,
            self.desk_action,
            self.detail_action,
            self.find_action,
            self.save_action,
            self.refuse_action,
            self.clear_action,
            self.registers_action,
        ]

        # Sync works before anyone logs in: a new workstation is enrolled before it has operators.
        sync_menu = bar.addMenu(self.tr("S&ync"))
        self.sync_now_action = self._action(self.tr("Sync &now"), self.sync_now, "F9", name="actSyncNow")
        self.enrol_action = self._action(self.tr("&Enrol workstation…"), self.open_enrol, name="actEnrol")
        self.parked_action = self._action(self.tr("&Rejected events…"), self.open_parked, name="actParked")
        sync_menu.addAction(self.sync_now_action)
        sync_menu.addSeparator()
        sync_menu.addAction(self.enrol_action)
        sync_menu.addAction(self.parked_action)

        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self._action(self.tr("&Keyboard shortcuts"), self.show_shortcuts, "F1"))
        help_menu.addAction(self._action(self.tr("&About Một Cửa Desk"), self.show_about))
        for a in self.findChildren(QAction):
            if a.parent() is self:
                self.addAction(a)  # shortcuts work even while the menu bar is hidden

    # --- log-in, log-out ----------------------------------------------------------------------------

    def _set_logged_in(self, s: OperatorSession | None, *, reset: bool = True) -> None:
        for a in self.workspace_actions:
            a.setEnabled(s is not None)
        # Sync and backups work before anyone logs in (enrolment), once the store is open.
        for a in (self.sync_now_action, self.enrol_action, self.parked_action, self.backup_action):
            a.setEnabled(self.attached)
        self.status.set_operator(s.full_name if s else None, s.workstation if s else "")
        if s is None:
            self.stack.setCurrentWidget(self.login_page)
            if reset:
                self.login_page.reset()
            self._pending_timer.stop()
        else:
            self.stack.setCurrentWidget(self.tabs)
            self._pending_timer.start()

    @Slot(object)
    def on_logged_in(self, s: object) -> None:
        from app.services.desk_lists import catalogue
        from app.services.session import OperatorSession

        assert isinstance(s, OperatorSession)
        self.ctx.session = s
        self._set_logged_in(s)
        self.tabs.setCurrentWidget(self.intake)
        self.worker.run(catalogue, self.ctx.store, on_done=self._catalogue_loaded, owner=self)
        self.desk.refresh()
        self.refresh_pending()

    def _catalogue_loaded(self, items: object) -> None:
        assert isinstance(items, list)
        self.ctx.catalogue = items
        self.intake.set_catalogue(items)
        self.intake.restore_draft()
        self.intake.picker.edit.setFocus()
        # The catalogue lives as long as the app: freeze it too, out of the full collections' reach.
        gc.freeze()

    def logout(self) -> None:
        from app.services import session as session_service

        s = self.ctx.session if self.attached else None
        if s is None:
            return
        self.intake.flush_draft()
        self.worker.run(session_service.logout, self.ctx.store, s)
        self.ctx.session = None
        self.intake.clear_form(keep_draft=True)
        self._set_logged_in(None)

    # --- navigation ---------------------------------------------------------------------------------

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.desk:
            self.desk.refresh()
        elif self.tabs.currentWidget() is self.online:
            self.online.refresh()
        elif self.tabs.currentWidget() is self.dashboard:
            self.dashboard.refresh()

    def show_intake(self) -> None:
        if self.ctx.session is not None:
            self.tabs.setCurrentWidget(self.intake)
            self.intake.setFocus()

    def show_desk(self) -> None:
        if self.ctx.session is not None:
            self.tabs.setCurrentWidget(self.desk)
            self.desk.table.setFocus()

    def show_detail(self) -> None:
        if self.ctx.session is None:
            return
        if self.tabs.currentWidget() is self.desk and self.desk.current_dossier_id():
            self.open_dossier(self.desk.current_dossier_id() or "")
        else:
            self.tabs.setCurrentWidget(self.detail)

    # Shadows the static QWidget.find(window id), which nothing here calls; "find" is the menu's verb.
    def find(self) -> None:  # type: ignore[override]
        self.show_desk()
        self.desk.search.setFocus()
        self.desk.search.selectAll()

    @Slot(str)
    def open_dossier(self, dossier_id: str) -> None:
        self.detail.load(dossier_id)
        self.tabs.setCurrentWidget(self.detail)

    def save_intake(self) -> None:
        if self.tabs.currentWidget() is self.intake:
            self.intake.save()

    def refuse_intake(self) -> None:
        if self.tabs.currentWidget() is self.intake:
            self.intake.refuse()

    def clear_intake(self) -> None:
        self.show_intake()
        self.intake.ask_clear()

    # --- the scanner --------------------------------------------------------------------------------

    @Slot(str)
    def on_scan(self, payload: str) -> None:
        """An ID card was scanned: on the desk it finds the citizen's dossiers, elsewhere it fills the
        intake form."""
        if not self.attached or self.ctx.session is None or self.stack.currentWidget() is not self.tabs:
            return
        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not self and self._owns(modal):
            return  # a dialog is open: the scan is swallowed, nothing changes behind it
        if self.tabs.currentWidget() is self.desk:
            from app.domain.identity import parse_cccd_qr

            ident = parse_cccd_qr(payload)
            if ident.personal_id:
                self.desk.search_for(ident.personal_id)
                return
        self.tabs.setCurrentWidget(self.intake)
        self.intake.apply_scan(payload)

    def _owns(self, widget: QWidget) -> bool:
        parent = widget.parentWidget()
        while parent is not None:
            if parent is self:
                return True
            parent = parent.parentWidget()
        return False

    # --- results of the screens -----------------------------------------------------------------------

    def _intake_saved(self, outcome: object) -> None:
        from app.services.intake import IntakeOutcome

        assert isinstance(outcome, IntakeOutcome)
        self._refresh_desk_if_shown()
        self.refresh_pending()
        if outcome.printed is None:
            self._wake_background()  # the dossier is durable: send it now, not at the next tick
            return
        # The intake's form was reset in this turn of the event loop: the preview opens in the next one
        # (two short turns instead of a long one), and the sync round and the OCR start once it is shown.
        self._saved_outcome = outcome
        self._saved_preview_timer.start()
        self._wake_after_save.start()

    def _open_saved_preview(self) -> None:
        from app.ui.labels import form_label, pdf_file_name

        outcome, self._saved_outcome = self._saved_outcome, None
        if outcome is None or outcome.printed is None or self._shut:
            return
        self.open_preview(
            outcome.printed,
            f"{form_label(outcome.printed.form)} — {outcome.code or ''}".rstrip(" —"),
            pdf_file_name(outcome.printed.form, outcome.code),
        )

    def _wake_background(self) -> None:
        """After a save: the sync round sends the dossier, the OCR recognises its digitised papers."""
        if self._shut:
            return
        self.wake_sync()  # starts the background work (and so the OCR's wake-up) if it has not started
        self.ctx.wake_ocr()

    def wake_sync(self) -> None:
        """A local change is durable: have it sent now (the background work starts if it has not yet)."""
        if self.sync is None:
            self.start_background()
        if self.sync is not None:
            self.sync.wake()

    def _dossier_changed(self, _dossier_id: str) -> None:
        # As after an intake: the slip an action prints opens in this turn, so the sync round (and the
        # OCR, for papers digitised at the dossier) start once it is shown, not beside its opening.
        self._wake_after_save.start()
        self._refresh_desk_if_shown()
        self.refresh_pending()

    def _desk_changed(self) -> None:
        """The desk's list recorded something (a batch forward): sent like a dossier's action."""
        self._wake_after_save.start()
        self.refresh_pending()

    def _refresh_desk_if_shown(self) -> None:
        """Reload the desk's list after a change, if it is on screen: a hidden desk reloads when its tab
        is shown (:meth:`_tab_changed`), so it would be two reads of the lists, the first one for nobody,
        made while the GUI is busiest (a preview opening right after a save)."""
        if self.desk.isVisible():  # its tab is current and the workspace shown (not the log-in page)
            self.desk.refresh()

    @Slot(object, str, str)
    def open_preview(self, printed: object, title: str, file_name: str) -> PreviewDialog:
        from app.services.printing import Printed

        assert isinstance(printed, Printed)
        return self.open_pdf(printed.pdf, title, file_name, is_copy=printed.is_copy)

    def open_pdf(self, pdf: bytes, title: str, file_name: str, *, is_copy: bool = False) -> PreviewDialog:
        """The preview of a PDF (print with Ctrl+P, save with Ctrl+S), as for the receipt."""
        from app.ui.dialogs.preview import PreviewDialog

        dialog = PreviewDialog(
            self, self.print_worker, pdf, title, self.ctx.print_target, file_name, is_copy=is_copy
        )
        dialog.finished.connect(self._preview_closed)
        self.preview = dialog
        self._focus_before_dialog = QApplication.focusWidget()
        dialog.open()
        return dialog

    def _preview_closed(self, _result: int) -> None:
        self.preview = None
        self.restore_focus()

    def restore_focus(self) -> None:
        """Back to where the operator was before a dialog (the window becomes active again)."""
        self.activateWindow()
        widget = self._focus_before_dialog
        self._focus_before_dialog = None
        if widget is not None and shiboken6.isValid(widget) and widget.isVisible():
            widget.setFocus()
        elif self.stack.currentWidget() is self.tabs:
            current = self.tabs.currentWidget()
            if current is not None:
                current.setFocus()

    def _print_target(self) -> PrintTarget:
        from app.ui.lanes.printing import PrintTarget

        if self.print_target_override is not None:
            return self.print_target_override
        return PrintTarget(printer_name=self.ctx.settings.printer)

    # --- status bar -----------------------------------------------------------------------------------

    def refresh_pending(self) -> None:
        from app.services.desk_lists import pending_sync_count

        self.worker.run(pending_sync_count, self.ctx.store, on_done=self._pending_loaded, owner=self)

    def _pending_loaded(self, count: object) -> None:
        state, _pending, last = self.sync_state
        self.sync_state = (state, int(count), last)  # type: ignore[call-overload]
        self.status.set_pending(int(count))  # type: ignore[call-overload]

    @Slot(str, int, object)
    def set_sync_state(self, state: str, pending: int, last_sync: datetime | None) -> None:
        """For the sync engine (none yet): "offline" / "online" / "syncing", queue length, last sync."""
        self.sync_state = (state, pending, last_sync)
        self.status.set_sync_state(state, pending, last_sync)

    @Slot(object)
    def set_clock_warning(self, skew_seconds: float | None) -> None:
        """For the sync engine: how far this computer's clock is from the server's (seconds)."""
        self.clock_skew = skew_seconds
        self.status.set_clock_warning(skew_seconds)

    @Slot(object)
    def on_sync_state(self, state: object) -> None:
        """A state reported by the sync thread (delivered in the GUI thread)."""
        from app.ui.lanes.sync import SyncState

        assert isinstance(state, SyncState)
        self.set_sync_state(state.state, state.pending, state.last_success)
        self._show_sync_details(state)
        if state.pulled:
            self._refresh_desk_if_shown()  # e.g. a dossier forwarded to this centre: on the list now

    def _show_sync_details(self, state: SyncState) -> None:
        self.status.set_parked(state.parked)
        if state.state == "syncing":
            return
        if state.state == "online":
            self.status.set_files(
                state.files_pending, state.file_bytes_pending, state.files_parked
            )  # a round has started: what the last one found stays shown until this one ends
        tip = message(state.problem) if state.problem is not None else ""
        if state.next_attempt_in is not None and state.state == "offline":
            tip = "\n".join(
                t for t in (tip, fmt(self.tr("Next attempt in %1 s."), round(state.next_attempt_in))) if t
            )
        self.status.set_sync_problem(tip)
        problem = state.problem if state.state == "clock" else None
        self.status.set_clock_problem(message(problem) if problem is not None else None)

    # --- sync and backups ---------------------------------------------------------------------------------

    def start_background(self) -> None:
        """Once the desk is open: the sync thread, today's backup, the keyring check and the printing
        stack's import (none of them holds up the operator). Runs once; nothing after :meth:`shutdown`."""
        if self.sync is not None or not self.attached or self._shut:
            return
        from app.sync.service import keyring_problem
        from app.ui.lanes.sync import SyncController

        assert self.backups is not None
        self.sync = SyncController(self.ctx.store, self)
        self.sync.state_changed.connect(self.on_sync_state)
        self.sync.start()
        from app.services.files import OcrWorker  # digitised papers' text, in the background (issue 19)

        self.ocr = OcrWorker(self.ctx.store, page_hashes=_page_hashes_in_child)
        self.ocr.start()
        self.ctx.wake_ocr = self.ocr.wake
        self.backups.daily()
        # Which keyring backend exists is found by probing the OS (D-Bus…): on the network lane.
        self.sync.lane.run(keyring_problem, on_done=self._keyring_checked, owner=self)
        self.worker.run(_warm_up, self.ctx.store)

    def _keyring_checked(self, problem: object) -> None:
        if problem is None:
            return
        assert isinstance(problem, Problem)
        log.warning("no usable keyring: %s", problem.code)
        show_problem(problem, current_language(), fatal=False, parent=self)

    def sync_now(self) -> None:
        if not self.attached:
            return
        if self.sync is None:
            self.start_background()
        else:
            self.sync.sync_now()
        self.status.showMessage(self.tr("Syncing with the provincial server…"), 3000)

    def open_enrol(self) -> None:
        if self.enrol_dialog is not None:
            self.enrol_dialog.raise_()
            return
        if not self.attached:
            return
        self.start_background()
        from app.sync.service import enrol_defaults

        self.worker.run(
            enrol_defaults,
            self.ctx.store,
            self.ctx.settings.workstation_name,
            on_done=self._show_enrol,
            owner=self,
        )

    def _show_enrol(self, defaults: object) -> None:
        if self.enrol_dialog is not None or self._shut or self.sync is None:
            return
        from app.sync.service import EnrolDefaults
        from app.ui.dialogs.enrol import EnrolDialog

        assert isinstance(defaults, EnrolDefaults)
        dialog = EnrolDialog(self, self.sync, defaults)
        dialog.enrolled.connect(self._enrolled)
        dialog.finished.connect(self._enrol_closed)
        self.enrol_dialog = dialog
        self._focus_before_dialog = QApplication.focusWidget()
        dialog.open()

    def _enrol_closed(self, _result: int) -> None:
        self.enrol_dialog = None
        self.restore_focus()

    def _enrolled(self, _response: object) -> None:
        """The centre, the workstation's name and slot may have changed: show the desk as it is now."""
        self.worker.run(
            _desk_now,
            self.ctx.store,
            on_done=self._desk_reloaded,
            owner=self,
        )

    def _desk_reloaded(self, values: object) -> None:
        from app.services.desk_lists import DeskSummary
        from app.services.settings import DeskSettings

        assert isinstance(values, tuple)
        summary, settings = values
        assert isinstance(summary, DeskSummary) and isinstance(settings, DeskSettings)
        self.ctx.summary = summary
        self.ctx.settings = settings
        self.setWindowTitle(fmt(self.tr("Một Cửa Desk — %1"), summary.centre_name or self.tr("no centre")))
        self.status.set_centre(summary.centre_name)
        s = self.ctx.session
        if s is not None and s.workstation != settings.workstation_name:
            self.ctx.session = replace(
                s, workstation=settings.workstation_name, centre_name=summary.centre_name
            )
            self.status.set_operator(s.full_name, settings.workstation_name)

    def open_parked(self) -> None:
        if self.parked_dialog is not None:
            self.parked_dialog.raise_()
            return
        if not self.attached:
            return
        from app.sync.service import parked_rows
        from app.ui.dialogs.parked import ParkedDialog

        dialog = ParkedDialog(self)
        dialog.open_dossier.connect(self._open_parked_dossier)
        dialog.finished.connect(self._parked_closed)
        self.parked_dialog = dialog
        self._focus_before_dialog = QApplication.focusWidget()
        dialog.open()
        self.worker.run(parked_rows, self.ctx.store, on_done=dialog.set_rows, owner=dialog)

    def _parked_closed(self, _result: int) -> None:
        self.parked_dialog = None
        self.restore_focus()

    def _open_parked_dossier(self, dossier_id: str) -> None:
        if self.ctx.session is None:
            return  # the dossier screen needs an operator
        if self.parked_dialog is not None:
            self.parked_dialog.accept()
        self.open_dossier(dossier_id)

    def backup_now(self) -> None:
        if self.backups is None:
            return
        started = self.backups.backup_now(on_done=self._backed_up, on_error=self._backup_failed, owner=self)
        if started:
            self.status.showMessage(self.tr("Backing up…"))

    def _backed_up(self, path: object) -> None:
        self.status.clearMessage()
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Backup"),
            fmt(self.tr("The database was backed up to:\n%1"), path),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.addButton(self.tr("&Close"), QMessageBox.ButtonRole.AcceptRole)
        box.setObjectName("backupDone")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _backup_failed(self, exc: BaseException) -> None:
        self.status.clearMessage()
        show_error(self, exc)

    # --- settings and language --------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog | None:
        if not self.attached or self.ctx.session is None:
            return None
        from app.ui.dialogs.settings import SettingsDialog
        from app.ui.lanes.printing import available_printers

        dialog = SettingsDialog(self, self.ctx.summary, self.ctx.settings)
        # The print system may take seconds to list network printers: ask it on the print lane.
        self.print_worker.run(
            available_printers,
            on_done=dialog.set_printers,
            on_error=lambda exc: self._printers_unknown(dialog, exc),
            owner=dialog,
        )
        dialog.submitted.connect(self._save_settings)
        dialog.finished.connect(lambda _r: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    @staticmethod
    def _printers_unknown(dialog: SettingsDialog, exc: BaseException) -> None:
        log.warning("could not list the printers: %s", exc)
        dialog.set_printers([])

    def _save_settings(self, values: object) -> None:
        from app.services.settings import DeskSettings, save_settings

        assert isinstance(values, DeskSettings)
        self.worker.run(
            save_settings,
            self.ctx.store,
            self.ctx.actor,
            values,
            on_done=self._settings_saved,
            on_error=self._settings_failed,
            owner=self,
        )

    def _settings_saved(self, saved: object) -> None:
        from app.services.settings import DeskSettings

        assert isinstance(saved, DeskSettings)
        before = self.ctx.settings
        self.ctx.settings = saved
        if self.settings_dialog is not None:
            self.settings_dialog.accept()
        if saved.font_size != before.font_size:
            apply_font_size(saved.font_size)
        if saved.workstation_name != before.workstation_name and self.ctx.session is not None:
            s = self.ctx.session
            self.ctx.session = replace(s, workstation=saved.workstation_name)
            self.status.set_operator(s.full_name, saved.workstation_name)
        if saved.language != current_language():
            self.apply_language(saved.language)
        if self.data_dir:
            remember_language(Path(self.data_dir), saved.language)

    def _settings_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError) and self.settings_dialog is not None:
            self.settings_dialog.show_problems(exc.problems)
        else:
            show_error(self, exc)

    def apply_language(self, lang: str) -> None:
        """Switch the language live: the screens are rebuilt and keep what they held."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        if not self.attached:
            install_translators(app, lang)
            self._build_ui()
            return
        state = self.intake.state()
        self.intake.flush_draft()
        tab = self.tabs.currentIndex()
        dossier = self.detail.dossier_id
        install_translators(app, lang)
        self._build_ui()
        if self.ctx.session is not None:
            self.intake.set_catalogue(self.ctx.catalogue)
            self.intake.set_state(state)
            self.desk.refresh()
            if dossier:
                self.detail.load(dossier)
            self.tabs.setCurrentIndex(tab)
            self.refresh_pending()

    # --- registers (logbook, hand-over list, catalogue) ------------------------------------------------

    def open_registers(self) -> RegistersDialog | None:
        """F6: choose a register and its period or unit; Preview makes its PDF on the worker."""
        from app.services.registers import handover_units
        from app.ui.dialogs.registers import RegistersDialog

        if self.ctx.session is None:
            return None
        if self.registers is not None:
            self.registers.activateWindow()
            return self.registers
        dialog = RegistersDialog(self)
        dialog.submitted.connect(self._make_register)
        dialog.finished.connect(self._registers_closed)
        self.registers = dialog
        self._focus_before_dialog = QApplication.focusWidget()
        dialog.open()
        self.ctx.worker.run(handover_units, self.ctx.store, on_done=dialog.set_units, owner=dialog)
        return dialog

    def _registers_closed(self, _result: int) -> None:
        self.registers = None
        if self.preview is None:
            self.restore_focus()

    def _make_register(self, values: object) -> None:
        from app.services.registers import register_pdf

        assert isinstance(values, dict)
        dialog = self.registers
        if dialog is None or self.register_busy:
            return
        self.register_busy = True
        self.ctx.worker.run(
            register_pdf,
            self.ctx.store,
            values["register"],
            first=values["first"],
            last=values["last"],
            unit=values["unit"],
            on_done=partial(self._register_made, values),
            on_error=self._register_failed,
            owner=dialog,
        )

    def _register_made(self, values: dict[str, Any], pdf: object) -> None:
        from app.ui.labels import form_label, pdf_file_name

        self.register_busy = False
        assert isinstance(pdf, bytes)
        register = str(values["register"])
        if register == "logbook":
            first, last = values["first"], values["last"]
            suffix = f"{first:%Y%m%d}-{last:%Y%m%d}"
            title = fmt(self.tr("%1 — %2 to %3"), form_label(register), show_date(first), show_date(last))
        elif register == "handover":
            suffix = str(values["unit"])
            title = f"{form_label(register)} — {suffix}"
        else:
            suffix, title = "", form_label(register)
        if self.registers is not None:
            self.registers.accept()  # the preview takes its place; focus comes back where it was before
        focus = self._focus_before_dialog
        self.open_pdf(pdf, title, pdf_file_name(register, suffix or None))
        self._focus_before_dialog = focus

    def _register_failed(self, exc: BaseException) -> None:
        self.register_busy = False
        if isinstance(exc, DomainError) and self.registers is not None:
            self.registers.show_problems(exc.problems)
            return
        show_error(self, exc)

    # --- help ---------------------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Keyboard shortcuts"), "", parent=self)
        box.setObjectName("shortcutsBox")
        box.setText(
            self.tr(
                "F1 this list · F2 intake · F3 desk · F4 dossier · Ctrl+F find\n"
                "F6 logbook (Mẫu 07), hand-over list, catalogue: preview and print\n"
                "F9 sync now · Ctrl+, settings · Ctrl+L log out · Ctrl+Q quit\n"
                "Scan the ID card in any field: the applicant fills itself\n"
                "Applicant: Alt+ the underlined letter moves to a field (Alt+O phone)\n"
                "After a scan: Alt+K the citizen's earlier dossiers, Enter opens one\n"
                "Procedure: Alt+P, type a few letters, ↓ ↑, Enter\n"
                "Papers: Alt+R, Space ticks, + / − count, Ctrl+A all\n"
                "F8 digitise the papers (intake, dossier): F8 scan, Del, Ctrl+↑ ↓, R rotate, V view · "
                "F12 reuse papers already digitised\n"
                "Ctrl+Enter save and print · Ctrl+R refuse · Ctrl+N clear (asks first)\n"
                "Preview: Ctrl+P print, Ctrl+S save as PDF, Esc close\n"
                "Desk: type to search, Enter opens, Alt+1…8 lists, Esc back\n"
                "To forward (Alt+8): Shift+↓ / Ctrl+click select, F7 forwards them with one hand-over slip\n"
                "Dialogs: Tab next field, Ctrl+Enter accept, Esc cancel"
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("About Một Cửa Desk"),
            fmt(self.tr("Một Cửa Desk %1\nData folder: %2"), __version__, self.data_dir),
            parent=self,
        )
        box.open()

    # --- the window's geometry ------------------------------------------------------------------------

    def restore_geometry(self, saved: WindowGeometry | None) -> None:
        """As the operator left it at the last close (put back on the screen it has now); maximised at
        the first start."""
        if saved is None or saved.maximised:
            self.showMaximized()
            return
        self.showNormal()
        self.setGeometry(on_screen(QRect(saved.x, saved.y, saved.width, saved.height), self))

    def current_geometry(self) -> WindowGeometry:
        from app.services.window_state import WindowGeometry

        normal = self.normalGeometry() if self.isMaximized() else self.geometry()
        return WindowGeometry(
            normal.x(), normal.y(), normal.width(), normal.height(), maximised=self.isMaximized()
        )

    # --- shutdown ----------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop the sync thread, save the draft, let queued work (and a backup) finish, stop watching the
        keyboard."""
        if self._shut:
            return
        self._shut = True
        self._pending_timer.stop()
        self._saved_preview_timer.stop()
        self._wake_after_save.stop()
        if self.sync is not None:
            self.sync.close()  # joins the sync thread: no round runs once the window is gone
        if self.ocr is not None:
            self.ocr.stop(timeout=3)  # kills a recognition in progress: that file stays pending
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible() and dialog.windowModality() != Qt.WindowModality.NonModal:
                dialog.reject()  # the preview or a question left open
        if self.attached:
            from app.services.window_state import save_window_geometry

            with contextlib.suppress(RuntimeError):
                self.intake.flush_draft()
            self.intake.stop_timers()
            # Written on the worker like every write; closing the worker below lets it finish.
            self.worker.run(save_window_geometry, self.ctx.store, self.current_geometry())
        if self.backups is not None:
            self.backups.close()
        self.worker.close()
        self.print_worker.close()
        self.digitise_worker.close()
        from app.services.digitise_panel import stop_compression

        stop_compression()  # the digitising lane's child process (after the lane's last task)
        from app.services.dashboard_child import stop_dashboard_child

        stop_dashboard_child()  # the dashboard's child process (after the worker lane's last task)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.scanner.unwatch(app)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.shutdown()
        super().closeEvent(event)
