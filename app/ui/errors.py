"""How errors reach the operator: a rule's refusal in their language, the environment's fault clearly,
anything else as a short message (details and traceback in the log file, never a traceback dialog)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.errors import DomainError
from app.models.db import StoreError
from app.ui.i18n import current_language

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """The operator's message for an exception."""
    lang = current_language()
    if isinstance(exc, DomainError):
        return exc.message(lang)
    if isinstance(exc, StoreError):
        return exc.problem.message(lang)
    return QCoreApplication.translate(
        "Errors",
        "Unexpected error. Nothing was half-saved; try again, and if it happens again call IT support "
        "(the details are in the log file).",
    )


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """A non-blocking warning box (``open()``, so tests and the event loop never block)."""
    if not isinstance(exc, DomainError | StoreError):
        log.error("unexpected error shown to the operator", exc_info=(type(exc), exc, exc.__traceback__))
    title = (
        QCoreApplication.translate("Errors", "Cannot do that")
        if isinstance(exc, DomainError)
        else QCoreApplication.translate("Errors", "Database problem")
        if isinstance(exc, StoreError)
        else QCoreApplication.translate("Errors", "Unexpected error")
    )
    box = QMessageBox(QMessageBox.Icon.Warning, title, error_text(exc), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
