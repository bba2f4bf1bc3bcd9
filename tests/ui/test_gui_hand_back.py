"""Hand back records who collected the result: the applicant, or an authorised person with name and ID
number; shown in the timeline, on the control slip (Mẫu 06) and in the logbook (Mẫu 07, PDF and XLSX)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from gui_helpers import Keyboard, settle
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_gui_detail import open_detail, pdf_text, receive, start

from app.domain.status import Action
from app.models import Dossier
from app.services import printing
from app.ui.shell.main_window import MainWindow


def test_hand_back_to_an_authorised_person(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    dossier_id = receive(desk.ctx.store, "1.004873", Action.RESULT_READY)
    open_detail(desk, qtbot, dossier_id)
    dialog = start(desk, qtbot, "hand_back")
    assert dialog.collected_by is not None and dialog.collector_name is not None
    assert dialog.collector_id is not None
    assert dialog.collected_by.hasFocus()
    assert "Lê Thị Hoa" in dialog.collected_by.currentText()
    assert not dialog.collector_name.isEnabled()  # the applicant collects: nothing more to type
    keyboard.key(Qt.Key.Key_Down)  # an authorised person
    assert dialog.collector_name.isEnabled() and dialog.collector_id.isEnabled()
    keyboard.key(Qt.Key.Key_Tab)
    assert dialog.collector_name.hasFocus()
    keyboard.key(Qt.Key.Key_Tab)
    keyboard.type("02419001234")  # 11 digits
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    # Both problems at once, each under its field; nothing recorded.
    assert desk.detail.dialog is dialog and dialog.isVisible()
    assert dialog.errors["collector_name"].isVisible() and "họ tên" in dialog.errors["collector_name"].text()
    assert dialog.errors["collector_id"].isVisible() and "12" in dialog.errors["collector_id"].text()
    dialog.collector_name.setFocus()
    keyboard.type("Trần Văn Bảo")
    dialog.collector_id.setFocus()
    keyboard.key(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    keyboard.type("024 090 012 345")  # spaces as read off the card are dropped
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    assert desk.detail.dialog is None, desk.detail.message.text()
    with desk.ctx.store.read() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None and d.status == "returned"
        hand_back = d.events[-1]
        assert hand_back.action == "hand_back"
        assert {k: hand_back.payload[k] for k in ("collected_by", "collector_name", "collector_id")} == {
            "collected_by": "authorised",
            "collector_name": "Trần Văn Bảo",
            "collector_id": "024090012345",
        }
        received_on = d.received_at.date()
    # The timeline says who collected it.
    step = desk.detail.events.item(desk.detail.events.rowCount() - 1, 1).text()
    assert "Trần Văn Bảo" in step and "024090012345" in step and "ủy quyền" in step
    # The control slip, printed from the dossier screen.
    qtbot.mouseClick(desk.detail.control_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert desk.preview is not None
    text = pdf_text(desk.preview.pdf)
    assert "nguoi duoc uy quyen: tran van bao, cccd 024090012345" in " ".join(text.split())
    desk.preview.reject()
    # The logbook, PDF and XLSX: the "Ký nhận" column names the collector.
    book = printing.logbook(desk.ctx.store, received_on, date.today())
    assert "tran van bao" in pdf_text(book)
    wb = openpyxl.load_workbook(
        io.BytesIO(printing.logbook(desk.ctx.store, received_on, date.today(), "xlsx"))
    )
    ws = wb.active
    assert ws is not None
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("Trần Văn Bảo" in c and "024090012345" in c for c in cells)


def test_hand_back_to_the_applicant_records_the_applicant(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    dossier_id = receive(desk.ctx.store, "1.004873", Action.RESULT_READY)
    open_detail(desk, qtbot, dossier_id)
    start(desk, qtbot, "hand_back")
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    assert desk.detail.dialog is None
    with desk.ctx.store.read() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None
        payload = d.events[-1].payload
    assert (payload["collected_by"], payload["collector_name"], payload["collector_id"]) == (
        "applicant",
        "Lê Thị Hoa",
        "024190012345",
    )
    step = desk.detail.events.item(desk.detail.events.rowCount() - 1, 1).text()
    assert "Lê Thị Hoa" in step and "ủy quyền" not in step
