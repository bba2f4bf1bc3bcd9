"""The main window: menus, the central area and the status bar (centre, operator, connection)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from app import __version__


@dataclass(frozen=True)
class DeskInfo:
    """What the shell shows about this desk (read from the store before the window opens)."""

    centre_name: str
    unit_label: str
    procedures: int
    operator_name: str | None
    data_dir: str
    online: bool = False


class MainWindow(QMainWindow):
    def __init__(self, info: DeskInfo) -> None:
        super().__init__()
        self.info = info
        self.setObjectName("MainWindow")
        self.setWindowTitle(
            self.tr("Một Cửa Desk — %1").replace("%1", info.centre_name or self.tr("no centre"))
        )
        self.resize(1100, 720)
        self._build_menus()
        self._build_central()
        self._build_status_bar()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        help_menu = bar.addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About Một Cửa Desk"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_central(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        title = QLabel(self.info.centre_name or self.tr("No centre is configured"), central)
        title.setObjectName("centreTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(title)
        unit = QLabel(self.info.unit_label, central)
        unit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(unit)
        catalogue = QLabel(self.tr("%n procedure(s) in the catalogue", "", self.info.procedures), central)
        catalogue.setObjectName("catalogueCount")
        catalogue.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(catalogue)
        layout.addStretch(2)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.centre_label = QLabel(self.info.centre_name or self.tr("No centre"), self)
        self.centre_label.setObjectName("statusCentre")
        self.operator_label = QLabel(
            self.tr("Operator: %1").replace("%1", self.info.operator_name)
            if self.info.operator_name
            else self.tr("Not logged in"),
            self,
        )
        self.operator_label.setObjectName("statusOperator")
        self.connection_label = QLabel(self.tr("Online") if self.info.online else self.tr("Offline"), self)
        self.connection_label.setObjectName("statusConnection")
        bar.addWidget(self.centre_label, 1)
        bar.addPermanentWidget(self.operator_label)
        bar.addPermanentWidget(self.connection_label)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Một Cửa Desk"),
            self.tr("Một Cửa Desk %1\nData folder: %2")
            .replace("%1", __version__)
            .replace("%2", self.info.data_dir),
        )
