"""Starting the GUI: the QApplication, translations, the first window, the store (restoring the latest
backup of a damaged one if the operator agrees), the desk in the window and its background work, start-up
errors.

Start-up is staged so that the operator sees the window as soon as Qt can show one:

1. :func:`show_window` — the QApplication and the main window's shell (menus, the log-in form, the status
   bar), shown. Only PySide6 and our light UI modules are imported by then: no SQLAlchemy, ReportLab,
   httpx or pydantic (this module imports nothing else at its top).
2. :func:`open_desk` — once the window has painted (:func:`run_gui`), the store is opened, the settings
   and the desk's summary read, and the workspace (intake, desk, dossier) built into the window.
3. :meth:`MainWindow.start_background` — the sync thread, today's backup, the keyring check and the
   import of the printing stack, :data:`BACKGROUND_DELAY_MS` later, so that none of it competes with the
   log-in and the first lists for the two cores and the GIL.

:func:`start` runs 1 and 2 at once and starts the background work (tests and tools);
:func:`run_gui` (``main.py``) runs them in the event loop.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.allocator import fix_mmap_threshold
from app.ui.errors import show_problem
from app.ui.i18n import current_language, install_translators, language_hint, remember_language
from app.ui.shell.main_window import MainWindow, apply_font_size

if TYPE_CHECKING:
    from app.services.desk_lists import DeskSummary
    from app.services.settings import DeskSettings
    from app.services.store import Store
    from app.services.window_state import WindowGeometry

log = logging.getLogger(__name__)

#: How long after the desk is open the background work starts (the sync thread and its first round,
#: today's backup, the keyring check, importing the printing stack): long enough for an operator's
#: log-in and the first lists not to share the CPU with it, short enough to sync "at start".
BACKGROUND_DELAY_MS = 1500
#: The desk is opened after the window's first paint, or after this long if no paint comes (a minimised
#: or hidden window).
FIRST_PAINT_WAIT_MS = 200


# The open main window, kept referenced for the life of the application.
_windows: list[MainWindow] = []


def current_window() -> MainWindow | None:
    return _windows[-1] if _windows else None


def _data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir:
        return Path(args.data_dir)
    from app.paths import default_data_dir

    return Path(default_data_dir())


def show_window(args: argparse.Namespace) -> tuple[QApplication, MainWindow]:
    """Stage 1: the QApplication and the main window's shell, shown (no store yet)."""
    fix_mmap_threshold()  # page images are freed back to the system (app/allocator.py)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Một Cửa Desk")
    app.setOrganizationName("MotCuaDesk")
    data_dir = _data_dir(args)
    install_translators(app, args.lang or language_hint(data_dir))
    for old in _windows:
        old.shutdown()
    window = MainWindow(data_dir=str(data_dir))
    _windows[:] = [window]
    window.showMaximized()  # the first start; open_desk puts back the geometry the operator left
    window.login_page.setFocus()
    return app, window


def _open(data_dir: Path, demo: bool) -> tuple[Store, DeskSettings, DeskSummary]:
    from app.bootstrap import open_store
    from app.services.desk_lists import desk_summary
    from app.services.settings import load_settings

    store = open_store(data_dir, demo=demo)
    try:
        return store, load_settings(store), desk_summary(store)
    except BaseException:
        store.dispose()
        raise


def open_desk(window: MainWindow, args: argparse.Namespace) -> Store | None:
    """Stage 2: open the store and put the desk into ``window``; None (the window closed, the problem
    shown) if the store cannot be opened."""
    from app.services.store import StoreError
    from app.ui.lanes.backup import offer_restore

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    data_dir = Path(window.data_dir)
    first = current_language()  # before the store is open the saved choice is unknown
    try:
        store, settings, summary = _open(data_dir, args.demo)
    except StoreError as exc:
        log.error("start-up failed: %s", exc.problem.en)
        window.hide()
        outcome = (
            offer_restore(exc.problem, data_dir, first)
            if exc.problem.code in ("store.corrupt", "store.missing", "store.key_wrong")
            else ""
        )
        if outcome != "restored":
            if outcome != "declined":
                show_problem(exc.problem, first, fatal=True)
            _close(window)
            return None
        try:  # the restored backup: start normally
            store, settings, summary = _open(data_dir, args.demo)
        except StoreError as again:
            log.error("start-up failed after the restore: %s", again.problem.en)
            show_problem(again.problem, first, fatal=True)
            _close(window)
            return None
        window.show()
    lang = args.lang or settings.language  # an explicit --lang wins over the saved choice
    if lang != current_language():
        install_translators(app, lang)
        window.retranslate_shell()
    if not args.lang:
        remember_language(data_dir, lang)
    apply_font_size(settings.font_size)
    window.attach(store, summary, settings)
    window.restore_geometry(_saved_geometry(store))
    # Move every object alive after start-up (modules, Qt wrappers, the window) to the permanent
    # generation, so that full (generation-2) collections no longer walk them: each took 130-170 ms, an
    # event-loop stall.
    gc.freeze()
    return store


def _saved_geometry(store: Store) -> WindowGeometry | None:
    """Read at start-up with the settings (before the event loop runs, as :func:`_open` reads them)."""
    from app.services.window_state import load_window_geometry

    return load_window_geometry(store)


def _close(window: MainWindow) -> None:
    window.shutdown()
    window.close()
    if window in _windows:
        _windows.remove(window)


def start(args: argparse.Namespace) -> tuple[QApplication, MainWindow | None, Store | None]:
    """Every stage at once, before the event loop; returns no window if start-up failed.

    The language is ``--lang en`` when given, otherwise the one chosen in Settings (Vietnamese by
    default).
    """
    app, window = show_window(args)
    store = open_desk(window, args)
    if store is None:
        return app, None, None
    window.start_background()  # sync thread and today's backup, off the GUI thread
    return app, window, store


class _FirstPaint(QObject):
    """Calls ``then`` once, in the event loop, after ``window``'s first paint (or after
    :data:`FIRST_PAINT_WAIT_MS` if it never paints)."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._then: Callable[[], None] | None = then
        window.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self, self._fire)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if obj is self._window and event.type() == QEvent.Type.Paint and self._then is not None:
            QTimer.singleShot(0, self, self._fire)  # after the paint has reached the screen
        return False

    def _fire(self) -> None:
        then, self._then = self._then, None
        if then is None:
            return
        self._window.removeEventFilter(self)
        then()


def launch(
    args: argparse.Namespace, on_open: Callable[[Store | None], None] | None = None
) -> tuple[QApplication, MainWindow]:
    """What :func:`run_gui` does before the event loop: the window shown now; the desk opened in the
    event loop after its first paint, then the background work :data:`BACKGROUND_DELAY_MS` later.
    ``on_open`` gets the store (None: start-up failed and the application is quitting with exit code 2).
    """
    app, window = show_window(args)

    def open_now() -> None:
        if window.shut:
            return  # closed before its first paint was processed
        store = open_desk(window, args)
        if store is None:
            app.exit(2)
        else:
            QTimer.singleShot(BACKGROUND_DELAY_MS, window, window.start_background)
        if on_open is not None:
            on_open(store)

    _FirstPaint(window, open_now)
    return app, window


def run_gui(args: argparse.Namespace) -> int:
    opened: list[Store | None] = []
    app, window = launch(args, opened.append)
    try:
        code = app.exec()
    finally:
        window.shutdown()
        for store in opened:
            if store is not None:
                store.dispose()
    return code if opened and opened[0] is not None else 2
