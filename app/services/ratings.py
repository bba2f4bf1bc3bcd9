"""Citizens' satisfaction ratings pulled from the server (``dossier_ratings``), counted for statistics.

Decision 766/QĐ-TTg, indicator 5.4 (../shared/rules-2026.md §1.5, from the formula document):
satisfaction in intake and processing = 100 % − (late share + share with a complaint or a "dislike"),
≥ 90 % for full points. A "dislike" here is a rating of 1 (Rất không hài lòng) or 2 (Không hài lòng) of
the five levels the citizen pages offer (the formula document does not name the levels: our reading);
the late share and the complaints come from the dossiers, not from here. Counted over the ratings given
in the period, per centre (receiving agency e-ID) and per officer who handed the result back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.models import DossierRating
from app.models.db import Store

SATISFIED = (4, 5)
DISLIKED = (1, 2)


@dataclass(frozen=True)
class Satisfaction:
    rated: int
    #: Ratings by level, 1 (Rất không hài lòng) … 5 (Rất hài lòng).
    by_score: dict[int, int]
    #: Ratings by the officer who handed the result back: (rated, satisfied).
    by_officer: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def satisfied(self) -> int:
        return sum(self.by_score.get(s, 0) for s in SATISFIED)

    @property
    def disliked(self) -> int:
        """The "dislikes" of indicator 5.4."""
        return sum(self.by_score.get(s, 0) for s in DISLIKED)

    @property
    def share(self) -> float | None:
        """Satisfied / rated, None when nothing was rated."""
        return self.satisfied / self.rated if self.rated else None


def satisfaction(store: Store, first: date, last: date, centre_eid: str | None = None) -> Satisfaction:
    """The ratings given from ``first`` to ``last`` (inclusive), optionally of one centre."""
    start, end = datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min)
    query = select(DossierRating.score, DossierRating.officer).where(
        DossierRating.rated_at >= start, DossierRating.rated_at < end
    )
    if centre_eid:
        query = query.where(DossierRating.centre_eid == centre_eid)
    with store.read() as s:
        rows = s.execute(query).all()
    scores = Counter(score for score, _ in rows)
    officers: dict[str, tuple[int, int]] = {}
    for score, officer in rows:
        rated, happy = officers.get(officer, (0, 0))
        officers[officer] = (rated + 1, happy + (score in SATISFIED))
    return Satisfaction(len(rows), {k: scores.get(k, 0) for k in range(1, 6)}, officers)
