"""The sync thread is woken when the network comes back, without waiting for its timer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtNetwork import QNetworkInformation
from pytestqt.qtbot import QtBot

from app.bootstrap import open_store
from app.ui.lanes.sync import SyncController


def test_network_back_wakes_a_round(qtbot: QtBot, data_dir: Path) -> None:
    store = open_store(data_dir)
    controller = SyncController(store, interval=3600)
    try:
        controller.start()
        qtbot.waitUntil(lambda: controller.state is not None and controller.state.state == "not_enrolled")
        controller.state = None
        controller._reachability_changed(QNetworkInformation.Reachability.Online)
        qtbot.waitUntil(lambda: controller.state is not None)  # an hour before the timer would have
        controller.state = None
        controller._reachability_changed(QNetworkInformation.Reachability.Disconnected)
        qtbot.wait(300)
        assert controller.state is None  # going offline does not start a round
    finally:
        controller.close()
        store.dispose()
