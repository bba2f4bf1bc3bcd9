"""GUI fixtures: the app started the way ``make run`` starts it (``start`` of app.ui.shell.application) on a
fresh demo data folder, printing into a PDF file, and the demo operator logged in."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_helpers import Keyboard, Starter, TypingClock, log_in, settle
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.i18n import install_translators
from app.ui.lanes.printing import PrintTarget
from app.ui.shell.application import start
from app.ui.shell.main_window import MainWindow


@pytest.fixture
def typing_clock() -> TypingClock:
    return TypingClock()


@pytest.fixture
def keyboard(qtbot: QtBot, typing_clock: TypingClock) -> Keyboard:
    return Keyboard(qtbot, typing_clock)


@pytest.fixture
def launch(qtbot: QtBot, data_dir: Path, typing_clock: TypingClock) -> Iterator[Starter]:
    """Start the app on the demo data folder (again, for a restart); every window is closed at the end."""
    opened: list[tuple[MainWindow, object]] = []
    font = QApplication.font()

    def run(lang: str | None = None, folder: Path | None = None) -> MainWindow:
        """``lang`` None: as started without ``--lang`` (the language saved in Settings, Vietnamese first)."""
        args = argparse.Namespace(data_dir=folder or data_dir, demo=True, lang=lang)
        _app, window, store = start(args)
        assert window is not None and store is not None
        opened.append((window, store))
        window.scanner.clock = typing_clock  # the keyboard helper's time (see TypingClock)
        window.print_target_override = PrintTarget(pdf_path=(folder or data_dir) / "printed.pdf")
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        settle(qtbot, window)
        return window

    yield run
    for window, store in opened:
        window.close()
        store.dispose()  # type: ignore[attr-defined]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_translators(app, "vi")  # leave Vietnamese installed for the next test
    app.setFont(font)


@pytest.fixture
def desk(launch: Starter, qtbot: QtBot) -> MainWindow:
    """The app started and the demo operator logged in."""
    window = launch()
    log_in(qtbot, window)
    assert window.ctx.session is not None
    return window
