"""Opening a desk store (or backup) below the app in tests, now that it is encrypted (issue 16, item 10):
the key of the data folder comes from the test's keyring (tests/conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import keyring

from app.models import cipher
from app.paths import database_path
from app.services import storekey
from app.sync.credentials import SERVICE


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


#: The store key of each session template data folder (tests/conftest.py), made under its own keyring.
TEMPLATE_KEYS: dict[Path, str] = {}


def give_store_key(source_dir: Path, dest_dir: Path) -> None:
    """Copying a data folder to another place: its store key goes with it (as ``db key import`` does)."""
    value = TEMPLATE_KEYS.get(source_dir) or keyring.get_password(SERVICE, storekey.keyring_name(source_dir))
    assert value, f"no store key for {source_dir}"
    keyring.set_password(SERVICE, storekey.keyring_name(dest_dir), value)


def export_plain(data_dir: Path, dest: Path) -> None:
    """A copy of ``data_dir``'s encrypted store in clear at ``dest`` (``sqlcipher_export``, with its
    schema version)."""
    con = connect_raw(data_dir)
    try:
        con.execute(f"ATTACH DATABASE '{dest}' AS plain KEY ''")
        con.execute("SELECT sqlcipher_export('plain')")
        version = con.execute("PRAGMA main.user_version").fetchone()[0]
        con.execute(f"PRAGMA plain.user_version = {int(version)}")
        con.execute("DETACH DATABASE plain")
    finally:
        con.close()


def make_plain(data_dir: Path, rows: int = 0) -> None:
    """Turn ``data_dir``'s store into what an older version left: the same store in clear (its key stays
    in the keyring), grown by ``rows`` harmless rows (settings ``test.filler.N``) for a longer conversion."""
    path = database_path(data_dir)
    plain = path.with_name("plain.sqlite3")
    export_plain(data_dir, plain)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    plain.replace(path)
    raw = sqlite3.connect(path)
    with raw:
        raw.executemany(
            "INSERT INTO settings (key, value) VALUES (?, ?)",
            ((f"test.filler.{i}", '"' + "x" * 120 + '"') for i in range(rows)),
        )
    raw.close()
    assert cipher.is_plain(path)
