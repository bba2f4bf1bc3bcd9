"""The counter's two intake use cases as the intake screen runs them: record the dossier (received or
refused at the counter) durably, clear the intake draft, then print its form from the committed rows.

A failed print does not undo the dossier: the outcome carries the print's error and the form can be
reprinted from the dossier screen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.errors import DomainError
from app.models.db import Store
from app.services.audit import Actor
from app.services.dossiers import ReceiveRequest, ReceiveResult, receive, refuse_intake
from app.services.drafts import INTAKE, clear_draft

if TYPE_CHECKING:
    from app.services.printing import Printed

__all__ = ["IntakeOutcome", "print_dossier_form", "receive_and_print", "refuse_and_print"]

log = logging.getLogger(__name__)


def print_dossier_form(store: Store, actor: Actor, dossier_id: str, form: str) -> Printed:
    """:func:`app.services.printing.print_dossier_form`, imported on first use (on the worker): ReportLab
    is not imported before the window and the desk are up."""
    from app.services import printing

    return printing.print_dossier_form(store, actor, dossier_id, form)


@dataclass(frozen=True)
class IntakeOutcome:
    """A saved (received or refused) dossier and its printed form, or why the form was not printed."""

    dossier_id: str
    code: str | None
    received: ReceiveResult | None
    printed: Printed | None
    print_error: BaseException | None


def receive_and_print(store: Store, actor: Actor, req: ReceiveRequest, form: str) -> IntakeOutcome:
    """Record the dossier durably, then print its receipt from the committed rows; clear the draft."""
    result = receive(store, actor, req)
    clear_draft(store, INTAKE)
    return print_receipt(store, actor, result, form)


def print_receipt(store: Store, actor: Actor, result: ReceiveResult, form: str) -> IntakeOutcome:
    """The receipt of a dossier just received, printed from the committed rows, or why it was not."""
    try:
        printed = print_dossier_form(store, actor, result.dossier_id, form)
    except Exception as exc:  # the dossier is safe; the receipt can be reprinted from the detail screen
        if not isinstance(exc, DomainError):
            log.exception("receipt of %s not printed", result.code)
        return IntakeOutcome(result.dossier_id, result.code, result, None, exc)
    return IntakeOutcome(result.dossier_id, result.code, result, printed, None)


def refuse_and_print(store: Store, actor: Actor, req: ReceiveRequest, reason: str) -> IntakeOutcome:
    """Record the refusal at the counter, then print the refusal slip; clear the draft."""
    dossier_id = refuse_intake(store, actor, req, reason)
    clear_draft(store, INTAKE)
    try:
        printed = print_dossier_form(store, actor, dossier_id, "refusal")
    except Exception as exc:
        if not isinstance(exc, DomainError):
            log.exception("refusal slip of %s not printed", dossier_id)
        return IntakeOutcome(dossier_id, None, None, None, exc)
    return IntakeOutcome(dossier_id, None, None, printed, None)
