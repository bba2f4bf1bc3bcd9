"""Where the main window was: its size and place on the screen, or maximised, kept in the ``settings``
table so that the next start shows it the same way (the first start shows it maximised)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.models.db import Store
from app.services.reference import get_setting, set_setting

KEY = "desk.window"
# A window smaller than this is not restored (a broken value, or a window squeezed by accident).
MIN_WIDTH, MIN_HEIGHT = 400, 300


@dataclass(frozen=True)
class WindowGeometry:
    x: int
    y: int
    width: int
    height: int
    maximised: bool


def load_window_geometry(store: Store) -> WindowGeometry | None:
    """The geometry saved at the last close; None at the first start (or if the saved value is unusable)."""
    with store.read() as s:
        value = get_setting(s, KEY)
    if not isinstance(value, dict):
        return None
    try:
        geometry = WindowGeometry(
            x=int(value["x"]),
            y=int(value["y"]),
            width=int(value["width"]),
            height=int(value["height"]),
            maximised=bool(value["maximised"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if geometry.width < MIN_WIDTH or geometry.height < MIN_HEIGHT:
        return None
    return geometry


def save_window_geometry(store: Store, geometry: WindowGeometry) -> None:
    """Remember the window's geometry (no audit entry: it is the operator's view, not the desk's data)."""
    with store.write() as s:
        set_setting(s, KEY, asdict(geometry))
