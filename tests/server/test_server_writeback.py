"""The server's writeback hint before a batch's fsyncs (``server.blobs._start_writeback``)."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

import pytest

from server import blobs


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sync_file_range is Linux's")
def test_the_call_is_found_once_with_its_signature_and_changes_no_byte(tmp_path: Path) -> None:
    fn = blobs._sync_file_range()
    assert fn is not None and blobs._sync_file_range() is fn  # looked up once
    assert tuple(fn.argtypes) == (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    path = tmp_path / "f"
    with path.open("wb") as f:
        f.write(b"x" * 100_000)
        f.flush()
        assert fn(f.fileno(), 0, 0, blobs.SYNC_FILE_RANGE_WRITE) == 0
        blobs._start_writeback(f.fileno())
        os.fsync(f.fileno())
    assert path.read_bytes() == b"x" * 100_000


def test_elsewhere_it_is_a_no_op(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blobs._sync_file_range.cache_clear()
    monkeypatch.setattr(sys, "platform", "win32")
    try:
        assert blobs._sync_file_range() is None
        with (tmp_path / "g").open("wb") as f:
            blobs._start_writeback(f.fileno())  # nothing happens, nothing raised
    finally:
        blobs._sync_file_range.cache_clear()
