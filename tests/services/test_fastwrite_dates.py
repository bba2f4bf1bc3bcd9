"""Prepared inserts (app/models/fastwrite.py) store dates and times as Core does, whole seconds too."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import insert, text

from app.models import Applicant, DossierEvent
from app.models.base import table_of
from app.models.db import Store
from app.models.fastwrite import RowInserter
from app.services import dossiers as svc
from app.services.audit import Actor


def _stored(store: Store, sql: str, **params: object) -> list[tuple[object, ...]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(text(sql), params)]


def test_whole_seconds_and_days_are_stored_as_core_stores_them(store: Store) -> None:
    at = datetime(2026, 11, 30, 9, 0, 0)  # receive drops the microseconds: the case that differed
    row = {
        "personal_id": None,
        "old_id": None,
        "full_name": "Lò Thị Ánh",
        "name_folded": "lo thi anh",
        "birth_date": date(1990, 2, 1),
        "gender": None,
        "phone": None,
        "email": None,
        "address": "",
        "unit_code": None,
        "created_at": at,
    }
    with store.write() as s:
        s.execute(insert(table_of(Applicant)), [{"id": "core", **row}])
        RowInserter(table_of(Applicant))(s.connection(), {"id": "fast", **row})
    stored = _stored(
        store, "SELECT id, created_at, birth_date FROM applicants WHERE id IN ('core', 'fast') ORDER BY id"
    )
    assert stored == [
        ("core", "2026-11-30 09:00:00.000000", "1990-02-01"),
        ("fast", "2026-11-30 09:00:00.000000", "1990-02-01"),
    ]


def test_an_aware_time_still_goes_through_core(store: Store) -> None:
    at = datetime(2026, 11, 30, 9, 0, 0, 5, tzinfo=UTC)
    fast = RowInserter(table_of(Applicant))
    with store.write() as s:
        fast(
            s.connection(),
            {
                "id": "aware",
                "personal_id": None,
                "old_id": None,
                "full_name": "A",
                "name_folded": "a",
                "birth_date": None,
                "gender": None,
                "phone": None,
                "email": None,
                "address": "",
                "unit_code": None,
                "created_at": at,
            },
        )
    assert _stored(store, "SELECT created_at FROM applicants WHERE id = 'aware'") == [
        ("2026-11-30 09:00:00.000005",)
    ]


def test_received_dossier_times_compare_with_core_written_ones(store: Store) -> None:
    got = svc.receive(
        store,
        Actor("Op", "Quầy 1"),
        svc.ReceiveRequest(
            "1.001193",
            svc.ApplicantInput(
                full_name="Trần Văn Bình", personal_id="024090012345", birth_date="01/02/1990"
            ),
            received_at=datetime(2026, 11, 30, 9, 0, 0),
        ),
    )
    rows = _stored(
        store,
        "SELECT d.received_at, e.occurred_at FROM dossiers d JOIN dossier_events e ON e.dossier_id = d.id"
        " WHERE d.id = :id",
        id=got.dossier_id,
    )
    assert rows == [("2026-11-30 09:00:00.000000", "2026-11-30 09:00:00.000000")]
    # a query bounded by a Core-bound time finds it
    with store.read() as s:
        from sqlalchemy import select

        found = s.scalars(
            select(DossierEvent.id).where(DossierEvent.occurred_at >= datetime(2026, 11, 30, 9, 0, 0))
        ).all()
    assert len(found) == 1
