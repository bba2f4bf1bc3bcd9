"""The wrapping engine: lines never overflow, no word is lost, mixed fonts keep their spaces."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from app.print import fonts, forms, samples
from app.print.layout import BOLD, REGULAR, balanced_wrap, text_width, wrap

fonts.register_fonts()

LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
ALPHABET = LETTERS + LETTERS.upper() + "0123456789.,;:-/()"
words = st.text(alphabet=ALPHABET, min_size=1, max_size=40)
texts = st.lists(words, min_size=1, max_size=60).map(" ".join)


def joined(lines: list) -> str:
    return " ".join("".join(t for t, _ in line.fragments) for line in lines)


@settings(max_examples=150, deadline=None)
@given(text=texts, width=st.floats(min_value=30, max_value=500), size=st.sampled_from([7.5, 10, 13.5]))
def test_wrap_never_overflows_and_keeps_every_character(text: str, width: float, size: float) -> None:
    lines = wrap(text, size, width)
    for line in lines:
        assert line.width <= width + 1e-6 or len("".join(t for t, _ in line.fragments)) == 1
        measured = sum(text_width(t, f, size) for t, f in line.fragments)
        assert abs(measured - line.width) < 1e-6
    assert joined(lines).replace(" ", "") == text.replace(" ", "")
    if all(text_width(w, REGULAR, size) <= width for w in text.split()):
        assert joined(lines) == text  # no word was cut: the words and their spaces come back exactly


@settings(max_examples=50, deadline=None)
@given(text=texts, width=st.floats(min_value=60, max_value=400))
def test_balanced_wrap_keeps_the_line_count(text: str, width: float) -> None:
    plain = wrap(text, 10, width)
    balanced = balanced_wrap(text, 10, width)
    assert len(balanced) == len(plain)
    assert joined(balanced).replace(" ", "") == text.replace(" ", "")


def test_runs_keep_or_glue_spaces() -> None:
    lines = wrap(
        [("của: ", REGULAR), ("Ánh", BOLD), (" (mã: ", REGULAR), ("X", BOLD), (")", REGULAR)], 10, 500
    )
    assert len(lines) == 1
    assert lines[0].fragments == [
        ("của:", REGULAR),
        (" Ánh", BOLD),
        (" (mã:", REGULAR),
        (" X", BOLD),
        (")", REGULAR),
    ]


def test_forced_breaks_and_long_codes() -> None:
    lines = wrap("dòng một\ndòng hai", 10, 500)
    assert [joined([ln]) for ln in lines] == ["dòng một", "dòng hai"]
    pieces = wrap("000.07.21.H24-250705-0012", 8.5, 85)
    assert ["".join(t for t, _ in p.fragments) for p in pieces] == ["000.07.21.H24-", "250705-0012"]


@settings(max_examples=15, deadline=None)
@given(name=texts, procedure=texts)
def test_receipt_prints_any_name_in_full(name: str, procedure: str) -> None:
    import io
    import re
    import unicodedata

    import pypdf

    data = dataclasses.replace(samples.receipt(), applicant_name=name, procedure_name=procedure)
    pdf = forms.receipt_a4(data)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFC", text))
    assert re.sub(r"\s+", "", name) in flat
    assert re.sub(r"\s+", "", procedure) in flat
