from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from app.print import forms, samples


def test_logbook_xlsx() -> None:
    d = samples.logbook(12)
    wb = load_workbook(io.BytesIO(forms.logbook_xlsx(d)))
    ws = wb.active
    assert ws is not None
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN PHƯỜNG BẮC GIANG"
    assert ws["A2"].value == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG BẮC GIANG"
    assert ws["A3"].value == "Bắc Giang, ngày 01 tháng 8 năm 2025"
    assert ws["A5"].value == "SỔ THEO DÕI HỒ SƠ"
    assert ws["A6"].value == "Quyển số: 01 - Từ ngày 01/07/2025 đến ngày 31/07/2025"
    header = [ws.cell(row=8, column=c).value for c in range(1, 12)]
    assert header[:6] == [
        "TT",
        "Mã hồ sơ",
        "Tên TTHC",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Cơ quan chủ trì giải quyết",
    ]
    assert header[6] == "Ngày, tháng, năm"
    assert [ws.cell(row=9, column=c).value for c in (7, 8, 9)] == [
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Trả kết quả",
    ]
    assert [ws.cell(row=10, column=c).value for c in range(1, 12)] == [f"({i})" for i in range(1, 12)]
    for i, r in enumerate(d.rows):
        row = 11 + i
        assert ws.cell(row=row, column=1).value == r.number
        assert ws.cell(row=row, column=2).value == r.code
        assert ws.cell(row=row, column=3).value == r.procedure_name
        assert ws.cell(row=row, column=4).value == r.applicant_name
        assert ws.cell(row=row, column=7).value == r.received_at
        assert isinstance(ws.cell(row=row, column=7).value, datetime)
        assert ws.cell(row=row, column=9).value == r.returned_at
    assert ws.max_row == 10 + len(d.rows)
    assert ws.freeze_panes == "A11"
