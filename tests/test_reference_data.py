"""Checks of the bundled reference data (``resources/reference``) and the demo catalogue."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.contract import CatalogueItem

REPO_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = REPO_ROOT / "resources" / "reference"
CATALOGUE = REPO_ROOT / "resources" / "catalogue" / "demo-procedures.json"
BUILD_SCRIPT = REPO_ROOT / "tools" / "build_reference.py"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SHARED_INPUTS = (
    SHARED_DATA / "admin-units-2025-new-old.csv",
    SHARED_DATA / "admin-units-pre-2025.csv",
)
GENERATED_FILES = (
    "provinces-2025.csv",
    "units-2025.csv",
    "old-to-new.csv",
    "units-pre-2025.csv",
    "NOTICE.md",
)

BAC_GIANG_OLD_WARDS = {
    "07201": "Phường Thọ Xương",
    "07207": "Phường Ngô Quyền",
    "07210": "Phường Hoàng Văn Thụ",
    "07213": "Phường Trần Phú",
    "07225": "Phường Xương Giang",
    "07231": "Phường Dĩnh Kế",
    "07441": "Phường Dĩnh Trì",
}

#: Keys only some procedures have: limits per channel, a computed fee, extensions set by law.
OPTIONAL_KEYS = {"time_by_channel", "fee_rule", "extensions"}
PROCEDURE_KEYS = {
    "code",
    "name",
    "field",
    "level",
    "competent_agency",
    "time_value",
    "time_unit",
    "time_text",
    "fee_vnd",
    "fee_text",
    "papers",
    "channels",
    "cross_boundary",
    "unsure",
}
PAPER_KEYS = {"name", "form", "count", "note"}
LEVELS = {"commune", "province"}
TIME_UNITS = {"same_day", "working_days", "working_hours", "calendar_days"}
PAPER_FORMS = {"original", "copy", "original_or_copy", "show"}
CHANNELS = {"direct", "postal", "online"}


def read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_catalogue() -> dict[str, Any]:
    with CATALOGUE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def strings_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- administrative units ----------------------------------------------------------------------------


def test_provinces_2025() -> None:
    provinces = read_csv("provinces-2025.csv")
    assert len(provinces) == 34
    codes = [p["code"] for p in provinces]
    assert len(set(codes)) == 34
    assert all(len(code) == 2 and code.isdigit() for code in codes)
    assert codes == sorted(codes)
    for province in provinces:
        expected = "thanh_pho" if province["name"].startswith("Thành phố ") else "tinh"
        assert province["kind"] == expected, province
    by_code = {p["code"]: p["name"] for p in provinces}
    assert by_code["24"] == "Tỉnh Bắc Ninh"
    assert by_code["01"] == "Thành phố Hà Nội"


def test_units_2025() -> None:
    units = read_csv("units-2025.csv")
    province_codes = {p["code"] for p in read_csv("provinces-2025.csv")}
    assert len(units) == 3321
    codes = [u["code"] for u in units]
    assert len(set(codes)) == 3321
    assert all(len(code) == 5 and code.isdigit() for code in codes)
    prefixes = {"xa": "Xã ", "phuong": "Phường ", "dac_khu": "Đặc khu "}
    for unit in units:
        assert unit["province_code"] in province_codes, unit
        assert unit["name"].startswith(prefixes[unit["kind"]]), unit
    # What the NSO conversion table gives (matches the published totals).
    assert Counter(u["kind"] for u in units) == {"xa": 2621, "phuong": 687, "dac_khu": 13}
    assert {u["province_code"] for u in units} == province_codes


def test_bac_ninh_has_99_units() -> None:
    units = read_csv("units-2025.csv")
    assert sum(1 for u in units if u["province_code"] == "24") == 99


def test_phuong_bac_giang_and_its_old_wards() -> None:
    units = {u["code"]: u for u in read_csv("units-2025.csv")}
    assert units["07210"]["name"] == "Phường Bắc Giang"
    assert units["07210"]["province_code"] == "24"
    assert units["07210"]["kind"] == "phuong"

    links = [row for row in read_csv("old-to-new.csv") if row["new_code"] == "07210"]
    assert {row["old_code"]: row["old_name"] for row in links} == BAC_GIANG_OLD_WARDS
    assert len(links) == 7
    for row in links:
        assert row["old_district_code"] == "213"
        assert row["old_district_name"] == "Thành phố Bắc Giang"
        assert row["old_province_code"] == "24"
        assert row["old_province_name"] == "Tỉnh Bắc Giang"
        assert row["note"] == "Nhập toàn bộ"


def test_old_to_new_rows_refer_to_existing_units() -> None:
    unit_codes = {u["code"] for u in read_csv("units-2025.csv")}
    rows = read_csv("old-to-new.csv")
    assert rows
    for row in rows:
        assert row["new_code"] in unit_codes, row
        assert row["old_code"] == "" or (len(row["old_code"]) == 5 and row["old_code"].isdigit()), row
        assert len(row["old_district_code"]) == 3 and row["old_district_code"].isdigit(), row
        assert len(row["old_province_code"]) == 2 and row["old_province_code"].isdigit(), row
    assert {row["new_code"] for row in rows} == unit_codes
    pairs = [(row["old_code"], row["old_name"], row["new_code"]) for row in rows]
    assert len(pairs) == len(set(pairs))


def test_units_pre_2025() -> None:
    rows = read_csv("units-pre-2025.csv")
    assert {row["kind"] for row in rows} <= {"Xã", "Phường", "Thị trấn", "Huyện"}
    assert len({row["province_code"] for row in rows}) == 63
    codes = [row["code"] for row in rows if row["code"]]
    assert len(codes) == len(set(codes))
    by_code = {row["code"]: row for row in rows if row["code"]}
    assert by_code["07210"]["name"] == "Phường Hoàng Văn Thụ"
    assert by_code["07210"]["district_code"] == "213"
    assert by_code["07210"]["province_name"] == "Tỉnh Bắc Giang"


@pytest.mark.parametrize("name", [n for n in GENERATED_FILES if n.endswith(".csv")])
def test_reference_strings_are_nfc(name: str) -> None:
    text = (REFERENCE_DIR / name).read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text
    assert "\r" not in text


# --- demo catalogue ------------------------------------------------------------------------------------


def test_catalogue_shape() -> None:
    data = load_catalogue()
    assert set(data) == {"schema", "source", "procedures"}
    assert data["schema"] == 1
    assert isinstance(data["source"], str) and data["source"]
    procedures = data["procedures"]
    assert len(procedures) >= 30
    codes = [p["code"] for p in procedures]
    assert len(codes) == len(set(codes))


def test_catalogue_procedures_are_valid() -> None:
    for procedure in load_catalogue()["procedures"]:
        code = procedure.get("code")
        assert PROCEDURE_KEYS <= set(procedure) <= PROCEDURE_KEYS | OPTIONAL_KEYS, code
        # Rules as published: every optional entry is valid on the wire (app.contract.CatalogueItem).
        CatalogueItem.model_validate(procedure)
        for key in ("code", "name", "field", "competent_agency", "time_text", "fee_text"):
            assert isinstance(procedure[key], str) and procedure[key].strip(), (code, key)
        assert isinstance(procedure["unsure"], str), code
        assert procedure["level"] in LEVELS, code
        assert procedure["time_unit"] in TIME_UNITS, code
        assert is_int(procedure["time_value"]) and procedure["time_value"] >= 0, code
        if procedure["time_unit"] == "same_day":
            assert procedure["time_value"] == 0, code
        else:
            assert procedure["time_value"] > 0, code
        assert is_int(procedure["fee_vnd"]) and procedure["fee_vnd"] >= 0, code
        assert isinstance(procedure["cross_boundary"], bool), code
        channels = procedure["channels"]
        assert channels and set(channels) <= CHANNELS and len(channels) == len(set(channels)), code
        papers = procedure["papers"]
        assert len(papers) >= 1, code
        for paper in papers:
            assert set(paper) == PAPER_KEYS, code
            assert isinstance(paper["name"], str) and paper["name"].strip(), code
            assert paper["form"] in PAPER_FORMS, (code, paper["name"])
            assert is_int(paper["count"]) and paper["count"] >= 1, (code, paper["name"])
            assert isinstance(paper["note"], str), code


def test_catalogue_levels_and_cross_boundary() -> None:
    procedures = load_catalogue()["procedures"]
    assert sum(1 for p in procedures if p["level"] == "province") >= 3
    assert sum(1 for p in procedures if p["cross_boundary"]) >= 1
    household_business = [p for p in procedures if p["field"] == "Hộ kinh doanh"]
    assert household_business
    assert all(p["cross_boundary"] for p in household_business)


def test_catalogue_covers_the_main_fields() -> None:
    fields = {p["field"] for p in load_catalogue()["procedures"]}
    assert {"Hộ tịch", "Chứng thực", "Hộ kinh doanh", "Hoạt động xây dựng", "Đất đai"} <= fields
    assert fields & {"Bảo trợ xã hội", "Giảm nghèo"}


def test_catalogue_strings_are_nfc() -> None:
    raw = CATALOGUE.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) == raw
    for value in strings_in(load_catalogue()):
        assert unicodedata.normalize("NFC", value) == value, value


# --- reproducibility -----------------------------------------------------------------------------------


@pytest.mark.skipif(
    not all(path.is_file() for path in SHARED_INPUTS),
    reason=f"the NSO source lists are not in {SHARED_DATA} (expected ../shared/data next to the clone)",
)
def test_build_reference_reproduces_the_committed_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(BUILD_SCRIPT),
            "--new-old",
            str(SHARED_INPUTS[0]),
            "--pre-2025",
            str(SHARED_INPUTS[1]),
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in GENERATED_FILES:
        built = (tmp_path / name).read_bytes()
        committed = (REFERENCE_DIR / name).read_bytes()
        assert built == committed, f"{name} differs: run `python tools/build_reference.py`"
