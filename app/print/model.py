"""What the printed forms need, as plain frozen data classes, independent of the database.

The service layer maps ORM rows to these. Every date-time is the centre's local wall-clock time (naive, or
aware in the centre's zone): it is printed as given, never converted. Strings may come in any Unicode
normal form: the form functions NFC-normalise everything before measuring or drawing it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from app.domain.text import nfc

PaperForm = Literal["original", "copy", "original_or_copy", "show"]

#: How each paper form is printed in the "Loại giấy tờ" column.
PAPER_FORM_LABELS: dict[str, str] = {
    "original": "Bản chính",
    "copy": "Bản sao",
    "original_or_copy": "Bản chính hoặc bản sao",
    "show": "Xuất trình bản chính",
}

# Printed after "Đăng ký nhận kết quả tại:", so neither starts with "Tại" (rules-2026.md D10).
RESULT_AT_CENTRE = "Trung tâm Phục vụ hành chính công"
RESULT_BY_POST = "Địa chỉ của người nộp, qua dịch vụ bưu chính công ích"


@dataclass(frozen=True, slots=True, kw_only=True)
class Agency:
    """The receiving centre, as printed in every form's header.

    ``name`` is the centre ("Trung tâm Phục vụ hành chính công"), ``parent_name`` the authority above it
    ("Ủy ban nhân dân phường Bắc Giang"), ``place_name`` the place in the date line ("Bắc Giang").
    A ``\n`` in ``name`` or ``parent_name`` forces the line break of the header block (else the header
    breaks before the unit, "… CÔNG / PHƯỜNG BẮC GIANG", or evenly). ``lookup_url`` empty: no QR code.
    """

    name: str
    parent_name: str
    place_name: str
    eid: str = ""
    address: str = ""
    hotline: str = ""
    lookup_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper:
    """One paper of a dossier: name, form (original, copy, either, or shown for comparison) and count."""

    name: str
    form: PaperForm = "copy"
    count: int = 1
    #: Digitised at the counter (a stored file; issue 19): the receipt marks it.
    digitised: bool = False

    @property
    def form_label(self) -> str:
        return PAPER_FORM_LABELS[self.form]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptData:
    """Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả.

    ``due_at`` is ``None`` for a procedure without an appointment date. ``fee_text`` wins over
    ``fee_vnd`` when both are given (e.g. "Miễn lệ phí"); neither prints "Không". ``copy_mark`` marks a
    reprint ("BẢN SAO").
    """

    code: str
    lookup_secret: str
    agency: Agency
    applicant_name: str
    applicant_id: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    procedure_name: str
    procedure_code: str = ""
    papers: tuple[Paper, ...] = ()
    sets_count: int = 1
    time_text: str = ""
    received_at: datetime
    due_at: datetime | None
    result_delivery: str = RESULT_AT_CENTRE
    fee_vnd: int | None = None
    fee_text: str = ""
    #: How the amount due was computed (pages, copies, tiers, cap; an exemption; "giá trị demo").
    fee_basis: str = ""
    #: An extension set by specialised law applied at intake, with its reason.
    extension: str = ""
    logbook_volume: str = ""
    logbook_number: str = ""
    operator_name: str = ""
    copy_mark: bool = False
    id_label: str = "CCCD/MST"


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingItem:
    """One thing a supplement request asks for, and why."""

    name: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplementData:
    """Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    code: str
    agency: Agency
    applicant_name: str
    procedure_name: str
    received_at: datetime
    items: tuple[MissingItem, ...]
    reason: str = ""
    deadline: datetime | None = None
    issued_at: datetime
    operator_name: str = ""
    contact: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusalData:
    """Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    agency: Agency
    applicant_name: str
    applicant_id: str = ""
    address: str = ""
    phone: str = ""
    procedure_name: str
    reason: str
    issued_at: datetime
    operator_name: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApologyData:
    """Mẫu 04 — Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (TT 03/2025)."""

    code: str
    agency: Agency
    applicant_name: str
    procedure_name: str
    received_at: datetime
    old_due_at: datetime
    new_due_at: datetime
    reason: str
    issued_at: datetime
    doc_number: str = ""
    signer_title: str = "THỦ TRƯỞNG CƠ QUAN"
    signer_name: str = ""
    #: The agency responsible for the delay, which apologises (the competent agency when the dossier
    #: was forwarded, scenarios b and c); "" = the issuing agency itself.
    responsible_agency: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StopData:
    """Mẫu 05 — Thông báo dừng giải quyết hồ sơ."""

    code: str
    agency: Agency
    applicant_name: str
    procedure_name: str
    received_at: datetime
    reason: str
    issued_at: datetime
    return_note: str = ""
    doc_number: str = ""
    signer_title: str = "GIÁM ĐỐC"
    signer_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlRow:
    """One hand-over recorded on the control slip: who gave the dossier, who took it, when, the result."""

    giver: str
    receiver: str
    handed_at: datetime
    result: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlSlipData:
    """Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ."""

    code: str
    agency: Agency
    applicant_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime | None
    lead_agency: str = ""
    partner_agencies: str = ""
    rows: tuple[ControlRow, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LogbookRow:
    """One line of the logbook: the eleven columns of Mẫu 07 (TT is ``number``)."""

    number: int
    code: str
    procedure_name: str
    applicant_name: str
    address_phone: str = ""
    lead_agency: str = ""
    received_at: datetime
    due_at: datetime | None
    returned_at: datetime | None = None
    delivery_method: str = ""
    signature: str = ""
    #: The date first promised when an apology moved ``due_at`` (both are printed: lateness stays visible).
    original_due_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LogbookData:
    """Mẫu 07 — Sổ theo dõi hồ sơ, for a period."""

    agency: Agency
    period_from: date
    period_to: date
    rows: tuple[LogbookRow, ...]
    volume: str = ""
    issued_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoverRow:
    code: str
    applicant_name: str
    procedure_name: str
    status: str
    due_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoverListData:
    """List of unfinished dossiers handed from a dissolved/merged unit to its successor."""

    agency: Agency
    from_unit: str
    to_unit: str
    rows: tuple[HandoverRow, ...]
    issued_at: datetime
    basis: str = ""
    giver_name: str = ""
    receiver_name: str = ""
    #: "" = the reorganisation title (:data:`app.print.registers.HANDOVER_TITLE`).
    title: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogueRow:
    code: str
    name: str
    time_text: str
    fee_text: str
    field: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogueListData:
    """Public list of the procedures received at the centre; rows are grouped by ``field`` in order."""

    agency: Agency
    rows: tuple[CatalogueRow, ...]
    issued_at: datetime
    title: str = ""


_T = TypeVar("_T")


def _nfc_value(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, tuple):
        return tuple(_nfc_value(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return normalized(value)
    return value


def normalized(data: _T) -> _T:
    """Return ``data`` with every string (also in nested data classes and tuples) NFC-normalised."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(data):  # type: ignore[arg-type]
        old = getattr(data, f.name)
        new = _nfc_value(old)
        if new != old:
            changes[f.name] = new
    return dataclasses.replace(data, **changes) if changes else data  # type: ignore[type-var]
