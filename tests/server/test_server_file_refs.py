"""The server's index of file references (issue 19, table ``file_refs``): the migration ``s0003_blobs``
backfills it from the ``dossier.files`` events an older database already holds, on SQLite and on
PostgreSQL, and the access checks and ``motcua-server files`` then read it."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from server import blobs
from server.db import Database, current_revision, head_revision, upgrade
from server.errors import ApiError
from server.models import FileRef

PG_ENV = "MOTCUA_TEST_PG_URL"
BEFORE = "s0002_trust"  # the server's schema before file references were indexed
A, B, P = "000.10.24.H06", "000.11.24.H06", "000.00.15.H06"
SHA_X, SHA_Y = "a" * 64, "b" * 64


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database of its own, migrated only up to :data:`BEFORE`."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        upgrade(db.engine, BEFORE)
        yield db
        db.dispose()
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: the PostgreSQL run is skipped (see tests/server/README.md)")
    schema = f"motcua_refs_{uuid.uuid4().hex[:12]}"
    admin = create_engine(Database(base).url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(Database(base).url).update_query_dict({"options": f"-csearch_path={schema}"})
    db = Database(url.render_as_string(hide_password=False))
    try:
        upgrade(db.engine, BEFORE)
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _files_event(
    dossier_id: str, paper_no: int, sha: str | None, size: int, **extra: object
) -> dict[str, object]:
    payload: dict[str, object] = {
        "kind": "paper",
        "paper_no": paper_no,
        "name": f"Giấy tờ {paper_no}",
        "page_count": 0 if sha is None else 2,
        "image_count": 0 if sha is None else 2,
        "sha256": sha,
        "size": size,
        **extra,
    }
    return {
        "event_id": str(uuid.uuid4()),
        "dossier_id": dossier_id,
        "type": "dossier.files",
        "payload": payload,
    }


def test_an_old_database_upgrades_with_its_file_references(old_db: Database) -> None:
    now = datetime(2026, 12, 1, 8, 0)
    d1, d2 = str(uuid.uuid4()), str(uuid.uuid4())
    events = [
        {"event_id": str(uuid.uuid4()), "dossier_id": d1, "type": "dossier.received", "payload": {"x": 1}},
        _files_event(d1, 1, SHA_X, 1000),
        _files_event(d1, 2, None, 0, exemption="shown_only"),
        _files_event(d2, 1, SHA_X, 1000, reused=True),  # the same file reused by another dossier
        _files_event(d1, 1, SHA_Y, 2000),  # paper 1 of d1 scanned again: the newest counts
    ]
    with old_db.engine.begin() as conn:
        for did, code, receiving, competent in (
            (d1, "H06.10.24-261201-0001", A, None),
            (d2, "H06.11.24-261201-0001", B, P),
        ):
            conn.execute(
                text(
                    "INSERT INTO dossiers (id, code, receiving_eid, competent_eid, handling_eid, status,"
                    " snapshot, created_at, updated_at)"
                    " VALUES (:id, :code, :r, :c, NULL, 'received', '{}', :t, :t)"
                ),
                {"id": did, "code": code, "r": receiving, "c": competent, "t": now},
            )
        for ev in events:
            conn.execute(
                text(
                    "INSERT INTO events (event_id, dossier_id, type, body, body_hash, device_id, received_at)"
                    " VALUES (:e, :d, :ty, :b, :h, NULL, :t)"
                ),
                {
                    "e": ev["event_id"],
                    "d": ev["dossier_id"],
                    "ty": ev["type"],
                    "b": json.dumps(ev),
                    "h": "0" * 64,
                    "t": now,
                },
            )
    assert upgrade(old_db.engine)
    assert current_revision(old_db.engine) == head_revision()
    with old_db.read() as s:
        refs = s.execute(select(FileRef.event_id, FileRef.sha256, FileRef.size).order_by(FileRef.id)).all()
        assert s.scalar(select(func.count()).select_from(FileRef)) == 4
    assert [r.event_id for r in refs] == [ev["event_id"] for ev in events[1:]]  # in arrival order
    assert {(r.dossier_id, r.size) for r in blobs.references(old_db, SHA_X)} == {(d1, 1000), (d2, 1000)}
    assert blobs.allowed_size(old_db, SHA_X, P) == 1000  # the competent agency of d2
    assert blobs.allowed_size(old_db, SHA_Y, A) == 2000
    with pytest.raises(ApiError) as refused:
        blobs.allowed_size(old_db, SHA_Y, B)  # B sees d2, which never named Y
    assert refused.value.status == 403
    store = blobs.FsBlobStore(Path("/nonexistent"))
    held = blobs.dossier_files(old_db, "H06.10.24-261201-0001", store)
    assert held is not None
    assert [(h.paper_no, h.sha256, h.size, h.exemption, h.held) for h in held] == [
        (1, SHA_Y, 2000, None, False),
        (2, None, 0, "shown_only", False),
    ]
    assert blobs.dossier_files(old_db, "H06.99.99-000000-0000", store) is None
