"""Several small files whole in one request (``POST /api/v1/files/batch``, issue 19's upload throughput).

A digitised paper is typically ~40 KB a page, so most files fit in one chunk, and one request per file
spent more on the request (authentication, the centre check, HTTP) than on the bytes. A batch carries up
to ``MAX_BATCH_FILES`` whole files, their bytes one after another (at most ``MAX_CHUNK_BYTES`` together),
named in the query as ``file=<sha256>:<size>`` in body order. The device is authenticated once and the
centre check is one query for all of them; then each file is stored as a single-chunk upload would be
(SHA-256 checked before anything is kept, the file durable before it is reported complete: the ``fs``
store writes the batch's files, fsyncs them all, then renames them into place and fsyncs their folders,
``FsBlobStore.write_whole``; the other stores take each as a single-chunk ``write_chunk``) and reported
on its own: complete, or refused with the status and problem the single-file route would have answered.
One bad file does not stop the others. A file of which the server holds a part (an interrupted chunked
upload) is answered 409 ``file.offset``: the desk resumes it alone through ``PUT /files/{sha256}``. Large
files still go in chunks through that route, which old desks keep using; both routes share the store, so a
file is idempotent by SHA-256 whichever way it came.

A malformed batch (a bad ``file`` entry, body length not the sum of the sizes, too many files or bytes)
is refused whole with 413/422 before anything is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.contract import MAX_BATCH_FILES, BatchFileResult, ProblemBody
from app.domain.errors import Problem
from server import blobs
from server.blob_checks import check_sha, file_too_large, size_differs, storage_unavailable
from server.db import Database
from server.errors import ApiError

log = logging.getLogger(__name__)


def _malformed(en_detail: str, vi_detail: str) -> ApiError:
    return ApiError(
        422,
        Problem(
            "file.batch",
            f"Gói tệp gửi lên không hợp lệ: {vi_detail}.",
            f"The batch of files is not valid: {en_detail}.",
            "file",
        ),
    )


def parse_manifest(entries: Sequence[str], body_length: int) -> list[tuple[str, int]]:
    """The ``file=<sha256>:<size>`` entries as (sha256, size), checked against the body's length."""
    if not entries:
        raise _malformed("no file named", "không có tệp nào")
    if len(entries) > MAX_BATCH_FILES:
        raise _malformed(f"more than {MAX_BATCH_FILES} files", f"quá {MAX_BATCH_FILES} tệp")
    out: list[tuple[str, int]] = []
    for entry in entries:
        sha256, sep, size_text = entry.partition(":")
        if not sep or not size_text.isascii() or not size_text.isdigit() or len(size_text) > 10:
            raise _malformed(
                "each file is named as <sha256>:<size in bytes>", "mỗi tệp ghi dạng <sha256>:<số byte>"
            )
        check_sha(sha256)
        size = int(size_text)
        if size < 1:
            raise _malformed("a file is empty", "có tệp rỗng")
        out.append((sha256, size))
    if sum(size for _sha, size in out) != body_length:
        raise _malformed(
            "the body's length is not the sum of the files' sizes",
            "độ dài nội dung khác tổng kích thước các tệp",
        )
    return out


def _refused(sha256: str, err: ApiError) -> BatchFileResult:
    return BatchFileResult(
        sha256=sha256, complete=False, status=err.status, problem=ProblemBody.of(err.problem)
    )


def store_batch(
    db: Database, store: blobs.BlobStore, centre_eid: str, manifest: Sequence[tuple[str, int]], body: bytes
) -> list[BatchFileResult]:
    """Store each file of the batch (on a worker thread): one result per file, in order."""
    allowed = blobs.allowed_sizes(db, [sha for sha, _size in manifest], centre_eid)
    refused: dict[int, ApiError] = {}
    accepted: list[tuple[int, str, bytes]] = []
    start = 0
    for i, (sha256, size) in enumerate(manifest):
        data = body[start : start + size]
        start += size
        declared = allowed.get(sha256)
        if declared is None:
            refused[i] = blobs.forbidden()
        elif size > blobs.MAX_FILE_BYTES:
            refused[i] = file_too_large(blobs.MAX_FILE_BYTES)
        elif size != declared:
            refused[i] = size_differs(size, declared)
        else:
            accepted.append((i, sha256, data))
    if isinstance(store, blobs.FsBlobStore):  # all at once: one journal commit carries the files
        try:
            answers = store.write_whole([(sha256, data) for _i, sha256, data in accepted])
        except OSError as exc:  # e.g. the disk is full: these files later
            log.warning("a batch of %d files not stored: %s", len(accepted), exc)
            answers = [storage_unavailable()] * len(accepted)
        for (i, _sha, _data), answer in zip(accepted, answers, strict=True):
            if answer is not None:
                refused[i] = answer
    else:  # one file after another, each as a single-chunk upload
        for i, sha256, data in accepted:
            try:
                store.write_chunk(sha256, 0, len(data), data)
            except ApiError as err:
                refused[i] = err
            except OSError as exc:  # e.g. the store is unreachable: this file later, the others reported
                log.warning("file %s of a batch not stored: %s", sha256, exc)
                refused[i] = storage_unavailable()
    return [
        _refused(sha256, refused[i]) if i in refused else BatchFileResult(sha256=sha256, complete=True)
        for i, (sha256, _size) in enumerate(manifest)
    ]
