"""Operator usernames: normalised, checked, and compared so that look-alikes cannot coexist (issue 16, D12).

The probe created seven accounts in one centre that look alike: ``lan``, ``Lan``, ``lаn`` (Cyrillic а),
``lán`` (NFC), ``lán`` (NFD), ``lan`` + U+200B and U+202E + ``nal``. Here:

- a username is NFC-normalised (the NFD ``lán`` *is* the NFC one);
- it may hold only Latin letters (Vietnamese ones included), digits and ``. _ - @``: no other script
  (Cyrillic, Greek, full-width forms), no invisible or format character (zero-width, bidi controls), no
  space or control character, nothing that NFKC would change;
- two usernames of one centre may not have the same :func:`username_key`, which folds case and
  Vietnamese diacritics (``lan``, ``Lan`` and ``lán`` are one name to a reader at the counter).

No published list of confusables for Vietnamese usernames was found; this is the stricter choice of
refusing every script but Latin rather than mapping confusables (Unicode TR 39's skeletons).
"""

from __future__ import annotations

import unicodedata

from app.domain.errors import Problem
from app.domain.text import fold

MAX_LEN = 100
_PUNCT = frozenset("._-@")


def normalise_username(raw: str) -> str:
    """The username as stored and compared: NFC, without surrounding spaces."""
    return unicodedata.normalize("NFC", raw.strip())


def username_problem(username: str) -> Problem | None:
    """Why ``username`` (already :func:`normalise_username`-d) cannot be an account name; None if it can."""
    if not username or len(username) > MAX_LEN:
        return Problem(
            "admin.username",
            f"Tên đăng nhập phải có từ 1 đến {MAX_LEN} ký tự.",
            f"A username must have 1 to {MAX_LEN} characters.",
            "username",
        )
    bad = [ch for ch in username if not _allowed(ch)]
    if bad or unicodedata.normalize("NFKC", username) != username:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(bad or username))
        return Problem(
            "admin.username_chars",
            "Tên đăng nhập chỉ gồm chữ cái La-tinh (có dấu tiếng Việt), chữ số và các dấu . _ - @; không có "
            f"dấu cách, ký tự ẩn, ký tự điều khiển hướng chữ hay chữ của bảng chữ cái khác ({shown}).",
            "A username may hold only Latin letters (Vietnamese ones included), digits and . _ - @; "
            f"no spaces, invisible or text-direction characters, or letters of another script ({shown}).",
            "username",
        )
    return None


def _allowed(ch: str) -> bool:
    if ch in _PUNCT or ("0" <= ch <= "9"):
        return True
    if not unicodedata.category(ch).startswith("L"):
        return False
    return unicodedata.name(ch, "").startswith("LATIN ")


def username_key(username: str) -> str:
    """What two usernames of one centre may not share: case and Vietnamese diacritics folded."""
    return fold(normalise_username(username))
