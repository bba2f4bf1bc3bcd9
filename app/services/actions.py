"""A dossier's action as the dossier screen runs it: record it (one transaction), then print its slip from
the committed rows. A failed print does not undo the action: the outcome carries the print's error."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.domain.errors import DomainError
from app.models.db import Store
from app.services.audit import Actor
from app.services.dossiers import ActionResult, perform
from app.services.intake import print_dossier_form

if TYPE_CHECKING:
    from app.services.printing import Printed

__all__ = ["ActionOutcome", "perform_and_print"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActionOutcome:
    result: ActionResult
    printed: Printed | None
    print_error: BaseException | None


def perform_and_print(
    store: Store, actor: Actor, ref: str, action: str, values: dict[str, Any], form: str | None
) -> ActionOutcome:
    """Apply the action (one transaction), then print its slip from the committed rows."""
    result = perform(
        store,
        actor,
        ref,
        action,
        reason=values.get("reason", ""),
        new_due_at=values.get("new_due_at"),
        handling_agency_eid=values.get("handling_agency_eid"),
        extra=values.get("extra"),
    )
    if form is None:
        return ActionOutcome(result, None, None)
    try:
        return ActionOutcome(result, print_dossier_form(store, actor, result.dossier_id, form), None)
    except Exception as exc:
        if not isinstance(exc, DomainError):
            log.exception("%s of %s not printed", form, result.code)
        return ActionOutcome(result, None, exc)
