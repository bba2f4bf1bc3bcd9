"""PySide6 must keep Python's reference counts right: PySide6 6.12.0 on CPython 3.11 dropped a reference
to ``None`` on every call of a Qt method returning nothing (``setEnabled``, ``setText``…), and the app
makes such calls all day: after enough of them the interpreter aborts ("none_dealloc"). On CPython ≥ 3.12
``None`` is immortal and its count does not move."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel


def test_qt_calls_keep_the_references_to_none(qapp: QApplication) -> None:
    label = QLabel()
    timer = QTimer()
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setEnabled(i % 2 == 0)
        label.setText("Một Cửa")
        timer.setInterval(i)
    assert sys.getrefcount(None) - before > -100  # a few temporary references may come and go
