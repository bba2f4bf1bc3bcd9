"""``report 766|06a|at-risk`` on dossiers made through ``receive`` and ``act --at`` with chosen times.

Procedure 1.001022 (Hộ tịch, 3 working days) received Monday 2/11/2026 09:00 is due Thursday 5/11 09:00.
Expected values worked out by hand from the formula text (rules-2026.md §1.5, §1.6):

- d1 result 3/11 10:00 → early;
- d2 supplement 3/11 09:00 → 4/11 09:00 (24 h), result 5/11 17:00: 5/11 17:00 − 24 h = 4/11 17:00 → early;
- d3 two supplement requests, result 4/11 → late;
- d4 apology 4/11 10:00 with a new date 10/11 09:00, result 6/11 09:00 → late (the receipt's promise);
- d5 withdrawn 3/11 09:00 → 06a column 9; on time for 2.1;
- d6 online, result 4/11 09:00 → early (column 4);
- d7 received 30/11 09:00, open at the period end (due 3/12 09:00) → pending within time;
- d8 refused at intake (not received): nowhere.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import keyring
import pytest

from app.cli.main import main
from app.services.storekey import keyring_name
from app.sync.credentials import SERVICE
from tools.memory_keyring import MemoryKeyring

PROC = "1.001022"


#: The store keys of the module's data folder: it outlives each test's own keyring (tests/conftest.py).
_KEYS: dict[str, str] = {}


def run(data_dir: Path, *argv: str) -> tuple[int, str, str]:
    name = keyring_name(data_dir)
    if name in _KEYS:
        keyring.set_password(SERVICE, name, _KEYS[name])
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--data-dir", str(data_dir), "--demo"], out=out, err=err)
    key = keyring.get_password(SERVICE, name)
    if key:
        _KEYS[name] = key
    return code, out.getvalue(), err.getvalue()


def receive(data_dir: Path, when: str, n: int, channel: str = "direct") -> str:
    code, out, err = run(
        data_dir,
        "receive",
        "--procedure",
        PROC,
        "--name",
        f"Nguyễn Văn {chr(65 + n)}",
        "--id",
        f"0010900000{n:02d}",
        "--channel",
        channel,
        "--received",
        when,
        "--json",
    )
    assert code == 0, err
    got = json.loads(out)
    assert got["received_at"] == when.replace(" ", "T") + ":00"
    return str(got["code"])


def act(data_dir: Path, code: str, action: str, at: str, *extra: str) -> None:
    rc, _, err = run(data_dir, "act", code, action, "--at", at, *extra)
    assert rc == 0, err


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    d = tmp_path_factory.mktemp("reports")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # set up before any test's own keyring exists
    try:
        return _fill(d)
    finally:
        keyring.set_keyring(previous)


def _fill(d: Path) -> tuple[Path, list[str]]:
    codes = [receive(d, "2026-11-02 09:00", i, "online" if i == 6 else "direct") for i in range(1, 7)]
    d1, d2, d3, d4, d5, d6 = codes
    act(d, d1, "result_ready", "2026-11-03 10:00")
    act(d, d2, "request_supplement", "2026-11-03 09:00", "--reason", "Thiếu giấy")
    act(d, d2, "supplement_received", "2026-11-04 09:00")
    act(d, d2, "result_ready", "2026-11-05 17:00")
    act(d, d3, "request_supplement", "2026-11-02 10:00", "--reason", "Thiếu giấy")
    act(d, d3, "supplement_received", "2026-11-02 11:00")
    act(d, d3, "request_supplement", "2026-11-02 12:00", "--reason", "Thiếu giấy lần 2")
    act(d, d3, "supplement_received", "2026-11-02 13:00")
    act(d, d3, "result_ready", "2026-11-04 09:00")
    act(d, d4, "apologise", "2026-11-04 10:00", "--new-due", "2026-11-10 09:00", "--reason", "Cần xác minh")
    act(d, d4, "result_ready", "2026-11-06 09:00")
    act(d, d5, "withdraw", "2026-11-03 09:00", "--reason", "Công dân rút")
    act(d, d6, "result_ready", "2026-11-04 09:00")
    codes.append(receive(d, "2026-11-30 09:00", 7))
    return d, codes


def test_act_at_refuses_a_time_before_the_last_step(store: tuple[Path, list[str]]) -> None:
    d, codes = store
    rc, _, err = run(d, "act", codes[0], "hand_back", "--at", "2026-11-03 09:00")
    assert rc == 1 and "không được trước" in err


def test_report_766_json(store: tuple[Path, list[str]]) -> None:
    d, codes = store
    rc, out, err = run(d, "report", "766", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert rc == 0, err
    f = json.loads(out)["groups"][0]["indicators"]
    on_time = f["2.1"]
    assert on_time["denominator"] == 7  # six finished + one open at the period end
    assert set(on_time["denominator_codes"]) - set(on_time["numerator_codes"]) == {codes[2], codes[3]}
    assert on_time["value"] == pytest.approx(round(100 * 5 / 7, 4))
    # 2.2 hours: d1 25, d2 80 − 24 = 56, d3 48 − 2 = 46, d4 96, d5 24, d6 48 → 295 / 6.
    assert f["2.2"]["value"] == pytest.approx(round(295 / 6, 4))
    for name in ("1.4", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "4.5", "5.4"):
        assert f[name]["value"] is None and f[name]["no_data"], name


def test_report_06a(store: tuple[Path, list[str]], tmp_path: Path) -> None:
    d, _ = store
    rc, out, err = run(d, "report", "06a", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert rc == 0, err
    total = json.loads(out)["rows"][-1]["columns"]
    #                                 3  4  5  6  7  8  9  10 11 12 13
    assert [total[str(c)] for c in range(3, 14)] == [7, 1, 6, 0, 6, 3, 1, 2, 1, 1, 0]
    rc, _, err = run(
        d, "report", "06a", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "r.xlsx")
    )
    assert rc == 0, err
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "r.xlsx").active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=10, max_col=13)]
    total_row = next(r for r in rows if r[1] == "Tổng cộng")
    assert total_row[2:] == [7, 1, 6, 0, 6, 3, 1, 2, 1, 1, 0]
    assert next(r for r in rows if r[1] == "Hộ tịch")[2:] == total_row[2:]
    rc, _, err = run(
        d, "report", "06a", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "r.pdf")
    )
    assert rc == 0, err
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    rc, _, err = run(
        d, "report", "06a", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "r.doc")
    )
    assert rc == 1 and ".xlsx" in err


def test_report_bad_period(store: tuple[Path, list[str]]) -> None:
    d, _ = store
    rc, _, err = run(d, "report", "766", "--from", "2026-11-30", "--to", "2026-11-01")
    assert rc == 1 and "--to" in err
    rc, _, err = run(d, "report", "766", "--from", "30/11/2026", "--to", "2026-12-01")
    assert rc == 1 and "YYYY-MM-DD" in err


def test_report_at_risk_runs(store: tuple[Path, list[str]]) -> None:
    d, _ = store
    rc, out, err = run(d, "report", "at-risk", "--hours", "8", "--json")
    assert rc == 0, err
    got = json.loads(out)
    assert got["acceptance_deadline_data"] is False
    rc, _, err = run(d, "report", "at-risk", "--hours", "0")
    assert rc == 1


def test_report_at_risk_sheet(store: tuple[Path, list[str]], tmp_path: Path) -> None:
    d, _ = store
    rc, _, err = run(d, "report", "at-risk", "--out", str(tmp_path / "risk.pdf"))
    assert rc == 0, err
    from pypdf import PdfReader

    text = PdfReader(tmp_path / "risk.pdf").pages[0].extract_text()
    assert "DANH SÁCH HỒ SƠ CÓ NGUY CƠ QUÁ HẠN" in text and "chưa có dữ liệu" in text
    rc, _, err = run(d, "report", "at-risk", "--out", str(tmp_path / "risk.txt"))
    assert rc == 1 and ".pdf" in err


def test_report_at_risk_lists_a_dossier_due_soon(tmp_path: Path) -> None:
    # Received now, a same-day procedure: due at the latest at the end of the next working day, so within
    # 24 working hours of now whatever the time of the run.
    rc, out, err = run(tmp_path, "receive", "--procedure", "1.001193", "--name", "Lê Thị Mai", "--json")
    assert rc == 0, err
    code = json.loads(out)["code"]
    rc, out, err = run(tmp_path, "report", "at-risk", "--hours", "24", "--json")
    assert rc == 0, err
    assert [(d["code"], d["reason"]) for d in json.loads(out)["dossiers"]] == [(code, "turning_late")]
    rc, _, err = run(tmp_path, "report", "at-risk", "--hours", "24", "--out", str(tmp_path / "r.pdf"))
    assert rc == 0, err
    from pypdf import PdfReader

    assert code in PdfReader(tmp_path / "r.pdf").pages[0].extract_text().replace("\n", "")
