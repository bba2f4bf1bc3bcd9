"""The environment's write failures reach the operator as a clear message, with nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from app.models import AuditEntry, Dossier, OutboxEntry
from app.models.db import Store, StoreError
from app.services import dossiers as svc
from app.services.audit import Actor

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


def request(name: str) -> svc.ReceiveRequest:
    return svc.ReceiveRequest("2.000815", svc.ApplicantInput(full_name=name), pages=1, copies=1)


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t)) or 0 for t in (Dossier, AuditEntry, OutboxEntry)
        )


def test_disk_full_is_explained_and_nothing_is_half_written(store: Store) -> None:
    svc.receive(store, ACTOR, request("Ngô Thị Lan"))
    before = counts(store)

    def cap(conn, *_: object) -> None:  # type: ignore[no-untyped-def]
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")  # no room for one more page

    event.listen(store.engine, "begin", cap)
    try:
        with pytest.raises(StoreError) as err:
            for i in range(200):  # the free pages left in the file run out quickly
                svc.receive(store, ACTOR, request(f"Người {chr(65 + i % 26)}"))
    finally:
        event.remove(store.engine, "begin", cap)
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA max_page_count = 1073741823")
            conn.commit()
    assert err.value.problem.code == "store.disk_full"
    assert "Ổ đĩa" in err.value.problem.vi and "chưa có gì được ghi" in err.value.problem.vi
    after = counts(store)
    assert after[0] - before[0] == after[1] - before[1] == after[2] - before[2]  # whole dossiers only
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    svc.receive(store, ACTOR, request("Ngô Văn Hai"))  # works again once there is room


def test_read_only_database_is_explained(store: Store) -> None:
    def read_only(conn, *_: object) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("PRAGMA query_only = ON")

    before = counts(store)  # (0, 1, 0): the store's audit.keyed marker (issue 16, D10)
    event.listen(store.engine, "begin", read_only)
    try:
        with pytest.raises(StoreError) as err:
            svc.receive(store, ACTOR, request("Ngô Thị Lan"))
    finally:
        event.remove(store.engine, "begin", read_only)
    assert err.value.problem.code == "store.readonly"
    assert counts(store) == before == (0, 1, 0)
