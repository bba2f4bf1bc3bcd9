"""The desk's "Chờ chuyển" list: several dossiers selected, one action (F7) forwards them all (one
transaction) and prints one hand-over slip listing them."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from gui_helpers import Keyboard, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.text import fold
from app.models import Dossier
from app.models.db import Store
from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.shell.main_window import MainWindow

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
ACTOR = Actor("Trần Văn Trước", "Quầy 2")
HERE = "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"


def receive(store: Store, name: str, procedure: str, address: str, at: datetime) -> str:
    applicant = svc.ApplicantInput(full_name=name, address=address)
    r = svc.receive(store, ACTOR, svc.ReceiveRequest(procedure, applicant, received_at=at))
    assert r.scenario in ("b", "c")
    return r.dossier_id


def text_of(pdf: bytes) -> str:
    return " ".join(fold(p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def click_row(window: MainWindow, qtbot: QtBot, dossier_id: str, modifier: Qt.KeyboardModifier) -> None:
    table = window.desk.table
    row = next(i for i, r in enumerate(window.desk.model.rows) if r.dossier_id == dossier_id)
    rect = table.visualRect(window.desk.model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def confirm(window: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    box = window.desk.confirm
    assert box is not None
    qtbot.waitUntil(box.isActiveWindow)
    assert "3" in box.text() or "4" in box.text()
    keyboard.key(K.Key_Return)  # Yes is the default
    settle(qtbot, window)


def test_batch_forward_prints_one_hand_over_slip(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    woken: list[bool] = []  # each wake of the sync round: whether the slip's preview was on screen
    monkeypatch.setattr(
        desk, "wake_sync", lambda: woken.append(desk.preview is not None and desk.preview.isVisible())
    )
    store = desk.ctx.store
    now = datetime.now().replace(microsecond=0)
    land = [
        receive(store, name, "1.013831", HERE, now - timedelta(hours=3 - i))
        for i, name in enumerate(("Lý Văn Một", "Lê Thị Hai", "Trần Văn Ba"))
    ]
    # Scenario c: resolved by another commune, so another receiving side.
    other = receive(
        store, "Ngô Thị Khác", "1.001612", "Phường Kinh Bắc, Tỉnh Bắc Ninh", now - timedelta(hours=1)
    )
    keyboard.key(K.Key_F3)
    settle(qtbot, desk)
    keyboard.key(K.Key_8, ALT)  # Chờ chuyển
    settle(qtbot, desk)
    page = desk.desk
    assert page.kind == "to_forward" and page.forward_button.isVisible()
    assert {r.dossier_id for r in page.model.rows} == {*land, other}

    # All four: two receiving agencies, so no single slip; explained, nothing forwarded.
    page.table.setFocus()
    keyboard.key(K.Key_A, CTRL)
    assert len(page.selected_ids()) == 4
    keyboard.key(K.Key_F7)
    confirm(desk, qtbot, keyboard)
    boxes = [b for b in page.findChildren(QMessageBox) if b.isVisible() and b is not page.confirm]
    assert len(boxes) == 1 and "cùng một cơ quan" in boxes[0].text()
    boxes[0].close()
    settle(qtbot, desk)
    qtbot.waitUntil(lambda: page.table.hasFocus())  # back in the list, the selection kept
    assert len(page.selected_ids()) == 4
    with store.read() as s:
        assert all(s.get(Dossier, i).status == "received" for i in (*land, other))  # type: ignore[union-attr]
    assert woken == []  # nothing recorded, nothing to send

    # The three land dossiers: a click, then Ctrl+clicks.
    click_row(desk, qtbot, land[0], Qt.KeyboardModifier.NoModifier)
    click_row(desk, qtbot, land[1], CTRL)
    click_row(desk, qtbot, land[2], CTRL)
    assert sorted(page.selected_ids()) == sorted(land)
    keyboard.key(K.Key_F7)
    confirm(desk, qtbot, keyboard)
    preview = desk.preview
    assert preview is not None
    qtbot.waitUntil(preview.isActiveWindow)
    text = text_of(preview.pdf)
    assert "danh sach ho so chuyen co quan giai quyet" in text
    assert "ly van mot" in text and "le thi hai" in text and "tran van ba" in text
    assert "ngo thi khac" not in text
    assert "ben nhan: van phong dang ky dat dai" in text and "tong so: 03 ho so" in text
    assert preview.windowTitle().startswith("Danh sách bàn giao")
    # The forward events are sent at once (not at the sync thread's next tick), once the slip is shown.
    qtbot.waitUntil(lambda: woken == [True], timeout=5_000)
    keyboard.key(K.Key_P, CTRL)  # printed like the receipt
    settle(qtbot, desk)
    assert desk.preview is None and (data_dir / "printed.pdf").exists()
    with store.read() as s:
        for i in land:
            d = s.get(Dossier, i)
            assert d is not None and d.status == "in_process" and d.events[-1].action == "forward"
            assert d.handling_agency.startswith("Văn phòng đăng ký đất đai")
    settle(qtbot, desk)
    assert [r.dossier_id for r in page.model.rows] == [other]  # what is left to forward
    assert page.counts.get("forwarded_out") == 3


def test_other_lists_keep_single_selection(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    keyboard.key(K.Key_F3)
    settle(qtbot, desk)
    page = desk.desk
    assert not page.forward_button.isVisible()
    assert page.table.selectionMode() == page.table.SelectionMode.SingleSelection
    keyboard.key(K.Key_F7)  # nothing to forward outside "Chờ chuyển"
    assert page.confirm is None
