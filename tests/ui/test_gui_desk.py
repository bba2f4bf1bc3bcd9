"""The desk: the lists with their colours and counts, the instant search, keyboard-only navigation."""

from __future__ import annotations

from datetime import datetime, timedelta

from gui_helpers import Keyboard, settle
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot

from app.domain.status import Action
from app.models.db import Store
from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.screens.desk import URGENCY_COLOURS
from app.ui.shell.main_window import MainWindow

ACTOR = Actor("Trần Văn Trước", "Quầy 2")
ADDRESS = "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"
K = Qt.Key


def receive(store: Store, name: str, procedure: str, at: datetime, phone: str | None = None) -> str:
    applicant = svc.ApplicantInput(full_name=name, phone=phone, address=ADDRESS)
    return svc.receive(store, ACTOR, svc.ReceiveRequest(procedure, applicant, received_at=at)).dossier_id


def fill(store: Store) -> dict[str, str]:
    now = datetime.now().replace(microsecond=0)
    ids = {
        "today": receive(store, "Đặng Văn Hùng", "1.004873", now - timedelta(minutes=5), "0912345678"),
        "overdue": receive(store, "Trần Thị Lan", "1.004873", now - timedelta(days=30)),
        "supplement": receive(store, "Phạm Văn Đức", "1.004873", now - timedelta(days=2)),
        "results": receive(store, "Vũ Thị Mai", "1.004873", now - timedelta(days=2)),
        "forwarded_out": receive(store, "Hoàng Văn Đất", "1.013831", now - timedelta(days=3)),
    }
    svc.perform(store, ACTOR, ids["supplement"], Action.REQUEST_SUPPLEMENT, reason="Thiếu giấy")
    svc.perform(store, ACTOR, ids["results"], Action.RESULT_READY)
    ids["to_forward"] = receive(store, "Lý Văn Chờ", "1.013831", now - timedelta(days=1))
    svc.perform(store, ACTOR, ids["forwarded_out"], Action.FORWARD)
    return ids


def colour(window: MainWindow, row: int) -> QBrush | None:
    model = window.desk.model
    return model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)


def test_lists_counts_and_colours(desk: MainWindow, qtbot: QtBot) -> None:
    ids = fill(desk.ctx.store)
    desk.show_desk()
    settle(qtbot, desk)
    page = desk.desk
    assert page.counts["today"] == 1 and page.counts["overdue"] == 1
    assert page.tabs.tabText(0) == "Hôm nay (1)"
    for kind in ("overdue", "supplement", "results", "forwarded_out", "to_forward"):
        page.show_list(kind)
        settle(qtbot, desk)
        assert [r.dossier_id for r in page.model.rows] == [ids[kind]], kind
        # The row texts are made once per row: a new list brings its own, not the last list's.
        assert page.model.data(page.model.index(0, 1)) == page.model.rows[0].applicant_name, kind
    page.show_list("overdue")
    settle(qtbot, desk)
    brush = colour(desk, 0)
    assert brush is not None and brush.color() == URGENCY_COLOURS["overdue"]
    page.show_list("results")
    settle(qtbot, desk)
    assert colour(desk, 0) is None  # a result waiting to be handed back is not late
    assert page.model.headerData(0, Qt.Orientation.Horizontal) == "Mã hồ sơ"


def test_instant_search_and_keyboard_navigation(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    ids = fill(desk.ctx.store)
    keyboard.key(K.Key_F, Qt.KeyboardModifier.ControlModifier)  # find
    assert keyboard.focus() is desk.desk.search
    keyboard.type("tran thi")  # no diacritics
    settle(qtbot, desk)
    assert [r.applicant_name for r in desk.desk.model.rows] == ["Trần Thị Lan"]
    assert desk.desk.summary.text() == "Kết quả tìm kiếm: 1 hồ sơ"
    keyboard.key(K.Key_Escape)  # clears the search: back to the list
    settle(qtbot, desk)
    keyboard.type("0912345678")  # by phone
    settle(qtbot, desk)
    assert [r.dossier_id for r in desk.desk.model.rows] == [ids["today"]]
    keyboard.key(K.Key_Down)  # into the table
    assert keyboard.focus() is desk.desk.table
    keyboard.key(K.Key_Return)  # opens the dossier
    settle(qtbot, desk)
    assert desk.tabs.currentWidget() is desk.detail
    assert desk.detail.detail is not None and desk.detail.detail.dossier_id == ids["today"]
    assert desk.detail.fields["applicant"].text() == "Đặng Văn Hùng"
    keyboard.key(K.Key_Escape)  # back to the desk
    assert desk.tabs.currentWidget() is desk.desk
    keyboard.key(K.Key_2, Qt.KeyboardModifier.AltModifier)  # Alt+2: due soon
    settle(qtbot, desk)
    assert desk.desk.kind == "due_soon"
    keyboard.key(K.Key_3, Qt.KeyboardModifier.AltModifier)  # Alt+3: overdue
    settle(qtbot, desk)
    assert [r.dossier_id for r in desk.desk.model.rows] == [ids["overdue"]]
    keyboard.type("d")  # typing in the table goes to the search
    assert keyboard.focus() is desk.desk.search and desk.desk.search.text() == "d"
    settle(qtbot, desk)
    assert {r.applicant_name for r in desk.desk.model.rows} == {
        "Đặng Văn Hùng",
        "Phạm Văn Đức",
        "Hoàng Văn Đất",
    }
    keyboard.key(K.Key_F4)  # F4 from the desk opens the selected dossier
    settle(qtbot, desk)
    assert desk.tabs.currentWidget() is desk.detail
    assert desk.detail.dossier_id == desk.desk.model.rows[0].dossier_id
