"""Offline text recognition: Tesseract's Vietnamese model through OCRmyPDF, in a child process.

:func:`ocr_pdf` turns the image-only PDF of a paper into a PDF/A-2b with an invisible text layer:
``ocrmypdf --language vie --output-type pdfa-2 --pdfa-backend internal --optimize 0 --pdf-renderer
sandwich`` (Tesseract's own text-only PDF under the page: about 8 KB per file less than the fpdf2
renderer). Neither Ghostscript nor qpdf is needed (checked with only ``tesseract`` on the PATH). The internal
backend adds the PDF/A declarations with pikepdf and checks them, passing the page images through as
they are (no Ghostscript re-encoding), so the pages' bytes and hashes are those the desk made; a file it
cannot make PDF/A is an error (the row is then marked ``failed`` and keeps its image-only PDF).

It runs as a child process (``python -m ocrmypdf``): killable, its memory returned at exit, and never
holding the GIL of the window. ``OMP_THREAD_LIMIT=1`` keeps Tesseract to one core per job.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

LANGUAGE = "vie"
TIMEOUT_S = 900
#: The OCR child's niceness (POSIX): below the window, which must answer the operator at once.
OCR_NICE = 10


class OcrError(Exception):
    """Recognition failed; the message is OCRmyPDF's last line (English, for the log and the row)."""


def available() -> str | None:
    """None when OCR can run here, else what is missing (English, for the log and ``files``)."""
    if shutil.which("tesseract") is None:
        return "tesseract is not installed (apt: tesseract-ocr tesseract-ocr-vie)"
    # Looked up, not imported: importing OCRmyPDF (pdfminer, pikepdf, rich…) costs the window's process
    # ~70 MB, and the recognition runs in a child process anyway (ocr_pdf).
    if importlib.util.find_spec("ocrmypdf") is None:
        return "the ocrmypdf package is not installed"
    langs = subprocess.run(  # noqa: S603 - fixed executable
        ["tesseract", "--list-langs"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,  # noqa: S607
    ).stdout.split()
    if LANGUAGE not in langs:
        return "Tesseract's Vietnamese model is not installed (apt: tesseract-ocr-vie)"
    return None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def ocr_pdf(data: bytes, *, title: str = "", cancel: threading.Event | None = None) -> bytes:
    """The PDF/A-2b with a text layer; ``cancel`` (set by a stopping worker) ends the child process."""
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as tmp:
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(data)
        cmd = [
            sys.executable,
            "-m",
            "ocrmypdf",
            "--quiet",
            "--language",
            LANGUAGE,
            "--output-type",
            "pdfa-2",
            "--pdfa-backend",
            "internal",
            "--optimize",
            "0",
            "--pdf-renderer",
            "sandwich",
            "--jobs",
            "1",
        ]
        if title:
            cmd += ["--title", title]
        cmd += [str(src), str(dst)]
        err = Path(tmp) / "stderr.txt"
        with err.open("wb") as err_file:
            proc = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
                cmd, stdout=subprocess.DEVNULL, stderr=err_file, env=_env()
            )
            if hasattr(os, "setpriority"):  # the counter's window first when the cores are busy (and
                with contextlib.suppress(OSError):  # Tesseract, started by the child, inherits it)
                    os.setpriority(os.PRIO_PROCESS, proc.pid, OCR_NICE)
            deadline = time.monotonic() + TIMEOUT_S
            while proc.poll() is None:
                if (cancel is not None and cancel.is_set()) or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    raise OcrError(
                        "OCR cancelled" if cancel is not None and cancel.is_set() else "OCR timed out"
                    )
                time.sleep(0.1)
        if proc.returncode != 0 or not dst.is_file():
            lines = err.read_text("utf-8", "replace").strip().splitlines()
            raise OcrError((lines or [f"exit {proc.returncode}"])[-1][:500])
        return dst.read_bytes()


def image_words(path: Path, dpi: int = 300) -> list[str]:
    """The words Tesseract reads on an image file (for checks that compression kept the text legible)."""
    proc = subprocess.run(  # noqa: S603
        ["tesseract", str(path), "-", "-l", LANGUAGE, "--dpi", str(dpi)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=_env(),
        check=True,
    )
    return proc.stdout.split()
