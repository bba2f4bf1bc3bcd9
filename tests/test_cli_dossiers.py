"""The dossier commands of the command line, on a fresh --data-dir with --demo data."""

from __future__ import annotations

import io
import json
from pathlib import Path

from keyed import connect_raw

from app.cli.main import main

QR = (
    "024090012345||Đặng Văn Hùng|01021990|Nam|Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"
    "|15042021\r\n"
)


def run(data_dir: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--data-dir", str(data_dir), "--demo"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_due(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "due", "--procedure", "1.001193", "--received", "2026-02-13 16:00")
    assert (code, out) == (0, "2026-02-23 17:00\n")  # after 15:00 on the Friday before the Tết break
    code, out, _ = run(tmp_path, "due", "--procedure", "1.004873", "--received", "2026-04-29 10:00", "--json")
    # 3 working days from Wednesday 29/4 10:00: 5 h that day, 30/4 and 1/5 off, a weekend, Monday and
    # Tuesday (16 h), then 3 h on Wednesday 6/5.
    assert json.loads(out)["due_at"] == "2026-05-06T10:00:00"


def test_receive_show_search_act(tmp_path: Path) -> None:
    code, out, err = run(
        tmp_path,
        "receive",
        "--procedure",
        "1.001193",
        "--qr",
        QR,
        "--phone",
        "0912345678",
        "--received",
        "2026-11-30 09:00",
        "--json",
    )
    assert code == 0, err
    got = json.loads(out)
    assert got["code"] == "000.10.24.H06-261130-9000"
    assert got["due_at"] == "2026-11-30T17:00:00" and got["scenario"] == "a"

    code, out, _ = run(tmp_path, "show", got["code"])
    assert code == 0
    assert "Người nộp: Đặng Văn Hùng (024090012345)" in out
    assert "Trạng thái: Đã tiếp nhận (2)" in out

    code, out, _ = run(tmp_path, "search", "dang hung")
    assert out.splitlines()[0].startswith(got["code"]) and out.splitlines()[-1] == "1 hồ sơ"

    code, out, err = run(
        tmp_path, "act", got["code"], "request_supplement", "--reason", "Thiếu giấy chứng sinh"
    )
    assert code == 0, err
    code, out, _ = run(tmp_path, "show", got["code"], "--json")
    events = json.loads(out)["events"]
    assert [e["action"] for e in events] == ["receive", "request_supplement"]
    assert events[1]["reason"] == "Thiếu giấy chứng sinh"


def test_receive_scenarios_by_address(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path,
        "receive",
        "--procedure",
        "1.001612",
        "--name",
        "Lê Thị Mai",
        "--address",
        "Phường Kinh Bắc, Tỉnh Bắc Ninh",
        "--json",
    )
    assert code == 0 and json.loads(out)["scenario"] == "c"
    code, out, _ = run(
        tmp_path, "receive", "--procedure", "1.012786", "--name", "Trần Văn Bình", "--lang", "en", "--json"
    )
    assert code == 0 and json.loads(out)["scenario"] == "b"
    assert "Inter-level" in json.loads(out)["explanation"]


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    code, out, err = run(
        tmp_path, "receive", "--procedure", "1.001193", "--name", "Nguyễn Văn 1", "--phone", "12345"
    )
    assert code == 1 and out == ""
    assert "chữ số" in err and "Traceback" not in err
    code, _, err = run(tmp_path, "receive", "--procedure", "9.999999", "--name", "Nguyễn Văn A")
    assert code == 1 and "9.999999" in err
    code, _, err = run(tmp_path, "receive", "--procedure", "1.001193", "--qr", "garbage")
    assert code == 1 and err.strip()
    code, _, err = run(tmp_path, "show", "000.10.24.H06-261130-0001")
    assert code == 1 and "Không tìm thấy" in err
    con = connect_raw(tmp_path)
    assert con.execute("SELECT count(*) FROM dossiers").fetchone() == (0,)
    # Only the store's audit.keyed marker (issue 16, D10), written when the store was created.
    assert con.execute("SELECT count(*) FROM audit_entries WHERE action != 'audit.keyed'").fetchone() == (0,)
    con.close()


def test_transfer_requires_a_successor(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "transfer", "--from", "07213", "--to", "09187")
    assert code == 1 and "kế thừa" in err
    code, out, err = run(tmp_path, "transfer", "--from", "07213", "--to", "07210")
    assert code == 0, err
    assert out.startswith("Chuyển 0 hồ sơ chưa giải quyết xong của Phường Trần Phú (07213) sang Trung tâm")


def test_db_check_reports_broken_audit_chain(tmp_path: Path) -> None:
    run(tmp_path, "receive", "--procedure", "1.001193", "--name", "Nguyễn Văn An")
    assert run(tmp_path, "db", "check")[1] == "OK\n"
    con = connect_raw(tmp_path)
    with con:
        con.execute("UPDATE audit_entries SET operator_name = 'someone else'")
    con.close()
    code, out, _ = run(tmp_path, "db", "check")
    assert code == 1 and "Chuỗi nhật ký kiểm tra bị phá vỡ" in out


def test_receive_records_the_consent_to_notices(tmp_path: Path) -> None:
    base = ("receive", "--procedure", "1.001193", "--qr", QR, "--received", "2026-11-30 09:00", "--json")
    code, _out, err = run(tmp_path, *base, "--notify", "sms")
    assert code == 1 and "SMS/Zalo" in err  # no phone number for the SMS
    code, out, err = run(tmp_path, *base, "--phone", "0912345678", "--notify", "sms,zalo")
    assert code == 0, err
    from app.bootstrap import open_store
    from app.models import Dossier

    store = open_store(tmp_path)
    try:
        with store.read() as s:
            (notify,) = s.query(Dossier.notify).all()[0]
    finally:
        store.dispose()
    assert notify == "sms,zalo"


def test_act_hand_back_to_an_authorised_person(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "receive", "--procedure", "1.001193", "--qr", QR, "--json")
    assert code == 0, err
    number = json.loads(out)["code"]
    assert run(tmp_path, "act", number, "result_ready")[0] == 0
    # A bad ID number: refused with the reason, exit 1, nothing recorded.
    code, out, err = run(
        tmp_path, "act", number, "hand_back", "--collected-by", "Trần Văn Bảo", "--collector-id", "12345"
    )
    assert code == 1 and "12" in err and "Số định danh" in err
    code, _out, err = run(tmp_path, "act", number, "start_processing", "--collected-by", "Trần Văn Bảo")
    assert code == 1 and "hand_back" in err
    code, out, err = run(
        tmp_path,
        "act",
        number,
        "hand_back",
        "--collected-by",
        "Trần  Văn Bảo",
        "--collector-id",
        "024 090 012 345",
    )
    assert code == 0, err
    code, out, _ = run(tmp_path, "show", number, "--json")
    events = json.loads(out)["events"]
    assert [e["action"] for e in events] == ["receive", "result_ready", "hand_back"]
    assert events[2]["collector"] == {
        "collected_by": "authorised",
        "collector_name": "Trần Văn Bảo",
        "collector_id": "024090012345",
    }
    code, out, _ = run(tmp_path, "show", number)
    assert "Người nhận: người được ủy quyền Trần Văn Bảo (CCCD 024090012345)" in out
