"""Problems explained to the operator, in Vietnamese first and English second.

Domain code never lets an exception text reach the operator: it reports :class:`Problem` values, and
raises :class:`DomainError` (carrying them) where a use case must stop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, explained for the operator.

    ``code`` is a stable machine-readable key (e.g. ``"id.birth_year_mismatch"``), ``field`` names the
    form field it concerns (or ``None``), ``vi`` and ``en`` are complete sentences.
    """

    code: str
    vi: str
    en: str
    field: str | None = None

    def message(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


class DomainError(Exception):
    """A rule of the counter refused the request. Carries the problems to show the operator."""

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        if not self.problems:
            raise ValueError("DomainError needs at least one problem")
        super().__init__("; ".join(p.en for p in self.problems))

    def __reduce__(self) -> tuple[type[DomainError], tuple[tuple[Problem, ...]]]:
        """Pickled with its problems (raised in a child process, e.g. the panel's cleaning child)."""
        return (type(self), (self.problems,))

    def message(self, lang: str = "vi") -> str:
        return "\n".join(p.message(lang) for p in self.problems)
