"""Forward several dossiers at once (the desk's "Chờ chuyển" list) and print one hand-over slip for all of
them: every forward in one transaction (all or none), then the slip from the committed rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.errors import DomainError, Problem
from app.domain.status import Action, Status
from app.models.db import Store
from app.print import forms
from app.print import model as pm
from app.services.audit import Actor
from app.services.desk import home_centre
from app.services.dossiers import ActionResult, find_dossier, perform_in
from app.services.printing import agency_of

#: The slip's title: the dossiers handed to the agency that will resolve them.
FORWARD_TITLE = "DANH SÁCH HỒ SƠ CHUYỂN CƠ QUAN GIẢI QUYẾT"
MAX_BATCH = 200


@dataclass(frozen=True)
class BatchForward:
    results: tuple[ActionResult, ...]
    agency: str
    pdf: bytes
    forwarded_at: datetime


def _problem(code: str, vi: str, en: str) -> Problem:
    return Problem(f"batch.{code}", vi, en, "dossiers")


def forward_batch(
    store: Store, actor: Actor, refs: Sequence[str], at: datetime | None = None
) -> BatchForward:
    """Forward every dossier of ``refs`` to its competent agency (one transaction) and render one hand-over
    slip listing them. The dossiers must go to the same agency: one slip has one receiving side."""
    refs = list(dict.fromkeys(refs))  # once each, in the order chosen
    if not refs:
        raise DomainError(_problem("empty", "Chưa chọn hồ sơ nào để chuyển.", "No dossier is selected."))
    if len(refs) > MAX_BATCH:
        raise DomainError(
            _problem(
                "too_many",
                f"Mỗi lần chuyển tối đa {MAX_BATCH} hồ sơ.",
                f"At most {MAX_BATCH} dossiers are forwarded at once.",
            )
        )
    at = (at or datetime.now()).replace(microsecond=0)
    with store.write() as s:
        dossiers = [find_dossier(s, r) for r in refs]
        targets = {d.competent_agency_eid for d in dossiers}
        if None in targets:
            missing = next(d for d in dossiers if d.competent_agency_eid is None)
            raise DomainError(
                _problem(
                    "no_target",
                    f"Hồ sơ {missing.code} chưa xác định được cơ quan nhận hồ sơ chuyển đến.",
                    f"Dossier {missing.code} has no agency to forward to.",
                )
            )
        if len(targets) > 1:
            names = sorted({d.competent_agency for d in dossiers})
            raise DomainError(
                _problem(
                    "mixed",
                    "Các hồ sơ đã chọn chuyển đến nhiều cơ quan khác nhau ("
                    + "; ".join(names)
                    + "): mỗi danh sách bàn giao chỉ có một bên nhận, hãy chọn hồ sơ của cùng một cơ quan.",
                    "The selected dossiers go to different agencies ("
                    + "; ".join(names)
                    + "): one hand-over slip has one receiving side; select those of one agency.",
                )
            )
        results = tuple(
            perform_in(s, actor, d.id, Action.FORWARD, at, "", None, None, None) for d in dossiers
        )
    with store.read() as s:
        centre = home_centre(s)
        rows = []
        agency = ""
        for r in results:
            d = find_dossier(s, r.dossier_id)
            agency = d.handling_agency
            rows.append(
                pm.HandoverRow(
                    code=d.code or "",
                    applicant_name=d.applicant.full_name,
                    procedure_name=d.procedure.name,
                    status=Status(d.status).label_vi,
                    due_at=d.due_at,
                )
            )
        data = pm.HandoverListData(
            agency=agency_of(centre),
            from_unit=centre.name,
            to_unit=agency,
            rows=tuple(rows),
            issued_at=at,
            giver_name=actor.operator,
            title=FORWARD_TITLE,
        )
    return BatchForward(results, agency, forms.render("handover", data), at)
