"""The C library's functions that ``os`` lacks (``app.libc``), and the server's use of one of them."""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

import pytest

from app.libc import libc_function
from server import blobs

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the C library is looked up on Linux"
)


@linux_only
def test_a_function_is_found_once_with_its_signature_and_a_missing_one_is_none() -> None:
    argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    fn = libc_function("sync_file_range", argtypes)
    assert fn is not None and tuple(fn.argtypes) == argtypes and fn.restype is ctypes.c_int
    assert libc_function("sync_file_range", argtypes) is fn  # looked up once
    assert libc_function("motcua_no_such_function", ()) is None


@linux_only
def test_the_writeback_hint_accepts_a_written_file_and_refuses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f"
    with path.open("wb") as f:
        f.write(b"x" * 100_000)
        f.flush()
        blobs._start_writeback(f.fileno())  # no error, no change to the bytes
        os.fsync(f.fileno())
    assert path.read_bytes() == b"x" * 100_000


def test_elsewhere_nothing_is_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    libc_function.cache_clear()
    monkeypatch.setattr(sys, "platform", "win32")
    try:
        assert libc_function("sync_file_range", ()) is None
    finally:
        libc_function.cache_clear()
