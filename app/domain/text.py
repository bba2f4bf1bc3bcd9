"""Text normalisation for Vietnamese: NFC for storage and printing, folding for search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return ``text`` NFC-normalised (composed), the only form we store, compare and print."""
    return unicodedata.normalize("NFC", text)


def clean_spaces(text: str) -> str:
    """NFC-normalise, collapse runs of white space and strip both ends."""
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Fold Vietnamese text for search: drop diacritics (đ/Đ → d too), lower-case, collapse spaces.

    SQLite's ``unicode61 remove_diacritics`` never folds đ, so we fold ourselves and index the result.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.casefold()).strip()
