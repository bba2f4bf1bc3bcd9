"""Render the main screens to ``docs/screenshots/`` in Vietnamese and in English (offscreen).

Usage: python tools/screenshots.py   (or ``make screenshots``)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.ui.application import start  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("vi", "en"):
            args = argparse.Namespace(data_dir=Path(tmp), demo=True, lang=lang)
            app, window, store = start(args)
            assert window is not None and store is not None
            window.resize(1100, 700)
            QApplication.processEvents()
            path = OUT / f"main-window-{lang}.png"
            window.grab().save(str(path))
            print(path.relative_to(ROOT))
            window.close()
            store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
