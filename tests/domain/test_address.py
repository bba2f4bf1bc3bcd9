"""Mapping card addresses (pre- or post-2025 names) to the current commune-level unit."""

from __future__ import annotations

import csv
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.address import AddressIndex, AddressMatch, NewUnit, OldUnit, Province

REFERENCE = Path(__file__).resolve().parents[2] / "resources" / "reference"

PROVINCES = [
    Province("01", "Thành phố Hà Nội", "thanh_pho"),
    Province("24", "Tỉnh Bắc Ninh", "tinh"),
    Province("38", "Tỉnh Thanh Hóa", "tinh"),
    Province("68", "Tỉnh Lâm Đồng", "tinh"),
    Province("79", "Thành phố Hồ Chí Minh", "thanh_pho"),
]
NEW_UNITS = [
    NewUnit("00004", "Phường Ba Đình", "phuong", "01"),
    NewUnit("00103", "Phường Tây Hồ", "phuong", "01"),
    NewUnit("07210", "Phường Bắc Giang", "phuong", "24"),
    NewUnit("07228", "Phường Đa Mai", "phuong", "24"),
    NewUnit("07432", "Xã Tân Dĩnh", "xa", "24"),
    NewUnit("09370", "Phường Tam Sơn", "phuong", "24"),
    NewUnit("14950", "Xã Hồi Xuân", "xa", "38"),
    NewUnit("14970", "Xã Trung Sơn", "xa", "38"),
    NewUnit("24781", "Phường Xuân Hương - Đà Lạt", "phuong", "68"),
    NewUnit("26732", "Đặc khu Côn Đảo", "dac_khu", "79"),
    NewUnit("26740", "Phường Sài Gòn", "phuong", "79"),
    NewUnit("26743", "Phường Bến Thành", "phuong", "79"),
    NewUnit("26890", "Phường Hạnh Thông", "phuong", "79"),
    NewUnit("26977", "Phường Tân Sơn Hòa", "phuong", "79"),
]
HN, BG, BN, TH, LD, BRVT, HCM = (
    ("01", "Thành phố Hà Nội"),
    ("24", "Tỉnh Bắc Giang"),
    ("27", "Tỉnh Bắc Ninh"),
    ("38", "Tỉnh Thanh Hóa"),
    ("68", "Tỉnh Lâm Đồng"),
    ("77", "Tỉnh Bà Rịa - Vũng Tàu"),
    ("79", "Thành phố Hồ Chí Minh"),
)
ALL = "Nhập toàn bộ"


def old(
    code: str, name: str, district: tuple[str, str], province: tuple[str, str], new: str, note: str = ALL
) -> OldUnit:
    return OldUnit(code, name, district[0], district[1], province[0], province[1], new, note)


TP_BG = ("213", "Thành phố Bắc Giang")
LANG_GIANG = ("217", "Huyện Lạng Giang")
OLD_UNITS = [
    old("00001", "Phường Phúc Xá", ("001", "Quận Ba Đình"), HN, "00004"),
    old("00112", "Phường Thụy Khuê", ("003", "Quận Tây Hồ"), HN, "00004", "Nhập một phần diện tích"),
    old(
        "00112",
        "Phường Thụy Khuê",
        ("003", "Quận Tây Hồ"),
        HN,
        "00103",
        "Nhập một phần diện tích, toàn bộ dân số",
    ),
    old("07201", "Phường Thọ Xương", TP_BG, BG, "07210"),
    old("07210", "Phường Hoàng Văn Thụ", TP_BG, BG, "07210"),
    old("07213", "Phường Trần Phú", TP_BG, BG, "07210"),
    old("07228", "Phường Đa Mai", TP_BG, BG, "07228"),
    old("07432", "Xã Tân Dĩnh", LANG_GIANG, BG, "07432"),
    old("07999", "Xã Trần Phú", LANG_GIANG, BG, "07432"),  # invented: a namesake in another district
    old("09370", "Phường Tam Sơn", ("261", "Thành phố Từ Sơn"), BN, "09370"),
    old("14950", "Thị trấn Hồi Xuân", ("390", "Huyện Quan Hóa"), TH, "14950"),
    # Invented: two communes whose names differ only by a tone mark.
    old("14960", "Xã Minh Quân", ("390", "Huyện Quan Hóa"), TH, "14950"),
    old("14961", "Xã Minh Quán", ("390", "Huyện Quan Hóa"), TH, "14970"),
    old("24784", "Phường 1", ("672", "Thành phố Đà Lạt"), LD, "24781"),
    old(
        "", "", ("755", "Huyện Côn Đảo"), BRVT, "26732", "Sắp xếp toàn bộ huyện Côn Đảo thành đặc khu Côn Đảo"
    ),
    old("26740", "Phường Bến Nghé", ("760", "Quận 1"), HCM, "26740"),
    old("26743", "Phường Bến Thành", ("760", "Quận 1"), HCM, "26743"),
    old("26890", "Phường 1", ("764", "Quận Gò Vấp"), HCM, "26890"),
    old("26977", "Phường 1", ("766", "Quận Tân Bình"), HCM, "26977"),
    old("99999", "Xã Ma", ("999", "Huyện Ma"), ("99", "Tỉnh Ma"), "00000"),  # unknown new unit: left out
]


@pytest.fixture(scope="module")
def index() -> AddressIndex:
    return AddressIndex.build(iter(NEW_UNITS), iter(OLD_UNITS), iter(PROVINCES))


def found(index: AddressIndex, address: str) -> AddressMatch:
    m = index.match(address)
    assert m is not None, address
    return m


# ------------------------------------------------------------------------------------------ examples


def test_old_address_maps_to_the_new_ward(index: AddressIndex) -> None:
    m = found(index, "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang")
    assert m.code == "07210"
    assert m.name == "Phường Bắc Giang"
    assert m.province == Province("24", "Tỉnh Bắc Ninh", "tinh")
    assert m.from_old
    assert not m.ambiguous
    assert m.confidence == 1.0
    assert m.street == "Tổ 5"
    assert m.old_name == "Phường Trần Phú, Thành phố Bắc Giang, Tỉnh Bắc Giang"
    assert m.old_code == "07213"
    assert m.note == ALL
    assert m.current_address == "Tổ 5, Phường Bắc Giang, Tỉnh Bắc Ninh"


def test_new_address_maps_directly(index: AddressIndex) -> None:
    m = found(index, "Phường Bắc Giang, Tỉnh Bắc Ninh")
    assert (m.code, m.from_old, m.confidence, m.street, m.old_name) == ("07210", False, 1.0, "", "")
    assert m.province is not None and m.province.code == "24"
    m = found(index, "Số 3 Hoàng Văn Thụ, Phường Bắc Giang, Bắc Ninh")
    assert (m.code, m.street) == ("07210", "Số 3 Hoàng Văn Thụ")


@pytest.mark.parametrize(
    "address",
    [
        "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang",
        "Tổ 5, Phường Trần Phú, Thành phố Bắc Giang, Tỉnh Bắc Giang, Việt Nam",
        "Tổ 5 - P.Trần Phú - TP.Bắc Giang - Bắc Giang",
        "Tổ 5; P. Trần Phú; Tp. Bắc Giang; Bắc Giang",
        "to 5, phuong tran phu, thanh pho bac giang, tinh bac giang",
        "TỔ 5, PHƯỜNG TRẦN PHÚ, THÀNH PHỐ BẮC GIANG, TỈNH BẮC GIANG",
        "Tổ 5,Phường Trần Phú,T.P Bắc Giang,Bắc Giang",
        "Số 10 đường Nguyễn Văn Cừ, phường Trần Phú, thành phố Bắc Giang, tỉnh Bắc Giang",
        "P Trần Phú, TP Bắc Giang, Bắc Giang, VN",
        "Phường Trần Phú, TP Bắc Giang",
        "Phường Trần Phú, Bắc Giang",
        "Tổ 5 Phường Trần Phú TP Bắc Giang Tỉnh Bắc Giang",
        "Tổ 5, Phường Trần Phú, Thành phố Bắc Giang, Tỉnh Bắc Giang.",
        "  Tổ 5 ,  Phường  Trần   Phú ,TP Bắc Giang , Tỉnh Bắc Giang  ",
    ],
)
def test_spellings_of_the_same_old_address(index: AddressIndex, address: str) -> None:
    for variant in (address, unicodedata.normalize("NFD", address)):
        m = found(index, variant)
        assert m.code == "07210", (variant, m)
        assert m.from_old


def test_confidence_drops_when_a_level_is_missing(index: AddressIndex) -> None:
    full = found(index, "Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang")
    no_district = found(index, "Phường Trần Phú, Tỉnh Bắc Giang")
    no_province = found(index, "Phường Trần Phú, TP Bắc Giang")
    assert full.code == no_district.code == no_province.code == "07210"
    assert full.confidence == 1.0
    assert no_district.confidence < 1.0 and no_province.confidence < 1.0


def test_run_together_address_without_type_words(index: AddressIndex) -> None:
    m = found(index, "Thôn Trung Xã Tân Dĩnh Lạng Giang Bắc Giang")
    assert m.code == "07432"
    assert m.confidence < 1.0


# ------------------------------------------------------------------------------------------ namesakes


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Phường 1, Quận Gò Vấp, TP Hồ Chí Minh", "26890"),
        ("P.1, Q.Gò Vấp, TP.HCM", "26890"),
        ("P1 Gò Vấp HCM", "26890"),
        ("Phường 01, Quận Tân Bình, Thành phố Hồ Chí Minh", "26977"),
        ("F1, Tân Bình, Sài Gòn", "26977"),
        ("phuong 1 quan tan binh tphcm", "26977"),
        ("Phường 1, Thành phố Đà Lạt, Tỉnh Lâm Đồng", "24781"),
        ("Phường 1, Đà Lạt, Lâm Đồng", "24781"),
        ("Phường 1, Tỉnh Lâm Đồng", "24781"),
        ("Phường 1, Quận Tân Bình", "26977"),
    ],
)
def test_repeated_ward_names_use_district_and_province(
    index: AddressIndex, address: str, expected: str
) -> None:
    assert found(index, address).code == expected


def test_ward_name_alone_is_ambiguous(index: AddressIndex) -> None:
    m = found(index, "Phường 1")
    assert m.ambiguous and m.unit is None and m.code is None
    assert {u.code for u in m.candidates} == {"26890", "26977", "24781"}
    assert m.province is None
    assert m.confidence < 0.5
    assert m.current_address is None


def test_type_word_separates_namesakes(index: AddressIndex) -> None:
    assert found(index, "Phường Trần Phú, Tỉnh Bắc Giang").code == "07210"
    assert found(index, "Xã Trần Phú, Tỉnh Bắc Giang").code == "07432"
    m = found(index, "Trần Phú, Bắc Giang")
    assert m.ambiguous
    assert {u.code for u in m.candidates} == {"07210", "07432"}
    assert m.province is not None and m.province.code == "24"


# ------------------------------------------------------------------------------------------ reorganisations


def test_split_ward_is_ambiguous_with_candidates(index: AddressIndex) -> None:
    m = found(index, "Số 1 Thụy Khuê, Phường Thụy Khuê, Quận Tây Hồ, Hà Nội")
    assert m.ambiguous
    assert [u.code for u in m.candidates] == ["00004", "00103"]
    assert m.province is not None and m.province.code == "01"
    assert m.from_old
    assert m.old_code == "00112"
    assert "Nhập một phần diện tích" in m.note
    assert m.street == "Số 1 Thụy Khuê"


def test_district_without_communes(index: AddressIndex) -> None:
    m = found(index, "Khu 3, Huyện Côn Đảo, Tỉnh Bà Rịa - Vũng Tàu")
    assert m.code == "26732"
    assert m.province is not None and m.province.name == "Thành phố Hồ Chí Minh"
    assert m.street == "Khu 3"
    assert "đặc khu Côn Đảo" in m.note
    assert found(index, "Huyện Côn Đảo, Bà Rịa-Vũng Tàu").code == "26732"


def test_unit_that_changed_type(index: AddressIndex) -> None:
    # Từ Sơn was a district (Huyện), then a town (Thị xã), then a city (Thành phố): old cards say any.
    for district in ("Thành phố Từ Sơn", "Thị xã Từ Sơn", "Huyện Từ Sơn", "TX Từ Sơn", "Từ Sơn"):
        m = found(index, f"Phường Tam Sơn, {district}, Tỉnh Bắc Ninh")
        assert m.code == "09370", district
        assert m.from_old
    assert found(index, "Phường Tam Sơn, Thị xã Từ Sơn, Tỉnh Bắc Ninh").confidence < 1.0
    assert found(index, "Xã Tam Sơn, Thành phố Từ Sơn, Tỉnh Bắc Ninh").code == "09370"


def test_type_word_inside_a_name(index: AddressIndex) -> None:
    for address in (
        "Thị trấn Hồi Xuân, Huyện Quan Hóa, Tỉnh Thanh Hóa",
        "TT Hồi Xuân, H. Quan Hóa, Thanh Hóa",
        "Hồi Xuân, Quan Hóa, Thanh Hóa",
    ):
        assert found(index, address).code == "14950", address


def test_names_that_differ_only_by_diacritics(index: AddressIndex) -> None:
    assert found(index, "Xã Minh Quân, Huyện Quan Hóa, Tỉnh Thanh Hóa").code == "14950"
    assert found(index, "Xã Minh Quán, Huyện Quan Hóa, Tỉnh Thanh Hóa").code == "14970"
    # Without diacritics the spelling says nothing: both are candidates.
    m = found(index, "xa minh quan, huyen quan hoa, tinh thanh hoa")
    assert m.ambiguous
    assert {u.code for u in m.candidates} == {"14950", "14970"}


def test_house_number_is_not_a_ward_number(index: AddressIndex) -> None:
    m = found(index, "Số 1, Phường Bến Thành, TP Hồ Chí Minh")
    assert (m.code, m.street) == ("26743", "Số 1")
    assert index.match("1, Quận Gò Vấp, TP Hồ Chí Minh") is None


def test_province_name_is_not_read_as_a_ward(index: AddressIndex) -> None:
    # "Bắc Giang" is also the new Phường Bắc Giang; at the end of an address it names the province.
    assert index.match("Tổ 5, Bắc Giang") is None
    assert index.match("Tỉnh Bắc Giang") is None


def test_new_name_with_a_dash(index: AddressIndex) -> None:
    assert found(index, "Phường Xuân Hương - Đà Lạt, Tỉnh Lâm Đồng").code == "24781"
    assert found(index, "Phường Xuân Hương, Lâm Đồng").code == "24781"


def test_new_province_that_was_also_an_old_one(index: AddressIndex) -> None:
    # "Bắc Ninh" names both the new province (code 24) and the old one (code 27).
    assert found(index, "Phường Tam Sơn, Tỉnh Bắc Ninh").code == "09370"
    assert found(index, "Phường Đa Mai, Tỉnh Bắc Ninh").code == "07228"


def test_rows_of_unknown_new_units_are_left_out(index: AddressIndex) -> None:
    assert index.match("Xã Ma, Huyện Ma, Tỉnh Ma") is None


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "Việt Nam",
        "Tổ 5",
        "abc xyz",
        ",,,",
        "Tỉnh",
        "Phường",
        "Tỉnh Bắc Giang",
        "Quận Tân Bình, TP HCM",
    ],
)
def test_no_match(index: AddressIndex, address: str) -> None:
    assert index.match(address) is None


def test_non_str_does_not_raise(index: AddressIndex) -> None:
    assert index.match(None) is None  # type: ignore[arg-type]


_WORDS = [
    "Phường",
    "P.",
    "P1",
    "Xã",
    "Quận",
    "Q.",
    "Huyện",
    "TP",
    "Tp.",
    "Thành phố",
    "Tỉnh",
    "TX",
    "Thị trấn",
    "1",
    "01",
    "Trần Phú",
    "Bắc Giang",
    "Bắc Ninh",
    "Tân Bình",
    "Hồ Chí Minh",
    "HCM",
    "Côn Đảo",
    ",",
    "-",
    " - ",
    "Việt Nam",
    "Tổ 5",
    "Bà Rịa - Vũng Tàu",
    "Thụy Khuê",
    "H'Leo",
    "Quan Hóa",
    "Đà Lạt",
    "Minh Quân",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12).map(" ".join) | st.text(max_size=200))
def test_any_text_never_raises(index: AddressIndex, address: str) -> None:
    m = index.match(address)
    if m is not None:
        assert m.candidates
        assert 0.0 < m.confidence <= 1.0
        assert (m.unit is None) == (len(m.candidates) > 1)
        assert all(u.code in index.units for u in m.candidates)


def test_row_constructors() -> None:
    assert Province.from_row({"code": "24", "name": "Tỉnh Bắc Ninh", "kind": "tinh"}) == PROVINCES[1]
    assert (
        NewUnit.from_row(
            {"code": "07210", "name": "Phường Bắc Giang", "kind": "phuong", "province_code": "24"}
        )
        == NEW_UNITS[2]
    )
    row = {
        "old_code": "07213",
        "old_name": unicodedata.normalize("NFD", "Phường Trần Phú"),
        "old_district_code": "213",
        "old_district_name": "Thành phố Bắc Giang",
        "old_province_code": "24",
        "old_province_name": "Tỉnh Bắc Giang",
        "new_code": "07210",
        "note": "Nhập toàn bộ",
    }
    assert OldUnit.from_row(row) == OLD_UNITS[5]


# ------------------------------------------------------------------------------------------ real data


def _read(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def real_index() -> AddressIndex:
    names = ("provinces-2025.csv", "units-2025.csv", "old-to-new.csv")
    missing = [n for n in names if not (REFERENCE / n).is_file()]
    if missing:
        pytest.skip(f"reference data not generated yet: {', '.join(missing)} missing in {REFERENCE}")
    provinces = [Province.from_row(r) for r in _read("provinces-2025.csv")]
    units = [NewUnit.from_row(r) for r in _read("units-2025.csv")]
    olds = [OldUnit.from_row(r) for r in _read("old-to-new.csv")]
    started = time.perf_counter()
    index = AddressIndex.build(units, olds, provinces)
    elapsed = time.perf_counter() - started
    assert len(olds) > 10_000
    assert elapsed < 2.0, f"building the index took {elapsed:.2f} s"
    return index


@pytest.mark.parametrize(
    ("address", "expected", "from_old"),
    [
        ("Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang", "07210", True),
        ("Phường Bắc Giang, Tỉnh Bắc Ninh", "07210", False),
        ("Phường Hoàng Văn Thụ, TP Bắc Giang, Bắc Giang", "07210", True),
        ("Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", "26740", True),
        ("P.1, Q.Gò Vấp, TP.HCM", "26890", True),
        ("Phường 1, Quận Tân Bình, Thành phố Hồ Chí Minh", "26977", True),
        ("Thôn Trung - Xã Tân Dĩnh - Huyện Lạng Giang - Tỉnh Bắc Giang", "07432", True),
        ("Huyện Côn Đảo, Tỉnh Bà Rịa - Vũng Tàu", "26732", True),
        ("12 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh, Việt Nam", "26743", False),
        ("Phường Xuân Hương - Đà Lạt, Lâm Đồng", "24781", False),
        ("Số 1, Phường Bình Thạnh, TP Hồ Chí Minh", "26929", False),
        ("Phường 1, TP Vĩnh Long, Vĩnh Long", "29551", True),
        ("Xã Minh Quân, Huyện Trấn Yên, Yên Bái", "04543", True),
    ],
)
def test_real_reference_data(real_index: AddressIndex, address: str, expected: str, from_old: bool) -> None:
    m = real_index.match(address)
    assert m is not None
    assert (m.code, m.from_old) == (expected, from_old), m


def test_real_reference_data_split_and_namesakes(real_index: AddressIndex) -> None:
    m = real_index.match("Phường Thụy Khuê, Quận Tây Hồ, Hà Nội")
    assert m is not None and m.ambiguous
    assert {u.code for u in m.candidates} == {"00004", "00103"}
    assert real_index.match("Phường 1") is None  # in dozens of towns: of no use without more
    assert real_index.match("Vĩnh Long") is None  # a province, not one of the wards called Vĩnh Long


def test_real_reference_data_matching_is_fast(real_index: AddressIndex) -> None:
    address = "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"
    started = time.perf_counter()
    for _ in range(200):
        real_index.match(address)
    per_call = (time.perf_counter() - started) / 200
    assert per_call < 0.005, f"{per_call * 1000:.2f} ms per address"


_TOKEN_PIECES = [
    *",;|\n\r()[]{}-\u2013 '\u2019.tTpPxX09aĐđễ\u0301\t",
    "Phường ",
    "T.P ",
    "tphcm",
    "Q1",
    " - ",
]


@given(st.lists(st.sampled_from(_TOKEN_PIECES), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_tokens_by_remembered_segment_are_those_of_one_scan_of_the_whole_text(text: str) -> None:
    # _tokens works segment by segment (each remembered); _scan reads the whole text character by
    # character, hard characters included: both must give the same tokens, offsets and segments.
    from app.domain.address import _scan, _tokens

    assert _tokens(text) == _scan(text)
    assert _tokens(text) == _scan(text)  # the second time from the remembered segments


_LEVELS = ("province", "district", "ward")


@given(
    st.lists(st.lists(st.sampled_from(_WORDS), max_size=5).map(" ".join), min_size=1, max_size=5),
    st.sampled_from(["", "Số 7", "12 Lê Lợi", "Tổ 5 thôn Trung", "so 3 ngo 4", "P1 - Q1"]),
)
@settings(max_examples=400, deadline=None)
def test_spans_remembered_across_addresses_are_those_of_the_address(parts: list[str], prefix: str) -> None:
    # The matcher remembers the candidate names ending at each place of a segment across addresses
    # (keyed by the segment's text, the diacritics flag, where the segment starts and the place): they
    # must be exactly those worked out from this address's own tokens, whatever was matched before
    # (the examples share segments, so most answers come from what earlier examples left).
    from app.domain.address import _segmented, _SpanMemo, _spans

    text = unicodedata.normalize("NFC", ", ".join([prefix, *parts] if prefix else parts))
    tokens, segments = _segmented(text)
    plain = text.isascii()
    if plain:
        tokens = [t._replace(raw="") for t in tokens]
    memo = _SpanMemo(tokens, segments, plain)
    for end in range(len(tokens) + 1):
        for level in _LEVELS:
            assert memo(end, level) == _spans(tokens, end, level), (text, end, level)


def _afresh(index: AddressIndex, address: str) -> AddressMatch | None:
    """The match worked out with nothing remembered from other addresses."""
    from app.domain import address as a

    index._answers.clear()
    index._judgements.clear()
    a._SPANS_BY_SEGMENT.clear()
    return index.match(address)


_STREETS = [
    "",
    "Số 7",
    "12 Lê Lợi",
    "Tổ 5 thôn Trung",
    "so 3 ngo 4",
    "P1 - Q1",
    "Phường Trần Phú",
    "Xã Tân Dĩnh",
]
# What comes before the shared segments: a street, or words that may well be part of a unit's name.
_STREET = st.sampled_from(_STREETS) | st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(" ".join)


@given(
    st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join), min_size=1, max_size=4),
    st.lists(_STREET, min_size=2, max_size=5),
    st.sampled_from([", ", " - ", " "]),
)
@settings(max_examples=300, deadline=None)
def test_matches_remembered_by_their_last_segments_are_those_of_the_address(
    index: AddressIndex, tail: list[str], streets: list[str], joint: str
) -> None:
    # The matcher remembers a match (without its street) under the segments its readings looked at;
    # addresses that share those segments behind different streets take it from there. Each must be
    # what the address gives with nothing remembered.
    _same_warm_and_afresh(index, [joint.join([s, *tail]) if s else joint.join(tail) for s in streets])


@given(
    st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(" ".join), min_size=1, max_size=4),
    st.lists(_STREET, min_size=2, max_size=5),
    st.sampled_from([", ", " - ", " "]),
)
@settings(max_examples=200, deadline=None)
def test_matches_remembered_on_real_reference_data_are_those_of_the_address(
    real_index: AddressIndex, tail: list[str], streets: list[str], joint: str
) -> None:
    _same_warm_and_afresh(real_index, [joint.join([s, *tail]) if s else joint.join(tail) for s in streets])


def _same_warm_and_afresh(index: AddressIndex, addresses: list[str]) -> None:
    warm = [index.match(a) for a in addresses]
    assert warm == [_afresh(index, a) for a in addresses], addresses
