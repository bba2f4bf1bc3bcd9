"""SANE with only its ``test`` backend (Debian's ``sane-utils``), the scanner of the digitising tests: a copy
of ``/etc/sane.d`` whose ``dll.conf`` names ``test`` alone. Skips the test where python-sane or the backend
is not installed."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

SANE_ETC = Path("/etc/sane.d")


def sane_test_conf(folder: Path) -> Path:
    """The configuration folder to point ``SANE_CONFIG_DIR`` at, made in ``folder``."""
    pytest.importorskip("sane", reason="python-sane is not installed")
    if not (SANE_ETC / "test.conf").exists():
        pytest.skip("SANE's test backend is not installed (apt: sane-utils)")
    conf = folder / "sane.d"
    shutil.copytree(SANE_ETC, conf)
    (conf / "dll.conf").write_text("test\n")
    if (conf / "dll.d").is_dir():
        shutil.rmtree(conf / "dll.d")
    return conf


def sigpipe_ignored() -> bool:
    """Whether SIGPIPE is ignored by this process as the kernel sees it (``SigIgn`` of /proc/self/status;
    a native library changes it behind Python's back)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        mask = next(line for line in fh if line.startswith("SigIgn:")).split()[1]
    return bool(int(mask, 16) & (1 << (signal.SIGPIPE - 1)))
