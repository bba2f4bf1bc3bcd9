"""Rules as published (issue 17) through the command line and the printed forms (text by pypdf):
calendar notices, limits per channel, papers named, computed fees, extensions, competence across
provinces, apology and extension, refusal at intake."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from app.cli.main import main
from tests.print.conftest import pdf_text


def run(data_dir: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--data-dir", str(data_dir), "--demo"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def receive(data_dir: Path, procedure: str, received: str, *extra: str) -> dict[str, object]:
    code, out, err = run(
        data_dir,
        "receive",
        "--procedure",
        procedure,
        "--name",
        "Đặng Văn Hùng",
        "--address",
        "Phường Bắc Giang, Tỉnh Bắc Ninh",
        "--received",
        received,
        "--json",
        *extra,
    )
    assert code == 0, err
    got: dict[str, object] = json.loads(out)
    return got


def printed(data_dir: Path, form: str, ref: str) -> str:
    pdf = data_dir / f"{form}.pdf"
    code, _, err = run(data_dir, "print", form, ref, "--out", str(pdf))
    assert code == 0, err
    return pdf_text(pdf.read_bytes())


def test_due_new_year_2026_and_estimated_years(tmp_path: Path) -> None:
    # The audit's case: Wednesday 31/12/2025, 3 working days → Wednesday 7/1/2026 (12729/VPCP-KGVX).
    code, out, err = run(tmp_path, "due", "--procedure", "1.004873", "--received", "2025-12-31 10:00")
    assert (code, out) == (0, "2026-01-07 10:00\n")
    assert "2025" in err and "ước tính" in err  # no 2025 notice is loaded: 31/12/2025 is an estimate
    code, out, err = run(
        tmp_path, "due", "--procedure", "1.004873", "--received", "2026-03-02 10:00", "--json"
    )
    got = json.loads(out)
    assert got["due_at"] == "2026-03-05T10:00:00" and got["estimated_years"] == [] and err == ""
    code, out, _ = run(tmp_path, "due", "--procedure", "1.004873", "--received", "2026-12-30 10:00", "--json")
    assert json.loads(out)["estimated_years"] == [2027]


def test_due_per_channel(tmp_path: Path) -> None:
    # 1.013225: 15 days in person, 20 online or by post (national record).
    args = ("due", "--procedure", "1.013225", "--received", "2026-03-02 09:00")
    assert run(tmp_path, *args)[1] == "2026-03-17 17:00\n"
    assert run(tmp_path, *args, "--channel", "online")[1] == "2026-03-23 17:00\n"  # 22/3 is a Sunday
    # 1.012783: 5 working days in person, 15 online, 20 by post.
    base = ("due", "--procedure", "1.012783", "--received", "2026-03-02 09:00", "--json")
    assert json.loads(run(tmp_path, *base)[1])["time_value"] == 5
    assert json.loads(run(tmp_path, *base, "--channel", "online")[1])["time_value"] == 15
    assert json.loads(run(tmp_path, *base, "--channel", "postal")[1])["time_value"] == 20
    # receive uses the dossier's channel.
    got = receive(tmp_path, "1.013225", "2026-03-02 09:00", "--channel", "online")
    assert got["due_at"] == "2026-03-23T17:00:00"


def test_receive_records_only_the_papers_named(tmp_path: Path) -> None:
    got = receive(tmp_path, "1.001193", "2026-03-02 09:00", "--paper", "1", "--paper", "6:2")
    code, out, _ = run(tmp_path, "show", str(got["code"]), "--json")
    papers = json.loads(out)["papers"]
    assert [(p["name"][:24], p["count"]) for p in papers] == [
        ("Tờ khai đăng ký khai sin", 1),
        ("Giấy tờ tùy thân (hộ chi", 2),
    ]
    text = printed(tmp_path, "receipt", str(got["code"]))
    assert "Tờ khai đăng ký khai sinh" in text
    assert "Biên bản về việc trẻ bị bỏ rơi" not in text and "Văn bản ủy quyền" not in text
    # Without --paper nothing is certified, and the operator is told.
    code, _, err = run(tmp_path, "receive", "--procedure", "1.001193", "--name", "Lê Văn An")
    assert code == 0 and "--paper" in err
    code, _, err = run(tmp_path, "receive", "--procedure", "1.001193", "--name", "Lê Văn An", "--paper", "9")
    assert code == 1 and "không có giấy tờ số 9" in err
    code, _, err = run(tmp_path, "receive", "--procedure", "1.001193", "--name", "Lê Văn An", "--paper", "x")
    assert code == 1 and "--paper x" in err


def test_fee_computed_per_page_and_copy_and_printed_with_its_basis(tmp_path: Path) -> None:
    got = receive(tmp_path, "2.000815", "2026-03-02 09:00", "--pages", "3", "--copies", "2", "--paper", "1")
    assert got["fee_vnd"] == 10000
    text = printed(tmp_path, "receipt", str(got["code"]))
    assert "6. Phí, lệ phí (nếu có): 10.000 đồng (3 trang, 2 bản: (2 trang × 2.000 + 1 trang × 1.000)" in text
    assert "6. Phí, lệ phí (nếu có): 2.000 đồng" not in text
    capped = receive(tmp_path, "2.000815", "2026-03-02 09:10", "--pages", "400", "--copies", "1")
    assert capped["fee_vnd"] == 200000
    exempt = receive(
        tmp_path, "2.000815", "2026-03-02 09:20", "--pages", "3", "--copies", "1", "--fee-exempt", "Hộ nghèo"
    )
    assert exempt["fee_vnd"] == 0 and "Hộ nghèo" in str(exempt["fee_basis"])
    code, _, err = run(tmp_path, "receive", "--procedure", "2.000815", "--name", "Lê Văn An")
    assert code == 1 and "số trang" in err
    demo = receive(tmp_path, "1.001612", "2026-03-02 09:30")
    assert "giá trị demo" in printed(tmp_path, "receipt", str(demo["code"]))


def test_extension_by_law_applied_at_intake_and_printed(tmp_path: Path) -> None:
    code, _, err = run(
        tmp_path, "receive", "--procedure", "2.000815", "--name", "An", "--pages", "2", "--copies", "30",
        "--extension", "nhieu-ban",
    )  # fmt: skip
    assert code == 1 and "lý do" in err
    got = receive(
        tmp_path, "2.000815", "2026-03-02 09:00", "--pages", "2", "--copies", "30",
        "--extension", "nhieu-ban", "--extension-reason", "Yêu cầu 30 bản sao",
    )  # fmt: skip
    assert got["due_at"] == "2026-03-04T17:00:00"  # same day 17:00 + 2 working days
    text = printed(tmp_path, "receipt", str(got["code"]))
    assert "Gia hạn theo quy định chuyên ngành: Yêu cầu chứng thực nhiều bản, nhiều trang" in text
    assert "Lý do: Yêu cầu 30 bản sao" in text
    code, _, err = run(
        tmp_path, "receive", "--procedure", "2.000815", "--name", "An", "--pages", "2", "--copies", "1",
        "--extension", "khong-co", "--extension-reason", "x",
    )  # fmt: skip
    assert code == 1 and "nhieu-ban" in err


def test_province_level_procedure_for_land_in_another_province_is_refused(tmp_path: Path) -> None:
    code, _, err = run(
        tmp_path, "receive", "--procedure", "1.013831", "--name", "An", "--commune", "00070",
    )  # fmt: skip
    assert code == 1
    assert "tỉnh khác" in err and "Cổng Dịch vụ công quốc gia" in err
    ok = receive(tmp_path, "1.013831", "2026-03-02 09:00", "--commune", "07663")  # Xã Tuấn Đạo, Bắc Ninh
    assert ok["scenario"] == "b"


def test_apology_before_due_on_working_time_keeps_the_original_date(tmp_path: Path) -> None:
    got = receive(tmp_path, "1.013831", "2026-03-02 09:00")  # province level (b), 18 working days
    code_ = str(got["code"])
    assert got["due_at"] == "2026-03-26T09:00:00"
    act = ("act", code_, "apologise", "--reason", "Chờ xác minh nguồn gốc đất")
    # A Saturday is not working time.
    code, _, err = run(tmp_path, *act, "--new-due", "2026-04-04 09:00", "--at", "2026-03-20 10:00")
    assert code == 1 and "không phải giờ làm việc" in err
    code, _, err = run(tmp_path, *act, "--new-due", "2026-04-06 09:00", "--at", "2026-03-20 10:00")
    assert code == 0, err
    code, out, _ = run(tmp_path, "show", code_, "--json")
    shown = json.loads(out)
    assert shown["original_due_at"] == "2026-03-26 09:00:00" and shown["due_at"] == "2026-04-06 09:00:00"
    text = printed(tmp_path, "apology", code_)
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Văn phòng đăng ký đất đai" in text.split("Sự chậm trễ")[1]  # the competent agency apologises
    assert "GIÁM ĐỐC" not in text
    logbook = tmp_path / "log.pdf"
    assert (
        run(tmp_path, "logbook", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(logbook))[0] == 0
    )
    log_text = pdf_text(logbook.read_bytes()).replace(" ", "")  # a narrow column wraps anywhere
    assert "09:0026/03/2026(giahạnđến09:0006/04/2026)" in log_text
    # After the (new) due date: refused, with the reason.
    code, _, err = run(tmp_path, *act, "--new-due", "2026-04-20 09:00", "--at", "2026-04-07 08:00")
    assert code == 1 and "Đã quá ngày hẹn trả" in err


def test_refuse_at_intake_and_print_refusal_and_stop(tmp_path: Path) -> None:
    code, out, err = run(
        tmp_path, "refuse", "--procedure", "1.001193", "--name", "Lê Thị Đào", "--reason",
        "Không thuộc thẩm quyền", "--received", "2026-03-02 09:00", "--json",
    )  # fmt: skip
    assert code == 0, err
    refused = json.loads(out)
    assert refused["status"] == "refused"
    text = printed(tmp_path, "refusal", refused["id"])
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Không thuộc thẩm quyền" in text
    code, _, err = run(tmp_path, "refuse", "--procedure", "1.001193", "--name", "Lê Thị Đào", "--reason", " ")
    assert code == 1 and "lý do" in err
    got = receive(tmp_path, "1.004873", "2026-03-02 09:00")
    assert run(tmp_path, "act", str(got["code"]), "stop", "--reason", "Người nộp đã mất")[0] == 0
    assert "Người nộp đã mất" in printed(tmp_path, "stop", str(got["code"]))


def test_calendar_command_lists_the_notices(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "calendar", "--year", "2026")
    assert code == 0
    assert (
        "12729/VPCP-KGVX (25/12/2025)" in out and "02/01/2026  nghỉ" in out and "10/01/2026  làm việc" in out
    )
    assert "28/2026/QH16" in out and "Năm đã có văn bản: 2026" in out
    code, out, _ = run(tmp_path, "calendar", "--year", "2027", "--json")
    got = json.loads(out)
    assert got["notices"] == [] and got["years_with_notices"] == [2026]


def test_estimated_due_date_is_marked_in_the_history(tmp_path: Path) -> None:
    got = receive(tmp_path, "1.004873", "2026-12-30 10:00")
    assert got["estimated_years"] == [2027]
    code, out, _ = run(tmp_path, "show", str(got["code"]))
    assert "chưa nạp văn bản về ngày nghỉ của khu vực công năm 2027" in out


def test_loaded_calendar_warns_from_1_november(tmp_path: Path) -> None:
    from app.bootstrap import open_store
    from app.services.calendar_notices import loaded_calendar

    store = open_store(tmp_path, demo=True)
    try:
        assert loaded_calendar(store, date(2026, 10, 31)).missing_year is None
        assert loaded_calendar(store, date(2026, 11, 1)).missing_year == 2027
    finally:
        store.dispose()


def test_commune_kept_whole_is_shown_as_current(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "units", "07663")
    assert code == 0
    assert "07663  Xã Tuấn Đạo\nTỉnh/thành phố: 24  Tỉnh Bắc Ninh" in out
    assert "Giữ nguyên, vẫn hiện hành: 07663  Xã Tuấn Đạo, Tỉnh Bắc Ninh" in out
    assert "Hết hiệu lực" not in out
    # A merged ward is still shown as a former unit.
    assert "Hết hiệu lực từ: 2025-06-30" in run(tmp_path, "units", "07210")[1]


def test_supplement_rule_is_a_setting(tmp_path: Path) -> None:
    got = receive(tmp_path, "1.004873", "2026-11-30 09:00")  # 3 working days → Thu 3/12 09:00
    assert run(tmp_path, "rules")[1] == "supplement-time: extend\n"
    assert run(tmp_path, "rules", "--supplement-time", "restart")[1] == "supplement-time: restart\n"
    code_ = str(got["code"])
    args = ("act", code_)
    assert (
        run(tmp_path, *args, "request_supplement", "--reason", "Thiếu tờ khai", "--at", "2026-12-01 08:00")[0]
        == 0
    )
    code, out, err = run(tmp_path, *args, "supplement_received", "--at", "2026-12-02 08:00")
    assert code == 0, err
    assert "Hẹn trả: 2026-12-07 08:00" in out  # 3 working days counted again from the completed file
