"""Opening a desk store (or backup) below the app in tests, now that it is encrypted (issue 16, item 10):
the key of the data folder comes from the test's keyring (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.models import cipher
from app.paths import database_path
from app.services import storekey


def key_of(data_dir: Path) -> bytes:
    key = storekey.load(data_dir)
    assert key is not None, f"no store key for {data_dir} in the test keyring"
    return key


def connect_raw(data_dir: Path, path: Path | str | None = None, **kwargs: Any) -> Any:
    """A DB-API connection on ``data_dir``'s store (or on ``path``, one of its backups), keyed if
    encrypted."""
    target = Path(path) if path is not None else database_path(data_dir)
    plain = target.exists() and cipher.is_plain(target)
    return cipher.connect(
        str(target) if not kwargs.get("uri") else path, None if plain else key_of(data_dir), **kwargs
    )
