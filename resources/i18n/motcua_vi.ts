<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>ActionDialog</name>
    <message>
        <source>Forward to:</source>
        <translation>Chuyển đến:</translation>
    </message>
    <message>
        <source>One paper per line; after a colon, what is wrong with it</source>
        <translation>Mỗi dòng một giấy tờ; sau dấu hai chấm ghi lý do cần bổ sung</translation>
    </message>
    <message>
        <source>Missing papers:</source>
        <translation>Giấy tờ cần bổ sung:</translation>
    </message>
    <message>
        <source>Supplement by:</source>
        <translation>Hạn bổ sung:</translation>
    </message>
    <message>
        <source>New due date:</source>
        <translation>Ngày hẹn trả mới:</translation>
    </message>
    <message>
        <source>The applicant: %1</source>
        <translation>Người nộp hồ sơ: %1</translation>
    </message>
    <message>
        <source>An authorised person</source>
        <translation>Người được ủy quyền</translation>
    </message>
    <message>
        <source>Collected &amp;by:</source>
        <translation>Người &amp;nhận kết quả:</translation>
    </message>
    <message>
        <source>Authorised person&apos;s &amp;name:</source>
        <translation>&amp;Họ tên người được ủy quyền:</translation>
    </message>
    <message>
        <source>12-digit personal ID number</source>
        <translation>Số định danh cá nhân 12 chữ số</translation>
    </message>
    <message>
        <source>Authorised person&apos;s &amp;ID number:</source>
        <translation>Số định &amp;danh của người được ủy quyền:</translation>
    </message>
    <message>
        <source>Reason (required):</source>
        <translation>Lý do (bắt buộc):</translation>
    </message>
    <message>
        <source>Note (optional):</source>
        <translation>Ghi chú (không bắt buộc):</translation>
    </message>
    <message>
        <source>List at least one missing paper.</source>
        <translation>Hãy ghi ít nhất một giấy tờ cần bổ sung.</translation>
    </message>
</context>
<context>
    <name>CitizenHistory</name>
    <message>
        <source>%1 · %2 · %3 · received %4</source>
        <translation>%1 · %2 · %3 · nhận ngày %4</translation>
    </message>
    <message>
        <source>(no number)</source>
        <translation>(không có số)</translation>
    </message>
    <message>
        <source>Earlier dossiers of this citizen (%1) — Alt+K, Enter opens</source>
        <translation>Hồ sơ trước đây của công dân (%1) — Alt+K, Enter để mở</translation>
    </message>
</context>
<context>
    <name>CommunePicker</name>
    <message>
        <source>By the applicant&apos;s residence; or type the commune of the land or business</source>
        <translation>Theo nơi cư trú của người nộp; hoặc gõ tên xã, phường nơi có đất, nơi kinh doanh</translation>
    </message>
    <message>
        <source>%1 — %2 (%3)</source>
        <translation>%1 — %2 (%3)</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>Loading…</source>
        <extracomment>Rows of the at-risk table filled per turn of the event loop (about 5 ms on the offscreen platform).</extracomment>
        <translation>Đang tải…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Làm mới</translation>
    </message>
    <message>
        <source>&amp;Portal reconciliation…</source>
        <translation>Đối &amp;soát với Cổng DVC…</translation>
    </message>
    <message>
        <source>On time (indicator 2.1), % by month</source>
        <translation>Đúng hạn (chỉ số 2.1), % theo tháng</translation>
    </message>
    <message>
        <source>Open dossiers by status</source>
        <translation>Hồ sơ đang giải quyết theo trạng thái</translation>
    </message>
    <message>
        <source>This month on time by counter, %</source>
        <translation>Đúng hạn tháng này theo quầy, %</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Hẹn trả</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>At risk in the next 8 working hours</source>
        <translation>Có nguy cơ quá hạn trong 8 giờ làm việc tới</translation>
    </message>
    <message>
        <source>The figures could not be computed.</source>
        <translation>Không tính được số liệu.</translation>
    </message>
    <message>
        <source>This month on time: %1 · open dossiers: %2 · at risk: %3</source>
        <translation>Đúng hạn tháng này: %1 · hồ sơ đang giải quyết: %2 · có nguy cơ: %3</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(không có)</translation>
    </message>
    <message>
        <source>Turning late</source>
        <translation>Sắp quá hạn</translation>
    </message>
    <message>
        <source>Second supplement request</source>
        <translation>Yêu cầu bổ sung lần thứ hai</translation>
    </message>
    <message>
        <source>Online acceptance deadline</source>
        <translation>Sắp hết hạn tiếp nhận trực tuyến</translation>
    </message>
</context>
<context>
    <name>DeskPage</name>
    <message>
        <source>&amp;Search:</source>
        <translation>&amp;Tìm:</translation>
    </message>
    <message>
        <source>Code, ID number, phone or name (no diacritics needed) — Ctrl+F</source>
        <translation>Mã hồ sơ, số định danh, số điện thoại hoặc họ tên (gõ không dấu cũng được) — Ctrl+F</translation>
    </message>
    <message>
        <source>Select several with Shift+↓ or Ctrl+click (Ctrl+A all), then F7</source>
        <translation>Chọn nhiều hồ sơ bằng Shift+↓ hoặc Ctrl+bấm chuột (Ctrl+A: tất cả), rồi bấm F7</translation>
    </message>
    <message>
        <source>Forward the selected and print one hand-over slip (F7)</source>
        <translation>Chuyển các hồ sơ đã chọn và in danh sách bàn giao (F7)</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>Sắp đến hạn</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <source>Enter opens (in the search box: the only hit) · Alt+1…8 lists · Esc clears the search</source>
        <translation>Enter mở hồ sơ (ở ô tìm: khi chỉ có một kết quả) · Alt+1…8 chọn danh sách · Esc xóa ô tìm</translation>
    </message>
    <message>
        <source>%1: %2 dossier(s)</source>
        <translation>%1: %2 hồ sơ</translation>
    </message>
    <message>
        <source>Forward dossiers</source>
        <translation>Chuyển hồ sơ</translation>
    </message>
    <message>
        <source>Forward the %1 selected dossier(s) to the agency that resolves them and print one hand-over slip?</source>
        <translation>Chuyển %1 hồ sơ đã chọn đến cơ quan giải quyết và in một danh sách bàn giao?</translation>
    </message>
    <message>
        <source>Forwarded %1 dossier(s) to %2.</source>
        <translation>Đã chuyển %1 hồ sơ đến %2.</translation>
    </message>
    <message>
        <source>Hand-over slip — %1</source>
        <translation>Danh sách bàn giao hồ sơ — %1</translation>
    </message>
</context>
<context>
    <name>DeskStatusBar</name>
    <message>
        <source>No centre</source>
        <extracomment>The operator clicked the count of rejected events.</extracomment>
        <translation>Chưa có trung tâm</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>Chưa đăng nhập</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Ngoại tuyến</translation>
    </message>
    <message>
        <source>Operator: %1 · %2</source>
        <translation>Cán bộ: %1 · %2</translation>
    </message>
    <message>
        <source>Operator: %1</source>
        <translation>Cán bộ: %1</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Trực tuyến</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Đang đồng bộ…</translation>
    </message>
    <message>
        <source>Sync error</source>
        <translation>Lỗi đồng bộ</translation>
    </message>
    <message>
        <source>Not enrolled</source>
        <translation>Chưa đăng ký</translation>
    </message>
    <message>
        <source>Clock off</source>
        <translation>Đồng hồ lệch</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>Đồng bộ lần cuối: %1</translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>Chưa đồng bộ lần nào</translation>
    </message>
    <message>
        <source>To sync: %1</source>
        <translation>Chờ đồng bộ: %1</translation>
    </message>
    <message>
        <source>Files to send: %1 (%2 MB)</source>
        <translation>Tệp chờ gửi: %1 (%2 MB)</translation>
    </message>
    <message>
        <source>files refused: %1</source>
        <translation>tệp bị từ chối: %1</translation>
    </message>
    <message>
        <source>Rejected: %1</source>
        <translation>Bị từ chối: %1</translation>
    </message>
    <message>
        <source>Events the server refused: click to see why</source>
        <translation>Sự kiện bị máy chủ từ chối: bấm để xem lý do</translation>
    </message>
    <message>
        <source>Clock off: fix the date and time</source>
        <translation>Đồng hồ lệch: hãy chỉnh lại ngày giờ</translation>
    </message>
    <message>
        <source>Clock %1 min fast: fix the date and time</source>
        <translation>Đồng hồ máy nhanh %1 phút: hãy chỉnh ngày giờ</translation>
    </message>
    <message>
        <source>Clock %1 min slow: fix the date and time</source>
        <translation>Đồng hồ máy chậm %1 phút: hãy chỉnh ngày giờ</translation>
    </message>
    <message>
        <source>Data NOT encrypted: no keyring</source>
        <translation>Dữ liệu KHÔNG được mã hóa: không có kho khóa</translation>
    </message>
    <message>
        <source>This computer has no OS keyring to keep the encryption key, so citizens&apos; data is stored unencrypted. Install gnome-keyring or KWallet and start the desk again: it is encrypted then.</source>
        <translation>Máy này không có kho khóa bảo mật của hệ điều hành (keyring) để giữ khóa mã hóa, nên dữ liệu công dân được lưu ở dạng không mã hóa. Hãy cài gnome-keyring hoặc KWallet rồi mở lại phần mềm: dữ liệu sẽ được mã hóa khi đó.</translation>
    </message>
</context>
<context>
    <name>DeskTableModel</name>
    <message>
        <source>Code</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>Người nộp</translation>
    </message>
    <message>
        <source>Procedure</source>
        <translation>Thủ tục</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Ngày nhận</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Hẹn trả</translation>
    </message>
    <message>
        <source>Handling agency</source>
        <translation>Cơ quan giải quyết</translation>
    </message>
    <message>
        <source>(no number)</source>
        <translation>(không có số)</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>Sắp đến hạn</translation>
    </message>
</context>
<context>
    <name>DetailPage</name>
    <message>
        <source>No dossier is open. Open one from the desk (F3).</source>
        <translation>Chưa mở hồ sơ nào. Hãy mở hồ sơ từ bàn làm việc (F3).</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>Người nộp</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Họ tên:</translation>
    </message>
    <message>
        <source>ID number:</source>
        <translation>Số định danh:</translation>
    </message>
    <message>
        <source>Born:</source>
        <translation>Ngày sinh:</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>Điện thoại:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Địa chỉ:</translation>
    </message>
    <message>
        <source>Dossier</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <source>Procedure:</source>
        <translation>Thủ tục:</translation>
    </message>
    <message>
        <source>Received:</source>
        <translation>Tiếp nhận:</translation>
    </message>
    <message>
        <source>Due:</source>
        <translation>Hẹn trả:</translation>
    </message>
    <message>
        <source>Fee:</source>
        <translation>Phí, lệ phí:</translation>
    </message>
    <message>
        <source>Result:</source>
        <translation>Nhận kết quả:</translation>
    </message>
    <message>
        <source>Agencies</source>
        <translation>Cơ quan</translation>
    </message>
    <message>
        <source>Routing:</source>
        <translation>Luồng xử lý:</translation>
    </message>
    <message>
        <source>Receiving:</source>
        <translation>Tiếp nhận:</translation>
    </message>
    <message>
        <source>Competent:</source>
        <translation>Có thẩm quyền:</translation>
    </message>
    <message>
        <source>Handling:</source>
        <translation>Đang giải quyết:</translation>
    </message>
    <message>
        <source>Papers received</source>
        <translation>Giấy tờ đã nhận</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Quá trình xử lý</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Thời điểm</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Bước</translation>
    </message>
    <message>
        <source>Status after</source>
        <translation>Trạng thái sau</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Người thực hiện</translation>
    </message>
    <message>
        <source>Reason / note</source>
        <translation>Lý do / ghi chú</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <source>Reprint the receipt</source>
        <translation>In lại giấy tiếp nhận</translation>
    </message>
    <message>
        <source>Print the control slip</source>
        <translation>In phiếu kiểm soát</translation>
    </message>
    <message>
        <source>Reprint the refusal slip</source>
        <translation>In lại phiếu từ chối</translation>
    </message>
    <message>
        <source>Back to the desk (Esc)</source>
        <translation>Về bàn làm việc (Esc)</translation>
    </message>
    <message>
        <source>Digitised papers (F8)</source>
        <translation>Giấy tờ số hóa (F8)</translation>
    </message>
    <message>
        <source>Refused at intake (no number)</source>
        <translation>Từ chối tiếp nhận (không cấp số)</translation>
    </message>
    <message>
        <source> — overdue</source>
        <translation> — quá hạn</translation>
    </message>
    <message>
        <source> — due soon</source>
        <translation> — sắp đến hạn</translation>
    </message>
    <message>
        <source>%1 — %2 × %3</source>
        <translation>%1 — %2 × %3</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>%1 — collected by %2</source>
        <translation>%1 — người nhận: %2</translation>
    </message>
    <message>
        <source>The dossier is closed: no further action.</source>
        <translation>Hồ sơ đã kết thúc: không còn thao tác nào.</translation>
    </message>
    <message>
        <source>authorised person %1 (ID %2)</source>
        <translation>người được ủy quyền %1 (CCCD %2)</translation>
    </message>
    <message>
        <source>the applicant %1</source>
        <translation>người nộp hồ sơ %1</translation>
    </message>
    <message>
        <source>Digitised papers of dossier %1</source>
        <translation>Giấy tờ số hóa của hồ sơ %1</translation>
    </message>
    <message>
        <source>Recorded: %1.</source>
        <translation>Đã ghi nhận: %1.</translation>
    </message>
    <message>
        <source>Recorded, but the slip was not printed: %1</source>
        <translation>Đã ghi nhận nhưng chưa in được phiếu: %1</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>Ctrl+Enter accepts · Esc cancels</source>
        <translation>Ctrl+Enter để đồng ý · Esc để hủy</translation>
    </message>
</context>
<context>
    <name>DigitisePanel</name>
    <message>
        <source>&amp;Papers:</source>
        <translation>&amp;Giấy tờ:</translation>
    </message>
    <message>
        <source>Scanner:</source>
        <translation>Máy quét:</translation>
    </message>
    <message>
        <source>Feeder</source>
        <translation>Khay nạp giấy</translation>
    </message>
    <message>
        <source>&amp;Declared pages:</source>
        <translation>Số trang &amp;khai báo:</translation>
    </message>
    <message>
        <source>No copy needed (E):</source>
        <translation>Không phải số hóa (E):</translation>
    </message>
    <message>
        <source>— (the paper is digitised)</source>
        <translation>— (giấy tờ được số hóa)</translation>
    </message>
    <message>
        <source>Reuse (U):</source>
        <translation>Dùng lại (U):</translation>
    </message>
    <message>
        <source>Scan (F8)</source>
        <translation>Quét (F8)</translation>
    </message>
    <message>
        <source>Rescan page (Shift+F8)</source>
        <translation>Quét lại trang (Shift+F8)</translation>
    </message>
    <message>
        <source>Sticky-note image (Ctrl+F8)</source>
        <translation>Ảnh có giấy ghi chú (Ctrl+F8)</translation>
    </message>
    <message>
        <source>Files… (Ctrl+O)</source>
        <translation>Chọn tệp… (Ctrl+O)</translation>
    </message>
    <message>
        <source>Rotate (R)</source>
        <translation>Xoay (R)</translation>
    </message>
    <message>
        <source>Delete page (Del)</source>
        <translation>Xóa trang (Del)</translation>
    </message>
    <message>
        <source>View file (V)</source>
        <translation>Xem tệp (V)</translation>
    </message>
    <message>
        <source>Store (Ctrl+S)</source>
        <translation>Lưu (Ctrl+S)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Đóng (Esc)</translation>
    </message>
    <message>
        <source>%1 — no copy: %2</source>
        <translation>%1 — không số hóa: %2</translation>
    </message>
    <message>
        <source>%1 — reused from dossier %2 (%3 pages)</source>
        <translation>%1 — dùng lại từ hồ sơ %2 (%3 trang)</translation>
    </message>
    <message>
        <source>%1 — %2/%3 pages, not stored yet</source>
        <translation>%1 — %2/%3 trang, chưa lưu</translation>
    </message>
    <message>
        <source> — MISMATCH</source>
        <translation> — LỆCH SỐ TRANG</translation>
    </message>
    <message>
        <source>%1 — stored: no copy (%2)</source>
        <translation>%1 — đã lưu: không số hóa (%2)</translation>
    </message>
    <message>
        <source>%1 — stored: %2 pages%3 · OCR %4 · upload %5</source>
        <translation>%1 — đã lưu %2 trang%3 · OCR %4 · tải lên %5</translation>
    </message>
    <message>
        <source> (reused)</source>
        <translation> (dùng lại)</translation>
    </message>
    <message>
        <source>%1 — not digitised</source>
        <translation>%1 — chưa số hóa</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>%1 (dossier %2, %3 pages, %4)</source>
        <translation>%1 (hồ sơ %2, %3 trang, %4)</translation>
    </message>
    <message>
        <source>Page %1</source>
        <translation>Trang %1</translation>
    </message>
    <message>
        <source> + note</source>
        <translation> + ghi chú</translation>
    </message>
    <message>
        <source>no scanner found</source>
        <translation>không tìm thấy máy quét</translation>
    </message>
    <message>
        <source>Scanning…</source>
        <translation>Đang quét…</translation>
    </message>
    <message>
        <source>Reading the files…</source>
        <translation>Đang đọc tệp…</translation>
    </message>
    <message>
        <source>%1 page(s) added to %2.</source>
        <translation>Đã thêm %1 trang vào «%2».</translation>
    </message>
    <message>
        <source>Scanning the page with its sticky note…</source>
        <translation>Đang quét trang có giấy ghi chú…</translation>
    </message>
    <message>
        <source>Page %1: sticky-note image added.</source>
        <translation>Trang %1: đã thêm ảnh có giấy ghi chú.</translation>
    </message>
    <message>
        <source>Page %1 scanned again.</source>
        <translation>Đã quét lại trang %1.</translation>
    </message>
    <message>
        <source>Choose the scanned pages</source>
        <translation>Chọn các trang đã quét</translation>
    </message>
    <message>
        <source>Images and PDF (%1)</source>
        <translation>Ảnh và PDF (%1)</translation>
    </message>
    <message>
        <source>No digitised paper of this citizen to reuse.</source>
        <translation>Công dân này không có giấy tờ đã số hóa để dùng lại.</translation>
    </message>
    <message>
        <source>%1: reused from dossier %2.</source>
        <translation>%1: dùng lại từ hồ sơ %2.</translation>
    </message>
    <message>
        <source>This paper has no stored file yet.</source>
        <translation>Giấy tờ này chưa có tệp đã lưu.</translation>
    </message>
    <message>
        <source>Opening the file…</source>
        <translation>Đang mở tệp…</translation>
    </message>
    <message>
        <source>Nothing to store: scan or choose pages first.</source>
        <translation>Chưa có gì để lưu: hãy quét hoặc chọn trang trước.</translation>
    </message>
    <message>
        <source>Compressing the pages…</source>
        <translation>Đang nén các trang…</translation>
    </message>
    <message>
        <source>Storing…</source>
        <translation>Đang lưu…</translation>
    </message>
    <message>
        <source>%1 paper(s) stored. Text recognition runs in the background.</source>
        <translation>%1 giấy tờ đã được lưu. Nhận dạng chữ chạy ngầm.</translation>
    </message>
    <message>
        <source>Text recognition (OCR): %1 file(s) waiting</source>
        <translation>Nhận dạng chữ (OCR): %1 tệp đang chờ</translation>
    </message>
    <message>
        <source>Text recognition (OCR): nothing waiting</source>
        <translation>Nhận dạng chữ (OCR): không có tệp chờ</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Enrol this workstation</source>
        <extracomment>The server&apos;s answer (:class:`~app.contract.EnrollResponse`) after a successful enrolment.</extracomment>
        <translation>Đăng ký máy trạm</translation>
    </message>
    <message>
        <source>Enter the provincial server&apos;s address and the one-time enrolment code given by the administrator. The device key is kept in the operating system&apos;s keyring.</source>
        <translation>Nhập địa chỉ máy chủ tỉnh và mã đăng ký một lần do quản trị viên cấp. Khóa thiết bị được lưu trong kho khóa bảo mật (keyring) của hệ điều hành.</translation>
    </message>
    <message>
        <source>&amp;Server address:</source>
        <translation>Địa chỉ &amp;máy chủ:</translation>
    </message>
    <message>
        <source>One-time &amp;code:</source>
        <translation>&amp;Mã đăng ký một lần:</translation>
    </message>
    <message>
        <source>&amp;Workstation name:</source>
        <translation>&amp;Tên máy trạm:</translation>
    </message>
    <message>
        <source>&amp;Enrol</source>
        <translation>Đăng &amp;ký</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Đón&amp;g</translation>
    </message>
    <message>
        <source>Enter the server address.</source>
        <translation>Hãy nhập địa chỉ máy chủ.</translation>
    </message>
    <message>
        <source>Enter the one-time enrolment code.</source>
        <translation>Hãy nhập mã đăng ký một lần.</translation>
    </message>
    <message>
        <source>Enter a name for this workstation.</source>
        <translation>Hãy nhập tên cho máy trạm này.</translation>
    </message>
    <message>
        <source>Contacting the server…</source>
        <translation>Đang kết nối máy chủ…</translation>
    </message>
    <message>
        <source>Enrolled with %1 (%2); workstation slot: %3. Sync starts now.</source>
        <translation>Đã đăng ký với %1 (%2); số hiệu máy trạm: %3. Bắt đầu đồng bộ ngay.</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Unexpected error. Nothing was half-saved; try again, and if it happens again call IT support (the details are in the log file).</source>
        <translation>Lỗi không mong đợi. Không có gì bị lưu dở dang; hãy thử lại, nếu vẫn lỗi hãy gọi bộ phận CNTT (chi tiết có trong tệp nhật ký).</translation>
    </message>
    <message>
        <source>Cannot do that</source>
        <translation>Không thực hiện được</translation>
    </message>
    <message>
        <source>Database problem</source>
        <translation>Lỗi cơ sở dữ liệu</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>Lỗi không mong đợi</translation>
    </message>
</context>
<context>
    <name>FileViewer</name>
    <message>
        <source>PgUp / PgDn page · Ctrl++ / Ctrl+− zoom · Ctrl+0 whole page · Esc close</source>
        <translation>PgUp / PgDn chuyển trang · Ctrl++ / Ctrl+− phóng to, thu nhỏ · Ctrl+0 cả trang · Esc đóng</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Đóng (Esc)</translation>
    </message>
    <message>
        <source>The file could not be opened.</source>
        <translation>Không mở được tệp.</translation>
    </message>
    <message>
        <source>Page %1 of %2 · zoom %3 %</source>
        <translation>Trang %1/%2 · thu phóng %3 %</translation>
    </message>
</context>
<context>
    <name>IntakePage</name>
    <message>
        <source>Scan the citizen&apos;s ID card at any time: the fields fill themselves.</source>
        <translation>Quét thẻ căn cước của công dân bất cứ lúc nào: thông tin tự điền vào biểu mẫu.</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>Người nộp</translation>
    </message>
    <message>
        <source>Full &amp;name:</source>
        <translation>&amp;Họ và tên:</translation>
    </message>
    <message>
        <source>Personal &amp;ID:</source>
        <translation>Số định &amp;danh:</translation>
    </message>
    <message>
        <source>Old ID (CMND):</source>
        <translation>Số CMND cũ:</translation>
    </message>
    <message>
        <source>&amp;Birth date:</source>
        <translation>&amp;Ngày sinh:</translation>
    </message>
    <message>
        <source>&amp;Telephone:</source>
        <translation>Điện th&amp;oại:</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>Thư điện tử:</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>Nơi &amp;cư trú:</translation>
    </message>
    <message>
        <source>dd/mm/yyyy</source>
        <translation>nn/tt/nnnn</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Nam</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Nữ</translation>
    </message>
    <message>
        <source>&amp;Gender:</source>
        <translation>&amp;Giới tính:</translation>
    </message>
    <message>
        <source>Dossier</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <source>&amp;Procedure:</source>
        <translation>Thủ tục (&amp;P):</translation>
    </message>
    <message>
        <source>Competent co&amp;mmune (if not the residence):</source>
        <translation>Xã, phường giải quyết (&amp;M) (nếu không theo nơi cư trú):</translation>
    </message>
    <message>
        <source>Pape&amp;rs received (Space ticks, + / − count, Ctrl+A all):</source>
        <translation>Thành phần hồ sơ đã nhận (&amp;R) (Space đánh dấu, + / − số lượng, Ctrl+A tất cả):</translation>
    </message>
    <message>
        <source>Sets:</source>
        <translation>Số bộ:</translation>
    </message>
    <message>
        <source>Result at the counter</source>
        <translation>Nhận kết quả tại Trung tâm</translation>
    </message>
    <message>
        <source>Result by post</source>
        <translation>Nhận kết quả qua bưu chính</translation>
    </message>
    <message>
        <source>Pages:</source>
        <translation>Số trang:</translation>
    </message>
    <message>
        <source>Copies:</source>
        <translation>Số bản:</translation>
    </message>
    <message>
        <source>Fee exemption: its ground (empty if none)</source>
        <translation>Miễn phí, lệ phí: ghi căn cứ miễn (để trống nếu không miễn)</translation>
    </message>
    <message>
        <source>Notify the applicant by:</source>
        <translation>Thông báo cho người nộp qua:</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Thư điện tử</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <source>Zalo</source>
        <translation>Zalo</translation>
    </message>
    <message>
        <source>Notes (optional)</source>
        <translation>Ghi chú (không bắt buộc)</translation>
    </message>
    <message>
        <source>Fee, time and routing</source>
        <translation>Phí, thời hạn và luồng xử lý</translation>
    </message>
    <message>
        <source>Fee:</source>
        <translation>Phí, lệ phí:</translation>
    </message>
    <message>
        <source>Processing time:</source>
        <translation>Thời hạn giải quyết:</translation>
    </message>
    <message>
        <source>Due:</source>
        <translation>Hẹn trả:</translation>
    </message>
    <message>
        <source>Routing:</source>
        <translation>Luồng xử lý:</translation>
    </message>
    <message>
        <source>Competent agency:</source>
        <translation>Cơ quan có thẩm quyền:</translation>
    </message>
    <message>
        <source>&amp;Save and print (Ctrl+Enter)</source>
        <translation>&amp;Lưu và in (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Refuse… (Ctrl+R)</source>
        <translation>Từ chối… (Ctrl+R)</translation>
    </message>
    <message>
        <source>&amp;Clear form (Ctrl+N)</source>
        <translation>&amp;Xóa biểu mẫu (Ctrl+N)</translation>
    </message>
    <message>
        <source>Digitise the papers… (F8)</source>
        <translation>Số hóa giấy tờ… (F8)</translation>
    </message>
    <message>
        <source>A form left unfinished was restored.</source>
        <translation>Đã khôi phục biểu mẫu đang nhập dở.</translation>
    </message>
    <message>
        <source>Clear the form</source>
        <translation>Xóa biểu mẫu</translation>
    </message>
    <message>
        <source>Clear everything typed for this citizen? It is not saved.</source>
        <translation>Xóa mọi thông tin đã nhập cho công dân này? Thông tin chưa được lưu.</translation>
    </message>
    <message>
        <source>&amp;Clear</source>
        <translation>&amp;Xóa</translation>
    </message>
    <message>
        <source>&amp;Keep</source>
        <translation>&amp;Giữ lại</translation>
    </message>
    <message>
        <source>The card could not be read: %1</source>
        <translation>Không đọc được thẻ: %1</translation>
    </message>
    <message>
        <source>Card read for %1. Could not read: %2</source>
        <translation>Đã đọc thẻ của %1. Không đọc được: %2</translation>
    </message>
    <message>
        <source>Card read: %1, %2.</source>
        <translation>Đã đọc thẻ: %1, %2.</translation>
    </message>
    <message>
        <source>Choose the procedure: type a few letters, then Enter.</source>
        <translation>Hãy chọn thủ tục: gõ vài chữ rồi nhấn Enter.</translation>
    </message>
    <message>
        <source>Tick the papers received (Space).</source>
        <translation>Hãy đánh dấu các giấy tờ đã nhận (phím Space).</translation>
    </message>
    <message>
        <source>Digitise the papers of this dossier</source>
        <translation>Số hóa giấy tờ của hồ sơ này</translation>
    </message>
    <message>
        <source>%1 paper(s) digitised: stored when the dossier is saved (Ctrl+Enter).</source>
        <translation>Đã số hóa %1 giấy tờ: sẽ lưu khi lưu hồ sơ (Ctrl+Enter).</translation>
    </message>
    <message>
        <source>%1 paper(s) already digitised for this citizen: F12 reuses them.</source>
        <translation>Có %1 giấy tờ đã số hóa của công dân này: F12 để dùng lại.</translation>
    </message>
    <message>
        <source>No paper already digitised for this citizen.</source>
        <translation>Công dân này chưa có giấy tờ nào đã số hóa.</translation>
    </message>
    <message>
        <source>Reused: %1.</source>
        <translation>Dùng lại: %1.</translation>
    </message>
    <message>
        <source>None of the ticked papers is one already digitised: tick it, or choose it in F8.</source>
        <translation>Không giấy tờ đã đánh dấu nào trùng với giấy tờ đã số hóa: hãy đánh dấu nó, hoặc chọn trong F8.</translation>
    </message>
    <message>
        <source>%1 has pages but is not ticked: tick it or delete its pages (F8).</source>
        <translation>«%1» đã có trang quét nhưng chưa được đánh dấu: hãy đánh dấu hoặc xóa các trang (F8).</translation>
    </message>
    <message>
        <source>Compressing the digitised pages…</source>
        <translation>Đang nén các trang đã số hóa…</translation>
    </message>
    <message>
        <source>Saving the dossier and its papers…</source>
        <translation>Đang lưu hồ sơ và giấy tờ…</translation>
    </message>
    <message>
        <source>The dossier was received, but these papers were not stored: %1 (%2). Digitise them again from the dossier screen (F8).</source>
        <translation>Hồ sơ đã được tiếp nhận, nhưng các giấy tờ sau chưa được lưu: %1 (%2). Hãy số hóa lại từ màn hình hồ sơ (F8).</translation>
    </message>
    <message>
        <source>%1 paper(s) digitised.</source>
        <translation>%1 giấy tờ đã được số hóa.</translation>
    </message>
    <message>
        <source>Refuse the dossier</source>
        <translation>Từ chối tiếp nhận hồ sơ</translation>
    </message>
    <message>
        <source>Why is the dossier refused? The citizen reads this on the refusal slip.</source>
        <translation>Lý do từ chối tiếp nhận? Nội dung này được in trên phiếu từ chối giao cho công dân.</translation>
    </message>
    <message>
        <source>Dossier %1 received.</source>
        <translation>Đã tiếp nhận hồ sơ %1.</translation>
    </message>
    <message>
        <source>The refusal was recorded.</source>
        <translation>Đã ghi nhận việc từ chối tiếp nhận.</translation>
    </message>
    <message>
        <source>Saved, but the form was not printed: %1 Reprint it from the dossier screen.</source>
        <translation>Đã lưu nhưng chưa in được phiếu: %1 Hãy in lại từ màn hình hồ sơ.</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>original</source>
        <translation>bản chính</translation>
    </message>
    <message>
        <source>copy</source>
        <translation>bản sao</translation>
    </message>
    <message>
        <source>original or copy</source>
        <translation>bản chính hoặc bản sao</translation>
    </message>
    <message>
        <source>show the original</source>
        <translation>xuất trình bản chính</translation>
    </message>
    <message>
        <source>Handled by this commune</source>
        <translation>Xã, phường này giải quyết</translation>
    </message>
    <message>
        <source>Inter-level: forwarded to the province</source>
        <translation>Liên thông: chuyển lên cấp tỉnh</translation>
    </message>
    <message>
        <source>Cross-boundary: forwarded to another commune</source>
        <translation>Phi địa giới: chuyển xã, phường khác</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hôm nay</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>Sắp đến hạn</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <source>Awaiting supplement</source>
        <translation>Chờ bổ sung</translation>
    </message>
    <message>
        <source>Results to hand back</source>
        <translation>Kết quả chờ trả</translation>
    </message>
    <message>
        <source>Forwarded out</source>
        <translation>Đã chuyển đi</translation>
    </message>
    <message>
        <source>Forwarded in</source>
        <translation>Được chuyển đến</translation>
    </message>
    <message>
        <source>To forward</source>
        <translation>Chờ chuyển</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>Kết quả tìm kiếm</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>Giấy tiếp nhận</translation>
    </message>
    <message>
        <source>Receipt (80 mm)</source>
        <translation>Giấy tiếp nhận (khổ 80 mm)</translation>
    </message>
    <message>
        <source>Supplement request</source>
        <translation>Phiếu yêu cầu bổ sung</translation>
    </message>
    <message>
        <source>Refusal slip</source>
        <translation>Phiếu từ chối tiếp nhận</translation>
    </message>
    <message>
        <source>Apology letter</source>
        <translation>Phiếu xin lỗi và hẹn lại</translation>
    </message>
    <message>
        <source>Stop notice</source>
        <translation>Thông báo dừng giải quyết</translation>
    </message>
    <message>
        <source>Control slip</source>
        <translation>Phiếu kiểm soát</translation>
    </message>
    <message>
        <source>Dossier logbook (Mẫu 07)</source>
        <translation>Sổ theo dõi hồ sơ (Mẫu 07)</translation>
    </message>
    <message>
        <source>Hand-over list</source>
        <translation>Danh sách bàn giao hồ sơ</translation>
    </message>
    <message>
        <source>Catalogue of procedures</source>
        <translation>Danh mục thủ tục hành chính</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Nam</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Nữ</translation>
    </message>
    <message>
        <source>By post</source>
        <translation>Qua bưu chính</translation>
    </message>
    <message>
        <source>At the counter</source>
        <translation>Tại Trung tâm</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>No centre is configured</source>
        <translation>Chưa cấu hình trung tâm</translation>
    </message>
    <message numerus="yes">
        <source>%n procedure(s) in the catalogue</source>
        <translation>
            <numerusform>%n thủ tục trong danh mục</numerusform>
        </translation>
    </message>
    <message>
        <source>Log in to receive dossiers</source>
        <translation>Đăng nhập để tiếp nhận hồ sơ</translation>
    </message>
    <message>
        <source>user name</source>
        <translation>tên đăng nhập</translation>
    </message>
    <message>
        <source>&amp;Operator:</source>
        <translation>&amp;Cán bộ:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Mật khẩu:</translation>
    </message>
    <message>
        <source>Log in (Enter)</source>
        <translation>Đăng nhập (Enter)</translation>
    </message>
    <message>
        <source>Works offline. 5 wrong passwords lock the account on this workstation for 5 minutes.</source>
        <translation>Đăng nhập được cả khi mất mạng. Nhập sai mật khẩu 5 lần, tài khoản bị tạm khóa trên máy này 5 phút.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Đang kiểm tra…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Một Cửa Desk — %1</source>
        <translation>Một Cửa Desk — %1</translation>
    </message>
    <message>
        <source>no centre</source>
        <translation>chưa có trung tâm</translation>
    </message>
    <message>
        <source>Intake (F2)</source>
        <translation>Tiếp nhận (F2)</translation>
    </message>
    <message>
        <source>Desk (F3)</source>
        <translation>Bàn làm việc (F3)</translation>
    </message>
    <message>
        <source>Dossier (F4)</source>
        <translation>Hồ sơ (F4)</translation>
    </message>
    <message>
        <source>Online dossiers</source>
        <translation>Hồ sơ trực tuyến</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Bảng số liệu</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Cài đặt…</translation>
    </message>
    <message>
        <source>&amp;Log out</source>
        <translation>Đăng &amp;xuất</translation>
    </message>
    <message>
        <source>&amp;Back up now</source>
        <translation>&amp;Sao lưu ngay</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>T&amp;hoát</translation>
    </message>
    <message>
        <source>&amp;Dossier</source>
        <translation>Hồ &amp;sơ</translation>
    </message>
    <message>
        <source>New &amp;intake</source>
        <translation>&amp;Tiếp nhận mới</translation>
    </message>
    <message>
        <source>The &amp;desk</source>
        <translation>&amp;Bàn làm việc</translation>
    </message>
    <message>
        <source>Open d&amp;ossier</source>
        <translation>&amp;Mở hồ sơ</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>Tìm &amp;kiếm…</translation>
    </message>
    <message>
        <source>&amp;Save and print</source>
        <translation>&amp;Lưu và in</translation>
    </message>
    <message>
        <source>&amp;Refuse…</source>
        <translation>Từ &amp;chối…</translation>
    </message>
    <message>
        <source>&amp;Clear the form</source>
        <translation>&amp;Xóa biểu mẫu</translation>
    </message>
    <message>
        <source>&amp;Logbook and lists…</source>
        <translation>Sổ theo &amp;dõi và danh sách…</translation>
    </message>
    <message>
        <source>S&amp;ync</source>
        <translation>Đồng &amp;bộ</translation>
    </message>
    <message>
        <source>Sync &amp;now</source>
        <translation>Đồng bộ &amp;ngay</translation>
    </message>
    <message>
        <source>&amp;Enrol workstation…</source>
        <translation>Đăng &amp;ký máy trạm…</translation>
    </message>
    <message>
        <source>&amp;Rejected events…</source>
        <translation>Sự kiện bị &amp;từ chối…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Trợ giúp (&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Phím tắt</translation>
    </message>
    <message>
        <source>&amp;About Một Cửa Desk</source>
        <translation>&amp;Giới thiệu Một Cửa Desk</translation>
    </message>
    <message>
        <source>Next attempt in %1 s.</source>
        <translation>Thử lại sau %1 giây.</translation>
    </message>
    <message>
        <source>Syncing with the provincial server…</source>
        <translation>Đang đồng bộ với máy chủ tỉnh…</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>Đang sao lưu…</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>Sao lưu</translation>
    </message>
    <message>
        <source>The database was backed up to:
%1</source>
        <translation>Đã sao lưu cơ sở dữ liệu vào:
%1</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Đón&amp;g</translation>
    </message>
    <message>
        <source>%1 — %2 to %3</source>
        <translation>%1 — từ %2 đến %3</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Phím tắt</translation>
    </message>
    <message>
        <source>F1 this list · F2 intake · F3 desk · F4 dossier · Ctrl+F find
F6 logbook (Mẫu 07), hand-over list, catalogue: preview and print
F9 sync now · Ctrl+, settings · Ctrl+L log out · Ctrl+Q quit
Scan the ID card in any field: the applicant fills itself
Applicant: Alt+ the underlined letter moves to a field (Alt+O phone)
After a scan: Alt+K the citizen&apos;s earlier dossiers, Enter opens one
Procedure: Alt+P, type a few letters, ↓ ↑, Enter
Papers: Alt+R, Space ticks, + / − count, Ctrl+A all
F8 digitise the papers (intake, dossier): F8 scan, Del, Ctrl+↑ ↓, R rotate, V view · F12 reuse papers already digitised
Ctrl+Enter save and print · Ctrl+R refuse · Ctrl+N clear (asks first)
Preview: Ctrl+P print, Ctrl+S save as PDF, Esc close
Desk: type to search, Enter opens, Alt+1…8 lists, Esc back
To forward (Alt+8): Shift+↓ / Ctrl+click select, F7 forwards them with one hand-over slip
Dialogs: Tab next field, Ctrl+Enter accept, Esc cancel</source>
        <translation>F1 danh sách này · F2 tiếp nhận · F3 bàn làm việc · F4 hồ sơ · Ctrl+F tìm
F6 sổ theo dõi hồ sơ (Mẫu 07), danh sách bàn giao, danh mục thủ tục: xem trước và in
F9 đồng bộ ngay · Ctrl+, cài đặt · Ctrl+L đăng xuất · Ctrl+Q thoát
Quét thẻ căn cước ở bất kỳ ô nào: thông tin người nộp tự điền
Người nộp: Alt+ chữ cái gạch chân để tới ô đó (Alt+O điện thoại)
Sau khi quét thẻ: Alt+K tới các hồ sơ trước đây của công dân, Enter để mở
Thủ tục: Alt+P, gõ vài chữ, ↓ ↑, Enter
Giấy tờ: Alt+R, Space đánh dấu, + / − số lượng, Ctrl+A tất cả
F8 số hóa giấy tờ (tiếp nhận, hồ sơ): F8 quét, Del xóa trang, Ctrl+↑ ↓ đổi thứ tự, R xoay, V xem tệp · F12 dùng lại giấy tờ đã số hóa
Ctrl+Enter lưu và in · Ctrl+R từ chối · Ctrl+N xóa biểu mẫu (có hỏi lại)
Xem trước: Ctrl+P in, Ctrl+S lưu thành PDF, Esc đóng
Bàn làm việc: gõ để tìm, Enter mở hồ sơ, Alt+1…8 chọn danh sách, Esc quay lại
Chờ chuyển (Alt+8): Shift+↓ / Ctrl+bấm chuột để chọn, F7 chuyển các hồ sơ đã chọn và in một danh sách bàn giao
Hộp thoại: Tab sang ô sau, Ctrl+Enter đồng ý, Esc hủy</translation>
    </message>
    <message>
        <source>About Một Cửa Desk</source>
        <translation>Giới thiệu Một Cửa Desk</translation>
    </message>
    <message>
        <source>Một Cửa Desk %1
Data folder: %2</source>
        <translation>Một Cửa Desk %1
Thư mục dữ liệu: %2</translation>
    </message>
</context>
<context>
    <name>Money</name>
    <message>
        <source>free</source>
        <translation>miễn phí</translation>
    </message>
    <message>
        <source>%1 VND</source>
        <translation>%1 đồng</translation>
    </message>
</context>
<context>
    <name>OnlineInboxPage</name>
    <message>
        <source>Portal id</source>
        <translation>Mã trên cổng</translation>
    </message>
    <message>
        <source>Applicant</source>
        <translation>Người nộp</translation>
    </message>
    <message>
        <source>Procedure</source>
        <translation>Thủ tục</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>Nộp lúc</translation>
    </message>
    <message>
        <source>Accept by</source>
        <translation>Hạn tiếp nhận</translation>
    </message>
    <message>
        <source>Attached &amp;files:</source>
        <translation>&amp;Tệp đính kèm:</translation>
    </message>
    <message>
        <source>&amp;Accept</source>
        <translation>&amp;Tiếp nhận</translation>
    </message>
    <message>
        <source>Re&amp;ason (refusal or supplement):</source>
        <translation>&amp;Lý do (từ chối hoặc bổ sung):</translation>
    </message>
    <message>
        <source>&amp;Refuse</source>
        <translation>Từ &amp;chối</translation>
    </message>
    <message>
        <source>&amp;Missing papers (separate with ;):</source>
        <translation>&amp;Giấy tờ cần bổ sung (cách nhau bởi ;):</translation>
    </message>
    <message>
        <source>Ask for a su&amp;pplement</source>
        <translation>Yêu cầu bổ sung (&amp;Y)</translation>
    </message>
    <message>
        <source>The reason above goes with it; the acceptance clock stops until the citizen supplements.</source>
        <translation>Kèm lý do ở trên; thời hạn tiếp nhận dừng lại cho đến khi công dân gửi bổ sung.</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>Sắp đến hạn</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Quá hạn</translation>
    </message>
    <message>
        <source>Waiting for the citizen&apos;s supplement</source>
        <translation>Chờ công dân bổ sung</translation>
    </message>
    <message>
        <source>Asked for: %1 (%2)</source>
        <translation>Đã yêu cầu bổ sung: %1 (%2)</translation>
    </message>
    <message>
        <source>Supplement asked for; the request goes to the portal and the acceptance clock stops.</source>
        <translation>Đã yêu cầu bổ sung; yêu cầu được gửi về Cổng DVC quốc gia, thời hạn tiếp nhận tạm dừng.</translation>
    </message>
    <message>
        <source>Accepted as %1, due %2.</source>
        <translation>Đã tiếp nhận, mã %1, hẹn trả %2.</translation>
    </message>
    <message>
        <source>Refused; the reason goes back to the portal.</source>
        <translation>Đã từ chối; lý do được gửi về Cổng DVC quốc gia.</translation>
    </message>
</context>
<context>
    <name>OpeningView</name>
    <message>
        <source>Please wait: this is done once, at the first start after an upgrade.</source>
        <translation>Xin chờ: việc này chỉ làm một lần, ở lần mở đầu tiên sau khi nâng cấp.</translation>
    </message>
    <message>
        <source>Checking the data store…</source>
        <translation>Đang kiểm tra kho dữ liệu…</translation>
    </message>
    <message>
        <source>Encrypting the data store (first start after the upgrade)…</source>
        <translation>Đang mã hóa kho dữ liệu (lần đầu sau khi nâng cấp)…</translation>
    </message>
    <message>
        <source>Encrypting the backups…</source>
        <translation>Đang mã hóa các bản sao lưu…</translation>
    </message>
    <message>
        <source>Encrypting the digitised files…</source>
        <translation>Đang mã hóa các tệp số hóa…</translation>
    </message>
    <message>
        <source>Upgrading the data store…</source>
        <translation>Đang nâng cấp kho dữ liệu…</translation>
    </message>
    <message>
        <source>Sealing the audit log…</source>
        <translation>Đang niêm phong nhật ký…</translation>
    </message>
    <message>
        <source>Please wait until this step has finished: the window will close by itself then. Stopping it now would only make the next start do it again.</source>
        <translation>Xin chờ bước này xong: khi đó cửa sổ sẽ tự đóng. Dừng lúc này chỉ khiến lần mở sau phải làm lại từ đầu.</translation>
    </message>
</context>
<context>
    <name>PapersList</name>
    <message>
        <source>%1 — %2 × %3</source>
        <translation>%1 — %2 × %3</translation>
    </message>
</context>
<context>
    <name>Parked</name>
    <message>
        <source>Dossier received</source>
        <translation>Tiếp nhận hồ sơ</translation>
    </message>
    <message>
        <source>Status change</source>
        <translation>Chuyển trạng thái</translation>
    </message>
    <message>
        <source>Server change not applied (quarantined)</source>
        <translation>Thay đổi từ máy chủ không áp dụng được (đã cách ly)</translation>
    </message>
</context>
<context>
    <name>ParkedDialog</name>
    <message>
        <source>Events rejected by the server</source>
        <extracomment>The id of the dossier the operator wants to open (Enter or double-click on a row).</extracomment>
        <translation>Sự kiện bị máy chủ từ chối</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Đang tải…</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Thời điểm</translation>
    </message>
    <message>
        <source>Dossier</source>
        <translation>Hồ sơ</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Sự kiện</translation>
    </message>
    <message>
        <source>Reason given by the server</source>
        <translation>Lý do máy chủ đưa ra</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Đón&amp;g</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) were refused for good by the provincial server. The other changes keep syncing. Check each dossier (Enter opens it) and redo the action if needed.</source>
        <translation>
            <numerusform>%n sự kiện đã bị máy chủ tỉnh từ chối hẳn. Các thay đổi khác vẫn tiếp tục được đồng bộ. Hãy kiểm tra từng hồ sơ (Enter để mở) và thực hiện lại thao tác nếu cần.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server has refused no event.</source>
        <translation>Máy chủ chưa từ chối sự kiện nào.</translation>
    </message>
</context>
<context>
    <name>PreviewDialog</name>
    <message>
        <source> — reprint, marked COPY</source>
        <translation> — in lại, có dấu BẢN SAO</translation>
    </message>
    <message>
        <source>&amp;Print (Ctrl+P)</source>
        <translation>&amp;In (Ctrl+P)</translation>
    </message>
    <message>
        <source>&amp;Save as PDF… (Ctrl+S)</source>
        <translation>&amp;Lưu thành PDF… (Ctrl+S)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Đóng (Esc)</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Đang in…</translation>
    </message>
    <message>
        <source>Printed %1 page(s).</source>
        <translation>Đã in %1 trang.</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>Lưu thành PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Tệp PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>Đã lưu vào %1</translation>
    </message>
</context>
<context>
    <name>ProcedurePicker</name>
    <message>
        <source>Type a few letters, e.g. khai sinh, then ↓ and Enter</source>
        <translation>Gõ vài chữ, ví dụ khai sinh, rồi ↓ và Enter</translation>
    </message>
</context>
<context>
    <name>ReconcileDialog</name>
    <message>
        <source>Reconciliation with the national portal</source>
        <translation>Đối soát với Cổng Dịch vụ công quốc gia</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Từ ngày:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>Đế&amp;n ngày:</translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation>Đối &amp;chiếu</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Mã hồ sơ</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Status here</source>
        <translation>Trạng thái ở đây</translation>
    </message>
    <message>
        <source>On the portal</source>
        <translation>Trên cổng</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Chi tiết</translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>Chưa đồng bộ</translation>
    </message>
    <message>
        <source>Synced late</source>
        <translation>Đồng bộ muộn</translation>
    </message>
    <message>
        <source>Status differs</source>
        <translation>Trạng thái khác</translation>
    </message>
    <message>
        <source>Comparing…</source>
        <translation>Đang đối chiếu…</translation>
    </message>
    <message>
        <source>The comparison could not be made.</source>
        <translation>Không đối chiếu được.</translation>
    </message>
    <message>
        <source>as of the last sync round, %1</source>
        <translation>theo lần đồng bộ gần nhất, %1</translation>
    </message>
    <message>
        <source>never synced: what the portal holds is unknown</source>
        <translation>chưa đồng bộ lần nào: chưa biết cổng đã nhận gì</translation>
    </message>
    <message>
        <source>Dossiers here: %1 · acknowledged by the portal: %2 · differences: %3 (%4)</source>
        <translation>Hồ sơ ở đây: %1 · cổng đã xác nhận: %2 · chênh lệch: %3 (%4)</translation>
    </message>
</context>
<context>
    <name>RegistersDialog</name>
    <message>
        <source>Logbook and lists</source>
        <translation>Sổ theo dõi và danh sách</translation>
    </message>
    <message>
        <source>The &amp;logbook (Mẫu 07) for a period</source>
        <translation>&amp;Sổ theo dõi hồ sơ (Mẫu 07) trong một khoảng thời gian</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>Từ &amp;ngày:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>Đến ngà&amp;y:</translation>
    </message>
    <message>
        <source>The &amp;hand-over list of a former unit</source>
        <translation>Danh sách &amp;bàn giao hồ sơ của đơn vị cũ</translation>
    </message>
    <message>
        <source>No unit has handed over dossiers</source>
        <translation>Chưa có đơn vị nào bàn giao hồ sơ</translation>
    </message>
    <message>
        <source>Former &amp;unit:</source>
        <translation>Đơn &amp;vị cũ:</translation>
    </message>
    <message>
        <source>The public &amp;catalogue of procedures</source>
        <translation>&amp;Danh mục thủ tục hành chính công khai</translation>
    </message>
    <message>
        <source>&amp;Preview</source>
        <translation>&amp;Xem trước</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Centre (from the server; read-only)</source>
        <translation>Trung tâm (do máy chủ cấp; chỉ xem)</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Tên:</translation>
    </message>
    <message>
        <source>Administrative unit:</source>
        <translation>Đơn vị hành chính:</translation>
    </message>
    <message>
        <source>Agency e-ID:</source>
        <translation>Mã định danh cơ quan:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Địa chỉ:</translation>
    </message>
    <message>
        <source>Hotline:</source>
        <translation>Đường dây nóng:</translation>
    </message>
    <message>
        <source>Public-sector calendar notices (read-only)</source>
        <translation>Văn bản về ngày nghỉ của khu vực công (chỉ đọc)</translation>
    </message>
    <message>
        <source>No notice loaded: days off are estimated.</source>
        <translation>Chưa nạp văn bản nào: ngày nghỉ được ước tính.</translation>
    </message>
    <message>
        <source>The notices for %1 are not loaded yet: due dates in that year are estimated.</source>
        <translation>Chưa nạp văn bản về ngày nghỉ năm %1: ngày hẹn trả rơi vào năm đó được tính theo lịch ước tính.</translation>
    </message>
    <message>
        <source>This workstation</source>
        <translation>Máy trạm này</translation>
    </message>
    <message>
        <source>Workstation &amp;name:</source>
        <translation>&amp;Tên máy trạm:</translation>
    </message>
    <message>
        <source>Numbering slot for offline dossier numbers; given by the server.</source>
        <translation>Số hiệu dùng để cấp số hồ sơ khi mất mạng; do máy chủ cấp.</translation>
    </message>
    <message>
        <source>Workstation &amp;slot:</source>
        <translation>&amp;Số hiệu máy trạm:</translation>
    </message>
    <message>
        <source>This desk is enrolled with this server; enrol again to change it.</source>
        <translation>Máy trạm đã đăng ký với máy chủ này; muốn đổi, hãy đăng ký lại (Đồng bộ › Đăng ký máy trạm).</translation>
    </message>
    <message>
        <source>Server &amp;address:</source>
        <translation>Địa chỉ &amp;máy chủ:</translation>
    </message>
    <message>
        <source>A4 sheet</source>
        <translation>Khổ A4</translation>
    </message>
    <message>
        <source>80 mm roll</source>
        <translation>Cuộn 80 mm</translation>
    </message>
    <message>
        <source>&amp;Receipt format:</source>
        <translation>&amp;Khổ giấy tiếp nhận:</translation>
    </message>
    <message>
        <source>Book = the year, number = place in the year</source>
        <translation>Quyển số = năm, số thứ tự = thứ tự trong năm</translation>
    </message>
    <message>
        <source>Left blank (written by hand)</source>
        <translation>Để trống (ghi tay)</translation>
    </message>
    <message>
        <source>Lo&amp;gbook numbering (receipt):</source>
        <translation>Số &amp;vào sổ (giấy tiếp nhận):</translation>
    </message>
    <message>
        <source>System default printer</source>
        <translation>Máy in mặc định của hệ thống</translation>
    </message>
    <message>
        <source> (not found)</source>
        <translation> (không tìm thấy)</translation>
    </message>
    <message>
        <source>Looking for printers…</source>
        <translation>Đang tìm máy in…</translation>
    </message>
    <message>
        <source>No printer is installed on this computer.</source>
        <translation>Máy này chưa cài máy in.</translation>
    </message>
    <message>
        <source>&amp;Printer:</source>
        <extracomment>True once the printers&apos; names are known (:meth:`set_printers`).</extracomment>
        <translation>Máy &amp;in:</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Ngôn ngữ:</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Mặc định</translation>
    </message>
    <message>
        <source>&amp;Font size:</source>
        <translation>Cỡ &amp;chữ:</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Một Cửa Desk cannot start</source>
        <translation>Không khởi động được Một Cửa Desk</translation>
    </message>
    <message>
        <source>Một Cửa Desk</source>
        <extracomment>The printing lane: a print waits on the print process (a slow printer driver, up to minutes), and saves, lists and counts on :attr:`worker` must not queue behind it. The store, settings and operator; set by :meth:`attach`. Sync with the provincial server (its own thread); created by :meth:`start_background`. Text recognition of digitised papers (its own thread); created by :meth:`start_background`.</extracomment>
        <translation>Một Cửa Desk</translation>
    </message>
    <message>
        <source>Database damaged</source>
        <extracomment>The daily backup taken by :meth:`daily` (None until taken, or when today&apos;s already existed).</extracomment>
        <translation>Cơ sở dữ liệu bị hỏng</translation>
    </message>
    <message>
        <source>The database is damaged and cannot be opened.

Restore the backup of %1?</source>
        <translation>Cơ sở dữ liệu bị hỏng, không mở được.

Khôi phục từ bản sao lưu ngày %1?</translation>
    </message>
    <message>
        <source>The damaged file is kept in the backups folder. What was synced with the provincial server after the backup comes back at the next sync; what was not synced is not in the backup.</source>
        <translation>Tệp bị hỏng được giữ lại trong thư mục sao lưu. Những gì đã đồng bộ lên máy chủ tỉnh sau thời điểm sao lưu sẽ được tải lại ở lần đồng bộ tiếp theo; những gì chưa đồng bộ thì không có trong bản sao lưu.</translation>
    </message>
    <message>
        <source>&amp;Restore</source>
        <translation>&amp;Khôi phục</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Thoát</translation>
    </message>
</context>
</TS>
