"""The three routing scenarios: commune, inter-level, regardless of administrative boundary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.routing import (
    Agency,
    ProcedureRouting,
    ReceivingCentre,
    Route,
    Scenario,
    TargetCommune,
    route_dossier,
)

# Phường Bắc Giang (07210), Tỉnh Bắc Ninh (24). The e-ID is illustrative.
CENTRE = ReceivingCentre("07210", "24", "000.10.24.H24", "Trung tâm PVHCC phường Bắc Giang")
KINH_BAC = TargetCommune("09187", "24", "Phường Kinh Bắc", agency_eid="000.11.24.H24")
OTHER_PROVINCE = TargetCommune("00004", "01", "Phường Ba Đình")

BIRTH = ProcedureRouting("1.001193", "commune", "UBND cấp xã", cross_boundary=False)
HOUSEHOLD_BUSINESS = ProcedureRouting("2.000575", "commune", "Cơ quan đăng ký kinh doanh cấp xã", True)
LAND_CHANGE = ProcedureRouting(
    "1.012345.000.00.00.H24", "province", "Văn phòng đăng ký đất đai tỉnh Bắc Ninh"
)


def test_scenario_a_own_commune() -> None:
    route = route_dossier(BIRTH, CENTRE)
    assert route.scenario is Scenario.COMMUNE and route.scenario == "a"
    assert route.receiving_agency == CENTRE.agency
    assert route.competent_agency == route.handling_agency
    assert route.competent_agency.unit_code == "07210"
    assert route.result_returned_at == CENTRE.agency
    assert not route.forwarded
    assert "phường Bắc Giang" in route.explanation_vi
    # The target given explicitly as this commune is the same scenario.
    same = TargetCommune("07210", "24", "Phường Bắc Giang")
    assert route_dossier(BIRTH, CENTRE, same).scenario is Scenario.COMMUNE


def test_scenario_b_inter_level() -> None:
    route = route_dossier(LAND_CHANGE, CENTRE)
    assert route.scenario == "b"
    assert route.receiving_agency == CENTRE.agency
    assert route.competent_agency.name == "Văn phòng đăng ký đất đai tỉnh Bắc Ninh"
    assert route.handling_agency == route.competent_agency
    assert route.result_returned_at == CENTRE.agency
    assert route.forwarded
    assert "Liên thông" in route.explanation_vi and "Inter-level" in route.explanation_en
    # An applicant living in another commune of the same province changes nothing.
    assert route_dossier(LAND_CHANGE, CENTRE, KINH_BAC).scenario is Scenario.INTER_LEVEL


def test_scenario_c_cross_boundary() -> None:
    route = route_dossier(HOUSEHOLD_BUSINESS, CENTRE, KINH_BAC)
    assert route.scenario == "c"
    assert route.receiving_agency == CENTRE.agency
    assert route.competent_agency.unit_code == "09187"
    assert route.competent_agency.eid == "000.11.24.H24"
    assert route.handling_agency == route.competent_agency
    assert route.result_returned_at == CENTRE.agency
    assert route.forwarded
    assert "giữ nguyên mã hồ sơ" in route.explanation_vi
    assert "theo địa chỉ" in route.explanation_vi
    chosen = TargetCommune("09187", "24", "Phường Kinh Bắc", chosen_by_applicant=True)
    assert "theo lựa chọn" in route_dossier(HOUSEHOLD_BUSINESS, CENTRE, chosen).explanation_vi
    # The applicant may ask to collect the result elsewhere.
    home = Agency("Bưu chính công ích – địa chỉ người nộp")
    assert route_dossier(HOUSEHOLD_BUSINESS, CENTRE, KINH_BAC, return_to=home).result_returned_at == home


def test_commune_procedure_not_allowed_across_boundary_is_refused() -> None:
    with pytest.raises(DomainError) as err:
        route_dossier(BIRTH, CENTRE, KINH_BAC)
    vi = err.value.message("vi")
    assert "Phường Kinh Bắc" in vi and "không phụ thuộc địa giới hành chính" in vi
    assert "regardless of administrative boundary" in err.value.message("en")
    assert err.value.problems[0].code == "routing.not_cross_boundary"


def test_province_procedure_across_province_is_refused() -> None:
    with pytest.raises(DomainError) as err:
        route_dossier(LAND_CHANGE, CENTRE, OTHER_PROVINCE)
    assert "tỉnh khác" in err.value.message("vi")
    assert err.value.problems[0].code == "routing.province_boundary"
    # The procedure code itself names another province (H01 ≠ H24).
    hanoi_land = ProcedureRouting("1.012345.000.00.00.H01", "province", "Văn phòng đăng ký đất đai Hà Nội")
    with pytest.raises(DomainError):
        route_dossier(hanoi_land, CENTRE)


def test_commune_procedure_in_another_province() -> None:
    with pytest.raises(DomainError) as err:
        route_dossier(HOUSEHOLD_BUSINESS, CENTRE, OTHER_PROVINCE)
    assert err.value.problems[0].code == "routing.other_province"
    route = route_dossier(HOUSEHOLD_BUSINESS, CENTRE, OTHER_PROVINCE, allow_interprovincial=True)
    assert route.scenario is Scenario.CROSS_BOUNDARY


def test_bad_level() -> None:
    with pytest.raises(DomainError):
        ProcedureRouting("1.000001", "district", "UBND cấp huyện")  # type: ignore[arg-type]


units = st.sampled_from(["07210", "09187", "07300"])
provinces = st.sampled_from(["24", "01"])


@settings(deadline=None, max_examples=200)
@given(
    level=st.sampled_from(["commune", "province"]),
    cross=st.booleans(),
    target=st.none() | st.builds(TargetCommune, units, provinces, st.just("Xã X"), st.none(), st.booleans()),
)
def test_scenario_follows_from_data(level: str, cross: bool, target: TargetCommune | None) -> None:
    proc = ProcedureRouting("1.000001", level, "Cơ quan giải quyết", cross)  # type: ignore[arg-type]
    try:
        route = route_dossier(proc, CENTRE, target)
    except DomainError as err:
        assert err.message("vi") and err.message("en")
        assert target is not None and (
            target.province_code != CENTRE.province_code or (level == "commune" and not cross)
        )
        return
    assert isinstance(route, Route)
    assert route.receiving_agency == CENTRE.agency
    if level == "province":
        assert route.scenario is Scenario.INTER_LEVEL
    elif target is None or target.unit_code == CENTRE.unit_code:
        assert route.scenario is Scenario.COMMUNE
    else:
        assert route.scenario is Scenario.CROSS_BOUNDARY and cross
        assert route.handling_agency.unit_code == target.unit_code
