"""The window and every dialog fit the counter's screen: 1366×768 and 1280×720.

The test process's offscreen screen is 800×600, and a QApplication's screen cannot change, so
:func:`test_fits_the_screen` runs the probes below (``test_probe_*``, skipped unless ``MOTCUA_SCREEN`` is
set) in a child pytest whose offscreen platform has a screen of that size (the offscreen plugin's
``configfile`` option: a JSON list of screens)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_helpers import PAYLOAD, Keyboard, Starter, log_in, settle
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.window_state import load_window_geometry
from app.ui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
SCREEN = os.environ.get("MOTCUA_SCREEN", "")
probe = pytest.mark.skipif(not SCREEN, reason="run by test_fits_the_screen on a screen of a given size")
K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.mark.parametrize("size", ["1366x768", "1280x720"])
def test_fits_the_screen(size: str, tmp_path: Path) -> None:
    width, height = (int(n) for n in size.split("x"))
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "Counter",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "MOTCUA_SCREEN": size,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            __file__,
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            "-k",
            "probe",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1], done.stdout[-2000:]


# --- the probes (in the child, on the screen of that size) ------------------------------------------------


def screen_rect() -> QRect:
    screen = QApplication.primaryScreen()
    assert screen is not None
    rect = screen.availableGeometry()
    assert f"{rect.width()}x{rect.height()}" == SCREEN
    return rect


def assert_fits(widget: QWidget) -> None:
    """The widget's window with its frame, and every button shown in it, lie on the screen."""
    room = screen_rect()
    window = widget.window()
    assert room.contains(window.frameGeometry()), (window.objectName(), window.frameGeometry(), room)
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and button.window() is window:
            top_left = button.mapToGlobal(QPoint(0, 0))
            assert room.contains(QRect(top_left, button.size())), (window.objectName(), button.text())


@pytest.fixture
def counter(launch: Starter, qtbot: QtBot) -> Iterator[MainWindow]:
    window = launch()
    log_in(qtbot, window)
    yield window


@probe
def test_probe_the_window_starts_maximised_and_remembers(
    launch: Starter, qtbot: QtBot, data_dir: Path
) -> None:
    window = launch()
    qtbot.waitUntil(window.isMaximized)
    assert_fits(window)
    bar = window.statusBar()
    assert bar.isVisible()
    room = screen_rect()
    assert room.contains(QRect(bar.mapToGlobal(QPoint(0, 0)), bar.size()))
    window.showNormal()
    # As tall as the operator may make it: at least what the intake needs (its minimum grows with its
    # fields); it must still fit the screen with a frame, which restoring checks (on_screen).
    height = max(660, window.minimumSizeHint().height())
    window.setGeometry(100, 30, 900, height)
    settle(qtbot, window)
    store = window.ctx.store
    window.close()
    geometry = load_window_geometry(store)
    assert geometry is not None and not geometry.maximised
    assert (geometry.width, geometry.height) == (900, height)
    again = launch()
    assert not again.isMaximized()
    assert (again.geometry().width(), again.geometry().height()) == (900, height)
    assert_fits(again)


@probe
def test_probe_every_dialog_fits(counter: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    window = counter
    # The receipt preview after an intake with a scan.
    keyboard.scan(PAYLOAD)
    keyboard.type("khai sinh")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_Space)
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, window)
    preview = window.preview
    assert preview is not None
    qtbot.waitUntil(preview.isActiveWindow)
    assert_fits(preview)
    assert preview.print_button.isVisible() and preview.save_button.isVisible()
    # Its save-as-PDF dialog.
    keyboard.key(K.Key_S, CTRL)
    file_dialog = preview.file_dialog
    assert isinstance(file_dialog, QFileDialog)
    qtbot.waitUntil(file_dialog.isVisible)
    assert_fits(file_dialog)
    file_dialog.reject()
    preview.reject()
    settle(qtbot, window)

    # The dossier's action dialogs.
    actor = Actor("Trần Văn Trước", "Quầy 2")
    applicant = svc.ApplicantInput(full_name="Lê Thị Hoa", personal_id="024190012345", address="Bắc Giang")
    received = svc.receive(window.ctx.store, actor, svc.ReceiveRequest("1.004873", applicant))
    window.open_dossier(received.dossier_id)
    settle(qtbot, window)
    for action in list(window.detail.action_buttons):
        dialog = window.detail.start_action(action)
        if dialog is None:
            continue
        qtbot.waitUntil(dialog.isVisible)
        assert_fits(dialog)
        dialog.reject()
        settle(qtbot, window)

    # The hand-back, which asks who collects the result.
    svc.perform(window.ctx.store, actor, received.dossier_id, "result_ready")
    window.detail.reload()
    settle(qtbot, window)
    hand_back = window.detail.start_action("hand_back")
    assert hand_back is not None
    qtbot.waitUntil(hand_back.isVisible)
    assert_fits(hand_back)
    hand_back.reject()
    settle(qtbot, window)
    # The logbook and lists (F6).
    registers = window.open_registers()
    assert registers is not None
    qtbot.waitUntil(registers.isVisible)
    assert_fits(registers)
    registers.reject()
    settle(qtbot, window)

    # Settings, rejected events, the shortcut list, the refusal reason.
    settings = window.open_settings()
    assert settings is not None
    qtbot.waitUntil(settings.isVisible)
    assert_fits(settings)
    settings.reject()
    window.open_parked()
    assert window.parked_dialog is not None
    qtbot.waitUntil(window.parked_dialog.isVisible)
    assert_fits(window.parked_dialog)
    window.parked_dialog.reject()
    window.show_shortcuts()
    box = window.findChild(QMessageBox, "shortcutsBox")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert_fits(box)
    box.close()
    window.show_intake()
    keyboard.scan(PAYLOAD)
    keyboard.type("ket hon")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_R, CTRL)
    reason = window.intake.reason_dialog
    assert isinstance(reason, QDialog)
    qtbot.waitUntil(reason.isVisible)
    assert_fits(reason)
    reason.reject()
    settle(qtbot, window)
