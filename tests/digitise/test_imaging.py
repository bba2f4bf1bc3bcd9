"""Cleaning and compression of pages (app.digitise.imaging) on pages made here."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.digitise import imaging, samples
from app.domain.errors import DomainError


@pytest.mark.parametrize("skew", [-4.0, -1.0, 0.0, 2.5, 6.0])
def test_skew_is_found_within_a_few_tenths_of_a_degree(skew: float) -> None:
    page = np.asarray(samples.scanned(samples.text_page(repeat=1), skew_deg=skew, seed=5))
    assert imaging.skew_angle(page) == pytest.approx(-skew, abs=0.25)


def test_dense_text_page_is_black_and_white_and_small(page_files: dict[str, Path]) -> None:
    (raw,) = imaging.load_file(page_files["dense"])
    c = imaging.clean_page(raw)
    assert c.mode == "bw" and c.dpi == imaging.BW_DPI
    assert (c.width, c.height) == tuple(round(n * imaging.BW_DPI / 300) for n in samples.A4_300)
    assert c.skew == pytest.approx(-1.5, abs=0.25)
    # The image-only page leaves room under 60 KB for the text layer and the PDF/A declarations.
    assert len(c.data) <= 48_000, len(c.data)
    bw = np.asarray(Image.open(io.BytesIO(c.data)).convert("L"))
    # Speckle noise gone: few lone ink pixels remain, and the paper is white.
    assert np.count_nonzero(bw == 0) / bw.size < 0.12


def test_photo_page_stays_grey(page_files: dict[str, Path]) -> None:
    (raw,) = imaging.load_file(page_files["photo"])
    c = imaging.clean_page(raw)
    assert c.mode == "grey" and c.dpi == imaging.GREY_DPI
    assert Image.open(io.BytesIO(c.data)).format == "JPEG"


def test_phone_photo_without_dpi_is_taken_as_a4(page_files: dict[str, Path]) -> None:
    (raw,) = imaging.load_file(page_files["half"])
    assert raw.dpi is None
    c = imaging.clean_page(raw)
    assert c.mode == "bw" and c.dpi == imaging.BW_DPI


def test_dark_scanner_lid_is_cropped() -> None:
    page = samples.scanned(samples.text_page(repeat=1), skew_deg=0.0, seed=4)
    framed = Image.new("L", (page.width + 200, page.height + 160), 20)
    framed.paste(page, (100, 80))
    c = imaging.clean_page(imaging.RawPage(framed, 300.0, "framed"))
    scale = c.dpi / 300  # black and white is stored at BW_DPI
    assert abs(c.width - page.width * scale) <= 4 and abs(c.height - page.height * scale) <= 4


def test_rotation_by_quarter_turns(page_files: dict[str, Path]) -> None:
    (raw,) = imaging.load_file(page_files["half"])
    c = imaging.clean_page(raw, rotation=1)
    assert c.width > c.height


def test_pdf_embeds_the_page_bytes_as_they_are(page_files: dict[str, Path], tmp_path: Path) -> None:
    pages = [imaging.clean_page(p) for f in ("dense", "photo") for p in imaging.load_file(page_files[f])]
    data = imaging.pages_pdf(pages)
    pdf = pikepdf.open(io.BytesIO(data))
    assert len(pdf.pages) == 2
    filters = []
    for page, c in zip(pdf.pages, pages, strict=True):
        (img,) = page.get_images().values()
        filters.append(str(img.Filter))
        if c.mode == "grey":
            assert img.read_raw_bytes() == c.data  # the JPEG itself
    assert "/CCITTFaxDecode" in filters[0] and "/DCTDecode" in filters[1]
    hashes = imaging.page_hashes(data)
    assert hashes[1] == hashlib.sha256(pages[1].data).hexdigest() and len(set(hashes)) == 2


def test_pdf_and_multipage_tiff_are_read_page_by_page(page_files: dict[str, Path], tmp_path: Path) -> None:
    a = Image.open(page_files["dense"])
    b = Image.open(page_files["half"])
    tiff = tmp_path / "two.tiff"
    a.save(tiff, save_all=True, append_images=[b.convert("L")], dpi=(300, 300))
    assert [p.origin for p in imaging.load_file(tiff)] == ["two.tiff#1", "two.tiff#2"]
    pdf = tmp_path / "two.pdf"
    pdf.write_bytes(imaging.pages_pdf([imaging.clean_page(p) for p in imaging.load_file(tiff)]))
    pages = imaging.load_file(pdf)
    assert len(pages) == 2 and pages[0].dpi == 300.0


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("x.docx", b"PK", "digitise.file_type"),
        ("x.png", b"not an image", "digitise.file"),
        ("x.pdf", b"%PDF-1.4 broken", "digitise.file"),
    ],
)
def test_bad_files_are_refused_with_a_message(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(DomainError) as err:
        imaging.load_file(f)
    assert err.value.problems[0].code == code
    assert name in err.value.problems[0].vi


def test_black_and_white_page_is_one_g4_strip_embedded_as_it_is(page_files: dict[str, Path]) -> None:
    """One strip: img2pdf embeds the G4 data unchanged (several strips, it would decode and encode the
    page again), so the page's hash in the PDF is the hash of the data the cleaning made."""
    (raw,) = imaging.load_file(page_files["dense"])
    c = imaging.clean_page(raw)
    tiff = Image.open(io.BytesIO(c.data))
    assert tiff.tag_v2[278] == tiff.height  # RowsPerStrip: the whole page
    (offset,), (length,) = tiff.tag_v2[273], tiff.tag_v2[279]
    strip = c.data[offset : offset + length]
    assert imaging.page_hashes(imaging.pages_pdf([c])) == [hashlib.sha256(strip).hexdigest()]


def test_the_panel_cleans_pages_in_a_child_process_with_the_same_result(page_files: dict[str, Path]) -> None:
    import os

    from app.services import digitise_panel as dp

    (raw,) = imaging.load_file(page_files["dense"])
    try:
        assert dp.clean_in_child(raw, 1) == imaging.clean_page(raw, 1)
        pool = dp._pool
        assert pool is not None
        pids = [p.pid for p in pool._processes.values()]
        assert pids and os.getpid() not in pids
    finally:
        dp.stop_compression()
    assert dp._pool is None
