"""The desk's content-addressed file store: ``<data folder>/files/ab/cdef…`` named by SHA-256.

A file is written to ``files/tmp/`` under a unique name, flushed with ``fsync``, then renamed to its
final name and the folder synced: a crash leaves either no file or the whole file, never a torn one
under a final name. The rows that reference a file are written *after* it is durable (in
``app.services.files``), so a crash between the two leaves an unreferenced file, which
:meth:`BlobStore.sweep` removes once it is older than a grace period (a file another process has just
written for a transaction still open is not yet old enough to be swept).

No database here: the caller says which hashes are referenced.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.digitise import is_sha256

CHUNK = 1 << 20
#: Unreferenced files and temp files younger than this are left alone by the sweep.
SWEEP_GRACE_S = 3600.0


def files_dir(data_dir: Path) -> Path:
    return data_dir / "files"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # Windows has no directory handles to sync
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    #: Written by this call (False: an intact copy was already there).
    new: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class FileFault:
    """A referenced file that is missing or whose content no longer has its hash."""

    sha256: str
    problem: str  # "missing" | "damaged"


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def of(cls, data_dir: Path) -> BlobStore:
        return cls(files_dir(data_dir))

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def _tmp(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / f"{os.getpid()}-{secrets.token_hex(8)}.part"

    def put(self, data: bytes) -> Stored:
        """Store ``data`` durably under its hash (nothing written when an intact copy is already there)."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.path(digest)
        if final.exists() and final.stat().st_size == len(data) and sha256_file(final) == digest:
            os.utime(final)  # young again: a sweep running now leaves it for the rows about to reference it
            return Stored(digest, len(data))
        tmp = self._tmp()
        try:
            with tmp.open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        _fsync_dir(self.root)
        return Stored(digest, len(data), new=True)

    def discard(self, sha256: str) -> None:
        """Remove a file no row references (the caller checked), e.g. one whose rows could not be
        committed: on a full disk its space is given back at once instead of after the sweep's grace."""
        path = self.path(sha256)
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)

    def read(self, sha256: str) -> bytes:
        """The file's bytes, checked against its name (``ValueError`` when they differ)."""
        data = self.path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"file {sha256} is damaged")
        return data

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def stored(self) -> Iterator[tuple[str, Path]]:
        """Every file under a final name: (its name as a hash, path)."""
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if len(sub.name) != 2 or not sub.is_dir():
                continue
            for f in sub.iterdir():
                name = sub.name + f.name
                if is_sha256(name):
                    yield name, f

    def verify(self, referenced: Iterable[str]) -> list[FileFault]:
        """Every referenced file present with the content its name promises."""
        faults: list[FileFault] = []
        for digest in sorted(set(referenced)):
            p = self.path(digest)
            if not p.is_file():
                faults.append(FileFault(digest, "missing"))
            elif sha256_file(p) != digest:
                faults.append(FileFault(digest, "damaged"))
        return faults

    def sweep(self, referenced: Iterable[str], grace_s: float = SWEEP_GRACE_S) -> list[str]:
        """Remove temp files and unreferenced files older than ``grace_s``; returns what was removed."""
        keep = set(referenced)
        cutoff = time.time() - grace_s
        removed: list[str] = []
        tmp = self.root / "tmp"
        if tmp.is_dir():
            for f in tmp.iterdir():
                if f.stat().st_mtime < cutoff:
                    f.unlink(missing_ok=True)
                    removed.append(str(f))
        for digest, p in list(self.stored()):
            if digest not in keep and p.stat().st_mtime < cutoff:
                p.unlink(missing_ok=True)
                removed.append(digest)
        return removed
