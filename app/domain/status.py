"""Dossier statuses and the status machine (docs/design.md, Statuses and agencies;
domain.md §3.1).

Local statuses map one-to-one onto the national status codes 1–10 of the Cổng DVC quốc gia. The machine
is a single table ``_TABLE[(status, action)] -> status`` so the server can validate event sequences
(:func:`replay`) with exactly the rules the desktop uses. ``None`` stands for "no dossier yet": a
dossier's first event is ``submit_online`` (status 1), ``receive`` (2) or ``refuse`` (3, refused at the
counter and recorded).

Choices (inferences, not from a source):
- ``refuse`` is refusal *at intake* (national code 3, form 03): allowed before receipt only. Once a dossier
  is received, the way out is ``stop`` (code 8, form 05) or a result that is itself a refusal.
- ``result_ready`` may follow ``received`` directly: procedures decided at the counter (e.g. chứng thực)
  are never forwarded.
- ``withdraw`` is allowed while the dossier is open and has no result yet.
- ``apologise`` (form 04, apology + new due date) is allowed while processing is still going on
  (received, in process, waiting for a supplement or for fees); it does not change the status.
- ``transfer`` (reorganisation hand-over) is allowed on every open dossier, result ready included; it does
  not change the status. Forwarding (inter-level / cross-boundary) moves a received dossier to in process.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final

from app.domain.errors import DomainError, Problem

__all__ = [
    "TRANSITIONS",
    "Action",
    "Status",
    "allowed_actions",
    "can",
    "is_final",
    "is_open",
    "replay",
    "transition",
]


class Status(StrEnum):
    NEW = "new"
    RECEIVED = "received"
    REFUSED = "refused"
    IN_PROCESS = "in_process"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    FEES_REQUESTED = "fees_requested"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    RESULT_READY = "result_ready"
    RETURNED = "returned"

    @property
    def national_code(self) -> int:
        """The status code of the national catalogue (TrangThaiHoSo, 1–10)."""
        return _NATIONAL_CODE[self]

    @property
    def national_label_vi(self) -> str:
        """The national catalogue's wording for the code."""
        return _NATIONAL_LABEL_VI[self]

    @property
    def label_vi(self) -> str:
        return _STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _STATUS_LABELS[self][1]

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi

    @classmethod
    def from_national_code(cls, code: int) -> Status:
        for status, value in _NATIONAL_CODE.items():
            if value == code:
                return status
        raise DomainError(
            Problem(
                "status.national_code",
                f"Mã trạng thái quốc gia {code} không tồn tại (chỉ có 1–10).",
                f"National status code {code} does not exist (only 1–10).",
            )
        )


class Action(StrEnum):
    SUBMIT_ONLINE = "submit_online"
    RECEIVE = "receive"
    REFUSE = "refuse"
    START_PROCESSING = "start_processing"
    FORWARD = "forward"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_RECEIVED = "supplement_received"
    REQUEST_FEES = "request_fees"
    FEES_PAID = "fees_paid"
    WITHDRAW = "withdraw"
    STOP = "stop"
    RESULT_READY = "result_ready"
    HAND_BACK = "hand_back"
    APOLOGISE = "apologise"
    TRANSFER = "transfer"
    #: An online dossier not yet accepted: the centre asks the citizen, through the portal, for the papers
    #: missing (national code 5 on the portal, app.domain.portal). Locally it stays ``new`` (not accepted:
    #: no code, no due date, outside the processing figures).
    REQUEST_ONLINE_SUPPLEMENT = "request_online_supplement"
    #: The citizen sent the supplement on the portal (recorded by the server from the portal's feed only).
    ONLINE_SUPPLEMENTED = "online_supplemented"

    @property
    def label_vi(self) -> str:
        return _ACTION_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _ACTION_LABELS[self][1]

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


_NATIONAL_CODE: Final[dict[Status, int]] = {
    Status.NEW: 1,
    Status.RECEIVED: 2,
    Status.REFUSED: 3,
    Status.IN_PROCESS: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.FEES_REQUESTED: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
}

_NATIONAL_LABEL_VI: Final[dict[Status, str]] = {
    Status.NEW: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.REFUSED: "Không được tiếp nhận",
    Status.IN_PROCESS: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    Status.FEES_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.RESULT_READY: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}

_STATUS_LABELS: Final[dict[Status, tuple[str, str]]] = {
    Status.NEW: ("Mới đăng ký", "Newly submitted"),
    Status.RECEIVED: ("Đã tiếp nhận", "Received"),
    Status.REFUSED: ("Từ chối tiếp nhận", "Refused at intake"),
    Status.IN_PROCESS: ("Đang xử lý", "In process"),
    Status.SUPPLEMENT_REQUESTED: ("Chờ bổ sung hồ sơ", "Waiting for a supplement"),
    Status.FEES_REQUESTED: ("Chờ thực hiện nghĩa vụ tài chính", "Waiting for fees or taxes"),
    Status.WITHDRAWN: ("Đã rút hồ sơ", "Withdrawn"),
    Status.STOPPED: ("Dừng xử lý", "Processing stopped"),
    Status.RESULT_READY: ("Đã có kết quả, chờ trả", "Result ready"),
    Status.RETURNED: ("Đã trả kết quả", "Result handed back"),
}

_ACTION_LABELS: Final[dict[Action, tuple[str, str]]] = {
    Action.SUBMIT_ONLINE: ("Đăng ký trực tuyến", "Submit online"),
    Action.RECEIVE: ("Tiếp nhận hồ sơ", "Receive the dossier"),
    Action.REFUSE: ("Từ chối tiếp nhận", "Refuse at intake"),
    Action.START_PROCESSING: ("Chuyển xử lý", "Start processing"),
    Action.FORWARD: ("Chuyển hồ sơ đến cơ quan giải quyết", "Forward to the handling agency"),
    Action.REQUEST_SUPPLEMENT: ("Yêu cầu bổ sung hồ sơ", "Request a supplement"),
    Action.SUPPLEMENT_RECEIVED: ("Nhận hồ sơ bổ sung", "Record the supplement"),
    Action.REQUEST_FEES: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Request fees or taxes"),
    Action.FEES_PAID: ("Ghi nhận đã thực hiện nghĩa vụ tài chính", "Record fees paid"),
    Action.WITHDRAW: ("Rút hồ sơ", "Withdraw the dossier"),
    Action.STOP: ("Dừng giải quyết hồ sơ", "Stop processing"),
    Action.RESULT_READY: ("Nhận kết quả giải quyết", "Record the result"),
    Action.HAND_BACK: ("Trả kết quả", "Hand back the result"),
    # Thông tư 03/2025/TT-VPCP, Mẫu 04 (rules-2026.md S4, D10).
    Action.APOLOGISE: (
        "Xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "Apologise and request an extension of the time limit",
    ),
    Action.TRANSFER: ("Chuyển giao hồ sơ do sắp xếp đơn vị", "Transfer after reorganisation"),
    # The front desk's sub-states of a supplement before acceptance (TD.DichVuCongApi, domain.md §3.1):
    # "Yêu cầu một cửa bổ sung" / "Công dân đã gửi bổ sung".
    Action.REQUEST_ONLINE_SUPPLEMENT: (
        "Yêu cầu bổ sung hồ sơ trực tuyến trước khi tiếp nhận",
        "Ask for a supplement before acceptance",
    ),
    Action.ONLINE_SUPPLEMENTED: ("Công dân đã gửi bổ sung", "The citizen sent the supplement"),
}

_FINAL: Final = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
_PROCESSING: Final = (
    Status.RECEIVED,
    Status.IN_PROCESS,
    Status.SUPPLEMENT_REQUESTED,
    Status.FEES_REQUESTED,
)
_OPEN: Final = tuple(s for s in Status if s not in _FINAL)


def _build_table() -> dict[tuple[Status | None, Action], Status]:
    t: dict[tuple[Status | None, Action], Status] = {
        (None, Action.SUBMIT_ONLINE): Status.NEW,
        (None, Action.RECEIVE): Status.RECEIVED,
        (Status.NEW, Action.RECEIVE): Status.RECEIVED,
        (None, Action.REFUSE): Status.REFUSED,
        (Status.NEW, Action.REFUSE): Status.REFUSED,
        (Status.RECEIVED, Action.START_PROCESSING): Status.IN_PROCESS,
        (Status.RECEIVED, Action.FORWARD): Status.IN_PROCESS,
        (Status.IN_PROCESS, Action.FORWARD): Status.IN_PROCESS,
        (Status.RECEIVED, Action.REQUEST_SUPPLEMENT): Status.SUPPLEMENT_REQUESTED,
        (Status.IN_PROCESS, Action.REQUEST_SUPPLEMENT): Status.SUPPLEMENT_REQUESTED,
        (Status.SUPPLEMENT_REQUESTED, Action.SUPPLEMENT_RECEIVED): Status.IN_PROCESS,
        (Status.RECEIVED, Action.REQUEST_FEES): Status.FEES_REQUESTED,
        (Status.IN_PROCESS, Action.REQUEST_FEES): Status.FEES_REQUESTED,
        (Status.FEES_REQUESTED, Action.FEES_PAID): Status.IN_PROCESS,
        (Status.RECEIVED, Action.RESULT_READY): Status.RESULT_READY,
        (Status.IN_PROCESS, Action.RESULT_READY): Status.RESULT_READY,
        (Status.RESULT_READY, Action.HAND_BACK): Status.RETURNED,
    }
    for s in (Status.NEW, *_PROCESSING):
        t[(s, Action.WITHDRAW)] = Status.WITHDRAWN
    for s in _PROCESSING:
        t[(s, Action.STOP)] = Status.STOPPED
        t[(s, Action.APOLOGISE)] = s
    for s in _OPEN:
        t[(s, Action.TRANSFER)] = s
    # Before acceptance the dossier stays "new": whether it waits for the citizen is told by its events
    # (app.domain.portal.awaiting_supplement), and app.services.online refuses a second request while one
    # is pending.
    t[(Status.NEW, Action.REQUEST_ONLINE_SUPPLEMENT)] = Status.NEW
    t[(Status.NEW, Action.ONLINE_SUPPLEMENTED)] = Status.NEW
    return t


#: (current status or None for "no dossier yet", action) → next status. The single source of truth.
TRANSITIONS: Final[dict[tuple[Status | None, Action], Status]] = _build_table()

#: Why an action is refused from a non-final status it does not apply to: (vi, en).
_WHY_NOT: Final[dict[Action, tuple[str, str]]] = {
    Action.SUBMIT_ONLINE: ("hồ sơ đã tồn tại", "the dossier already exists"),
    Action.RECEIVE: ("hồ sơ đã được tiếp nhận", "the dossier has already been received"),
    Action.REFUSE: (
        "hồ sơ đã được tiếp nhận; muốn kết thúc thì dùng «Dừng giải quyết hồ sơ»",
        "the dossier has already been received; use 'Stop processing' to end it",
    ),
    Action.START_PROCESSING: (
        "chỉ chuyển xử lý được hồ sơ vừa tiếp nhận",
        "only a dossier that has just been received can start processing",
    ),
    Action.FORWARD: (
        "chỉ chuyển được hồ sơ đã tiếp nhận hoặc đang xử lý",
        "only a received or in-process dossier can be forwarded",
    ),
    Action.REQUEST_SUPPLEMENT: (
        "chỉ yêu cầu bổ sung được khi hồ sơ đã tiếp nhận hoặc đang xử lý",
        "a supplement can be requested only while the dossier is received or in process",
    ),
    Action.SUPPLEMENT_RECEIVED: (
        "hồ sơ không ở trạng thái chờ bổ sung",
        "the dossier is not waiting for a supplement",
    ),
    Action.REQUEST_FEES: (
        "chỉ yêu cầu nghĩa vụ tài chính được khi hồ sơ đã tiếp nhận hoặc đang xử lý",
        "fees can be requested only while the dossier is received or in process",
    ),
    Action.FEES_PAID: (
        "hồ sơ không ở trạng thái chờ thực hiện nghĩa vụ tài chính",
        "the dossier is not waiting for fees",
    ),
    Action.WITHDRAW: ("hồ sơ đã có kết quả", "the dossier already has a result"),
    Action.STOP: (
        "chỉ dừng được hồ sơ đang trong quá trình giải quyết",
        "only a dossier still being processed can be stopped",
    ),
    Action.RESULT_READY: (
        "hồ sơ chưa được xử lý, đang chờ bổ sung hoặc chờ nghĩa vụ tài chính, hoặc đã có kết quả",
        "the dossier is not being processed, is waiting for a supplement or fees, or already has a result",
    ),
    Action.HAND_BACK: ("hồ sơ chưa có kết quả", "the dossier has no result yet"),
    Action.APOLOGISE: (
        "chỉ xin lỗi và đề nghị gia hạn được khi hồ sơ đang trong quá trình giải quyết",
        "an apology with an extension request is possible only while the dossier is being processed",
    ),
    Action.TRANSFER: ("hồ sơ chưa được tiếp nhận", "the dossier has not been received"),
    Action.REQUEST_ONLINE_SUPPLEMENT: (
        "chỉ hồ sơ trực tuyến chưa được tiếp nhận mới yêu cầu bổ sung trước khi tiếp nhận",
        "only an online dossier not yet accepted can be asked for a supplement before acceptance",
    ),
    Action.ONLINE_SUPPLEMENTED: (
        "hồ sơ không chờ công dân bổ sung trước khi tiếp nhận",
        "the dossier is not waiting for a supplement before acceptance",
    ),
}


def _coerce_action(action: Action | str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise DomainError(
            Problem(
                "status.unknown_action",
                f"Thao tác «{action}» không tồn tại.",
                f"Unknown action {action!r}.",
            )
        ) from None


def _coerce_status(status: Status | str | None) -> Status | None:
    if status is None:
        return None
    try:
        return Status(status)
    except ValueError:
        raise DomainError(
            Problem(
                "status.unknown_status",
                f"Trạng thái «{status}» không tồn tại.",
                f"Unknown status {status!r}.",
            )
        ) from None


def _refusal(status: Status | None, action: Action) -> Problem:
    verb_vi = action.label_vi[0].lower() + action.label_vi[1:]
    verb_en = action.label_en[0].lower() + action.label_en[1:]
    if status is None:
        why = ("chưa có hồ sơ: phải tiếp nhận hồ sơ trước", "there is no dossier yet: receive it first")
    elif status in _FINAL:
        why = (
            f"hồ sơ đã kết thúc ở trạng thái «{status.label_vi}»",
            f"the dossier is closed ({status.label_en})",
        )
    else:
        why = _WHY_NOT[action]
    current_vi = f" (trạng thái hiện tại: {status.label_vi})" if status is not None else ""
    current_en = f" (current status: {status.label_en})" if status is not None else ""
    return Problem(
        f"status.illegal.{action.value}",
        f"Không thể {verb_vi}: {why[0]}{current_vi}.",
        f"Cannot {verb_en}: {why[1]}{current_en}.",
        "status",
    )


def transition(status: Status | str | None, action: Action | str) -> Status:
    """The status after ``action`` on a dossier in ``status`` (``None``: no dossier yet).

    Raises :class:`DomainError` with a reason the operator can read when the action is not allowed.
    """
    s = _coerce_status(status)
    a = _coerce_action(action)
    nxt = TRANSITIONS.get((s, a))
    if nxt is None:
        raise DomainError(_refusal(s, a))
    return nxt


def can(status: Status | str | None, action: Action | str) -> bool:
    return (_coerce_status(status), _coerce_action(action)) in TRANSITIONS


def allowed_actions(status: Status | str | None) -> list[Action]:
    """The actions allowed on a dossier in ``status``, in :class:`Action` order."""
    s = _coerce_status(status)
    return [a for a in Action if (s, a) in TRANSITIONS]


def is_final(status: Status | str) -> bool:
    """Whether the dossier is closed: refused, withdrawn, stopped or handed back."""
    s = _coerce_status(status)
    return s in _FINAL


def is_open(status: Status | str) -> bool:
    """Whether the dossier is still open (not final); a ready result waiting to be handed back is open."""
    return not is_final(status)


def replay(events: Iterable[Action | str], start: Status | str | None = None) -> Status:
    """Apply ``events`` in order from ``start`` and return the final status.

    Raises :class:`DomainError` naming the (1-based) event that is not a legal transition.
    """
    current = _coerce_status(start)
    for count, event in enumerate(events, start=1):
        try:
            current = transition(current, event)
        except DomainError as err:
            problem = err.problems[0]
            raise DomainError(
                Problem(
                    problem.code,
                    f"Sự kiện thứ {count}: {problem.vi}",
                    f"Event {count}: {problem.en}",
                    problem.field,
                )
            ) from None
    if current is None:
        raise DomainError(
            Problem(
                "status.no_events",
                "Không có sự kiện nào để xác định trạng thái hồ sơ.",
                "There are no events to derive the dossier status from.",
            )
        )
    return current
