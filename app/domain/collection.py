"""Who collected a dossier's result at the hand-back: the applicant, or a person the applicant authorised
(name and 12-digit personal ID number, checked with :func:`app.domain.validation.validate_id_number`).

The collector travels in the ``hand_back`` event's data (``extra`` of ``dossier.transition``), under the
keys ``collected_by``, ``collector_name`` and ``collector_id``, so an older server or desk simply carries
them along. The applicant's own collection records the applicant's name and ID number as they stood at
the hand-back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import DomainError, Problem
from app.domain.validation import validate_id_number, validate_name

APPLICANT = "applicant"
AUTHORISED = "authorised"
KINDS = (APPLICANT, AUTHORISED)


@dataclass(frozen=True, slots=True)
class Collector:
    kind: str
    name: str
    id_number: str

    def as_payload(self) -> dict[str, str]:
        return {"collected_by": self.kind, "collector_name": self.name, "collector_id": self.id_number}

    def text_vi(self) -> str:
        """As printed on the control slip and the logbook."""
        who = f"{self.name}, CCCD {self.id_number}" if self.id_number else self.name
        return who if self.kind == APPLICANT else f"Người được ủy quyền: {who}"


def validate_collector(
    kind: str, name: str, id_number: str, *, applicant_name: str, applicant_id: str
) -> Collector:
    """The collector to record, or :class:`DomainError` with every problem at once (fields
    ``collector_name`` and ``collector_id``). For the applicant, the name and ID are the dossier's."""
    kind = (kind or APPLICANT).strip()
    if kind not in KINDS:
        raise DomainError(
            Problem(
                "collector.kind",
                f"Người nhận kết quả phải là «{APPLICANT}» (người nộp) hoặc «{AUTHORISED}» "
                f"(người được ủy quyền), không phải «{kind}».",
                f"The collector must be {APPLICANT!r} or {AUTHORISED!r}, not {kind!r}.",
                "collected_by",
            )
        )
    if kind == APPLICANT:
        return Collector(APPLICANT, applicant_name, applicant_id)
    problems: list[Problem] = []
    n = validate_name(name, field="collector_name")
    problems += n.problems
    i = validate_id_number(id_number, field="collector_id")
    problems += i.problems
    if problems:
        raise DomainError(problems)
    assert n.value is not None and i.value is not None
    return Collector(AUTHORISED, n.value, i.value)


def collector_of(payload: Mapping[str, Any]) -> Collector | None:
    """The collector recorded in a hand_back event's data (``None`` for an event made before it was)."""
    kind = payload.get("collected_by")
    if kind not in KINDS:
        return None
    return Collector(
        str(kind), str(payload.get("collector_name") or ""), str(payload.get("collector_id") or "")
    )
