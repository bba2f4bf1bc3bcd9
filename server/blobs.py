"""The server's store of digitised files (issue 19): on the filesystem, content-addressed by SHA-256.

Uploads come in chunks (``PUT /api/v1/files/{sha256}?offset=N&total=T``), appended to
``partial/<sha256>.part`` and fsynced; a chunk whose offset is not the partial file's length is
refused with the length to resume from, so an interrupted upload resumes where it stopped and a chunk
sent twice is not appended twice. When the last byte arrives the whole file's SHA-256 and size are
checked; only then is it renamed to ``ab/cdef…`` (a mismatch drops the partial file). A file the
server has is never asked for again (idempotent by SHA-256).

Which files a device may send or fetch: only those named by an accepted ``dossier.files`` event of a
dossier visible to the device's centre (receiving, competent or handling agency), with the size that
event declared (:func:`references`). A PostgreSQL- or S3-backed store is not implemented: the
filesystem store is the only one (``MOTCUA_BLOB_DIR``, default ``motcua-blobs`` beside the working
directory).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Text, select, type_coerce

from app.domain.errors import Problem
from server.db import Database
from server.errors import ApiError
from server.models import Dossier, EventRow

BLOB_DIR_ENV = "MOTCUA_BLOB_DIR"
#: Largest file accepted (a paper of 500 pages at ~60 KB each is 30 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Largest chunk (well under the request body limit of server.api.middleware).
MAX_CHUNK_BYTES = 4 * 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")


def default_dir() -> Path:
    return Path(os.environ.get(BLOB_DIR_ENV) or "motcua-blobs")


def _fsync_dir(path: Path) -> None:
    if os.name == "posix":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def bad_hash(sha256: str) -> ApiError:
    return ApiError(
        422,
        Problem(
            "file.sha256", "Mã SHA-256 của tệp không hợp lệ.", "The file's SHA-256 is not valid.", "sha256"
        ),
    )


@dataclass(frozen=True)
class Reference:
    dossier_id: str
    code: str | None
    size: int
    centres: frozenset[str]


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not _SHA.match(sha256):
            raise bad_hash(sha256)
        return self.root / sha256[:2] / sha256[2:]

    def _partial(self, sha256: str) -> Path:
        return self.root / "partial" / f"{sha256}.part"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def offset(self, sha256: str) -> int:
        """Bytes already received of an upload in progress (0 when none)."""
        p = self._partial(sha256)
        return p.stat().st_size if p.is_file() else 0

    def write_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> tuple[int, bool]:
        """Append ``data`` at ``offset``; returns (bytes now held, complete)."""
        final = self.path(sha256)
        if final.is_file():
            return total, True
        part = self._partial(sha256)
        part.parent.mkdir(parents=True, exist_ok=True)
        have = self.offset(sha256)
        if offset != have:
            raise ApiError(
                409,
                Problem(
                    "file.offset",
                    f"Máy chủ đã nhận {have} byte của tệp này: gửi tiếp từ đó.",
                    f"The server holds {have} bytes of this file: resume from there.",
                    str(have),
                ),
            )
        if offset + len(data) > total:
            raise ApiError(
                422,
                Problem("file.size", "Tệp dài hơn kích thước đã khai.", "The file is longer than declared."),
            )
        with part.open("ab") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        have = offset + len(data)
        if have < total:
            return have, False
        digest = hashlib.sha256()
        with part.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            part.unlink(missing_ok=True)
            raise ApiError(
                422,
                Problem(
                    "file.hash_mismatch",
                    "Nội dung tệp nhận được không khớp mã SHA-256: tệp bị hỏng trên đường truyền, "
                    "hãy gửi lại.",
                    "The file received does not match its SHA-256: it was damaged in transfer; "
                    "send it again.",
                ),
            )
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, final)
        _fsync_dir(final.parent)
        return have, True


def references(db: Database, sha256: str) -> list[Reference]:
    """The dossiers whose accepted ``dossier.files`` events name this file, with the centres that may
    see them and the size the event declared."""
    if not _SHA.match(sha256):
        raise bad_hash(sha256)
    out: list[Reference] = []
    with db.read() as s:
        rows = s.execute(
            select(
                EventRow.body,
                Dossier.id,
                Dossier.code,
                Dossier.receiving_eid,
                Dossier.competent_eid,
                Dossier.handling_eid,
            )
            .join(Dossier, Dossier.id == EventRow.dossier_id)
            .where(EventRow.type == "dossier.files", type_coerce(EventRow.body, Text).contains(sha256))
        ).all()
    for body, dossier_id, code, *eids in rows:
        payload = body.get("payload", {}) if isinstance(body, dict) else {}
        if payload.get("sha256") != sha256:
            continue
        out.append(Reference(dossier_id, code, int(payload.get("size", 0)), frozenset(e for e in eids if e)))
    return out


def forbidden() -> ApiError:
    return ApiError(
        403,
        Problem(
            "file.forbidden",
            "Tệp này không thuộc hồ sơ nào mà trung tâm của máy trạm được xem.",
            "This file belongs to no dossier the workstation's centre may see.",
        ),
    )


def allowed_size(refs: list[Reference], centre_eid: str) -> int:
    """The declared size of the file for a device of ``centre_eid``, or 403."""
    mine = [r for r in refs if centre_eid in r.centres]
    if not mine:
        raise forbidden()
    return mine[0].size


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
        dossier_id = s.scalar(select(Dossier.id).where(Dossier.code == code.strip()))
        if dossier_id is None:
            return None
        bodies = s.scalars(
            select(EventRow.body)
            .where(EventRow.dossier_id == dossier_id, EventRow.type == "dossier.files")
            .order_by(EventRow.id)
        ).all()
    latest: dict[tuple[str, int], HeldFile] = {}
    for body in bodies:
        p = body.get("payload", {}) if isinstance(body, dict) else {}
        sha = p.get("sha256")
        latest[(str(p.get("kind")), int(p.get("paper_no", 0)))] = HeldFile(
            str(p.get("kind")),
            int(p.get("paper_no", 0)),
            str(p.get("name", "")),
            int(p.get("page_count", 0)),
            sha,
            int(p.get("size", 0)),
            p.get("exemption"),
            bool(sha) and store.has(str(sha)),
        )
    return [latest[k] for k in sorted(latest, key=lambda k: (k[0] == "result", k[1]))]
