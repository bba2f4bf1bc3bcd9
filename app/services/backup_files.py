"""The digitised files of a backup: the content-addressed files of ``files/`` (app.digitise.blobs) that the
backed-up database references (or all of them), kept beside the database copy.

Layout: a backup ``backups/motcua-desk-<stamp>-<kind>.sqlite3`` gets the folder
``backups/motcua-desk-<stamp>-<kind>.files/`` holding the files in the store's own layout (``ab/cdef…``)
and ``manifest.json`` (every SHA-256 with its size; those referenced but missing or damaged in the live
store). The folder is built as ``….files.partial`` and renamed when complete: a folder without its final
name is never used, and a backup without a folder (an older version's, or one cut off by a crash) restores
its database only, saying so.

Not copying gigabytes each time: a file is content-addressed and never rewritten under its name, so a file
that an earlier backup already holds (same SHA-256 and size in its manifest) is **hard-linked** from that
backup: no bytes copied, no space taken, and deleting one backup (retention) only drops a link. Only new
files are copied, from the live store, hashed while copying (a live file whose bytes no longer match its
name is not copied; it is listed as damaged). Hard links are taken between backups, never to the live
store, so that damage done in place to a live file does not reach the backups; copies in backups are made
read-only. Where hard links are not available (FAT, some network shares) the file is copied. A hash index
(reading every earlier copy to hash it again) was not chosen: it reads the gigabytes the link avoids. The
backups are on the same disk as the store: a disk failure loses both — copy the backups folder elsewhere.

Copies are taken as the files are on disk: encrypted when the store is (app.digitise.blobs, AES-256-GCM
under a key derived from the store key), so a copied backup folder reads as random bytes without the key.
Every check (taking, verifying, restoring) decrypts and authenticates a copy and compares the SHA-256 of its
plaintext with its name; plain copies (backups of a store in clear, or taken before encryption) are checked
by their hash as before, and a restore writes them back encrypted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.digitise.blobs import BlobStore
from app.domain.digitise import is_sha256
from app.models import cipher

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SUFFIX = ".files"
CHUNK = 1 << 20


def folder_of(backup: Path) -> Path:
    """The files folder of the database backup ``backup`` (it may not exist)."""
    return backup.with_name(backup.stem + SUFFIX)


def _partial(backup: Path) -> Path:
    return backup.with_name(backup.stem + SUFFIX + ".partial")


@dataclass(frozen=True)
class Manifest:
    files: dict[str, int]  # SHA-256 -> size
    missing: tuple[str, ...] = ()  # referenced, not in the live store at backup time
    damaged: tuple[str, ...] = ()  # referenced, their bytes no longer had their hash


def read_manifest(backup: Path) -> Manifest | None:
    """The manifest of ``backup``'s files folder, None if it has none (older backups) or it is unreadable."""
    try:
        data = json.loads((folder_of(backup) / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(
            {str(k): int(v) for k, v in data["files"].items() if is_sha256(str(k))},
            tuple(data.get("missing", ())),
            tuple(data.get("damaged", ())),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def size_of(backup: Path) -> int | None:
    """Bytes of the files of ``backup`` (shared with other backups by hard links or not), None if none."""
    manifest = read_manifest(backup)
    return None if manifest is None else sum(manifest.files.values())


def referenced_in(db_file: Path, key: bytes | None) -> set[str]:
    """The hashes the database file ``db_file`` references (current files and image-only originals)."""
    con = cipher.connect(f"file:{db_file}?mode=ro", key, uri=True)
    try:
        rows = con.execute("SELECT sha256, original_sha256 FROM dossier_files").fetchall()
    except cipher.DATABASE_ERRORS:  # a schema before digitising: no files
        rows = []
    finally:
        con.close()
    return {h for row in rows for h in row if h and is_sha256(h)}


def _blob_path(root: Path, sha256: str) -> Path:
    return BlobStore(root).path(sha256)


def _earlier_copies(backups_folder: Path, exclude: Path) -> dict[str, tuple[Path, int]]:
    """SHA-256 -> (a copy in an earlier backup's files folder, its size), from their manifests."""
    out: dict[str, tuple[Path, int]] = {}
    if not backups_folder.is_dir():
        return out
    for folder in sorted(backups_folder.glob("*" + SUFFIX), reverse=True):  # newest stamp first
        if folder == exclude or not folder.is_dir():
            continue
        manifest = read_manifest(folder.with_name(folder.name[: -len(SUFFIX)] + ".sqlite3"))
        if manifest is None:
            continue
        for digest, size in manifest.files.items():
            if digest not in out:
                out[digest] = (_blob_path(folder, digest), size)
    return out


def _copy(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` as it is on disk (encrypted when the store is), made durable."""
    with src.open("rb") as fin, dest.open("wb") as fout:
        while chunk := fin.read(CHUNK):
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())


def _read_only(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)


@dataclass
class SnapshotReport:
    files: int = 0
    bytes: int = 0
    linked: int = 0
    copied: int = 0
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)


def snapshot(data_dir: Path, backup: Path, key: bytes | None, *, all_files: bool = False) -> SnapshotReport:
    """Put beside the database backup ``backup`` the files it references (``all_files``: every file of the
    live store), reusing earlier backups' copies by hard link. Returns what was done."""
    live = BlobStore.of(data_dir, key)
    wanted = {d for d, _p in live.stored()} if all_files else referenced_in(backup, key)
    partial, final = _partial(backup), folder_of(backup)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    # A folder already under the final name belongs to a backup of the same second, whose database
    # ``backup`` has just replaced: its copies can be linked, then it goes.
    earlier = _earlier_copies(backup.parent, partial)
    report = SnapshotReport()
    files: dict[str, int] = {}
    for digest in sorted(wanted):
        src = live.path(digest)
        dest = _blob_path(partial, digest)
        dest.parent.mkdir(exist_ok=True)
        if not src.is_file():
            report.missing.append(digest)
            continue
        size = src.stat().st_size
        prior = earlier.get(digest)
        if prior is not None and prior[1] == size and prior[0].is_file():
            try:
                os.link(prior[0], dest)
                report.linked += 1
                files[digest] = size
                continue
            except OSError:
                pass  # no hard links here: copied below
        _copy(src, dest)
        if not live.intact(dest, digest):  # decrypted and authenticated, its plaintext hashed
            dest.unlink()
            report.damaged.append(digest)
            continue
        _read_only(dest)
        report.copied += 1
        files[digest] = size
    report.files, report.bytes = len(files), sum(files.values())
    manifest = {"files": files, "missing": report.missing, "damaged": report.damaged}
    with (partial / MANIFEST).open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=0, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    if final.is_dir():
        shutil.rmtree(final, onerror=_writable_then_retry)
    os.replace(partial, final)
    log.info(
        "backup files: %d (%d bytes; %d linked from earlier backups, %d copied; %d missing, %d damaged)",
        report.files,
        report.bytes,
        report.linked,
        report.copied,
        len(report.missing),
        len(report.damaged),
    )
    return report


def remove(backup: Path) -> None:
    """Remove the files folder of ``backup`` (retention): its links only; copies shared with other backups
    stay in those."""
    for folder in (folder_of(backup), _partial(backup)):
        if folder.is_dir():
            shutil.rmtree(folder, onerror=_writable_then_retry)


def _writable_then_retry(func: Any, path: str, _exc: Any) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
        func(path)


@dataclass
class PutBack:
    """What restoring a backup did with its files."""

    has_files: bool  # False: a backup without a files folder (an older version's): its database only
    restored: int = 0  # copied back into ``files/``
    present: int = 0  # already in ``files/`` with their hash
    bad: list[str] = field(default_factory=list)  # in the backup's manifest, not put back with their hash
    not_in_backup: list[str] = field(default_factory=list)  # missing/damaged when the backup was taken


def verify(backup: Path, key: bytes | None) -> list[str]:
    """The files of ``backup``'s manifest that are absent, fail authentication (encrypted with ``key``,
    the store key) or whose plaintext no longer has their hash."""
    manifest = read_manifest(backup)
    if manifest is None:
        return []
    folder = BlobStore(folder_of(backup), key)
    return [d for d in sorted(manifest.files) if not folder.intact(folder.path(d), d)]


def put_back(data_dir: Path, backup: Path, key: bytes | None) -> PutBack:
    """Put the files of ``backup`` back into ``data_dir``'s ``files/`` (through the store's own durable
    write, encrypted with a key derived from ``key``, the store key), then check every SHA-256 of the
    manifest in ``files/``. Each copy is decrypted and authenticated (or, plain, hashed) first. Files already
    there intact are left; nothing in ``files/`` is removed."""
    manifest = read_manifest(backup)
    if manifest is None:
        return PutBack(has_files=False)
    live = BlobStore.of(data_dir, key)
    folder = folder_of(backup)
    out = PutBack(has_files=True, not_in_backup=sorted({*manifest.missing, *manifest.damaged}))
    for digest in sorted(manifest.files):
        if live.intact(live.path(digest), digest):
            out.present += 1
            continue
        source = _blob_path(folder, digest)
        try:
            data = live.decode(source.read_bytes(), digest)
        except (OSError, ValueError):  # unreadable, failing authentication, or not its hash
            out.bad.append(digest)
            continue
        live.put(data)  # a damaged copy in place is replaced (written aside, then renamed over it)
        out.restored += 1
    out.bad.extend(d for d in _unverified(live, manifest.files, out.bad))
    if out.bad:
        log.error("restore: %d files of %s could not be put back with their hash", len(out.bad), backup)
    log.info("restore: %d files put back, %d already present", out.restored, out.present)
    return out


def _unverified(live: BlobStore, files: Iterable[str], known_bad: list[str]) -> list[str]:
    """After putting back: every file of the manifest checked again in the live store."""
    bad = set(known_bad)
    return [d for d in sorted(files) if d not in bad and not live.intact(live.path(d), d)]
