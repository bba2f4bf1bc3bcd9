"""The status bar shows the digitised files still to upload and those the server refused (issue 19),
from the sync thread's state, in Vietnamese."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.sync.engine import SyncState
from app.ui.shell.main_window import MainWindow


def test_files_pending_and_refused_in_the_status_bar(desk: MainWindow, qtbot: QtBot) -> None:
    label = desk.status.files_label
    assert label.isHidden()
    desk.on_sync_state(SyncState("online", 0, 0, None, files_pending=3, file_bytes_pending=1_540_000))
    assert label.isVisible() and label.text() == "Tệp chờ gửi: 3 (1.5 MB)"
    desk.on_sync_state(
        SyncState("online", 0, 0, None, files_pending=1, file_bytes_pending=60_000, files_parked=2)
    )
    assert label.text() == "Tệp chờ gửi: 1 (0.1 MB) · tệp bị từ chối: 2"
    desk.on_sync_state(SyncState("syncing", 0, 0, None))  # a round starting keeps what the last one found
    assert label.isVisible()
    desk.on_sync_state(SyncState("online", 0, 0, None))
    assert label.isHidden()
