"""Mẫu 02–05: supplement request, refusal, apology with extension, notice of stopping."""

from __future__ import annotations

from typing import Any

from app.print import common
from app.print.codes import code128_fitting
from app.print.common import BODY, Sign
from app.print.layout import BOLD, ITALIC, MM, REGULAR, HeaderCell, Text, Writer
from app.print.model import ApologyData, RefusalData, StopData, SupplementData, normalized
from app.print.vn import short_date, time_date_vn

SUPPLEMENT_TITLE = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL_TITLE = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
#: Thông tư 03/2025/TT-VPCP, Mẫu 04 (rules-2026.md S4, D10): "…thời gian giải quyết", no "hồ sơ".
APOLOGY_TITLE = "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
STOP_TITLE = "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
RECIPIENTS = ("Như trên;", "Lưu: VT, hồ sơ.")


def _para(w: Writer, text: Text, **kw: Any) -> None:
    kw.setdefault("size", BODY)
    kw.setdefault("leading", kw["size"] * 1.38)
    kw.setdefault("space_after", 2.5)
    w.paragraph(text, **kw)


def _letter(w: Writer, text: Text, **kw: Any) -> None:
    """A paragraph of a letter (Mẫu 04, 05): first line indented as in administrative letters."""
    _para(w, text, first_indent=10 * MM, **kw)


def _code_line(w: Writer, code: str) -> None:
    """ "Mã hồ sơ: …" centred, with its barcode."""
    if not code.strip():
        return
    w.paragraph([("Mã hồ sơ: ", REGULAR), (code, BOLD)], size=BODY + 0.5, align="center", space_after=2)
    barcode = code128_fitting(code, w.width * 0.6, 9 * MM)
    if barcode is not None:
        w.ensure(barcode.barHeight + 6)
        if w.c is not None:
            barcode.drawOn(w.c, w.left + (w.width - barcode.width) / 2, w.y - barcode.barHeight)
        w.space(barcode.barHeight + 6)


def _pdf(title: str, data: Any, body: Any) -> bytes:
    return common.build_pdf(
        common.PORTRAIT,
        common.MARGINS_PORTRAIT,
        body,
        title=f"{title} - {getattr(data, 'code', '')}".rstrip(" -"),
        author=data.agency.name,
        subject=getattr(data, "procedure_name", ""),
    )


def supplement_request(data: SupplementData) -> bytes:
    """Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    d = normalized(data)

    def body(w: Writer) -> None:
        common.official_header(w, d.agency, d.issued_at.date())
        common.title(w, SUPPLEMENT_TITLE, space_before=14, space_after=4)
        _code_line(w, d.code)
        _para(w, [("Hồ sơ của: ", REGULAR), (d.applicant_name, BOLD)])
        _para(w, [("Nội dung yêu cầu giải quyết: ", REGULAR), (d.procedure_name, BOLD)])
        _para(w, f"Thời gian tiếp nhận hồ sơ: {time_date_vn(d.received_at)}")
        _para(
            w,
            f"Sau khi xem xét, đối chiếu với quy định, {d.agency.name} đề nghị Ông/Bà bổ sung, "
            "hoàn thiện hồ sơ gồm những nội dung sau:",
        )
        widths = [12 * MM, 0.0, 62 * MM]
        widths[1] = w.width - sum(widths)
        header = [
            HeaderCell("STT", 0, 0),
            HeaderCell("Nội dung cần bổ sung, hoàn thiện", 0, 1),
            HeaderCell("Lý do", 0, 2),
        ]
        rows = [(str(i), item.name, item.reason) for i, item in enumerate(d.items, start=1)]
        w.table(widths, rows, header=header, aligns=["center", "left", "left"], size=BODY - 0.5)
        w.space(5)
        if d.reason.strip():
            _para(w, f"Lý do: {d.reason.strip()}")
        if d.deadline is not None:
            _para(
                w, [("Thời hạn bổ sung, hoàn thiện hồ sơ: trước ", REGULAR), (time_date_vn(d.deadline), BOLD)]
            )
        who = d.operator_name.strip() or "người hướng dẫn"
        contact = f" ({d.contact.strip()})" if d.contact.strip() else ""
        _para(
            w,
            f"Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với {who}{contact} "
            "để được hướng dẫn.",
        )
        _para(w, "Xin trân trọng cảm ơn!", font=ITALIC)
        common.signatures(w, [Sign("NGƯỜI HƯỚNG DẪN", name=d.operator_name)])

    return _pdf(SUPPLEMENT_TITLE, d, body)


def refusal(data: RefusalData) -> bytes:
    """Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    d = normalized(data)

    def body(w: Writer) -> None:
        common.official_header(w, d.agency, d.issued_at.date())
        common.title(w, REFUSAL_TITLE, space_before=14, space_after=6)
        _code_line(w, d.code)
        _para(w, [(f"{d.agency.name} tiếp nhận hồ sơ của: ", REGULAR), (d.applicant_name, BOLD)])
        if d.applicant_id.strip():
            _para(w, f"CCCD/MST: {d.applicant_id.strip()}")
        if d.address.strip():
            _para(w, f"Địa chỉ: {d.address.strip()}")
        if d.phone.strip():
            _para(w, f"Số điện thoại: {d.phone.strip()}")
        _para(w, [("Nội dung yêu cầu giải quyết: ", REGULAR), (d.procedure_name, BOLD)])
        _para(
            w,
            f"Sau khi nghiên cứu, đối chiếu với các quy định hiện hành, {d.agency.name} từ chối tiếp nhận, "
            "giải quyết hồ sơ này với lý do cụ thể như sau:",
        )
        _para(w, d.reason.strip(), indent=8 * MM, font=BOLD)
        _para(w, "Xin thông báo để Ông/Bà được biết và thực hiện./.")
        common.signatures(w, [Sign("NGƯỜI TIẾP NHẬN HỒ SƠ", name=d.operator_name)])

    return _pdf(REFUSAL_TITLE, d, body)


def apology(data: ApologyData) -> bytes:
    """Mẫu 04 — Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (TT 03/2025).

    It speaks for the agency responsible for the delay (``responsible_agency``). UNSURE: the field layout
    of TT 03/2025 Phụ lục I was not read; this follows the TT 01/2018 layout with the new title."""
    d = normalized(data)

    def body(w: Writer) -> None:
        common.official_header(
            w,
            d.agency,
            d.issued_at.date(),
            number=d.doc_number,
            excerpt="V/v xin lỗi và đề nghị gia hạn thời gian giải quyết",
        )
        common.title(w, APOLOGY_TITLE, space_before=14, space_after=8)
        _para(
            w, [("Kính gửi: ", REGULAR), (f"Ông/Bà {d.applicant_name}", BOLD)], align="center", space_after=8
        )
        _letter(
            w,
            [
                (
                    f"Ngày {short_date(d.received_at)}, {d.agency.name} tiếp nhận hồ sơ của Ông/Bà, "
                    "mã hồ sơ: ",
                    REGULAR,
                ),
                (d.code, BOLD),
                (", nội dung yêu cầu giải quyết: ", REGULAR),
                (d.procedure_name, BOLD),
                (". Thời gian hẹn trả kết quả giải quyết hồ sơ: ", REGULAR),
                (time_date_vn(d.old_due_at), REGULAR),
                (".", REGULAR),
            ],
        )
        who = d.responsible_agency.strip() or d.agency.name
        _letter(
            w, f"Tuy nhiên, đến nay hồ sơ của Ông/Bà chưa được giải quyết xong. Lý do: {d.reason.strip()}"
        )
        _letter(
            w,
            [
                (
                    f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {who} xin lỗi Ông/Bà và "
                    "đề nghị gia hạn thời gian trả kết quả giải quyết hồ sơ đến ",
                    REGULAR,
                ),
                (time_date_vn(d.new_due_at), BOLD),
                (".", REGULAR),
            ],
        )
        _letter(w, "Rất mong nhận được sự thông cảm của Ông/Bà. Xin trân trọng cảm ơn./.")
        common.recipients_and_signature(
            w,
            RECIPIENTS,
            Sign(
                d.signer_title or "THỦ TRƯỞNG CƠ QUAN",
                note="(Ký, ghi rõ họ tên và đóng dấu)",
                name=d.signer_name,
            ),
        )

    return _pdf(APOLOGY_TITLE, d, body)


def stop_notice(data: StopData) -> bytes:
    """Mẫu 05 — Thông báo dừng giải quyết hồ sơ."""
    d = normalized(data)

    def body(w: Writer) -> None:
        common.official_header(
            w, d.agency, d.issued_at.date(), number=d.doc_number, excerpt="V/v dừng giải quyết hồ sơ"
        )
        common.title(w, STOP_TITLE, space_before=14, space_after=8)
        _para(
            w, [("Kính gửi: ", REGULAR), (f"Ông/Bà {d.applicant_name}", BOLD)], align="center", space_after=8
        )
        _letter(
            w,
            [
                (
                    f"Ngày {short_date(d.received_at)}, {d.agency.name} tiếp nhận hồ sơ của Ông/Bà, "
                    "mã hồ sơ: ",
                    REGULAR,
                ),
                (d.code, BOLD),
                (", nội dung yêu cầu giải quyết: ", REGULAR),
                (d.procedure_name, BOLD),
                (".", REGULAR),
            ],
        )
        _letter(w, f"{d.agency.name} thông báo dừng giải quyết hồ sơ nêu trên.")
        _letter(w, [("Lý do: ", REGULAR), (d.reason.strip(), BOLD)])
        if d.return_note.strip():
            _letter(w, d.return_note.strip())
        _letter(w, "Xin thông báo để Ông/Bà được biết./.")
        common.recipients_and_signature(
            w,
            RECIPIENTS,
            Sign(
                d.signer_title or "THỦ TRƯỞNG CƠ QUAN",
                note="(Ký, ghi rõ họ tên và đóng dấu)",
                name=d.signer_name,
            ),
        )

    return _pdf(STOP_TITLE, d, body)
