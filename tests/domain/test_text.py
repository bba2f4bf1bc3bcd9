"""Folding for search: the translate-table ``fold`` against its definition, character by character and
on whole strings (decomposed input, combining marks in any order, other scripts, spaces)."""

from __future__ import annotations

import re
import unicodedata

from domain.vn_names import syllables
from hypothesis import given
from hypothesis import strategies as st

from app.domain.text import _MarkFreeTable, fold, strip_marks


def reference_fold(text: str) -> str:
    """The definition: NFD the whole string, drop combining marks, đ → d, casefold, collapse spaces."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def test_examples() -> None:
    assert fold("  Đặng   Thị Hồng\tNhung ") == "dang thi hong nhung"
    assert fold("NGUYỄN VĂN ĐỨC") == "nguyen van duc"
    assert fold(unicodedata.normalize("NFD", "Trần Quốc Toản")) == "tran quoc toan"  # decomposed input
    assert fold("İstanbul") == "istanbul"  # casefold after the marks are gone, as the definition does
    assert fold("") == ""


@given(st.lists(syllables(), min_size=1, max_size=5).map(" ".join))
def test_names_fold_as_defined(name: str) -> None:
    assert fold(name) == reference_fold(name)
    assert fold(unicodedata.normalize("NFD", name)) == reference_fold(name)


@given(st.text(max_size=60))
def test_any_text_folds_as_defined(text: str) -> None:
    assert fold(text) == reference_fold(text)


@given(
    st.text(
        alphabet=st.sampled_from("aeoAEOđĐ \u0300\u0301\u0303\u0309\u0323\u031b\u0302\u0306"), max_size=40
    )
)
def test_loose_combining_marks_in_any_order(text: str) -> None:
    assert fold(text) == reference_fold(text)


def test_the_table_stops_growing_at_its_limit() -> None:
    table = _MarkFreeTable()
    table.LIMIT = 10  # type: ignore[misc]
    text = "".join(chr(0x4E00 + i) for i in range(50)) + "ế"
    assert text.translate(table) == strip_marks(text)
    assert len(table) == 10
