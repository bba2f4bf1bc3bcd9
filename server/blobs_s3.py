"""The S3-compatible file store (issue 19; ``MOTCUA_BLOB_STORE=s3``), through boto3.

**Tested against a simulator only** (moto's in-process S3, ``tests/server/test_server_blobs.py``): no
S3-compatible server could be run where this was developed. Configuration: ``MOTCUA_S3_BUCKET`` (required;
the bucket must exist), ``MOTCUA_S3_ENDPOINT`` (the address of an S3-compatible service such as MinIO or
Ceph RGW; empty for AWS), ``MOTCUA_S3_PREFIX`` (optional key prefix); credentials and region come from
boto3's usual sources (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_DEFAULT_REGION``, its config
files, an instance role), never from this project's settings.

Layout: a complete file at ``<prefix>ab/cdef…``; an upload in progress as one object per received chunk,
``<prefix>partial/<sha256>/<offset, 12 digits>``. The bytes held are the length of the chunks that follow
each other from offset 0 (a listing); a chunk at another offset is refused with that length (409). A chunk
sent twice at once writes the same key with the same bytes. When the last byte arrives the chunks are read
back in order, the SHA-256 checked, the file written whole under its final key and the chunks deleted; a
mismatch deletes the chunks. Objects are written whole (an S3 PUT is atomic), so a partial file is never
visible under the final key and never served.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from app.domain.errors import Problem
from server.blob_checks import check_sha, hash_mismatch, too_long, wrong_offset
from server.db import SetupError

BUCKET_ENV = "MOTCUA_S3_BUCKET"
ENDPOINT_ENV = "MOTCUA_S3_ENDPOINT"
PREFIX_ENV = "MOTCUA_S3_PREFIX"


class S3BlobStore:
    """Files in an S3-compatible bucket (see the module notes)."""

    kind = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def from_env(cls) -> S3BlobStore:
        bucket = os.environ.get(BUCKET_ENV, "").strip()
        if not bucket:
            raise SetupError(
                Problem(
                    "blobs.s3_bucket",
                    f"Kho tệp «s3» cần tên bucket trong biến môi trường {BUCKET_ENV}.",
                    f"The 's3' file store needs a bucket name in {BUCKET_ENV}.",
                )
            )
        try:
            import boto3  # type: ignore[import-untyped]
        except ModuleNotFoundError as exc:
            raise SetupError(
                Problem(
                    "blobs.s3_library",
                    "Thiếu thư viện boto3 cho kho tệp «s3»: pip install 'motcua-desk[server]'.",
                    "The boto3 library needed by the 's3' file store is missing: "
                    "pip install 'motcua-desk[server]'.",
                )
            ) from exc
        endpoint = os.environ.get(ENDPOINT_ENV, "").strip() or None
        client = boto3.client("s3", endpoint_url=endpoint)
        return cls(client, bucket, os.environ.get(PREFIX_ENV, "").strip())

    def _final(self, sha256: str) -> str:
        check_sha(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256[2:]}"

    def _parts(self, sha256: str) -> str:
        return f"{self.prefix}partial/{sha256}/"

    def _missing(self, exc: Exception) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def has(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError  # type: ignore[import-untyped]

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._final(sha256))
        except ClientError as exc:
            if self._missing(exc):
                return False
            raise
        return True

    def _chunks(self, sha256: str) -> list[tuple[int, str, int]]:
        """The chunk objects of an upload: (offset, key, size), by offset."""
        out: list[tuple[int, str, int]] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._parts(sha256)
        )
        for page in pages:
            for obj in page.get("Contents", []):
                start = obj["Key"].rsplit("/", 1)[-1]
                if start.isdigit():
                    out.append((int(start), obj["Key"], int(obj["Size"])))
        return sorted(out)

    def _held(self, chunks: list[tuple[int, str, int]]) -> int:
        have = 0
        for start, _key, size in chunks:
            if start != have:
                break
            have += size
        return have

    def offset(self, sha256: str) -> int:
        check_sha(sha256)
        return self._held(self._chunks(sha256))

    def read(self, sha256: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._final(sha256))
        except ClientError as exc:
            if self._missing(exc):
                return None
            raise
        data: bytes = got["Body"].read()
        return data

    def partials(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}partial/", Delimiter="/"
        )
        shas = sorted(
            p["Prefix"].rstrip("/").rsplit("/", 1)[-1]
            for page in pages
            for p in page.get("CommonPrefixes", [])
        )
        out = []
        for sha in shas:
            if self.has(sha):  # the server stopped between writing the file and deleting its chunks
                self._drop(self._chunks(sha))
            else:
                out.append(sha)
        return out

    def _drop(self, chunks: list[tuple[int, str, int]]) -> None:
        keys = [{"Key": key} for _start, key, _size in chunks]
        for i in range(0, len(keys), 1000):
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys[i : i + 1000]})

    def write_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> tuple[int, bool]:
        if self.has(sha256):
            return total, True
        have = self.offset(sha256)
        if offset != have:
            raise wrong_offset(have)
        if offset + len(data) > total:
            raise too_long()
        have = offset + len(data)
        if offset == 0 and have == total:  # a whole file in one chunk: no chunk objects at all
            if hashlib.sha256(data).hexdigest() != sha256:
                raise hash_mismatch()
            self.client.put_object(Bucket=self.bucket, Key=self._final(sha256), Body=data)
            return have, True
        self.client.put_object(Bucket=self.bucket, Key=f"{self._parts(sha256)}{offset:012d}", Body=data)
        if have < total:
            return have, False
        chunks = [c for c in self._chunks(sha256) if c[0] < total]
        whole = b"".join(
            self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            for _start, key, _size in chunks
        )
        if len(whole) != total or hashlib.sha256(whole).hexdigest() != sha256:
            self._drop(self._chunks(sha256))
            raise hash_mismatch()
        self.client.put_object(Bucket=self.bucket, Key=self._final(sha256), Body=whole)
        self._drop(self._chunks(sha256))
        return have, True
