"""Biểu II.06a/VPCP/KSTT — Tình hình, kết quả giải quyết TTHC tại TTPVHCC (TT 01/2020/TT-VPCP), by field.

The 13 columns as listed in /shared/rules-2026.md §1.6: 1 row number, 2 field; received 3 total, 4 online,
5 in person or by post, 6 carried over; finished 7 total, 8 early, 9 on time, 10 late; pending 11 total,
12 within time, 13 overdue. The form's exact layout (title block, signatures) was not obtained; the header
here carries the form code, the title, the period and the 13 numbered columns.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from app.domain.stats766 import Report06a
from app.print import common
from app.print.common import BODY
from app.print.layout import ITALIC, MM, Align, HeaderCell, SpanRow, TableRow, Writer
from app.print.model import Agency
from app.print.vn import short_date

FORM_CODE = "Biểu II.06a/VPCP/KSTT"
TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
TOTAL = "Tổng cộng"
NO_FIELD = "(Chưa phân lĩnh vực)"
GROUPS = (
    ("Số hồ sơ nhận giải quyết", 3, 4),
    ("Số hồ sơ đã giải quyết", 7, 4),
    ("Số hồ sơ đang giải quyết", 11, 3),
)
SUBHEADS = (
    "Tổng số",
    "Trực tuyến",
    "Trực tiếp, dịch vụ bưu chính",
    "Từ kỳ trước chuyển qua",
    "Tổng số",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Tổng số",
    "Trong hạn",
    "Quá hạn",
)


def _lines(report: Report06a) -> list[tuple[str, str, list[int]]]:
    lines = [(str(i), r.field or NO_FIELD, r.values()) for i, r in enumerate(report.rows, start=1)]
    lines.append(("", TOTAL, report.total.values()))
    return lines


def _period(first: date, last: date) -> str:
    return f"Kỳ báo cáo: từ ngày {short_date(first)} đến ngày {short_date(last)}"


def report_06a_pdf(report: Report06a, agency: Agency, first: date, last: date, issued: datetime) -> bytes:
    size = 9.0

    def body(w: Writer) -> None:
        common.official_header(w, agency, issued.date())
        w.paragraph(FORM_CODE, size=size, font=ITALIC, align="right", space_after=2)
        common.title(w, TITLE, space_before=6, space_after=2)
        w.paragraph(_period(first, last), size=BODY - 0.5, font=ITALIC, align="center", space_after=6)
        widths = [10 * MM, 62 * MM]
        rest = (w.width - sum(widths)) / 11
        widths += [rest] * 11
        header = [HeaderCell("STT", 0, 0, rowspan=2), HeaderCell("Lĩnh vực giải quyết", 0, 1, rowspan=2)]
        for text, col, span in GROUPS:
            header.append(HeaderCell(text, 0, col - 1, colspan=span))
        header += [HeaderCell(t, 1, 2 + i) for i, t in enumerate(SUBHEADS)]
        header += [HeaderCell(f"({i + 1})", 2, i) for i in range(13)]
        rows: list[TableRow] = [(n, name, *(str(v) for v in values)) for n, name, values in _lines(report)]
        if not report.rows:
            rows.insert(0, SpanRow("Không có hồ sơ trong kỳ.", align="center"))
        aligns: list[Align] = ["center", "left", *["center"] * 11]  # type: ignore[list-item]
        w.table(
            widths, rows, header=header, header_rows=3, aligns=aligns, size=size, header_size=size, pad=2.5
        )
        w.paragraph(
            "Cột (3) = (4) + (5) + (6); cột (7) = (8) + (9) + (10); cột (11) = (12) + (13).",
            size=size,
            font=ITALIC,
            space_after=0,
        )

    return common.build_pdf(
        common.LANDSCAPE,
        common.MARGINS_LANDSCAPE,
        body,
        title=f"{FORM_CODE} {TITLE}",
        author=agency.name,
        subject=f"{short_date(first)} - {short_date(last)}",
    )


def report_06a_xlsx(report: Report06a, agency: Agency, first: date, last: date, issued: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Bieu II.06a"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    font = "Times New Roman"
    ws["A1"] = agency.parent_name.upper()
    ws["A2"] = agency.name.upper()
    ws["A2"].font = Font(name=font, bold=True)
    ws["K1"] = FORM_CODE
    ws["K1"].font = Font(name=font, italic=True)
    ws.merge_cells("A4:M4")
    ws["A4"] = TITLE
    ws["A4"].font = Font(name=font, bold=True, size=13)
    ws["A4"].alignment = centre
    ws.merge_cells("A5:M5")
    ws["A5"] = _period(first, last)
    ws["A5"].alignment = centre
    ws["A5"].font = Font(name=font, italic=True)
    top = 7
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    ws.merge_cells(start_row=top, start_column=2, end_row=top + 1, end_column=2)
    ws.cell(top, 1, "STT")
    ws.cell(top, 2, "Lĩnh vực giải quyết")
    for text, col, span in GROUPS:
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
        ws.cell(top, col, text)
    for i, t in enumerate(SUBHEADS):
        ws.cell(top + 1, 3 + i, t)
    for i in range(13):
        ws.cell(top + 2, 1 + i, f"({i + 1})")
    r = top + 3
    for n, name, values in _lines(report):
        ws.cell(r, 1, int(n) if n else None)
        ws.cell(r, 2, name)
        for i, v in enumerate(values):
            ws.cell(r, 3 + i, v)
        if not n:
            for c in range(1, 14):
                ws.cell(r, c).font = Font(name=font, bold=True)
        r += 1
    for row in ws.iter_rows(min_row=top, max_row=r - 1, min_col=1, max_col=13):
        for cell in row:
            cell.border = box
            if cell.column != 2:
                cell.alignment = centre
    ws.column_dimensions["B"].width = 40
    for letter in "CDEFGHIJKLM":
        ws.column_dimensions[letter].width = 12
    ws.cell(r + 1, 2, f"Ngày lập: {short_date(issued.date())}").font = Font(name=font, italic=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: Re-exported: the provincial server builds its header with it and may import only this module of
#: app.print (tests/test_architecture.py, rule (c)).
__all__ = ["FORM_CODE", "Agency", "report_06a_pdf", "report_06a_xlsx"]
