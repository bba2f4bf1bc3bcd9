"""What the look-up page shows of a dossier, and the constant-time secret check.

Shown to whoever holds the receipt's code and secret (the receipt itself prints all of it and more): the
procedure, the status in plain words, the due date, what is missing for a supplement (the officer's
reason), the fees due, where and when to collect the result, and the public steps of the history (the
action, its date, the reason written for the citizen). Not shown: the ID number, birth date, address,
phone and e-mail, the officers' names and the workstations. The name is masked to initials and the
given name ("N. T. M. Anh"): enough for the holder to recognise the dossier, not enough to learn who
the applicant is from a guessed code (see :mod:`server.web.limits` for why guessing fails anyway).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contract import DossierState
from app.domain.status import Action, Status
from app.domain.text import clean_spaces
from server.db import Database
from server.models import Centre, Dossier, EventRow, Rating

#: The dossier a miss is compared and rendered against, so that a miss does the work of a hit.
#: Lower case: a normalised (upper-case) secret never equals it.
_DUMMY_SECRET = "zzzz"
MAX_CODE_LEN = 60
MAX_SECRET_LEN = 16

#: Actions whose step is shown to the citizen, and the words used for it.
PUBLIC_STEPS: dict[str, str] = {
    Action.SUBMIT_ONLINE.value: "Hồ sơ được đăng ký trực tuyến",
    Action.RECEIVE.value: "Bộ phận Một cửa tiếp nhận hồ sơ",
    Action.REFUSE.value: "Hồ sơ không được tiếp nhận",
    Action.START_PROCESSING.value: "Hồ sơ được chuyển đi xử lý",
    Action.FORWARD.value: "Hồ sơ được chuyển đến cơ quan có thẩm quyền giải quyết",
    Action.REQUEST_SUPPLEMENT.value: "Cơ quan giải quyết đề nghị bổ sung hồ sơ",
    Action.SUPPLEMENT_RECEIVED.value: "Đã nhận hồ sơ bổ sung",
    Action.REQUEST_FEES.value: "Đề nghị nộp phí, lệ phí hoặc nghĩa vụ tài chính",
    Action.FEES_PAID.value: "Đã ghi nhận nộp phí, lệ phí",
    Action.WITHDRAW.value: "Hồ sơ được rút theo đề nghị của người nộp",
    Action.STOP.value: "Dừng giải quyết hồ sơ",
    Action.RESULT_READY.value: "Đã có kết quả giải quyết, chờ trả",
    Action.HAND_BACK.value: "Đã trả kết quả cho người nộp",
    Action.APOLOGISE.value: "Cơ quan giải quyết xin lỗi và hẹn lại ngày trả kết quả",
    Action.TRANSFER.value: "Hồ sơ được chuyển giao do sắp xếp đơn vị hành chính",
    Action.REQUEST_ONLINE_SUPPLEMENT.value: "Bộ phận Một cửa đề nghị bổ sung hồ sơ trực tuyến",
    Action.ONLINE_SUPPLEMENTED.value: "Người nộp đã gửi hồ sơ bổ sung trên Cổng Dịch vụ công",
}

#: What the citizen should do now, per status (plain words).
NEXT_STEP: dict[str, str] = {
    Status.NEW.value: "Hồ sơ đã được đăng ký, đang chờ Bộ phận Một cửa kiểm tra và tiếp nhận.",
    Status.RECEIVED.value: "Hồ sơ đã được tiếp nhận. Ông/bà chưa cần làm gì thêm.",
    Status.IN_PROCESS.value: "Hồ sơ đang được giải quyết. Ông/bà chưa cần làm gì thêm.",
    Status.SUPPLEMENT_REQUESTED.value: (
        "Ông/bà cần bổ sung giấy tờ như nêu dưới đây rồi nộp tại Bộ phận Một cửa."
    ),
    Status.FEES_REQUESTED.value: "Ông/bà cần nộp phí, lệ phí hoặc nghĩa vụ tài chính như nêu dưới đây.",
    Status.RESULT_READY.value: "Đã có kết quả. Mời ông/bà mang giấy tiếp nhận đến nhận kết quả.",
    Status.RETURNED.value: "Đã trả kết quả. Cảm ơn ông/bà; mời ông/bà đánh giá mức độ hài lòng.",
    Status.REFUSED.value: "Hồ sơ không được tiếp nhận; lý do ghi ở dưới.",
    Status.WITHDRAWN.value: "Hồ sơ đã được rút theo đề nghị của ông/bà.",
    Status.STOPPED.value: "Việc giải quyết hồ sơ đã dừng; lý do ghi ở dưới.",
}

DELIVERY: dict[str, str] = {
    "counter": "Nhận trực tiếp tại Bộ phận Một cửa",
    "postal": "Nhận qua dịch vụ bưu chính công ích",
    "online": "Nhận trực tuyến",
}


def visible(raw: str | None) -> str:
    """Input from the public pages without control characters (PostgreSQL refuses NUL in text) and
    without unpaired surrogates, NFC, spaces collapsed."""
    text = "".join(ch for ch in (raw or "") if ch >= " " and ch != "\x7f" and not "\ud800" <= ch <= "\udfff")
    return clean_spaces(text)


def normalise_code(raw: str | None) -> str:
    return visible(raw).upper()[:MAX_CODE_LEN]


def normalise_secret(raw: str | None) -> str:
    return visible(raw).upper().replace(" ", "")[:MAX_SECRET_LEN]


def mask_name(full_name: str) -> str:
    """ "Nguyễn Thị Minh Anh" → "N. T. M. Anh"; a one-word name keeps only its first letter."""
    words = clean_spaces(full_name).split(" ")
    if not words or not words[0]:
        return ""
    if len(words) == 1:
        return words[0][0] + "."
    return " ".join(w[0] + "." for w in words[:-1]) + " " + words[-1]


def vn_date(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return ""
    return moment.strftime("%H giờ %M, ngày %d/%m/%Y" if with_time else "ngày %d/%m/%Y")


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


@dataclass(slots=True)
class Step:
    when: str
    what: str
    note: str = ""


@dataclass(slots=True)
class LookupView:
    code: str
    procedure: str
    applicant: str
    status_code: str
    status: str
    next_step: str
    received: str
    due: str
    overdue: bool
    centre_name: str
    centre_address: str
    centre_hotline: str
    opening_hours: str
    delivery: str
    missing: str = ""
    fees: str = ""
    stopped_reason: str = ""
    new_date_reason: str = ""
    steps: list[Step] = field(default_factory=list)
    can_rate: bool = False
    rated: int | None = None


@dataclass(frozen=True, slots=True)
class Found:
    view: LookupView
    dossier_id: str
    #: The secret matched (a miss carries the dummy view, built only to spend the same work).
    hit: bool


def _dummy_state() -> dict[str, Any]:
    return {
        "id": "00000000-0000-4000-8000-000000000000",
        "code": "000.00.00.H00-000000-0000",
        "lookup_secret": _DUMMY_SECRET,
        "procedure_code": "-",
        "procedure_name": "-",
        "applicant": {"id": "00000000-0000-4000-8000-000000000000", "full_name": "Nguyen Van A"},
        "receiving_agency_eid": "000.00.00.H00",
        "receiving_agency": "-",
        "competent_agency": "-",
        "handling_agency": "-",
        "scenario": "a",
        "received_at": "2026-01-01T08:00:00",
        "due_at": "2026-01-02T08:00:00",
        "status": "received",
        "events": [],
    }


_DUMMY = DossierState.model_validate(_dummy_state())


def load_state(s: Session, dossier_id: str, snapshot: dict[str, Any] | None) -> DossierState:
    """The dossier's snapshot with its accepted events in arrival order (the dummy without a snapshot)."""
    bodies = list(
        s.scalars(select(EventRow.body).where(EventRow.dossier_id == dossier_id).order_by(EventRow.id))
    )
    if snapshot is None:
        return _DUMMY
    return DossierState.model_validate({**snapshot, "events": bodies})


def find(db: Database, raw_code: str | None, raw_secret: str | None, now: datetime) -> Found:
    """Load the dossier by code and compare secrets in constant time; a miss (unknown code, wrong or
    missing secret, or a dossier without a secret) does the same reads and builds a view too."""
    code, secret = normalise_code(raw_code), normalise_secret(raw_secret)
    with db.read() as s:
        row = s.execute(
            select(Dossier.id, Dossier.snapshot, Dossier.receiving_eid).where(Dossier.code == code)
        ).first()
        # The events are read for a miss too (the dummy's id has none): the same queries either way.
        state = load_state(
            s, row.id if row is not None else _DUMMY.id, row.snapshot if row is not None else None
        )
        stored = state.lookup_secret.upper() if row is not None and state.lookup_secret else _DUMMY_SECRET
        hit = hmac.compare_digest(stored.encode(), secret.encode()) and row is not None
        centre = s.scalar(select(Centre).where(Centre.eid == state.receiving_agency_eid))
        rated = s.scalar(select(Rating.score).where(Rating.dossier_id == state.id))
        view = build_view(state, centre, rated, now)
    return Found(view, state.id, hit)


def _fees_due(state: DossierState) -> str:
    for ev in reversed(state.events):
        if ev.type == "dossier.transition" and ev.payload.get("action") == Action.REQUEST_FEES.value:
            extra = ev.payload.get("extra") or {}
            amount = extra.get("fee_vnd") if isinstance(extra, dict) else None
            if isinstance(amount, int) and amount > 0:
                return vnd(amount)
            break
    return vnd(state.fee_vnd) if state.fee_vnd else "Theo thông báo của cơ quan giải quyết"


def _last_reason(state: DossierState, action: Action) -> str:
    for ev in reversed(state.events):
        if ev.type == "dossier.transition" and ev.payload.get("action") == action.value:
            return str(ev.payload.get("reason") or "")
    return ""


def build_view(state: DossierState, centre: Centre | None, rated: int | None, now: datetime) -> LookupView:
    status = Status(state.status)
    due = state.due_at.replace(tzinfo=None) if state.due_at else None
    open_statuses = {Status.RECEIVED, Status.IN_PROCESS, Status.SUPPLEMENT_REQUESTED, Status.FEES_REQUESTED}
    view = LookupView(
        code=state.code or "",
        procedure=state.procedure_name,
        applicant=mask_name(state.applicant.full_name),
        status_code=status.value,
        status=status.label_vi,
        next_step=NEXT_STEP.get(status.value, ""),
        received=vn_date(state.received_at.replace(tzinfo=None)),
        due=vn_date(due) if due else "Không xác định (xem thông báo của cơ quan giải quyết)",
        overdue=bool(due and due < now and status in open_statuses),
        centre_name=centre.name if centre else state.receiving_agency,
        centre_address=centre.address if centre else "",
        centre_hotline=centre.hotline if centre else "",
        opening_hours=centre.opening_hours if centre else "",
        delivery=DELIVERY.get(state.result_delivery, state.result_delivery),
        can_rate=status is Status.RETURNED and rated is None,
        rated=rated,
    )
    if status is Status.SUPPLEMENT_REQUESTED:
        view.missing = _last_reason(state, Action.REQUEST_SUPPLEMENT) or "Xem phiếu yêu cầu bổ sung đã gửi."
    if status is Status.FEES_REQUESTED:
        view.fees = _fees_due(state)
    if status in (Status.STOPPED, Status.REFUSED):
        view.stopped_reason = _last_reason(state, Action.STOP if status is Status.STOPPED else Action.REFUSE)
    view.new_date_reason = _last_reason(state, Action.APOLOGISE)
    for ev in state.events:
        action = ev.payload.get("action") if ev.type == "dossier.transition" else Action.RECEIVE.value
        if ev.type == "dossier.received":
            action = Action.SUBMIT_ONLINE.value if state.channel == "online" else Action.RECEIVE.value
        words = PUBLIC_STEPS.get(str(action))
        if words is None:
            continue
        note = ""
        if action in (Action.REQUEST_SUPPLEMENT.value, Action.STOP.value, Action.APOLOGISE.value):
            note = str(ev.payload.get("reason") or "")
        view.steps.append(Step(vn_date(ev.occurred_at.replace(tzinfo=None)), words, note))
    return view


def hand_back_officer(state: DossierState) -> str:
    for ev in reversed(state.events):
        if ev.type == "dossier.transition" and ev.payload.get("action") == Action.HAND_BACK.value:
            return ev.operator
    return ""
