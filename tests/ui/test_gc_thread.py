"""Qt objects in garbage cycles are finalised in the GUI thread, never in a worker thread (the start-up
crash of session 13: a window dropped after a failed start, finalised in the store opener's thread during
its migrations; app/services/gcpause.py, app/ui/shell/collector.py)."""

from __future__ import annotations

import argparse
import gc
import threading
import weakref
from pathlib import Path

from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from app.services.gcpause import pinned
from app.ui.shell.application import show_window


class _Allocating(QThread):
    kept: list[list[int]] = []

    def run(self) -> None:
        self.kept = [[i] for i in range(100_000)]  # enough containers for many young collections


def test_a_qt_object_in_a_cycle_is_finalised_in_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    app, window = show_window(argparse.Namespace(data_dir=tmp_path, demo=True, lang=None))
    qtbot.addWidget(window)
    assert pinned()
    finalised_in: list[str] = []

    holder = QObject()  # owned by Python: collecting the wrapper deletes the C++ object
    holder.cycle = holder  # type: ignore[attr-defined]
    weakref.finalize(holder, lambda: finalised_in.append(threading.current_thread().name))
    del holder

    worker = _Allocating()
    worker.start()
    qtbot.waitUntil(worker.isFinished, timeout=20_000)
    worker.wait()
    # The worker's objects still alive: the count of allocations is past the threshold, so the GUI
    # thread's timer finds a collection due (as CPython's own rule, the count is net of deallocations).

    def collected() -> None:
        assert finalised_in, (
            f"not collected: counts {gc.get_count()}, thresholds {gc.get_threshold()}, frozen "
            f"{gc.get_freeze_count()}, pinned {pinned()}"
        )

    qtbot.waitUntil(collected, timeout=5_000)
    worker.kept = []
    assert finalised_in == [threading.main_thread().name]
    window.shutdown()


def test_the_tick_drops_the_source_lines_pyside_import_hook_left(qtbot: QtBot) -> None:
    """PySide6's import hook reads every imported module's source into linecache (38 MB in the window);
    the collector's tick drops them after a burst of imports, and keeps a traceback's few files."""
    import linecache
    import sys

    from PySide6.QtWidgets import QApplication

    from app.ui.shell.collector import SOURCE_FILES_KEPT, GuiCollector, pin_to_gui_thread

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    pin_to_gui_thread(app)
    assert len(linecache.cache) == 0  # the imports so far dropped at once
    collector = app.findChild(GuiCollector, "guiCollector")
    assert collector is not None
    files = [
        f for m in list(sys.modules.values()) if (f := getattr(m, "__file__", None) or "").endswith(".py")
    ]
    for name in files[:3]:
        linecache.getlines(name)
    collector.tick()
    assert len(linecache.cache) == 3  # a few files (a traceback's): kept
    for name in files:
        linecache.getlines(name)
        if len(linecache.cache) > SOURCE_FILES_KEPT:
            break
    assert len(linecache.cache) > SOURCE_FILES_KEPT
    collector.tick()
    assert len(linecache.cache) == 0
