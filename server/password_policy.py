"""What an operator password must be (issue 16, item 6; ASVS 4.0.3 V2.1): at least :data:`MIN_LENGTH`
characters, not one of the common passwords, not the username or the product's name.

The common passwords are the 30,000 of the ``passwords`` frequency list shipped with ``zxcvbn`` (Dropbox's
zxcvbn, Python port on PyPI; the list is ranked from Xato's corpus of 10 million leaked passwords). It is
an English-language list: no published list of common Vietnamese passwords was found, so none is invented
here; the length rule does most of the work.
"""

from __future__ import annotations

import functools
import unicodedata

from app.domain.errors import Problem

MIN_LENGTH = 10
#: Words that make a password guessable here (the product, the service), compared case- and accent-free.
_LOCAL_WORDS = ("motcua", "mot cua", "1cua", "password", "matkhau", "mat khau")


@functools.cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]  # no type hints

    return frozenset(FREQUENCY_LISTS["passwords"])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def password_problem(password: str, username: str = "") -> Problem | None:
    """Why ``password`` is not acceptable for ``username`` (None: it is)."""
    if len(password) < MIN_LENGTH:
        return Problem(
            "admin.password",
            f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
            f"The password must have at least {MIN_LENGTH} characters.",
        )
    folded = _fold(password)
    user = _fold(username)
    if (
        password.casefold() in _common()
        or folded in _common()
        or len(set(password)) <= 2
        or (user and user in folded)
        or any(word in folded for word in _LOCAL_WORDS)
    ):
        return Problem(
            "admin.password_common",
            "Mật khẩu quá dễ đoán (nằm trong danh sách mật khẩu phổ biến, hoặc chứa tên đăng nhập hay tên "
            "phần mềm): hãy chọn mật khẩu khác.",
            "The password is too easy to guess (it is a common password, or contains the username or the "
            "product's name): choose another.",
        )
    return None
