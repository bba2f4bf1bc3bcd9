"""Loading the bundled reference data (administrative units, catalogue, demo centre) into the store.

Reference files are loaded once and again only when their content changes (a digest is kept in
``settings``), so start-up stays fast.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.domain.passwords import hash_password
from app.domain.text import clean_spaces, fold, nfc
from app.models import (
    AdminUnit,
    Centre,
    Operator,
    Procedure,
    ProcedurePaper,
    Setting,
    UnitSuccession,
    Workstation,
)
from app.paths import resources_dir

log = logging.getLogger(__name__)

REFORM_DAY = date(2025, 7, 1)
LAST_OLD_DAY = date(2025, 6, 30)
#: Start of validity of pre-reform units: not in the source, kept as a fixed early date.
OLD_VALID_FROM = date(1900, 1, 1)

UNIT_FILES = ("provinces-2025.csv", "units-2025.csv", "units-pre-2025.csv", "old-to-new.csv")


def reference_dir() -> Path:
    return resources_dir() / "reference"


def catalogue_path() -> Path:
    return resources_dir() / "catalogue" / "demo-procedures.json"


def demo_centre_path() -> Path:
    return resources_dir() / "demo" / "centre.json"


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else row.value


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {k: nfc(v.strip()) for k, v in row.items()}


def ensure_units(session: Session) -> bool:
    """Load the administrative units if missing or changed. Returns True if it (re)loaded them."""
    folder = reference_dir()
    paths = [folder / name for name in UNIT_FILES]
    digest = _digest(paths)
    if get_setting(session, "reference.units_digest") == digest:
        return False
    session.execute(delete(UnitSuccession))
    session.execute(delete(AdminUnit))
    rows, successions = build_unit_rows(folder)
    session.execute(insert(AdminUnit), rows)
    session.execute(insert(UnitSuccession), successions)
    set_setting(session, "reference.units_digest", digest)
    log.info("loaded %d administrative units and %d successions", len(rows), len(successions))
    return True


def build_unit_rows(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for ``admin_units`` (with explicit ids) and ``unit_successions`` from the CSV files."""
    units: list[dict[str, Any]] = []

    def add(**values: Any) -> int:
        unit_id = values["id"] = len(units) + 1
        values["name_folded"] = fold(values["name"])
        values.setdefault("district_code", None)
        values.setdefault("district_name", None)
        values.setdefault("successor_id", None)
        units.append(values)
        return unit_id

    provinces: dict[str, str] = {}
    for r in _rows(folder / "provinces-2025.csv"):
        provinces[r["code"]] = r["name"]
        add(
            code=r["code"],
            name=r["name"],
            level="province",
            kind=r["kind"],
            province_code=r["code"],
            province_name=r["name"],
            valid_from=REFORM_DAY,
            valid_to=None,
        )
    new_ids: dict[str, int] = {}
    for r in _rows(folder / "units-2025.csv"):
        new_ids[r["code"]] = add(
            code=r["code"],
            name=r["name"],
            level="commune",
            kind=r["kind"],
            province_code=r["province_code"],
            province_name=provinces[r["province_code"]],
            valid_from=REFORM_DAY,
            valid_to=None,
        )
    old_ids: dict[str, int] = {}
    seen_old_provinces: set[str] = set()
    seen_old_districts: set[str] = set()
    for r in _rows(folder / "units-pre-2025.csv"):
        common = {
            "province_code": r["province_code"],
            "province_name": r["province_name"],
            "valid_from": OLD_VALID_FROM,
            "valid_to": LAST_OLD_DAY,
        }
        if r["province_code"] not in seen_old_provinces:
            seen_old_provinces.add(r["province_code"])
            add(
                code=r["province_code"],
                name=r["province_name"],
                level="province",
                kind=_kind_of(r["province_name"]),
                **common,
            )
        if r["district_code"] not in seen_old_districts:
            seen_old_districts.add(r["district_code"])
            add(
                code=r["district_code"],
                name=r["district_name"],
                level="district",
                kind=_kind_of(r["district_name"]),
                **common,
            )
        if not r["code"]:  # a district without communes (island districts)
            continue
        old_ids[r["code"]] = add(
            code=r["code"],
            name=r["name"],
            level="commune",
            kind=_kind_of(r["name"]),
            district_code=r["district_code"],
            district_name=r["district_name"],
            **common,
        )
    successions: dict[tuple[int, int], str] = {}
    by_old: dict[int, set[int]] = defaultdict(set)
    district_ids = {u["code"]: u["id"] for u in units if u["level"] == "district"}
    for r in _rows(folder / "old-to-new.csv"):
        if not r["old_code"] and not r["old_name"]:
            # A whole district without communes (island districts) became a special zone.
            key, level, code, name = (
                f"D{r['old_district_code']}",
                "district",
                r["old_district_code"],
                r["old_district_name"],
            )
            old_ids.setdefault(key, district_ids.get(code, 0))
        elif not r["old_code"]:
            # An area without an official code (e.g. a coastal alluvial zone): keyed by district and name.
            key, level, name = f"{r['old_district_code']}:{r['old_name']}", "commune", r["old_name"]
            siblings = sum(1 for k in old_ids if k.startswith(r["old_district_code"] + ":"))
            code = f"{r['old_district_code']}.{siblings + 1}"
        else:
            key, level, code, name = r["old_code"], "commune", r["old_code"], r["old_name"]
        old_id = old_ids.get(key)
        if not old_id:  # missing from the pre-2025 list: keep what the conversion table says
            old_id = old_ids[key] = add(
                code=code,
                name=name,
                level=level,
                kind=_kind_of(name),
                district_code=r["old_district_code"],
                district_name=r["old_district_name"],
                province_code=r["old_province_code"],
                province_name=r["old_province_name"],
                valid_from=OLD_VALID_FROM,
                valid_to=LAST_OLD_DAY,
            )
        new_id = new_ids[r["new_code"]]
        successions[(old_id, new_id)] = r["note"]
        by_old[old_id].add(new_id)
    for old_id, targets in by_old.items():
        if len(targets) == 1:
            units[old_id - 1]["successor_id"] = next(iter(targets))
    succession_rows = [
        {"old_unit_id": o, "new_unit_id": n, "note": note} for (o, n), note in successions.items()
    ]
    return units, succession_rows


_KINDS = (
    ("thành phố", "thanh_pho"),
    ("tỉnh", "tinh"),
    ("đặc khu", "dac_khu"),
    ("thị trấn", "thi_tran"),
    ("thị xã", "thi_xa"),
    ("phường", "phuong"),
    ("quận", "quan"),
    ("huyện", "huyen"),
    ("xã", "xa"),
)


def _kind_of(name: str) -> str:
    lowered = name.lower()
    for prefix, kind in _KINDS:
        if lowered.startswith(prefix):
            return kind
    return "khac"


def load_catalogue(session: Session, path: Path, now: datetime | None = None) -> int:
    """Insert or update procedures by national code from a catalogue JSON file. Returns the count."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != 1:
        raise ValueError(f"unsupported catalogue schema in {path}: {data.get('schema')!r}")
    now = now or datetime.now()
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    for item in data["procedures"]:
        upsert_procedure(session, item, now, existing.get(item["code"]) or Procedure(code=item["code"]))
    return len(data["procedures"])


def upsert_procedure(
    session: Session, item: dict[str, Any], now: datetime, proc: Procedure | None = None
) -> Procedure:
    """Insert or update one procedure from a catalogue entry (schema 1), papers included. A procedure
    that already says exactly this is left alone (no write, ``updated_at`` kept): a catalogue pulled again
    changes nothing, and the reference data cached per version stays valid."""
    if proc is None:
        proc = session.scalar(select(Procedure).where(Procedure.code == item["code"])) or Procedure(
            code=item["code"]
        )
    values: dict[str, Any] = {
        "name": clean_spaces(item["name"]),
        "name_folded": fold(item["name"]),
        "field": clean_spaces(item["field"]),
        "level": item["level"],
        "competent_agency": clean_spaces(item["competent_agency"]),
        "time_value": int(item["time_value"]),
        "time_unit": item["time_unit"],
        "time_text": nfc(item.get("time_text", "")),
        "fee_vnd": int(item.get("fee_vnd", 0)),
        "fee_text": nfc(item.get("fee_text", "")),
        "channels": list(item.get("channels", ["direct"])),
        "cross_boundary": bool(item.get("cross_boundary", False)),
        "notes": nfc(item.get("unsure", "")),
        "active": True,
        # JSON round trip: a pulled item (tuples, model objects dumped) compares equal to the stored one.
        "time_by_channel": json.loads(json.dumps(item.get("time_by_channel") or {})),
        "fee_rule": json.loads(json.dumps(item.get("fee_rule"))) if item.get("fee_rule") else None,
        "extensions": json.loads(
            json.dumps([{k: v for k, v in e.items() if v is not None} for e in item.get("extensions") or []])
        ),
    }
    papers = [
        (i, clean_spaces(p["name"]), p["form"], int(p["count"]), nfc(p.get("note", "")))
        for i, p in enumerate(item["papers"], start=1)
    ]
    if (
        proc.id is not None
        and all(getattr(proc, k) == v for k, v in values.items())
        and [(x.position, x.name, x.form, x.count, x.note) for x in proc.papers] == papers
    ):
        return proc
    for key, value in values.items():
        setattr(proc, key, value)
    proc.updated_at = now
    proc.papers = [
        ProcedurePaper(position=i, name=name, form=form, count=count, note=note)
        for i, name, form, count, note in papers
    ]
    session.add(proc)
    return proc


def load_demo(session: Session) -> bool:
    """Install the demo centre, workstation, operator and catalogue if this store has no centre yet."""
    if session.scalar(select(func.count()).select_from(Centre)):
        return False
    data = json.loads(demo_centre_path().read_text(encoding="utf-8"))
    home: Centre | None = None
    for c in data["centres"]:
        centre = Centre(**{k: (nfc(v) if isinstance(v, str) else v) for k, v in c.items()})
        centre.is_home = c["agency_eid"] == data["home"]
        session.add(centre)
        if centre.is_home:
            home = centre
    assert home is not None, "demo centre file names no home centre"
    session.flush()
    ws = data["workstation"]
    session.add(Workstation(centre_id=home.id, slot=ws["slot"], name=nfc(ws["name"]), is_local=True))
    for op in data["operators"]:
        session.add(
            Operator(
                username=op["username"],
                full_name=nfc(op["full_name"]),
                password_hash=hash_password(op["password"]),
                role=op["role"],
            )
        )
    load_catalogue(session, catalogue_path())
    set_setting(session, "demo", True)
    log.info("demo centre and catalogue installed")
    return True
