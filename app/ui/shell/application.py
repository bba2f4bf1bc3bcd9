"""Starting the GUI: the QApplication, translations, the first window, the store (restoring the latest
backup of a damaged one if the operator agrees), the desk in the window and its background work, start-up
errors.

Start-up is staged so that the operator sees the window as soon as Qt can show one:

1. :func:`show_window` — the QApplication and the main window's shell (menus, the log-in form, the status
   bar), shown. Only PySide6 and our light UI modules are imported by then: no SQLAlchemy, ReportLab,
   httpx or pydantic (this module imports nothing else at its top).
2. :func:`open_desk_in_background` — once the window has painted (:func:`run_gui`), the store is opened
   on a thread (app.ui.shell.opening; the window shows the progress of the long steps of the first start
   after an upgrade: conversion to SQLCipher, migrations, sealing the audit chain), the settings and the
   desk's summary read, and, back in the GUI thread, the workspace (intake, desk, dossier) built into the
   window.
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

from app.allocator import tune_allocator
from app.ui.errors import show_problem
from app.ui.i18n import current_language, install_translators, language_hint, remember_language
from app.ui.shell.collector import pin_to_gui_thread
from app.ui.shell.main_window import MainWindow, apply_font_size

if TYPE_CHECKING:
    from app.domain.errors import Problem
    from app.domain.progress import Progress
    from app.services.desk_lists import DeskSummary
    from app.services.settings import DeskSettings
    from app.services.store import Store
    from app.services.window_state import WindowGeometry
    from app.ui.shell.opening import StoreOpener

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
# The store opener of the window's start (launch), kept referenced: tests wait on it.
_openers: list[StoreOpener] = []


def current_window() -> MainWindow | None:
    return _windows[-1] if _windows else None


def current_opener() -> StoreOpener | None:
    """The store opener of the last :func:`launch` (None before the window's first paint)."""
    return _openers[-1] if _openers else None


def _data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir:
        return Path(args.data_dir)
    from app.paths import default_data_dir

    return Path(default_data_dir())


def show_window(args: argparse.Namespace) -> tuple[QApplication, MainWindow]:
    """Stage 1: the QApplication and the main window's shell, shown (no store yet)."""
    tune_allocator()  # page images are freed back to the system (app/allocator.py)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    pin_to_gui_thread(app)  # before any worker thread: Qt objects are finalised in this thread only
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


def _open(
    data_dir: Path, demo: bool, progress: Progress | None = None
) -> tuple[Store, DeskSettings, DeskSummary]:
    from app.bootstrap import open_store
    from app.domain.progress import no_progress
    from app.services.desk_lists import desk_summary
    from app.services.settings import load_settings

    store = open_store(data_dir, demo=demo, progress=progress or no_progress)
    try:
        return store, load_settings(store), desk_summary(store)
    except BaseException:
        store.dispose()
        raise


def open_desk(window: MainWindow, args: argparse.Namespace) -> Store | None:
    """Stage 2, in the GUI thread (:func:`start`; the window's start uses :func:`open_desk_in_background`):
    open the store and put the desk into ``window``; None (the window closed, the problem shown) if the
    store cannot be opened."""
    from app.services.store import StoreError

    data_dir = Path(window.data_dir)
    first = current_language()  # before the store is open the saved choice is unknown
    try:
        opened = _open(data_dir, args.demo)
    except StoreError as exc:
        if not _recover(window, exc.problem, data_dir, first):
            return None
        try:  # the restored backup: start normally
            opened = _open(data_dir, args.demo)
        except StoreError as again:
            _give_up(window, again.problem, first, after_restore=True)
            return None
        window.show()
    return _attach(window, args, opened)


def open_desk_in_background(
    window: MainWindow, args: argparse.Namespace, then: Callable[[Store | None], None]
) -> StoreOpener:
    """Stage 2 off the GUI thread: the store opened by a :class:`StoreOpener` (the window shows the
    progress of a long first start after an upgrade), then, in the GUI thread, the desk put into
    ``window`` and ``then`` called with the store, or with None when the store cannot be opened (the
    window closed, the problem shown; the restore of the latest backup offered as :func:`open_desk`
    does)."""
    from app.ui.shell.opening import StoreOpener

    data_dir = Path(window.data_dir)
    first = current_language()

    def host(view: QWidget) -> None:
        window.stack.addWidget(view)
        window.stack.setCurrentWidget(view)

    opener = StoreOpener(window, host)
    restored = [False]

    def work(progress: Progress) -> tuple[Store, DeskSettings, DeskSummary]:  # in the opener's thread
        return _open(data_dir, args.demo, progress)

    def finished(ok: bool, value: object) -> None:  # in the GUI thread
        from app.services.store import StoreError

        opener.drop_view()
        if window.shut:  # the window was shut down meanwhile: nothing to put the desk into
            if ok:
                value[0].dispose()  # type: ignore[index]
            return
        if ok:
            then(_attach(window, args, value))  # type: ignore[arg-type]
            return
        assert isinstance(value, BaseException)
        if not isinstance(value, StoreError):
            log.error("start-up failed", exc_info=(type(value), value, value.__traceback__))
            _give_up(window, _unexpected_problem(value), first)
        elif restored[0]:
            _give_up(window, value.problem, first, after_restore=True)
        elif _recover(window, value.problem, data_dir, first):
            restored[0] = True
            window.show()
            opener.start(work, finished)
            return
        then(None)

    opener.start(work, finished)
    return opener


def _recover(window: MainWindow, problem: Problem, data_dir: Path, first: str) -> bool:
    """The store could not be opened: offer the latest sound backup when it is damaged, missing or its key
    wrong. True: restored, open it again; False: the problem shown (unless the operator declined the
    restore, i.e. chose to quit) and the window closed."""
    from app.ui.lanes.backup import offer_restore

    log.error("start-up failed: %s", problem.en)
    window.hide()
    outcome = (
        offer_restore(problem, data_dir, first)
        if problem.code in ("store.corrupt", "store.missing", "store.key_wrong")
        else ""
    )
    if outcome == "restored":
        return True
    if outcome != "declined":
        show_problem(problem, first, fatal=True)
    _close(window)
    return False


def _give_up(window: MainWindow, problem: Problem, first: str, *, after_restore: bool = False) -> None:
    if after_restore:
        log.error("start-up failed after the restore: %s", problem.en)
    window.hide()
    show_problem(problem, first, fatal=True)
    _close(window)


def _unexpected_problem(exc: BaseException) -> Problem:
    from app.domain.errors import Problem

    name = type(exc).__name__
    return Problem(
        "store.open_failed",
        f"Không mở được kho dữ liệu (lỗi không lường trước: {name}). Dữ liệu không bị thay đổi. Chi tiết có "
        "trong nhật ký (thư mục logs trong thư mục dữ liệu); hãy liên hệ bộ phận CNTT.",
        f"The data store could not be opened (unexpected error: {name}). Nothing was changed. The details "
        "are in the log (the logs folder in the data folder); call IT support.",
    )


def _attach(
    window: MainWindow, args: argparse.Namespace, opened: tuple[Store, DeskSettings, DeskSummary]
) -> Store:
    """The store is open: the language and font of its settings, the desk put into the window."""
    store, settings, summary = opened
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    data_dir = Path(window.data_dir)
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
    """Every stage at once, before the event loop, in the GUI thread (:func:`open_desk`: tests and tools);
    returns no window if start-up failed.

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
    """What :func:`run_gui` does before the event loop: the window shown now; the store opened on a thread
    after the window's first paint (:func:`open_desk_in_background`: the window shows the progress of a
    long first start after an upgrade), the desk put into the window, then the background work
    :data:`BACKGROUND_DELAY_MS` later.
    ``on_open`` gets the store (None: start-up failed and the application is quitting with exit code 2).
    """
    app, window = show_window(args)

    def opened(store: Store | None) -> None:
        if store is None:
            app.exit(2)
        else:
            QTimer.singleShot(BACKGROUND_DELAY_MS, window, window.start_background)
        if on_open is not None:
            on_open(store)

    def open_now() -> None:
        if window.shut:
            return  # closed before its first paint was processed
        _openers[:] = [open_desk_in_background(window, args, opened)]

    _FirstPaint(window, open_now)
    return app, window


def run_gui(args: argparse.Namespace) -> int:
    opened: list[Store | None] = []
    app, window = launch(args, opened.append)
    try:
        code = app.exec()
    finally:
        opener = current_opener()
        if opener is not None:
            opener.wait()  # the event loop left while the store opened (a signal): never kill that thread
        window.shutdown()
        for store in opened:
            if store is not None:
                store.dispose()
    return code if opened and opened[0] is not None else 2
