"""Python's cyclic garbage collector, run in the GUI thread only (see :mod:`app.services.gcpause`).

A collection started by a worker thread's allocations would finalise Qt objects caught in garbage cycles
from that thread, which corrupts Qt's state (an abort or a segfault later). Once the window exists,
automatic collection is off and a timer of the GUI thread collects what is due every
:data:`INTERVAL_MS`; it also runs inside a modal dialog's event loop. A collection due costs what the
automatic one would have cost, in the same thread as the window's painting, which it delays no more than
before: a worker's collection held the interpreter's lock, and so the GUI thread, just as long.

The same tick drops the source lines :mod:`linecache` keeps after a burst of imports. PySide6's import hook
(shiboken's ``feature_imported``) reads the source of every module imported after it, with
``inspect.getsource``, to see whether it uses PySide (for its ``__feature__`` switches, which this
application does not use), and :mod:`linecache` keeps every line: 38 MB of the window's 247 MB after its
start (``tracemalloc``, session 14). Nothing needs them: a traceback reads the lines of its own frames again.
"""

from __future__ import annotations

import linecache

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from app.allocator import trim
from app.services.gcpause import collect_due, pin_collector

#: How often the GUI thread looks whether a collection is due (a look that finds none costs about a
#: microsecond).
INTERVAL_MS = 100
#: Source files cached by :mod:`linecache` from which the tick drops them all (a burst of imports: a few
#: tracebacks' files stay).
SOURCE_FILES_KEPT = 50
#: Every so many ticks the free pages of the C heap go back to the system (:func:`app.allocator.trim`).
TRIM_EVERY_TICKS = 20


class GuiCollector(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("guiCollector")
        self._ticks = 0
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        if len(linecache.cache) > SOURCE_FILES_KEPT:
            linecache.clearcache()
        collect_due()
        self._ticks += 1
        if self._ticks % TRIM_EVERY_TICKS == 0:
            trim()


def pin_to_gui_thread(app: QCoreApplication) -> None:
    """Collections in the calling (GUI) thread only, from now on; the timer made once per application."""
    pin_collector()
    linecache.clearcache()  # the imports so far: their room is reused by the window's own objects
    if app.findChild(GuiCollector, "guiCollector") is None:
        GuiCollector(app)
