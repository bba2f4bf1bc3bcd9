"""Who receives, who decides, who handles, and where the result goes: the three scenarios.

(a) **Commune** — a commune-level procedure decided by this centre's own commune.
(b) **Inter-level (liên thông)** — a province-level procedure received here, decided and handled by the
    competent provincial department/agency; the result comes back here to be handed over.
(c) **Regardless of administrative boundary (phi địa giới)** — a commune-level procedure received here
    for another commune's competence (the commune of the applicant's address, or one the applicant
    chooses) and forwarded to it; the dossier keeps its code.

The scenario follows from the data (procedure level, competent commune), never from the operator. The
receiving, competent and handling agencies are three separate fields (docs/design.md, Statuses and
agencies; domain.md §7.2).

Rules and inferences:
- A commune-level procedure for another commune is accepted only if the procedure is on the
  "không phụ thuộc địa giới hành chính" list (``cross_boundary``); otherwise it is refused with the reason.
- A province-level procedure is for the centre's own province: if the target commune, or the province
  segment (``Hxx``) of the procedure code, points to another province, it is refused: the provincial
  server cannot forward to another province's system. The applicant is directed to the national portal.
- A commune-level procedure for a commune of another province is refused for the same reason unless the
  caller allows inter-provincial forwarding (``allow_interprovincial=True``).
- The result is returned at the receiving centre unless the applicant asked otherwise (``return_to``),
  as HCMC does (results come back to the centre that received the dossier).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from app.domain.errors import DomainError, Problem

__all__ = [
    "Agency",
    "ProcedureRouting",
    "ReceivingCentre",
    "Route",
    "Scenario",
    "TargetCommune",
    "route_dossier",
]

_PROVINCE_SEGMENT: Final = re.compile(r"H\d{2}")


class Scenario(StrEnum):
    COMMUNE = "a"
    INTER_LEVEL = "b"
    CROSS_BOUNDARY = "c"

    @property
    def label_vi(self) -> str:
        return _SCENARIO_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _SCENARIO_LABELS[self][1]


_SCENARIO_LABELS: Final[dict[Scenario, tuple[str, str]]] = {
    Scenario.COMMUNE: ("Thẩm quyền của xã, phường", "Decided by this commune"),
    Scenario.INTER_LEVEL: ("Liên thông cấp tỉnh", "Inter-level (provincial agency)"),
    Scenario.CROSS_BOUNDARY: (
        "Không phụ thuộc địa giới hành chính",
        "Regardless of administrative boundary",
    ),
}


@dataclass(frozen=True, slots=True)
class ProcedureRouting:
    """What routing needs to know about a procedure (from the procedure version in the catalogue)."""

    code: str
    level: Literal["commune", "province"]
    #: The competent body as the catalogue names it: "UBND cấp xã", "Sở Xây dựng",
    #: "Văn phòng đăng ký đất đai"…
    competent_agency: str
    #: On the province's list of procedures received regardless of administrative boundary.
    cross_boundary: bool = False

    def __post_init__(self) -> None:
        if self.level not in ("commune", "province"):
            raise DomainError(
                Problem(
                    "routing.level",
                    f"Cấp thực hiện «{self.level}» không hợp lệ: chỉ có «commune» (xã) "
                    "hoặc «province» (tỉnh).",
                    f"Procedure level {self.level!r} is invalid: use 'commune' or 'province'.",
                    "level",
                )
            )

    @property
    def province_segment(self) -> str | None:
        """``Hxx`` when the procedure code is a province's local copy (``….000.00.00.H55``)."""
        last = self.code.rsplit(".", 1)[-1]
        return last if _PROVINCE_SEGMENT.fullmatch(last) else None


@dataclass(frozen=True, slots=True)
class Agency:
    """An organisation on a route. ``eid`` and ``unit_code`` are known for communes, not for every body."""

    name: str
    eid: str | None = None
    unit_code: str | None = None


@dataclass(frozen=True, slots=True)
class ReceivingCentre:
    """This centre: its commune unit code, province code, agency e-ID and name."""

    unit_code: str
    province_code: str
    agency_eid: str
    name: str

    @property
    def agency(self) -> Agency:
        return Agency(self.name, self.agency_eid, self.unit_code)

    @property
    def province_segment(self) -> str | None:
        last = self.agency_eid.rsplit(".", 1)[-1]
        return last if _PROVINCE_SEGMENT.fullmatch(last) else None


@dataclass(frozen=True, slots=True)
class TargetCommune:
    """The commune whose competence the dossier falls under, from the address or the applicant's choice."""

    unit_code: str
    province_code: str
    name: str
    agency_eid: str | None = None
    chosen_by_applicant: bool = False

    @property
    def agency(self) -> Agency:
        return Agency(self.name, self.agency_eid, self.unit_code)


@dataclass(frozen=True, slots=True)
class Route:
    scenario: Scenario
    receiving_agency: Agency
    competent_agency: Agency
    handling_agency: Agency
    result_returned_at: Agency
    explanation_vi: str
    explanation_en: str

    @property
    def forwarded(self) -> bool:
        """Whether the dossier leaves the receiving centre to be handled."""
        return self.scenario is not Scenario.COMMUNE

    def explanation(self, lang: str = "vi") -> str:
        return self.explanation_en if lang == "en" else self.explanation_vi


def _refuse(code: str, vi: str, en: str) -> DomainError:
    return DomainError(Problem(f"routing.{code}", vi, en, "procedure"))


def route_dossier(
    procedure: ProcedureRouting,
    centre: ReceivingCentre,
    target: TargetCommune | None = None,
    *,
    return_to: Agency | None = None,
    allow_interprovincial: bool = False,
) -> Route:
    """Decide the scenario and the agencies for a dossier of ``procedure`` received at ``centre``.

    ``target`` is the commune of competence (from the applicant's address or explicit choice); ``None``
    means this centre's commune. Raises :class:`DomainError` when the centre may not receive it.
    """
    receiving = centre.agency
    returned_at = return_to or receiving
    other_province = target is not None and target.province_code != centre.province_code

    if procedure.level == "province":
        seg, own = procedure.province_segment, centre.province_segment
        if other_province or (seg is not None and own is not None and seg != own):
            raise _refuse(
                "province_boundary",
                f"Thủ tục {procedure.code} là thủ tục cấp tỉnh thuộc thẩm quyền của tỉnh khác: "
                f"{centre.name} không tiếp nhận được. Hướng dẫn người dân nộp trực tuyến trên Cổng Dịch vụ "
                "công quốc gia hoặc tại Trung tâm Phục vụ hành chính công của tỉnh đó.",
                f"Procedure {procedure.code} is a province-level procedure of another province: "
                f"{centre.name} cannot receive it. Direct the applicant to the National Public Service "
                "Portal or to that province's Public Administration Service Centre.",
            )
        competent = Agency(procedure.competent_agency)
        return Route(
            Scenario.INTER_LEVEL,
            receiving,
            competent,
            competent,
            returned_at,
            f"Liên thông: {centre.name} tiếp nhận, chuyển {procedure.competent_agency} giải quyết; "
            f"kết quả trả tại {returned_at.name}.",
            f"Inter-level: received at {centre.name}, forwarded to {procedure.competent_agency} to be "
            f"decided; the result is handed back at {returned_at.name}.",
        )

    if target is None or target.unit_code == centre.unit_code:
        competent = Agency(
            f"{procedure.competent_agency} – {centre.name}", centre.agency_eid, centre.unit_code
        )
        return Route(
            Scenario.COMMUNE,
            receiving,
            competent,
            competent,
            returned_at,
            f"Thẩm quyền của {centre.name}: tiếp nhận và giải quyết tại đây; "
            f"kết quả trả tại {returned_at.name}.",
            f"Within {centre.name}'s competence: received and decided here; the result is handed back at "
            f"{returned_at.name}.",
        )

    why_vi = "theo lựa chọn của người nộp" if target.chosen_by_applicant else "theo địa chỉ của người nộp"
    why_en = "as the applicant chose" if target.chosen_by_applicant else "from the applicant's address"
    if not procedure.cross_boundary:
        raise _refuse(
            "not_cross_boundary",
            f"Thủ tục {procedure.code} thuộc thẩm quyền của {target.name} ({why_vi}) và không thuộc danh "
            f"mục tiếp nhận không phụ thuộc địa giới hành chính: {centre.name} không tiếp nhận được. "
            f"Hướng dẫn người dân nộp tại {target.name} hoặc nộp trực tuyến.",
            f"Procedure {procedure.code} falls under {target.name} ({why_en}) and is not on the list of "
            f"procedures received regardless of administrative boundary: {centre.name} cannot receive it. "
            f"Direct the applicant to {target.name} or to the online portal.",
        )
    if other_province and not allow_interprovincial:
        raise _refuse(
            "other_province",
            f"{target.name} thuộc tỉnh khác: hệ thống của tỉnh không chuyển được hồ sơ sang tỉnh khác. "
            "Hướng dẫn người dân nộp trực tuyến trên Cổng Dịch vụ công quốc gia.",
            f"{target.name} is in another province: the provincial system cannot forward dossiers to another "
            "province. Direct the applicant to the National Public Service Portal.",
        )
    competent = Agency(f"{procedure.competent_agency} – {target.name}", target.agency_eid, target.unit_code)
    return Route(
        Scenario.CROSS_BOUNDARY,
        receiving,
        competent,
        competent,
        returned_at,
        f"Không phụ thuộc địa giới hành chính: {centre.name} tiếp nhận và chuyển {target.name} ({why_vi}) "
        f"giải quyết, giữ nguyên mã hồ sơ; kết quả trả tại {returned_at.name}.",
        f"Regardless of administrative boundary: received at {centre.name} and forwarded to {target.name} "
        f"({why_en}) to be decided, keeping the dossier code; the result is handed back at "
        f"{returned_at.name}.",
    )
