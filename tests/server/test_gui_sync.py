"""Sync in the GUI against the real server: enrolment through the dialog, the sync thread pushing what the
desk saves (woken by the change, by F9), the status bar offline when the server is down, a clock that is
off, events the server refused, and a clean shutdown (no sync thread left)."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import keyring
import pytest
from faults.harness import new_desk
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update
from srvkit import A, LiveServer, World, sign_in

from app.contract import utc_now
from app.domain.errors import DomainError
from app.models import OutboxEntry
from app.models.db import Store
from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.reference import set_setting
from app.sync import engine
from app.sync.client import SyncClient
from app.ui.shell.main_window import MainWindow
from server import models as sm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from gui_helpers import close_window, label_text, open_window, settle, status_is  # noqa: E402

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
WAIT = 10_000


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    """The demo desk as ``make run`` starts it, the demo operator logged in."""
    w = open_window(qtbot, data_dir)
    yield w
    close_window(w)


text = label_text


def receive(store: Store, name: str) -> svc.ReceiveResult:
    request = svc.ReceiveRequest(
        "2.000815",
        svc.ApplicantInput(full_name=name, address=""),
        received_at=datetime.now(),
        pages=1,
        copies=1,
    )
    return svc.receive(store, ACTOR, request)


def on_server(live: LiveServer, code: str) -> bool:
    with live.db.engine.connect() as conn:
        stmt = select(func.count()).select_from(sm.Dossier).where(sm.Dossier.code == code)
        return bool(conn.execute(stmt).scalar_one())


def sync_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sync-")]


def dead_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_enrol_in_the_dialog_then_the_desk_syncs_by_itself(
    window: MainWindow, qtbot: QtBot, world: World
) -> None:
    store = window.ctx.store
    qtbot.waitUntil(lambda: text(window, "statusConnection") == "Chưa đăng ký", timeout=WAIT)
    assert "Đăng ký máy trạm" in window.status.connection_label.toolTip()

    # Sync › Enrol workstation…: a wrong code first, then the one from the administrator.
    window.enrol_action.trigger()
    qtbot.waitUntil(lambda: window.enrol_dialog is not None and window.enrol_dialog.isVisible())
    dialog = window.enrol_dialog
    assert dialog is not None
    assert dialog.name.text() == "Quầy 1"  # the workstation's name (the host name on a new one)
    qtbot.keyClicks(dialog.server, world.live.url.removeprefix("http://"))  # the scheme is optional
    qtbot.keyClicks(dialog.code, "AAAA-BBBB-CCCC")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    assert not dialog.submit_button.isEnabled()  # the server is asked on the network lane
    qtbot.waitUntil(dialog.submit_button.isEnabled, timeout=WAIT)
    assert "mã" in dialog.message.text().lower() and "Đã đăng ký" not in dialog.message.text()
    assert text(window, "statusConnection") == "Chưa đăng ký"
    dialog.code.clear()
    qtbot.keyClicks(dialog.code, world.enrol_code(A))
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Đã đăng ký" in dialog.message.text(), timeout=WAIT)
    assert A in dialog.message.text() and "số hiệu máy trạm: 0" in dialog.message.text()
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)
    assert text(window, "statusLastSync").startswith("Đồng bộ lần cuối: ")
    assert window.status.connection_label.toolTip() == ""
    dialog.close()
    qtbot.waitUntil(lambda: window.enrol_dialog is None)
    sign_in(world, engine.connection(store)[2], A)  # the demo operator logs in online once

    # A dossier saved on the desk: the change wakes the sync thread (its timer is 60 s away).
    first = receive(store, "Đặng Văn Hùng")
    window.detail.changed.emit(first.dossier_id)
    qtbot.waitUntil(lambda: on_server(world.live, first.code), timeout=WAIT)
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)

    # Sync now (F9) runs a round for a change nobody announced.
    second = receive(store, "Lê Thị Mai")
    window.refresh_pending()
    qtbot.waitUntil(lambda: text(window, "statusPending") == "Chờ đồng bộ: 1", timeout=WAIT)
    assert not on_server(world.live, second.code)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: on_server(world.live, second.code), timeout=WAIT)
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)

    # The server cannot be reached: offline, the dossier waits in the outbox.
    with store.write() as s:
        set_setting(s, engine.KEY_SERVER, dead_url())
    third = receive(store, "Trần Văn Bình")
    window.detail.changed.emit(third.dossier_id)
    qtbot.waitUntil(lambda: status_is(window, "Ngoại tuyến", 1), timeout=WAIT)
    assert "Không kết nối được máy chủ tỉnh" in window.status.connection_label.toolTip()
    assert "Thử lại sau" in window.status.connection_label.toolTip()

    # Closing the window stops the sync thread: nothing left running.
    assert window.sync.running and sync_threads()
    window.close()
    assert not window.sync.running and not sync_threads()


def test_a_clock_off_is_shown_with_how_to_fix_it(window: MainWindow, qtbot: QtBot, world: World) -> None:
    engine.enrol(window.ctx.store, world.live.url, world.enrol_code(A), "Quầy 1")
    window.sync.stop()  # the same desk, its clock 10 minutes fast
    window.sync.client_factory = lambda url, token: SyncClient(
        url, token, clock=lambda: utc_now() + timedelta(minutes=10)
    )
    window.sync.start()
    qtbot.waitUntil(lambda: text(window, "statusConnection") == "Đồng hồ lệch", timeout=WAIT)
    clock = window.status.clock_label
    assert clock.isVisible() and clock.text() == "Đồng hồ lệch: hãy chỉnh lại ngày giờ"
    assert "lệch 10 phút" in clock.toolTip() and "chỉnh lại giờ hệ thống" in clock.toolTip()
    assert window.status.connection_label.toolTip() == clock.toolTip()

    window.sync.client_factory = None  # the clock was fixed: Sync now
    window.sync_now_action.trigger()
    qtbot.waitUntil(lambda: status_is(window, "Trực tuyến", 0), timeout=WAIT)
    assert not clock.isVisible()


def test_events_the_server_refused_are_listed(window: MainWindow, qtbot: QtBot) -> None:
    store = window.ctx.store
    r = receive(store, "Ngô Thị Lan")
    reason = "Hồ sơ đã được trả kết quả, không thể chuyển trạng thái."
    with store.write() as s:
        s.execute(
            update(OutboxEntry)
            .where(OutboxEntry.dossier_id == r.dossier_id)
            .values(state="parked", last_error=reason)
        )
    window.sync.wake()  # the next round reports the count (here: not enrolled, counted all the same)
    qtbot.waitUntil(lambda: window.status.parked_label.isVisible(), timeout=WAIT)
    assert "Bị từ chối: 1" in window.status.parked_label.text()

    window.status.parked_label.linkActivated.emit("parked")  # the operator clicks the count
    qtbot.waitUntil(lambda: window.parked_dialog is not None and window.parked_dialog.rows != [])
    dialog = window.parked_dialog
    assert dialog is not None
    table = dialog.table
    assert table.rowCount() == 1
    row = [table.item(0, c).text() for c in range(4)]
    assert row[1] == r.code and row[2] == "Tiếp nhận hồ sơ" and row[3] == reason
    assert "1 sự kiện đã bị máy chủ tỉnh từ chối hẳn" in dialog.caption.text()
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter opens the dossier
    qtbot.waitUntil(lambda: window.parked_dialog is None)
    settle(qtbot, window)
    assert window.tabs.currentWidget() is window.detail and window.detail.dossier_id == r.dossier_id


def test_without_a_keyring_enrolment_says_so_and_keeps_the_code(
    window: MainWindow, qtbot: QtBot, world: World
) -> None:
    keyring.set_keyring(fail.Keyring())  # a headless Linux without Secret Service
    window.enrol_action.trigger()
    qtbot.waitUntil(lambda: window.enrol_dialog is not None and window.enrol_dialog.isVisible())
    dialog = window.enrol_dialog
    assert dialog is not None and "gnome-keyring" in dialog.message.text()  # said before anything is typed
    code = world.enrol_code(A)
    qtbot.keyClicks(dialog.server, world.live.url)
    qtbot.keyClicks(dialog.code, code)
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.submit_button.isEnabled(), timeout=WAIT)
    assert "keyring" in dialog.message.text() and "Đã đăng ký" not in dialog.message.text()
    with pytest.raises(DomainError):  # not enrolled
        engine.connection(window.ctx.store)
    assert world.client().enroll(code, "Quầy 1").device_id  # the one-time code was not spent


def test_the_desk_list_on_screen_shows_what_a_round_brought(
    qtbot: QtBot, world: World, tmp_path: Path, template_dir: Path
) -> None:
    """Another workstation of the centre receives a dossier; this desk's next round pulls it, and the
    list the operator is looking at shows it without a tab switch."""
    folder = tmp_path / "desk"
    enrolled = new_desk(folder, template_dir, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(enrolled)[2], A)
    enrolled.dispose()
    w = open_window(qtbot, folder)
    try:
        qtbot.waitUntil(lambda: status_is(w, "Trực tuyến", 0), timeout=WAIT)
        w.show_desk()
        w.desk.show_list("overdue")  # the test snapshot was due in May
        settle(qtbot, w)
        other = world.desk(A, "Quầy 2")
        snap = world.snapshot(A)
        snap.due_at = snap.received_at - timedelta(days=1)  # overdue
        other.client.push([world.received(other, snap)])
        assert snap.id not in {r.dossier_id for r in w.desk.model.rows}
        qtbot.keyClick(w, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: snap.id in {r.dossier_id for r in w.desk.model.rows}, timeout=WAIT)
    finally:
        close_window(w)
