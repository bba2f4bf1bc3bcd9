"""Which accepted events notify the applicant, and the words of each notice (Vietnamese).

Received, supplement needed, fees due, result ready, apology with a new date, processing stopped: one
notice per such event and per channel the applicant consented to at intake (``DossierSnapshot.notify``).
SMS text is sent without diacritics (one 160-character GSM segment costs less than a 70-character
Unicode one; the usual practice of brandname SMS); e-mail and Zalo keep them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from app.contract import DossierSnapshot, Event
from app.domain.status import Action
from app.domain.text import strip_marks

KINDS: dict[str, str] = {
    "received": "Đã tiếp nhận hồ sơ",
    "supplement": "Cần bổ sung hồ sơ",
    "fees": "Cần nộp phí, lệ phí",
    "result_ready": "Đã có kết quả",
    "apology": "Xin lỗi và hẹn lại ngày trả kết quả",
    "stopped": "Dừng giải quyết hồ sơ",
}
_BY_ACTION = {
    Action.REQUEST_SUPPLEMENT.value: "supplement",
    Action.REQUEST_FEES.value: "fees",
    Action.RESULT_READY.value: "result_ready",
    Action.APOLOGISE.value: "apology",
    Action.STOP.value: "stopped",
}


def kind_of(event: Event) -> str | None:
    """The notice an accepted event gives, if any."""
    if event.type == "dossier.received":
        return "received" if event.payload.get("status") == "received" else None
    return _BY_ACTION.get(str(event.payload.get("action")))


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%H:%M ngày %d/%m/%Y")
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value).strftime("%H:%M ngày %d/%m/%Y")
        except ValueError:
            return value
    return ""


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str
    #: The Zalo ZNS template parameters (names registered with the template, see server/notices/providers).
    params: dict[str, str]


def lookup_link(lookup_url: str, snap: DossierSnapshot) -> str:
    if not lookup_url or not snap.code:
        return ""
    query = {"ma": snap.code} | ({"k": snap.lookup_secret} if snap.lookup_secret else {})
    return f"{lookup_url}?{urlencode(query)}"


def compose(kind: str, event: Event, snap: DossierSnapshot, centre: str, link: str) -> Message:
    payload = event.payload
    reason = str(payload.get("reason") or "")
    due = _date(payload.get("due_at")) or _date(snap.due_at)
    lines = [f"Hồ sơ {snap.code} ({snap.procedure_name}) tại {centre}:"]
    if kind == "received":
        lines.append(f"đã được tiếp nhận. Hẹn trả kết quả: {due or 'theo giấy tiếp nhận'}.")
    elif kind == "supplement":
        lines.append(f"cần bổ sung giấy tờ: {reason or 'xem phiếu yêu cầu bổ sung'}.")
    elif kind == "fees":
        extra = payload.get("extra") or {}
        amount = extra.get("fee_vnd") if isinstance(extra, dict) else None
        money = f"{amount:,}".replace(",", ".") + " đồng" if isinstance(amount, int) and amount > 0 else ""
        lines.append(f"cần nộp phí, lệ phí{': ' + money if money else ''}.")
    elif kind == "result_ready":
        lines.append("đã có kết quả. Mời ông/bà mang giấy tiếp nhận đến nhận kết quả.")
    elif kind == "apology":
        lines.append(f"chậm so với hẹn; cơ quan giải quyết xin lỗi và hẹn lại: {due}. {reason}".strip())
    elif kind == "stopped":
        lines.append(f"đã dừng giải quyết. Lý do: {reason or 'xem văn bản thông báo'}.")
    if link:
        lines.append(f"Tra cứu: {link}")
    body = " ".join(lines)
    params = {
        "ma_ho_so": snap.code or "",
        "tinh_trang": KINDS[kind],
        "ngay_hen": due,
        "noi_dung": body[:400],
    }
    return Message(f"[Một Cửa] {KINDS[kind]} – {snap.code}", body, params)


def sms_text(body: str) -> str:
    """The SMS text: without diacritics, at most 3 segments (459 GSM characters)."""
    return strip_marks(body)[:459]
