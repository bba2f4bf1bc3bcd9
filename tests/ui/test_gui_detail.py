"""The dossier screen: only the actions the status machine allows, each asking what it needs, recorded with
the operator, and printing its slip (supplement request, apology, stop notice) with a preview."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pypdf
import pytest
from gui_helpers import Keyboard, settle
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.domain.status import Action
from app.domain.text import fold
from app.models import Dossier
from app.models.db import Store
from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.dialogs.common import ActionDialog
from app.ui.shell.main_window import MainWindow

ACTOR = Actor("Trần Văn Trước", "Quầy 2")
ADDRESS = "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"


def receive(store: Store, procedure: str = "1.004873", *before: Action) -> str:
    applicant = svc.ApplicantInput(full_name="Lê Thị Hoa", personal_id="024190012345", address=ADDRESS)
    at = datetime.now().replace(microsecond=0) - timedelta(hours=1)
    r = svc.receive(store, ACTOR, svc.ReceiveRequest(procedure, applicant, received_at=at))
    for action in before:
        svc.perform(
            store, ACTOR, r.dossier_id, action, reason="Chuẩn bị" if action in svc.NEEDS_REASON else ""
        )
    return r.dossier_id


def pdf_text(data: bytes) -> str:
    return fold("\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages))


def open_detail(window: MainWindow, qtbot: QtBot, dossier_id: str) -> None:
    window.open_dossier(dossier_id)
    settle(qtbot, window)
    assert window.detail.detail is not None and window.detail.detail.dossier_id == dossier_id


def start(window: MainWindow, qtbot: QtBot, action: str) -> ActionDialog:
    button = window.detail.findChild(QPushButton, f"action_{action}")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.detail.dialog
    assert dialog is not None and dialog.action == action
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def fill_reason(text: str) -> Callable[[ActionDialog, Keyboard], None]:
    def fill(dialog: ActionDialog, keyboard: Keyboard) -> None:
        dialog.reason.setFocus()
        keyboard.type(text)

    return fill


def no_input(dialog: ActionDialog, keyboard: Keyboard) -> None:
    pass


def choose_agency(dialog: ActionDialog, keyboard: Keyboard) -> None:
    assert dialog.agency is not None
    assert dialog.agency.currentData() == "000.00.15.H06"  # the competent agency, preselected


def supplement(dialog: ActionDialog, keyboard: Keyboard) -> None:
    assert dialog.missing is not None
    dialog.missing.setPlainText("Tờ khai: chưa ký\nBản sao sổ hộ khẩu: thiếu chứng thực")
    fill_reason("Hồ sơ chưa đầy đủ")(dialog, keyboard)


def apology(dialog: ActionDialog, keyboard: Keyboard) -> None:
    assert dialog.new_due is not None
    fill_reason("Cần xác minh thêm")(dialog, keyboard)


CASES: list[
    tuple[str, str, tuple[Action, ...], Callable[[ActionDialog, Keyboard], None], str, str | None]
] = [
    ("start_processing", "1.004873", (), no_input, "in_process", None),
    ("forward", "1.013831", (), choose_agency, "in_process", None),
    ("request_supplement", "1.004873", (), supplement, "supplement_requested", "supplement"),
    ("supplement_received", "1.004873", (Action.REQUEST_SUPPLEMENT,), no_input, "in_process", None),
    ("request_fees", "1.004873", (Action.START_PROCESSING,), no_input, "fees_requested", None),
    ("fees_paid", "1.004873", (Action.REQUEST_FEES,), no_input, "in_process", None),
    ("result_ready", "1.004873", (Action.START_PROCESSING,), no_input, "result_ready", None),
    ("hand_back", "1.004873", (Action.RESULT_READY,), no_input, "returned", None),
    ("apologise", "1.004873", (Action.START_PROCESSING,), apology, "in_process", "apology"),
    ("withdraw", "1.004873", (), fill_reason("Công dân xin rút"), "withdrawn", None),
    ("stop", "1.004873", (Action.START_PROCESSING,), fill_reason("Không đủ điều kiện"), "stopped", "stop"),
]


@pytest.mark.parametrize(
    ("action", "procedure", "before", "fill", "status", "form"), CASES, ids=[c[0] for c in CASES]
)
def test_each_action(
    desk: MainWindow,
    qtbot: QtBot,
    keyboard: Keyboard,
    action: str,
    procedure: str,
    before: tuple[Action, ...],
    fill: Callable[[ActionDialog, Keyboard], None],
    status: str,
    form: str | None,
) -> None:
    dossier_id = receive(desk.ctx.store, procedure, *before)
    open_detail(desk, qtbot, dossier_id)
    dialog = start(desk, qtbot, action)
    fill(dialog, keyboard)
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    assert desk.detail.dialog is None, desk.detail.message.text()
    with desk.ctx.store.read() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None and d.status == status
        last = d.events[-1]
        assert last.action == action
        assert (last.operator_name, last.workstation_name) == ("Nguyễn Thị Minh Anh", "Quầy 1")
        handling = d.handling_agency
        due = d.due_at
    assert desk.detail.detail is not None and desk.detail.detail.status == status
    assert desk.detail.events.rowCount() == len(before) + 2
    if form is None:
        assert desk.preview is None
    else:
        preview = desk.preview
        assert preview is not None and preview.page_count >= 1
        text = pdf_text(preview.pdf)
        assert "le thi hoa" in text
        if form == "supplement":
            assert "chua ky" in text and "thieu chung thuc" in text
    if action == "forward":
        assert handling.startswith("Văn phòng đăng ký đất đai")
    if action == "apologise":
        assert due is not None and due > datetime.now()
    if action == "hand_back":
        assert desk.detail.action_buttons == {}  # closed: no more actions


def test_an_actions_slip_opens_before_the_sync_round_is_woken(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after an intake: the apology letter's preview opens first, and the sync round (with the OCR)
    is woken once it is on screen, so that they do not compete with its opening."""
    seen: list[tuple[str, bool]] = []

    def shown() -> bool:
        return desk.preview is not None and desk.preview.isVisible()

    monkeypatch.setattr(desk, "wake_sync", lambda: seen.append(("sync", shown())))
    monkeypatch.setattr(desk.ctx, "wake_ocr", lambda: seen.append(("ocr", shown())))
    dossier_id = receive(desk.ctx.store, "1.004873", Action.START_PROCESSING)
    open_detail(desk, qtbot, dossier_id)
    dialog = start(desk, qtbot, "apologise")
    apology(dialog, keyboard)
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen == [("sync", True), ("ocr", True)]
    with desk.ctx.store.read() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None and d.events[-1].action == "apologise"


def test_only_the_allowed_actions_are_offered(desk: MainWindow, qtbot: QtBot) -> None:
    received = receive(desk.ctx.store)
    open_detail(desk, qtbot, received)
    assert list(desk.detail.action_buttons) == [
        "start_processing",
        "forward",
        "request_supplement",
        "request_fees",
        "result_ready",
        "apologise",
        "withdraw",
        "stop",
    ]
    ready = receive(desk.ctx.store, "1.004873", Action.RESULT_READY)
    open_detail(desk, qtbot, ready)
    assert list(desk.detail.action_buttons) == ["hand_back"]


def test_a_refused_action_is_explained_in_the_dialog(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    dossier_id = receive(desk.ctx.store)
    open_detail(desk, qtbot, dossier_id)
    dialog = start(desk, qtbot, "apologise")
    assert dialog.new_due is not None
    dialog.new_due.setDateTime(QDateTime.currentDateTime().addDays(-30))  # before the current due date
    fill_reason("Cần xác minh")(dialog, keyboard)
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    assert desk.detail.dialog is dialog and dialog.isVisible()
    assert dialog.errors["new_due_at"].isVisible() and "ngày hẹn" in dialog.errors["new_due_at"].text()
    dialog.reason.clear()
    dialog.new_due.setDateTime(QDateTime.currentDateTime().addDays(10))
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # and now no reason
    settle(qtbot, desk)
    assert dialog.errors["reason"].isVisible()
    keyboard.key(Qt.Key.Key_Escape)
    with desk.ctx.store.read() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None and [e.action for e in d.events] == ["receive"]


def test_reprint_and_control_slip(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    dossier_id = receive(desk.ctx.store, "1.004873", Action.START_PROCESSING)
    open_detail(desk, qtbot, dossier_id)
    qtbot.mouseClick(desk.detail.reprint_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    preview = desk.preview
    assert preview is not None and preview.print_button.isEnabled()
    assert "BẢN SAO" not in preview.windowTitle()  # the first print of this receipt is the original
    qtbot.waitUntil(preview.isActiveWindow)
    keyboard.key(Qt.Key.Key_Escape)
    qtbot.waitUntil(desk.isActiveWindow)
    qtbot.mouseClick(desk.detail.reprint_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert desk.preview is not None
    assert "ban sao" in pdf_text(desk.preview.pdf)
    desk.preview.reject()
    qtbot.mouseClick(desk.detail.control_button, Qt.MouseButton.LeftButton)
    settle(qtbot, desk)
    assert desk.preview is not None and "phieu kiem soat" in pdf_text(desk.preview.pdf)


# The file dialog's completer pops up while a path is typed: the offscreen plugin cannot raise it or
# grab the keyboard for it (a limitation of the headless platform, as propagateSizeHints in pyproject).
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_save_as_pdf(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, tmp_path: Any) -> None:
    """Ctrl+S in the preview: Qt's own file dialog, in Vietnamese, offering giay-tiep-nhan-<mã>.pdf."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QLineEdit

    dossier_id = receive(desk.ctx.store)
    open_detail(desk, qtbot, dossier_id)
    desk.detail.print_form("receipt")
    settle(qtbot, desk)
    preview = desk.preview
    assert preview is not None
    qtbot.waitUntil(preview.isActiveWindow)
    keyboard.key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dialog = preview.file_dialog
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    name_edit = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name_edit is not None
    code = desk.detail.detail.code if desk.detail.detail is not None else None
    assert name_edit.text() == f"giay-tiep-nhan-{code}.pdf"
    look_in = dialog.findChild(QLabel, "lookInLabel")
    assert look_in is not None and look_in.text() == "Tìm &trong:"
    file_type = dialog.findChild(QLabel, "fileTypeLabel")
    assert file_type is not None and file_type.text() == "&Loại tệp:"
    box = dialog.findChild(QDialogButtonBox, "buttonBox")
    assert box is not None
    assert {b.text() for b in box.buttons()} == {"&Lưu", "Hủy"}
    name_edit.setFocus()
    keyboard.key(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    keyboard.type(str(tmp_path / "giay-tiep-nhan"))
    keyboard.key(Qt.Key.Key_Return)
    settle(qtbot, desk)
    saved = tmp_path / "giay-tiep-nhan.pdf"
    assert saved.read_bytes() == preview.pdf
    assert "giay-tiep-nhan.pdf" in preview.status.text()
    with desk.ctx.store.read() as s:
        assert (
            s.scalar(select(Dossier.code).where(Dossier.id == dossier_id))
            in pdf_text(saved.read_bytes()).upper()
        )


def test_the_timeline_names_where_a_dossier_was_forwarded(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    dossier_id = receive(desk.ctx.store, "1.013831")  # land: the province decides (scenario b)
    desk.desk.show_list("to_forward")
    open_detail(desk, qtbot, dossier_id)
    dialog = start(desk, qtbot, "forward")
    assert dialog.agency is not None
    target = dialog.agency.currentText()
    assert target
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    events = desk.detail.events
    last = events.item(events.rowCount() - 1, 1).text()
    assert last.endswith(f"→ {target}"), last
    desk.show_desk()
    desk.desk.show_list("forwarded_out")
    settle(qtbot, desk)
    assert [r.dossier_id for r in desk.desk.model.rows] == [dossier_id]
    desk.desk.show_list("to_forward")
    settle(qtbot, desk)
    assert desk.desk.model.rows == []
