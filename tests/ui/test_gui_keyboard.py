"""The keyboard at the counter: Alt letters reach the applicant's fields (no letter twice), a date field is
left with one Tab, Ctrl+N asks before clearing, F1 lists every shortcut, the desk's search replaces the
last query and opens a single hit with Enter, dialogs say Ctrl+Enter accepts; validation in one round
without fields moving."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from gui_helpers import PAYLOAD, Keyboard, settle
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.shell.main_window import MainWindow

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def mnemonic(text: str) -> str | None:
    m = re.search(r"&([^&\s])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def shown_mnemonics(window: MainWindow) -> list[tuple[str, str]]:
    """(letter, text) of every Alt letter reachable on the intake screen: menus, tabs, captions, buttons."""
    found: list[tuple[str, str]] = []
    for action in window.menuBar().actions():
        if (letter := mnemonic(action.text())) is not None:
            found.append((letter, action.text()))
    for i in range(window.tabs.count()):
        if (letter := mnemonic(window.tabs.tabText(i))) is not None:
            found.append((letter, window.tabs.tabText(i)))
    for widget in window.intake.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.buddy() is not None or isinstance(widget, QAbstractButton):
            text = widget.text()
            if (letter := mnemonic(text)) is not None:
                found.append((letter, text))
    return found


def test_alt_letters_are_unique_and_move_to_the_applicant_fields(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    letters = shown_mnemonics(desk)
    seen: dict[str, str] = {}
    for letter, text in letters:
        assert letter not in seen, f"Alt+{letter.upper()}: {seen[letter]!r} and {text!r}"
        seen[letter] = text
    fields = {
        "h": intake.edits["full_name"],
        "d": intake.edits["personal_id"],
        "n": intake.edits["birth_date"],
        "g": intake.gender,
        "o": intake.edits["phone"],
        "c": intake.edits["address"],
        "p": intake.picker.edit,
    }
    for letter, field in fields.items():
        intake.notes.setFocus()
        keyboard.key(Qt.Key(ord(letter.upper())), ALT)
        assert QApplication.focusWidget() is field, f"Alt+{letter.upper()}"


def test_a_phone_number_after_alt_o_costs_the_digits_only(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    keyboard.scan(PAYLOAD)
    keyboard.type("khai sinh")
    keyboard.key(K.Key_Return)  # focus in the papers list
    before = keyboard.count
    keyboard.key(K.Key_O, ALT)
    keyboard.type("0912345678")
    assert keyboard.count - before == 11
    assert intake.edits["phone"].text() == "0912345678"
    settle(qtbot, desk)


def test_the_supplement_deadline_is_left_with_one_tab(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    actor = Actor("Trần Văn Trước", "Quầy 2")
    applicant = svc.ApplicantInput(full_name="Lê Thị Hoa", personal_id="024190012345", address="Bắc Giang")
    at = datetime.now().replace(microsecond=0) - timedelta(hours=1)
    r = svc.receive(desk.ctx.store, actor, svc.ReceiveRequest("1.004873", applicant, received_at=at))
    desk.open_dossier(r.dossier_id)
    settle(qtbot, desk)
    dialog = desk.detail.start_action("request_supplement")
    assert dialog is not None and dialog.deadline is not None
    qtbot.waitUntil(dialog.isActiveWindow)
    hint = dialog.findChild(QLabel, "acceptHint")
    assert hint is not None and "Ctrl+Enter" in hint.text() and hint.isVisible()
    dialog.deadline.setFocus()
    keyboard.key(K.Key_Tab)
    assert QApplication.focusWidget() is dialog.reason
    keyboard.type("Thiếu bản sao")
    assert dialog.reason.toPlainText() == "Thiếu bản sao"
    dialog.reject()


def test_ctrl_n_asks_before_clearing_a_filled_form(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    keyboard.key(K.Key_N, CTRL)  # an empty form: nothing to ask
    assert intake.confirm_box is None
    keyboard.scan(PAYLOAD)
    keyboard.key(K.Key_N, CTRL)
    box = intake.confirm_box
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(box.isActiveWindow)
    keyboard.key(K.Key_Escape)  # keep
    qtbot.waitUntil(lambda: intake.confirm_box is None and desk.isActiveWindow())
    assert intake.edits["full_name"].text() == "Đặng Văn Hùng"
    assert keyboard.focus() is intake.picker.edit
    keyboard.key(K.Key_N, CTRL)
    box = intake.confirm_box
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(box.isActiveWindow)
    clear = next(b for b in box.buttons() if b.text() == "&Xóa")
    keyboard.click(clear)
    settle(qtbot, desk)
    assert intake.edits["full_name"].text() == ""


def test_f1_lists_every_shortcut(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    keyboard.key(K.Key_F1)
    box = desk.findChild(QMessageBox, "shortcutsBox")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    text = box.text()
    for shortcut in ("F1", "F2", "F3", "F4", "F9", "Ctrl+,", "Ctrl+L", "Ctrl+F", "Ctrl+N", "Ctrl+R", "Alt+O"):
        assert shortcut in text, shortcut
    assert "Ctrl+Enter đồng ý" in text  # in dialogs
    box.close()


def test_the_desk_search_replaces_the_last_query_and_opens_a_single_hit(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    actor = Actor("Trần Văn Trước", "Quầy 2")
    for name, pid in (("Lê Thị Hoa", "024190012345"), ("Phạm Văn An", "024090054321")):
        applicant = svc.ApplicantInput(full_name=name, personal_id=pid, address="Bắc Giang")
        svc.receive(desk.ctx.store, actor, svc.ReceiveRequest("1.004873", applicant))
    keyboard.key(K.Key_F, CTRL)
    keyboard.type("hoa")
    settle(qtbot, desk)
    keyboard.key(K.Key_F2)
    keyboard.key(K.Key_F3)  # back: the focus in the list, the old query in the box
    settle(qtbot, desk)
    keyboard.type("pham")  # typing in the list goes to the search box, replacing "hoa"
    assert desk.desk.search.text() == "pham"
    keyboard.key(K.Key_Return)  # one hit: Enter opens it
    settle(qtbot, desk)
    assert desk.tabs.currentWidget() is desk.detail
    assert desk.detail.detail is not None and desk.detail.detail.applicant_name == "Phạm Văn An"


def test_every_field_error_at_once_and_no_field_moves(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    keyboard.type("khai sinh")
    keyboard.key(K.Key_Return)
    intake.edits["phone"].setFocus()
    keyboard.type("nhung@@gmail")
    intake.edits["birth_date"].setFocus()
    keyboard.type("12/12/2099")
    intake.papers.setFocus()
    settle(qtbot, desk)
    watched = [*intake.edits.values(), intake.gender, intake.papers, intake.sets, intake.notes]
    before = [w.mapTo(desk, QPoint(0, 0)) for w in watched]
    keyboard.key(K.Key_Return, CTRL)  # no name, no paper, a bad phone, a future birth date
    settle(qtbot, desk)
    assert desk.preview is None
    for name in ("full_name", "phone", "birth_date", "papers"):
        assert intake.errors[name].isVisible() and intake.errors[name].text(), name
    assert [w.mapTo(desk, QPoint(0, 0)) for w in watched] == before
