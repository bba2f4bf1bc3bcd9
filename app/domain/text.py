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


def strip_marks(text: str) -> str:
    """``text`` without its diacritics, đ/Đ → d/D: NFD, then every combining mark dropped (the
    definition :func:`fold` follows, one character at a time)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


class _MarkFreeTable(dict[int, str]):
    """``str.translate`` table: code point → :func:`strip_marks` of that character, computed the first
    time the character is seen. Per character is the same as per string: NFD decomposes each character
    on its own, and its only cross-character step (reordering adjacent combining marks) moves nothing but
    the marks that are dropped anyway."""

    LIMIT = 8192  # distinct characters kept; hostile input cannot grow the table beyond this

    def __missing__(self, code: int) -> str:
        out = strip_marks(chr(code))
        if len(self) < self.LIMIT:
            self[code] = out
        return out


_MARK_FREE = _MarkFreeTable()


def fold(text: str) -> str:
    """Fold Vietnamese text for search: drop diacritics (đ/Đ → d too), lower-case, collapse spaces.

    SQLite's ``unicode61 remove_diacritics`` never folds đ, so we fold ourselves and index the result.
    One C-level ``str.translate`` over a table of characters already seen (a name is folded on every
    intake and for every pulled dossier), not a Python step per character.
    """
    return _SPACES.sub(" ", text.translate(_MARK_FREE).casefold()).strip()
