"""Several small files whole in one request (``POST /api/v1/files/batch``, issue 19's upload throughput).

A digitised paper is typically ~40 KB a page, so most files fit in one chunk, and one request per file
spent more on the request (authentication, the centre check, HTTP) than on the bytes. A batch carries up
to ``MAX_BATCH_FILES`` whole files, their bytes one after another (at most ``MAX_CHUNK_BYTES`` together),
named in the query as ``file=<sha256>:<size>`` in body order. The device is authenticated once and the
centre check is one query for all of them; then each file is stored exactly as a single-chunk upload
(``BlobStore.write_chunk`` at offset 0: SHA-256 checked before anything is kept, the file durable before
it is reported complete) and reported on its own: complete, or refused with the status and problem the
single-file route would have answered. One bad file does not stop the others. A file of which the server
holds a part (an interrupted chunked upload) is answered 409 ``file.offset``: the desk resumes it alone
through ``PUT /files/{sha256}``. Large files still go in chunks through that route, which old desks keep
using; both routes share the store, so a file is idempotent by SHA-256 whichever way it came.

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
    results: list[BatchFileResult] = []
    start = 0
    for sha256, size in manifest:
        data = body[start : start + size]
        start += size
        declared = allowed.get(sha256)
        try:
            if declared is None:
                raise blobs.forbidden()
            if size > blobs.MAX_FILE_BYTES:
                raise file_too_large(blobs.MAX_FILE_BYTES)
            if size != declared:
                raise size_differs(size, declared)
            held, complete = store.write_chunk(sha256, 0, size, data)
        except ApiError as err:
            results.append(_refused(sha256, err))
            continue
        except OSError as exc:  # e.g. the disk is full: this file later, the others are reported
            log.warning("file %s of a batch not stored: %s", sha256, exc)
            results.append(_refused(sha256, storage_unavailable()))
            continue
        results.append(BatchFileResult(sha256=sha256, complete=complete and held == size))
    return results
