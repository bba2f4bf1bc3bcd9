"""Starting the GUI: the QApplication, translations, the store, the main window, start-up errors."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from app.domain.errors import Problem
from app.models import AdminUnit, Centre, Procedure
from app.models.db import Store, StoreError
from app.paths import default_data_dir
from app.sync.credentials import keyring_problem
from app.ui.i18n import install_translators
from app.ui.main_window import DeskInfo, MainWindow

log = logging.getLogger(__name__)


def show_problem(problem: Problem, lang: str, *, fatal: bool) -> None:
    """A clear dialog in the operator's language; a fatal one blocks until read."""
    box = QMessageBox(
        QMessageBox.Icon.Critical if fatal else QMessageBox.Icon.Warning,
        QCoreApplication.translate("Startup", "Một Cửa Desk cannot start")
        if fatal
        else QCoreApplication.translate("Startup", "Một Cửa Desk"),
        problem.message(lang),
    )
    box.setObjectName("startupProblem")
    if fatal:
        box.exec()
    else:
        box.setParent(QApplication.activeWindow())
        box.setModal(False)
        box.show()
        _keep.append(box)


_keep: list[QMessageBox] = []
#: The open main window, kept referenced for the life of the application.
_windows: list[MainWindow] = []


def current_window() -> MainWindow | None:
    return _windows[-1] if _windows else None


def desk_info(store: Store, data_dir: str) -> DeskInfo:
    with store.read() as s:
        centre = s.scalar(select(Centre).where(Centre.is_home.is_(True)))
        procedures = (
            s.scalar(select(func.count()).select_from(Procedure).where(Procedure.active.is_(True))) or 0
        )
        unit_label = ""
        if centre is not None and centre.unit_code:
            unit = s.scalar(
                select(AdminUnit).where(
                    AdminUnit.code == centre.unit_code,
                    AdminUnit.valid_to.is_(None),
                    AdminUnit.level == "commune",
                )
            )
            if unit is not None:
                unit_label = f"{unit.name}, {unit.province_name}"
    return DeskInfo(
        centre_name=centre.name if centre else "",
        unit_label=unit_label,
        procedures=procedures,
        operator_name=None,
        data_dir=data_dir,
    )


def start(args: argparse.Namespace) -> tuple[QApplication, MainWindow | None, Store | None]:
    """Everything ``run_gui`` does before the event loop; returns no window if start-up failed."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Một Cửa Desk")
    app.setOrganizationName("MotCuaDesk")
    install_translators(app, args.lang)
    data_dir = args.data_dir or default_data_dir()
    from app.bootstrap import open_store

    try:
        store = open_store(data_dir, demo=args.demo)
    except StoreError as exc:
        log.error("start-up failed: %s", exc.problem.en)
        show_problem(exc.problem, args.lang, fatal=True)
        return app, None, None
    window = MainWindow(desk_info(store, str(data_dir)))
    _windows[:] = [window]
    window.show()
    problem = keyring_problem()
    if problem is not None:
        log.warning("no usable keyring: %s", type(problem).__name__)
        show_problem(problem, args.lang, fatal=False)
    return app, window, store


def run_gui(args: argparse.Namespace) -> int:
    app, window, store = start(args)
    if window is None:
        return 2
    try:
        return app.exec()
    finally:
        if store is not None:
            store.dispose()
