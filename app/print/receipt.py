"""Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả: A4 (two copies) and the 80 mm thermal slip."""

from __future__ import annotations

from typing import Any

from reportlab.graphics.barcode.code128 import Code128

from app.print import common
from app.print.codes import QrMatrix, code128_fitting, draw_qr, lookup_address, qr_matrix
from app.print.common import SMALL, Sign
from app.print.layout import BOLD, ITALIC, MM, REGULAR, HeaderCell, Text, Writer, new_canvas, wrap
from app.print.model import ReceiptData, normalized
from app.print.vn import count2, money, short_datetime, time_date_vn

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ")
NOT_SET = "......"
BODY = 10.0
LEAD = BODY * 1.27

FOOTER_NOTES = (
    "Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên: 01 liên chuyển kèm Phiếu kiểm soát "
    "quá trình giải quyết hồ sơ và lưu tại Trung tâm; 01 liên giao cho người nộp hồ sơ.",
    "Khi đến nhận kết quả, người nộp hồ sơ mang theo Giấy tiếp nhận này, giấy tờ tùy thân và phí, lệ phí "
    "(nếu có); trường hợp nhận thay phải có giấy ủy quyền theo quy định.",
    "Người nộp hồ sơ có thể đăng ký nhận kết quả tại Trung tâm hoặc tại nhà qua dịch vụ bưu chính công ích.",
)


def fee_wording(d: ReceiptData) -> str:
    """The amount due and its basis (never a rate printed as the amount, rules-2026.md D3)."""
    basis = d.fee_basis.strip()
    if d.fee_vnd:
        return money(d.fee_vnd) + (f" ({basis})" if basis else "")
    if basis:
        return f"Không ({basis})"
    if d.fee_text.strip():
        return d.fee_text.strip()
    return "Không"


def due_wording(d: ReceiptData) -> str:
    return time_date_vn(d.due_at) if d.due_at is not None else "Không có ngày hẹn trả kết quả"


def logbook_wording(d: ReceiptData) -> str:
    volume = d.logbook_volume.strip() or NOT_SET
    number = d.logbook_number.strip() or NOT_SET
    return f"Vào Sổ theo dõi hồ sơ, Quyển số: {volume}, Số thứ tự: {number}"


def lookup_note(d: ReceiptData) -> str:
    parts: list[str] = []
    url = d.agency.lookup_url.strip()
    if url:
        secret = f" (mã tra cứu: {d.lookup_secret.strip()})" if d.lookup_secret.strip() else ""
        parts.append(f"Tra cứu tình trạng hồ sơ: quét mã QR hoặc truy cập {url}{secret}.")
    if d.agency.hotline.strip():
        parts.append(f"Đường dây nóng: {d.agency.hotline.strip()}.")
    return " ".join(parts)


# -- A4 ------------------------------------------------------------------------------------------------------


def _code_band(w: Writer, d: ReceiptData, qr: QrMatrix | None, barcode: Code128 | None) -> None:
    """Dossier code, its barcode and the look-up secret at the left; the QR code at the right."""
    qr_size = 22 * MM
    qr_w = qr_size + 4 * MM if qr is not None else 0.0
    left_w = w.width - qr_w
    top = w.y
    y = top
    lines = wrap([("Mã hồ sơ: ", REGULAR), (d.code, BOLD)], 12, left_w)
    w.draw_lines(lines, w.left, left_w, y, 12, 15.5, "center")
    y -= 15.5 * len(lines) + 3
    if barcode is not None:
        bar_h = barcode.barHeight
        if w.c is not None:
            barcode.drawOn(w.c, w.left + (left_w - barcode.width) / 2, y - bar_h)
        y -= bar_h + 4
    if d.lookup_secret.strip():
        lines = wrap([("Mã tra cứu: ", REGULAR), (d.lookup_secret.strip(), BOLD)], SMALL + 0.5, left_w)
        w.draw_lines(lines, w.left, left_w, y, SMALL + 0.5, 12, "center")
        y -= 12 * len(lines)
    if qr is not None:
        qx = w.right - qr_size
        if w.c is not None:
            draw_qr(w.c, qr, qx, top - qr_size, qr_size)
        cap = wrap("Quét mã để tra cứu", 7.5, qr_size + 4 * MM, ITALIC)
        w.draw_lines(cap, qx - 2 * MM, qr_size + 4 * MM, top - qr_size - 2, 7.5, 9, "center")
        y = min(y, top - qr_size - 2 - 9 * len(cap))
    w.y = y - 2


def _receipt_body(
    w: Writer, d: ReceiptData, copy_label: str, qr: QrMatrix | None, barcode: Code128 | None
) -> None:
    def para(text: Text, **kw: Any) -> None:
        w.paragraph(text, size=kw.pop("size", BODY), leading=kw.pop("leading", LEAD), **kw)

    if d.copy_mark:
        common.copy_mark(w)
    common.official_header(w, d.agency, d.received_at.date(), size=BODY)
    common.title(w, TITLE, size=13.5, space_before=9, space_after=0)
    common.centred_note(w, f"({copy_label})", size=BODY - 0.5, space_after=3)
    _code_band(w, d, qr, barcode)

    w.space(3)
    para([(f"{d.agency.name} tiếp nhận hồ sơ của: ", REGULAR), (d.applicant_name, BOLD)])
    if d.applicant_id.strip():
        para(f"{d.id_label}: {d.applicant_id.strip()}")
    para(f"Địa chỉ: {d.address.strip() or NOT_SET}")
    contact = f"Số điện thoại: {d.phone.strip() or NOT_SET}"
    if d.email.strip():
        contact += f"; Email: {d.email.strip()}"
    para(contact)
    request = [("Nội dung yêu cầu giải quyết: ", REGULAR), (d.procedure_name, BOLD)]
    if d.procedure_code.strip():
        request.append((f" (mã thủ tục: {d.procedure_code.strip()})", REGULAR))
    para(request)

    w.space(1)
    para("1. Thành phần hồ sơ, yêu cầu và số lượng mỗi loại giấy tờ gồm:", keep_together=True)
    w.space(2)
    widths = [11 * MM, 0.0, 40 * MM, 18 * MM]
    widths[1] = w.width - sum(widths)
    header = [
        HeaderCell("STT", 0, 0),
        HeaderCell("Tên giấy tờ", 0, 1),
        HeaderCell("Loại giấy tờ (Bản chính/Bản sao)", 0, 2),
        HeaderCell("Số lượng", 0, 3),
    ]
    rows = [
        (str(i), p.name + (" (đã số hóa)" if p.digitised else ""), p.form_label, count2(p.count))
        for i, p in enumerate(d.papers, start=1)
    ]
    if not rows:
        rows = [("", "Không có giấy tờ kèm theo", "", "")]
    w.table(
        widths, rows, header=header, aligns=["center", "left", "center", "center"], size=BODY - 0.5, pad=2.5
    )
    w.space(3)

    para(f"2. Số lượng hồ sơ: {count2(d.sets_count)} (bộ)")
    para(f"3. Thời gian nhận hồ sơ: {time_date_vn(d.received_at)}")
    para([("4. Thời gian trả kết quả giải quyết hồ sơ: ", REGULAR), (due_wording(d), BOLD)])
    if d.time_text.strip():
        para(
            f"(Thời hạn giải quyết theo quy định: {d.time_text.strip()})",
            size=BODY - 1,
            font=ITALIC,
            leading=(BODY - 1) * 1.27,
            indent=5 * MM,
        )
    if d.extension.strip():
        para(
            f"(Gia hạn theo quy định chuyên ngành: {d.extension.strip()})",
            size=BODY - 1,
            font=ITALIC,
            leading=(BODY - 1) * 1.27,
            indent=5 * MM,
        )
    para(f"5. Đăng ký nhận kết quả tại: {d.result_delivery.strip() or NOT_SET}")
    para(f"6. Phí, lệ phí (nếu có): {fee_wording(d)}")
    para(logbook_wording(d) + " (nếu có)")

    common.signatures(
        w,
        [Sign("NGƯỜI NỘP HỒ SƠ", name=d.applicant_name), Sign("NGƯỜI TIẾP NHẬN HỒ SƠ", name=d.operator_name)],
        size=BODY,
        space_before=5,
        room=16 * MM,
    )

    w.space(4)
    notes = [*FOOTER_NOTES]
    extra = lookup_note(d)
    if extra:
        notes.append(extra)
    note_size = 8.0
    note_lead = note_size * 1.25
    note_lines = [wrap(f"- {n}", note_size, w.width, ITALIC) for n in notes]
    w.ensure(note_lead * (1 + sum(len(lines) for lines in note_lines)))
    para([("Ghi chú:", BOLD)], size=note_size + 0.5, leading=note_lead)
    for n in notes:
        para(f"- {n}", size=note_size, font=ITALIC, leading=note_lead)


def receipt_a4(data: ReceiptData) -> bytes:
    """Mẫu 01 on A4: two copies ("Liên 1: Lưu", "Liên 2: Giao người nộp hồ sơ"), each from a new page."""
    d = normalized(data)
    address = lookup_address(d)
    qr = qr_matrix(address) if address else None
    barcode = code128_fitting(d.code, 95 * MM, 11 * MM, bar_width=0.72) if d.code.strip() else None
    c, buf = new_canvas(
        common.PORTRAIT, title=f"{TITLE} - {d.code}", author=d.agency.name, subject=d.procedure_name
    )
    state = {"label": COPIES[0]}

    def continuation(w: Writer) -> None:
        w.paragraph(
            f"{TITLE} - Mã hồ sơ: {d.code} - {state['label']} (tiếp theo)",
            size=SMALL - 0.5,
            font=ITALIC,
            align="right",
            space_after=4,
        )

    w = Writer(c, common.PORTRAIT, common.MARGINS_PORTRAIT, on_new_page=continuation)
    for i, label in enumerate(COPIES):
        if i:
            w.new_page(continuation=False)
        state["label"] = label
        _receipt_body(w, d, label, qr, barcode)
    w.finish()
    c.save()
    return buf.getvalue()


# -- 80 mm slip ---------------------------------------------------------------------------------------

SLIP_WIDTH = 80 * MM
SLIP_MARGIN = 4 * MM


def _slip_body(w: Writer, d: ReceiptData, qr: QrMatrix | None, address: str) -> None:
    s = 8.5
    lead = s * 1.3
    if d.copy_mark:
        w.boxed_label("BẢN SAO", w.right, w.y, 9)
        w.space(9 + 8 + 3)
    if d.agency.parent_name.strip():
        w.paragraph(common.upper(d.agency.parent_name), size=s - 0.5, align="center", balanced=True)
    name = common.break_before_unit(common.upper(d.agency.name), BOLD, s, w.width)
    w.paragraph(name, size=s, font=BOLD, align="center", balanced=True)
    if d.agency.address.strip():
        w.paragraph(d.agency.address, size=s - 1.5, align="center")
    w.space(3)
    w.hline(w.left, w.right, w.y, 0.6, dash=(2, 2))
    w.space(5)
    w.paragraph(TITLE, size=10, font=BOLD, align="center", balanced=True)
    w.paragraph([("Mã hồ sơ: ", REGULAR), (d.code, BOLD)], size=10, align="center", space_after=2)
    barcode = code128_fitting(d.code, w.width, 9 * MM, bar_width=0.72, min_bar_width=0.5) if d.code else None
    if barcode is not None:
        if w.c is not None:
            barcode.drawOn(w.c, w.left + (w.width - barcode.width) / 2, w.y - barcode.barHeight)
        w.space(barcode.barHeight + 4)
    if d.copy_mark:
        w.paragraph("(Bản in lại)", size=s - 0.5, font=ITALIC, align="center")
    w.space(2)
    w.hline(w.left, w.right, w.y, 0.6, dash=(2, 2))
    w.space(4)

    def item(label: str, value: str, bold: bool = False) -> None:
        w.paragraph([(f"{label}: ", REGULAR), (value, BOLD if bold else REGULAR)], size=s, leading=lead)

    item("Người nộp", d.applicant_name, bold=True)
    if d.applicant_id.strip():
        item(d.id_label, d.applicant_id)
    if d.phone.strip():
        item("Điện thoại", d.phone)
    proc = d.procedure_name + (f" (mã thủ tục: {d.procedure_code})" if d.procedure_code.strip() else "")
    item("Thủ tục", proc)
    item("Số lượng hồ sơ", f"{count2(d.sets_count)} (bộ), gồm {count2(len(d.papers))} loại giấy tờ")
    item("Nhận lúc", short_datetime(d.received_at))
    item("Hẹn trả", short_datetime(d.due_at) if d.due_at is not None else "Không có ngày hẹn trả", bold=True)
    if d.time_text.strip():
        item("Thời hạn giải quyết", d.time_text)
    if d.extension.strip():
        item("Gia hạn", d.extension)
    item("Nhận kết quả tại", d.result_delivery or NOT_SET)
    item("Phí, lệ phí", fee_wording(d))
    if d.logbook_volume.strip() or d.logbook_number.strip():
        item(
            "Sổ theo dõi", f"Quyển số {d.logbook_volume or NOT_SET}, Số thứ tự {d.logbook_number or NOT_SET}"
        )
    if d.operator_name.strip():
        item("Người tiếp nhận", d.operator_name)
    w.space(3)
    w.hline(w.left, w.right, w.y, 0.6, dash=(2, 2))
    w.space(6)
    if qr is not None:
        size = 32 * MM
        if w.c is not None:
            draw_qr(w.c, qr, w.left + (w.width - size) / 2, w.y - size, size)
        w.space(size + 4)
    if d.lookup_secret.strip():
        w.paragraph([("Mã tra cứu: ", REGULAR), (d.lookup_secret, BOLD)], size=10, align="center")
    if address:
        w.paragraph(address, size=6.5, align="center")
    if d.agency.hotline.strip():
        w.paragraph(f"Đường dây nóng: {d.agency.hotline}", size=s, align="center")
    w.space(3)
    w.paragraph(
        "Vui lòng mang theo phiếu này và giấy tờ tùy thân khi đến nhận kết quả.",
        size=s - 1,
        font=ITALIC,
        align="center",
    )


def receipt_80mm(data: ReceiptData) -> bytes:
    """The receipt's essentials on one 80 mm wide thermal slip whose height fits the content."""
    d = normalized(data)
    address = lookup_address(d)
    qr = qr_matrix(address) if address else None
    tall = (SLIP_WIDTH, 2000.0)
    margins = (SLIP_MARGIN, SLIP_MARGIN, SLIP_MARGIN, SLIP_MARGIN)
    probe = Writer(None, tall, margins, page_breaks=False)
    _slip_body(probe, d, qr, address)
    height = (probe.top - probe.y) + 2 * SLIP_MARGIN
    size = (SLIP_WIDTH, round(height, 2))
    c, buf = new_canvas(size, title=f"{TITLE} - {d.code}", author=d.agency.name, subject=d.procedure_name)
    w = Writer(c, size, margins, page_breaks=False)
    _slip_body(w, d, qr, address)
    w.finish()
    c.save()
    return buf.getvalue()
