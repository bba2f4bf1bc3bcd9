"""Cleaning and compressing scanned pages, offline: deskew, crop, grey or black-and-white, one PDF.

Every page goes through :func:`clean_page`:

1. orientation: the EXIF orientation of a phone photo, then the operator's quarter turns;
2. levels: the paper's white and the ink's black stretched to 255/0 (percentiles), so a grey scanner
   background or a dim photo does not decide the mode;
3. crop: dark bands at the edges (scanner lid, the table under a phone photo) are cut off;
4. deskew: the angle (±7°) whose horizontal projection profile is sharpest, found on a quarter-size
   copy, coarse then fine; the full page is rotated once;
5. mode: a page whose pixels are nearly all paper or ink (text, forms, stamps in one colour) is stored
   in black and white (brought down to 240 dpi, a light blur, Otsu's threshold, then lone specks of dust
   or noise removed), as CCITT Group 4; a page with real grey areas (a photo, a portrait on an ID card)
   in grey JPEG at 200 dpi.

Why 240 dpi for black and white: a full A4 page of 12 pt text in G4 is about 51 KB at 300 dpi (47 KB even
for a noiseless rendering), which with the text layer and the PDF/A declarations (about 9 KB) leaves no
room under the 60 KB target; JBIG2, which would, has no encoder in Debian 12. At 240 dpi the same page is
about 42 KB, and Tesseract reads at least as many of its words correctly as on the 300 dpi grey scan (12 pt
and 9 pt pages; ``bench/bench_digitise.py`` and ``tests/digitise/test_ocr.py`` measure it). 240 dpi stays
above the 200 dpi commonly required for archive copies (TT 02/2019/TT-BNV, from memory: its text was not
available here).

:func:`pages_pdf` puts the encoded pages into one PDF with ``img2pdf``, which embeds the G4 and JPEG
data as they are (no re-encoding); :func:`page_hashes` gives each page's SHA-256 from the PDF itself.
PDF/A-2b and the text layer are added later by the OCR step (``app.digitise.ocr``).

The window's process imports this module for its page types and never cleans a page itself (its
digitising panel cleans and assembles in a child process, ``app.services.digitise_panel``): NumPy
(about 14 MB resident) is imported by the functions that use it, and img2pdf and pikepdf (16 MB) by
:func:`pages_pdf` and :func:`page_hashes`, so that none of them is part of the window's memory.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageFilter, ImageOps

from app.domain.errors import DomainError, Problem

if TYPE_CHECKING:
    import numpy as np

A4_LONG_INCH = 297 / 25.4
#: Black-and-white pages keep the scan's resolution (capped); grey pages are stored at this one.
GREY_DPI = 200
BW_DPI = 240
#: Gaussian blur (pixels at BW_DPI) before the threshold: smoother stroke edges, a smaller G4 stream.
BW_BLUR = 1.0
JPEG_QUALITY = 55
#: Share of the page in mid-tones (after levels and a median filter) above which a page is grey.
GREY_SHARE = 0.04
MAX_SKEW = 7.0
#: Formats accepted from files and folders (a phone photo is a JPEG, or HEIC converted by the phone).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUFFIXES = (*IMAGE_SUFFIXES, ".pdf")
MAX_PIXELS = 80_000_000


def _unreadable(name: str, en_why: str, vi_why: str) -> DomainError:
    return DomainError(
        Problem(
            "digitise.file",
            f"Không đọc được tệp «{name}»: {vi_why}.",
            f"Cannot read the file {name!r}: {en_why}.",
            "file",
        )
    )


@dataclass(frozen=True)
class RawPage:
    """A page as it came from a source, with the resolution the source reported (None: unknown)."""

    image: Image.Image
    dpi: float | None
    origin: str


@dataclass(frozen=True)
class CleanPage:
    data: bytes
    mode: str  # "bw" | "grey"
    width: int
    height: int
    dpi: int
    skew: float


def _dpi_of(img: Image.Image) -> float | None:
    dpi = img.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and float(dpi[0]) >= 100:
        return float(dpi[0])
    return None


def load_file(path: Path) -> list[RawPage]:
    """The pages of an image file (PNG, JPEG, TIFF with one or more pages) or a PDF (rasterised at
    300 dpi with poppler's ``pdftoppm``)."""
    return list(iter_file(path))


def iter_file(path: Path) -> Iterator[RawPage]:
    """The pages of a file one at a time (a page is ≈ 9 MB in memory at 300 dpi: a 50-page PDF or TIFF
    is never held whole; a PDF's pages wait as PNG files in a temporary folder)."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DomainError(
            Problem(
                "digitise.file_type",
                f"Tệp «{name}» không phải ảnh hay PDF (chấp nhận: PNG, JPEG, TIFF, PDF).",
                f"{name!r} is not an image or a PDF (accepted: PNG, JPEG, TIFF, PDF).",
                "file",
            )
        )
    if not path.is_file():
        raise _unreadable(name, "no such file", "không có tệp này")
    if suffix == ".pdf":
        yield from _load_pdf(path)
        return
    try:
        with Image.open(path) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ValueError(f"{img.width}×{img.height} pixels is too large")
            frames = getattr(img, "n_frames", 1)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise _unreadable(name, str(exc), "tệp hỏng hoặc không phải ảnh") from None
    for i in range(frames):
        try:
            with Image.open(path) as img:
                img.seek(i)
                frame = ImageOps.exif_transpose(img) if i == 0 else img.copy()
                frame.load()
                dpi = _dpi_of(img)
        except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
            raise _unreadable(name, str(exc), "tệp hỏng hoặc không phải ảnh") from None
        yield RawPage(frame, dpi, f"{name}#{i + 1}")


def _load_pdf(path: Path) -> Iterator[RawPage]:
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise _unreadable(
            path.name, "pdftoppm (poppler-utils) is not installed", "chưa cài pdftoppm (poppler-utils)"
        )
    with tempfile.TemporaryDirectory(prefix="motcua-pdf-") as tmp:
        proc = subprocess.run(  # noqa: S603 - fixed executable, our own arguments
            [exe, "-r", "300", "-gray", "-png", str(path), str(Path(tmp) / "p")],
            capture_output=True,
            timeout=600,
            check=False,
        )
        if proc.returncode != 0:
            why = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise _unreadable(path.name, why[0], "PDF hỏng hoặc có mật khẩu")
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        if not files:
            raise _unreadable(path.name, "no page", "không có trang nào")
        for i, f in enumerate(files):
            with Image.open(f) as img:
                img.load()
                page = RawPage(img.copy(), 300.0, f"{path.name}#{i + 1}")
            f.unlink()
            yield page


def _grey(img: Image.Image) -> np.ndarray:
    import numpy as np

    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    return np.asarray(img.convert("L"), dtype=np.uint8)


def _levels(a: np.ndarray) -> np.ndarray:
    import numpy as np

    sample = a[::4, ::4]
    black, white = (float(x) for x in np.percentile(sample, [0.5, 90.0]))
    if white - black < 32:  # a blank or nearly uniform page: leave it
        return a
    lut = np.clip((np.arange(256, dtype=np.float32) - black) * (255.0 / (white - black)), 0, 255)
    levelled: np.ndarray = lut.astype(np.uint8)[a]
    return levelled


def _crop_dark_edges(a: np.ndarray) -> np.ndarray:
    """Cut dark bands along the edges (scanner lid, a table around a photographed paper)."""
    import numpy as np

    rows = a.mean(axis=1)
    cols = a.mean(axis=0)

    def span(profile: np.ndarray) -> tuple[int, int]:
        bright = np.nonzero(profile > 128)[0]
        if bright.size == 0:
            return 0, profile.size
        return int(bright[0]), int(bright[-1]) + 1

    top, bottom = span(rows)
    left, right = span(cols)
    if (bottom - top) < a.shape[0] * 0.5 or (right - left) < a.shape[1] * 0.5:
        return a  # not a band: leave the page whole
    return a[top:bottom, left:right]


def skew_angle(a: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive as PIL's) that makes text lines straight.

    On a quarter-size copy, every ink pixel is projected onto the vertical axis along lines of slope
    ``tan(angle)``; the angle whose row histogram is sharpest (sum of squared differences) wins, first
    in 0.5° steps, then 0.1° around the best. The same is done on the copy turned a quarter (a page
    scanned sideways, whose lines are vertical: the operator turns it later) and the sharper of the two
    decides; the angle is the same either way, a turn by quarters commuting with the deskew."""
    import numpy as np

    small = np.asarray(Image.fromarray(a).reduce(4))
    ys, xs = np.nonzero(small < 128)
    if ys.size < 50:
        return 0.0
    if ys.size > 200_000:
        pick = np.random.default_rng(0).choice(ys.size, 200_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    h, width = small.shape
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5)
    best: tuple[float, float, Callable[[float], float]] | None = None
    # (row, column) of each ink pixel upright, then on the copy turned a quarter (np.rot90: x becomes
    # the row counted from the bottom).
    for rows_of, cols_of, n_rows, n_cols in (
        (ys, xs, h, width),
        (width - 1 - xs, ys, width, h),
    ):
        score = _profile_score(rows_of, cols_of, n_rows, n_cols)
        angle = float(max(coarse, key=lambda x, f=score: f(float(x))))  # type: ignore[misc]
        value = score(angle)
        if best is None or value > best[0]:
            best = (value, angle, score)
    assert best is not None
    _, angle, score = best
    fine = np.arange(angle - 0.4, angle + 0.41, 0.1)
    # The lines lie at the angle found; turning the page by its opposite makes them straight.
    return -round(float(max(fine, key=lambda x: score(float(x)))), 2) + 0.0


def _profile_score(ys: np.ndarray, xs: np.ndarray, h: int, width: int) -> Callable[[float], float]:
    import numpy as np

    pad = int(width * np.tan(np.radians(MAX_SKEW + 1))) + 2
    yf = ys.astype(np.float64)
    xf = xs.astype(np.float64) - width / 2

    def score(angle: float) -> float:
        # A line rotated by +angle (counter-clockwise on screen, y down) rises to the right: y = y0 - x·tan.
        rows = np.rint(yf + xf * np.tan(np.radians(angle))).astype(np.int64) + pad
        profile = np.bincount(rows, minlength=h + 2 * pad).astype(np.float64)
        return float(np.square(np.diff(profile)).sum())

    return score


def _otsu(a: np.ndarray) -> int:
    import numpy as np

    hist = np.bincount(a.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    omega = np.cumsum(hist) / total
    mu = np.cumsum(hist * np.arange(256)) / total
    mu_t = mu[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = (mu_t * omega - mu) ** 2 / (omega * (1 - omega))
    sigma = np.nan_to_num(sigma)
    return int(np.argmax(sigma))


def grey_share(a: np.ndarray) -> float:
    """Share of a page in mid-tones (on every other pixel): text and line art are paper or ink but for
    their anti-aliased edges; a photograph is mostly mid-tones."""
    import numpy as np

    s = a[::2, ::2]
    return float(np.count_nonzero((s > 60) & (s < 190))) / s.size


def despeckle(ink: np.ndarray) -> np.ndarray:
    """Ink pixels (True) with no inked neighbour among their 8 are dust or sensor noise: removed."""
    import numpy as np

    p = np.pad(ink, 1).astype(np.uint8)
    h, w = ink.shape
    neighbours = np.zeros((h, w), dtype=np.uint8)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if dy == 1 and dx == 1:
                continue
            neighbours += p[dy : dy + h, dx : dx + w]
    return ink & (neighbours >= 2)


def clean_page(raw: RawPage, rotation: int = 0, force_mode: str | None = None) -> CleanPage:
    """The page cleaned and compressed as read, then turned by ``rotation`` quarter turns clockwise
    (:func:`rotate_clean`): the levels, crop, deskew angle and mode are those of the page as read (the
    deskew finds text lines lying sideways as well, the turn commuting with it), so a page cleaned at once
    and turned later — the window's panel does so — is the same page, byte for byte, as one cleaned with
    its rotation."""
    return rotate_clean(_clean(raw, force_mode), rotation)


def rotate_clean(page: CleanPage, quarter_turns: int) -> CleanPage:
    """A cleaned page turned by quarter turns clockwise: black and white exactly (the G4 bits turned and
    encoded again), grey decoded, turned and encoded again at the same JPEG quality (one more JPEG
    generation, for a turned grey page only)."""
    turns = quarter_turns % 4
    if not turns:
        return page
    transpose = (
        Image.Transpose.ROTATE_270,  # a quarter turn clockwise
        Image.Transpose.ROTATE_180,
        Image.Transpose.ROTATE_90,
    )[turns - 1]
    with Image.open(io.BytesIO(page.data)) as img:
        img.load()
        turned = img.transpose(transpose)
    out = io.BytesIO()
    if page.mode == "bw":
        _save_g4(turned, out, page.dpi)
    else:
        _save_jpeg(turned, out, page.dpi)
    return CleanPage(out.getvalue(), page.mode, turned.width, turned.height, page.dpi, page.skew)


def _save_g4(bw: Image.Image, out: io.BytesIO, dpi: int) -> None:
    # One strip for the whole page: img2pdf then embeds the G4 data as it is. With Pillow's default
    # 64 KB strips img2pdf decodes and encodes the page again (twice the CPU, in the caller's
    # process: the window's panel compresses in a child process for this encoder's sake).
    bw.save(
        out, format="TIFF", compression="group4", dpi=(dpi, dpi), strip_size=(bw.width + 7) // 8 * bw.height
    )


def _save_jpeg(page: Image.Image, out: io.BytesIO, dpi: int) -> None:
    page.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, dpi=(dpi, dpi))


def thumbnail(page: CleanPage, box: tuple[int, int]) -> bytes:
    """A small PNG of a cleaned page (the window's thumbnails), within ``box`` pixels."""
    with Image.open(io.BytesIO(page.data)) as img:
        img.draft("L", (box[0] * 2, box[1] * 2))  # a JPEG decoded at a fraction of its size
        small = img.convert("L")
    small.thumbnail(box)
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()


def clean_with_thumbnail(raw: RawPage, box: tuple[int, int]) -> tuple[CleanPage, bytes]:
    """:func:`clean_page` as read (no turn) and its thumbnail: what the window's panel holds of a page."""
    page = _clean(raw, None)
    return page, thumbnail(page, box)


def clean_file_with_thumbnails(path: Path, box: tuple[int, int]) -> list[tuple[CleanPage, bytes]]:
    """Every page of the file at ``path`` read, cleaned as read and given its thumbnail
    (:func:`clean_with_thumbnail`): the window's panel runs it in its cleaning child, so that a file's
    decoded pixels never pass through the window's process."""
    return [clean_with_thumbnail(raw, box) for raw in iter_file(path)]


def _clean(raw: RawPage, force_mode: str | None) -> CleanPage:
    import numpy as np

    img = raw.image
    dpi = raw.dpi or max(img.size) / A4_LONG_INCH
    a = _levels(_grey(img))
    a = _crop_dark_edges(a)
    angle = skew_angle(a)
    page = Image.fromarray(a)
    if abs(angle) >= 0.1:
        page = page.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255, expand=False)
    a = np.asarray(page)
    mode = force_mode or ("grey" if grey_share(a) > GREY_SHARE else "bw")
    out = io.BytesIO()
    if mode == "bw":
        target = min(dpi, BW_DPI)
        if target < dpi - 1:
            page = page.resize(
                (round(page.width * target / dpi), round(page.height * target / dpi)),
                Image.Resampling.LANCZOS,
            )
        # A light blur first smooths ragged stroke edges: a smaller G4 stream, and Tesseract reads the
        # diacritics better (bench/bench_digitise.py measures both).
        grey = np.asarray(page.filter(ImageFilter.GaussianBlur(BW_BLUR)))
        ink = despeckle(grey <= _otsu(grey))
        bw = Image.fromarray(~ink)  # mode "1": True = white
        _save_g4(bw, out, round(target))
        w, h, final_dpi = bw.width, bw.height, round(target)
    else:
        target = min(dpi, GREY_DPI)
        if target < dpi - 1:
            page = page.resize(
                (round(page.width * target / dpi), round(page.height * target / dpi)),
                Image.Resampling.LANCZOS,
            )
        _save_jpeg(page, out, round(target))
        w, h, final_dpi = page.width, page.height, round(target)
    return CleanPage(out.getvalue(), mode, w, h, final_dpi, angle)


def pages_pdf(pages: Sequence[CleanPage], title: str = "") -> bytes:
    """One PDF with the pages in order, their encoded data embedded as it is."""
    import img2pdf

    if not pages:
        raise ValueError("no pages")
    data = img2pdf.convert([p.data for p in pages], title=title or None, producer="motcua-desk")
    assert isinstance(data, bytes)
    return data


def assemble(pages: Sequence[CleanPage], title: str = "") -> tuple[bytes, list[str]]:
    """:func:`pages_pdf` and its pages' :func:`page_hashes`: a paper's PDF as it is stored."""
    pdf = pages_pdf(pages, title)
    return pdf, page_hashes(pdf)


def page_hashes(pdf: bytes) -> list[str]:
    """Per PDF page, the SHA-256 of its image's stream as stored (the G4 or JPEG data): what anyone can
    recompute from the file to check a page (TT 01/2023 Art. 8.2: integrity kept in transfer)."""
    import pikepdf

    out: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            h = hashlib.sha256()
            for _name, image in sorted(page.get_images().items()):
                h.update(image.read_raw_bytes())
            out.append(h.hexdigest())
    return out
