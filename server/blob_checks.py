"""The checks and refusals shared by the server's blob stores (``server.blobs``, ``server.blobs_s3``)."""

from __future__ import annotations

import re

from app.domain.errors import Problem
from server.errors import ApiError

_SHA = re.compile(r"^[0-9a-f]{64}$")


def bad_hash(sha256: str) -> ApiError:
    return ApiError(
        422,
        Problem(
            "file.sha256", "Mã SHA-256 của tệp không hợp lệ.", "The file's SHA-256 is not valid.", "sha256"
        ),
    )


def check_sha(sha256: str) -> None:
    if not _SHA.match(sha256):
        raise bad_hash(sha256)


def wrong_offset(have: int) -> ApiError:
    return ApiError(
        409,
        Problem(
            "file.offset",
            f"Máy chủ đã nhận {have} byte của tệp này: gửi tiếp từ đó.",
            f"The server holds {have} bytes of this file: resume from there.",
            str(have),
        ),
    )


def too_long() -> ApiError:
    return ApiError(
        422, Problem("file.size", "Tệp dài hơn kích thước đã khai.", "The file is longer than declared.")
    )


def hash_mismatch() -> ApiError:
    return ApiError(
        422,
        Problem(
            "file.hash_mismatch",
            "Nội dung tệp nhận được không khớp mã SHA-256: tệp bị hỏng trên đường truyền, hãy gửi lại.",
            "The file received does not match its SHA-256: it was damaged in transfer; send it again.",
        ),
    )


def file_too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        Problem(
            "file.too_large",
            f"Tệp quá lớn (tối đa {limit // (1024 * 1024)} MiB).",
            f"The file is too large (at most {limit // (1024 * 1024)} MiB).",
        ),
    )


def size_differs(total: int, declared: int) -> ApiError:
    return ApiError(
        422,
        Problem(
            "file.size",
            f"Kích thước tệp ({total} byte) khác với kích thước đã khai trong hồ sơ ({declared} byte).",
            f"The file's size ({total} bytes) differs from the size declared on the dossier ({declared}).",
        ),
    )


def storage_unavailable() -> ApiError:
    return ApiError(
        503,
        Problem(
            "file.storage",
            "Máy chủ tạm thời không lưu được tệp (kho tệp đầy hoặc lỗi): tệp sẽ được gửi lại sau.",
            "The server cannot store the file just now (its file store is full or failing): it will be "
            "sent again later.",
        ),
        {"Retry-After": "60"},
    )
