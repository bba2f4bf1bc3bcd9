"""The dashboard tab: its figures are computed on the worker lane and drawn as QtCharts."""

from __future__ import annotations

from datetime import datetime, timedelta

from pytestqt.qtbot import QtBot

from app.domain.status import Action
from app.services import dossiers as svc
from app.services.audit import Actor
from app.ui.shell.main_window import MainWindow

ACTOR = Actor("Trần Văn Trước", "Quầy 2")


def test_dashboard_tab(desk: MainWindow, qtbot: QtBot) -> None:
    store = desk.ctx.store
    now = datetime.now().replace(microsecond=0)
    ids = [
        svc.receive(
            store,
            ACTOR,
            svc.ReceiveRequest(
                "1.004873",
                svc.ApplicantInput(full_name=f"Người {'ABC'[i]}", address="Phường Bắc Giang"),
                received_at=at,
            ),
        ).dossier_id
        for i, at in enumerate((now - timedelta(days=30), now - timedelta(days=1), now - timedelta(hours=1)))
    ]
    svc.perform(store, ACTOR, ids[1], Action.RESULT_READY)
    page = desk.dashboard
    desk.tabs.setCurrentWidget(page)
    assert page.loading and page.data is None  # computed on the worker lane, not in the GUI thread
    qtbot.waitUntil(lambda: page.data is not None, timeout=10_000)
    data = page.data
    assert data is not None
    assert data.backlog == {"received": 2, "result_ready": 1}
    assert len(data.trend) == 12
    # This month: the dossier received 30 days ago may fall last month; the two recent ones count here.
    assert data.trend[-1].judged >= 2
    assert len(page.backlog_chart.series()) == 1 and len(page.trend_chart.series()) == 1
    assert [c.counter for c in data.counters] == ["Quầy 2"]
    assert "%" in page.summary.text() or "—" in page.summary.text()
