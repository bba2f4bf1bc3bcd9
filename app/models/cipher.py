"""Citizen data encrypted at rest (issue 16, item 10): the local store and its backups are SQLCipher 4
databases (the ``sqlcipher3`` wheels, which bundle their own SQLite and OpenSSL).

* The key is 32 random bytes, given to SQLCipher as a raw key (``PRAGMA key = "x'…'"``: no passphrase, so
  no PBKDF2 round on every connection). It lives in the OS keyring (app.services.storekey), never in a file
  or a log; this module only receives it.
* ``PRAGMA key`` is the first statement on every connection (:func:`connect`); until it runs SQLCipher reads
  nothing of the file.
* A plain store (an older version's, or a backup taken before this) is converted by :func:`encrypt_file`:
  ``sqlcipher_export`` into an encrypted copy, row counts of every table compared, an atomic rename over the
  plain file, then the plain copy overwritten and removed (:func:`wipe`). Overwriting is best effort: on an
  SSD (wear levelling, TRIM) or a journaling / copy-on-write file system, or under Windows' shadow copies,
  old blocks may survive it; only full-disk encryption (BitLocker) covers those.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

log = logging.getLogger(__name__)

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
#: Errors of either driver (a plain file is read with :mod:`sqlite3`, an encrypted one with sqlcipher3).
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher.Error)
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
#: sqlcipher3's DB-API ``Error`` (its exceptions are not sqlite3's).
CipherError: type[Exception] = sqlcipher.Error
#: The DB-API module SQLAlchemy is given for an encrypted store (its exceptions are wrapped like sqlite3's).
dbapi: Any = sqlcipher


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_pragma(key: bytes, schema: str = "") -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("a store key has 32 bytes")
    prefix = f"{schema}." if schema else ""
    return f"PRAGMA {prefix}key = \"x'{key.hex()}'\""


def connect(path: Path | str, key: bytes | None, **kwargs: Any) -> Any:
    """A DB-API connection on ``path``: SQLCipher with ``PRAGMA key`` first when a key is given, else
    plain :mod:`sqlite3` (reading a plain file, tests, benchmarks)."""
    if key is None:
        return sqlite3.connect(path, **kwargs)
    con = sqlcipher.connect(str(path), **kwargs)
    try:
        # SQLCipher writes its own errors (a page's MAC failing) to stderr: they reach us as exceptions.
        con.execute("PRAGMA cipher_log_level = NONE")
        con.execute(key_pragma(key))
    except BaseException:
        con.close()
        raise
    return con


def is_plain(path: Path) -> bool:
    """Whether ``path`` is a plain (unencrypted) SQLite file. An SQLCipher file starts with random salt."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def readable(path: Path, key: bytes | None) -> bool:
    """Whether ``key`` opens ``path`` (a wrong key reads as 'file is not a database')."""
    try:
        con = connect(f"file:{path}?mode=ro", key, uri=True)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except DB_ERRORS:
        return False
    return True


def table_counts(con: Any, schema: str = "main") -> dict[str, int]:
    names = [
        r[0]
        for r in con.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL%'"  # FTS5: its shadow tables hold its rows and are counted
        ).fetchall()
    ]
    out: dict[str, int] = {}
    for name in names:
        try:
            out[name] = con.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
        except DB_ERRORS:  # an FTS5 shadow or virtual table the build cannot read: not counted
            continue
    return out


#: SQLite virtual-machine instructions between two calls of the export's progress handler, and the least
#: time between two reports: the handler costs a call into Python and a stat (measured: no slower export).
PROGRESS_OPS = 200_000
PROGRESS_EVERY_S = 0.1

#: Called with (work done, work to do): pages while a store is exported (:func:`export`).
PageProgress = Callable[[int, int], None]
#: The export's share (in thousandths) of a conversion's progress, the copy's check having the rest
#: (measured at 200,000 dossiers: 2.4 s of export, 10 s of integrity check).
EXPORT_SHARE = 200


def export(source: Any, dest: Path, key: bytes, progress: PageProgress | None = None) -> None:
    """Write the database of the SQLCipher connection ``source`` (plain or encrypted) to ``dest``,
    encrypted with ``key``, in one statement (one read snapshot). ``dest`` must not exist.

    ``progress`` gets (pages written, pages of the source) from SQLite's progress handler while
    ``sqlcipher_export`` runs: the pages written are read from ``dest``'s size (SQLite spills its cache
    to the file as the copy grows), capped below the total until the export has returned."""
    if dest.exists():
        raise FileExistsError(dest)
    quoted = str(dest).replace("'", "''")
    source.execute(f"ATTACH DATABASE '{quoted}' AS enc KEY \"x'{key.hex()}'\"")
    try:
        if progress is not None:
            _export_reporting(source, dest, progress)
        else:
            source.execute("SELECT sqlcipher_export('enc')")
        version = source.execute("PRAGMA main.user_version").fetchone()[0]
        source.execute(f"PRAGMA enc.user_version = {int(version)}")
    finally:
        source.execute("DETACH DATABASE enc")


def _export_reporting(source: Any, dest: Path, progress: PageProgress) -> None:
    page_size = source.execute("PRAGMA main.page_size").fetchone()[0]
    total = max(1, source.execute("PRAGMA main.page_count").fetchone()[0])
    last = [0.0]

    def tick() -> int:  # in SQLite's VM: must not raise (a non-zero return would interrupt the export)
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            try:
                written = dest.stat().st_size // page_size
                progress(min(written, total - 1), total)
            except Exception:  # a missing file, a callback's bug: never stop the export for a report
                log.debug("export progress not reported", exc_info=True)
        return 0

    progress(0, total)
    source.set_progress_handler(tick, PROGRESS_OPS)
    try:
        source.execute("SELECT sqlcipher_export('enc')")
    finally:
        source.set_progress_handler(None, 0)
    progress(total, total)


def integrity_check(con: Any, counts: dict[str, int], progress: PageProgress | None = None) -> list[str]:
    """``PRAGMA integrity_check`` table by table (each with its indexes; FTS5 tables by their own check), so
    that ``progress`` gets (work done, work) between tables, a table's work being its rows (``counts``)
    times one plus its indexes. Returns ``["ok"]`` or the problems found. As long as the whole-file check
    (measured within a few per cent at 200,000 dossiers); the whole-file check also looks for pages lost
    from the free list, which a freshly exported file does not have."""
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    indexes: dict[str, int] = {}
    for (table,) in con.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'index'").fetchall():
        indexes[table] = indexes.get(table, 0) + 1
    weight = {t: (counts.get(t, 0) + 1) * (1 + indexes.get(t, 0)) for t in tables}
    total, done = max(1, sum(weight.values())), 0
    problems: list[str] = []
    for table in tables:
        quoted = table.replace('"', '""')
        problems += [
            r[0] for r in con.execute(f'PRAGMA integrity_check("{quoted}")').fetchall() if r[0] != "ok"
        ]
        done += weight[table]
        if progress is not None:
            progress(min(done, total), total)
    return problems or ["ok"]


def encrypt_file(path: Path, key: bytes, progress: PageProgress | None = None) -> dict[str, int]:
    """Convert the plain SQLite file ``path`` into an SQLCipher file in place, with nothing lost.

    Steps: fold the WAL in; export into ``<path>.encrypting``; compare the row counts of every table and run
    an integrity check on the copy; make it durable; keep a hard link to the plain file, rename the copy
    over ``path`` (atomic: a crash leaves the plain store or the encrypted one, never neither); then
    overwrite and remove the plain copy. Returns the row counts. ``progress`` gets (thousandths done,
    1000): the export (:func:`export`, its pages) then the copy's check (:func:`integrity_check`, its
    tables weighted by rows and indexes), :data:`EXPORT_SHARE` to the first. Raises :class:`RuntimeError`
    if the copy differs (the plain store is left as it was)."""
    tmp = path.with_name(path.name + ".encrypting")
    old = path.with_name(path.name + ".plain-old")
    tmp.unlink(missing_ok=True)

    def report(thousandths: int) -> None:
        if progress is not None:
            progress(min(thousandths, 1000), 1000)

    src = sqlcipher.connect(str(path))  # no key: SQLCipher reads a plain file as SQLite does
    try:
        src.isolation_level = None
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        before = table_counts(src)
        export(src, tmp, key, lambda written, total: report(written * EXPORT_SHARE // total))
    finally:
        src.close()
    check = connect(tmp, key)
    try:
        copied = table_counts(check)
        integrity = integrity_check(
            check, copied, lambda d, t: report(EXPORT_SHARE + (1000 - EXPORT_SHARE) * d // t)
        )
    finally:
        check.close()
    if before != copied or integrity != ["ok"]:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"encrypted copy of {path} differs: {before} / {copied} / {integrity[:3]}")
    _fsync(tmp)
    old.unlink(missing_ok=True)
    try:
        os.link(path, old)  # the plain file keeps a name until the encrypted one is in its place
        os.replace(tmp, path)
    except (
        OSError
    ):  # no hard links (FAT, some network shares): two renames; finish_interrupted covers the gap
        os.replace(path, old)
        os.replace(tmp, path)
    _fsync_dir(path.parent)
    for suffix in ("-wal", "-shm"):  # the plain store's WAL (emptied above) and index
        side = Path(f"{path}{suffix}")
        if side.exists():
            wipe(side)
    wipe(old)
    log.info("store encrypted at rest: %s (%d tables)", path, len(copied))
    return copied


def finish_interrupted(path: Path) -> None:
    """After a crash inside :func:`encrypt_file`: drop an unfinished copy, wipe a plain copy left behind."""
    Path(f"{path}.encrypting").unlink(missing_ok=True)
    old = Path(f"{path}.plain-old")
    if old.exists() and path.exists() and not is_plain(path):
        wipe(old)
    elif old.exists() and not path.exists():  # cannot happen with the steps above; never lose it
        os.replace(old, path)


def wipe(path: Path) -> None:
    """Overwrite a file with random bytes, make that durable, remove it. Best effort (see the module's
    docstring): it defeats undelete tools on a hard disk, not forensic reading of an SSD's flash."""
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        with path.open("r+b") as fh:
            left = size
            while left > 0:
                chunk = min(left, 1 << 20)
                fh.write(secrets.token_bytes(chunk))
                left -= chunk
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    if os.name == "posix":
        _fsync(path)
