"""The "Hồ sơ trực tuyến" inbox: online dossiers as pulled from the server, amber/red by the acceptance
clock, the attached files, accept (code and due date now, offline) and refuse with a reason."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from gui_helpers import Keyboard, settle
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.contract import ApplicantInfo, DossierState
from app.domain.status import Status
from app.models import OutboxEntry
from app.models.db import Store
from app.services.desk import load_desk
from app.sync import engine
from app.ui.screens.online_inbox import LEVEL_COLOURS
from app.ui.shell.main_window import MainWindow


def pulled(store: Store, name: str, due: datetime) -> str:
    """An online dossier as the server's change feed brings it (server/portal.py)."""
    with store.write() as s:
        desk = load_desk(s)
        state = DossierState(
            id=str(uuid.uuid4()),
            code=None,
            procedure_code="1.004873",
            procedure_name="Chứng thực bản sao từ bản chính",
            applicant=ApplicantInfo(id=str(uuid.uuid4()), full_name=name),
            receiving_agency_eid=desk.agency_eid,
            receiving_agency=desk.centre_name,
            competent_agency=desk.centre_name,
            competent_agency_eid=desk.agency_eid,
            handling_agency=desk.centre_name,
            handling_agency_eid=desk.agency_eid,
            scenario="a",
            channel="online",
            received_at=due - timedelta(hours=8),
            status=Status.NEW,
            papers_received=[
                {
                    "name": "Bản chính.pdf",
                    "form": "copy",
                    "count": 1,
                    "file_url": "https://dvc.example/f/9.pdf",
                }
            ],
            portal_id=f"G{uuid.uuid4().hex[:10].upper()}",
            acceptance_due_at=due,
            events=[],
        )
        engine.apply_dossiers(s, [state])
        return state.id


def test_inbox_colours_files_accept_and_refuse(desk: MainWindow, qtbot: QtBot) -> None:
    store = desk.ctx.store
    now = datetime.now().replace(microsecond=0)
    late = pulled(store, "Lê Thị Hoa", now - timedelta(hours=1))
    near = pulled(store, "Trần Văn Nam", now + timedelta(minutes=1))
    ok = pulled(store, "Phạm Thị Thu", now + timedelta(days=40))
    desk.tabs.setCurrentWidget(desk.online)
    page = desk.online
    qtbot.waitUntil(lambda: page.table.rowCount() == 3)
    assert [i.dossier_id for i in page.items] == [late, near, ok]  # most urgent first
    colours = [page.table.item(r, 0).background().color() for r in range(3)]
    assert colours[0] == LEVEL_COLOURS["late"] and colours[1] == LEVEL_COLOURS["near"]
    assert colours[2] not in LEVEL_COLOURS.values()
    assert page.files.count() == 1 and "https://dvc.example/f/9.pdf" in page.files.item(0).text()

    # Refusing needs a reason; the refusal is refused with the reason's message, nothing changes.
    page.table.selectRow(1)
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.text() != "")
    settle(qtbot, desk)
    assert page.table.rowCount() == 3

    # Accept the first (offline: no server here): code and due date now, the event in the outbox.
    page.table.selectRow(0)
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2)
    settle(qtbot, desk)
    assert page.message.text().startswith("Đã tiếp nhận, mã ")
    page.table.selectRow(0)
    page.reason.setText("Tệp không đọc được")
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1)
    settle(qtbot, desk)
    with store.read() as s:
        sent = [e.payload for e in s.scalars(select(OutboxEntry).where(OutboxEntry.state == "pending"))]
    kinds = sorted(p["payload"]["action"] for p in sent if p["dossier_id"] in (late, near))
    assert kinds == ["receive", "refuse"]
    receive = next(p for p in sent if p["dossier_id"] == late)
    assert receive["payload"]["code"] and receive["payload"]["due_at"]


def test_ask_for_a_supplement_by_keyboard(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    """Alt+G to the missing papers, Alt+L to the reason, Alt+Y asks (offline): the row waits for the
    citizen with its clock stopped, accept is disabled, the request is in the outbox with the papers."""
    store = desk.ctx.store
    now = datetime.now().replace(microsecond=0)
    first = pulled(store, "Lê Thị Hoa", now + timedelta(hours=3))
    pulled(store, "Trần Văn Nam", now + timedelta(days=2))
    desk.tabs.setCurrentWidget(desk.online)
    page = desk.online
    qtbot.waitUntil(lambda: page.table.rowCount() == 2)
    page.table.setFocus()
    keyboard.key(Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert page.missing.hasFocus()
    keyboard.type("Giấy chứng sinh; Sổ hộ khẩu")
    keyboard.key(Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert page.reason.hasFocus()
    keyboard.type("Thiếu giấy tờ")
    keyboard.key(Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.message.text().startswith("Đã yêu cầu bổ sung"))
    settle(qtbot, desk)
    qtbot.waitUntil(lambda: len(page.items) == 2 and page.items[-1].dossier_id == first)
    assert page.items[-1].level == "waiting"  # clock stopped: after those still running
    assert page.table.item(1, 4).text() == "Chờ công dân bổ sung"
    page.table.selectRow(1)
    assert not page.accept_button.isEnabled() and not page.supplement_button.isEnabled()
    assert page.refuse_button.isEnabled()
    assert "Giấy chứng sinh; Sổ hộ khẩu" in page.files.item(page.files.count() - 1).text()
    with store.read() as s:
        [sent] = [
            e.payload
            for e in s.scalars(select(OutboxEntry).where(OutboxEntry.state == "pending"))
            if e.payload["dossier_id"] == first
        ]
    assert sent["payload"]["action"] == "request_online_supplement"
    assert sent["payload"]["extra"]["missing_papers"] == ["Giấy chứng sinh", "Sổ hộ khẩu"]
    assert sent["payload"]["reason"] == "Thiếu giấy tờ"

    # Without papers named, the request is refused with a message; nothing is sent.
    page.table.selectRow(0)
    page.reason.setText("Thiếu")
    qtbot.mouseClick(page.supplement_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "giấy tờ cần bổ sung" in page.message.text())
    settle(qtbot, desk)
