"""The bundled font family (Be Vietnam Pro, SIL OFL 1.1), registered with ReportLab once.

The TTFs live in ``resources/fonts/`` at the repository root. An installed copy of the app may ship them
elsewhere: set ``MOTCUA_FONTS_DIR`` (or assign :data:`FONTS_DIR` before the first form is printed).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: The repository's (or installed tree's) ``resources/`` folder.
RESOURCES_DIR: Path = Path(__file__).resolve().parents[2] / "resources"

#: Where the TTFs are looked for: ``$MOTCUA_FONTS_DIR`` if set, else ``resources/fonts``.
FONTS_DIR: Path = Path(os.environ.get("MOTCUA_FONTS_DIR") or RESOURCES_DIR / "fonts")

FAMILY = "BeVietnamPro"
REGULAR = "BeVietnamPro"
BOLD = "BeVietnamPro-Bold"
ITALIC = "BeVietnamPro-Italic"
BOLD_ITALIC = "BeVietnamPro-BoldItalic"

_FILES: dict[str, str] = {
    REGULAR: "BeVietnamPro-Regular.ttf",
    BOLD: "BeVietnamPro-Bold.ttf",
    ITALIC: "BeVietnamPro-Italic.ttf",
    BOLD_ITALIC: "BeVietnamPro-BoldItalic.ttf",
}

_lock = threading.Lock()
_registered = False


class FontMissingError(RuntimeError):
    """A bundled font file is not where it should be: the installation is incomplete."""


def font_files() -> dict[str, Path]:
    """The ReportLab font name → TTF path of each face of the family."""
    return {name: FONTS_DIR / file for name, file in _FILES.items()}


def register_fonts() -> None:
    """Register the four faces and the family mapping with ReportLab. Safe to call any number of times."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        files = font_files()
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            raise FontMissingError(
                "Thiếu tệp phông chữ để in biểu mẫu / font file missing: " + ", ".join(missing)
            )
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, path in files.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(path)))
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, ITALIC)
        addMapping(FAMILY, 1, 1, BOLD_ITALIC)
        _registered = True
