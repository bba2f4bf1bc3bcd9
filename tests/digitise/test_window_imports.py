"""The window's process never imports NumPy, img2pdf or pikepdf (issue 19, RSS ≤ 250 MB while digitising a
50-page batch: together about 30 MB resident). Its digitising panel cleans pages, makes each paper's PDF
and reads its page hashes in its child process, and the OCR worker checks a recognised PDF's pages there
too; ``app.digitise.imaging`` imports NumPy only in the functions that clean a page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.digitise import imaging

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import sys
from pathlib import Path

HEAVY = ("numpy", "img2pdf", "pikepdf")


def loaded() -> list[str]:
    return [m for m in HEAVY if m in sys.modules]


def main() -> None:
    import app.services.desk  # the desk's warm-up
    import app.services.printing  # noqa: F401
    import app.ui.dialogs.digitise  # noqa: F401
    import app.ui.dialogs.preview  # noqa: F401
    import app.ui.shell.application  # noqa: F401
    from app.domain import digitise as dg
    from app.services import digitise_panel as dp
    from app.ui.shell import main_window

    at_import = loaded()
    (page,) = dp.load_files([Path(sys.argv[1])])
    pages = dg.PageSet().add(["k"]).rotate(0, 1)
    (paper,) = dp.prepare_papers([(1, "Giấy khai sinh", pages, 1, None, None)], {"k": page.page})
    assert paper.prepared is not None
    hashes = main_window._page_hashes_in_child(paper.prepared.pdf)  # the OCR worker's check
    dp.stop_compression()
    Path(sys.argv[2]).write_bytes(paper.prepared.pdf)
    print(json.dumps({
        "at_import": at_import,
        "after": loaded(),
        "rows": [r["sha256"] for r in paper.prepared.page_rows],
        "checked": hashes,
    }))


if __name__ == "__main__":
    main()
"""


def test_the_window_digitises_without_numpy_img2pdf_or_pikepdf(
    page_files: dict[str, Path], tmp_path: Path
) -> None:
    script = tmp_path / "window.py"
    script.write_text(SCRIPT, encoding="utf-8")
    pdf = tmp_path / "paper.pdf"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, str(script), str(page_files["dense"]), str(pdf)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["at_import"] == [] and got["after"] == []
    # What the child made is the paper's PDF, its pages' hashes those anyone recomputes from the file.
    assert got["rows"] == got["checked"] == imaging.page_hashes(pdf.read_bytes())
    assert len(got["rows"]) == 1
