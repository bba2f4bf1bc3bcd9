"""Administration use cases behind ``motcua-server`` (and the tests): each is one transaction."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.contract import CalendarDay as CalendarDayModel
from app.contract import CatalogueItem, CentreInfo, utc_now
from app.domain.codes import validate_agency_eid
from app.domain.errors import DomainError, Problem
from app.domain.passwords import hash_password, verify_password
from app.domain.text import clean_spaces, nfc
from app.domain.usernames import normalise_username, username_key, username_problem
from server import audit
from server.db import Database
from server.devices import enrolment_expiry, new_enrolment_code, normalise_enrolment_code, sha256
from server.errors import first_error
from server.models import AdminUnit, CalendarDay, Centre, Device, EnrolmentCode, Operator, Procedure
from server.password_policy import password_problem
from server.sync import append_change, counts

CENTRE_KINDS = ("commune_centre", "provincial_agency")


class AdminError(Exception):
    """A command refused its input (not found, already exists, invalid): tell the administrator."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)


def now_utc() -> datetime:
    """Naive UTC, the server database's convention."""
    return utc_now().replace(tzinfo=None)


def resources_dir() -> Path:
    """The checkout's ``resources/`` (``$MOTCUA_RESOURCES_DIR`` overrides), as the desktop app finds it."""
    override = os.environ.get("MOTCUA_RESOURCES_DIR")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "resources"


def default_catalogue() -> Path:
    return resources_dir() / "catalogue" / "demo-procedures.json"


def demo_file() -> Path:
    return resources_dir() / "demo" / "centre.json"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AdminError(
            Problem(
                "admin.file",
                f"Không đọc được tệp {path}: {exc.strerror or exc}.",
                f"Cannot read {path}: {exc.strerror or exc}.",
            )
        ) from None
    except ValueError as exc:
        raise AdminError(
            Problem(
                "admin.json",
                f"Tệp {path} không phải JSON hợp lệ: {exc}.",
                f"{path} is not valid JSON: {exc}.",
            )
        ) from None


def _centre(db_session: Session, eid: str) -> Centre:
    centre = db_session.scalar(select(Centre).where(Centre.eid == eid))
    if centre is None:
        raise AdminError(
            Problem(
                "admin.centre_unknown",
                f"Không có trung tâm nào mã định danh {eid}: thêm bằng «motcua-server add-centre» trước.",
                f"No centre has e-ID {eid}: add it with 'motcua-server add-centre' first.",
            )
        )
    return centre


# --- reference data -------------------------------------------------------------------------------------


def import_units(db: Database, folder: Path | None = None) -> tuple[int, int]:
    """Replace the administrative units with the current provinces and communes. Returns the counts."""
    folder = folder or resources_dir() / "reference"
    rows: list[dict[str, Any]] = []
    try:
        with (folder / "provinces-2025.csv").open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                rows.append(
                    {
                        "level": "province",
                        "code": r["code"].strip(),
                        "name": nfc(r["name"].strip()),
                        "kind": r["kind"].strip(),
                        "province_code": r["code"].strip(),
                    }
                )
        provinces = len(rows)
        with (folder / "units-2025.csv").open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                rows.append(
                    {
                        "level": "commune",
                        "code": r["code"].strip(),
                        "name": nfc(r["name"].strip()),
                        "kind": r["kind"].strip(),
                        "province_code": r["province_code"].strip(),
                    }
                )
    except (OSError, KeyError) as exc:
        raise AdminError(
            Problem(
                "admin.units_file",
                f"Không đọc được danh mục đơn vị hành chính trong {folder}: {exc}.",
                f"Cannot read the administrative units in {folder}: {exc}.",
            )
        ) from None
    with db.write() as s:
        s.execute(delete(AdminUnit))
        s.execute(insert(AdminUnit), rows)
    return provinces, len(rows) - provinces


def import_catalogue(db: Database, path: Path | None = None) -> tuple[int, int]:
    """Upsert procedures by code from a catalogue file (schema 1); a new or changed procedure appends a
    ``procedure`` change. Returns (procedures in the file, procedures changed)."""
    path = path or default_catalogue()
    data = _read_json(path)
    if not isinstance(data, dict) or data.get("schema") != 1 or not isinstance(data.get("procedures"), list):
        raise AdminError(
            Problem(
                "admin.catalogue_schema",
                f"Tệp {path} không phải danh mục thủ tục phiên bản 1 (cần «schema»: 1 và «procedures»).",
                f"{path} is not a version 1 procedure catalogue (needs 'schema': 1 and 'procedures').",
            )
        )
    items: list[CatalogueItem] = []
    for i, raw in enumerate(data["procedures"], start=1):
        try:
            items.append(CatalogueItem.model_validate(raw))
        except ValidationError as err:
            where, msg = first_error(err)
            raise AdminError(
                Problem(
                    "admin.catalogue_item",
                    f"Thủ tục thứ {i} trong {path} không hợp lệ ở «{where}»: {msg}.",
                    f"Procedure {i} in {path} is invalid at {where!r}: {msg}.",
                )
            ) from None
    codes = [item.code for item in items]
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        raise AdminError(
            Problem(
                "admin.catalogue_duplicate",
                f"Danh mục {path} có mã thủ tục trùng: {', '.join(dup)}.",
                f"Catalogue {path} repeats procedure codes: {', '.join(dup)}.",
            )
        )
    now = now_utc()
    changes: list[dict[str, Any]] = []
    with db.write() as s:
        existing = {p.code: p for p in s.scalars(select(Procedure))}
        for item in items:
            value = item.model_dump(mode="json")
            row = existing.get(item.code)
            if row is not None and row.item == value:
                continue
            if row is None:
                s.add(Procedure(code=item.code, item=value, updated_at=now))
            else:
                row.item = value
                row.updated_at = now
            changes.append(value)
        # The change feed is written last (its lock is then held only for these inserts and the commit).
        for value in changes:
            append_change(s, "procedure", value, now)
    return len(items), len(changes)


def set_calendar_day(
    db: Database, day: date, kind: str, note: str = "", notice: str = "", notice_date: date | None = None
) -> bool:
    """Add or change a day off / make-up working day with the notice that sets it (số hiệu, ngày); appends
    a ``calendar`` change if anything changed."""
    try:
        value = CalendarDayModel(
            day=day,
            kind=kind,  # type: ignore[arg-type]
            note=clean_spaces(note),
            notice=clean_spaces(notice),
            notice_date=notice_date,
        ).model_dump(mode="json")
    except ValidationError as err:
        where, msg = first_error(err)
        raise AdminError(
            Problem(
                "admin.calendar",
                f"Ngày nghỉ/làm bù không hợp lệ ({where}): {msg}.",
                f"Invalid calendar day ({where}): {msg}.",
            )
        ) from None
    now = now_utc()
    with db.write() as s:
        row = s.get(CalendarDay, day)
        fields = (value["kind"], value["note"], value["notice"], notice_date)
        if row is not None and (row.kind, row.note, row.notice, row.notice_date) == fields:
            return False
        if row is None:
            row = CalendarDay(day=day)
            s.add(row)
        row.kind, row.note, row.notice, row.notice_date = fields
        row.updated_at = now
        append_change(s, "calendar", value, now)
    return True


def remove_calendar_day(db: Database, day: date) -> bool:
    """Remove a day from the province's table; desks delete theirs (a ``calendar`` change with
    ``removed``). False when the day was not in the table."""
    now = now_utc()
    with db.write() as s:
        row = s.get(CalendarDay, day)
        if row is None:
            return False
        value = CalendarDayModel(day=day, kind=row.kind, removed=True).model_dump(mode="json")  # type: ignore[arg-type]
        s.delete(row)
        append_change(s, "calendar", value, now)
    return True


@dataclass(frozen=True)
class CalendarRow:
    day: date
    kind: str
    note: str
    notice: str
    notice_date: date | None


def list_calendar_days(db: Database, year: int | None = None) -> list[CalendarRow]:
    """The province's calendar days (of ``year`` if given), by day."""
    with db.read() as s:
        rows = s.scalars(select(CalendarDay).order_by(CalendarDay.day)).all()
        return [
            CalendarRow(r.day, r.kind, r.note, r.notice, r.notice_date)
            for r in rows
            if year is None or r.day.year == year
        ]


# --- centres, operators, devices -------------------------------------------------------------------------


def add_centre(db: Database, info: CentreInfo, *, exist_ok: bool = False) -> bool:
    """Add a centre. Returns False if it already exists and ``exist_ok``; refuses otherwise."""
    try:
        validate_agency_eid(info.eid)
    except DomainError as err:
        raise AdminError(err.problems[0]) from None
    with db.write() as s:
        if s.scalar(select(Centre.id).where(Centre.eid == info.eid)) is not None:
            if exist_ok:
                return False
            raise AdminError(
                Problem(
                    "admin.centre_exists",
                    f"Đã có trung tâm mã định danh {info.eid}.",
                    f"A centre with e-ID {info.eid} already exists.",
                )
            )
        units = s.scalar(select(func.count()).select_from(AdminUnit)) or 0
        if units and info.unit_code:
            unit = s.scalar(
                select(AdminUnit).where(AdminUnit.level == "commune", AdminUnit.code == info.unit_code)
            )
            if unit is None or unit.province_code != info.province_code:
                raise AdminError(
                    Problem(
                        "admin.unit_unknown",
                        f"Không có xã/phường mã {info.unit_code} thuộc tỉnh mã {info.province_code} "
                        "trong danh mục đơn vị hành chính hiện hành.",
                        f"No current commune has code {info.unit_code} in province {info.province_code}.",
                    )
                )
        s.add(Centre(**info.model_dump(), created_at=now_utc()))
    return True


def add_operator(
    db: Database,
    centre_eid: str,
    username: str,
    full_name: str,
    password: str,
    role: str = "operator",
    *,
    demo: bool = False,
) -> None:
    """Add an operator. The password must pass :mod:`server.password_policy`, except for the demo
    operator of ``add-demo`` (``demo=True``: a well-known password, for a demonstration server only)."""
    username = normalise_username(username)  # NFC; look-alikes refused (D12, app.domain.usernames)
    refused = username_problem(username)
    if refused is not None:
        raise AdminError(refused)
    weak = None if demo else password_problem(password, username)
    if weak is not None:
        raise AdminError(weak)
    full_name = clean_spaces(full_name)
    if not full_name or len(full_name) > 200:
        raise AdminError(
            Problem(
                "admin.full_name",
                "Hãy nhập họ và tên (tối đa 200 ký tự).",
                "Give a full name (max 200 chars).",
            )
        )
    with db.write() as s:
        centre = _centre(s, centre_eid)
        key = username_key(username)
        same = next(
            (
                u
                for u in s.scalars(select(Operator.username).where(Operator.centre_id == centre.id))
                if username_key(u) == key
            ),
            None,
        )
        if same is not None:
            raise AdminError(
                Problem(
                    "admin.operator_exists",
                    f"{centre.name} đã có tài khoản «{same}», trùng hoặc quá giống «{username}» (không phân "
                    "biệt chữ hoa, chữ thường và dấu).",
                    f"{centre.name} already has an account {same!r}, the same as or too like {username!r} "
                    "(case and diacritics are not told apart).",
                )
            )
        s.add(
            Operator(
                centre_id=centre.id,
                username=username,
                full_name=full_name,
                role=role,
                password_hash=hash_password(password),
                active=True,
                created_at=now_utc(),
            )
        )


#: The demo centres' opening hours: the working sessions the desk computes due times with (its Centre
#: defaults, 07:00-11:30 and 13:30-17:00), not an official text.
DEMO_OPENING_HOURS = "Sáng 07:00–11:30, chiều 13:30–17:00 các ngày làm việc (trừ ngày nghỉ lễ, Tết)"


def demo_operators_active(db: Database) -> list[str]:
    """The usernames of ``add-demo``'s operators that are active with their well-known demo password."""
    data = _read_json(demo_file())
    found = []
    with db.read() as s:
        for op in data.get("operators", []):
            row = s.scalar(
                select(Operator)
                .join(Centre, Centre.id == Operator.centre_id)
                .where(
                    Centre.eid == data["home"], Operator.username == op["username"], Operator.active.is_(True)
                )
            )
            if row is not None and verify_password(op["password"], row.password_hash):
                found.append(op["username"])
    return found


def add_demo(db: Database) -> list[str]:
    """The centres of ``resources/demo/centre.json`` and its operators (on the home centre); idempotent.
    Returns what was added."""
    data = _read_json(demo_file())
    added: list[str] = []
    for c in data["centres"]:
        info = CentreInfo(
            eid=c["agency_eid"],
            name=nfc(c["name"]),
            kind=c["kind"],
            unit_code=c.get("unit_code"),
            province_code=c["province_code"],
            parent_name=nfc(c.get("parent_name", "")),
            place_name=nfc(c.get("place_name", "")),
            address=nfc(c.get("address", "")),
            hotline=c.get("hotline", ""),
            lookup_url=c.get("lookup_url", ""),
        )
        if add_centre(db, info, exist_ok=True):
            added.append(f"centre {info.eid}")
            with db.write() as s:  # the desk's working hours (app.models.Centre defaults), for its page
                row = s.scalar(select(Centre).where(Centre.eid == info.eid))
                if row is not None:
                    row.opening_hours = DEMO_OPENING_HOURS
    for op in data.get("operators", []):
        try:
            add_operator(
                db,
                data["home"],
                op["username"],
                op["full_name"],
                op["password"],
                op.get("role", "operator"),
                demo=True,
            )
            added.append(f"operator {op['username']}")
        except AdminError as err:
            if err.problem.code != "admin.operator_exists":
                raise
    return added


@dataclass(frozen=True, slots=True)
class IssuedCode:
    code: str
    centre_name: str
    expires_at: datetime


def issue_enrolment_code(
    db: Database, centre_eid: str, ttl_hours: float = 24.0, now: datetime | None = None
) -> IssuedCode:
    if not 0 < ttl_hours <= 24 * 30:
        raise AdminError(
            Problem(
                "admin.ttl",
                "Thời hạn của mã đăng ký phải lớn hơn 0 và không quá 720 giờ (30 ngày).",
                "The enrolment code's lifetime must be more than 0 and at most 720 hours (30 days).",
            )
        )
    now = now or now_utc()
    code = new_enrolment_code()
    expires = enrolment_expiry(now, ttl_hours)
    with db.write() as s:
        centre = _centre(s, centre_eid)
        s.add(
            EnrolmentCode(
                centre_id=centre.id,
                code_hash=sha256(normalise_enrolment_code(code)),
                created_at=now,
                expires_at=expires,
            )
        )
        return IssuedCode(code, centre.name, expires)


def username_clashes(db: Database) -> list[tuple[str, list[str]]]:
    """Accounts made before the username rules (D12) that break them: per centre, each group of
    usernames a reader cannot tell apart, and each username the rules refuse. The rows are kept (their
    operators still log in by the exact name); IT renames or deactivates them."""
    found: list[tuple[str, list[str]]] = []
    with db.read() as s:
        rows = s.execute(select(Centre.eid, Operator.username).join(Centre, Centre.id == Operator.centre_id))
        by_key: dict[tuple[str, str], list[str]] = {}
        for eid, username in rows:
            by_key.setdefault((eid, username_key(username)), []).append(username)
            if username_problem(username) is not None or normalise_username(username) != username:
                found.append((eid, [username]))
    found += [(eid, names) for (eid, _), names in by_key.items() if len(names) > 1]
    return sorted(found)


def revoke_code(db: Database, code: str, now: datetime | None = None) -> str:
    """Revoke an unused enrolment code before it expires (D17). Returns the name of its centre."""
    now = now or now_utc()
    with db.write() as s:
        row = s.scalar(
            select(EnrolmentCode).where(EnrolmentCode.code_hash == sha256(normalise_enrolment_code(code)))
        )
        if row is None:
            raise AdminError(
                Problem(
                    "admin.code_unknown",
                    "Không có mã đăng ký này (kiểm tra lại mã đã cấp).",
                    "No such enrolment code (check the code that was issued).",
                )
            )
        if row.used_at is not None:
            raise AdminError(
                Problem(
                    "admin.code_used",
                    f"Mã này đã được dùng cho máy trạm {row.device_id}: thu hồi máy đó bằng "
                    f"«motcua-server revoke-device {row.device_id}».",
                    f"This code was already used by device {row.device_id}: revoke that device with "
                    f"'motcua-server revoke-device {row.device_id}'.",
                )
            )
        centre = s.get(Centre, row.centre_id)
        if row.revoked_at is None:
            row.revoked_at = now
            audit.add(s, "revoke", now, centre_eid=centre.eid if centre else None, detail="enrolment code")
        return centre.name if centre is not None else ""


def revoke_device(db: Database, device_id: str) -> bool:
    """Revoke a device (its token stops working, its slot is freed). False if it was already revoked."""
    with db.write() as s:
        device = s.get(Device, device_id.strip())
        if device is None:
            raise AdminError(
                Problem(
                    "admin.device_unknown",
                    f"Không có máy trạm mã {device_id}: xem danh sách bằng «motcua-server status».",
                    f"No device has id {device_id}: list them with 'motcua-server status'.",
                )
            )
        if device.revoked_at is not None:
            return False
        device.revoked_at = now_utc()
        centre = s.get(Centre, device.centre_id)
        audit.add(
            s,
            "revoke",
            device.revoked_at,
            centre_eid=centre.eid if centre is not None else None,
            device_id=device.id,
            detail=device.name,
        )
        return True


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    device_id: str
    centre_eid: str
    centre_name: str
    name: str
    slot: int
    enrolled_at: datetime
    last_sync_at: datetime | None
    revoked_at: datetime | None


def status(db: Database) -> tuple[list[DeviceStatus], dict[str, int]]:
    with db.read() as s:
        rows = s.execute(
            select(Device, Centre)
            .join(Centre, Centre.id == Device.centre_id)
            .order_by(Centre.eid, Device.slot)
        ).all()
        devices = [
            DeviceStatus(d.id, c.eid, c.name, d.name, d.slot, d.enrolled_at, d.last_sync_at, d.revoked_at)
            for d, c in rows
        ]
        totals = counts(s)
        totals["centres"] = s.scalar(select(func.count()).select_from(Centre)) or 0
        totals["procedures"] = s.scalar(select(func.count()).select_from(Procedure)) or 0
    return devices, totals
