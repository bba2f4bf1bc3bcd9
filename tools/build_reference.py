#!/usr/bin/env python3
"""Build the administrative-unit reference files in ``resources/reference/`` from the NSO lists.

Inputs (public data of the National Statistics Office, danhmuchanhchinh.nso.gov.vn):

- the official conversion table of commune-level units from 1 July 2025 (new unit <- old units);
- the three-level list (province, district, commune) as of 4 January 2025.

Outputs (deterministic: sorted rows, UTF-8 without BOM, ``\\n`` line endings, NFC strings, codes kept
as zero-padded strings): ``provinces-2025.csv``, ``units-2025.csv``, ``old-to-new.csv``,
``units-pre-2025.csv`` and ``NOTICE.md``.

The script verifies its own output and exits with status 1 and a message on stderr when a check fails.

Usage::

    python tools/build_reference.py [--new-old CSV] [--pre-2025 CSV] [--out-dir DIR]

Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_NEW_OLD = SHARED_DATA / "admin-units-2025-new-old.csv"
DEFAULT_PRE_2025 = SHARED_DATA / "admin-units-pre-2025.csv"
DEFAULT_OUT_DIR = REPO_ROOT / "resources" / "reference"

EXPECTED_PROVINCES = 34
EXPECTED_UNITS = 3321

PROVINCES_FILE = "provinces-2025.csv"
UNITS_FILE = "units-2025.csv"
OLD_TO_NEW_FILE = "old-to-new.csv"
PRE_2025_FILE = "units-pre-2025.csv"
NOTICE_FILE = "NOTICE.md"

PROVINCE_COLUMNS = ("code", "name", "kind")
UNIT_COLUMNS = ("code", "name", "kind", "province_code")
OLD_TO_NEW_COLUMNS = (
    "old_code",
    "old_name",
    "old_district_code",
    "old_district_name",
    "old_province_code",
    "old_province_name",
    "new_code",
    "note",
)
PRE_2025_COLUMNS = (
    "province_code",
    "province_name",
    "district_code",
    "district_name",
    "code",
    "name",
    "kind",
)

#: Name prefix -> ``kind`` value for the current units and provinces.
UNIT_KINDS = {"Xã": "xa", "Phường": "phuong", "Đặc khu": "dac_khu"}
PROVINCE_KINDS = {"Tỉnh": "tinh", "Thành phố": "thanh_pho"}

#: Unit-type prefixes whose capitalisation varies in the sources ("Thị Xã", "phường", "Thành Phố" …).
CANONICAL_PREFIXES = (
    "Thành phố",
    "Thị xã",
    "Thị trấn",
    "Đặc khu",
    "Phường",
    "Huyện",
    "Quận",
    "Tỉnh",
    "Xã",
)
#: Misspelt prefixes seen in the sources.
PREFIX_TYPOS = {"Thi trấn": "Thị trấn"}

#: Corrections to the names of new (2025) units, by new code: (name in the source, corrected name, why).
NEW_NAME_FIXES: dict[str, tuple[str, str, str]] = {
    "24496": ("Xa Ea Kly", "Xã Ea Kly", 'typo "Xa" for "Xã" in the unit type'),
    "05941": (
        "Xã Điềm Thuỵ",
        "Xã Điềm Thụy",
        'the source spells it both "Điềm Thuỵ" (3 rows) and "Điềm Thụy" (1 row); '
        '"Điềm Thụy" is the spelling of the old commune of the same code',
    ),
}

#: Corrections to old unit names, by old code: (name in the source, corrected name, why).
OLD_NAME_FIXES: dict[str, tuple[str, str, str]] = {
    "22108": ("Xuân Quang 3", "Xã Xuân Quang 3", 'unit type "Xã" missing'),
    "22111": ("Xuân Phước", "Xã Xuân Phước", 'unit type "Xã" missing'),
}

#: Corrections to old codes: (new code, old code in the source, old name) -> (corrected old code, why).
#: Each corrected code is checked against the pre-2025 list, which must give the same name.
OLD_CODE_FIXES: dict[tuple[str, str, str], tuple[str, str]] = {
    ("00562", "00553", "Xã Đặng Xá"): ("00556", "00553 is Xã Cổ Bi; Xã Đặng Xá is 00556"),
    ("01648", "01615", "Xã Mỹ Hưng"): ("01651", "01615 is Xã Hồng Quang; Xã Mỹ Hưng is 01651"),
    ("02494", "02485", "Xã Phú Thịnh"): ("02482", "02485 is Xã Công Đa; Xã Phú Thịnh is 02482"),
}

#: Corrections to notes: (note in the source, corrected note).
NOTE_FIXES: dict[str, str] = {"Nhâp một phần diện tích": "Nhập một phần diện tích"}

_LABEL_WITH_CODE = re.compile(r"(?P<name>.*?)\s*\((?P<code>\d+)\)")
_WHITESPACE = re.compile(r"\s+")


class BuildError(Exception):
    """The input cannot be read, or the output failed a check."""


def clean(value: str) -> str:
    """NFC-normalise, collapse runs of whitespace (including embedded newlines) and strip."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()


def canonical_prefix(name: str) -> str:
    """Give the unit-type prefix of ``name`` its canonical capitalisation ("Thị Xã X" -> "Thị xã X")."""
    for typo, right in PREFIX_TYPOS.items():
        if name.startswith(typo + " "):
            name = right + name[len(typo) :]
    lowered = name.casefold()
    for prefix in CANONICAL_PREFIXES:
        if lowered.startswith(prefix.casefold() + " "):
            return prefix + name[len(prefix) :]
    return name


def split_label(label: str, digits: int, what: str) -> tuple[str, str]:
    """Split ``"Tỉnh Bắc Ninh (24)"`` into ``("Tỉnh Bắc Ninh", "24")``; the code is zero-padded."""
    match = _LABEL_WITH_CODE.fullmatch(label)
    if match is None:
        raise BuildError(f"{what}: no code in parentheses in {label!r}")
    code = match.group("code")
    if len(code) > digits:
        raise BuildError(f"{what}: code {code!r} in {label!r} has more than {digits} digits")
    return match.group("name"), code.zfill(digits)


def kind_from_prefix(name: str, kinds: dict[str, str], what: str) -> str:
    for prefix, kind in kinds.items():
        if name.startswith(prefix + " "):
            return kind
    raise BuildError(f"{what}: unknown unit type in {name!r} (expected one of {', '.join(kinds)})")


def read_rows(path: Path) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [[clean(cell) for cell in row] for row in csv.reader(handle)]
    except OSError as exc:
        raise BuildError(f"cannot read {path}: {exc}") from exc


def check_code(code: str, digits: int, what: str) -> None:
    if not (len(code) == digits and code.isdigit()):
        raise BuildError(f"{what}: code {code!r} is not {digits} digits")


# --- the pre-2025 list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreUnit:
    province_code: str
    province_name: str
    district_code: str
    district_name: str
    code: str
    name: str
    kind: str

    def row(self) -> tuple[str, ...]:
        return (
            self.province_code,
            self.province_name,
            self.district_code,
            self.district_name,
            self.code,
            self.name,
            self.kind,
        )


def parse_pre_2025(rows: Sequence[Sequence[str]]) -> list[PreUnit]:
    """Parse the 2025-01-04 three-level list (header: Tỉnh Thành Phố, Mã TP, Quận Huyện, Mã QH, …)."""
    if not rows or rows[0][:2] != ["Tỉnh Thành Phố", "Mã TP"]:
        raise BuildError("pre-2025 list: unexpected header")
    units: list[PreUnit] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) < 7:
            raise BuildError(f"pre-2025 list, line {number}: {len(row)} columns, expected at least 7")
        province_name, province_code, district_name, district_code, name, code, kind = row[:7]
        what = f"pre-2025 list, line {number}"
        check_code(province_code, 2, what)
        check_code(district_code, 3, what)
        if kind == "Huyện":
            # A district without a commune level (island districts): no commune code or name.
            if code or name:
                raise BuildError(f"{what}: a district-only row with a commune {code} {name}")
        else:
            check_code(code, 5, what)
            if kind not in ("Xã", "Phường", "Thị trấn"):
                raise BuildError(f"{what}: unknown level {kind!r}")
        units.append(
            PreUnit(
                province_code=province_code,
                province_name=canonical_prefix(province_name),
                district_code=district_code,
                district_name=canonical_prefix(district_name),
                code=code,
                name=canonical_prefix(name),
                kind=kind,
            )
        )
    seen: set[str] = set()
    for unit in units:
        if unit.code and unit.code in seen:
            raise BuildError(f"pre-2025 list: commune code {unit.code} appears twice")
        seen.add(unit.code)
    return sorted(units, key=lambda u: (u.province_code, u.district_code, u.code))


# --- the 2025 conversion table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    provinces: dict[str, str]  # code -> name
    units: dict[str, tuple[str, str]]  # code -> (name, province code)
    links: list[tuple[str, ...]]  # old-to-new rows, in OLD_TO_NEW_COLUMNS order
    fixes: list[str]  # what was corrected, for the notice
    unapplied: list[str]  # corrections that no longer match the source: the source changed, review them


def parse_new_old(rows: Sequence[Sequence[str]], pre_units: Sequence[PreUnit]) -> Conversion:
    """Parse the conversion table: two header lines, province banner lines, then one row per link."""
    if len(rows) < 3 or not rows[1] or rows[1][0] != "Tỉnh, thành phố":
        raise BuildError("conversion table: unexpected header lines")

    pre_by_code = {u.code: u for u in pre_units if u.code}
    pre_district_province = {u.district_code: (u.province_code, u.province_name) for u in pre_units}

    province_names: dict[str, set[str]] = defaultdict(set)
    unit_names: dict[str, Counter[str]] = defaultdict(Counter)
    unit_provinces: dict[str, set[str]] = defaultdict(set)
    old_names: dict[str, set[str]] = defaultdict(set)
    district_names: dict[str, set[str]] = defaultdict(set)
    links: set[tuple[str, ...]] = set()
    fixes: list[str] = []
    unapplied: list[str] = []
    used_code_fixes: set[tuple[str, str, str]] = set()
    used_name_fixes: set[str] = set()
    used_note_fixes: set[str] = set()
    province_corrections: Counter[tuple[str, str, str]] = Counter()

    for number, row in enumerate(rows[2:], start=3):
        if len(row) < 8:
            raise BuildError(f"conversion table, line {number}: {len(row)} columns, expected at least 8")
        province_label, new_name, new_code, old_name, old_code, note, district_label, old_prov_label = row[:8]
        if not new_name and not new_code:
            # A province banner ("THÀNH PHỐ HÀ NỘI", "Tỉnh Bắc Ninh (24)") or an empty line.
            if any(row[1:]):
                raise BuildError(f"conversion table, line {number}: a row without a new unit: {row}")
            continue
        what = f"conversion table, line {number}"
        province_name, province_code = split_label(province_label, 2, what)
        check_code(new_code, 5, what)

        new_name = canonical_prefix(new_name)
        if new_code in NEW_NAME_FIXES and new_name == NEW_NAME_FIXES[new_code][0]:
            new_name = NEW_NAME_FIXES[new_code][1]
            used_name_fixes.add(new_code)

        old_name = canonical_prefix(old_name)
        if old_code in OLD_NAME_FIXES and old_name == OLD_NAME_FIXES[old_code][0]:
            old_name = OLD_NAME_FIXES[old_code][1]
            used_name_fixes.add("old:" + old_code)
        key = (new_code, old_code, old_name)
        if key in OLD_CODE_FIXES:
            corrected, _why = OLD_CODE_FIXES[key]
            pre = pre_by_code.get(corrected)
            if pre is None or pre.name != old_name:
                raise BuildError(
                    f"{what}: the correction of {old_name} {old_code} -> {corrected} no longer fits"
                )
            old_code = corrected
            used_code_fixes.add(key)
        if old_code:
            check_code(old_code, 5, what)
        elif not note:
            raise BuildError(f"{what}: an old unit without a code and without a note")

        district_name, district_code = split_label(district_label, 3, what)
        district_name = canonical_prefix(district_name)
        old_province_name, old_province_code = split_label(old_prov_label, 2, what)
        old_province_name = canonical_prefix(old_province_name)
        # Districts nest in exactly one old province: the pre-2025 list is authoritative for it.
        if district_code in pre_district_province:
            pre_province = pre_district_province[district_code]
            if pre_province[0] != old_province_code:
                province_corrections[(district_code, old_province_code, pre_province[0])] += 1
            old_province_code, old_province_name = pre_province

        if note in NOTE_FIXES:
            used_note_fixes.add(note)
            note = NOTE_FIXES[note]

        province_names[province_code].add(province_name)
        unit_names[new_code][new_name] += 1
        unit_provinces[new_code].add(province_code)
        if old_code:
            old_names[old_code].add(old_name)
        district_names[district_code].add(district_name)
        link = (
            old_code,
            old_name,
            district_code,
            district_name,
            old_province_code,
            old_province_name,
            new_code,
            note,
        )
        if link in links:
            raise BuildError(f"{what}: duplicate row {link}")
        links.add(link)

    for new_code, (before, after, why) in sorted(NEW_NAME_FIXES.items()):
        if new_code not in used_name_fixes:
            unapplied.append(f"the correction of new unit {new_code} {before!r} was not applied: review it")
            continue
        fixes.append(f"new unit {new_code}: {before!r} -> {after!r} ({why})")
    for old_code, (before, after, why) in sorted(OLD_NAME_FIXES.items()):
        if "old:" + old_code not in used_name_fixes:
            unapplied.append(f"the correction of old unit {old_code} {before!r} was not applied: review it")
            continue
        fixes.append(f"old unit {old_code}: {before!r} -> {after!r} ({why})")
    for key, (corrected, why) in sorted(OLD_CODE_FIXES.items()):
        if key not in used_code_fixes:
            unapplied.append(f"the correction of old code {key} was not applied: review it")
            continue
        fixes.append(f"old unit {key[2]} under new unit {key[0]}: code {key[1]} -> {corrected} ({why})")
    for (district, given, right), count in sorted(province_corrections.items()):
        fixes.append(
            f"old district {district}: old province code {given} -> {right} "
            f"({count} row(s); taken from the pre-2025 list)"
        )
    for before in sorted(used_note_fixes):
        after = NOTE_FIXES[before]
        fixes.append(f"note {before!r} -> {after!r} (typo)")

    provinces: dict[str, str] = {}
    for code, names in province_names.items():
        if len(names) != 1:
            raise BuildError(f"province {code} has several names: {sorted(names)}")
        provinces[code] = next(iter(names))
    units: dict[str, tuple[str, str]] = {}
    for code, names in unit_names.items():
        if len(names) != 1:
            raise BuildError(f"new unit {code} has several names: {dict(names)}")
        if len(unit_provinces[code]) != 1:
            raise BuildError(f"new unit {code} is in several provinces: {sorted(unit_provinces[code])}")
        units[code] = (next(iter(names)), next(iter(unit_provinces[code])))
    for code, names in old_names.items():
        if len(names) != 1:
            raise BuildError(f"old unit {code} has several names: {sorted(names)}")
    for code, names in district_names.items():
        if len(names) != 1:
            raise BuildError(f"old district {code} has several names: {sorted(names)}")

    ordered = sorted(links, key=lambda link: (link[0], link[6], link[2], link[1]))
    return Conversion(provinces=provinces, units=units, links=ordered, fixes=fixes, unapplied=unapplied)


# --- output ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tables:
    provinces: list[tuple[str, str, str]]
    units: list[tuple[str, str, str, str]]
    links: list[tuple[str, ...]]
    pre_units: list[PreUnit]
    fixes: list[str]
    unapplied: list[str]


def build(new_old_path: Path, pre_2025_path: Path) -> Tables:
    pre_units = parse_pre_2025(read_rows(pre_2025_path))
    conversion = parse_new_old(read_rows(new_old_path), pre_units)
    provinces = [
        (code, name, kind_from_prefix(name, PROVINCE_KINDS, f"province {code}"))
        for code, name in sorted(conversion.provinces.items())
    ]
    units = [
        (code, name, kind_from_prefix(name, UNIT_KINDS, f"unit {code}"), province_code)
        for code, (name, province_code) in sorted(conversion.units.items())
    ]
    tables = Tables(
        provinces=provinces,
        units=units,
        links=conversion.links,
        pre_units=pre_units,
        fixes=conversion.fixes,
        unapplied=conversion.unapplied,
    )
    verify(tables)
    return tables


def verify(tables: Tables) -> None:
    """The checks the output must pass; raise :class:`BuildError` on the first failure."""
    problems: list[str] = list(tables.unapplied)
    if len(tables.provinces) != EXPECTED_PROVINCES:
        problems.append(f"{len(tables.provinces)} provinces, expected {EXPECTED_PROVINCES}")
    if len(tables.units) != EXPECTED_UNITS:
        problems.append(f"{len(tables.units)} current units, expected {EXPECTED_UNITS}")
    province_codes = {code for code, _name, _kind in tables.provinces}
    for code, _name, _kind in tables.provinces:
        if not (len(code) == 2 and code.isdigit()):
            problems.append(f"province code {code!r} is not two digits")
    unit_codes = {code for code, _name, _kind, _province in tables.units}
    for code, name, _kind, province_code in tables.units:
        if province_code not in province_codes:
            problems.append(f"unit {code} {name} is in unknown province {province_code}")
    provinces_with_units = {province for _code, _name, _kind, province in tables.units}
    for code in sorted(province_codes - provinces_with_units):
        problems.append(f"province {code} has no unit")
    old_province_codes = {u.province_code for u in tables.pre_units}
    for link in tables.links:
        old_code, old_name, _district, _dname, old_province, _pname, new_code, _note = link
        if new_code not in unit_codes:
            problems.append(f"old unit {old_code} {old_name} points to unknown new unit {new_code}")
        if old_province not in old_province_codes:
            problems.append(f"old unit {old_code} {old_name} is in unknown old province {old_province}")
    linked = {link[6] for link in tables.links}
    for code in sorted(unit_codes - linked):
        problems.append(f"new unit {code} has no old unit")
    for value in _all_strings(tables):
        if unicodedata.normalize("NFC", value) != value:
            problems.append(f"not NFC: {value!r}")
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BuildError(f"the output failed {len(problems)} check(s):\n  {shown}{more}")


def _all_strings(tables: Tables) -> Iterable[str]:
    for row in tables.provinces:
        yield from row
    for unit in tables.units:
        yield from unit
    for link in tables.links:
        yield from link
    for pre in tables.pre_units:
        yield from pre.row()
    yield from tables.fixes


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def notice_text(tables: Tables) -> str:
    kinds = Counter(kind for _code, _name, kind, _province in tables.units)
    pre_kinds = Counter(u.kind for u in tables.pre_units)
    split_old = Counter(link[0] for link in tables.links if link[0])
    n_split = sum(1 for count in split_old.values() if count > 1)
    no_code = sum(1 for link in tables.links if not link[0])
    pre_districts = {u.district_code for u in tables.pre_units}
    pre_provinces = {u.province_code for u in tables.pre_units}
    fixes = "\n".join(f"  - {fix}" for fix in tables.fixes)
    return f"""# Reference data: administrative units

Generated by `tools/build_reference.py`; do not edit by hand.

## Source

National Statistics Office of Viet Nam (Tổng cục Thống kê, since 2025 Cục Thống kê, Bộ Tài chính):
danh mục hành chính, <https://danhmuchanhchinh.nso.gov.vn/>. Two published lists are used:

- the official conversion table of commune-level units from 1 July 2025 (`admin-units-2025-new-old.csv`):
  for every new commune, ward or special zone, each old unit it was formed from, with the official note
  ("Nhập toàn bộ", "Nhập một phần", "Giữ nguyên" …);
- the three-level list (province, district, commune) as of 4 January 2025 (`admin-units-pre-2025.csv`).

## Files

- `{PROVINCES_FILE}`: the {len(tables.provinces)} provinces from 1 July 2025. Columns
  `{",".join(PROVINCE_COLUMNS)}`; `kind` is `tinh` (Tỉnh) or `thanh_pho` (Thành phố).
- `{UNITS_FILE}`: the {len(tables.units)} commune-level units from 1 July 2025
  ({kinds["xa"]} `xa`, {kinds["phuong"]} `phuong`, {kinds["dac_khu"]} `dac_khu`, from the name prefix
  "Xã" / "Phường" / "Đặc khu"). Columns `{",".join(UNIT_COLUMNS)}`.
- `{OLD_TO_NEW_FILE}`: one row per (old unit, new unit) pair of the conversion table
  ({len(tables.links)} rows). Columns
  `{",".join(OLD_TO_NEW_COLUMNS)}`.
  - {n_split} old units were split across several new units and have one row per new unit; `note`
    keeps the official wording ("Nhập toàn bộ", "Nhập một phần", "Nhập một phần diện tích" …).
  - Codes are reused across generations (old ward 07210 Hoàng Văn Thụ, new ward 07210 Bắc Giang):
    always say which generation a code belongs to.
  - {no_code} rows have no `old_code`: island districts without a commune level (Bạch Long Vĩ, Cồn Cỏ,
    Hoàng Sa, Lý Sơn, Côn Đảo) and an unnumbered coastal area of Kim Sơn; their `note` says what happened.
  - `old_district_name` is as in the conversion table, i.e. as of 30 June 2025 (e.g. "Thị xã Mộc Châu",
    which the January list still calls "Huyện Mộc Châu").
- `{PRE_2025_FILE}`: the list as of 4 January 2025 ({len(pre_provinces)} provinces,
  {len(pre_districts)} districts, {pre_kinds["Xã"]} Xã, {pre_kinds["Phường"]} Phường,
  {pre_kinds["Thị trấn"]} Thị trấn). Columns `{",".join(PRE_2025_COLUMNS)}`.
  - `kind` is as in the source (Xã / Phường / Thị trấn).
  - The {pre_kinds["Huyện"]} island districts without a commune level have one row each, with an empty
    `code` and `name` and `kind` "Huyện".
  - Some units changed between January and July 2025 (e.g. in Sơn La, Bắc Giang, Hồ Chí Minh City): a few
    old codes of `{OLD_TO_NEW_FILE}` are not in this list, and a few units of this list are not in the
    conversion table.

All files are UTF-8 without BOM, `\\n` line endings, comma-separated with a header line, sorted by code
(`{OLD_TO_NEW_FILE}` by old code, then new code). Codes are zero-padded strings: provinces 2 digits,
districts 3, communes 5.

## Clean-up applied

- Strings are NFC-normalised; runs of whitespace (trailing spaces, embedded line breaks) are collapsed.
- The header lines and the province banner lines of the conversion table are skipped.
- The capitalisation of unit-type prefixes is made uniform ("Thị Xã" -> "Thị xã", "phường" -> "Phường",
  "Thành Phố" -> "Thành phố", "Thị Trấn" -> "Thị trấn"). Tone-mark placement (Hòa / Hoà) is kept as
  published.
- The old province of every row is taken from the pre-2025 list through the old district code (a district
  belongs to exactly one province).
- Corrections of evident errors in the conversion table:
{fixes}

## Regenerate

```
python tools/build_reference.py
```

The inputs default to `../shared/data/` next to the repository; see `--help`.
"""


def write_outputs(tables: Tables, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / PROVINCES_FILE, PROVINCE_COLUMNS, tables.provinces)
    write_csv(out_dir / UNITS_FILE, UNIT_COLUMNS, tables.units)
    write_csv(out_dir / OLD_TO_NEW_FILE, OLD_TO_NEW_COLUMNS, tables.links)
    write_csv(out_dir / PRE_2025_FILE, PRE_2025_COLUMNS, (u.row() for u in tables.pre_units))
    with (out_dir / NOTICE_FILE).open("w", encoding="utf-8", newline="") as handle:
        handle.write(notice_text(tables))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new-old", type=Path, default=DEFAULT_NEW_OLD, help="the 2025 conversion table")
    parser.add_argument("--pre-2025", type=Path, default=DEFAULT_PRE_2025, help="the 2025-01-04 list")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="where to write the files")
    args = parser.parse_args(argv)
    try:
        tables = build(args.new_old, args.pre_2025)
        write_outputs(tables, args.out_dir)
    except BuildError as exc:
        print(f"build_reference: error: {exc}", file=sys.stderr)
        return 1
    kinds = Counter(kind for _code, _name, kind, _province in tables.units)
    print(
        f"build_reference: {len(tables.provinces)} provinces, {len(tables.units)} units "
        f"({kinds['xa']} xa, {kinds['phuong']} phuong, {kinds['dac_khu']} dac_khu), "
        f"{len(tables.links)} old-to-new rows, {len(tables.pre_units)} pre-2025 rows, "
        f"{len(tables.fixes)} corrections -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
