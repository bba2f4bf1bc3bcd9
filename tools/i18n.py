"""Translations: ``update`` re-scans the UI sources into the .ts file and compiles the .qm;
``check`` lists strings without a translation (exit 1 if any).

Usage: python tools/i18n.py update|check [--ts resources/i18n/motcua_vi.ts]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "i18n" / "motcua_vi.ts"
# Vietnamese for Qt's own strings (standard buttons, the file dialog), written by tools/qtbase_vi.py:
# PySide6 ships no qtbase_vi.qm.
QT_TS = ROOT / "resources" / "i18n" / "qtbase_vi.ts"


def ui_sources() -> list[Path]:
    return sorted((ROOT / "app" / "ui").rglob("*.py"))


def tool(name: str) -> str:
    found = shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent)) or shutil.which(
        f"pyside6-{name}"
    )
    if not found:
        raise SystemExit(f"pyside6-{name} not found: install PySide6-Essentials")
    return found


def lupdate(ts: Path) -> None:
    subprocess.run(
        [
            tool("lupdate"),
            *map(str, ui_sources()),
            "-ts",
            str(ts),
            "-target-language",
            "vi_VN",
            "-no-obsolete",
            "-locations",
            "none",
            "-silent",
        ],
        check=True,
    )


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def untranslated(ts: Path) -> list[str]:
    """Source strings whose translation is missing, unfinished or empty."""
    missing: list[str] = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            tr = message.find("translation")
            texts = (
                [tr.text]
                if tr is not None and not list(tr)
                else [f.text for f in (tr.findall("numerusform") if tr is not None else [])]
            )
            if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(texts):
                missing.append(f"{name}: {source}")
    return missing


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["update", "check"])
    parser.add_argument("--ts", type=Path, default=TS)
    args = parser.parse_args()
    if args.action == "update":
        lupdate(args.ts)
        lrelease(args.ts, args.ts.with_suffix(".qm"))
        lrelease(QT_TS, QT_TS.with_suffix(".qm"))
    missing = untranslated(args.ts) + untranslated(QT_TS)
    for m in missing:
        print(f"untranslated: {m}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
