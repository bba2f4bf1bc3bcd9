"""Mẫu 02–07 and the lists: every field printed, the shared header, page flow of long registers."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import datetime

import pypdf
import pytest

from app.print import forms, samples
from app.print.model import CatalogueListData, HandoverListData, LogbookData, ReceiptData

Text = Callable[[bytes], str]
Pages = Callable[[bytes], list[str]]

HEADER = (
    "ỦY BAN NHÂN DÂN PHƯỜNG BẮC GIANG",
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG BẮC GIANG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
)

SAMPLES: dict[str, Callable[[], object]] = {
    "receipt": samples.receipt,
    "receipt-80mm": samples.receipt,
    "supplement": samples.supplement,
    "refusal": samples.refusal,
    "apology": samples.apology,
    "stop": samples.stop,
    "control": samples.control_slip,
    "handover": samples.handover,
    "logbook": samples.logbook,
    "catalogue": samples.catalogue,
}


def test_every_form_name_renders_a_pdf() -> None:
    assert set(forms.FORM_NAMES) == set(SAMPLES)
    for name, factory in SAMPLES.items():
        pdf = forms.render(name, factory())
        assert pdf.startswith(b"%PDF-"), name
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 1


def test_render_rejects_unknown_names_and_wrong_data() -> None:
    with pytest.raises(KeyError, match="unknown form"):
        forms.render("receipt-a5", samples.receipt())
    with pytest.raises(TypeError, match="ReceiptData"):
        forms.render("receipt", samples.supplement())


@pytest.mark.parametrize("name", [n for n in SAMPLES if n != "receipt-80mm"])
def test_every_a4_form_has_the_official_header(name: str, pages_of: Pages) -> None:
    first = pages_of(forms.render(name, SAMPLES[name]()))[0]
    for value in HEADER:
        assert value in first, (name, value)


def test_supplement(text_of: Text) -> None:
    d = samples.supplement()
    text = text_of(forms.supplement_request(d))
    for value in (
        "Bắc Giang, ngày 08 tháng 7 năm 2025",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        f"Mã hồ sơ: {d.code}",
        f"Hồ sơ của: {d.applicant_name}",
        f"Nội dung yêu cầu giải quyết: {d.procedure_name}",
        "Thời gian tiếp nhận hồ sơ: 09 giờ 05 phút, ngày 05 tháng 7 năm 2025",
        "STT Nội dung cần bổ sung, hoàn thiện Lý do",
        f"1 {d.items[0].name} {d.items[0].reason}",
        f"2 {d.items[1].name} {d.items[1].reason}",
        f"Lý do: {d.reason}",
        "Thời hạn bổ sung, hoàn thiện hồ sơ: trước 17 giờ 00 phút, ngày 15 tháng 7 năm 2025",
        f"liên hệ với {d.operator_name} ({d.contact})",
        "NGƯỜI HƯỚNG DẪN",
        d.operator_name,
    ):
        assert value in text, value


def test_refusal(text_of: Text) -> None:
    d = samples.refusal()
    text = text_of(forms.refusal(d))
    for value in (
        "Bắc Giang, ngày 09 tháng 7 năm 2025",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        f"tiếp nhận hồ sơ của: {d.applicant_name}",
        f"CCCD/MST: {d.applicant_id}",
        f"Địa chỉ: {d.address}",
        f"Số điện thoại: {d.phone}",
        f"Nội dung yêu cầu giải quyết: {d.procedure_name}",
        "từ chối tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
        d.reason,
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        d.operator_name,
    ):
        assert value in text, value


def test_apology(text_of: Text) -> None:
    d = samples.apology()
    text = text_of(forms.apology(d))
    for value in (
        f"Số: {d.doc_number}",
        "V/v xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "Bắc Giang, ngày 12 tháng 8 năm 2025",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        f"Kính gửi: Ông/Bà {d.applicant_name}",
        f"Ngày 05/07/2025, {d.agency.name} tiếp nhận hồ sơ của Ông/Bà, mã hồ sơ: {d.code}",
        f"nội dung yêu cầu giải quyết: {d.procedure_name}.",
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 13 tháng 8 năm 2025.",
        f"Lý do: {d.reason}",
        "xin lỗi Ông/Bà và đề nghị gia hạn thời gian trả kết quả giải quyết hồ sơ đến "
        "16 giờ 30 phút, ngày 20 tháng 8 năm 2025.",
        "Nơi nhận:",
        "GIÁM ĐỐC",
        d.signer_name,
    ):
        assert value in text, value


def test_stop_notice(text_of: Text) -> None:
    d = samples.stop()
    text = text_of(forms.stop_notice(d))
    for value in (
        f"Số: {d.doc_number}",
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Bắc Giang, ngày 09 tháng 7 năm 2025",
        f"Kính gửi: Ông/Bà {d.applicant_name}",
        f"mã hồ sơ: {d.code}, nội dung yêu cầu giải quyết: {d.procedure_name}.",
        f"{d.agency.name} thông báo dừng giải quyết hồ sơ nêu trên.",
        f"Lý do: {d.reason}",
        d.return_note,
        d.signer_name,
    ):
        assert value in text, value


def test_control_slip(text_of: Text) -> None:
    d = samples.control_slip()
    text = text_of(forms.control_slip(d))
    for value in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {d.code}",
        f"Người nộp hồ sơ: {d.applicant_name}",
        f"Nội dung yêu cầu giải quyết: {d.procedure_name}",
        "Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 05 tháng 7 năm 2025",
        "Thời gian hẹn trả kết quả: 16 giờ 30 phút, ngày 13 tháng 8 năm 2025",
        f"Cơ quan (bộ phận) giải quyết hồ sơ: {d.lead_agency}",
        f"Cơ quan phối hợp giải quyết hồ sơ: {d.partner_agencies}",
        "TÊN CƠ QUAN THỜI GIAN GIAO, NHẬN HỒ SƠ KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn) "
        "GHI CHÚ",
    ):
        assert value in text, value
    for row in d.rows:
        assert f"1. Giao: {row.giver} 2. Nhận: {row.receiver}" in text
        assert row.handed_at.strftime("%H giờ %M phút") in text
        assert row.result in text
        assert row.note in text


def test_blank_control_slip_has_rows_to_fill_by_hand(text_of: Text) -> None:
    d = dataclasses.replace(samples.control_slip(), rows=())
    assert text_of(forms.control_slip(d)).count("1. Giao: ......") == 4


def test_logbook_columns_and_rows(pages_of: Pages) -> None:
    d = samples.logbook(5)
    pdf = forms.logbook_pdf(d)
    page = pdf_page = pages_of(pdf)
    assert len(page) == 1
    text = pdf_page[0]
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Quyển số: 01 - Từ ngày 01/07/2025 đến ngày 31/07/2025" in text
    for value in (
        "TT",
        "Mã hồ sơ",
        "Tên TTHC",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Cơ quan chủ trì giải quyết",
        "Ngày, tháng, năm",
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Trả kết quả",
        "Phương thức nhận kết quả",
        "Ký nhận",
        "(1)",
        "(11)",
    ):
        assert value in text, value
    squeezed = text.replace(" ", "")
    for r in d.rows:
        assert r.code in squeezed
        for value in (r.procedure_name, r.applicant_name, r.address_phone, r.lead_agency, r.delivery_method):
            assert value in text, value
        assert r.received_at.strftime("%H:%M %d/%m/%Y") in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape


def test_long_logbook_repeats_the_header_and_numbers_pages(pages_of: Pages) -> None:
    d: LogbookData = samples.logbook(120)
    pages = pages_of(forms.logbook_pdf(d))
    assert len(pages) > 3
    for i, page in enumerate(pages, start=1):
        assert "Phương thức nhận kết quả" in page
        assert f"Trang {i}/{len(pages)}" in page
    squeezed = "".join(pages).replace(" ", "")
    for r in d.rows:
        assert r.code in squeezed


def test_handover_list(text_of: Text) -> None:
    d: HandoverListData = samples.handover()
    text = text_of(forms.handover_list(d))
    for value in (
        "DANH SÁCH HỒ SƠ ĐANG GIẢI QUYẾT BÀN GIAO",
        f"Căn cứ: {d.basis}",
        f"Bên giao: {d.from_unit}",
        f"Bên nhận: {d.to_unit}",
        "Thời gian bàn giao: 08 giờ 00 phút, ngày 01 tháng 7 năm 2025",
        "STT Mã hồ sơ Người nộp hồ sơ Thủ tục hành chính Tình trạng Hạn trả kết quả",
        "Tổng số: 03 hồ sơ.",
        "ĐẠI DIỆN BÊN GIAO",
        "ĐẠI DIỆN BÊN NHẬN",
        d.giver_name,
        d.receiver_name,
    ):
        assert value in text, value
    squeezed = text.replace(" ", "")
    for r in d.rows:
        assert r.code in squeezed
        for value in (r.applicant_name, r.procedure_name, r.status):
            assert value in text, value


def test_catalogue_list(text_of: Text) -> None:
    d: CatalogueListData = samples.catalogue()
    text = text_of(forms.catalogue_list(d))
    assert (
        "DANH MỤC THỦ TỤC HÀNH CHÍNH TIẾP NHẬN TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG BẮC GIANG" in text
    )
    assert "STT Mã thủ tục Tên thủ tục hành chính Thời hạn giải quyết Phí, lệ phí" in text
    for value in (
        "I. Lĩnh vực Hộ tịch",
        "II. Lĩnh vực Chứng thực",
        "IV. Lĩnh vực Đất đai",
        "Tổng số: 07 thủ tục",
    ):
        assert value in text, value
    for r in d.rows:
        for value in (r.code, r.name, r.time_text, r.fee_text):
            assert value in text, value


def test_empty_lists_still_print(text_of: Text) -> None:
    empty_log = dataclasses.replace(samples.logbook(), rows=())
    assert "Không có hồ sơ trong kỳ." in text_of(forms.logbook_pdf(empty_log))
    empty_hand = dataclasses.replace(samples.handover(), rows=())
    assert "Không có hồ sơ bàn giao." in text_of(forms.handover_list(empty_hand))


def test_every_form_is_deterministic() -> None:
    for name, factory in SAMPLES.items():
        assert forms.render(name, factory()) == forms.render(name, factory()), name


def test_a_very_long_table_cell_splits_across_pages(text_of: Text) -> None:
    huge = " ".join(f"đoạn{i}" for i in range(1500))
    d = dataclasses.replace(
        samples.supplement(),
        reason="",
        items=(dataclasses.replace(samples.supplement().items[0], name=huge),),
    )
    pdf = forms.supplement_request(d)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 2
    # Page footers and the repeated table header come between the pieces; the words all come, in order.
    words = [w for w in text_of(pdf).split() if w.startswith("đoạn")]
    assert words == huge.split()


def test_receipt_dates_are_printed_as_given() -> None:
    d: ReceiptData = dataclasses.replace(samples.receipt(), received_at=datetime(2026, 1, 2, 7, 0))
    assert forms.receipt_a4(d) != forms.receipt_a4(samples.receipt())
