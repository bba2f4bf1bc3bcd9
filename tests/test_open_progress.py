"""Opening the store reports its long steps (issue 16, item 10): the conversion of a plain store, migrations,
the audit chain's sealing; the command line prints them on stderr (percentages only on a terminal)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from keyed import export_plain

from app.bootstrap import open_store
from app.cli.main import main
from app.cli.progress import StderrProgress
from app.domain.progress import Step
from app.models import cipher
from app.paths import backup_dir, database_path


def _plain_copy(data_dir: Path) -> Path:
    """What an older version left: the same store in clear, in a folder of its own, with a plain backup."""
    folder = data_dir.parent / "plain"
    folder.mkdir()
    dest = database_path(folder)
    export_plain(data_dir, dest)
    backup_dir(folder).mkdir()
    shutil.copyfile(dest, backup_dir(folder) / "motcua-desk-20260101-120000-daily.sqlite3")
    return folder


def test_the_conversion_reports_its_progress(data_dir: Path) -> None:
    folder = _plain_copy(data_dir)
    calls: list[tuple[Step, int, int]] = []
    open_store(folder, progress=lambda step, done, total: calls.append((step, done, total))).dispose()
    assert not cipher.is_plain(database_path(folder))
    store = [(d, t) for s, d, t in calls if s == Step.ENCRYPT_STORE]
    assert store[0] == (0, 1000) and store[-1] == (1000, 1000)
    assert [d for d, _t in store] == sorted(d for d, _t in store)  # never backwards
    backups = [(d, t) for s, d, t in calls if s == Step.ENCRYPT_BACKUPS]
    assert backups and backups[-1] == (1000, 1000)
    assert [s for s, _d, _t in calls if s not in (Step.ENCRYPT_STORE, Step.ENCRYPT_BACKUPS)] == []
    calls.clear()
    open_store(folder, progress=lambda step, done, total: calls.append((step, done, total))).dispose()
    assert calls == []  # the everyday start reports nothing


def test_a_new_store_reports_its_migration_and_sealing(tmp_path: Path, memory_keyring: object) -> None:
    calls: list[tuple[Step, int, int]] = []
    open_store(
        tmp_path / "new", progress=lambda step, done, total: calls.append((step, done, total))
    ).dispose()
    steps = [s for s, _d, _t in calls]
    assert Step.MIGRATE in steps and Step.SEAL in steps
    assert steps.index(Step.MIGRATE) < steps.index(Step.SEAL)
    assert calls[-1][0] == Step.SEAL and calls[-1][1] == calls[-1][2]  # sealed every row there was


def test_the_command_line_prints_the_conversion_on_stderr(data_dir: Path) -> None:
    folder = _plain_copy(data_dir)
    out, err = io.StringIO(), io.StringIO()  # not a terminal: one line per step, no percentages
    assert main(["db", "check", "--data-dir", str(folder)], out=out, err=err) == 0
    lines = err.getvalue().splitlines()
    assert lines[:2] == [
        "Đang mã hóa kho dữ liệu (lần đầu sau khi nâng cấp)…",
        "Đang mã hóa các bản sao lưu…",
    ]
    assert not any("%" in line for line in lines)
    assert not cipher.is_plain(database_path(folder))
    out, err = io.StringIO(), io.StringIO()
    assert main(["db", "check", "--data-dir", str(folder)], out=out, err=err) == 0
    assert err.getvalue() == ""  # the everyday start prints nothing


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_percentages_only_on_a_terminal_and_every_few_seconds() -> None:
    now = [0.0]
    tty = _Terminal()
    progress = StderrProgress(tty, "en", clock=lambda: now[0])
    for i in range(0, 1001, 10):
        now[0] = i / 100  # 10 s over the step
        progress(Step.ENCRYPT_STORE, i, 1000)
    progress(Step.SEAL, 0, 0)
    lines = tty.getvalue().splitlines()
    assert lines[0] == "Encrypting the data store (first start after the upgrade)…"
    assert lines[1:-1] == ["  … 30%", "  … 60%", "  … 90%"]
    assert lines[-1] == "Sealing the audit log…"
    log = io.StringIO()
    quiet = StderrProgress(log, "vi", clock=lambda: now[0])
    for i in range(0, 1001, 10):
        now[0] = 100 + i / 100
        quiet(Step.ENCRYPT_STORE, i, 1000)
    assert log.getvalue() == "Đang mã hóa kho dữ liệu (lần đầu sau khi nâng cấp)…\n"
