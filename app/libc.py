"""Functions of the C library that Python's ``os`` module does not offer (Linux, glibc), looked up once."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from typing import Any


@functools.cache
def libc_function(name: str, argtypes: tuple[Any, ...]) -> Any:
    """The C library's function ``name`` taking ``argtypes`` and returning an int, looked up once (None
    elsewhere: Windows, macOS, a C library without it)."""
    if not sys.platform.startswith("linux"):
        return None
    lib = ctypes.util.find_library("c")
    if lib is None:  # pragma: no cover - every glibc Linux has it
        return None
    try:
        fn = getattr(ctypes.CDLL(lib), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = argtypes
    fn.restype = ctypes.c_int
    return fn
