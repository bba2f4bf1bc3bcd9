"""F6 from the window: the logbook (Mẫu 07) for a period, the hand-over list of a former unit and the
public catalogue, each previewed and printed like the receipt; Mẫu 01's book and entry number come from
the logbook (book = the year, number = place in that year's logbook)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pypdf
from gui_helpers import Keyboard, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.domain.text import fold
from app.models import Centre, Dossier
from app.models.db import Store
from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.dialogs.registers import RegistersDialog
from app.ui.shell.main_window import MainWindow

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
ACTOR = Actor("Trần Văn Trước", "Quầy 2")
ADDRESS = "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"


def receive(store: Store, name: str, at: datetime) -> str:
    applicant = svc.ApplicantInput(full_name=name, personal_id="024190012345", address=ADDRESS)
    r = svc.receive(store, ACTOR, svc.ReceiveRequest("1.004873", applicant, received_at=at))
    assert r.code is not None
    return r.code


def text_of(pdf: bytes) -> str:
    return " ".join(fold(p.extract_text() or "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def squashed(pdf: bytes) -> str:
    return "".join(text_of(pdf).split())


def open_registers(window: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> RegistersDialog:
    keyboard.key(K.Key_F6)
    dialog = window.registers
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    settle(qtbot, window)
    return dialog


def test_logbook_for_a_period_previewed_and_printed(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, data_dir: Path
) -> None:
    today = date.today()
    now = datetime.now().replace(microsecond=0)
    first = receive(desk.ctx.store, "Người Đầu Năm", datetime(today.year, 1, 1, 0, 0, 5))
    second = receive(desk.ctx.store, "Lê Thị Hoa", now - timedelta(minutes=20))
    third = receive(desk.ctx.store, "Trần Văn Ba", now - timedelta(minutes=10))
    assert desk.registers_action.shortcut().toString() == "F6"
    dialog = open_registers(desk, qtbot, keyboard)
    assert dialog.choices["logbook"].isChecked()
    keyboard.key(K.Key_N, ALT)  # Từ &ngày (From): today's date, typed day, month, year
    assert dialog.first.hasFocus()
    keyboard.type(today.strftime("%d%m%Y"))
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    assert desk.registers is None
    preview = desk.preview
    assert preview is not None
    qtbot.waitUntil(preview.isActiveWindow)
    text = text_of(preview.pdf)
    assert "so theo doi ho so" in text and "le thi hoa" in text and "tran van ba" in text
    assert "nguoi dau nam" not in text or today.day == 1 and today.month == 1
    period = f"tu ngay {today:%d/%m/%Y} den ngay {today:%d/%m/%Y}"
    assert f"quyen so: {today.year} - {period}" in text
    flat = squashed(preview.pdf).lower()
    assert second.lower() in flat and third.lower() in flat and first.lower() not in flat
    # TT is the place in the year's book (the first of the year is number 1): 2 and 3, not 1 and 2.
    # (The code wraps after its agency part in its cell.)
    rows = [re.search(r"(\d+) [\d.h]+- " + c.split("-", 1)[1], text) for c in (second, third)]
    assert [m.group(1) if m else None for m in rows] == ["2", "3"], text
    assert preview.windowTitle().startswith("Sổ theo dõi hồ sơ")
    pages = preview.page_count
    keyboard.key(K.Key_P, CTRL)  # printed like the receipt; the preview closes
    settle(qtbot, desk)
    assert desk.preview is None
    printed = pypdf.PdfReader(data_dir / "printed.pdf")  # printed as page images, titled by the dialog
    assert len(printed.pages) == pages
    assert printed.metadata is not None and str(printed.metadata.title).startswith("Sổ theo dõi hồ sơ")

    # Mẫu 01 of the third dossier of the year says so.
    with desk.ctx.store.read() as s:
        third_id = s.scalar(select(Dossier.id).where(Dossier.code == third))
    assert third_id is not None
    desk.open_dossier(third_id)
    settle(qtbot, desk)
    desk.detail.print_form("receipt")
    settle(qtbot, desk)
    assert desk.preview is not None
    receipt = text_of(desk.preview.pdf)
    assert f"quyen so: {today.year}, so thu tu: 3" in receipt, receipt[receipt.find("vao so") :][:120]
    desk.preview.reject()


def test_a_bad_period_is_explained_and_the_catalogue_prints(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    dialog = open_registers(desk, qtbot, keyboard)
    keyboard.key(K.Key_Y, ALT)  # Đến ngà&y (To): before From
    assert dialog.last.hasFocus()
    keyboard.type("01011990")
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    assert desk.registers is dialog and desk.preview is None
    assert dialog.errors["period"].isVisible() and "Ngày cuối kỳ" in dialog.errors["period"].text()
    keyboard.key(K.Key_D, ALT)  # &Danh mục: the public catalogue (a mnemonic clicks after a short delay)
    qtbot.waitUntil(dialog.choices["catalogue"].isChecked)
    assert not dialog.first.isEnabled()
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    preview = desk.preview
    assert preview is not None and desk.registers is None
    assert "danh muc thu tuc hanh chinh" in text_of(preview.pdf)
    assert "thu tuc dang ky khai sinh" in text_of(preview.pdf)
    preview.reject()


def test_hand_over_list_of_a_former_unit(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    store = desk.ctx.store
    with store.write() as s:
        s.add(
            Centre(
                agency_eid="000.13.13.H04",
                kind="commune_centre",
                name="UBND phường Trần Phú",
                parent_name="UBND PHƯỜNG TRẦN PHÚ",
                unit_code="07213",
                province_code="24",
                valid_to=date(2025, 6, 30),
            )
        )
    code = receive(store, "Đặng Văn Hùng", datetime(2025, 6, 20, 9, 0))
    with store.write() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == code))
        assert d is not None
        d.handling_agency_eid, d.handling_agency = "000.13.13.H04", "UBND phường Trần Phú"
    svc.transfer_dissolved(store, ACTOR, "07213", "07210", at=datetime(2025, 7, 1, 8, 0))
    dialog = open_registers(desk, qtbot, keyboard)
    keyboard.key(K.Key_B, ALT)  # Danh sách &bàn giao
    qtbot.waitUntil(dialog.choices["handover"].isChecked)
    assert dialog.unit.isEnabled()
    assert dialog.unit.count() == 1 and dialog.unit.currentData() == "07213"
    assert "UBND phường Trần Phú" in dialog.unit.currentText()
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    preview = desk.preview
    assert preview is not None
    text = text_of(preview.pdf)
    assert "ban giao" in text and "dang van hung" in text
    preview.reject()


def test_f1_lists_f6(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    keyboard.key(K.Key_F1)
    box = desk.findChild(QMessageBox, "shortcutsBox")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert "F6 sổ theo dõi hồ sơ (Mẫu 07)" in box.text()
    box.close()
