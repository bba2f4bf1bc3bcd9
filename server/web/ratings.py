"""Satisfaction ratings: five levels and an optional comment, one per handed-back dossier, linked to the
dossier and to the officer who handed the result back; each rating appends a ``rating`` change that the
centres seeing the dossier pull (``app.contract.RatingInfo``), so that their statistics can count it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.contract import RatingInfo
from app.domain.status import Status
from server.db import Database
from server.models import Dossier, Rating
from server.sync import append_change
from server.web.lookup import hand_back_officer, load_state, visible

MAX_COMMENT = 1000

#: The five levels, as the national satisfaction survey words them (best first on the page).
LEVELS: dict[int, str] = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}


class Outcome(Enum):
    SAVED = "saved"
    ALREADY = "already"
    NOT_RETURNED = "not_returned"
    UNKNOWN = "unknown"


def rate(db: Database, dossier_id: str, score: int, comment: str, source: str, now: datetime) -> Outcome:
    """Store the rating (the caller checked the secret). One per dossier: a second is refused."""
    try:
        return _rate(db, dossier_id, score, visible(comment)[:MAX_COMMENT], source, now)
    except IntegrityError:  # another request rated it meanwhile (the unique dossier_id)
        return Outcome.ALREADY


def _rate(db: Database, dossier_id: str, score: int, text: str, source: str, now: datetime) -> Outcome:
    with db.write() as s:
        row = s.get(Dossier, dossier_id)
        if row is None:
            return Outcome.UNKNOWN
        state = load_state(s, dossier_id, row.snapshot)
        if state.status != Status.RETURNED:
            return Outcome.NOT_RETURNED
        if s.scalar(select(Rating.id).where(Rating.dossier_id == dossier_id)) is not None:
            return Outcome.ALREADY
        officer = hand_back_officer(state)
        rating = Rating(
            dossier_id=dossier_id,
            dossier_code=state.code or "",
            centre_eid=state.receiving_agency_eid,
            officer=officer,
            score=score,
            comment=text,
            source=source,
            created_at=now,
        )
        s.add(rating)
        s.flush()
        info = RatingInfo(
            dossier_id=dossier_id,
            dossier_code=state.code or "",
            centre_eid=state.receiving_agency_eid,
            officer=officer,
            score=score,
            comment=text,
            source="tablet" if source == "tablet" else "qr",
            rated_at=now.replace(tzinfo=UTC),  # the server keeps naive UTC; the wire says so
        )
        append_change(
            s,
            "rating",
            info.model_dump(mode="json"),
            now,
            eids=(row.receiving_eid, row.competent_eid, row.handling_eid),
        )
    return Outcome.SAVED


def rating_of(db: Database, code: str) -> tuple[int, str] | None:
    """(score, its words) of the dossier with this code, if rated."""
    with db.read() as s:
        score = s.scalar(select(Rating.score).where(Rating.dossier_code == code.strip().upper()))
    return (score, LEVELS[score]) if score is not None else None
