"""Golden tests: the same input gives the same bytes — twice in one process, across processes with
different hash seeds, and equal to a pinned SHA-256 for the fixed sample receipt.

When the receipt layout changes on purpose, regenerate the pinned value and paste it below:

    .venv/bin/python tools/render_forms.py --golden

The hash also depends on ReportLab, qrcode and the bundled font files; it was recorded with the versions
in ``GOLDEN_VERSIONS``. With other versions installed the pinned-hash test is skipped (the determinism tests
still run): regenerate the value when the project moves to those versions.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from app.print import forms, samples

ROOT = Path(__file__).resolve().parents[2]

GOLDEN_RECEIPT_SHA256 = "d6ed6717524906ab4d6bb1195a9c77fbdb954c1b89a04f137be5cd662debfeb2"
GOLDEN_VERSIONS = {"reportlab": "5.1.0", "qrcode": "8.2"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_same_input_same_bytes() -> None:
    assert forms.receipt_a4(samples.receipt()) == forms.receipt_a4(samples.receipt())
    assert forms.receipt_80mm(samples.receipt()) == forms.receipt_80mm(samples.receipt())


def test_pinned_receipt_hash() -> None:
    installed = {name: version(name) for name in GOLDEN_VERSIONS}
    if installed != GOLDEN_VERSIONS:
        pytest.skip(f"golden hash recorded with {GOLDEN_VERSIONS}, installed {installed}: regenerate it")
    assert sha(forms.receipt_a4(samples.receipt())) == GOLDEN_RECEIPT_SHA256, (
        "The sample receipt's bytes changed. If the layout change is intended, run "
        "`.venv/bin/python tools/render_forms.py --golden` and update GOLDEN_RECEIPT_SHA256."
    )


@pytest.mark.slow
def test_same_bytes_across_processes() -> None:
    code = (
        "import hashlib; from app.print import forms, samples; "
        "print(hashlib.sha256(forms.receipt_a4(samples.receipt())).hexdigest())"
    )
    seen = set()
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        seen.add(out.stdout.strip())
    assert seen == {sha(forms.receipt_a4(samples.receipt()))}
