"""The print process: ``python -m app.ui.lanes.print_process (--pdf FILE | --printer NAME) [--title T]`` with
the PDF's bytes on standard input (see :func:`app.ui.lanes.printing.print_pdf`), or ``--list-printers``.

It prints on standard output one JSON object: ``{"pages": N}``, or ``{"problems": [...]}`` (exit 3) for a
refusal the operator can act on (no printer, unreadable PDF), each problem with its Vietnamese and English
text; for ``--list-printers``, ``{"printers": [names]}``. Anything else fails with a non-zero exit and the
traceback on standard error, which the desk logs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from app.domain.errors import DomainError
from app.ui.lanes.printing import PrintTarget, available_printers_here, print_pdf_here


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.ui.lanes.print_process")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--pdf", type=Path, help="print into this PDF file")
    where.add_argument("--printer", help='the printer\'s name ("" = the default printer)')
    where.add_argument("--list-printers", action="store_true", help="the printers this computer has")
    ap.add_argument("--title", default="")
    args = ap.parse_args(argv)

    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    if args.list_printers:
        json.dump({"printers": available_printers_here()}, sys.stdout)
        return 0
    pdf = sys.stdin.buffer.read()
    target = (
        PrintTarget(pdf_path=args.pdf) if args.pdf is not None else PrintTarget(printer_name=args.printer)
    )
    try:
        pages = print_pdf_here(pdf, target, args.title)
    except DomainError as exc:
        # ASCII escapes: the console's encoding (cp1258 on a Vietnamese Windows) cannot spoil them.
        json.dump({"problems": [dataclasses.asdict(p) for p in exc.problems]}, sys.stdout)
        return 3
    json.dump({"pages": pages}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
