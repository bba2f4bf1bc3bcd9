"""The one rule for where Vietnamese and English texts live (README, "Development: translations").

- A text that only a widget shows (a button, a column title, a dialog's wording) lives in Qt's catalogue:
  English source through ``tr()``/``QCoreApplication.translate``, Vietnamese in
  ``resources/i18n/motcua_vi.ts``.
- Every other text (a rule's refusal, a status or action name, a service's message, a line the command
  line prints, a server answer) lives once, as a Vietnamese-and-English pair beside the code that decides
  it, and is chosen for the reader's language by :func:`pick` (:class:`~app.domain.errors.Problem`
  carries such a pair). A widget that shows one of these asks its owner for the text in its language; it
  never translates it a second time.
"""

from __future__ import annotations

from typing import Final, Literal

Lang = Literal["vi", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("vi", "en")


def pick(lang: str, vi: str, en: str) -> str:
    """``en`` when the reader's language is English, ``vi`` otherwise (Vietnamese is the default)."""
    return en if lang == "en" else vi
