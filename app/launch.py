"""The entry point of ``motcua-desk`` and ``python main.py``:
``[--data-dir D] [--demo] [--lang vi|en] [COMMAND …]``.

Opening the window (no command) goes straight to :func:`app.ui.shell.application.run_gui` without importing
the command line (:mod:`app.cli` and its commands import SQLAlchemy and the sync stack): the window is
shown before those are needed. Anything else (a command, ``--help``, ``--version``, a mistake) is
:func:`app.cli.main.main`'s.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def gui_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of a plain window start (``--data-dir D``, ``--demo``, ``--lang vi|en``, as
    :func:`app.cli.main.build_parser` reads them), or None when ``argv`` is anything else."""
    args = argparse.Namespace(data_dir=None, demo=False, lang=None, command=None)
    items = list(argv)
    while items:
        item = items.pop(0)
        name, eq, value = item.partition("=")
        if item == "--demo":
            args.demo = True
        elif name in ("--data-dir", "--lang"):
            if not eq:
                if not items or items[0].startswith("-"):
                    return None
                value = items.pop(0)
            if name == "--data-dir":
                args.data_dir = Path(value)
            elif value in ("vi", "en"):
                args.lang = value
            else:
                return None
        else:
            return None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = gui_args(sys.argv[1:] if argv is None else argv)
    if args is not None:
        from app.ui.shell.application import run_gui

        return run_gui(args)
    from app.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
