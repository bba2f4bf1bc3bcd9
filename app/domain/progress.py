"""Progress of the long steps of opening the store (issue 16, item 10: the first start after an upgrade).

Opening the store is quick on every day but the first after an upgrade, when it may migrate the schema,
convert a plain store to SQLCipher, encrypt the digitised files and seal the audit chain (52.7 s for the
conversion of a 200,000-dossier store, measured). :func:`app.bootstrap.open_store` takes a
:data:`Progress` callback and reports each of those steps through it; the window's start-up worker turns
the calls into Qt signals (app.ui.shell.opening), the command line prints them on stderr
(app.cli.context). Pure: no Qt, no database.

A call is ``progress(step, done, total)``: ``total`` 0 means the step cannot count its work (a busy
indicator); otherwise ``0 <= done <= total``. The first call of a step announces it (``done`` 0). Calls
come from the thread doing the work; a callback must be cheap and must not raise.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class Step(StrEnum):
    CHECK = "check"  # the quick check after an unclean shutdown
    ENCRYPT_STORE = "encrypt_store"  # a plain store converted to SQLCipher
    ENCRYPT_BACKUPS = "encrypt_backups"  # the plain backups of an older version encrypted
    ENCRYPT_FILES = "encrypt_files"  # the digitised files of an older version encrypted
    MIGRATE = "migrate"  # Alembic migrations
    SEAL = "seal"  # the audit chain keyed and every existing row sealed


Progress = Callable[[Step, int, int], None]

#: What each step says, (Vietnamese, English): the command line's words (the window has its own, via tr()).
LABELS: dict[Step, tuple[str, str]] = {
    Step.CHECK: ("Đang kiểm tra kho dữ liệu…", "Checking the data store…"),
    Step.ENCRYPT_STORE: (
        "Đang mã hóa kho dữ liệu (lần đầu sau khi nâng cấp)…",
        "Encrypting the data store (first start after the upgrade)…",
    ),
    Step.ENCRYPT_BACKUPS: ("Đang mã hóa các bản sao lưu…", "Encrypting the backups…"),
    Step.ENCRYPT_FILES: ("Đang mã hóa các tệp số hóa…", "Encrypting the digitised files…"),
    Step.MIGRATE: ("Đang nâng cấp kho dữ liệu…", "Upgrading the data store…"),
    Step.SEAL: ("Đang niêm phong nhật ký…", "Sealing the audit log…"),
}


def no_progress(step: Step, done: int, total: int) -> None:
    """The callback of callers that do not show progress."""


def percent(done: int, total: int) -> int | None:
    """``done`` of ``total`` as a whole percentage in 0..100; None for a step that cannot count."""
    if total <= 0:
        return None
    return max(0, min(100, done * 100 // total))
