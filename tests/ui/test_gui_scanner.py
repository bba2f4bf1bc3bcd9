"""The ID-card scanner as a US-layout keyboard-wedge scanner types (Shift pressed and released around each
``|``), into every focusable widget of the intake and the desk: the applicant fills itself, the widget the
burst typed into is as it was, and a payload that is not a card's says so."""

from __future__ import annotations

from gui_helpers import PAYLOAD, Keyboard, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.ui.screens.intake import is_applicant_id_paper
from app.ui.shell.main_window import MainWindow

K = Qt.Key


def focus_chain(root: QWidget) -> list[QWidget]:
    """The widgets Tab reaches under ``root`` (as shown now)."""
    seen: list[QWidget] = []
    start = root.window()
    w = start.nextInFocusChain()
    while w is not start and len(seen) < 500:
        if (
            root.isAncestorOf(w)
            and w.isVisible()
            and w.isEnabled()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.focusProxy() is None
        ):
            seen.append(w)
        w = w.nextInFocusChain()
    return seen


def state(widget: QWidget) -> object:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QComboBox):
        return (widget.currentIndex(), widget.currentText())
    if isinstance(widget, QAbstractItemView):
        model = widget.model()
        checks = (
            [model.index(r, 0).data(Qt.ItemDataRole.CheckStateRole) for r in range(model.rowCount())]
            if model is not None
            else []
        )
        return (widget.currentIndex().row(), checks)
    return None


def choose_procedure(window: MainWindow, keyboard: Keyboard, qtbot: QtBot) -> None:
    window.intake.picker.edit.setFocus()
    keyboard.type("khai tu")
    keyboard.key(K.Key_Return)
    settle(qtbot, window)
    assert window.intake.papers.count() > 0


def test_a_scan_with_shift_fills_the_form_from_every_intake_widget(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    choose_procedure(desk, keyboard, qtbot)
    widgets = focus_chain(intake)
    names = {w.objectName() for w in widgets}
    # The report's places: the papers list and "Số bộ", besides the text fields.
    assert {"papersList", "field_sets", "procedureSearch", "field_phone", "field_delivery"} <= names
    for widget in widgets:
        if widget.objectName() in {"saveButton", "refuseButton"}:
            continue  # buttons: Enter would press them; the scan still fills (checked below)
        intake.edits["full_name"].clear()
        intake.edits["personal_id"].clear()
        widget.setFocus()
        assert QApplication.focusWidget() is widget
        before = state(widget) if widget is not intake.edits["full_name"] else ""
        keyboard.scan(PAYLOAD)
        settle(qtbot, desk)
        assert intake.edits["full_name"].text() == "Đặng Văn Hùng", widget.objectName()
        assert intake.edits["personal_id"].text() == "024090012345", widget.objectName()
        if widget not in (intake.edits["full_name"], intake.edits["personal_id"], intake.gender):
            assert state(widget) == before, widget.objectName()
        assert "Đặng Văn Hùng" in intake.scan_banner.text()
    assert intake.sets.value() == 1


def test_a_scan_into_the_sets_box_leaves_its_count(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    choose_procedure(desk, keyboard, qtbot)
    intake.sets.setFocus()
    keyboard.key(K.Key_Up)  # two sets
    keyboard.scan(PAYLOAD)
    settle(qtbot, desk)
    assert intake.sets.value() == 2 and intake.sets.text() == "2"
    assert intake.edits["full_name"].text() == "Đặng Văn Hùng"


def test_a_scan_into_the_papers_list_ticks_nothing(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    choose_procedure(desk, keyboard, qtbot)
    assert QApplication.focusWidget() is intake.papers
    keyboard.key(K.Key_Down)
    keyboard.scan(PAYLOAD)  # spaces in the name would tick papers if they reached the list
    settle(qtbot, desk)
    assert intake.papers.currentRow() == 1
    id_cards = [
        i for i, (name, form, _n) in enumerate(intake.papers._papers) if is_applicant_id_paper(name, form)
    ]
    assert id_cards and intake.papers.ticked() == id_cards  # only the scan's own tick
    assert intake.edits["full_name"].text() == "Đặng Văn Hùng"


def test_a_truncated_scan_says_so_and_leaves_the_field(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    choose_procedure(desk, keyboard, qtbot)
    intake.papers.setFocus()
    keyboard.scan("038195012345||Lê Văn")
    settle(qtbot, desk)
    assert "Không đọc được" in intake.scan_banner.text()
    assert intake.edits["full_name"].text() == "Lê Văn"
    intake.picker.edit.setFocus()
    before = intake.picker.edit.text()
    keyboard.scan("ABC|DEF|GHI|JKL")  # not a card at all
    settle(qtbot, desk)
    assert intake.picker.edit.text() == before
    assert intake.scan_banner.text().startswith("Không đọc được thẻ")
    intake.notes.setFocus()
    keyboard.scan("038195012345;;Lê Thị Hồng Nhung;12031995")  # the scanner set to another layout
    settle(qtbot, desk)
    assert intake.notes.text() == ""
    assert intake.scan_banner.text().startswith("Không đọc được thẻ")


def test_a_person_typing_a_pipe_is_not_a_scan(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    intake = desk.intake
    intake.notes.setFocus()
    keyboard.type("024090012345")
    keyboard.key(K.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
    keyboard.type("|")
    settle(qtbot, desk)
    assert intake.notes.text() == "024090012345|"
    assert intake.edits["full_name"].text() == ""


def test_a_scan_on_the_desk_finds_the_citizen_from_every_widget(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    keyboard.key(K.Key_F3)
    settle(qtbot, desk)
    widgets = focus_chain(desk.desk)
    assert desk.desk.table in widgets and desk.desk.search in widgets
    for widget in widgets:
        desk.desk.search.clear()
        settle(qtbot, desk)
        widget.setFocus()
        keyboard.scan(PAYLOAD)
        settle(qtbot, desk)
        assert desk.tabs.currentWidget() is desk.desk, widget.objectName()
        assert desk.desk.search.text() == "024090012345", widget.objectName()
