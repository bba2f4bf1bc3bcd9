"""Mẫu 01 (A4 and 80 mm): every field printed with its diacritics, layout survives long input."""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from collections.abc import Callable

import pypdf
import pytest

from app.print import forms, samples
from app.print.model import Paper, ReceiptData

Text = Callable[[bytes], str]
Pages = Callable[[bytes], list[str]]


@pytest.fixture(scope="module")
def sample() -> ReceiptData:
    return samples.receipt()


@pytest.fixture(scope="module")
def a4(sample: ReceiptData) -> bytes:
    return forms.receipt_a4(sample)


def expected_fields(d: ReceiptData) -> list[str]:
    return [
        "ỦY BAN NHÂN DÂN PHƯỜNG BẮC GIANG",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG BẮC GIANG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bắc Giang, ngày 05 tháng 7 năm 2025",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {d.code}",
        f"Mã tra cứu: {d.lookup_secret}",
        f"{d.agency.name} tiếp nhận hồ sơ của: {d.applicant_name}",
        f"CCCD/MST: {d.applicant_id}",
        f"Địa chỉ: {d.address}",
        f"Số điện thoại: {d.phone}; Email: {d.email}",
        f"Nội dung yêu cầu giải quyết: {d.procedure_name} (mã thủ tục: {d.procedure_code})",
        "1. Thành phần hồ sơ, yêu cầu và số lượng mỗi loại giấy tờ gồm:",
        "STT Tên giấy tờ Loại giấy tờ (Bản chính/Bản sao) Số lượng",
        "2. Số lượng hồ sơ: 01 (bộ)",
        "3. Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 05 tháng 7 năm 2025",
        "4. Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 30 phút, ngày 13 tháng 8 năm 2025",
        "(Thời hạn giải quyết theo quy định: 27 ngày làm việc)",
        "5. Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công",
        "6. Phí, lệ phí (nếu có): 100.000 đồng",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 01, Số thứ tự: 125 (nếu có)",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        d.operator_name,
        "Ghi chú:",
        "mang theo Giấy tiếp nhận này, giấy tờ tùy thân và phí, lệ phí",
        f"Đường dây nóng: {d.agency.hotline}",
        d.agency.lookup_url,
    ]


def test_a4_has_every_field_on_both_copies(a4: bytes, sample: ReceiptData, pages_of: Pages) -> None:
    pages = pages_of(a4)
    assert len(pages) == 2
    assert "(Liên 1: Lưu)" in pages[0]
    assert "(Liên 2: Giao người nộp hồ sơ)" in pages[1]
    for page in pages:
        for value in expected_fields(sample):
            assert unicodedata.normalize("NFC", value) in page, value
        for i, paper in enumerate(sample.papers, start=1):
            assert paper.name in page
            assert f"{i} {paper.name}" in page
            assert paper.form_label in page
        assert "BẢN SAO" not in page


def test_a4_paper_rows_read_in_order(a4: bytes, sample: ReceiptData, text_of: Text) -> None:
    text = text_of(a4)
    row = "3 Giấy tờ về việc thừa kế quyền sử dụng đất Bản sao 02"
    assert row in text
    assert "6 Căn cước công dân của người nộp hồ sơ Xuất trình bản chính 01" in text


def test_a4_is_a4_with_embedded_fonts_only(a4: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(a4))
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595
        assert round(float(page.mediabox.height)) == 842
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            assert "BeVietnamPro" in str(font["/BaseFont"])
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
    assert b"Helvetica" not in a4


def test_reprint_says_copy(sample: ReceiptData, pages_of: Pages) -> None:
    pages = pages_of(forms.receipt_a4(dataclasses.replace(sample, copy_mark=True)))
    assert all("BẢN SAO" in page for page in pages)
    slip = pages_of(forms.receipt_80mm(dataclasses.replace(sample, copy_mark=True)))
    assert "BẢN SAO" in slip[0]


def test_fee_and_missing_values_wording(sample: ReceiptData, text_of: Text) -> None:
    free = dataclasses.replace(
        sample, fee_vnd=None, fee_text="", logbook_volume="", logbook_number="", email="", due_at=None
    )
    text = text_of(forms.receipt_a4(free))
    assert "6. Phí, lệ phí (nếu có): Không" in text
    assert "Quyển số: ......, Số thứ tự: ......" in text
    assert "Email" not in text
    assert "Không có ngày hẹn trả kết quả" in text
    text = text_of(forms.receipt_a4(samples.receipt_short()))
    assert "6. Phí, lệ phí (nếu có): Lệ phí: 50.000 đồng" in text
    assert "5. Đăng ký nhận kết quả tại: Qua dịch vụ bưu chính công ích" in text


def test_many_papers_and_long_names_flow_without_losing_text(sample: ReceiptData, pages_of: Pages) -> None:
    long_name = "Công ty trách nhiệm hữu hạn một thành viên " + "Thương mại Dịch vụ Xây dựng Phát triển " * 6
    papers = tuple(
        Paper(
            name=f"Giấy tờ số {i}: bản trích lục hộ tịch, sơ đồ thửa đất và văn bản ủy quyền kèm theo số {i}",
            form="copy" if i % 2 else "original",
            count=i % 3 + 1,
        )
        for i in range(1, 61)
    )
    data = dataclasses.replace(
        sample,
        applicant_name=long_name.strip(),
        procedure_name=sample.procedure_name + " " + sample.procedure_name,
        papers=papers,
        email="mot.dia.chi.thu.dien.tu.rat.dai.khong.co.khoang.trang.nao.ca@mot-ten-mien-rat-dai.example.vn",
    )
    pdf = forms.receipt_a4(data)
    pages = pages_of(pdf)
    assert len(pages) >= 4
    second = next(i for i, p in enumerate(pages) if "(Liên 2: Giao người nộp hồ sơ)" in p)
    copy1, copy2 = " ".join(pages[:second]), " ".join(pages[second:])
    for copy in (copy1, copy2):
        assert long_name.strip() in copy
        assert data.procedure_name in copy
        for i, paper in enumerate(papers, start=1):
            assert f"{i} {paper.name}" in copy, paper.name
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in copy
        assert data.email in copy.replace(" ", "")
        assert "(tiếp theo)" in copy
    assert "Liên 1" not in copy2


def test_nfd_input_prints_the_same_bytes(sample: ReceiptData) -> None:
    def nfd(value: object) -> object:
        if isinstance(value, str):
            return unicodedata.normalize("NFD", value)
        if isinstance(value, tuple):
            return tuple(nfd(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(
                value, **{f.name: nfd(getattr(value, f.name)) for f in dataclasses.fields(value)}
            )
        return value

    decomposed = nfd(sample)
    assert isinstance(decomposed, ReceiptData)
    assert decomposed.applicant_name != sample.applicant_name  # really decomposed
    assert forms.receipt_a4(decomposed) == forms.receipt_a4(sample)
    assert forms.receipt_80mm(decomposed) == forms.receipt_80mm(sample)


def test_80mm_slip(sample: ReceiptData, pages_of: Pages) -> None:
    pdf = forms.receipt_80mm(sample)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 80 * 72 / 25.4) < 0.1
    assert 300 < float(box.height) < 1400  # fitted to the content, not a fixed page
    text = pages_of(pdf)[0]
    for value in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {sample.code}",
        f"Người nộp: {sample.applicant_name}",
        f"Thủ tục: {sample.procedure_name}",
        "Nhận lúc: 09:05 05/07/2025",
        "Hẹn trả: 16:30 13/08/2025",
        "Phí, lệ phí: 100.000 đồng",
        "Mã tra cứu: K7Q2",
        f"Đường dây nóng: {sample.agency.hotline}",
    ):
        assert value in text, value


def test_80mm_height_grows_with_content(sample: ReceiptData) -> None:
    def height(d: ReceiptData) -> float:
        return float(pypdf.PdfReader(io.BytesIO(forms.receipt_80mm(d))).pages[0].mediabox.height)

    longer = dataclasses.replace(sample, procedure_name=sample.procedure_name * 3)
    assert height(longer) > height(sample)
