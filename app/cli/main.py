"""``motcua-desk``: the GUI launcher and the command line beside it (for IT support and scripting).

Without a command it opens the window. Commands print plain, stable text (or JSON with ``--json``);
errors go to stderr in the operator's language with a non-zero exit, never a traceback:
1 = refused (bad input, not found, check failed), 2 = environment (data folder, database),
70 = unexpected (details in the log file).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app import __version__
from app.cli import calendar, db, dossiers, files, online, reports, sync, units
from app.cli.context import (
    EXIT_ENVIRONMENT,
    EXIT_REFUSED,
    EXIT_UNEXPECTED,
    CommandError,
    Context,
)
from app.domain.errors import DomainError
from app.paths import log_dir
from app.services.store import StoreError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="data folder (default: the per-user data folder, or $MOTCUA_DATA_DIR)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="install the demo centre and catalogue if the store has no centre",
    )
    common.add_argument(
        "--lang", choices=["vi", "en"], default=argparse.SUPPRESS, help="language of messages (default vi)"
    )

    parser = argparse.ArgumentParser(
        prog="motcua-desk",
        parents=[common],
        description="Một Cửa Desk — phần mềm tiếp nhận hồ sơ một cửa cấp xã. "
        "Without a command: open the window.",
    )
    parser.add_argument("--version", action="version", version=f"motcua-desk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # In this order in --help.
    units.register(sub, common)
    db.register(sub, common)
    dossiers.register(sub, common)
    calendar.register(sub, common)
    files.register(sub, common)
    sync.register(sub, common)
    online.register(sub, common)
    reports.register(sub, common)
    return parser


def _defaults(args: argparse.Namespace) -> argparse.Namespace:
    # --lang stays None when not given: the GUI then uses the language saved in Settings.
    for name, value in (("data_dir", None), ("demo", False), ("lang", None)):
        if not hasattr(args, name):
            setattr(args, name, value)
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    parsed, extra = parser.parse_known_args(argv)
    # A command may take positionals after its options (``attach CODE --paper N FILE…``): it says so
    # with ``trailing=True``; for any other command they are an error, as with parse_args.
    if extra and (not getattr(parsed, "trailing", False) or any(x.startswith("-") for x in extra)):
        parser.error("unrecognized arguments: " + " ".join(extra))
    parsed.trailing_args = extra
    args = _defaults(parsed)
    if args.command is None:
        from app.ui.shell.application import run_gui

        return run_gui(args)
    ctx = Context(args, out, err)
    try:
        from app.bootstrap import setup_logging

        setup_logging(ctx.data_dir)
    except OSError:
        pass  # an unwritable folder is reported by the command that needs it
    try:
        return int(args.handler(ctx))
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours. Silence the final flush too
        # (the recipe of the Python documentation, "Note on SIGPIPE").
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CommandError as exc:
        print(exc.problem.message(ctx.lang), file=err)
        return EXIT_REFUSED
    except DomainError as exc:
        print(exc.message(ctx.lang), file=err)
        return EXIT_REFUSED
    except StoreError as exc:
        print(exc.problem.message(ctx.lang), file=err)
        return EXIT_ENVIRONMENT
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        print(
            ctx.t(
                f"Lỗi không mong đợi. Chi tiết đã ghi vào nhật ký trong {log_dir(ctx.data_dir)}.",
                f"Unexpected error. Details were written to the log in {log_dir(ctx.data_dir)}.",
            ),
            file=err,
        )
        return EXIT_UNEXPECTED
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
