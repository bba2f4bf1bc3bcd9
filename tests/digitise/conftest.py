"""Fixtures of the digitising tests: scanned-looking pages made here (``app.digitise.samples``), cached per
session because rendering an A4 page at 300 dpi takes a second or two."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.digitise import samples


@pytest.fixture(scope="session")
def page_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A dense text page (PNG, 300 dpi, skewed 1.5°), a half page photographed as a JPEG (no dpi,
    skewed -2°), and a photograph-like page."""
    d = tmp_path_factory.mktemp("pages")
    out = {
        "dense": d / "dense.png",
        "half": d / "half.jpg",
        "photo": d / "photo.png",
    }
    samples.scanned(samples.text_page(), seed=2).save(out["dense"], dpi=(300, 300))
    samples.scanned(samples.text_page(repeat=1), skew_deg=-2.0, seed=3).convert("RGB").save(
        out["half"], quality=90
    )
    samples.scanned(samples.photo_page(), skew_deg=0.0, speckles=0).save(out["photo"], dpi=(300, 300))
    return out
