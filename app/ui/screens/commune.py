"""Choosing the competent commune at intake when it is not the applicant's residence (where the land, the
building or the business is), as ``motcua-desk receive --commune`` does: type a few letters of the commune
(diacritics optional), ↓ ↑, Enter. Empty: the applicant's residence decides, as before."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.services.units import UnitInfo, search_communes
from app.ui.i18n import fmt
from app.ui.lanes.worker import Worker

SEARCH_MS = 200
MAX_SHOWN = 30


class CommunePicker(QWidget):
    """A line edit with the matching communes below it; :attr:`code` is the chosen one (None: residence)."""

    changed = Signal()

    def __init__(self, worker: Worker, store: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self._store = store
        self._seq = 0
        self._shown: list[UnitInfo] = []
        self.code: str | None = None
        self.name = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("communeSearch")
        self.edit.setClearButtonEnabled(True)
        self.edit.setPlaceholderText(
            self.tr("By the applicant's residence; or type the commune of the land or business")
        )
        layout.addWidget(self.edit)
        self.list = QListWidget(self)
        self.list.setObjectName("communeList")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setMaximumHeight(110)
        self.list.hide()
        layout.addWidget(self.list)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_MS)
        self._timer.timeout.connect(self._search)
        self.edit.textEdited.connect(self._edited)
        self.edit.installEventFilter(self)
        self.list.itemClicked.connect(lambda _i: self.choose_current())
        self.setFocusProxy(self.edit)

    @property
    def searching(self) -> bool:
        return self._timer.isActive()

    def _edited(self, text: str) -> None:
        if self.code is not None:  # typing again: the choice is open again
            self.code = None
            self.name = ""
            self.changed.emit()
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()
            self.list.hide()

    def _search(self) -> None:
        text = self.edit.text().strip()
        if not text:
            return
        self._seq += 1
        seq = self._seq
        self._worker.run(
            search_communes, self._store, text, on_done=lambda rows: self._found(seq, rows), owner=self
        )

    def _found(self, seq: int, rows: object) -> None:
        if seq != self._seq or self.code is not None:
            return
        assert isinstance(rows, list)
        self._shown = rows[:MAX_SHOWN]
        self.list.clear()
        for u in self._shown:
            self.list.addItem(QListWidgetItem(fmt(self.tr("%1 — %2 (%3)"), u.name, u.province_name, u.code)))
        self.list.setVisible(bool(self._shown))
        if self._shown:
            self.list.setCurrentRow(0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                return False
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.isVisible():
                step = 1 if key == Qt.Key.Key_Down else -1
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.isVisible():
                self.choose_current()
                return True
            if key == Qt.Key.Key_Escape and self.list.isVisible():
                self.list.hide()
                return True
        return False

    def choose_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._shown):
            u = self._shown[row]
            self.set_choice(u.code, f"{u.name} — {u.province_name} ({u.code})")
            self.changed.emit()

    def set_choice(self, code: str | None, label: str = "") -> None:
        self.code = code or None
        self.name = label if code else ""
        self.edit.setText(self.name)
        self.edit.setCursorPosition(0)
        self._timer.stop()
        self.list.hide()
