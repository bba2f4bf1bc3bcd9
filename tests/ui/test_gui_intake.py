"""The intake screen driven as an operator drives it: log in, scan the ID card, type the procedure, tick
papers with Space, Ctrl+Enter; then the database, the printed receipt and the desk list."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from gui_helpers import PAYLOAD, Keyboard, Starter, log_in, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.domain.text import fold
from app.models import Dossier, PrintedDocument
from app.services.drafts import INTAKE, load_draft
from app.ui.screens.intake import match_procedures
from app.ui.shell.main_window import MainWindow

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def pdf_text(data: bytes) -> str:
    return fold("\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages))


def test_a_whole_intake_as_the_operator_does_it(
    launch: Starter, qtbot: QtBot, keyboard: Keyboard, data_dir: Path
) -> None:
    window = launch()
    # Log in with the keyboard: the user name field has the focus.
    assert keyboard.focus() is window.login_page.username
    keyboard.type("demo")
    keyboard.key(K.Key_Return)  # → password
    keyboard.type("motcua")
    keyboard.key(K.Key_Return)
    settle(qtbot, window)
    assert window.ctx.session is not None
    assert window.status.operator_label.text() == "Cán bộ: Nguyễn Thị Minh Anh · Quầy 1"
    intake = window.intake
    assert keyboard.focus() is intake.picker.edit

    # The scanner types into whatever has the focus (here the procedure field), ending with Enter.
    keyboard.scan(PAYLOAD)
    settle(qtbot, window)
    e = intake.edits
    assert e["full_name"].text() == "Đặng Văn Hùng"
    assert e["personal_id"].text() == "024090012345"
    assert e["birth_date"].text() == "01/02/1990"
    assert intake.gender.currentData() == "Nam"
    assert e["address"].text() == "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"
    assert intake.picker.edit.text() == ""  # the digits typed into it were taken back
    assert "Đặng Văn Hùng" in intake.scan_banner.text()
    assert keyboard.focus() is intake.picker.edit

    # The procedure by typing without diacritics, arrows, Enter.
    keyboard.type("khai sinh")
    assert intake.picker.list.count() >= 5
    keyboard.key(K.Key_Down)
    keyboard.key(K.Key_Down)
    keyboard.key(K.Key_Up)
    keyboard.key(K.Key_Up)
    keyboard.key(K.Key_Return)
    assert intake.picker.current is not None and intake.picker.current.code == "1.001193"
    assert keyboard.focus() is intake.papers
    # Papers by keyboard: Space ticks, ↓ moves, + adds a copy.
    keyboard.key(K.Key_Space)
    keyboard.key(K.Key_Down)
    keyboard.key(K.Key_Space)
    keyboard.key(K.Key_Plus)
    assert intake.papers.ticked() == [0, 1, 5]  # 5: the ID card, ticked because it was scanned
    settle(qtbot, window)
    # Fee, due date and routing are shown live.
    assert intake.due_value.text() != "—"
    assert "phường Bắc Giang" in intake.agency_value.text()
    assert intake.route_value.text().startswith("Xã, phường này giải quyết")

    keyboard.key(K.Key_Return, CTRL)  # save and print
    settle(qtbot, window)
    preview = window.preview
    assert preview is not None and preview.isVisible() and preview.page_count >= 1
    pages = preview.page_count

    # The database: one dossier with the applicant, the papers ticked, the operator recorded.
    with window.ctx.store.read() as s:
        d = s.scalar(select(Dossier))
        assert d is not None and d.code is not None
        assert d.applicant.full_name == "Đặng Văn Hùng" and d.applicant.personal_id == "024090012345"
        assert d.applicant.gender == "Nam" and d.applicant.unit_code == "07210"
        assert [(p["form"], p["count"]) for p in d.papers_received] == [
            ("original", 1),
            ("original", 2),
            ("show", 1),
        ]
        assert d.events[0].operator_name == "Nguyễn Thị Minh Anh" and d.events[0].workstation_name == "Quầy 1"
        archived = s.scalar(select(PrintedDocument).where(PrintedDocument.dossier_id == d.id))
        assert archived is not None and archived.form == "receipt" and not archived.is_copy
        code = d.code
    # The receipt: the code and the name appear in the PDF shown.
    shown = preview.pdf
    text = pdf_text(shown)
    assert code.lower() in text and "dang van hung" in text
    assert shown == archived.pdf

    # Print (to a PDF file in tests): the preview closes, the focus is back for the next citizen.
    keyboard.key(K.Key_P, CTRL)
    settle(qtbot, window)
    printed = data_dir / "printed.pdf"
    assert printed.exists() and len(pypdf.PdfReader(printed).pages) == pages
    assert window.preview is None
    assert intake.edits["full_name"].text() == "" and intake.picker.current is None
    assert code in intake.scan_banner.text()
    assert load_draft(window.ctx.store, INTAKE) is None

    # The desk lists it (today), and F3 gets there.
    keyboard.key(K.Key_F3)
    settle(qtbot, window)
    assert [r.code for r in window.desk.model.rows] == [code]
    assert window.desk.counts["today"] == 1
    assert window.status.pending_label.text() == "Chờ đồng bộ: 1"


def test_the_preview_opens_before_the_sync_round_and_the_ocr_are_woken(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After Ctrl+Enter the receipt's preview opens first, in its own turn of the event loop; the sync
    round and the OCR are woken once it is on screen (``WAKE_AFTER_SAVE_MS`` later), so that they do not
    compete with its opening for the interpreter's lock and the cores."""
    seen: list[tuple[str, bool]] = []

    def shown() -> bool:
        return desk.preview is not None and desk.preview.isVisible()

    monkeypatch.setattr(desk, "wake_sync", lambda: seen.append(("sync", shown())))
    monkeypatch.setattr(desk.ctx, "wake_ocr", lambda: seen.append(("ocr", shown())))
    desk.intake.setFocus()
    keyboard.scan(PAYLOAD)
    keyboard.type("khai")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_Space)
    keyboard.key(K.Key_Return, CTRL)  # save and print
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen == [("sync", True), ("ocr", True)]
    settle(qtbot, desk)
    assert desk.preview is not None
    qtbot.keyClick(desk.preview, K.Key_Escape)  # closed without printing
    qtbot.waitUntil(lambda: desk.preview is None)


def test_a_typical_intake_takes_at_most_15_input_events(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    desk.intake.setFocus()
    keyboard.scan(PAYLOAD)  # not counted: the scanner types it
    keyboard.type("khai")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_Space)  # the declaration form
    keyboard.key(K.Key_Down)
    keyboard.key(K.Key_Space)  # the birth certificate
    assert desk.intake.papers.ticked() == [0, 1, 5]  # the ID card shown: ticked by the scan
    keyboard.key(K.Key_Return, CTRL)  # save and print
    settle(qtbot, desk)
    assert desk.preview is not None
    keyboard.key(K.Key_P, CTRL)  # print the receipt; the preview closes
    settle(qtbot, desk)
    assert desk.preview is None
    with desk.ctx.store.read() as s:
        d = s.scalar(select(Dossier))
        assert d is not None and len(d.papers_received) == 3
    print(f"operator input events for a typical intake: {keyboard.count} ({' '.join(keyboard.log)})")
    assert keyboard.count <= 15


def test_validation_messages_appear_next_to_their_fields(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    keyboard.key(K.Key_Return, CTRL)
    assert intake.errors["procedure"].isVisible()
    assert "thủ tục" in intake.errors["procedure"].text()
    intake.picker.set_code("1.001193")
    intake._procedure_chosen(intake.picker.current)
    keyboard.key(K.Key_Return, CTRL)
    assert intake.errors["papers"].isVisible() and not intake.errors["procedure"].isVisible()
    intake.papers.set_ticked({0: 1})
    intake.edits["full_name"].setText("Nguyen 3")
    intake.edits["phone"].setText("12345")
    intake.edits["birth_date"].setText("31/02/1990")
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    for name in ("full_name", "phone", "birth_date"):
        assert intake.errors[name].isVisible(), name
    assert "Họ" in intake.errors["full_name"].text() or "họ" in intake.errors["full_name"].text()
    with desk.ctx.store.read() as s:
        assert s.scalar(select(Dossier)) is None  # nothing half-written
    # Correcting a field hides its message.
    intake.edits["phone"].setFocus()
    keyboard.key(K.Key_Backspace)
    assert not intake.errors["phone"].isVisible()


def test_what_the_card_does_not_say_is_reported(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    intake = desk.intake
    intake.edits["phone"].setFocus()
    keyboard.type("09")  # the operator had started typing a phone number, then scans
    keyboard.scan("024090012345||Đặng Văn Hùng|01021990||Tổ 5, Phường Trần Phú|")
    settle(qtbot, desk)
    assert intake.edits["phone"].text() == "09"  # restored after the burst
    assert intake.edits["full_name"].text() == "Đặng Văn Hùng"
    assert intake.errors["gender"].isVisible() and "giới tính" in intake.errors["gender"].text()
    assert "Không đọc được" in intake.scan_banner.text()


def test_refusal_records_the_reason_and_prints_the_slip(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    keyboard.scan(PAYLOAD)
    keyboard.type("khai tu")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_R, CTRL)
    dialog = intake.reason_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)  # the operator sees the dialog
    keyboard.key(K.Key_Return, CTRL)  # no reason: refused inline
    settle(qtbot, desk)
    assert dialog.error.isVisible()
    keyboard.type("Thiếu giấy báo tử")
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    assert desk.preview is not None
    assert "thieu giay bao tu" in pdf_text(desk.preview.pdf)
    with desk.ctx.store.read() as s:
        d = s.scalar(select(Dossier))
        assert d is not None and d.status == "refused" and d.code is None and d.notes == "Thiếu giấy báo tử"


def test_the_draft_survives_a_restart(launch: Starter, qtbot: QtBot, keyboard: Keyboard) -> None:
    window = launch()
    log_in(qtbot, window)
    keyboard.scan(PAYLOAD)
    keyboard.type("ket hon")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_Space)
    window.intake.edits["phone"].setFocus()
    keyboard.type("0912345678")
    settle(qtbot, window)  # the debounced autosave ran: a crash now loses nothing
    assert load_draft(window.ctx.store, INTAKE) is not None
    keyboard.type("9")  # a last change, still waiting for the autosave …
    window.close()  # … is flushed when the window closes without saving
    again = launch()
    assert again is not window
    log_in(qtbot, again)
    intake = again.intake
    assert intake.edits["full_name"].text() == "Đặng Văn Hùng"
    assert intake.edits["phone"].text() == "09123456789"
    assert intake.picker.current is not None and intake.picker.current.code == "1.000894"
    assert intake.papers.ticked() == [0, 1]  # the declaration and the ID card (scanned)
    assert "khôi phục" in intake.scan_banner.text()


def test_the_form_survives_switching_screens_and_logging_out(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    keyboard.scan(PAYLOAD)
    keyboard.key(K.Key_F3)
    keyboard.key(K.Key_F2)
    assert desk.intake.edits["full_name"].text() == "Đặng Văn Hùng"
    keyboard.key(K.Key_L, CTRL)  # log out: the form is put away
    settle(qtbot, desk)
    assert desk.stack.currentWidget() is desk.login_page
    assert desk.intake.edits["full_name"].text() == ""
    log_in(qtbot, desk)
    assert desk.intake.edits["full_name"].text() == "Đặng Văn Hùng"


@pytest.mark.parametrize(
    ("query", "first"),
    [("khai sinh", "1.001193"), ("ket hon", "1.000894"), ("dkks", "1.001193"), ("1.004873", "1.004873")],
)
def test_procedure_matching(desk: MainWindow, query: str, first: str) -> None:
    assert match_procedures(desk.ctx.catalogue, query)[0].code == first


def test_scan_on_the_desk_finds_the_citizen(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    keyboard.scan(PAYLOAD)
    keyboard.type("khai sinh")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_Space)
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    assert desk.preview is not None
    qtbot.waitUntil(desk.preview.isActiveWindow)
    keyboard.key(K.Key_Escape)  # close the preview without printing
    qtbot.waitUntil(desk.isActiveWindow)
    keyboard.key(K.Key_F3)
    desk.desk.show_list("results")  # an empty list
    settle(qtbot, desk)
    assert desk.desk.model.rows == []
    keyboard.scan(PAYLOAD)
    settle(qtbot, desk)
    assert desk.tabs.currentWidget() is desk.desk
    assert desk.desk.search.text() == "024090012345"
    assert [r.applicant_name for r in desk.desk.model.rows] == ["Đặng Văn Hùng"]
    assert QApplication.focusWidget() is desk.desk.search


def test_consent_to_notices_is_recorded(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    intake = desk.intake
    keyboard.scan(PAYLOAD)
    keyboard.type("khai sinh")
    keyboard.key(K.Key_Return)
    intake.papers.set_ticked({0: 1})
    intake.notify["sms"].setChecked(True)
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    assert intake.errors["phone"].isVisible() and "SMS/Zalo" in intake.errors["phone"].text()
    with desk.ctx.store.read() as s:
        assert s.scalar(select(Dossier)) is None
    intake.edits["phone"].setText("0912345678")
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    with desk.ctx.store.read() as s:
        d = s.scalar(select(Dossier))
        assert d is not None and d.notify == "sms"
