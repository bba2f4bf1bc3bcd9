"""What every command receives (:class:`Context`), how it refuses (:class:`CommandError`), the exit
codes, and the argument and text helpers the command modules share.

Exit codes: 1 = refused (bad input, not found, check failed), 2 = environment (data folder, database),
70 = unexpected (details in the log file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from app.domain.errors import DomainError, Problem
from app.domain.i18n import pick
from app.domain.status import Status
from app.paths import default_data_dir
from app.services.store import Store

EXIT_REFUSED = 1
EXIT_ENVIRONMENT = 2
EXIT_UNEXPECTED = 70


class CommandError(Exception):
    """A command refused its input: printed to stderr, exit 1."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)


class Context:
    """The parsed arguments, the output streams, the reader's language and the store (opened on first
    use)."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO | None = None) -> None:
        self.args = args
        self.out = out
        self.err = err or sys.stderr
        self.lang: str = args.lang or "vi"
        self.data_dir: Path = args.data_dir or default_data_dir()
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from app.bootstrap import open_store

            check = getattr(self.args, "db_action", None) == "check"  # reports on a damaged store
            from app.cli.progress import StderrProgress

            progress = StderrProgress(self.err, self.lang)  # the long steps of a first start after an upgrade
            self._store = open_store(self.data_dir, demo=self.args.demo, damaged_ok=check, progress=progress)
            warning = self._store.unencrypted  # no OS keyring: said once per command, on stderr
            if warning is not None:
                text = pick(self.lang, warning.vi, warning.en)
                print(self.t("CẢNH BÁO: ", "WARNING: ") + text, file=self.err)
        return self._store

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def print_json(self, value: Any) -> None:
        print(json.dumps(value, ensure_ascii=False, indent=2, default=str), file=self.out)

    def t(self, vi: str, en: str) -> str:
        """The text of a (Vietnamese, English) pair in the reader's language: :func:`app.domain.i18n.pick`."""
        return pick(self.lang, vi, en)

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


Handler = Callable[[Context], int]


# --- shared argument and text helpers ---------------------------------------------------------------


def parse_datetime(text: str, field: str) -> datetime:
    """A date-time argument (``YYYY-MM-DD HH:MM`` and near forms) within 2000–2099, or DomainError."""
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            value = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        if not 2000 <= value.year <= 2099:  # the calendar and the dossier codes (yyMMdd) cover 2000–2099
            raise DomainError(
                Problem(
                    "cli.datetime_range",
                    f"Năm {value.year} nằm ngoài khoảng 2000–2099 mà phần mềm xử lý.",
                    f"The year {value.year} is outside 2000–2099, the range the desk works with.",
                    field,
                )
            )
        return value
    raise DomainError(
        Problem(
            "cli.datetime",
            f"Thời điểm «{text}» không hợp lệ: dùng dạng YYYY-MM-DD HH:MM.",
            f"Invalid date-time {text!r}: use YYYY-MM-DD HH:MM.",
            field,
        )
    )


def parse_date(text: str, field: str) -> date:
    return parse_datetime(text, field).date()


def fmt_dt(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def status_label(status: str, lang: str) -> str:
    return Status(status).label(lang)
