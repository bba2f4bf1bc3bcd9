"""Tabular forms: Mẫu 06 control slip, Mẫu 07 logbook, the hand-over list and the procedure catalogue."""

from __future__ import annotations

from datetime import datetime

from app.print import common
from app.print.codes import code128_fitting
from app.print.common import BODY, Sign
from app.print.layout import BOLD, ITALIC, MM, REGULAR, Align, HeaderCell, SpanRow, TableRow, Writer
from app.print.model import CatalogueListData, ControlSlipData, HandoverListData, LogbookData, normalized
from app.print.vn import count2, short_date, short_datetime, time_date_vn

CONTROL_TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
LOGBOOK_TITLE = "SỔ THEO DÕI HỒ SƠ"
HANDOVER_TITLE = "DANH SÁCH HỒ SƠ ĐANG GIẢI QUYẾT BÀN GIAO"
CATALOGUE_TITLE = "DANH MỤC THỦ TỤC HÀNH CHÍNH TIẾP NHẬN TẠI"
BLANK_CONTROL_ROWS = 4


def _due(dt: datetime | None) -> str:
    return short_datetime(dt) if dt is not None else "Không có ngày hẹn"


def _due_kept(original: datetime | None, due: datetime | None) -> str:
    """The promised date, and after an apology the new one beside it (the lateness stays visible)."""
    if original is not None and due is not None and original != due:
        return f"{short_datetime(original)} (gia hạn đến {short_datetime(due)})"
    return _due(due)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += numeral
            n -= value
    return out


def control_slip(data: ControlSlipData) -> bytes:
    """Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ.

    Without rows it prints blank rows to be filled in by hand.
    """
    d = normalized(data)

    def body(w: Writer) -> None:
        common.official_header(w, d.agency, d.received_at.date())
        common.title(w, CONTROL_TITLE, space_before=14, space_after=2)
        w.paragraph([("Mã hồ sơ: ", REGULAR), (d.code, BOLD)], size=BODY + 0.5, align="center", space_after=2)
        barcode = code128_fitting(d.code, w.width * 0.6, 9 * MM) if d.code.strip() else None
        if barcode is not None:
            if w.c is not None:
                barcode.drawOn(w.c, w.left + (w.width - barcode.width) / 2, w.y - barcode.barHeight)
            w.space(barcode.barHeight + 4)
        w.paragraph(
            f"(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả mã hồ sơ: {d.code})",
            size=BODY - 0.5,
            font=ITALIC,
            align="center",
            space_after=6,
        )
        lead = BODY * 1.35
        w.paragraph([("Người nộp hồ sơ: ", REGULAR), (d.applicant_name, BOLD)], size=BODY, leading=lead)
        w.paragraph(
            [("Nội dung yêu cầu giải quyết: ", REGULAR), (d.procedure_name, BOLD)], size=BODY, leading=lead
        )
        w.paragraph(f"Thời gian nhận hồ sơ: {time_date_vn(d.received_at)}", size=BODY, leading=lead)
        due = time_date_vn(d.due_at) if d.due_at is not None else "Không có ngày hẹn trả kết quả"
        w.paragraph(f"Thời gian hẹn trả kết quả: {due}", size=BODY, leading=lead)
        w.paragraph(
            f"Cơ quan (bộ phận) giải quyết hồ sơ: {d.lead_agency or '......'}", size=BODY, leading=lead
        )
        w.paragraph(
            f"Cơ quan phối hợp giải quyết hồ sơ: {d.partner_agencies or '......'}",
            size=BODY,
            leading=lead,
            space_after=6,
        )
        widths = [52 * MM, 50 * MM, 38 * MM, 0.0]
        widths[3] = w.width - sum(widths)
        header = [
            HeaderCell("TÊN CƠ QUAN", 0, 0),
            HeaderCell("THỜI GIAN GIAO, NHẬN HỒ SƠ", 0, 1),
            HeaderCell("KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)", 0, 2),
            HeaderCell("GHI CHÚ", 0, 3),
        ]
        rows: list[TableRow] = []
        for r in d.rows:
            rows.append(
                (
                    [
                        ("1. Giao: ", BOLD),
                        (r.giver + "\n", REGULAR),
                        ("2. Nhận: ", BOLD),
                        (r.receiver, REGULAR),
                    ],
                    [(time_date_vn(r.handed_at) + "\n", REGULAR), ("Người giao - Người nhận", ITALIC)],
                    r.result,
                    r.note,
                )
            )
        if not rows:
            blank = (
                [("1. Giao: ", BOLD), ("......\n", REGULAR), ("2. Nhận: ", BOLD), ("......", REGULAR)],
                [("... giờ ... phút, ngày ... /... /......\n", REGULAR), ("Người giao - Người nhận", ITALIC)],
                "",
                "",
            )
            rows = [blank] * BLANK_CONTROL_ROWS
        w.table(
            widths,
            rows,
            header=header,
            aligns=["left", "center", "center", "left"],
            size=BODY - 0.5,
            header_size=BODY - 1,
            pad=3,
            min_row_height=20 * MM,
        )

    return common.build_pdf(
        common.PORTRAIT,
        common.MARGINS_PORTRAIT,
        body,
        title=f"{CONTROL_TITLE} - {d.code}",
        author=d.agency.name,
        subject=d.procedure_name,
    )


def logbook_pdf(data: LogbookData) -> bytes:
    """Mẫu 07 — Sổ theo dõi hồ sơ, A4 landscape, the column header repeated on every page."""
    d = normalized(data)
    size = 8.5

    def body(w: Writer) -> None:
        common.official_header(w, d.agency, d.issued_at.date())
        common.title(w, LOGBOOK_TITLE, space_before=10, space_after=2)
        sub = f"Từ ngày {short_date(d.period_from)} đến ngày {short_date(d.period_to)}"
        if d.volume.strip():
            sub = f"Quyển số: {d.volume.strip()} - {sub}"
        w.paragraph(sub, size=BODY - 0.5, font=ITALIC, align="center", space_after=6)
        widths = [m * MM for m in (9, 30, 38, 29, 28, 27, 22, 22, 22, 15)]  # (11) Ký nhận: the rest, ~28 mm
        widths.append(w.width - sum(widths))
        span2 = [
            "TT",
            "Mã hồ sơ",
            "Tên TTHC",
            "Tên cá nhân, tổ chức",
            "Địa chỉ, số điện thoại",
            "Cơ quan chủ trì giải quyết",
        ]
        header = [HeaderCell(t, 0, i, rowspan=2) for i, t in enumerate(span2)]
        header.append(HeaderCell("Ngày, tháng, năm", 0, 6, colspan=3))
        header += [
            HeaderCell(t, 1, 6 + i) for i, t in enumerate(("Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả"))
        ]
        header += [
            HeaderCell("Phương thức nhận kết quả", 0, 9, rowspan=2),
            HeaderCell("Ký nhận", 0, 10, rowspan=2),
        ]
        header += [HeaderCell(f"({i + 1})", 2, i) for i in range(11)]
        rows: list[TableRow] = [
            (
                str(r.number),
                r.code,
                r.procedure_name,
                r.applicant_name,
                r.address_phone,
                r.lead_agency,
                short_datetime(r.received_at),
                _due_kept(r.original_due_at, r.due_at),
                short_datetime(r.returned_at) if r.returned_at is not None else "",
                r.delivery_method,
                r.signature,
            )
            for r in d.rows
        ]
        if not rows:
            rows = [SpanRow("Không có hồ sơ trong kỳ.", align="center")]
        aligns: list[Align] = ["center", *["left"] * 5, *["center"] * 5]  # type: ignore[list-item]
        w.table(
            widths, rows, header=header, header_rows=3, aligns=aligns, size=size, header_size=size, pad=2.5
        )

    return common.build_pdf(
        common.LANDSCAPE,
        common.MARGINS_LANDSCAPE,
        body,
        title=LOGBOOK_TITLE,
        author=d.agency.name,
        subject=f"{short_date(d.period_from)} - {short_date(d.period_to)}",
    )


def handover_list(data: HandoverListData) -> bytes:
    """The list of unfinished dossiers handed from a reorganised unit to the one that continues them."""
    d = normalized(data)

    def body(w: Writer) -> None:
        common.official_header(w, d.agency, d.issued_at.date())
        common.title(w, d.title or HANDOVER_TITLE, space_before=14, space_after=8)
        lead = BODY * 1.35
        if d.basis.strip():
            w.paragraph(f"Căn cứ: {d.basis.strip()}", size=BODY, leading=lead)
        w.paragraph([("Bên giao: ", REGULAR), (d.from_unit, BOLD)], size=BODY, leading=lead)
        w.paragraph([("Bên nhận: ", REGULAR), (d.to_unit, BOLD)], size=BODY, leading=lead)
        w.paragraph(
            f"Thời gian bàn giao: {time_date_vn(d.issued_at)}", size=BODY, leading=lead, space_after=6
        )
        widths = [10 * MM, 32 * MM, 32 * MM, 0.0, 24 * MM, 24 * MM]
        widths[3] = w.width - sum(widths)
        header = [
            HeaderCell(t, 0, i)
            for i, t in enumerate(
                ("STT", "Mã hồ sơ", "Người nộp hồ sơ", "Thủ tục hành chính", "Tình trạng", "Hạn trả kết quả")
            )
        ]
        rows: list[TableRow] = [
            (str(i), r.code, r.applicant_name, r.procedure_name, r.status, _due(r.due_at))
            for i, r in enumerate(d.rows, start=1)
        ]
        if not rows:
            rows = [SpanRow("Không có hồ sơ bàn giao.", align="center")]
        w.table(
            widths,
            rows,
            header=header,
            aligns=["center", "left", "left", "left", "center", "center"],
            size=BODY - 1,
            pad=2.5,
        )
        w.space(4)
        w.paragraph(f"Tổng số: {count2(len(d.rows))} hồ sơ.", size=BODY, font=BOLD)
        common.signatures(
            w, [Sign("ĐẠI DIỆN BÊN GIAO", name=d.giver_name), Sign("ĐẠI DIỆN BÊN NHẬN", name=d.receiver_name)]
        )

    return common.build_pdf(
        common.PORTRAIT,
        common.MARGINS_PORTRAIT,
        body,
        title=d.title or HANDOVER_TITLE,
        author=d.agency.name,
        subject=f"{d.from_unit} - {d.to_unit}",
    )


def _field_title(n: int, name: str) -> str:
    name = name.strip() or "Khác"
    if not name.casefold().startswith("lĩnh vực"):
        name = f"Lĩnh vực {name}"
    return f"{_roman(n)}. {name}"


def catalogue_list(data: CatalogueListData) -> bytes:
    """The public list of the procedures received at the centre, grouped by field."""
    d = normalized(data)
    heading = d.title.strip() or f"{CATALOGUE_TITLE}\n{common.upper(d.agency.name)}"

    def body(w: Writer) -> None:
        common.official_header(w, d.agency, d.issued_at.date())
        common.title(w, heading, space_before=14, space_after=8)
        widths = [10 * MM, 22 * MM, 0.0, 36 * MM, 38 * MM]
        widths[2] = w.width - sum(widths)
        header = [
            HeaderCell(t, 0, i)
            for i, t in enumerate(
                ("STT", "Mã thủ tục", "Tên thủ tục hành chính", "Thời hạn giải quyết", "Phí, lệ phí")
            )
        ]
        rows: list[TableRow] = []
        group = None
        groups = 0
        for i, r in enumerate(d.rows, start=1):
            if r.field.strip() and r.field != group:
                group = r.field
                groups += 1
                rows.append(SpanRow(_field_title(groups, r.field)))
            rows.append((str(i), r.code, r.name, r.time_text, r.fee_text))
        if not rows:
            rows = [SpanRow("Chưa có thủ tục.", align="center")]
        w.table(
            widths,
            rows,
            header=header,
            aligns=["center", "center", "left", "left", "left"],
            size=BODY - 1,
            pad=2.5,
        )
        w.space(4)
        w.paragraph(f"Tổng số: {count2(len(d.rows))} thủ tục hành chính.", size=BODY, font=BOLD)

    return common.build_pdf(
        common.PORTRAIT, common.MARGINS_PORTRAIT, body, title=heading, author=d.agency.name
    )
