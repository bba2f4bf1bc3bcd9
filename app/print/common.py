"""Pieces shared by every form: the official header, titles, signature blocks, page numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4, landscape

from app.domain.text import nfc
from app.print.layout import (
    BOLD,
    ITALIC,
    MM,
    REGULAR,
    Text,
    Writer,
    balanced_wrap,
    fit_size,
    new_canvas,
    text_width,
    wrap,
)
from app.print.model import Agency
from app.print.vn import place_date

PORTRAIT = A4
LANDSCAPE = landscape(A4)
#: left, right, top, bottom — close to the administrative-document margins, a little tighter at the top.
MARGINS_PORTRAIT = (20 * MM, 15 * MM, 12 * MM, 12 * MM)
MARGINS_LANDSCAPE = (15 * MM, 12 * MM, 12 * MM, 12 * MM)

BODY = 10.5
SMALL = 9.0
MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
SIGN_NOTE = "(Ký và ghi rõ họ tên)"


def upper(text: str) -> str:
    return nfc(text).upper()


_UNIT_WORDS = ("XÃ", "PHƯỜNG", "ĐẶC KHU", "THỊ TRẤN", "TỈNH", "THÀNH PHỐ")


def break_before_unit(text: str, font: str, size: float, width: float) -> str:
    """Break a two-line agency name before its administrative unit ("… CÔNG / PHƯỜNG BẮC GIANG") when
    both halves fit; the text is returned unchanged otherwise (or when it already has a line break)."""
    if "\n" in text:
        return text
    words = text.split()
    for i in range(len(words) - 1, 0, -1):
        if any(" ".join(words[i : i + len(u.split())]) == u for u in _UNIT_WORDS):
            head, tail = " ".join(words[:i]), " ".join(words[i:])
            if text_width(head, font, size) <= width and text_width(tail, font, size) <= width:
                return f"{head}\n{tail}"
    return text


def official_header(
    w: Writer,
    agency: Agency,
    when: date | None,
    *,
    number: str | None = None,
    excerpt: str | None = None,
    size: float = BODY,
) -> None:
    """Agency block top-left, national motto and the place-date line top-right."""
    gap = 4 * MM
    left_w = w.width * 0.45
    right_w = w.width - left_w - gap
    lx, rx = w.left, w.left + left_w + gap
    lead = size * 1.3
    top = w.y

    # Left: the parent authority (regular) over the centre (bold), a short rule beneath. A name slightly
    # too long for one line is set smaller rather than wrapped; a much longer one wraps.
    y = top
    left_items: list[tuple[str, str]] = []
    if agency.parent_name.strip():
        left_items.append((upper(agency.parent_name), REGULAR))
    left_items.append((upper(agency.name), BOLD))
    last_w = 0.0
    for text, font in left_items:
        s = fit_size(text, font, size, left_w, min_size=size - 1.5)
        if s <= size - 1.5:
            s = size - 0.5
            text = break_before_unit(text, font, s, left_w)
        lines = balanced_wrap(text, s, left_w, font)
        w.draw_lines(lines, lx, left_w, y, s, s * 1.3, "center")
        y -= s * 1.3 * len(lines)
        last_w = max(line.width for line in lines)
    rule_left = y - 3
    w.hline(lx + (left_w - last_w * 0.45) / 2, lx + (left_w + last_w * 0.45) / 2, rule_left, 0.7)

    # Right: the motto, underlined at the width of its second line.
    y = top
    s1 = fit_size(MOTTO_1, BOLD, size, right_w)
    w.draw_lines(wrap(MOTTO_1, s1, right_w, BOLD), rx, right_w, y, s1, lead, "center")
    y -= lead
    s2 = fit_size(MOTTO_2, BOLD, size + 1, right_w)
    m2 = wrap(MOTTO_2, s2, right_w, BOLD)
    w.draw_lines(m2, rx, right_w, y, s2, s2 * 1.3, "center")
    y -= s2 * 1.3
    rule_right = y - 3
    mw = m2[0].width
    w.hline(rx + (right_w - mw) / 2, rx + (right_w + mw) / 2, rule_right, 0.7)

    # Second band: "Số: …" / excerpt on the left, the place-date line on the right, on the same level.
    y = min(rule_left, rule_right) - 5
    yl = yr = y
    if number is not None:
        lines = wrap(f"Số: {number}" if number else "Số:        /", size, left_w, REGULAR)
        w.draw_lines(lines, lx, left_w, yl, size, lead, "center")
        yl -= lead * len(lines)
    if excerpt:
        lines = wrap(excerpt, size - 1, left_w, REGULAR)
        w.draw_lines(lines, lx, left_w, yl, size - 1, (size - 1) * 1.3, "center")
        yl -= (size - 1) * 1.3 * len(lines)
    if when is not None:
        lines = wrap(place_date(agency.place_name, when), size, right_w, ITALIC)
        w.draw_lines(lines, rx, right_w, yr, size, lead, "center")
        yr -= lead * len(lines)
    w.y = min(yl, yr, rule_left, rule_right)


def title(
    w: Writer, text: str, *, size: float = 13.5, space_before: float = 10, space_after: float = 2
) -> None:
    w.space(space_before)
    w.paragraph(
        text, size=size, font=BOLD, align="center", leading=size * 1.3, keep_together=True, balanced=True
    )
    w.space(space_after)


def centred_note(
    w: Writer, text: Text, *, size: float = BODY, font: str = ITALIC, space_after: float = 0
) -> None:
    w.paragraph(text, size=size, font=font, align="center", space_after=space_after)


def field(
    w: Writer, label: str, value: str, *, bold_value: bool = False, size: float = BODY, indent: float = 0
) -> None:
    """ "Label: value" on one flowing paragraph."""
    w.paragraph([(f"{label}: ", REGULAR), (value, BOLD if bold_value else REGULAR)], size=size, indent=indent)


@dataclass(frozen=True, slots=True)
class Sign:
    """A signature block: title (bold), a note in italics, room to sign, then the name."""

    title: str
    note: str = SIGN_NOTE
    name: str = ""
    date_line: str = ""


SIGN_ROOM = 20 * MM


def _sign_height(sign: Sign, width: float, size: float, room: float = SIGN_ROOM) -> float:
    lead = size * 1.3
    n = len(wrap(sign.title, size, width, BOLD))
    if sign.note:
        n += len(wrap(sign.note, size - 1, width, ITALIC))
    if sign.date_line:
        n += len(wrap(sign.date_line, size, width, ITALIC))
    return n * lead + room + lead


def _draw_sign(
    w: Writer, sign: Sign, x: float, width: float, top: float, size: float, room: float = SIGN_ROOM
) -> None:
    lead = size * 1.3
    y = top
    items: list[tuple[str, str, float]] = []
    if sign.date_line:
        items.append((sign.date_line, ITALIC, size))
    items.append((sign.title, BOLD, size))
    if sign.note:
        items.append((sign.note, ITALIC, size - 1))
    for text, font, s in items:
        lines = wrap(text, s, width, font)
        w.draw_lines(lines, x, width, y, s, lead, "center")
        y -= lead * len(lines)
    y -= room
    if sign.name:
        w.draw_lines(wrap(sign.name, size, width, BOLD), x, width, y, size, lead, "center")


def signatures(
    w: Writer, signs: Sequence[Sign], *, size: float = BODY, space_before: float = 8, room: float = SIGN_ROOM
) -> None:
    """Signature blocks side by side (a single block sits in the right half), kept on one page."""
    w.space(space_before)
    n = max(2, len(signs))
    col_w = w.width / n
    slots = range(n - len(signs), n) if len(signs) < n else range(n)
    height = max(_sign_height(s, col_w, size, room) for s in signs)
    w.ensure(height)
    for sign, slot in zip(signs, slots, strict=True):
        _draw_sign(w, sign, w.left + slot * col_w, col_w, w.y, size, room)
    w.y -= height


def recipients_and_signature(w: Writer, recipients: Sequence[str], sign: Sign, *, size: float = BODY) -> None:
    """ "Nơi nhận:" list at the left and the signer's block at the right, kept on one page."""
    w.space(8)
    col_w = w.width / 2
    rec_lines = [wrap("Nơi nhận:", size - 1, col_w, BOLD)]
    rec_lines += [wrap(f"- {r}", size - 1.5, col_w, REGULAR) for r in recipients]
    rec_h = sum(len(lines) for lines in rec_lines) * (size - 1) * 1.3
    height = max(rec_h, _sign_height(sign, col_w, size))
    w.ensure(height)
    y = w.y
    for i, lines in enumerate(rec_lines):
        s = size - 1 if i == 0 else size - 1.5
        w.draw_lines(lines, w.left, col_w, y, s, (size - 1) * 1.3, "left")
        y -= (size - 1) * 1.3 * len(lines)
    _draw_sign(w, sign, w.left + col_w, col_w, w.y, size)
    w.y -= height


def copy_mark(w: Writer) -> None:
    """The reprint mark, boxed at the top-right; the cursor moves below it."""
    w.boxed_label("BẢN SAO", w.right, w.y, 11)
    w.y -= 11 + 8 + 4


def build_pdf(
    page_size: tuple[float, float],
    margins: tuple[float, float, float, float],
    body: Callable[[Writer], None],
    *,
    title: str,
    author: str = "",
    subject: str = "",
    on_new_page: Callable[[Writer], None] | None = None,
    numbered: bool = True,
) -> bytes:
    """Lay ``body`` out (twice when pages are numbered: once to count them) and return the PDF bytes."""
    total: int | None = None
    if numbered:
        probe = Writer(None, page_size, margins, on_new_page=on_new_page)
        body(probe)
        total = probe.page

    def page_end(w: Writer) -> None:
        if total and total > 1 and w.c is not None:
            w.c.setFont(ITALIC, 8.5)
            w.c.drawCentredString(w.page_w / 2, w.bottom / 2, f"Trang {w.page}/{total}")

    c, buf = new_canvas(page_size, title=title, author=author, subject=subject)
    w = Writer(c, page_size, margins, on_new_page=on_new_page, on_page_end=page_end)
    body(w)
    w.finish()
    c.save()
    return buf.getvalue()
