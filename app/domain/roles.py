"""Which agency named on a dossier may perform which action, in which status (docs/design.md, Statuses and
agencies; issue 16, item 4). One table for the desk (the actions it offers and records) and the server
(the events it accepts).

A dossier names up to three agencies: the **receiving** centre (the one-stop counter that took it in),
the **competent** agency (the one the law makes responsible) and the **handling** agency (the one the
dossier is with now: the receiving centre itself until it forwards the dossier). A centre may hold several
roles at once (scenario a: all three).

The split follows the one-stop model of Decree 61/2018/NĐ-CP as amended by Decree 107/2021/NĐ-CP (the
one-stop section receives, forwards, and hands the result back; the handling agency processes, asks for a
supplement or for fees, decides, stops, apologises for a delay). Choices that are inferences, not taken
from a text:

- requests for a supplement or for fees, and their receipt, may be recorded by the receiving centre (the
  citizen comes to its counter) as well as by the handling agency;
- a withdrawal may be recorded where the citizen asks: the receiving centre or the handling agency;
- an apology with a new due date may come from the handling agency or the receiving centre (the letter is
  handed out at the counter);
- ``stop`` belongs to the handling or competent agency; ``transfer`` (a reorganisation hand-over) to the
  receiving centre only: another agency cannot move a centre's dossier elsewhere.

Due dates. Only :data:`CHANGES_DUE` may carry a new due date (the supplement received extends it by the
time the citizen took, an apology sets a later one); no other action moves it. The one exception is
:data:`SETS_FIRST_DUE`: accepting an online dossier (``receive`` from ``new``) gives it its first due date,
because a dossier submitted on the national portal has none until a centre accepts it (the time limit runs
from the acceptance; issue 20). :func:`may_carry_due` decides both.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from app.domain.errors import Problem
from app.domain.status import TRANSITIONS, Action, Status

__all__ = [
    "ACTION_ROLES",
    "CHANGES_DUE",
    "FILES_ROLES",
    "PERMITTED",
    "SETS_FIRST_DUE",
    "Role",
    "may_carry_due",
    "may_perform",
    "refusal",
    "roles_of",
    "text_layer_refusal",
]


class Role(StrEnum):
    RECEIVING = "receiving"
    COMPETENT = "competent"
    HANDLING = "handling"

    @property
    def label_vi(self) -> str:
        return _ROLE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _ROLE_LABELS[self][1]


_ROLE_LABELS: Final = {
    Role.RECEIVING: ("cơ quan tiếp nhận", "receiving centre"),
    Role.COMPETENT: ("cơ quan có thẩm quyền", "competent agency"),
    Role.HANDLING: ("cơ quan đang giải quyết", "handling agency"),
}

_R, _C, _H = Role.RECEIVING, Role.COMPETENT, Role.HANDLING

#: Action → the roles that may perform it (the status it may start from is the status machine's).
ACTION_ROLES: Final[dict[Action, frozenset[Role]]] = {
    Action.SUBMIT_ONLINE: frozenset({_R}),
    Action.RECEIVE: frozenset({_R}),
    Action.REFUSE: frozenset({_R}),
    Action.START_PROCESSING: frozenset({_H}),
    Action.FORWARD: frozenset({_R, _H}),
    Action.REQUEST_SUPPLEMENT: frozenset({_R, _H}),
    Action.SUPPLEMENT_RECEIVED: frozenset({_R, _H}),
    Action.REQUEST_FEES: frozenset({_R, _H}),
    Action.FEES_PAID: frozenset({_R, _H}),
    Action.WITHDRAW: frozenset({_R, _H}),
    Action.STOP: frozenset({_H, _C}),
    Action.RESULT_READY: frozenset({_H}),
    Action.HAND_BACK: frozenset({_R}),
    Action.APOLOGISE: frozenset({_R, _H}),
    Action.TRANSFER: frozenset({_R}),
    Action.REQUEST_ONLINE_SUPPLEMENT: frozenset({_R}),
    # Recorded only by the server from the portal's feed (server/portal.py): no desk may send it.
    Action.ONLINE_SUPPLEMENTED: frozenset(),
}

#: (status, action) → the roles that may perform it from that status: the status machine's table with
#: :data:`ACTION_ROLES` laid over it. The single table of who may do what, when.
PERMITTED: Final[dict[tuple[Status | None, Action], frozenset[Role]]] = {
    key: ACTION_ROLES[key[1]] for key in TRANSITIONS
}

#: The only actions whose event may carry a new due date.
CHANGES_DUE: Final = frozenset({Action.SUPPLEMENT_RECEIVED, Action.APOLOGISE})

#: (status, action) whose event gives a dossier that has no due date yet its first one: the acceptance of
#: an online dossier.
SETS_FIRST_DUE: Final[frozenset[tuple[Status | None, Action]]] = frozenset({(Status.NEW, Action.RECEIVE)})


def may_carry_due(status: Status | str | None, action: Action | str, *, has_due: bool) -> bool:
    """Whether an event performing ``action`` on a dossier in ``status`` (which already has a due date when
    ``has_due``) may carry a due date. Whether the date is later than the current one is the caller's
    check."""
    try:
        key = (Status(status) if status is not None else None, Action(action))
    except ValueError:
        return False
    return key[1] in CHANGES_DUE or (key in SETS_FIRST_DUE and not has_due)


def roles_of(
    centre_eid: str, receiving_eid: str | None, competent_eid: str | None, handling_eid: str | None
) -> frozenset[Role]:
    """The roles ``centre_eid`` holds on a dossier naming these agencies. Until a dossier is forwarded
    (no handling agency named) the receiving centre handles it."""
    roles = set()
    if centre_eid == receiving_eid:
        roles.add(Role.RECEIVING)
    if centre_eid == competent_eid:
        roles.add(Role.COMPETENT)
    if centre_eid == (handling_eid or receiving_eid):
        roles.add(Role.HANDLING)
    return frozenset(roles)


def may_perform(roles: frozenset[Role], status: Status | str | None, action: Action | str) -> bool:
    """Whether an agency with ``roles`` may perform ``action`` on a dossier in ``status``."""
    try:
        key = (Status(status) if status is not None else None, Action(action))
    except ValueError:
        return False
    return bool(PERMITTED.get(key, frozenset()) & roles)


def refusal(roles: frozenset[Role], action: Action | str) -> Problem:
    """Why an agency with ``roles`` may not perform ``action`` (a reason the operator can read)."""
    act = Action(action)
    allowed = sorted(ACTION_ROLES[act], key=list(Role).index)
    if not allowed:
        return Problem(
            f"role.{act.value}",
            f"«{act.label_vi}» chỉ được ghi từ Cổng Dịch vụ công quốc gia, không từ máy trạm.",
            f"'{act.label_en}' is recorded only from the national portal, never by a workstation.",
            "action",
        )
    who_vi = " hoặc ".join(r.label_vi for r in allowed)
    who_en = " or ".join(r.label_en for r in allowed)
    held_vi = ", ".join(r.label_vi for r in sorted(roles, key=list(Role).index)) or "không có vai trò nào"
    held_en = ", ".join(r.label_en for r in sorted(roles, key=list(Role).index)) or "no role"
    return Problem(
        f"role.{act.value}",
        f"Chỉ {who_vi} của hồ sơ mới được «{act.label_vi}»; cơ quan này là {held_vi} của hồ sơ.",
        f"Only the dossier's {who_en} may '{act.label_en}'; this agency is its {held_en}.",
        "action",
    )


# --- digitised papers (issue 19) ------------------------------------------------------------------------

#: Who may record a digitised paper, an exemption or the electronic result (``dossier.files``): any agency
#: named on the dossier, in any status (the paper is digitised where it is handed over; the result where
#: it is issued). A ``dossier.files`` event changes no status.
FILES_ROLES: Final = frozenset({_R, _C, _H})


def text_layer_refusal(
    *,
    sender_eid: str,
    holder_eid: str | None,
    earlier: tuple[str, int, Sequence[str]] | None,
    later: tuple[str, int, Sequence[str]],
) -> Problem | None:
    """Why a ``dossier.files`` event declaring itself the text-layer version (OCR's PDF/A) of an earlier
    file may not be accepted, or None. ``earlier`` is (kind, paper number, page SHA-256s) of the event
    that named the image-only PDF (None when no event of this dossier named it), ``holder_eid`` the centre
    whose workstation sent that event: the centre that holds the paper, the only one whose desk recognised
    its text. ``later`` is the same for the new event. The page images of a text-layer version are the
    earlier file's, unchanged (OCR adds an invisible text layer and the PDF/A declarations only), so its
    page hashes must be the same, in the same order."""
    if earlier is None:
        return Problem(
            "files.text_layer_unknown",
            "Máy chủ chưa nhận sự kiện nào của hồ sơ này nêu tệp gốc (chỉ ảnh) của bản có lớp chữ.",
            "No event of this dossier named the image-only file this text-layer version is of.",
            "text_layer_of",
        )
    if holder_eid != sender_eid:
        return Problem(
            "files.text_layer_holder",
            "Chỉ cơ quan đã số hóa giấy tờ mới gửi được bản có lớp chữ (OCR) của tệp đó.",
            "Only the agency that digitised the paper may send the text-layer (OCR) version of its file.",
            "text_layer_of",
        )
    if earlier[:2] != later[:2] or list(earlier[2]) != list(later[2]):
        return Problem(
            "files.text_layer_pages",
            "Bản có lớp chữ phải thuộc cùng giấy tờ và giữ nguyên các trang ảnh "
            "(cùng mã SHA-256 từng trang).",
            "A text-layer version must be of the same paper with the same page images "
            "(the same page SHA-256s).",
            "pages",
        )
    return None
