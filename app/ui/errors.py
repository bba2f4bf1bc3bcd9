"""How errors reach the operator: a rule's refusal in their language, the environment's fault clearly,
anything else as a short message (details and traceback in the log file, never a traceback dialog).

Two presenters: :func:`show_error` for a task's failure while the desk is in use (a non-blocking box),
:func:`show_problem` for a problem the application itself meets (at start-up, or the missing keyring).
"""

from __future__ import annotations

import logging
import sys

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.domain.errors import DomainError, Problem
from app.ui.i18n import current_language

log = logging.getLogger(__name__)


def is_store_error(exc: BaseException) -> bool:
    """``isinstance(exc, app.services.store.StoreError)``, without importing the store (and SQLAlchemy)
    for it: the window is up before they are. Every way the window gets a store imports
    :mod:`app.services.store` first (:func:`~app.ui.shell.application.open_desk`, the screens' context),
    so no StoreError reaches the GUI before that module is loaded."""
    store = sys.modules.get("app.services.store")
    return store is not None and isinstance(exc, store.StoreError)


def error_text(exc: BaseException) -> str:
    """The operator's message for an exception."""
    lang = current_language()
    if isinstance(exc, DomainError):
        return exc.message(lang)
    if is_store_error(exc):
        # is_store_error cannot narrow to StoreError without importing the models; a StoreError has a problem.
        problem: Problem = exc.problem  # type: ignore[attr-defined]
        return problem.message(lang)
    return QCoreApplication.translate(
        "Errors",
        "Unexpected error. Nothing was half-saved; try again, and if it happens again call IT support "
        "(the details are in the log file).",
    )


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """A non-blocking warning box (``open()``, so tests and the event loop never block)."""
    if not (isinstance(exc, DomainError) or is_store_error(exc)):
        log.error("unexpected error shown to the operator", exc_info=(type(exc), exc, exc.__traceback__))
    title = (
        QCoreApplication.translate("Errors", "Cannot do that")
        if isinstance(exc, DomainError)
        else QCoreApplication.translate("Errors", "Database problem")
        if is_store_error(exc)
        else QCoreApplication.translate("Errors", "Unexpected error")
    )
    box = QMessageBox(QMessageBox.Icon.Warning, title, error_text(exc), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # Back to where the operator was typing once the box is closed (Enter on OK), so that the next
    # keystroke (Ctrl+Enter again) reaches the form, not nowhere.
    focus = QApplication.focusWidget()
    if focus is not None:
        # After the box is gone (``finished`` comes while it is still the active window).
        box.finished.connect(lambda _result: QTimer.singleShot(0, lambda: _refocus(focus)))
    box.open()
    return box


def show_problem(problem: Problem, lang: str, *, fatal: bool, parent: QWidget | None = None) -> None:
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
        box.setParent(parent or QApplication.activeWindow(), box.windowFlags())
        box.setModal(False)
        box.show()
        _keep.append(box)


# The non-blocking problem boxes shown, kept referenced (they have no other owner in Python).
_keep: list[QMessageBox] = []


def _refocus(target: QWidget) -> None:
    if shiboken6.isValid(target) and target.isVisible() and target.isEnabled():
        target.window().activateWindow()
        target.setFocus(Qt.FocusReason.OtherFocusReason)
