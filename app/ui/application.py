"""Starting the GUI: the QApplication, translations, the store (restoring the latest backup of a damaged
one if the operator agrees), the main window and its background work, start-up errors."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.domain.errors import Problem
from app.models.db import Store, StoreError
from app.paths import default_data_dir
from app.services.desk_lists import DeskSummary, desk_summary
from app.services.settings import DeskSettings, load_settings
from app.sync.credentials import keyring_problem
from app.ui.backup_ui import offer_restore
from app.ui.i18n import current_language, install_translators
from app.ui.main_window import MainWindow, apply_font_size

log = logging.getLogger(__name__)


def show_problem(problem: Problem, lang: str, *, fatal: bool, parent: QWidget | None = None) -> None:
    """A clear dialog in the operator's language; a fatal one blocks until read."""
    box = QMessageBox(
        QMessageBox.Icon.Critical if fatal else QMessageBox.Icon.Warning,
        QCoreApplication.translate("Startup", "Một Cửa Desk cannot start")
        if fatal
        else QCoreApplication.translate("Startup", "Một Cửa Desk"),
        problem.message(lang),
    )
    box.setObjectName("startupProblem")
    if fatal:
        box.exec()
    else:
        box.setParent(parent or QApplication.activeWindow(), box.windowFlags())
        box.setModal(False)
        box.show()
        _keep.append(box)


_keep: list[QMessageBox] = []
# The open main window, kept referenced for the life of the application.
_windows: list[MainWindow] = []


def current_window() -> MainWindow | None:
    return _windows[-1] if _windows else None


def _open(data_dir: Path, demo: bool) -> tuple[Store, DeskSettings, DeskSummary]:
    from app.bootstrap import open_store

    store = open_store(data_dir, demo=demo)
    try:
        return store, load_settings(store), desk_summary(store)
    except BaseException:
        store.dispose()
        raise


def start(args: argparse.Namespace) -> tuple[QApplication, MainWindow | None, Store | None]:
    """Everything ``run_gui`` does before the event loop; returns no window if start-up failed.

    The language is ``--lang en`` when given, otherwise the one chosen in Settings (Vietnamese by
    default).
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Một Cửa Desk")
    app.setOrganizationName("MotCuaDesk")
    first = args.lang or "vi"  # before the store is open the saved choice is unknown
    install_translators(app, first)
    data_dir = Path(args.data_dir or default_data_dir())
    try:
        store, settings, summary = _open(data_dir, args.demo)
    except StoreError as exc:
        log.error("start-up failed: %s", exc.problem.en)
        outcome = offer_restore(exc.problem, data_dir, first) if exc.problem.code == "store.corrupt" else ""
        if outcome == "declined":
            return app, None, None
        if outcome != "restored":
            show_problem(exc.problem, first, fatal=True)
            return app, None, None
        try:  # the restored backup: start normally
            store, settings, summary = _open(data_dir, args.demo)
        except StoreError as again:
            log.error("start-up failed after the restore: %s", again.problem.en)
            show_problem(again.problem, first, fatal=True)
            return app, None, None
    lang = args.lang or settings.language  # an explicit --lang wins over the saved choice
    if lang != current_language():
        install_translators(app, lang)
    apply_font_size(settings.font_size)
    for old in _windows:
        old.shutdown()
    window = MainWindow(store, summary, settings, data_dir=str(data_dir))
    _windows[:] = [window]
    window.show()
    window.login_page.setFocus()
    window.start_background()  # sync thread and today's backup, off the GUI thread
    problem = keyring_problem()
    if problem is not None:
        log.warning("no usable keyring: %s", type(problem).__name__)
        show_problem(problem, lang, fatal=False, parent=window)
    # Move every object alive after start-up (modules, Qt wrappers, the window: ~156k tracked) to the
    # permanent generation, so that full (generation-2) collections no longer walk them: each took
    # 130-170 ms, an event-loop stall.
    gc.freeze()
    return app, window, store


def run_gui(args: argparse.Namespace) -> int:
    app, window, store = start(args)
    if window is None:
        return 2
    try:
        return app.exec()
    finally:
        window.shutdown()
        if store is not None:
            store.dispose()
