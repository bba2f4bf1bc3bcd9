"""Windows that fit the counter's screen (often 1366×768 or 1280×720): a dialog never asks for more than
the screen's available geometry (less the window manager's frame), and the main window's remembered
geometry is put back on the screen it now has."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

# What a window manager's frame may add around a window (title bar, borders) before the window is shown
# and the real frame is known.
FRAME_WIDTH = 16
FRAME_HEIGHT = 40


def available(widget: QWidget | None = None) -> QRect:
    """The available geometry (without panels and docks) of the widget's screen, or the primary one."""
    screen: QScreen | None = None
    if widget is not None:
        parent = widget.parentWidget()
        screen = (parent.window() if parent is not None else widget).screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)


def fit_size(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` to ``width`` × ``height``, but no larger than its screen can show with a frame."""
    room = available(widget)
    widget.resize(
        max(200, min(width, room.width() - FRAME_WIDTH)),
        max(150, min(height, room.height() - FRAME_HEIGHT)),
    )


def on_screen(rect: QRect, widget: QWidget | None = None) -> QRect:
    """``rect`` moved and shrunk so that it lies on the available screen (with room for the frame)."""
    room = available(widget)
    width = min(rect.width(), room.width() - FRAME_WIDTH)
    height = min(rect.height(), room.height() - FRAME_HEIGHT)
    x = min(max(rect.x(), room.left()), room.right() - width + 1)
    y = min(max(rect.y(), room.top() + FRAME_HEIGHT - FRAME_WIDTH // 2), room.bottom() - height + 1)
    return QRect(x, y, width, height)
