"""Hypothesis strategies for Vietnamese personal names (imported as ``domain.vn_names``; ``tests/`` is on
``sys.path``): syllables built from every initial, vowel, tone mark and final, đ, and minority-language
spellings with an apostrophe (H'Hen, K'Ho)."""

from __future__ import annotations

from hypothesis import strategies as st

_TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
_VOWELS = "aăâeêioôơuưy"
_INITIALS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
    "y",
    "h'",
    "k'",
]
_FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y"]


@st.composite
def syllables(draw: st.DrawFn) -> str:
    """A syllable of Vietnamese letters: every vowel with every tone mark, đ, and minority-language
    spellings with an apostrophe (H'Hen, K'Ho)."""
    vowels = draw(st.lists(st.sampled_from(_VOWELS), min_size=1, max_size=2))
    tone_at = draw(st.integers(0, len(vowels) - 1))
    tone = draw(st.sampled_from(_TONES))
    core = "".join(v + (tone if i == tone_at else "") for i, v in enumerate(vowels))
    word = draw(st.sampled_from(_INITIALS)) + core + draw(st.sampled_from(_FINALS))
    style = draw(st.sampled_from(["title", "upper", "lower"]))
    word = {"title": word[:1].upper() + word[1:], "upper": word.upper(), "lower": word}[style]
    return word
