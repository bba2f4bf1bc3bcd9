"""``main.py`` opens the window without importing the command line; the few window options it reads
itself must mean exactly what :func:`app.cli.main.build_parser` makes of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import _defaults, build_parser
from app.launch import gui_args

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--data-dir", "/tmp/x"],
        ["--data-dir=/tmp/x", "--lang", "en"],
        ["--lang=vi", "--demo", "--data-dir", "d"],
    ],
)
def test_window_options_read_as_the_command_line_reads_them(argv: list[str]) -> None:
    mine = gui_args(argv)
    theirs = _defaults(build_parser().parse_args(argv))
    assert mine is not None and theirs.command is None
    assert (mine.data_dir, mine.demo, mine.lang) == (theirs.data_dir, theirs.demo, theirs.lang)


@pytest.mark.parametrize(
    "argv",
    [
        ["units", "07210"],
        ["--version"],
        ["--help"],
        ["--lang", "fr"],
        ["--data-dir"],
        ["--demo", "db", "check"],
    ],
)
def test_anything_else_is_left_to_the_command_line(argv: list[str]) -> None:
    assert gui_args(argv) is None


def test_a_command_through_main_py(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--data-dir",
            str(tmp_path),
            "--demo",
            "due",
            "--procedure",
            "1.001193",
            "--received",
            "2026-11-30 09:00",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2026-11-30 17:00"


def test_the_script_and_main_py_start_the_same_way() -> None:
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "motcua-desk"]
    assert script.value == "app.launch:main"


def test_the_entry_point_loads_nothing_heavy() -> None:
    """What the window waits for before it is shown: not the database layer, not the sync stack."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, app.launch; print(sorted(m for m in ('sqlalchemy', 'httpx', 'pydantic', 'reportlab')"
            " if m in sys.modules))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]"
