from __future__ import annotations

from reportlab.pdfbase import pdfmetrics

from app.print import fonts


def test_bundled_faces_exist_and_register_once() -> None:
    for name, path in fonts.font_files().items():
        assert path.is_file(), path
        assert path.suffix == ".ttf", name
    assert (fonts.FONTS_DIR / "OFL.txt").is_file()
    fonts.register_fonts()
    fonts.register_fonts()  # idempotent
    registered = set(pdfmetrics.getRegisteredFontNames())
    assert {fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC} <= registered


def test_font_covers_vietnamese() -> None:
    fonts.register_fonts()
    face = pdfmetrics.getFont(fonts.REGULAR).face
    text = "ĂÂĐÊÔƠƯăâđêôơư ẮẰẲẴẶẤẦẨẪẬẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰỲỴỶỸ ắằẳẵặấầẩẫậếềểễệốồổỗộớờởỡợứừửữựỳỵỷỹ"
    missing = [ch for ch in text if ch != " " and ord(ch) not in face.charToGlyph]
    assert missing == []
