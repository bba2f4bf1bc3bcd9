"""The dashboard's portal reconciliation (issue 20 item 5): computed on the worker lane, one row per
difference with its reason (app/services/reconcile.py; the server's acknowledgements as pulled by sync)."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.reconcile import Reason
from app.models import Dossier, PortalAck
from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.dialogs.reconcile import ReconcileDialog
from app.ui.shell.main_window import MainWindow

ACTOR = Actor("Trần Văn Trước", "Quầy 2")


def test_reconciliation_dialog(desk: MainWindow, qtbot: QtBot) -> None:
    store = desk.ctx.store
    now = datetime.now().replace(microsecond=0)
    ids = [
        svc.receive(
            store,
            ACTOR,
            svc.ReceiveRequest(
                "1.004873",
                svc.ApplicantInput(full_name=f"Người {'AB'[i]}", address="Phường Bắc Giang"),
                received_at=now - timedelta(minutes=5 - i),
            ),
        ).dossier_id
        for i in range(2)
    ]
    with store.write() as s:  # what a sync round would have pulled: the portal holds the first, on time
        first = s.get(Dossier, ids[0])
        assert first is not None
        s.add(
            PortalAck(
                dossier_id=ids[0],
                code=first.code,
                state="synced",
                records=1,
                acked=1,
                status=2,
                first_event_at=datetime(2026, 3, 2, 1, 0),
                first_acked_at=datetime(2026, 3, 2, 1, 5),
                last_acked_at=datetime(2026, 3, 2, 1, 5),
            )
        )
        second = s.get(Dossier, ids[1])
        assert second is not None
        missing = second.code
    page = desk.dashboard
    desk.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    qtbot.mouseClick(page.reconcile_button, Qt.MouseButton.LeftButton)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ReconcileDialog))
    assert dialog.loading  # on the worker lane
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.report is not None and dialog.report.known == 2 and dialog.report.acknowledged == 1
    assert dialog.table.rowCount() == 1
    item = dialog.table.item(0, 0)
    reason = dialog.table.item(0, 1)
    assert item is not None and reason is not None
    assert item.text() == missing and reason.text() == dialog._reasons[Reason.NEVER_SYNCED]
    assert "2" in dialog.summary.text() and "1" in dialog.summary.text()
    # An impossible period is refused in the operator's language, never a traceback.
    dialog.first.setDate(dialog.last.date().addDays(1))
    dialog.refresh()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    assert dialog.run_button.isEnabled()
    dialog.close()
