"""The dashboard tab: its figures are computed on the worker lane and drawn as QtCharts."""

from __future__ import annotations

from datetime import datetime, timedelta

from pytestqt.qtbot import QtBot

from app.domain.status import Action
from app.services import dashboard_child
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
    assert dashboard_child._pool is not None  # computed in the child process (stopped when the window closes)
    assert data.backlog == {"received": 2, "result_ready": 1}
    assert len(data.trend) == 12
    # This month: the dossier received 30 days ago may fall last month; the two recent ones count here.
    assert data.trend[-1].judged >= 2
    assert len(page.backlog_chart.series()) == 1 and len(page.trend_chart.series()) == 1
    assert [c.counter for c in data.counters] == ["Quầy 2"]
    assert "%" in page.summary.text() or "—" in page.summary.text()


def test_dashboard_shows_in_slices(desk: MainWindow, qtbot: QtBot) -> None:
    """The charts and a long at-risk table are built one slice per turn of the event loop, so the GUI thread
    never spends long in one go; the figures count as shown (``data``) once every slice is done."""
    from app.domain.stats766 import AtRisk
    from app.services.reports import CounterFigure, Dashboard, TrendPoint

    now = datetime(2026, 11, 20, 9, 0)
    risks = [
        AtRisk(f"R-{i:03d}", "turning_late", now + timedelta(minutes=i), "Hộ tịch", "1.004873", "Quầy 1")
        for i in range(250)
    ]
    value = Dashboard(
        [TrendPoint(now.date().replace(day=1), 80.0, 5)],
        {"received": 250},
        risks,
        [CounterFigure("Quầy 1", 80.0, 5, 5)],
    )
    page = desk.dashboard
    page._show(value)
    assert page.data is None and page.risk_table.item(249, 0) is None  # only the first slice ran
    qtbot.waitUntil(lambda: page.data is value, timeout=5_000)
    assert page.risk_table.rowCount() == 250
    assert [page.risk_table.item(i, 0).text() for i in (0, 99, 100, 249)] == [
        "R-000",
        "R-099",
        "R-100",
        "R-249",
    ]
    assert len(page.counter_chart.series()) == 1 and "250" in page.summary.text()
