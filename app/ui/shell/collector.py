"""Python's cyclic garbage collector, run in the GUI thread only (see :mod:`app.services.gcpause`).

A collection started by a worker thread's allocations would finalise Qt objects caught in garbage cycles
from that thread, which corrupts Qt's state (an abort or a segfault later). Once the window exists,
automatic collection is off and a timer of the GUI thread collects what is due every
:data:`INTERVAL_MS`; it also runs inside a modal dialog's event loop. A collection due costs what the
automatic one would have cost, in the same thread as the window's painting, which it delays no more than
before: a worker's collection held the interpreter's lock, and so the GUI thread, just as long.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from app.services.gcpause import collect_due, pin_collector

#: How often the GUI thread looks whether a collection is due (a look that finds none costs about a
#: microsecond).
INTERVAL_MS = 100


class GuiCollector(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("guiCollector")
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(collect_due)
        self.timer.start()


def pin_to_gui_thread(app: QCoreApplication) -> None:
    """Collections in the calling (GUI) thread only, from now on; the timer made once per application."""
    pin_collector()
    if app.findChild(GuiCollector, "guiCollector") is None:
        GuiCollector(app)
