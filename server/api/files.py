"""The ``/api/v1/files`` routes (issue 19): upload a digitised file in chunks, resume, fetch it.

A device may send or fetch a file only when an accepted ``dossier.files`` event of a dossier visible to
its centre names it (``server.blobs.allowed_size``, over the indexed ``file_refs``): files follow their
events. The store is the configured one (``server.blobs.open_store``).
"""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request, Response

from app.contract import API_PREFIX, MAX_BATCH_FILES, MAX_INT32, BatchResult, ChunkResult, FileStatus, utc_now
from app.domain.errors import Problem
from server import blob_batch, blobs
from server.api.routes import _ERRORS, DbDep, DeviceDep, check_clock, check_protocol
from server.blob_checks import file_too_large, size_differs
from server.errors import ApiError

files_router = APIRouter(
    prefix=API_PREFIX + "/files",
    dependencies=[Depends(check_protocol), Depends(check_clock)],
    responses=_ERRORS,
    tags=["files"],
)


def store_of(request: Request) -> blobs.BlobStore:
    store: blobs.BlobStore = request.app.state.blobs
    return store


BlobDep = Annotated[blobs.BlobStore, Depends(store_of)]


@files_router.get("/{sha256}")
def file_status(sha256: str, db: DbDep, device: DeviceDep, store: BlobDep) -> FileStatus:
    """Whether the server holds the file (then it is not sent again), or how many bytes of it."""
    size = blobs.allowed_size(db, sha256, device.centre_eid)
    have = store.has(sha256)
    return FileStatus(
        sha256=sha256,
        size=size,
        have=have,
        offset=size if have else store.offset(sha256),
        server_time=utc_now(),
    )


@files_router.put("/{sha256}")
async def put_chunk(
    sha256: str,
    request: Request,
    db: DbDep,
    device: DeviceDep,
    store: BlobDep,
    offset: Annotated[int, Query(ge=0, le=MAX_INT32)],
    total: Annotated[int, Query(ge=1, le=MAX_INT32)],
) -> ChunkResult:
    """One chunk of the file at ``offset``; the file is checked against its SHA-256 when complete."""
    if total > blobs.MAX_FILE_BYTES:
        raise file_too_large(blobs.MAX_FILE_BYTES)
    data = await request.body()
    if len(data) > blobs.MAX_CHUNK_BYTES:
        raise ApiError(413, Problem("file.chunk", "Phần tệp gửi lên quá lớn.", "The chunk is too large."))

    def work() -> tuple[int, bool]:
        size = blobs.allowed_size(db, sha256, device.centre_eid)
        if size != total:
            raise size_differs(total, size)
        return store.write_chunk(sha256, offset, total, data)

    held, complete = await anyio.to_thread.run_sync(work)
    return ChunkResult(offset=held, complete=complete, server_time=utc_now())


@files_router.post("/batch")
async def put_batch(
    request: Request,
    db: DbDep,
    device: DeviceDep,
    store: BlobDep,
    file: Annotated[
        list[str],
        Query(
            description=f"<sha256>:<size> of each file (at most {MAX_BATCH_FILES}), in the order of their "
            "bytes in the body"
        ),
    ],
) -> BatchResult:
    """Several whole files in one request (``server.blob_batch``), their bytes one after another; each is
    checked against its SHA-256 and stored durably, and reported on its own."""
    data = await request.body()
    if len(data) > blobs.MAX_CHUNK_BYTES:
        raise ApiError(413, Problem("file.chunk", "Phần tệp gửi lên quá lớn.", "The chunk is too large."))
    manifest = blob_batch.parse_manifest(file, len(data))
    results = await anyio.to_thread.run_sync(
        blob_batch.store_batch, db, store, device.centre_eid, manifest, data
    )
    return BatchResult(files=results, server_time=utc_now())


@files_router.get("/{sha256}/content", response_class=Response)
def file_content(sha256: str, db: DbDep, device: DeviceDep, store: BlobDep) -> Response:
    """The file, to a device of a centre named on a dossier that references it."""
    blobs.allowed_size(db, sha256, device.centre_eid)
    data = store.read(sha256)
    if data is None:
        raise ApiError(
            404,
            Problem(
                "file.not_yet",
                "Máy chủ chưa nhận được tệp này.",
                "The server has not received this file yet.",
            ),
        )
    return Response(data, media_type="application/pdf")
