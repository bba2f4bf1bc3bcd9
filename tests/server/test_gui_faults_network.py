"""Network faults as the operator sees them: the desk's window talks to the real server through the fault
proxy (``tools/faultproxy.py``). Whatever happens on the line, the status bar tells the truth: offline
with the events waiting and why (in Vietnamese) while the server cannot be reached or answers 503, online
with nothing waiting once a round got through; an answer lost after the server stored the push is
resent and counted once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from faults.harness import local_dossiers, local_event_ids, new_desk, server_problems
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from srvkit import A, World, sign_in

from app.paths import database_path
from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.reference import set_setting
from app.sync import engine
from app.ui.shell.main_window import MainWindow
from tools.faultproxy import PASS, Fault, FaultProxy, always, first_on

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from gui_helpers import close_window, label_text, open_window, status_is  # noqa: E402

pytestmark = pytest.mark.slow

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
WAIT = 15_000


@pytest.fixture
def line(world: World, tmp_path: Path, template_dir: Path) -> Iterator[tuple[Path, FaultProxy]]:
    """An enrolled desk's data folder whose server address is a fault proxy in front of the server."""
    folder = tmp_path / "desk"
    store = new_desk(folder, template_dir, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)  # its operators log in online once
    port = int(world.live.url.rsplit(":", 1)[1])
    with FaultProxy(port, timeout=30) as proxy:
        with store.write() as s:
            set_setting(s, engine.KEY_SERVER, proxy.url)
        store.dispose()
        yield folder, proxy


@pytest.fixture
def window(qtbot: QtBot, line: tuple[Path, FaultProxy]) -> Iterator[MainWindow]:
    w = open_window(qtbot, line[0])
    yield w
    close_window(w)


def receive(window: MainWindow, name: str) -> str:
    request = svc.ReceiveRequest(
        "2.000815",
        svc.ApplicantInput(full_name=name, address=""),
        received_at=datetime.now(),
        pages=1,
        copies=1,
    )
    r = svc.receive(window.ctx.store, ACTOR, request)
    window.detail.changed.emit(r.dossier_id)  # what the screens do after a save: wakes the sync thread
    return r.code


def sync_now(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F9)


def test_the_status_bar_tells_the_truth_whatever_the_line_does(
    window: MainWindow, qtbot: QtBot, line: tuple[Path, FaultProxy], world: World
) -> None:
    folder, proxy = line
    tip = window.status.connection_label.toolTip
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)

    # The line is down (connections refused): offline, both dossiers waiting, and why.
    proxy.refuse()
    receive(window, "Đặng Văn Hùng")
    receive(window, "Lê Thị Mai")
    qtbot.waitUntil(lambda: status_is(window, "Ngoại tuyến", 2), timeout=WAIT)
    assert "Không kết nối được máy chủ tỉnh" in tip() and "Thử lại sau" in tip()

    # Back: Sync now (F9) sends them; online, nothing waiting, no reason shown.
    proxy.heal()
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)
    assert tip() == ""

    # A gateway in front of a server that is down answers 503: offline again, not "error".
    proxy.plan = always(Fault("status", status=503))
    receive(window, "Trần Văn Bình")
    qtbot.waitUntil(lambda: status_is(window, "Ngoại tuyến", 1), timeout=WAIT)
    assert tip()
    proxy.plan = always(PASS)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)

    # The server stores a push but its answer is lost: the desk cannot know, says offline, resends.
    proxy.plan = first_on("/sync/push", Fault("reset_after"))
    receive(window, "Phạm Thu Hà")
    qtbot.waitUntil(lambda: status_is(window, "Ngoại tuyến", 1), timeout=WAIT)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)

    # The answer is cut in the middle (truncated): the same.
    proxy.plan = first_on("/sync/push", Fault("truncate", keep=0.5))
    receive(window, "Võ Minh Châu")
    qtbot.waitUntil(lambda: status_is(window, "Ngoại tuyến", 1), timeout=WAIT)
    sync_now(window, qtbot)
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)
    assert label_text(window, "statusLastSync").startswith("Đồng bộ lần cuối: ")

    # Every dossier and every event exactly once on the server, nothing else.
    db = database_path(folder)
    assert not server_problems(world.db, local_dossiers(db), local_event_ids(db))
