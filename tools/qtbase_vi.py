"""Writes resources/i18n/qtbase_vi.ts: Vietnamese for Qt's own strings the desk shows (standard buttons,
the save-as-PDF file dialog, the edit menus). PySide6 ships no qtbase_vi.qm, so app.ui.i18n loads this one
when Qt's is missing. The source strings are Qt's (contexts and texts as in Qt's qtbase_*.ts); run
``python tools/qtbase_vi.py`` after changing a translation here, then ``python tools/i18n.py update``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "i18n" / "qtbase_vi.ts"

VI: dict[str, dict[str, str]] = {
    "QPlatformTheme": {
        "OK": "Đồng ý",
        "Save": "Lưu",
        "Save All": "Lưu tất cả",
        "Open": "Mở",
        "&Yes": "&Có",
        "Yes to &All": "Có với &tất cả",
        "&No": "&Không",
        "N&o to All": "Không với tất &cả",
        "Abort": "Hủy bỏ",
        "Retry": "Thử lại",
        "Ignore": "Bỏ qua",
        "Close": "Đóng",
        "Cancel": "Hủy",
        "Discard": "Không lưu",
        "Help": "Trợ giúp",
        "Apply": "Áp dụng",
        "Reset": "Đặt lại",
        "Restore Defaults": "Khôi phục mặc định",
    },
    "QDialogButtonBox": {"OK": "Đồng ý"},
    "QMessageBox": {"Show Details...": "Xem chi tiết…", "Hide Details...": "Ẩn chi tiết…"},
    "QAbstractSpinBox": {"&Select All": "Chọn &tất cả", "&Step up": "&Tăng", "Step &down": "&Giảm"},
    "QLineEdit": {
        "&Undo": "&Hoàn tác",
        "&Redo": "&Làm lại",
        "Cu&t": "&Cắt",
        "&Copy": "Sao c&hép",
        "&Paste": "&Dán",
        "Delete": "Xóa",
        "Select All": "Chọn tất cả",
    },
    "QWidgetTextControl": {
        "&Undo": "&Hoàn tác",
        "&Redo": "&Làm lại",
        "Cu&t": "&Cắt",
        "&Copy": "Sao c&hép",
        "Copy &Link Location": "Sao chép địa chỉ &liên kết",
        "&Paste": "&Dán",
        "Delete": "Xóa",
        "Select All": "Chọn tất cả",
    },
    "QFileSystemModel": {
        "Name": "Tên",
        "Size": "Kích thước",
        "Kind": "Loại",
        "Type": "Loại",
        "Date Modified": "Ngày sửa",
        "My Computer": "Máy tính",
        "Computer": "Máy tính",
        "Invalid filename": "Tên tệp không hợp lệ",
        '<b>The name "%1" cannot be used.</b><p>Try using another name, with fewer characters or no '
        "punctuation marks.": '<b>Không dùng được tên "%1".</b><p>Hãy đặt tên khác, ngắn hơn hoặc không có '
        "dấu câu.",
    },
    "QFileDialog": {
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.": (
            "%1\nKhông tìm thấy thư mục.\nHãy kiểm tra lại tên thư mục."
        ),
        "%1\nFile not found.\nPlease verify the correct file name was given.": (
            "%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp."
        ),
        "%1 File": "Tệp %1",
        "%1 already exists.\nDo you want to replace it?": "%1 đã có.\nGhi đè lên tệp đó?",
        "&Choose": "&Chọn",
        "&Delete": "&Xóa",
        "&New Folder": "Thư mục &mới",
        "&Open": "&Mở",
        "&Rename": "Đổi &tên",
        "&Save": "&Lưu",
        "'%1' is write protected.\nDo you want to delete it anyway?": (
            "«%1» đang được bảo vệ chống ghi.\nVẫn xóa?"
        ),
        "Alias": "Bí danh",
        "All Files (*)": "Mọi tệp (*)",
        "All files (*)": "Mọi tệp (*)",
        "Alt+Left": "Alt+Left",
        "Alt+Right": "Alt+Right",
        "Alt+Up": "Alt+Up",
        "Are you sure you want to delete '%1'?": "Xóa «%1»?",
        "Back": "Lùi lại",
        "Change to detail view mode": "Xem dạng chi tiết",
        "Change to list view mode": "Xem dạng danh sách",
        "Could not delete directory.": "Không xóa được thư mục.",
        "Create New Folder": "Tạo thư mục mới",
        "Create a New Folder": "Tạo một thư mục mới",
        "Delete": "Xóa",
        "Detail View": "Xem chi tiết",
        "Directories": "Thư mục",
        "Directory:": "Thư mục:",
        "Drive": "Ổ đĩa",
        "File": "Tệp",
        "File &name:": "&Tên tệp:",
        "File Folder": "Thư mục",
        "Files": "Tệp",
        "Files of type:": "Loại tệp:",
        "Find Directory": "Tìm thư mục",
        "Folder": "Thư mục",
        "Forward": "Tiến tới",
        "Go back": "Quay lại",
        "Go forward": "Đi tiếp",
        "Go to the parent directory": "Lên thư mục cha",
        "List View": "Xem danh sách",
        "List of places and bookmarks": "Các vị trí và dấu trang",
        "Look in:": "Tìm trong:",
        "&Look in:": "Tìm &trong:",
        "Files of &type:": "&Loại tệp:",
        "My Computer": "Máy tính",
        "New Folder": "Thư mục mới",
        "Open": "Mở",
        "Parent Directory": "Thư mục cha",
        "Recent Places": "Vị trí gần đây",
        "Remove": "Gỡ bỏ",
        "Save As": "Lưu thành",
        "Shortcut": "Lối tắt",
        "Show ": "Hiện ",
        "Show &hidden files": "Hiện tệp ẩ&n",
        "Sidebar": "Thanh bên",
        "Unknown": "Không rõ",
    },
}


def render() -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>", '<TS version="2.1" language="vi_VN">']
    for context, messages in VI.items():
        out.append(f"<context>\n    <name>{context}</name>")
        for source, translation in messages.items():
            out.append(
                "    <message>\n"
                f"        <source>{escape(source)}</source>\n"
                f"        <translation>{escape(translation)}</translation>\n"
                "    </message>"
            )
        out.append("</context>")
    out.append("</TS>")
    return "\n".join(out) + "\n"


def main() -> int:
    TS.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
