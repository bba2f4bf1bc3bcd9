"""Desk settings: this workstation's name and numbering slot, the server address, the receipt format,
the printer, the language and the font size. Stored in the ``settings`` table (the workstation's name and
slot in ``workstations``); every change is one transaction with its audit entry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from urllib.parse import urlparse

from sqlalchemy import select

from app.domain.codes import DEFAULT_PLAN
from app.domain.errors import DomainError, Problem
from app.domain.i18n import LANGUAGES
from app.domain.text import clean_spaces
from app.models import Workstation
from app.models.db import Store
from app.services import audit
from app.services.audit import Actor
from app.services.desk import home_centre
from app.services.reference import get_setting, set_setting

RECEIPT_FORMATS = ("receipt", "receipt-80mm")
ENROLLED_SERVER_KEY = "sync.server_url"
FONT_SIZES = range(8, 25)  # points; 0 = the system's default

_KEYS = {
    "server_url": "desk.server_url",
    "receipt_format": "desk.receipt_format",
    "printer": "desk.printer",
    "language": "desk.language",
    "font_size": "desk.font_size",
    "logbook_numbering": "print.logbook_numbering",
}
#: How Mẫu 01's "Quyển số / Số thứ tự" and Mẫu 07's TT are filled (see app.services.printing).
LOGBOOK_NUMBERINGS = ("year", "none")


@dataclass(frozen=True)
class DeskSettings:
    workstation_name: str = ""
    workstation_slot: int = 0
    server_url: str = ""
    receipt_format: str = "receipt"
    #: The printer's name; "" = the system's default printer.
    printer: str = ""
    language: str = "vi"
    font_size: int = 0
    #: ``server_url`` is the server this desk is enrolled with (changed by enrolling again, not here).
    server_enrolled: bool = False
    #: "year": book = the year, number = position in the year's logbook; "none": left blank.
    logbook_numbering: str = "year"


def load_settings(store: Store) -> DeskSettings:
    with store.read() as s:
        ws = s.scalar(select(Workstation).where(Workstation.is_local.is_(True)))
        values = {name: get_setting(s, key) for name, key in _KEYS.items()}
        # The server this desk is enrolled with (app.sync.engine.KEY_SERVER): the one it syncs with.
        enrolled = get_setting(s, ENROLLED_SERVER_KEY)
    defaults = DeskSettings()
    fmt = values["receipt_format"] if values["receipt_format"] in RECEIPT_FORMATS else defaults.receipt_format
    lang = values["language"] if values["language"] in LANGUAGES else defaults.language
    size = values["font_size"] if isinstance(values["font_size"], int) else defaults.font_size
    return DeskSettings(
        workstation_name=ws.name if ws else "",
        workstation_slot=ws.slot if ws else 0,
        server_url=str(enrolled or values["server_url"] or ""),
        receipt_format=fmt,
        printer=str(values["printer"] or ""),
        language=lang,
        font_size=size if size == 0 or size in FONT_SIZES else 0,
        server_enrolled=bool(enrolled),
        logbook_numbering=values["logbook_numbering"]
        if values["logbook_numbering"] in LOGBOOK_NUMBERINGS
        else defaults.logbook_numbering,
    )


def _problem(code: str, vi: str, en: str, field: str) -> Problem:
    return Problem(f"settings.{code}", vi, en, field)


def validate(new: DeskSettings) -> tuple[DeskSettings, list[Problem]]:
    problems: list[Problem] = []
    name = clean_spaces(new.workstation_name)
    if not name or len(name) > 100:
        problems.append(
            _problem(
                "workstation_name",
                "Hãy đặt tên máy trạm (tối đa 100 ký tự), ví dụ «Quầy 1».",
                "Give the workstation a name (at most 100 characters), e.g. 'Quầy 1'.",
                "workstation_name",
            )
        )
    if not 0 <= new.workstation_slot < DEFAULT_PLAN.slots:
        problems.append(
            _problem(
                "workstation_slot",
                f"Số hiệu máy trạm phải từ 0 đến {DEFAULT_PLAN.slots - 1}.",
                f"The workstation slot must be between 0 and {DEFAULT_PLAN.slots - 1}.",
                "workstation_slot",
            )
        )
    url = new.server_url.strip()
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(
                _problem(
                    "server_url",
                    "Địa chỉ máy chủ phải có dạng https://ten-may-chu (hoặc http:// trong mạng nội bộ).",
                    "The server address must look like https://server-name (or http:// on a local network).",
                    "server_url",
                )
            )
    if new.receipt_format not in RECEIPT_FORMATS:
        problems.append(
            _problem(
                "receipt_format",
                "Khổ giấy biên nhận không hợp lệ.",
                "Invalid receipt format.",
                "receipt_format",
            )
        )
    if new.logbook_numbering not in LOGBOOK_NUMBERINGS:
        problems.append(
            _problem(
                "logbook_numbering",
                "Cách ghi số sổ theo dõi hồ sơ không hợp lệ.",
                "Invalid logbook numbering.",
                "logbook_numbering",
            )
        )
    if new.language not in LANGUAGES:
        problems.append(_problem("language", "Ngôn ngữ không hợp lệ.", "Invalid language.", "language"))
    if new.font_size != 0 and new.font_size not in FONT_SIZES:
        problems.append(
            _problem(
                "font_size",
                f"Cỡ chữ phải từ {FONT_SIZES.start} đến {FONT_SIZES.stop - 1}.",
                f"The font size must be between {FONT_SIZES.start} and {FONT_SIZES.stop - 1}.",
                "font_size",
            )
        )
    clean = DeskSettings(
        workstation_name=name,
        workstation_slot=new.workstation_slot,
        server_url=url.rstrip("/"),
        receipt_format=new.receipt_format,
        printer=new.printer.strip(),
        language=new.language,
        font_size=new.font_size,
        server_enrolled=new.server_enrolled,
        logbook_numbering=new.logbook_numbering,
    )
    return clean, problems


def save_settings(store: Store, actor: Actor, new: DeskSettings) -> DeskSettings:
    """Validate and store the settings; returns what was stored. Raises :class:`DomainError`."""
    clean, problems = validate(new)
    if problems:
        raise DomainError(problems)
    with store.write() as s:
        ws = s.scalar(select(Workstation).where(Workstation.is_local.is_(True)))
        if ws is None:
            centre = home_centre(s)
            ws = Workstation(centre_id=centre.id, slot=clean.workstation_slot, name="", is_local=True)
            s.add(ws)
        else:
            taken = s.scalar(
                select(Workstation).where(
                    Workstation.centre_id == ws.centre_id,
                    Workstation.slot == clean.workstation_slot,
                    Workstation.id != ws.id,
                )
            )
            if taken is not None:
                raise DomainError(
                    _problem(
                        "slot_taken",
                        f"Số hiệu {clean.workstation_slot} đã được dùng cho máy trạm «{taken.name}».",
                        f"Slot {clean.workstation_slot} is already used by workstation {taken.name!r}.",
                        "workstation_slot",
                    )
                )
        before = {"workstation_name": ws.name, "workstation_slot": ws.slot}
        ws.name = clean.workstation_name
        ws.slot = clean.workstation_slot
        for name, key in _KEYS.items():
            before[name] = get_setting(s, key)
            set_setting(s, key, getattr(clean, name))
        changed = {k: v for k, v in asdict(clean).items() if k != "server_enrolled" and before.get(k) != v}
        if changed:
            audit.append(s, actor, "settings.change", "settings", "desk", changed)
    return clean
