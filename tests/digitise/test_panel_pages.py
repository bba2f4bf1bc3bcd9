"""The window's digitising panel holds each page cleaned and compressed as soon as it is read (issue 19,
RSS ≤ 250 MB for a 50-page batch): a page rotated afterwards must be the same page, byte for byte, as one
cleaned with its rotation (``motcua-desk attach --rotate``, ``app.services.files.attach``)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.digitise import imaging, samples
from app.domain import digitise as dg
from app.services import digitise_panel as dp
from app.services import files as fsvc


@pytest.fixture(scope="module", autouse=True)
def _child() -> Iterator[None]:
    yield
    dp.stop_compression()


def _pixels(page: imaging.CleanPage) -> np.ndarray:
    with Image.open(io.BytesIO(page.data)) as img:
        return np.asarray(img.convert("L"))


@pytest.mark.parametrize("name", ["dense", "photo"])
def test_a_page_cleaned_at_once_and_rotated_later_equals_one_cleaned_with_its_rotation(
    page_files: dict[str, Path], name: str
) -> None:
    (loaded,) = dp.load_files([page_files[name]])  # cleaned in the child process as it was read
    (raw,) = imaging.load_file(page_files[name])
    assert loaded.page == imaging.clean_page(raw)
    assert loaded.page.mode == ("bw" if name == "dense" else "grey")
    for turns in (1, 2, 3):
        pages = dg.PageSet().add(["k"]).rotate(0, turns)
        # The panel's way (the cleaned page turned in the child) against the command line's (the raw page
        # cleaned with its rotation, then taken as it is): the same page bytes, hashes and modes (the PDFs
        # differ only by their creation time).
        turned = dp.rotate_in_child(loaded.page, turns)
        assert turned == imaging.clean_page(raw, turns)
        panel = dp.prepare(name, pages, {"k": loaded.page}, 1, rotate=dp.rotate_in_child)
        attach = fsvc.prepare_pages(pages, {"k": imaging.clean_page(raw, turns)}, title=name)
        assert panel.page_rows == attach.page_rows and panel.page_count == attach.page_count == 1
        assert (
            panel.page_rows[0]["sha256"]
            != fsvc.prepare_pages(dg.PageSet().add(["k"]), {"k": raw}).page_rows[0]["sha256"]
        )
        assert (turned.width, turned.height) == (
            (loaded.page.height, loaded.page.width) if turns % 2 else (loaded.page.width, loaded.page.height)
        )


def test_black_and_white_turns_are_exact(page_files: dict[str, Path]) -> None:
    (raw,) = imaging.load_file(page_files["dense"])
    page = imaging.clean_page(raw)
    assert page.mode == "bw"
    once = imaging.rotate_clean(page, 1)
    assert np.array_equal(_pixels(once), np.rot90(_pixels(page), -1))  # a quarter turn clockwise
    assert np.array_equal(_pixels(imaging.rotate_clean(page, 2)), np.rot90(_pixels(page), 2))
    four = page
    for _ in range(4):
        four = imaging.rotate_clean(four, 1)
    assert four == page
    assert imaging.rotate_clean(page, 4) is page


@pytest.mark.parametrize(("skew", "turn"), [(1.7, 90), (-2.5, -90)])
def test_a_page_scanned_sideways_and_rotated_back_is_deskewed_as_the_upright_one(
    skew: float, turn: int
) -> None:
    img = samples.scanned(samples.text_page(), skew_deg=skew, seed=71)
    upright = imaging.clean_page(imaging.RawPage(img, 300.0, "upright"))
    sideways = imaging.RawPage(img.rotate(turn, expand=True), 300.0, "sideways")
    back = imaging.clean_page(sideways, 1 if turn > 0 else 3)
    assert upright.skew == back.skew == pytest.approx(-skew, abs=0.25)
    a, b = _pixels(upright), _pixels(back)
    assert a.shape == b.shape
    assert float((a == b).mean()) > 0.999


def test_thumbnails_are_made_from_the_cleaned_page(page_files: dict[str, Path]) -> None:
    (loaded,) = dp.load_files([page_files["photo"]])
    with Image.open(io.BytesIO(loaded.thumbnail)) as thumb:
        assert thumb.format == "PNG"
        assert thumb.width <= dp.THUMB_BOX[0] and thumb.height <= dp.THUMB_BOX[1]
        assert max(thumb.size) >= dp.THUMB_BOX[1] - 2
    assert loaded.thumbnail == imaging.thumbnail(loaded.page, dp.THUMB_BOX)
