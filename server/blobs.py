"""The server's store of digitised files (issue 19), content-addressed by SHA-256, and the index of the
file references that decide who may send or fetch a file.

Uploads come in chunks (``PUT /api/v1/files/{sha256}?offset=N&total=T``); a chunk whose offset is not the
length already held is refused with the length to resume from, so an interrupted upload resumes where it
stopped and a chunk sent twice is not appended twice. When the last byte arrives the whole file's SHA-256
and size are checked; only then is the file complete and served (a mismatch drops what was received). A
file the server has is never asked for again (idempotent by SHA-256).

Three stores behind one interface (:class:`BlobStore`), chosen by ``$MOTCUA_BLOB_STORE`` (``serve
--blob-store``):

- ``fs`` (default): files in a folder (``$MOTCUA_BLOB_DIR``, default ``motcua-blobs``): partial uploads in
  ``partial/<sha256>.part``, appended under an exclusive ``flock`` (two requests for the same file, e.g. a
  retry while the first is still being written, never both append); the complete file is fsynced,
  checked, renamed to ``ab/cdef…`` and its folder fsynced before the answer says "complete". A kill
  during an append leaves a prefix of the right bytes, which the next chunk continues.
- ``postgres``: files in the server's PostgreSQL database (tables ``blobs`` and ``blob_chunks``): each
  chunk is one transaction that locks the file's row, checks the offset, stores the chunk and advances
  the held length, so a kill loses at most the chunk in flight. Only on PostgreSQL (an SQLite server
  keeps its files in the folder).
- ``s3``: an S3-compatible bucket (``server.blobs_s3``), **tested against a simulator only**.

Which files a device may send or fetch: only those named by an accepted ``dossier.files`` event of a
dossier visible to the device's centre (receiving, competent or handling agency), with the size that
event declared. ``server.sync`` writes one ``file_refs`` row per such event in the event's transaction
(migration ``s0003_blobs`` backfilled the older events); the checks read that indexed table.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.contract import FilesPayload
from app.domain.errors import Problem
from server.blob_checks import check_sha, hash_mismatch, too_long, wrong_offset
from server.db import Database, SetupError
from server.errors import ApiError
from server.models import BlobChunk, Dossier, FileRef, StoredBlob

BLOB_DIR_ENV = "MOTCUA_BLOB_DIR"
#: Environment variable choosing the blob store: ``fs`` (default), ``postgres`` or ``s3``.
BLOB_STORE_ENV = "MOTCUA_BLOB_STORE"
STORE_KINDS = ("fs", "postgres", "s3")
#: Largest file accepted (a paper of 500 pages at ~60 KB each is 30 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Largest chunk (well under the request body limit of server.api.middleware).
MAX_CHUNK_BYTES = 4 * 1024 * 1024


def default_dir() -> Path:
    return Path(os.environ.get(BLOB_DIR_ENV) or "motcua-blobs")


#: ``sync_file_range(2)``'s flag: start writing the range's dirty pages back, without waiting.
SYNC_FILE_RANGE_WRITE = 2


@functools.cache
def _sync_file_range() -> Any:
    """Linux's ``sync_file_range`` from the C library with its signature, looked up once (None elsewhere).
    Looked up here: the server uses no module of ``app`` but its domain and contract."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None).sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    fn.restype = ctypes.c_int
    return fn


def _start_writeback(fd: int) -> None:
    """Start writing the file's dirty pages to the disk without waiting (Linux ``sync_file_range``), so that
    the fsyncs of a batch's files that follow wait for writes already under way together instead of
    starting each in turn (git's ``core.fsyncMethod=batch`` starts its writeback the same way). Durability
    still comes from each file's own fsync; a no-op where the call does not exist."""
    start = _sync_file_range()
    if start is not None:
        start(fd, 0, 0, SYNC_FILE_RANGE_WRITE)


def _fsync_dir(path: Path) -> None:
    if os.name == "posix":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class BlobStore(Protocol):
    """Where the server keeps the files (see the module notes)."""

    kind: str

    def has(self, sha256: str) -> bool:
        """Whether the whole file is held (SHA-256 verified)."""

    def offset(self, sha256: str) -> int:
        """Bytes already received of an upload in progress (0 when none)."""

    def write_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> tuple[int, bool]:
        """Store ``data`` at ``offset`` of a file of ``total`` bytes; returns (bytes now held, complete).
        409 ``file.offset`` when ``offset`` is not the length held; 422 when the bytes overrun ``total``
        or the complete file does not match its SHA-256 (what was received is then dropped)."""

    def read(self, sha256: str) -> bytes | None:
        """The complete file, or None when it is not (yet) held. A partial upload is never returned."""

    def partials(self) -> list[str]:
        """The files with an upload in progress."""


class FsBlobStore:
    """Files in a folder (``fs``, the default)."""

    kind = "fs"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        check_sha(sha256)
        return self.root / sha256[:2] / sha256[2:]

    def _partial(self, sha256: str) -> Path:
        return self.root / "partial" / f"{sha256}.part"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def offset(self, sha256: str) -> int:
        p = self._partial(sha256)
        return p.stat().st_size if p.is_file() else 0

    def read(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def partials(self) -> list[str]:
        folder = self.root / "partial"
        return sorted(p.stem for p in folder.glob("*.part")) if folder.is_dir() else []

    def write_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> tuple[int, bool]:
        final = self.path(sha256)
        if final.is_file():
            return total, True
        part = self._partial(sha256)
        part.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(10):
            if final.is_file():
                return total, True
            with part.open("ab") as f, _locked(f.fileno()):
                if not _same_file(f.fileno(), part):
                    continue  # completed or dropped by the request that held the lock before this one
                return self._append(f, part, final, sha256, offset, total, data)
        raise wrong_offset(self.offset(sha256))

    def _append(
        self, f: Any, part: Path, final: Path, sha256: str, offset: int, total: int, data: bytes
    ) -> tuple[int, bool]:
        """One chunk, under the partial file's lock."""
        have = os.fstat(f.fileno()).st_size
        if final.is_file():  # completed meanwhile; this partial file was made empty by our open
            if have == 0:
                part.unlink(missing_ok=True)
            return total, True
        if offset != have:
            raise wrong_offset(have)
        if offset + len(data) > total:
            raise too_long()
        have = offset + len(data)
        if offset == 0 and have == total and hashlib.sha256(data).hexdigest() != sha256:
            part.unlink(missing_ok=True)  # empty: nothing was written
            raise hash_mismatch()  # a whole file in one chunk: checked before anything is written
        f.write(data)
        f.flush()
        if have < total:
            # Not fsynced: after a power loss a partial file may come back shorter (the desk resumes
            # from its length) or with garbage (the hash check at the end drops it); never served.
            return have, False
        os.fsync(f.fileno())
        if offset > 0:
            digest = hashlib.sha256()
            with part.open("rb") as r:
                while chunk := r.read(1 << 20):
                    digest.update(chunk)
            if digest.hexdigest() != sha256:
                part.unlink(missing_ok=True)
                raise hash_mismatch()
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, final)
        _fsync_dir(final.parent)
        return have, True

    def write_whole(self, files: Sequence[tuple[str, bytes]]) -> list[ApiError | None]:
        """Several whole files at once (``POST /files/batch``): each checked against its SHA-256 and
        written to its own temporary file, then all fsynced (their writeback started for all of them
        first, :func:`_start_writeback`, so the fsyncs wait on writes already under way), renamed into
        place and their folders fsynced, before any is reported complete. Per file: None (held) or the
        refusal (409 ``file.offset`` when a chunked upload of it is in progress: it is resumed alone).
        A crash before the renames leaves only ``partial/*.tmp`` files, never served and swept after an
        hour."""
        tmp_dir = self.root / "partial"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self._sweep(tmp_dir)
        out: list[ApiError | None] = []
        pending: list[tuple[Any, Path, Path]] = []  # (open temporary file, its path, the final path)
        try:
            for sha256, data in files:
                final = self.path(sha256)
                out.append(None)
                if final.is_file():
                    continue
                held = self.offset(sha256)
                if held:
                    out[-1] = wrong_offset(held)
                elif hashlib.sha256(data).hexdigest() != sha256:
                    out[-1] = hash_mismatch()
                else:
                    tmp = tmp_dir / f"{sha256}.{uuid.uuid4().hex}.tmp"
                    f = tmp.open("xb")
                    pending.append((f, tmp, final))
                    f.write(data)
                    f.flush()
            for f, _tmp, _final in pending:
                _start_writeback(f.fileno())
            for f, _tmp, _final in pending:
                os.fsync(f.fileno())
            folders: set[Path] = set()
            for f, tmp, final in pending:
                f.close()
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)  # the same verified bytes whoever wins a race for this file
                folders.add(final.parent)
            pending = []
            for folder in folders:
                _fsync_dir(folder)
        finally:
            for f, tmp, _final in pending:  # an error before the renames: nothing half-done is kept
                f.close()
                tmp.unlink(missing_ok=True)
        return out

    @staticmethod
    def _sweep(tmp_dir: Path) -> None:
        """Remove temporary files of batches a crash interrupted (older than an hour)."""
        cutoff = time.time() - 3600
        with os.scandir(tmp_dir) as entries:
            for entry in entries:
                if not entry.name.endswith(".tmp"):
                    continue
                try:
                    mtime = entry.stat().st_mtime
                except FileNotFoundError:  # renamed into place by a batch stored at the same time
                    continue
                if mtime < cutoff:
                    Path(entry.path).unlink(missing_ok=True)


def _same_file(fd: int, path: Path) -> bool:
    """Whether the open file is still the one at ``path`` (not renamed or removed while we waited)."""
    try:
        return os.path.samestat(os.fstat(fd), path.stat())
    except FileNotFoundError:
        return False


@contextmanager
def _locked(fd: int) -> Iterator[None]:
    """An exclusive lock on an open partial file (POSIX ``flock``; across worker processes too)."""
    if os.name != "posix":  # the server runs on Linux; elsewhere one process, one request per file
        yield
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


_BLOBS: Any = StoredBlob.__table__
_CHUNKS: Any = BlobChunk.__table__


class PgBlobStore:
    """Files in the server's PostgreSQL database (``postgres``): one row per file in ``blobs`` (declared
    size, bytes held, complete) and its chunks in ``blob_chunks``, one transaction per chunk."""

    kind = "postgres"

    def __init__(self, db: Database) -> None:
        if not db.is_postgres:
            raise SetupError(
                Problem(
                    "blobs.postgres",
                    "Kho tệp «postgres» cần máy chủ dùng PostgreSQL; với SQLite hãy dùng kho «fs».",
                    "The 'postgres' file store needs a server on PostgreSQL; with SQLite use the 'fs' store.",
                )
            )
        self.db = db

    def has(self, sha256: str) -> bool:
        check_sha(sha256)
        with self.db.read() as s:
            return bool(s.scalar(select(_BLOBS.c.complete).where(_BLOBS.c.sha256 == sha256)))

    def offset(self, sha256: str) -> int:
        check_sha(sha256)
        with self.db.read() as s:
            row = s.execute(select(_BLOBS.c.held, _BLOBS.c.complete).where(_BLOBS.c.sha256 == sha256)).first()
        return 0 if row is None or row.complete else int(row.held)

    def read(self, sha256: str) -> bytes | None:
        check_sha(sha256)
        with self.db.read() as s:
            if not s.scalar(select(_BLOBS.c.complete).where(_BLOBS.c.sha256 == sha256)):
                return None
            parts = s.scalars(
                select(_CHUNKS.c.data).where(_CHUNKS.c.sha256 == sha256).order_by(_CHUNKS.c.start)
            )
            return b"".join(parts)

    def partials(self) -> list[str]:
        with self.db.read() as s:
            return list(
                s.scalars(
                    select(_BLOBS.c.sha256).where(_BLOBS.c.complete.is_(False)).order_by(_BLOBS.c.sha256)
                )
            )

    def write_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> tuple[int, bool]:
        check_sha(sha256)
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.db.write() as s:
            s.execute(
                pg_insert(_BLOBS)
                .values(sha256=sha256, size=total, held=0, complete=False, updated_at=now)
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
            row = s.execute(
                select(_BLOBS.c.size, _BLOBS.c.held, _BLOBS.c.complete)
                .where(_BLOBS.c.sha256 == sha256)
                .with_for_update()
            ).one()
            if row.complete:
                return total, True
            have = int(row.held)
            if offset != have:
                raise wrong_offset(have)
            if offset + len(data) > total:
                raise too_long()
            s.execute(_CHUNKS.insert().values(sha256=sha256, start=offset, data=data))
            have = offset + len(data)
            complete = have == total
            matches = True
            if complete:
                digest = hashlib.sha256()
                for part in s.scalars(
                    select(_CHUNKS.c.data).where(_CHUNKS.c.sha256 == sha256).order_by(_CHUNKS.c.start)
                ):
                    digest.update(part)
                matches = digest.hexdigest() == sha256
            if matches:
                s.execute(
                    update(_BLOBS)
                    .where(_BLOBS.c.sha256 == sha256)
                    .values(size=total, held=have, complete=complete, updated_at=now)
                )
            else:  # dropped whole, then refused once the transaction has committed
                s.execute(delete(_CHUNKS).where(_CHUNKS.c.sha256 == sha256))
                s.execute(delete(_BLOBS).where(_BLOBS.c.sha256 == sha256))
        if not matches:
            raise hash_mismatch()
        return have, complete


def open_store(db: Database, kind: str | None = None, folder: Path | None = None) -> BlobStore:
    """The configured blob store: ``kind`` (default ``$MOTCUA_BLOB_STORE`` or ``fs``); ``folder`` for
    ``fs`` (default ``$MOTCUA_BLOB_DIR`` or ``motcua-blobs``)."""
    kind = (kind or os.environ.get(BLOB_STORE_ENV) or "fs").strip().lower()
    if kind == "fs":
        return FsBlobStore(folder or default_dir())
    if kind == "postgres":
        return PgBlobStore(db)
    if kind == "s3":
        from server.blobs_s3 import S3BlobStore

        return S3BlobStore.from_env()
    raise SetupError(
        Problem(
            "blobs.kind",
            f"Không có kho tệp «{kind}»: chọn một trong {', '.join(STORE_KINDS)} ({BLOB_STORE_ENV}).",
            f"No file store {kind!r}: choose one of {', '.join(STORE_KINDS)} ({BLOB_STORE_ENV}).",
        )
    )


# --- file references ---------------------------------------------------------------------------------


def file_ref(event_id: str, dossier_id: str, fp: FilesPayload) -> dict[str, Any]:
    """The ``file_refs`` row of an accepted ``dossier.files`` event (``server.sync``)."""
    return {
        "event_id": event_id,
        "dossier_id": dossier_id,
        "sha256": fp.sha256,
        "kind": fp.kind,
        "paper_no": fp.paper_no,
        "name": fp.name,
        "pages": fp.page_count,
        "size": fp.size,
        "exemption": fp.exemption,
    }


@dataclass(frozen=True)
class Reference:
    dossier_id: str
    code: str | None
    size: int
    centres: frozenset[str]


_REFS: Any = FileRef.__table__
_DOSSIERS: Any = Dossier.__table__


def references(db: Database, sha256: str) -> list[Reference]:
    """The dossiers whose accepted ``dossier.files`` events name this file, with the centres that may
    see them and the size the event declared."""
    check_sha(sha256)
    with db.read() as s:
        rows = s.execute(
            select(
                _DOSSIERS.c.id,
                _DOSSIERS.c.code,
                _REFS.c.size,
                _DOSSIERS.c.receiving_eid,
                _DOSSIERS.c.competent_eid,
                _DOSSIERS.c.handling_eid,
            )
            .join(_DOSSIERS, _DOSSIERS.c.id == _REFS.c.dossier_id)
            .where(_REFS.c.sha256 == sha256)
            .order_by(_REFS.c.id)
        ).all()
    return [
        Reference(dossier_id, code, int(size), frozenset(e for e in eids if e))
        for dossier_id, code, size, *eids in rows
    ]


def forbidden() -> ApiError:
    return ApiError(
        403,
        Problem(
            "file.forbidden",
            "Tệp này không thuộc hồ sơ nào mà trung tâm của máy trạm được xem.",
            "This file belongs to no dossier the workstation's centre may see.",
        ),
    )


def allowed_size(db: Database, sha256: str, centre_eid: str) -> int:
    """The declared size of the file for a device of ``centre_eid`` (a centre named on a dossier that
    references it), or 403: one indexed query."""
    check_sha(sha256)
    with db.read() as s:
        size = s.scalar(
            select(_REFS.c.size)
            .join(_DOSSIERS, _DOSSIERS.c.id == _REFS.c.dossier_id)
            .where(
                _REFS.c.sha256 == sha256,
                or_(
                    _DOSSIERS.c.receiving_eid == centre_eid,
                    _DOSSIERS.c.competent_eid == centre_eid,
                    _DOSSIERS.c.handling_eid == centre_eid,
                ),
            )
            .order_by(_REFS.c.id)
            .limit(1)
        )
    if size is None:
        raise forbidden()
    return int(size)


def allowed_sizes(db: Database, shas: Sequence[str], centre_eid: str) -> dict[str, int]:
    """:func:`allowed_size` of several files in one query (``POST /files/batch``): the files a device of
    ``centre_eid`` may send, with their declared sizes; a file missing from the answer is forbidden."""
    for sha256 in shas:
        check_sha(sha256)
    with db.read() as s:
        rows = s.execute(
            select(_REFS.c.sha256, _REFS.c.size)
            .join(_DOSSIERS, _DOSSIERS.c.id == _REFS.c.dossier_id)
            .where(
                _REFS.c.sha256.in_(set(shas)),
                or_(
                    _DOSSIERS.c.receiving_eid == centre_eid,
                    _DOSSIERS.c.competent_eid == centre_eid,
                    _DOSSIERS.c.handling_eid == centre_eid,
                ),
            )
            .order_by(_REFS.c.id.desc())  # the first reference wins, as in allowed_size
        ).all()
    return {sha256: int(size) for sha256, size in rows}


@dataclass(frozen=True)
class HeldFile:
    kind: str
    paper_no: int
    name: str
    pages: int
    sha256: str | None
    size: int
    exemption: str | None
    held: bool


def dossier_files(db: Database, code: str, store: BlobStore) -> list[HeldFile] | None:
    """The files the dossier's ``dossier.files`` events name, newest per paper, and whether the store
    holds each (``motcua-server files CODE``); None for an unknown dossier."""
    with db.read() as s:
        dossier_id = s.scalar(select(_DOSSIERS.c.id).where(_DOSSIERS.c.code == code.strip()))
        if dossier_id is None:
            return None
        rows = s.execute(
            select(
                _REFS.c.kind,
                _REFS.c.paper_no,
                _REFS.c.name,
                _REFS.c.pages,
                _REFS.c.sha256,
                _REFS.c.size,
                _REFS.c.exemption,
            )
            .where(_REFS.c.dossier_id == dossier_id)
            .order_by(_REFS.c.id)
        ).all()
    latest = {(r.kind, r.paper_no): r for r in rows}
    return [
        HeldFile(
            r.kind,
            r.paper_no,
            r.name,
            r.pages,
            r.sha256,
            int(r.size),
            r.exemption,
            bool(r.sha256) and store.has(r.sha256),
        )
        for k, r in sorted(latest.items(), key=lambda kv: (kv[0][0] == "result", kv[0][1]))
    ]
