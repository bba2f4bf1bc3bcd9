"""A small, fast flowing-layout engine over a ReportLab canvas.

Platypus would do, but is several times slower than drawing lines ourselves, and receipts are printed
while a citizen waits. :class:`Writer` keeps a cursor going down the page, wraps mixed-font text at spaces
(breaking over-long words by character), draws ruled tables whose rows split across pages with the header
repeated, and can run in *measure* mode (no canvas) to learn the page count or the height of a slip before
drawing it for real. Every string is NFC-normalised before it is measured.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from app.domain.text import nfc
from app.print import fonts
from app.print.fonts import BOLD, ITALIC, REGULAR

Align = Literal["left", "center", "right"]
Run = tuple[str, str]
"""A piece of text and the ReportLab font name to draw it in."""
Text = str | Sequence[Run]

MM = 72 / 25.4

_WIDTHS: dict[str, dict[str, float]] = {}


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points, with a per-font cache of word widths (at 1 pt)."""
    cache = _WIDTHS.get(font)
    if cache is None:
        fonts.register_fonts()  # measuring may come before any canvas exists (e.g. the 80 mm slip)
        cache = _WIDTHS[font] = {}
    w = cache.get(text)
    if w is None:
        w = getFont(font).stringWidth(text, 1.0)
        if len(cache) > 50_000:
            cache.clear()
        cache[text] = w
    return w * size


@dataclass(slots=True)
class Line:
    """One wrapped line: fragments of (text, font) and its total width."""

    fragments: list[Run] = field(default_factory=list)
    width: float = 0.0
    indent: float = 0.0


def runs_of(text: Text, font: str = REGULAR) -> list[Run]:
    if isinstance(text, str):
        return [(nfc(text), font)]
    return [(nfc(t), f) for t, f in text]


_BREAK_AFTER = frozenset("-/.,_?&=")


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Cut a word too wide for a line into pieces that fit: after a "-", "/", "." … where one is near the
    end of a piece, else between any two characters."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and text_width(current + ch, font, size) > width:
            cut = max((i for i, c in enumerate(current) if c in _BREAK_AFTER), default=-1) + 1
            if cut * 2 >= len(current):
                pieces.append(current[:cut])
                current = current[cut:] + ch
            else:
                pieces.append(current)
                current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap(text: Text, size: float, width: float, font: str = REGULAR, first_indent: float = 0.0) -> list[Line]:
    """Greedy word wrap of mixed-font runs into lines no wider than ``width``. ``\\n`` forces a break.

    White space between runs counts: ``[("của: ", R), ("AN", B)]`` keeps the space, ``[("(", R), ("X", B)]``
    glues. A word wider than the line is cut by character.
    """
    lines: list[Line] = [Line(indent=first_indent)]
    pending = False  # a space separates the next word from what precedes it on the line
    for run_text, run_font in runs_of(text, font):
        space_w = text_width(" ", run_font, size)
        for p, para in enumerate(run_text.split("\n")):
            if p:
                lines.append(Line())
                pending = False
            if para[:1].isspace():
                pending = True
            words = para.split()
            for k, word in enumerate(words):
                sep = pending if k == 0 else True
                w = text_width(word, run_font, size)
                line = lines[-1]
                gap = space_w if (line.fragments and sep) else 0.0
                if line.fragments and line.indent + line.width + gap + w > width:
                    line = Line()
                    lines.append(line)
                    gap = 0.0
                if not line.fragments and line.indent + w > width:
                    for i, piece in enumerate(_break_word(word, run_font, size, width - line.indent)):
                        if i:
                            line = Line()
                            lines.append(line)
                        line.fragments.append((piece, run_font))
                        line.width = text_width(piece, run_font, size)
                    continue
                frags = line.fragments
                piece = (" " + word) if gap else word
                if frags and frags[-1][1] == run_font:
                    frags[-1] = (frags[-1][0] + piece, run_font)
                else:
                    frags.append((piece, run_font))
                line.width += gap + w
            if words:
                pending = para[-1].isspace()
    return lines


def balanced_wrap(text: Text, size: float, width: float, font: str = REGULAR) -> list[Line]:
    """Like :func:`wrap`, but with lines of even length (for centred titles and headers)."""
    lines = wrap(text, size, width, font)
    if len(lines) < 2:
        return lines
    lo, hi = width * 0.4, width
    best = lines
    for _ in range(8):
        mid = (lo + hi) / 2
        trial = wrap(text, size, mid, font)
        if len(trial) <= len(lines):
            best, hi = trial, mid
        else:
            lo = mid
    return best


@dataclass(frozen=True, slots=True)
class HeaderCell:
    """A header cell on the header grid: its text, the row/column it starts at and how far it spans."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True, slots=True)
class SpanRow:
    """A body row that spans every column (e.g. a group title), drawn bold."""

    text: str
    align: Align = "left"


TableRow = Sequence[Text] | SpanRow


class Writer:
    """A cursor over pages of a canvas; ``canvas=None`` measures without drawing.

    ``y`` is the top of the next line box. Coordinates are ReportLab points from the bottom-left corner.
    """

    def __init__(
        self,
        canvas: Canvas | None,
        page_size: tuple[float, float],
        margins: tuple[float, float, float, float],
        *,
        on_new_page: Callable[[Writer], None] | None = None,
        on_page_end: Callable[[Writer], None] | None = None,
        page_breaks: bool = True,
    ) -> None:
        self.c = canvas
        self.page_w, self.page_h = page_size
        left, right, top, bottom = margins
        self.left = left
        self.right = self.page_w - right
        self.top = self.page_h - top
        self.bottom = bottom
        self.y = self.top
        self.page = 1
        self.on_new_page = on_new_page
        self.on_page_end = on_page_end
        self.page_breaks = page_breaks

    @property
    def width(self) -> float:
        return self.right - self.left

    # -- pages ---------------------------------------------------------------------------------------------

    def new_page(self, *, continuation: bool = True) -> None:
        """End this page and start the next; ``continuation=False`` skips the ``on_new_page`` hook."""
        if self.on_page_end:
            self.on_page_end(self)
        if self.c is not None:
            self.c.showPage()
        self.page += 1
        self.y = self.top
        if continuation and self.on_new_page:
            self.on_new_page(self)

    def finish(self) -> None:
        """End the last page (runs ``on_page_end``) and close the canvas page."""
        if self.on_page_end:
            self.on_page_end(self)
        if self.c is not None:
            self.c.showPage()

    def room(self) -> float:
        return self.y - self.bottom

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the cursor."""
        if self.page_breaks and height > self.room() and self.y < self.top:
            self.new_page()

    def space(self, height: float) -> None:
        self.y -= height

    # -- text ----------------------------------------------------------------------------------------------

    def draw_lines(
        self,
        lines: Sequence[Line],
        x: float,
        width: float,
        top: float,
        size: float,
        leading: float,
        align: Align = "left",
    ) -> None:
        """Draw already wrapped lines in a box starting at ``top``; no page breaks."""
        if self.c is None or not lines:
            return
        t = self.c.beginText()
        baseline = top - size
        for line in lines:
            if line.fragments:
                if align == "center":
                    lx = x + (width - line.width) / 2
                elif align == "right":
                    lx = x + width - line.width
                else:
                    lx = x + line.indent
                t.setTextOrigin(lx, baseline)
                for frag, font in line.fragments:
                    t.setFont(font, size, leading)
                    t.textOut(frag)
            baseline -= leading
        self.c.drawText(t)

    def paragraph(
        self,
        text: Text,
        *,
        size: float = 10.5,
        font: str = REGULAR,
        align: Align = "left",
        indent: float = 0.0,
        first_indent: float = 0.0,
        leading: float | None = None,
        x: float | None = None,
        width: float | None = None,
        space_after: float = 0.0,
        keep_together: bool = False,
        balanced: bool = False,
    ) -> int:
        """Wrap and draw ``text`` at the cursor, breaking pages between lines. Returns the line count."""
        leading = leading if leading is not None else size * 1.32
        x0 = (self.left if x is None else x) + indent
        w = (self.width if width is None else width) - indent
        lines = balanced_wrap(text, size, w, font) if balanced else wrap(text, size, w, font, first_indent)
        if keep_together:
            self.ensure(leading * len(lines))
        i = 0
        while i < len(lines):
            fit = len(lines) - i
            if self.page_breaks:
                fit = int((self.room() + 0.01) // leading)
                if fit < 1:
                    if self.y < self.top:
                        self.new_page()
                        continue
                    fit = 1
            chunk = lines[i : i + fit]
            self.draw_lines(chunk, x0, w, self.y, size, leading, align)
            self.y -= leading * len(chunk)
            i += len(chunk)
            if i < len(lines):
                self.new_page()
        self.y -= space_after
        return len(lines)

    def hline(
        self, x0: float, x1: float, y: float, width: float = 0.6, dash: Sequence[float] | None = None
    ) -> None:
        if self.c is None:
            return
        c = self.c
        c.saveState()
        c.setLineWidth(width)
        if dash:
            c.setDash(list(dash))
        c.line(x0, y, x1, y)
        c.restoreState()

    def boxed_label(self, text: str, x_right: float, y_top: float, size: float = 11) -> None:
        """A bold label in a box whose top-right corner is (x_right, y_top) — e.g. "BẢN SAO"."""
        if self.c is None:
            return
        text = nfc(text)
        w = text_width(text, BOLD, size) + 10
        h = size + 8
        c = self.c
        c.saveState()
        c.setLineWidth(1.2)
        c.rect(x_right - w, y_top - h, w, h, stroke=1, fill=0)
        c.setFont(BOLD, size)
        c.drawString(x_right - w + 5, y_top - h + 5 + size * 0.12, text)
        c.restoreState()

    # -- tables --------------------------------------------------------------------------------------------

    def table(
        self,
        widths: Sequence[float],
        rows: Sequence[TableRow],
        *,
        header: Sequence[HeaderCell] = (),
        header_rows: int = 1,
        aligns: Sequence[Align] | None = None,
        size: float = 10,
        header_size: float | None = None,
        pad: float = 3.0,
        min_row_height: float = 0.0,
        line_width: float = 0.6,
    ) -> None:
        """Draw a ruled table at the cursor. Rows split across pages; the header repeats on each page."""
        n = len(widths)
        xs = [self.left]
        for w in widths[:-1]:
            xs.append(xs[-1] + w)
        aligns = list(aligns) if aligns is not None else ["left"] * n
        header_size = header_size if header_size is not None else size
        leading = size * 1.3
        h_leading = header_size * 1.28

        # Lay the header out once.
        h_cells: list[tuple[HeaderCell, list[Line], float, float]] = []
        row_h = [0.0] * header_rows
        for hc in header:
            x = xs[hc.col]
            w = sum(widths[hc.col : hc.col + hc.colspan])
            lines = wrap(hc.text, header_size, w - 2 * pad, BOLD)
            need = len(lines) * h_leading + 2 * pad
            h_cells.append((hc, lines, x, w))
            if hc.rowspan == 1:
                row_h[hc.row] = max(row_h[hc.row], need)
        for hc, lines, _x, _w in h_cells:
            if hc.rowspan > 1:
                need = len(lines) * h_leading + 2 * pad
                have = sum(row_h[hc.row : hc.row + hc.rowspan])
                if need > have:
                    row_h[hc.row + hc.rowspan - 1] += need - have
        header_h = sum(row_h)

        def draw_header() -> None:
            top = self.y
            if self.c is not None:
                path = self.c.beginPath()
                for hc, lines, x, w in h_cells:
                    cell_top = top - sum(row_h[: hc.row])
                    cell_h = sum(row_h[hc.row : hc.row + hc.rowspan])
                    path.rect(x, cell_top - cell_h, w, cell_h)
                    text_h = len(lines) * h_leading
                    text_top = cell_top - (cell_h - text_h) / 2 - (h_leading - header_size) / 2
                    self.draw_lines(lines, x + pad, w - 2 * pad, text_top, header_size, h_leading, "center")
                self._stroke(path, line_width)
            self.y -= header_h

        if header:
            self.ensure(header_h + leading + 2 * pad)
            draw_header()
        at_page_top = self.y >= self.top - header_h - 0.01

        def next_page() -> None:
            self.new_page()
            if header:
                draw_header()

        for row in rows:
            if isinstance(row, SpanRow):
                cells = [wrap(row.text, size, self.width - 2 * pad, BOLD)]
                cell_x = [self.left]
                cell_w = [sum(widths)]
                cell_align: list[Align] = [row.align]
            else:
                cells = [wrap(t, size, widths[i] - 2 * pad) for i, t in enumerate(row)]
                cell_x = xs
                cell_w = list(widths)
                cell_align = aligns
            remaining = cells
            first_chunk = True
            while True:
                n_lines = max((len(c) for c in remaining), default=0)
                need = max(n_lines * leading + 2 * pad, min_row_height if first_chunk else 0.0)
                avail = self.room()
                fit = int((avail - 2 * pad) // leading)
                if not self.page_breaks or need <= avail or (at_page_top and fit < 1):
                    self._draw_row(
                        remaining, cell_x, cell_w, cell_align, need, size, leading, pad, line_width
                    )
                    at_page_top = False
                    break
                fresh_cap = (self.top - self.bottom) - header_h - 40
                if fit < 1 or (need <= fresh_cap and not at_page_top):
                    next_page()
                    at_page_top = True
                    continue
                head = [c[:fit] for c in remaining]
                self._draw_row(head, cell_x, cell_w, cell_align, avail, size, leading, pad, line_width)
                remaining = [c[fit:] for c in remaining]
                first_chunk = False
                next_page()
                at_page_top = True

    def _stroke(self, path: object, line_width: float) -> None:
        assert self.c is not None
        self.c.saveState()
        self.c.setLineWidth(line_width)
        self.c.drawPath(path, stroke=1, fill=0)
        self.c.restoreState()

    def _draw_row(
        self,
        cells: Sequence[Sequence[Line]],
        xs: Sequence[float],
        widths: Sequence[float],
        aligns: Sequence[Align],
        height: float,
        size: float,
        leading: float,
        pad: float,
        line_width: float,
    ) -> None:
        if self.c is not None:
            path = self.c.beginPath()
            for i, lines in enumerate(cells):
                path.rect(xs[i], self.y - height, widths[i], height)
                self.draw_lines(
                    lines,
                    xs[i] + pad,
                    widths[i] - 2 * pad,
                    self.y - pad - (leading - size) / 2,
                    size,
                    leading,
                    aligns[i],
                )
            self._stroke(path, line_width)
        self.y -= height


def fit_size(text: str, font: str, size: float, width: float, min_size: float = 6.0) -> float:
    """The largest size ≤ ``size`` at which ``text`` fits on one line of ``width``."""
    w = text_width(nfc(text), font, size)
    if w <= width:
        return size
    return max(min_size, size * width / w * 0.999)


def new_canvas(
    page_size: tuple[float, float], *, title: str, author: str = "", subject: str = ""
) -> tuple[Canvas, io.BytesIO]:
    """A canvas with byte-identical output for the same drawing (``invariant=1``), our font as default."""
    fonts.register_fonts()
    buf = io.BytesIO()
    c = Canvas(
        buf,
        pagesize=page_size,
        invariant=1,
        pageCompression=1,
        # types-reportlab declares initialFontName a float; ReportLab takes the font's name.
        initialFontName=REGULAR,  # type: ignore[arg-type]
        initialFontSize=10,
        initialLeading=12,
    )
    c.setTitle(nfc(title))
    c.setAuthor(nfc(author))
    c.setSubject(nfc(subject))
    c.setCreator("motcua-desk")
    c.setProducer("motcua-desk (ReportLab)")
    return c, buf


__all__ = [
    "BOLD",
    "ITALIC",
    "MM",
    "REGULAR",
    "Align",
    "HeaderCell",
    "Line",
    "Run",
    "SpanRow",
    "balanced_wrap",
    "Text",
    "Writer",
    "fit_size",
    "new_canvas",
    "runs_of",
    "text_width",
    "wrap",
]
