"""Fixed sample data for every form: used by the tests, ``tools/render_forms.py`` and the benchmark.

The values are made up (names, numbers, addresses) but shaped like real ones; the procedures and papers
follow ``shared/data/procedures-reference.md``. Changing anything here changes the golden hash.
"""

from __future__ import annotations

from datetime import date, datetime

from app.print.model import (
    RESULT_AT_CENTRE,
    Agency,
    ApologyData,
    CatalogueListData,
    CatalogueRow,
    ControlRow,
    ControlSlipData,
    HandoverListData,
    HandoverRow,
    LogbookData,
    LogbookRow,
    MissingItem,
    Paper,
    ReceiptData,
    RefusalData,
    StopData,
    SupplementData,
)

AGENCY = Agency(
    name="Trung tâm Phục vụ hành chính công phường Bắc Giang",
    parent_name="Ủy ban nhân dân phường Bắc Giang",
    place_name="Bắc Giang",
    eid="000.07.21.H24",
    address="Số 1 đường Nguyễn Văn Cừ, phường Bắc Giang, tỉnh Bắc Ninh",
    hotline="0204 3856 789",
    lookup_url="https://tracuu.motcua.example.vn/ho-so",
)

LAND_PROCEDURE = (
    "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản "
    "gắn liền với đất lần đầu đối với hộ gia đình, cá nhân, cộng đồng dân cư, người gốc Việt Nam định cư ở "
    "nước ngoài"
)

LAND_PAPERS = (
    Paper(name="Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu số 04/ĐK)", form="original", count=1),
    Paper(
        name="Giấy tờ về quyền sử dụng đất theo Điều 137 Luật Đất đai; sơ đồ nhà ở, công trình xây dựng",
        form="original_or_copy",
        count=1,
    ),
    Paper(name="Giấy tờ về việc thừa kế quyền sử dụng đất", form="copy", count=2),
    Paper(name="Chứng từ thực hiện nghĩa vụ tài chính về đất đai", form="original_or_copy", count=1),
    Paper(
        name="Văn bản xác định các thành viên có chung quyền sử dụng đất của hộ gia đình",
        form="original",
        count=1,
    ),
    Paper(name="Căn cước công dân của người nộp hồ sơ", form="show", count=1),
)


def receipt(code: str = "000.07.21.H24-250705-0012", *, copy_mark: bool = False) -> ReceiptData:
    """The sample receipt (a first land registration: long name, six papers)."""
    return ReceiptData(
        code=code,
        lookup_secret="K7Q2",
        agency=AGENCY,
        applicant_name="Nguyễn Thị Ngọc Ánh",
        applicant_id="024190001234",
        address="Số 18 ngõ 4 đường Xương Giang, phường Bắc Giang, tỉnh Bắc Ninh",
        phone="0912 345 678",
        email="ngocanh.nguyen@example.vn",
        procedure_name=LAND_PROCEDURE,
        procedure_code="1.013978",
        papers=LAND_PAPERS,
        sets_count=1,
        time_text="27 ngày làm việc",
        received_at=datetime(2025, 7, 5, 9, 5),
        due_at=datetime(2025, 8, 13, 16, 30),
        result_delivery=RESULT_AT_CENTRE,
        fee_vnd=100_000,
        logbook_volume="01",
        logbook_number="125",
        operator_name="Đặng Quốc Hưng",
        copy_mark=copy_mark,
    )


def receipt_short() -> ReceiptData:
    """A short receipt (household business) paid by post, with a fee text."""
    return ReceiptData(
        code="000.07.21.H24-250707-0003",
        lookup_secret="M3XD",
        agency=AGENCY,
        applicant_name="Trần Văn Đức",
        applicant_id="027085004567",
        address="Thôn Đồng Sơn, xã Đồng Sơn, tỉnh Bắc Ninh",
        phone="0987 654 321",
        procedure_name="Đăng ký thành lập hộ kinh doanh",
        procedure_code="1.001612",
        papers=(Paper(name="Giấy đề nghị đăng ký hộ kinh doanh", form="original", count=1),),
        time_text="03 ngày làm việc",
        received_at=datetime(2025, 7, 7, 14, 40),
        due_at=datetime(2025, 7, 10, 14, 40),
        result_delivery="Qua dịch vụ bưu chính công ích",
        fee_text="Lệ phí: 50.000 đồng",
        operator_name="Lê Thu Hà",
    )


def supplement() -> SupplementData:
    return SupplementData(
        code="000.07.21.H24-250705-0012",
        agency=AGENCY,
        applicant_name="Nguyễn Thị Ngọc Ánh",
        procedure_name=LAND_PROCEDURE,
        received_at=datetime(2025, 7, 5, 9, 5),
        items=(
            MissingItem(
                name="Mảnh trích đo bản đồ địa chính thửa đất số 125, tờ bản đồ số 12",
                reason="Thửa đất chưa có bản đồ địa chính",
            ),
            MissingItem(
                name="Văn bản thỏa thuận cấp chung một Giấy chứng nhận",
                reason="Thửa đất có nhiều người cùng sử dụng",
            ),
        ),
        reason="Hồ sơ chưa đủ thành phần theo quy định.",
        deadline=datetime(2025, 7, 15, 17, 0),
        issued_at=datetime(2025, 7, 8, 10, 0),
        operator_name="Đặng Quốc Hưng",
        contact="số điện thoại 0204 3856 789",
    )


def refusal() -> RefusalData:
    return RefusalData(
        agency=AGENCY,
        applicant_name="Phạm Thị Hồng Nhung",
        applicant_id="024195007788",
        address="Số 7 đường Hoàng Văn Thụ, phường Bắc Giang, tỉnh Bắc Ninh",
        phone="0903 112 233",
        procedure_name="Chứng thực di chúc",
        reason="Người yêu cầu chứng thực không có mặt để ký trước mặt người thực hiện chứng thực; "
        "di chúc có nội dung liên quan đến tài sản không thuộc quyền sở hữu của người lập di chúc.",
        issued_at=datetime(2025, 7, 9, 8, 30),
        operator_name="Lê Thu Hà",
    )


def apology() -> ApologyData:
    return ApologyData(
        code="000.07.21.H24-250705-0012",
        agency=AGENCY,
        applicant_name="Nguyễn Thị Ngọc Ánh",
        procedure_name=LAND_PROCEDURE,
        received_at=datetime(2025, 7, 5, 9, 5),
        old_due_at=datetime(2025, 8, 13, 16, 30),
        new_due_at=datetime(2025, 8, 20, 16, 30),
        reason="Phải xác minh nguồn gốc sử dụng đất với Ủy ban nhân dân xã nơi có đất trước đây.",
        issued_at=datetime(2025, 8, 12, 9, 0),
        doc_number="15/TB-TTPVHCC",
        signer_title="GIÁM ĐỐC",
        signer_name="Hoàng Minh Tuấn",
    )


def stop() -> StopData:
    return StopData(
        code="000.07.21.H24-250707-0003",
        agency=AGENCY,
        applicant_name="Trần Văn Đức",
        procedure_name="Đăng ký thành lập hộ kinh doanh",
        received_at=datetime(2025, 7, 7, 14, 40),
        reason="Người nộp hồ sơ có văn bản đề nghị dừng giải quyết hồ sơ ngày 08/7/2025.",
        return_note="Hồ sơ được trả lại tại Trung tâm; phí, lệ phí đã nộp không được hoàn trả theo quy định.",
        issued_at=datetime(2025, 7, 9, 15, 0),
        doc_number="16/TB-TTPVHCC",
        signer_name="Hoàng Minh Tuấn",
    )


def control_slip() -> ControlSlipData:
    return ControlSlipData(
        code="000.07.21.H24-250705-0012",
        agency=AGENCY,
        applicant_name="Nguyễn Thị Ngọc Ánh",
        procedure_name=LAND_PROCEDURE,
        received_at=datetime(2025, 7, 5, 9, 5),
        due_at=datetime(2025, 8, 13, 16, 30),
        lead_agency="Chi nhánh Văn phòng đăng ký đất đai khu vực Bắc Giang",
        partner_agencies="Phòng Kinh tế phường Bắc Giang",
        rows=(
            ControlRow(
                giver="Trung tâm Phục vụ hành chính công",
                receiver="Chi nhánh Văn phòng đăng ký đất đai",
                handed_at=datetime(2025, 7, 5, 14, 0),
                result="",
                note="Chuyển bản giấy",
            ),
            ControlRow(
                giver="Chi nhánh Văn phòng đăng ký đất đai",
                receiver="Phòng Kinh tế phường",
                handed_at=datetime(2025, 7, 14, 10, 30),
                result="Đúng hạn",
            ),
            ControlRow(
                giver="Phòng Kinh tế phường",
                receiver="Trung tâm Phục vụ hành chính công",
                handed_at=datetime(2025, 8, 11, 15, 45),
                result="Trước hạn",
                note="Có kết quả",
            ),
        ),
    )


def logbook(rows: int = 14) -> LogbookData:
    names = (
        "Nguyễn Thị Ngọc Ánh",
        "Trần Văn Đức",
        "Phạm Thị Hồng Nhung",
        "Lê Hoàng Long",
        "Vũ Thị Thu Thủy",
        "Đỗ Minh Khôi",
        "Bùi Quang Huy",
    )
    procs = (
        ("Đăng ký khai sinh", "Ủy ban nhân dân phường Bắc Giang"),
        ("Đăng ký thành lập hộ kinh doanh", "Phòng Kinh tế phường Bắc Giang"),
        ("Chứng thực bản sao từ bản chính", "Ủy ban nhân dân phường Bắc Giang"),
        (LAND_PROCEDURE, "Chi nhánh Văn phòng đăng ký đất đai khu vực Bắc Giang"),
    )
    out: list[LogbookRow] = []
    for i in range(rows):
        proc, lead = procs[i % len(procs)]
        day = 1 + i % 28
        out.append(
            LogbookRow(
                number=i + 1,
                code=f"000.07.21.H24-2507{day:02d}-{i + 1:04d}",
                procedure_name=proc,
                applicant_name=names[i % len(names)],
                address_phone=f"Phường Bắc Giang, tỉnh Bắc Ninh; 09{i:02d} 345 678",
                lead_agency=lead,
                received_at=datetime(2025, 7, day, 8 + i % 8, 15),
                due_at=datetime(2025, 7, min(28, day + 3), 16, 0),
                returned_at=datetime(2025, 7, min(28, day + 2), 10, 0) if i % 3 else None,
                delivery_method="Trực tiếp" if i % 2 else "Bưu chính",
            )
        )
    return LogbookData(
        agency=AGENCY,
        period_from=date(2025, 7, 1),
        period_to=date(2025, 7, 31),
        rows=tuple(out),
        volume="01",
        issued_at=datetime(2025, 8, 1, 8, 0),
    )


def handover() -> HandoverListData:
    return HandoverListData(
        agency=AGENCY,
        from_unit="Bộ phận Một cửa Ủy ban nhân dân phường Trần Phú (cũ)",
        to_unit="Trung tâm Phục vụ hành chính công phường Bắc Giang",
        rows=(
            HandoverRow(
                code="000.22.21.H24-250625-0007",
                applicant_name="Lê Hoàng Long",
                procedure_name="Đăng ký kết hôn",
                status="Đang xử lý",
                due_at=datetime(2025, 7, 2, 16, 0),
            ),
            HandoverRow(
                code="000.22.21.H24-250627-0011",
                applicant_name="Vũ Thị Thu Thủy",
                procedure_name="Cấp Giấy xác nhận tình trạng hôn nhân",
                status="Chờ bổ sung",
                due_at=datetime(2025, 7, 3, 16, 0),
            ),
            HandoverRow(
                code="000.22.21.H24-250630-0002",
                applicant_name="Đỗ Minh Khôi",
                procedure_name=LAND_PROCEDURE,
                status="Đang xử lý",
                due_at=datetime(2025, 8, 8, 16, 0),
            ),
        ),
        issued_at=datetime(2025, 7, 1, 8, 0),
        basis="Nghị quyết của Ủy ban Thường vụ Quốc hội về việc sắp xếp các đơn vị hành chính cấp xã "
        "của tỉnh Bắc Ninh năm 2025",
        giver_name="Nguyễn Văn Bình",
        receiver_name="Hoàng Minh Tuấn",
    )


def catalogue() -> CatalogueListData:
    rows = (
        CatalogueRow(
            code="1.001193",
            name="Đăng ký khai sinh",
            field="Hộ tịch",
            time_text="Trong ngày; sau 15 giờ trả trong ngày làm việc tiếp theo",
            fee_text="Miễn lệ phí nếu đăng ký đúng hạn",
        ),
        CatalogueRow(
            code="1.000894",
            name="Đăng ký kết hôn",
            field="Hộ tịch",
            time_text="Trong ngày; sau 15 giờ trả trong ngày làm việc tiếp theo",
            fee_text="Miễn lệ phí",
        ),
        CatalogueRow(
            code="2.000635",
            name="Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
            field="Hộ tịch",
            time_text="Trong ngày",
            fee_text="8.000 đồng/bản sao",
        ),
        CatalogueRow(
            code="2.000815",
            name="Chứng thực bản sao từ bản chính",
            field="Chứng thực",
            time_text="Trong ngày",
            fee_text="2.000 đồng/trang; từ trang thứ ba 1.000 đồng/trang",
        ),
        CatalogueRow(
            code="2.001035",
            name="Chứng thực giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
            field="Chứng thực",
            time_text="02 ngày làm việc",
            fee_text="50.000 đồng/giao dịch",
        ),
        CatalogueRow(
            code="1.001612",
            name="Đăng ký thành lập hộ kinh doanh",
            field="Thành lập và hoạt động của hộ kinh doanh",
            time_text="03 ngày làm việc",
            fee_text="50.000 đồng",
        ),
        CatalogueRow(
            code="1.013978",
            name=LAND_PROCEDURE,
            field="Đất đai",
            time_text="27 ngày làm việc",
            fee_text="Theo Nghị quyết của HĐND tỉnh",
        ),
    )
    return CatalogueListData(agency=AGENCY, rows=rows, issued_at=datetime(2025, 7, 1, 8, 0))
