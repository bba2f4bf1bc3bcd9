"""What the counter shows is whole and true: the fee text is never cut."""

from __future__ import annotations

from gui_helpers import Keyboard, settle
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.shell.main_window import MainWindow


def test_the_fee_text_is_never_cut(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    longest = max(desk.ctx.catalogue, key=lambda p: len(p.fee_text or ""))
    assert len(longest.fee_text) > 90  # the old cut-off
    keyboard.type(longest.code)
    keyboard.key(Qt.Key.Key_Return)
    settle(qtbot, desk)
    shown = desk.intake.fee_value.text()
    assert longest.fee_text in shown and "…" not in shown.replace(longest.fee_text, "")
    fee = desk.intake.fee_value
    assert fee.wordWrap() and fee.height() >= fee.heightForWidth(fee.width())  # every line has room


def test_choosing_the_competent_commune_at_intake(desk: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    """Registering a household business where the business is, not where the applicant lives."""
    from gui_helpers import PAYLOAD
    from sqlalchemy import select

    from app.models import Dossier

    intake = desk.intake
    keyboard.scan(PAYLOAD)  # lives in phường Bắc Giang
    keyboard.type("ho kinh doanh")
    keyboard.key(Qt.Key.Key_Return)
    settle(qtbot, desk)
    before = intake.agency_value.text()
    keyboard.key(Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert keyboard.focus() is intake.commune.edit
    keyboard.type("kinh bac")
    settle(qtbot, desk)
    assert intake.commune.list.isVisible() and intake.commune.list.count() >= 1
    keyboard.key(Qt.Key.Key_Return)
    assert intake.commune.code is not None
    assert keyboard.focus() is intake.papers
    settle(qtbot, desk)
    assert "Kinh Bắc" in intake.agency_value.text() and intake.agency_value.text() != before
    keyboard.key(Qt.Key.Key_Space)
    keyboard.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, desk)
    assert desk.preview is not None
    with desk.ctx.store.read() as s:
        d = s.scalar(select(Dossier))
        assert d is not None and "Kinh Bắc" in (d.competent_agency or "")


def test_a_scan_shows_the_citizens_earlier_dossiers(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    from gui_helpers import PAYLOAD

    from app.domain.status import Action
    from app.services import dossiers as svc
    from app.services.audit import Actor

    actor = Actor("Trần Văn Trước", "Quầy 2")
    mine = svc.ApplicantInput(full_name="Đặng Văn Hùng", personal_id="024090012345", address="Bắc Giang")
    other = svc.ApplicantInput(full_name="Lê Thị Hoa", personal_id="024190012345", address="Bắc Giang")
    earlier = svc.receive(desk.ctx.store, actor, svc.ReceiveRequest("2.000908", mine)).dossier_id
    svc.perform(desk.ctx.store, actor, earlier, Action.RESULT_READY)
    svc.receive(desk.ctx.store, actor, svc.ReceiveRequest("2.000908", other))
    history = desk.intake.history
    assert not history.isVisible()
    keyboard.scan(PAYLOAD)
    settle(qtbot, desk)
    assert history.isVisible() and history.list.count() == 1
    assert "Đã có kết quả" in history.list.item(0).text()
    keyboard.key(Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    assert keyboard.focus() is history.list
    keyboard.key(Qt.Key.Key_Return)
    settle(qtbot, desk)
    assert desk.tabs.currentWidget() is desk.detail
    assert desk.detail.detail is not None and desk.detail.detail.dossier_id == earlier
    keyboard.key(Qt.Key.Key_F2)  # back: the form as it was
    assert desk.intake.edits["full_name"].text() == "Đặng Văn Hùng" and history.isVisible()
