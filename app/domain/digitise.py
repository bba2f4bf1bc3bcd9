"""Digitising the papers of a dossier at the counter: the pure rules.

Sources (``../shared/rules-2026.md`` §1.2, §1.4, §1.5):

- Nghị định 118/2025/NĐ-CP Art. 17.1.c and Thông tư 03/2025/TT-VPCP Art. 5.1: papers handed over in
  person are copied into electronic form at intake, following Thông tư 01/2023/TT-VPCP Art. 8.2: every
  original digitised, whole; **as many images as pages, in order**; a page with a sticky note gets
  **two images** (with and without the note); integrity kept in transfer (a SHA-256 per file here).
- TT 03/2025 Art. 5.2: no copy is needed for four kinds of paper (:class:`Exemption`).
- Quyết định 766/QĐ-TTg group 4: dossiers with digitised papers and an electronic result, reused papers.

A paper's page set (:class:`PageSet`) is edited (add, reorder, rotate, delete, rescan one page, add the
sticky-note image) before it is stored; :func:`check_page_count` refuses a set whose page count differs
from the count the operator declared or the feeder reported. Nothing here touches a file or a database.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.domain.errors import DomainError, Problem

#: Pages one paper may have (a land-use certificate has 4; a thick contract file a few hundred).
MAX_PAGES = 500
SHA256_RE = re.compile(r"[0-9a-f]{64}")


class Exemption(enum.StrEnum):
    """The four kinds of paper TT 03/2025/TT-VPCP Art. 5.2 exempts from copying.

    The wording below is this project's rendering of the article as summarised in
    ``rules-2026.md`` §1.2 ("dossiers already submitted electronically; papers only shown; verification
    results from other bodies; secret papers"); the article's verbatim text was not available here, so it
    is not quoted as if it were.
    """

    ELECTRONIC = "electronic"
    SHOWN_ONLY = "shown_only"
    VERIFICATION_RESULT = "verification_result"
    SECRET = "secret"

    @property
    def vi(self) -> str:
        return _EXEMPTION_TEXT[self][0]

    @property
    def en(self) -> str:
        return _EXEMPTION_TEXT[self][1]


_EXEMPTION_TEXT: dict[Exemption, tuple[str, str]] = {
    Exemption.ELECTRONIC: (
        "Giấy tờ đã ở dạng điện tử (hồ sơ đã nộp trực tuyến) — không phải số hóa "
        "(TT 03/2025/TT-VPCP, Điều 5.2).",
        "Paper already electronic (dossier submitted online): no copy needed (TT 03/2025/TT-VPCP Art. 5.2).",
    ),
    Exemption.SHOWN_ONLY: (
        "Giấy tờ chỉ xuất trình để đối chiếu — không phải số hóa (TT 03/2025/TT-VPCP, Điều 5.2).",
        "Paper only shown for comparison: no copy needed (TT 03/2025/TT-VPCP Art. 5.2).",
    ),
    Exemption.VERIFICATION_RESULT: (
        "Kết quả xác minh của cơ quan khác — không phải số hóa (TT 03/2025/TT-VPCP, Điều 5.2).",
        "Verification result from another body: no copy needed (TT 03/2025/TT-VPCP Art. 5.2).",
    ),
    Exemption.SECRET: (
        "Giấy tờ có nội dung bí mật nhà nước — không số hóa (TT 03/2025/TT-VPCP, Điều 5.2).",
        "Paper containing state secrets: not copied (TT 03/2025/TT-VPCP Art. 5.2).",
    ),
}


def parse_exemption(value: str) -> Exemption:
    try:
        return Exemption(value.strip().lower())
    except ValueError:
        names = ", ".join(e.value for e in Exemption)
        raise DomainError(
            Problem(
                "digitise.exemption",
                f"Lý do miễn số hóa «{value}» không hợp lệ; dùng một trong: {names}.",
                f"Exemption reason {value!r} is invalid; use one of: {names}.",
                "exempt",
            )
        ) from None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paper: its image (a key the caller chooses, e.g. a temp file or a SHA-256), a
    rotation in quarter turns clockwise, and the second image of a page with a sticky note (the page
    with the note on; ``image`` is then the page without it)."""

    image: str
    rotation: int = 0
    note_image: str | None = None

    @property
    def images(self) -> int:
        return 1 if self.note_image is None else 2


def _index_problem(index: int, count: int) -> DomainError:
    return DomainError(
        Problem(
            "digitise.page_index",
            f"Không có trang {index + 1} (giấy tờ có {count} trang).",
            f"There is no page {index + 1} (the paper has {count} pages).",
            "page",
        )
    )


@dataclass(frozen=True, slots=True)
class PageSet:
    """The pages of one paper, in order. Every operation returns a new set."""

    pages: tuple[Page, ...] = ()

    def __len__(self) -> int:
        return len(self.pages)

    @property
    def image_count(self) -> int:
        """Images stored: one per page, two for a page with a sticky note (TT 01/2023 Art. 8.2)."""
        return sum(p.images for p in self.pages)

    def _check(self, index: int) -> None:
        if not 0 <= index < len(self.pages):
            raise _index_problem(index, len(self.pages))

    def add(self, images: Sequence[str]) -> PageSet:
        """Pages appended at the end, in the order scanned."""
        if len(self.pages) + len(images) > MAX_PAGES:
            raise DomainError(_too_many(len(self.pages) + len(images)))
        return PageSet(self.pages + tuple(Page(i) for i in images))

    def delete(self, index: int) -> PageSet:
        self._check(index)
        return PageSet(self.pages[:index] + self.pages[index + 1 :])

    def move(self, index: int, delta: int) -> PageSet:
        """Page ``index`` moved ``delta`` places (Ctrl+Up = -1, Ctrl+Down = +1), clamped to the ends."""
        self._check(index)
        target = max(0, min(len(self.pages) - 1, index + delta))
        pages = list(self.pages)
        pages.insert(target, pages.pop(index))
        return PageSet(tuple(pages))

    def rotate(self, index: int, quarter_turns: int = 1) -> PageSet:
        self._check(index)
        p = self.pages[index]
        return self._put(index, replace(p, rotation=(p.rotation + quarter_turns) % 4))

    def rescan(self, index: int, image: str) -> PageSet:
        """Page ``index`` replaced by a new scan (its note image is dropped with the old scan)."""
        self._check(index)
        return self._put(index, Page(image))

    def add_note_image(self, index: int, image: str) -> PageSet:
        """The second image of a page with a sticky note: ``image`` shows the page with the note."""
        self._check(index)
        return self._put(index, replace(self.pages[index], note_image=image))

    def _put(self, index: int, page: Page) -> PageSet:
        return PageSet(self.pages[:index] + (page,) + self.pages[index + 1 :])


def _too_many(n: int) -> Problem:
    return Problem(
        "digitise.too_many_pages",
        f"Một giấy tờ có tối đa {MAX_PAGES} trang (đang có {n}).",
        f"A paper has at most {MAX_PAGES} pages (this one has {n}).",
        "pages",
    )


def validate_declared(declared: int | None) -> int | None:
    """The page count the operator declared (or the feeder reported): 1..MAX_PAGES, or None."""
    if declared is None:
        return None
    if not 1 <= declared <= MAX_PAGES:
        raise DomainError(
            Problem(
                "digitise.declared_pages",
                f"Số trang khai báo phải từ 1 đến {MAX_PAGES}.",
                f"The declared page count must be between 1 and {MAX_PAGES}.",
                "pages",
            )
        )
    return declared


def check_page_count(paper_name: str, declared: int | None, actual: int) -> None:
    """TT 01/2023 Art. 8.2: as many images as pages. Refuses an empty set, and a set whose page count
    differs from the declared one (a page missed by the feeder, or one scanned twice)."""
    if actual == 0:
        raise DomainError(
            Problem(
                "digitise.no_pages",
                f"Giấy tờ «{paper_name}» chưa có trang nào được số hóa.",
                f"No page of {paper_name!r} has been digitised.",
                "pages",
            )
        )
    if actual > MAX_PAGES:
        raise DomainError(_too_many(actual))
    if declared is not None and declared != actual:
        raise DomainError(
            Problem(
                "digitise.page_mismatch",
                f"Giấy tờ «{paper_name}» khai báo {declared} trang nhưng đã quét {actual} trang: "
                "hãy quét lại hoặc sửa số trang khai báo.",
                f"{paper_name!r} was declared with {declared} pages but {actual} were scanned: "
                "rescan, or correct the declared count.",
                "pages",
            )
        )


def check_paper_number(number: int, paper_count: int) -> int:
    """The paper's 1-based row in the dossier's checklist; returns its 0-based index."""
    if not 1 <= number <= paper_count:
        raise DomainError(
            Problem(
                "digitise.paper",
                f"Hồ sơ không có giấy tờ số {number} (có {paper_count} giấy tờ).",
                f"The dossier has no paper number {number} (it has {paper_count}).",
                "paper",
            )
        )
    return number - 1


class OcrState(enum.StrEnum):
    """Text recognition of a stored file, done in the background after intake."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    #: Not applicable (an exemption, a result that is already an electronic document with text).
    NONE = "none"


class UploadState(enum.StrEnum):
    """Where a file stands on its way to the provincial server (the table also allows ``sent`` and
    ``parked``, which the sync of files will set)."""

    PENDING = "pending"
    NONE = "none"


class FileKind(enum.StrEnum):
    PAPER = "paper"
    RESULT = "result"


def is_sha256(value: str) -> bool:
    return SHA256_RE.fullmatch(value) is not None
