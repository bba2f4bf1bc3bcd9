"""Whether OCR can run is found without importing OCRmyPDF into the window's process (~70 MB: pdfminer,
pikepdf, rich…); the recognition itself runs in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_available_does_not_import_ocrmypdf() -> None:
    script = (
        "import sys\n"
        "from app.digitise import ocr\n"
        "ocr.available()\n"
        "print(sorted(m for m in ('ocrmypdf', 'pdfminer', 'pikepdf') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"
