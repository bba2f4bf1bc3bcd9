"""Where things live: the bundled resources and the per-user data folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "motcua-desk"
APP_AUTHOR = "MotCuaDesk"

#: The checkout's ``resources/`` folder (the app is installed editable from its checkout).
RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"


def resources_dir() -> Path:
    override = os.environ.get("MOTCUA_RESOURCES_DIR")
    return Path(override) if override else RESOURCES_DIR


def default_data_dir() -> Path:
    """The data folder: ``$MOTCUA_DATA_DIR`` if set, else the platform's per-user data folder."""
    override = os.environ.get("MOTCUA_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def database_path(data_dir: Path) -> Path:
    return data_dir / "motcua-desk.sqlite3"


def log_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


def backup_dir(data_dir: Path) -> Path:
    return data_dir / "backups"
