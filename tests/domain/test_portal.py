"""The portal record (app/domain/portal.py, docs/portal-contract.md): mapping, folding, validation, the
online acceptance clock."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from app.domain.calendar import WorkingCalendar
from app.domain.portal import (
    acceptance_deadline,
    deliveries,
    fold_events,
    parse_portal_time,
    portal_time,
    validate_record,
)

CODE = "000.10.24.H06-260504-0001"


def _received(status: str = "received", channel: str = "direct", **extra: Any) -> dict[str, Any]:
    snap = {
        "id": "11111111-1111-4111-8111-111111111111",
        "code": CODE,
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "applicant": {
            "id": "x",
            "personal_id": "024190001234",
            "full_name": "Nguyễn Văn Đức",
            "phone": "0912",
        },
        "receiving_agency_eid": "000.10.24.H06",
        "receiving_agency": "Trung tâm PVHCC phường A",
        "competent_agency": "UBND phường A",
        "competent_agency_eid": "000.10.24.H06",
        "handling_agency": "UBND phường A",
        "handling_agency_eid": "000.10.24.H06",
        "scenario": "a",
        "channel": channel,
        "received_at": "2026-05-04T01:30:00Z",  # 08:30 in Vietnam
        "due_at": "2026-05-07T08:30:00",
        "status": status,
        "papers_received": [{"name": "Tờ khai", "form": "original", "count": 1}],
        "fee_vnd": 8000,
        "notes": "",
        **extra,
    }
    return {
        "event_id": "aaaaaaaa-0000-4000-8000-000000000001",
        "dossier_id": snap["id"],
        "seq": 1,
        "type": "dossier.received",
        "occurred_at": "2026-05-04T08:30:00",
        "operator": "demo",
        "workstation": "Quầy 1",
        "payload": snap,
    }


def _tr(n: int, action: str, to: str, at: str, **payload: Any) -> dict[str, Any]:
    return {
        "event_id": f"aaaaaaaa-0000-4000-8000-00000000000{n}",
        "dossier_id": "11111111-1111-4111-8111-111111111111",
        "seq": n,
        "type": "dossier.transition",
        "occurred_at": at,
        "operator": "demo",
        "workstation": "Quầy 1",
        "payload": {"action": action, "to_status": to, "reason": "", **payload},
    }


def test_portal_time_is_vietnam_wall_clock() -> None:
    assert portal_time(datetime(2026, 5, 4, 1, 30, tzinfo=UTC)) == "20260504083000"
    assert portal_time(datetime(2026, 5, 4, 8, 30)) == "20260504083000"  # naive: already local
    assert portal_time("2026-05-04T01:30:00+00:00") == "20260504083000"
    assert portal_time(None) is None
    assert parse_portal_time("20260504083000") == datetime(2026, 5, 4, 8, 30)
    with pytest.raises(ValueError):
        parse_portal_time("2026-05-04")


def test_a_dossier_and_its_changes_map_to_valid_records() -> None:
    events = [
        _received(),
        _tr(2, "start_processing", "in_process", "2026-05-04T09:00:00"),
        _tr(
            3,
            "result_ready",
            "result_ready",
            "2026-05-06T10:00:00",
            extra={"result_url": "https://kq.example/1"},
        ),
        _tr(4, "hand_back", "returned", "2026-05-07T08:00:00"),
    ]
    out = deliveries(events)
    assert [d.seq for d in out] == [1, 2, 3, 4]
    assert [d.body["LoaiBanGhi"] for d in out] == ["HoSo", "TrangThai", "TrangThai", "TrangThai"]
    for d in out:
        assert validate_record(d.body) == [], d.body
        assert d.code == CODE
    first, last = out[0].body["HoSo"], out[-1].body["HoSo"]
    assert first["TrangThaiHoSo"] == 2 and first["NgayTiepNhan"] == "20260504083000"
    assert first["NgayHenTra"] == "20260507083000" and first["KenhThucHien"] == 1
    assert first["DinhDanhCHS"] == [{"LoaiDinhDanh": 1, "SoDinhDanh": "024190001234"}]
    assert first["DanhSachLePhi"] == [{"TenPhiLePhi": "Phí, lệ phí", "Gia": 8000}]
    assert first["DanhSachGiayToKetQua"] == []
    assert [d.body["HoSo"]["TrangThaiHoSo"] for d in out] == [2, 4, 9, 10]
    assert last["NgayKetThucXuLy"] == "20260506100000"  # the ending status: result ready
    assert last["NgayTra"] == "20260507080000"
    assert last["DanhSachGiayToKetQua"] == [{"DuongDan": "https://kq.example/1"}]
    assert out[2].body["QuaTrinhXuLy"]["TrangThai"] == 9
    assert out[2].body["QuaTrinhXuLy"]["MotcuaMaSuKien"] == events[2]["event_id"]


def test_online_channel_submitted_then_accepted() -> None:
    events = [_received(status="new", channel="online"), _tr(2, "receive", "received", "2026-05-04T10:00:00")]
    states = fold_events(events)
    assert states[0]["_times"]["accepted"] is None
    out = deliveries(events)
    assert out[0].body["HoSo"]["TrangThaiHoSo"] == 1 and out[0].body["HoSo"]["NgayTiepNhan"] is None
    assert out[0].body["HoSo"]["KenhThucHien"] == 2
    assert out[1].body["HoSo"]["NgayTiepNhan"] == "20260504100000"
    assert out[1].body["HoSo"]["NgayNopHoSo"] == "20260504083000"


def test_no_code_means_nothing_to_send() -> None:
    ev = _received(status="refused")
    ev["payload"]["code"] = None
    assert deliveries([ev]) == []


def test_forward_changes_the_handling_agency() -> None:
    events = [
        _received(),
        _tr(
            2,
            "forward",
            "in_process",
            "2026-05-04T09:00:00",
            handling_agency_eid="000.00.17.H06",
            extra={"handling_agency": "VP đăng ký đất đai"},
        ),
    ]
    rec = deliveries(events)[1].body["HoSo"]
    assert rec["MotcuaMaCoQuanXuLy"] == "000.00.17.H06" and rec["DonViXuLy"] == "VP đăng ký đất đai"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("HoSo", "TrangThaiHoSo"), 11, "TrangThaiHoSo"),
        (("HoSo", "TrangThaiHoSo"), True, "TrangThaiHoSo"),
        (("HoSo", "KenhThucHien"), 4, "KenhThucHien"),
        (("HoSo", "NgayNopHoSo"), "2026-05-04", "NgayNopHoSo"),
        (("HoSo", "NgayHenTra"), "20261345083000", "NgayHenTra"),
        (("HoSo", "MaHoSo"), "H06-1", "MaHoSo"),
        (("HoSo", "TaiKhoanDuocXacThucVoiVNeID"), 2, "TaiKhoanDuocXacThucVoiVNeID"),
        (("HoSo", "DuocThanhToanTrucTuyen"), 3, "DuocThanhToanTrucTuyen"),
        (("HoSo", "ChuHoSo"), "", "ChuHoSo"),
        (("HoSo", "DanhSachLePhi"), [{"Gia": -1}], "DanhSachLePhi[0].Gia"),
        (("MotcuaMaSuKien",), "nope", "MotcuaMaSuKien"),
        (("MotcuaThuTu",), 0, "MotcuaThuTu"),
        (("QuaTrinhXuLy", "TrangThai"), 4, "QuaTrinhXuLy.TrangThai"),
    ],
)
def test_validation_names_the_field(path: tuple[str, ...], value: Any, field: str) -> None:
    body = copy.deepcopy(deliveries([_received()])[0].body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problems = validate_record(body)
    assert field in [p.field for p in problems], problems
    assert all(p.vi and p.en for p in problems)


def test_validation_of_non_objects() -> None:
    assert validate_record([1])[0].field == "body"
    assert "HoSo" in [p.field for p in validate_record({"MotcuaMaSuKien": "x"})]


def test_acceptance_deadline_friday_before_tet_2026() -> None:
    """Submitted Fri 13/2/2026 16:55; Tết off 14–22/2. By hand: 5 min on Friday (to 17:00), then Mon 23/2
    07:00–11:30 (4 h 30) and 3 h 25 from 13:30: 16:55 on Monday 23/2/2026."""
    cal = WorkingCalendar()
    assert acceptance_deadline(datetime(2026, 2, 13, 16, 55), cal) == datetime(2026, 2, 23, 16, 55)
    # A 4-hour province setting: 5 min Friday + 3 h 55 on Monday from 07:00 → 10:55.
    assert acceptance_deadline(datetime(2026, 2, 13, 16, 55), cal, 4) == datetime(2026, 2, 23, 10, 55)
    # Submitted at night: the clock starts at the next opening.
    assert acceptance_deadline(datetime(2026, 5, 4, 20, 0), cal) == datetime(2026, 5, 5, 17, 0)
