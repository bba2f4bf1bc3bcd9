"""Mẫu 07 — Sổ theo dõi hồ sơ as an Excel workbook (openpyxl), for centres that keep the logbook in Excel."""

from __future__ import annotations

import io

from app.print.model import LogbookData, normalized
from app.print.vn import place_date, short_date

FONT = "Times New Roman"
HEADERS = (
    "TT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Phương thức nhận kết quả",
    "Ký nhận",
)
WIDTHS = (5, 26, 40, 24, 30, 28, 17, 17, 17, 16, 12)
DATETIME_FORMAT = "hh:mm dd/mm/yyyy"


def logbook_xlsx(data: LogbookData) -> bytes:
    """The logbook for a period as .xlsx bytes: same columns as the PDF, dates as real Excel date-times."""
    # openpyxl is imported here: it is only needed when a logbook is exported, not at application start.
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    d = normalized(data)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "So theo doi ho so"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    n = len(HEADERS)
    last = get_column_letter(n)

    def banner(row: int, text: str, *, bold: bool = False, italic: bool = False, size: int = 12) -> None:
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = Font(name=FONT, bold=bold, italic=italic, size=size)
        cell.alignment = Alignment(horizontal="center")

    banner(1, d.agency.parent_name.upper())
    banner(2, d.agency.name.upper(), bold=True)
    banner(3, place_date(d.agency.place_name, d.issued_at.date()), italic=True)
    banner(5, "SỔ THEO DÕI HỒ SƠ", bold=True, size=14)
    period = f"Từ ngày {short_date(d.period_from)} đến ngày {short_date(d.period_to)}"
    if d.volume.strip():
        period = f"Quyển số: {d.volume.strip()} - {period}"
    banner(6, period, italic=True)

    top = 8
    bold = Font(name=FONT, bold=True, size=11)
    for col, text in enumerate(HEADERS, start=1):
        if 7 <= col <= 9:
            ws.cell(row=top + 1, column=col, value=text)
        else:
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            ws.cell(row=top, column=col, value=text)
    ws.merge_cells(start_row=top, start_column=7, end_row=top, end_column=9)
    ws.cell(row=top, column=7, value="Ngày, tháng, năm")
    for col in range(1, n + 1):
        ws.cell(row=top + 2, column=col, value=f"({col})")
        for r in range(top, top + 3):
            cell = ws.cell(row=r, column=col)
            cell.font = bold
            cell.alignment = centre
            cell.border = box

    body = Font(name=FONT, size=11)
    for i, row in enumerate(d.rows):
        r = top + 3 + i
        values = (
            row.number,
            row.code,
            row.procedure_name,
            row.applicant_name,
            row.address_phone,
            row.lead_agency,
            row.received_at,
            row.original_due_at or row.due_at,
            row.returned_at,
            row.delivery_method,
            row.signature,
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.font = body
            cell.border = box
            cell.alignment = centre if col in (1, 7, 8, 9, 10) else wrap
            if col == 8 and row.original_due_at is not None and row.original_due_at != row.due_at:
                # The receipt's date stays in the column; the extension is noted beside it.
                cell.comment = Comment(f"Gia hạn đến {row.due_at:%d/%m/%Y %H:%M}", "Một Cửa Desk")
            if col in (7, 8, 9):
                cell.number_format = DATETIME_FORMAT

    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=top + 3, column=1).coordinate
    ws.print_title_rows = f"{top}:{top + 2}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    fit = ws.sheet_properties.pageSetUpPr
    assert fit is not None  # openpyxl creates it with every worksheet
    fit.fitToPage = True
    wb.properties.creator = "motcua-desk"
    wb.properties.title = "Sổ theo dõi hồ sơ"
    wb.properties.created = d.issued_at.replace(tzinfo=None)
    wb.properties.modified = d.issued_at.replace(tzinfo=None)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
