"""The content-addressed file store (app.digitise.blobs)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from app.digitise.blobs import BlobStore


def test_put_read_verify_and_idempotence(tmp_path: Path) -> None:
    b = BlobStore(tmp_path / "files")
    data = b"%PDF-1.4 hello"
    digest = hashlib.sha256(data).hexdigest()
    s1 = b.put(data)
    s2 = b.put(data)
    assert s1 == s2 and s1.sha256 == digest and s1.size == len(data)
    assert b.path(digest) == tmp_path / "files" / digest[:2] / digest[2:]
    assert b.read(digest) == data
    assert not list((tmp_path / "files" / "tmp").iterdir())  # no temp file left
    assert b.verify([digest]) == []
    other = "0" * 64
    assert [(f.sha256, f.problem) for f in b.verify([digest, other])] == [(other, "missing")]
    b.path(digest).write_bytes(b"tampered")
    assert [f.problem for f in b.verify([digest])] == ["damaged"]
    with pytest.raises(ValueError, match="damaged"):
        b.read(digest)
    b.put(data)  # a damaged copy is replaced by the right bytes
    assert b.read(digest) == data
    with pytest.raises(ValueError):
        b.path("../../etc/passwd")


def test_sweep_removes_old_orphans_and_temp_files_only(tmp_path: Path) -> None:
    b = BlobStore(tmp_path / "files")
    kept, orphan, young = b.put(b"kept"), b.put(b"orphan"), b.put(b"young orphan")
    stale_tmp = tmp_path / "files" / "tmp" / "123-abc.part"
    stale_tmp.write_bytes(b"half a file")
    old = time.time() - 7200
    for p in (b.path(kept.sha256), b.path(orphan.sha256), stale_tmp):
        os.utime(p, (old, old))
    removed = b.sweep([kept.sha256], grace_s=3600)
    assert set(removed) == {orphan.sha256, str(stale_tmp)}
    assert b.exists(kept.sha256) and b.exists(young.sha256) and not b.exists(orphan.sha256)
    # Putting an old unreferenced file again makes it young: a sweep now leaves it for its new rows.
    os.utime(b.path(young.sha256), (old, old))
    b.put(b"young orphan")
    assert b.sweep([], grace_s=3600) == [kept.sha256]
