"""What every screen shares: the store, the worker bridge, the desk, the operator and the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.services.audit import Actor
from app.services.desk_lists import DeskSummary, ProcedureItem
from app.services.session import OperatorSession
from app.services.settings import DeskSettings
from app.services.store import Store
from app.ui.lanes.printing import PrintTarget
from app.ui.lanes.worker import Worker


@dataclass
class UiContext:
    store: Store
    worker: Worker
    summary: DeskSummary
    settings: DeskSettings
    session: OperatorSession | None = None
    catalogue: list[ProcedureItem] = field(default_factory=list)
    # Where Print sends a document (tests replace it with a PDF file target).
    print_target: Callable[[], PrintTarget] = field(default=lambda: PrintTarget())
    # The digitising lane (scanner, files, compression: app.ui.lanes) and the background OCR's wake-up,
    # set by the main window (issue 19).
    digitise: Worker | None = None
    wake_ocr: Callable[[], None] = field(default=lambda: None)

    @property
    def digitise_lane(self) -> Worker:
        return self.digitise if self.digitise is not None else self.worker

    @property
    def actor(self) -> Actor:
        if self.session is None:
            raise RuntimeError("no operator is logged in")
        return self.session.actor
