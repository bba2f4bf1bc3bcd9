"""The dashboard tab: the on-time trend (Decision 766 indicator 2.1) of the last 12 months, the backlog by
status, the dossiers at risk in the next 8 working hours and this month's figures per counter.

The figures are computed on the database lane, which hands them to a child process
(:func:`app.services.dashboard_child.dashboard_in_child`: the computation does not hold the window's
interpreter lock); the GUI thread only builds the charts (QtCharts, from PySide6-Addons) from a dozen
numbers, so it never waits on the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.dashboard_child import dashboard_in_child
from app.services.reports import Dashboard
from app.ui.i18n import fmt, show_datetime
from app.ui.labels import status_label
from app.ui.shell.context import UiContext

#: Rows of the at-risk table filled per turn of the event loop (about 5 ms on the offscreen platform).
_RISK_ROWS_PER_SLICE = 100

if TYPE_CHECKING:
    from app.ui.dialogs.reconcile import ReconcileDialog


def _view(chart: QChart, parent: QWidget) -> QChartView:
    chart.legend().hide()
    chart.setMargins(QMargins(4, 4, 4, 4))
    view = QChartView(chart, parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return view


class DashboardPage(QWidget):
    """Charts of the desk's figures; :meth:`refresh` recomputes them on the worker lane."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPage")
        self.ctx = ctx
        self.data: Dashboard | None = None
        self.loading = False
        self._slices: list[Callable[[], None]] = []
        top = QHBoxLayout()
        self.summary = QLabel(self.tr("Loading…"), self)
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        self.reconcile_button = QPushButton(self.tr("&Portal reconciliation…"), self)  # issue 20 item 5
        self.reconcile_button.setObjectName("reconcileOpen")
        self.reconcile_button.clicked.connect(self.open_reconcile)
        top.addWidget(self.reconcile_button)
        self.trend_chart = QChart()
        self.trend_chart.setTitle(self.tr("On time (indicator 2.1), % by month"))
        self.backlog_chart = QChart()
        self.backlog_chart.setTitle(self.tr("Open dossiers by status"))
        self.counter_chart = QChart()
        self.counter_chart.setTitle(self.tr("This month on time by counter, %"))
        self.risk_table = QTableWidget(0, 3, self)
        self.risk_table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Due"), self.tr("Why")])
        self.risk_table.horizontalHeader().setStretchLastSection(True)
        self.risk_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        grid = QGridLayout()
        grid.addWidget(_view(self.trend_chart, self), 0, 0)
        grid.addWidget(_view(self.backlog_chart, self), 0, 1)
        grid.addWidget(_view(self.counter_chart, self), 1, 0)
        risk_box = QVBoxLayout()
        risk_box.addWidget(QLabel(self.tr("At risk in the next 8 working hours"), self))
        risk_box.addWidget(self.risk_table)
        grid.addLayout(risk_box, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)

    def refresh(self) -> None:
        """Recompute the figures (the worker lane waits for the child process); the charts follow."""
        if self.loading:
            return
        self.loading = True
        self.summary.setText(self.tr("Loading…"))
        self.ctx.worker.run(
            dashboard_in_child, self.ctx.store, on_done=self._show, on_error=self._failed, owner=self
        )

    def open_reconcile(self) -> ReconcileDialog:
        """The centre's dossiers against what the portal acknowledged (app/ui/dialogs/reconcile.py)."""
        from app.ui.dialogs.reconcile import ReconcileDialog

        dialog = ReconcileDialog(self.ctx, self)
        dialog.show()
        dialog.refresh()
        return dialog

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.summary.setText(self.tr("The figures could not be computed."))
        default = self.ctx.worker.default_error_handler
        default(exc)

    def _show(self, value: object) -> None:
        """Build the charts and the table in slices, one per turn of the event loop, so that the GUI
        thread never spends long in one go (bench/bench_dashboard.py); ``data`` is set when all are shown."""
        assert isinstance(value, Dashboard)
        steps: list[Callable[[], None]] = [
            lambda: self._trend(value),
            lambda: self._backlog(value),
            lambda: self._counters(value),
            lambda: self.risk_table.setRowCount(len(value.at_risk)),
        ]
        for lo in range(0, len(value.at_risk), _RISK_ROWS_PER_SLICE):
            steps.append(lambda lo=lo: self._risks(value, lo))  # type: ignore[misc]
        steps.append(lambda: self._done(value))
        self._slices = steps
        self._next_slice()

    def _next_slice(self) -> None:
        if not self._slices or not shiboken6.isValid(self):
            return
        self._slices.pop(0)()
        if self._slices:
            QTimer.singleShot(0, self, self._next_slice)

    def _done(self, value: Dashboard) -> None:
        self.loading = False
        self.data = value
        last = value.trend[-1] if value.trend else None
        this_month = f"{last.on_time:.1f} %" if last is not None and last.on_time is not None else "—"
        self.summary.setText(
            fmt(
                self.tr("This month on time: %1 · open dossiers: %2 · at risk: %3"),
                this_month,
                str(sum(value.backlog.values())),
                str(len(value.at_risk)),
            )
        )

    def _trend(self, d: Dashboard) -> None:
        chart = self.trend_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QLineSeries()
        labels = [p.month.strftime("%m/%y") for p in d.trend]
        for i, p in enumerate(d.trend):
            if p.on_time is not None:
                series.append(QPointF(i, p.on_time))
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(labels)
        y = QValueAxis()
        y.setRange(0, 100)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        x_values = QValueAxis()  # the line is placed by index; the category axis shows the months
        x_values.setRange(-0.5, max(0.5, len(labels) - 0.5))
        x_values.setVisible(False)
        chart.addAxis(x_values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x_values)

    def _bars(self, chart: QChart, labels: list[str], values: list[float], top: float | None) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars = QBarSet("")
        for v in values:
            bars.append(v)
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(labels)
        y = QValueAxis()
        y.setRange(0, top if top is not None else max([1.0, *values]))
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)

    def _backlog(self, d: Dashboard) -> None:
        items = sorted(d.backlog.items())
        self._bars(
            self.backlog_chart, [status_label(s) for s, _ in items], [float(n) for _, n in items], None
        )

    def _counters(self, d: Dashboard) -> None:
        rows = [c for c in d.counters if c.on_time is not None]
        self._bars(
            self.counter_chart,
            [c.counter or self.tr("(none)") for c in rows],
            [c.on_time or 0.0 for c in rows],
            100.0,
        )

    def _risks(self, d: Dashboard, lo: int) -> None:
        """Rows ``lo`` … ``lo + _RISK_ROWS_PER_SLICE`` of the at-risk table."""
        why = {
            "turning_late": self.tr("Turning late"),
            "second_supplement": self.tr("Second supplement request"),
            "acceptance_deadline": self.tr("Online acceptance deadline"),
        }
        for i, r in enumerate(d.at_risk[lo : lo + _RISK_ROWS_PER_SLICE], start=lo):
            cells = (r.code, show_datetime(r.due_at) if r.due_at else "", why.get(r.reason, r.reason))
            for j, text in enumerate(cells):
                self.risk_table.setItem(i, j, QTableWidgetItem(text))
