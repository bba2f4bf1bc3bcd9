"""The at-risk sheet: open dossiers turning late soon, on a second supplement request, or near their online
acceptance deadline (computed by :func:`app.domain.stats766.at_risk`), A4 portrait, for the morning round."""

from __future__ import annotations

from datetime import datetime

from app.domain.stats766 import AtRisk
from app.print import common
from app.print.common import BODY
from app.print.layout import ITALIC, MM, Align, HeaderCell, SpanRow, TableRow, Writer
from app.print.model import Agency
from app.print.vn import short_datetime

TITLE = "DANH SÁCH HỒ SƠ CÓ NGUY CƠ QUÁ HẠN"
REASONS = {
    "turning_late": "Sắp đến hạn trả",
    "second_supplement": "Đã yêu cầu bổ sung lần thứ hai",
    "acceptance_deadline": "Sắp hết hạn tiếp nhận trực tuyến",
}


def at_risk_pdf(
    rows: list[AtRisk], agency: Agency, issued: datetime, until: datetime, acceptance_data: bool
) -> bytes:
    size = 9.5

    def body(w: Writer) -> None:
        common.official_header(w, agency, issued.date())
        common.title(w, TITLE, space_before=10, space_after=2)
        w.paragraph(
            f"Lập lúc {short_datetime(issued)}; hạn xét đến {short_datetime(until)}",
            size=BODY - 0.5,
            font=ITALIC,
            align="center",
            space_after=6,
        )
        widths = [m * MM for m in (9, 52, 28, 40)]
        widths.append(w.width - sum(widths))
        header = [
            HeaderCell(t, 0, i)
            for i, t in enumerate(("TT", "Mã hồ sơ", "Hẹn trả", "Lý do", "Thủ tục / lĩnh vực"))
        ]
        table: list[TableRow] = [
            (
                str(i),
                r.code,
                short_datetime(r.due_at) if r.due_at else "",
                REASONS.get(r.reason, r.reason),
                " / ".join(x for x in (r.procedure, r.field) if x),
            )
            for i, r in enumerate(rows, start=1)
        ]
        if not table:
            table = [SpanRow("Không có hồ sơ có nguy cơ quá hạn.", align="center")]
        aligns: list[Align] = ["center", "left", "center", "left", "left"]
        w.table(
            widths, table, header=header, header_rows=1, aligns=aligns, size=size, header_size=size, pad=2.5
        )
        if not acceptance_data:
            w.paragraph(
                "Hạn tiếp nhận hồ sơ trực tuyến: chưa có dữ liệu (phần mềm chưa ghi hạn tiếp nhận).",
                size=size,
                font=ITALIC,
                space_after=0,
            )

    return common.build_pdf(common.PORTRAIT, common.MARGINS_PORTRAIT, body, title=TITLE, author=agency.name)
