"""The record exchanged with the national public-service portal (Cổng Dịch vụ công quốc gia), pure.

Contract: docs/portal-contract.md. Sources: rules-2026.md §1.3 (TT 04/2025/TT-VPCP governs the data exchanged,
**its field list was not found**), so the field names and codes here follow the structure a provincial system
publishes (Thanh Hóa ``HoSoDongBoDVC``, domain.md §3.2) and the national status catalogue (domain.md §3.1).
Fields we added because no published field was found are prefixed ``Motcua`` and say so in the contract.

What is here (no I/O): :func:`portal_time` (``yyyyMMddHHmmss``, Vietnam wall clock), :func:`fold_events`
(the dossier's state after each of its server events, with the same status machine the server runs),
:func:`deliveries` (one :class:`Delivery` per event: the whole dossier record as of that event plus the
processing-history entry of the event), :func:`validate_record` (field-by-field checks, used by the portal
simulator and the tests) and :func:`acceptance_deadline` (the online intake clock, in working hours).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from app.domain.calendar import WorkingCalendar, local_naive
from app.domain.errors import Problem
from app.domain.status import Action, Status, transition

__all__ = [
    "CHANNEL_CODE",
    "DEFAULT_ACCEPTANCE_HOURS",
    "PORTAL_TIME_FORMAT",
    "Delivery",
    "ACCEPTANCE_AFTER_SUPPLEMENT",
    "acceptance_after_supplement",
    "acceptance_deadline",
    "awaiting_supplement",
    "deliveries",
    "fold_events",
    "parse_portal_time",
    "portal_time",
    "validate_record",
]

#: Dates as the provincial sync structure sends them (domain.md §3.2), in Vietnam's wall-clock time.
PORTAL_TIME_FORMAT: Final = "%Y%m%d%H%M%S"
#: ``KenhThucHien`` (domain.md §3.1): 1 in person, 2 online, 3 public post.
CHANNEL_CODE: Final[dict[str, int]] = {"direct": 1, "online": 2, "postal": 3}
#: Online intake: accepted or refused within 8 working hours (Gia Lai rule, rules-2026.md §1.7); a province
#: setting may change it.
DEFAULT_ACCEPTANCE_HOURS: Final = 8.0

#: Record kinds: the first delivery of a dossier carries ``HoSo`` only; each later status change too (the
#: whole dossier as of the change) plus its ``QuaTrinhXuLy`` entry.
KIND_DOSSIER: Final = "HoSo"
KIND_STATUS: Final = "TrangThai"

_TIME_RE: Final = re.compile(r"^\d{14}$")
_CODE_RE: Final = re.compile(r"^[0-9A-Za-z.]{3,35}-\d{6}-\d{4,5}$")
_EID_RE: Final = re.compile(r"^[0-9A-Za-z.]{3,35}$")
_UUID_RE: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def portal_time(moment: datetime | str | None) -> str | None:
    """``yyyyMMddHHmmss`` in Vietnam time; an aware time is converted, a naive one is taken as local."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return local_naive(moment).strftime(PORTAL_TIME_FORMAT)


def parse_portal_time(text: str) -> datetime:
    """The naive Vietnam wall-clock time of a ``yyyyMMddHHmmss`` value (raises ``ValueError``)."""
    if not _TIME_RE.match(text):
        raise ValueError(text)
    return datetime.strptime(text, PORTAL_TIME_FORMAT)


def acceptance_deadline(
    submitted_at: datetime, calendar: WorkingCalendar, hours: float = DEFAULT_ACCEPTANCE_HOURS
) -> datetime:
    """When an online dossier must be accepted or refused: ``hours`` working hours after submission,
    counted by the same calendar as due dates (outside working time the clock starts at the next opening;
    rules-2026.md §1.7). Naive Vietnam wall-clock time."""
    return calendar.add_working_hours(submitted_at, hours)


#: What happens to the acceptance clock when the citizen sends a supplement asked for before acceptance.
#: **No source found**: rules-2026.md §1.7 counts the 8 working hours "from successful online submission"
#: and says nothing of a supplement before acceptance; domain.md §3.1 names the front desk's sub-states
#: ("Yêu cầu một cửa bổ sung", "Chờ bổ sung tiếp nhận") but no clock. Our choice, a province setting
#: (``motcua-server portal configure --acceptance-after-supplement``): ``restart`` (default) counts the
#: full acceptance time again from the supplement, reading the completed file as a new successful
#: submission; ``resume`` continues with the working time that was left when the supplement was asked for.
#: Either way the clock is stopped while the centre waits for the citizen.
ACCEPTANCE_AFTER_SUPPLEMENT: Final = ("restart", "resume")


def acceptance_after_supplement(
    previous_due: datetime | None,
    asked_at: datetime,
    supplemented_at: datetime,
    calendar: WorkingCalendar,
    hours: float = DEFAULT_ACCEPTANCE_HOURS,
    rule: str = "restart",
) -> datetime:
    """The new acceptance deadline once the citizen has sent the supplement asked for at ``asked_at``
    (:data:`ACCEPTANCE_AFTER_SUPPLEMENT`). Naive Vietnam wall-clock time."""
    if rule == "resume" and previous_due is not None:
        left = calendar.working_hours_between(asked_at, previous_due)
        return calendar.add_working_hours(supplemented_at, max(left, timedelta(0)))
    return calendar.add_working_hours(supplemented_at, hours)


def awaiting_supplement(actions: Sequence[str]) -> bool:
    """Whether an online dossier not yet accepted waits for the citizen's supplement: its last supplement
    step (in event order) is the centre's request."""
    for action in reversed(actions):
        if action == Action.REQUEST_ONLINE_SUPPLEMENT:
            return True
        if action == Action.ONLINE_SUPPLEMENTED:
            return False
    return False


def national_status(state: Mapping[str, Any]) -> int:
    """The ``TrangThaiHoSo`` of a :func:`fold_events` state: 5 "Yêu cầu bổ sung giấy tờ" while an online
    dossier not yet accepted waits for the citizen's supplement (locally still ``new``), else the status's
    own code (domain.md §3.1)."""
    if state.get("_awaiting") and state["status"] == Status.NEW:
        return Status.SUPPLEMENT_REQUESTED.national_code
    return Status(state["status"]).national_code


# --- folding the server's events ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    """One record to deliver: idempotent on the portal by (``code``, ``event_id``); ``seq`` orders a
    dossier's deliveries (1-based)."""

    dossier_id: str
    code: str
    event_id: str
    seq: int
    body: dict[str, Any]


def _flag(value: Any) -> int:
    return 1 if value is True or value == 1 else 0


def fold_events(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The dossier state after each event (``dossier.received`` first, then ``dossier.transition``s in the
    server's arrival order), as the server computes it (server/sync.py), plus the times the portal needs.

    Each state is the received snapshot with ``status``, ``due_at``, ``handling_agency_eid`` updated and
    ``_times`` (submitted / accepted / refused / finished / returned) and ``_extras`` (flags a transition's
    ``extra`` carried: ``result_url``, ``paid_online``, ``vneid_verified``) added.
    """
    states: list[dict[str, Any]] = []
    state: dict[str, Any] | None = None
    for ev in events:
        payload = ev["payload"]
        if ev["type"] == "dossier.received":
            state = dict(payload)
            status = Status(state["status"])
            times: dict[str, str | None] = {
                "submitted": state["received_at"],
                "accepted": state["received_at"] if status is not Status.NEW else None,
                "refused": state["received_at"] if status is Status.REFUSED else None,
                "finished": None,
                "returned": None,
            }
            if status is Status.REFUSED:
                times["accepted"] = None
            state["_times"] = times
            state["_extras"] = {}
        else:
            if state is None:
                raise ValueError("a transition before the dossier's receipt")
            state = dict(state)
            times = dict(state["_times"])
            extras = dict(state["_extras"])
            action = Action(payload["action"])
            new_status = transition(state["status"], action)
            state["status"] = new_status.value
            at = ev["occurred_at"]
            if payload.get("due_at") is not None:
                state["due_at"] = payload["due_at"]
            if payload.get("code") and not state.get("code"):
                state["code"] = payload["code"]  # an online dossier gets its code when accepted
            if payload.get("handling_agency_eid") is not None:
                state["handling_agency_eid"] = payload["handling_agency_eid"]
                name = (payload.get("extra") or {}).get("handling_agency")
                if isinstance(name, str) and name:
                    state["handling_agency"] = name
            if action is Action.RECEIVE:
                times["accepted"] = at
            elif action is Action.REFUSE:
                times["refused"] = at
            elif new_status in (Status.RESULT_READY, Status.STOPPED, Status.WITHDRAWN):
                times["finished"] = at  # the ending status (766 index, domain.md §3.4)
            elif new_status is Status.RETURNED:
                times["returned"] = at
                times["finished"] = times["finished"] or at
            extra = payload.get("extra") or {}
            if action is Action.REQUEST_ONLINE_SUPPLEMENT:
                state["_awaiting"] = True
                state["_asked"] = True
                missing = extra.get("missing_papers")
                state["_missing"] = [str(x) for x in missing] if isinstance(missing, list) else []
            elif action is Action.ONLINE_SUPPLEMENTED:
                state["_awaiting"] = False
                state["_missing"] = []
                added = extra.get("papers")
                if isinstance(added, list):  # the citizen's new files join the dossier's papers
                    state["papers_received"] = [
                        *(state.get("papers_received") or []),
                        *(p for p in added if isinstance(p, dict)),
                    ]
            for key in ("result_url", "paid_online", "vneid_verified"):
                value = (payload.get("extra") or {}).get(key)
                if value is not None:
                    extras[key] = value
            state["_times"] = times
            state["_extras"] = extras
        states.append(state)
    return states


def _id_document(applicant: Mapping[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    if applicant.get("personal_id"):
        return applicant["personal_id"], [{"LoaiDinhDanh": 1, "SoDinhDanh": applicant["personal_id"]}]
    if applicant.get("old_id"):
        return applicant["old_id"], [{"LoaiDinhDanh": 2, "SoDinhDanh": applicant["old_id"]}]
    return None, []


def dossier_record(state: Mapping[str, Any]) -> dict[str, Any]:
    """The ``HoSo`` part: the dossier as of ``state`` (a :func:`fold_events` state)."""
    applicant = state["applicant"]
    id_no, ids = _id_document(applicant)
    times = state["_times"]
    extras = state["_extras"]
    papers = []
    for p in state.get("papers_received") or []:
        papers.append(
            {
                "TenTepTin": str(p.get("name", ""))[:1000],
                "DuongDan": p.get("file_url"),
                "DuocSoHoa": _flag(p.get("digitised")),
                "DuocTaiSuDung": _flag(p.get("reused")),
                "DuocLayTuKhoDMQG": _flag(p.get("from_citizen_store")),
            }
        )
    fee = int(state.get("fee_vnd") or 0)
    result_url = extras.get("result_url")
    # A transition's ``extra`` wins; else what the submission said (an online dossier's snapshot).
    online_paid = extras.get("paid_online", state.get("paid_online"))
    vneid = extras.get("vneid_verified", state.get("vneid_verified"))
    return {
        "MaHoSo": state.get("code"),
        "MotcuaMaHoSoCong": state.get("portal_id"),
        "MaTTHC": state["procedure_code"],
        "TenTTHC": state["procedure_name"],
        "KenhThucHien": CHANNEL_CODE[state.get("channel", "direct")],
        "ChuHoSo": applicant["full_name"],
        "SoGiayToChuHoSo": id_no,
        "LoaiDoiTuong": 1,
        "SoDienThoai": applicant.get("phone"),
        "Email": applicant.get("email"),
        "DinhDanhCHS": ids,
        "TrichYeuHoSo": str(state["procedure_name"])[:1000],
        "NgayNopHoSo": portal_time(times["submitted"]),
        "NgayTiepNhan": portal_time(times["accepted"]),
        "NgayHenTra": portal_time(state.get("due_at")),
        "NgayTuChoi": portal_time(times["refused"]),
        "NgayKetThucXuLy": portal_time(times["finished"]),
        "NgayTra": portal_time(times["returned"]),
        "TrangThaiHoSo": national_status(state),
        "NoiNopHoSo": state["receiving_agency"],
        "DonViXuLy": state.get("handling_agency") or state.get("competent_agency") or "",
        "MotcuaMaCoQuanTiepNhan": state["receiving_agency_eid"],
        "MotcuaMaCoQuanCoThamQuyen": state.get("competent_agency_eid"),
        "MotcuaMaCoQuanXuLy": state.get("handling_agency_eid"),
        "HoSoCoThanhPhanSoHoa": 1 if any(p["DuocSoHoa"] or p["DuocTaiSuDung"] for p in papers) else 0,
        "TaiKhoanDuocXacThucVoiVNeID": _flag(vneid),
        "DuocThanhToanTrucTuyen": online_paid if online_paid in (1, 2) else 0,
        "TaiLieuNop": papers,
        "DanhSachLePhi": [{"TenPhiLePhi": "Phí, lệ phí", "Gia": fee}] if fee else [],
        "DanhSachGiayToKetQua": [{"DuongDan": result_url}] if isinstance(result_url, str) else [],
        "GhiChu": str(state.get("notes") or "")[:1000],
        # ours: the papers asked for while the citizen's supplement is awaited (DanhSachHoSoBoSung's inner
        # structure was not found, so it is not used)
        "MotcuaGiayToCanBoSung": [x[:1000] for x in state.get("_missing") or []]
        if state.get("_awaiting")
        else [],
    }


def history_entry(event: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
    """The ``QuaTrinhXuLy`` entry of one event (the state is the dossier after it)."""
    payload = event["payload"]
    if event["type"] == "dossier.received":
        action = Action.SUBMIT_ONLINE if state["status"] == Status.NEW else Action.RECEIVE
        if state["status"] == Status.REFUSED:
            action = Action.REFUSE
        content = action.label_vi
    else:
        action = Action(payload["action"])
        content = action.label_vi + (f": {payload['reason']}" if payload.get("reason") else "")
        missing = (payload.get("extra") or {}).get("missing_papers")
        if action is Action.REQUEST_ONLINE_SUPPLEMENT and isinstance(missing, list) and missing:
            content += ". Giấy tờ cần bổ sung: " + "; ".join(str(x) for x in missing)
    return {
        "MaHoSo": state.get("code"),
        "MotcuaMaSuKien": event["event_id"],
        "NguoiXuLy": event["operator"],
        "ChucDanh": None,
        "ThoiDiemXuLy": portal_time(event["occurred_at"]),
        "PhongBanXuLy": state.get("handling_agency") or state["receiving_agency"],
        "NoiDungXuLy": content[:2000],
        "TrangThai": national_status(state),
        "NgayBatDau": portal_time(event["occurred_at"]),
        "NgayKetThucTheoQuyDinh": portal_time(state.get("due_at")),
    }


def deliveries(events: Sequence[Mapping[str, Any]]) -> list[Delivery]:
    """One delivery per event of one dossier (all its events, in the server's order).

    A dossier with no code (refused at the counter before a code was given) has nothing the portal can
    key: none. An online dossier (``portal_id``) is not sent back while it is only submitted (the portal
    holds it); from its acceptance on it is keyed by its code, and a refusal before any code by the
    portal's id."""
    states = fold_events(events)
    out: list[Delivery] = []
    for ev, state in zip(events, states, strict=True):
        code = state.get("code")
        portal_id = state.get("portal_id")
        if not code:
            if not portal_id:
                return []
            if state["status"] == Status.NEW and not state.get("_asked"):
                continue  # only submitted: the portal holds it (a supplement asked for is sent)
        i = len(out) + 1
        body = {
            "MotcuaMaSuKien": ev["event_id"],
            "MotcuaThuTu": i,
            "LoaiBanGhi": KIND_DOSSIER if i == 1 else KIND_STATUS,
            "HoSo": dossier_record(state),
            "QuaTrinhXuLy": history_entry(ev, state),
        }
        out.append(Delivery(ev["dossier_id"], str(code or portal_id), ev["event_id"], i, body))
    return out


# --- validation (the simulator's and the tests' view of the contract) --------------------------------

_REQUIRED_TEXT: Final = ("MaTTHC", "TenTTHC", "ChuHoSo", "NoiNopHoSo", "MotcuaMaCoQuanTiepNhan")
_TIME_FIELDS: Final = (
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayTuChoi",
    "NgayKetThucXuLy",
    "NgayTra",
)
_FLAG_FIELDS: Final = ("HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID")


def _p(field: str, vi: str, en: str) -> Problem:
    return Problem("portal.field", f"Trường {field}: {vi}", f"Field {field}: {en}", field)


def _check_time(rec: Mapping[str, Any], field: str, problems: list[Problem], required: bool = False) -> None:
    value = rec.get(field)
    if value is None:
        if required:
            problems.append(_p(field, "bắt buộc.", "required."))
        return
    if not isinstance(value, str) or not _TIME_RE.match(value):
        problems.append(_p(field, "phải có dạng yyyyMMddHHmmss.", "must be yyyyMMddHHmmss."))
        return
    try:
        parse_portal_time(value)
    except ValueError:
        problems.append(_p(field, "không phải một thời điểm có thật.", "is not a real date and time."))


def validate_record(body: Any) -> list[Problem]:
    """Every problem of a delivered record, field by field (empty: valid)."""
    if not isinstance(body, dict):
        return [_p("body", "phải là một đối tượng JSON.", "must be a JSON object.")]
    problems: list[Problem] = []
    ev = body.get("MotcuaMaSuKien")
    if not isinstance(ev, str) or not _UUID_RE.match(ev):
        problems.append(_p("MotcuaMaSuKien", "phải là một UUID.", "must be a UUID."))
    seq = body.get("MotcuaThuTu")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 1 <= seq <= 100_000:
        problems.append(_p("MotcuaThuTu", "phải là số nguyên 1–100000.", "must be an integer 1–100000."))
    if body.get("LoaiBanGhi") not in (KIND_DOSSIER, KIND_STATUS):
        problems.append(_p("LoaiBanGhi", "phải là HoSo hoặc TrangThai.", "must be HoSo or TrangThai."))
    rec = body.get("HoSo")
    if not isinstance(rec, dict):
        return [*problems, _p("HoSo", "bắt buộc, là một đối tượng.", "required, an object.")]
    for field in _REQUIRED_TEXT:
        value = rec.get(field)
        if not isinstance(value, str) or not value.strip() or len(value) > 1000:
            problems.append(
                _p(field, "bắt buộc, chuỗi 1–1000 ký tự.", "required, a string of 1–1000 characters.")
            )
    code = rec.get("MaHoSo")
    pid = rec.get("MotcuaMaHoSoCong")
    if pid is not None and (not isinstance(pid, str) or not 1 <= len(pid) <= 60):
        problems.append(_p("MotcuaMaHoSoCong", "chuỗi 1–60 ký tự.", "a string of 1–60 characters."))
    if code is None and pid is None:
        problems.append(_p("MaHoSo", "bắt buộc (hoặc MotcuaMaHoSoCong).", "required (or MotcuaMaHoSoCong)."))
    elif code is not None and (not isinstance(code, str) or not _CODE_RE.match(code)):
        problems.append(
            _p("MaHoSo", "sai dạng <mã định danh>-yyMMdd-NNNN.", "not of the form <e-ID>-yyMMdd-NNNN.")
        )
    for field in ("MotcuaMaCoQuanTiepNhan", "MotcuaMaCoQuanCoThamQuyen", "MotcuaMaCoQuanXuLy"):
        value = rec.get(field)
        if value is not None and (not isinstance(value, str) or not _EID_RE.match(value)):
            problems.append(_p(field, "mã định danh cơ quan không hợp lệ.", "invalid agency e-ID."))
    if rec.get("KenhThucHien") not in (1, 2, 3):
        problems.append(_p("KenhThucHien", "phải là 1, 2 hoặc 3.", "must be 1, 2 or 3."))
    status = rec.get("TrangThaiHoSo")
    if not isinstance(status, int) or isinstance(status, bool) or not 1 <= status <= 10:
        problems.append(_p("TrangThaiHoSo", "phải là mã 1–10.", "must be a code 1–10."))
    if rec.get("LoaiDoiTuong") not in (1, 2, 3, 4):
        problems.append(_p("LoaiDoiTuong", "phải là 1–4.", "must be 1–4."))
    for field in _TIME_FIELDS:
        _check_time(rec, field, problems, required=field == "NgayNopHoSo")
    # Status 5 before acceptance: an online dossier (no code yet) waiting for the citizen's supplement.
    asked_before_acceptance = status == 5 and code is None and pid is not None
    if (
        isinstance(status, int)
        and 2 <= status <= 10
        and status not in (3, 7)
        and not asked_before_acceptance
        and not rec.get("NgayTiepNhan")
    ):
        problems.append(_p("NgayTiepNhan", "bắt buộc với hồ sơ đã tiếp nhận.", "required once accepted."))
    if status == 3 and not rec.get("NgayTuChoi"):
        problems.append(_p("NgayTuChoi", "bắt buộc với hồ sơ bị từ chối.", "required for a refused dossier."))
    for field in _FLAG_FIELDS:
        if rec.get(field) not in (0, 1):
            problems.append(_p(field, "phải là 0 hoặc 1.", "must be 0 or 1."))
    if rec.get("DuocThanhToanTrucTuyen") not in (0, 1, 2):
        problems.append(_p("DuocThanhToanTrucTuyen", "phải là 0, 1 hoặc 2.", "must be 0, 1 or 2."))
    for field in ("TaiLieuNop", "DanhSachLePhi", "DanhSachGiayToKetQua", "DinhDanhCHS"):
        if not isinstance(rec.get(field), list):
            problems.append(_p(field, "phải là một danh sách.", "must be a list."))
    missing = rec.get("MotcuaGiayToCanBoSung", [])
    if not isinstance(missing, list) or not all(isinstance(x, str) and 0 < len(x) <= 1000 for x in missing):
        problems.append(
            _p("MotcuaGiayToCanBoSung", "danh sách tên giấy tờ (1–1000 ký tự).", "a list of paper names.")
        )
    elif asked_before_acceptance and not missing:
        problems.append(
            _p("MotcuaGiayToCanBoSung", "bắt buộc khi yêu cầu bổ sung.", "required with a supplement request")
        )
    for i, fee in enumerate(rec.get("DanhSachLePhi") or []):
        gia = fee.get("Gia") if isinstance(fee, dict) else None
        if not isinstance(gia, int) or isinstance(gia, bool) or gia < 0:
            problems.append(_p(f"DanhSachLePhi[{i}].Gia", "phải là số tiền ≥ 0.", "must be an amount ≥ 0."))
    for i, res in enumerate(rec.get("DanhSachGiayToKetQua") or []):
        url = res.get("DuongDan") if isinstance(res, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            problems.append(
                _p(
                    f"DanhSachGiayToKetQua[{i}].DuongDan",
                    "phải là một địa chỉ http(s).",
                    "must be an http(s) URL.",
                )
            )
    hist = body.get("QuaTrinhXuLy")
    if not isinstance(hist, dict):
        problems.append(_p("QuaTrinhXuLy", "bắt buộc, là một đối tượng.", "required, an object."))
    else:
        if hist.get("MaHoSo") != code:
            problems.append(
                _p("QuaTrinhXuLy.MaHoSo", "khác MaHoSo của hồ sơ.", "differs from the dossier's MaHoSo.")
            )
        if hist.get("MotcuaMaSuKien") != ev:
            problems.append(
                _p("QuaTrinhXuLy.MotcuaMaSuKien", "khác mã sự kiện.", "differs from the event id.")
            )
        _check_time(hist, "ThoiDiemXuLy", problems, required=True)
        if hist.get("TrangThai") != status:
            problems.append(
                _p("QuaTrinhXuLy.TrangThai", "khác TrangThaiHoSo.", "differs from TrangThaiHoSo.")
            )
        if not isinstance(hist.get("NguoiXuLy"), str):
            problems.append(_p("QuaTrinhXuLy.NguoiXuLy", "bắt buộc.", "required."))
    return problems
