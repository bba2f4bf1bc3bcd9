"""Backups in the GUI: today's backup taken once the window is open, File › Back up now, and a damaged
database at start-up: the latest sound backup is offered, restored on the operator's word (the damaged
file kept), or nothing is touched when the operator quits."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import pytest
from gui_helpers import Starter, settle
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.bootstrap import open_store
from app.paths import backup_dir, database_path
from app.services import backup
from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.shell.application import start
from app.ui.shell.main_window import MainWindow

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
GARBAGE = b"not a database " * 500


def backups_of(data_dir: Path, kind: str) -> list[backup.BackupFile]:
    return [b for b in backup.list_backups(data_dir) if b.kind == kind]


def wait_backups(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.backups.lane.idle, timeout=10_000)


def answer_restore_offer(button: str, seen: list[str]) -> None:
    """Click ``button`` of the restore offer once its modal loop runs (any other modal box is recorded and
    closed, so a wrong turn fails the test instead of hanging it)."""

    def attempt() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, attempt)
            return
        seen.append(f"{box.objectName()}: {box.text()}")
        target = box.findChild(QPushButton, button) if box.objectName() == "restoreOffer" else None
        if target is not None:
            target.click()
        else:
            box.done(0)

    QTimer.singleShot(0, attempt)


def damage(data_dir: Path) -> None:
    db = database_path(data_dir)
    db.write_bytes(GARBAGE)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def test_daily_backup_after_opening_and_back_up_now(launch: Starter, qtbot: QtBot, data_dir: Path) -> None:
    window = launch()
    wait_backups(qtbot, window)
    daily = backups_of(data_dir, "daily")
    assert len(daily) == 1 and daily[0].taken_at.date() == datetime.now().date()
    assert window.backups.last_daily == daily[0].path and not backup.check_file(
        daily[0].path, data_dir=data_dir
    )

    window.backup_action.trigger()  # File › Back up now (works before anyone logs in)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "backupDone") is not None, timeout=10_000)
    box = window.findChild(QMessageBox, "backupDone")
    assert box is not None and box.isVisible()
    manual = backups_of(data_dir, "manual")
    assert len(manual) == 1 and str(manual[0].path) in box.text()
    assert box.text().startswith("Đã sao lưu cơ sở dữ liệu vào:")
    box.close()

    window.close()
    again = launch()  # the same day: no second daily backup
    wait_backups(qtbot, again)
    assert len(backups_of(data_dir, "daily")) == 1 and again.backups.last_daily is None


@pytest.mark.expect_log("app.ui.shell.application", "ERROR", "start-up failed")
@pytest.mark.expect_log("app.ui.lanes.backup", "WARNING", "database restored from")
def test_a_damaged_database_is_restored_from_the_latest_backup(
    launch: Starter, qtbot: QtBot, data_dir: Path
) -> None:
    store = open_store(data_dir, demo=True)
    request = svc.ReceiveRequest(
        "2.000815",
        svc.ApplicantInput(full_name="Đặng Văn Hùng", address=""),
        received_at=datetime.now(),
        pages=1,
        copies=1,
    )
    received = svc.receive(store, ACTOR, request)
    store.dispose()
    window = launch()  # today's backup holds the dossier
    wait_backups(qtbot, window)
    window.close()
    window.ctx.store.dispose()
    damage(data_dir)

    seen: list[str] = []
    answer_restore_offer("restoreButton", seen)
    restored = launch()
    assert len(seen) == 1 and seen[0].startswith("restoreOffer: Cơ sở dữ liệu bị hỏng, không mở được.")
    assert (
        f"Khôi phục từ bản sao lưu ngày {backups_of(data_dir, 'daily')[0].taken_at:%H:%M %d/%m/%Y}?"
        in seen[0]
    )
    settle(qtbot, restored)
    with restored.ctx.store.read() as s:
        assert svc.find_dossier(s, received.code).id == received.dossier_id  # the backed-up data
    replaced = backups_of(data_dir, "replaced")
    assert len(replaced) == 1 and replaced[0].path.read_bytes() == GARBAGE  # the damaged file is kept
    assert restored.isVisible() and restored.stack.currentWidget() is restored.login_page


@pytest.mark.expect_log("app.ui.shell.application", "ERROR", "start-up failed")
def test_quit_leaves_the_damaged_database_alone(qtbot: QtBot, data_dir: Path, launch: Starter) -> None:
    window = launch()
    wait_backups(qtbot, window)
    window.close()
    window.ctx.store.dispose()
    damage(data_dir)

    seen: list[str] = []
    answer_restore_offer("quitButton", seen)
    _app, none, store = start(argparse.Namespace(data_dir=data_dir, demo=True, lang="vi"))
    assert none is None and store is None
    assert len(seen) == 1 and seen[0].startswith("restoreOffer:")  # and no other dialog after it
    assert database_path(data_dir).read_bytes() == GARBAGE
    assert not backups_of(data_dir, "replaced")
    assert len(list(backup_dir(data_dir).glob("*.sqlite3"))) == 1


@pytest.mark.expect_log("app.ui.shell.application", "ERROR", "start-up failed")
@pytest.mark.expect_log("app.ui.lanes.backup", "WARNING", "database restored from")
def test_an_emptied_database_is_not_replaced_but_restored(
    launch: Starter, qtbot: QtBot, data_dir: Path
) -> None:
    """Issue 16, D3: an emptied store where backups exist is refused and the backup offered (before, the
    window opened on a new empty store and re-issued numbers already printed)."""
    store = open_store(data_dir, demo=True)
    request = svc.ReceiveRequest(
        "2.000815",
        svc.ApplicantInput(full_name="Đặng Văn Hùng", address=""),
        received_at=datetime.now(),
        pages=1,
        copies=1,
    )
    received = svc.receive(store, ACTOR, request)
    store.dispose()
    window = launch()
    wait_backups(qtbot, window)
    window.close()
    window.ctx.store.dispose()
    database_path(data_dir).write_bytes(b"")

    seen: list[str] = []
    answer_restore_offer("restoreButton", seen)
    restored = launch()
    assert len(seen) == 1 and seen[0].startswith("restoreOffer:")
    settle(qtbot, restored)
    with restored.ctx.store.read() as s:
        assert svc.find_dossier(s, received.code).id == received.dossier_id
