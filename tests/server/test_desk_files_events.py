"""Digitised papers between real desks and the real server (issue 19): the ``dossier.files`` event is
accepted (never parked), changes no status, reaches the centre a dossier is forwarded to through the
change feed, and does not become a status event at either desk. (The files themselves are not uploaded
yet: see README, Digitising papers.)"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from srvkit import A, B, World

from app.bootstrap import open_store
from app.digitise import samples
from app.models.db import Store
from app.paths import database_path
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.sync import engine
from app.sync.client import SyncClient
from server import models as sm

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


@pytest.fixture
def desks(world: World, tmp_path: Path, template_dir: Path) -> Iterator[tuple[Store, Store]]:
    stores: list[Store] = []
    for eid in (A, B):
        folder = tmp_path / eid
        folder.mkdir()
        shutil.copy(database_path(template_dir), database_path(folder))
        store = open_store(folder)
        engine.enrol(store, world.live.url, world.enrol_code(eid), "Quầy 1")
        stores.append(store)
    yield stores[0], stores[1]
    for s in stores:
        s.dispose()


def sync(store: Store) -> engine.RoundReport:
    url, _device, token = engine.connection(store)
    with SyncClient(url, token) as client:
        return engine.SyncEngine(store, client).run_round()


def test_files_event_travels_with_a_forwarded_dossier(
    desks: tuple[Store, Store], world: World, tmp_path: Path
) -> None:
    a1, b1 = desks
    page = tmp_path / "page.png"
    samples.scanned(samples.text_page(repeat=1), seed=7).save(page, dpi=(300, 300))
    r = svc.receive(
        a1,
        ACTOR,
        svc.ReceiveRequest(
            "1.001612",
            svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Kinh Bắc, Tỉnh Bắc Ninh"),
            received_at=datetime.now().replace(second=0, microsecond=0),
        ),
    )
    assert r.scenario == "c"
    attached = fsvc.attach(a1, ACTOR, fsvc.AttachRequest(r.code, 1, (page,), declared_pages=1))
    fsvc.attach(a1, ACTOR, fsvc.AttachRequest(r.code, 2, exemption="shown_only"))
    svc.perform(a1, ACTOR, r.code, "forward")
    report = sync(a1)
    assert report.parked == [] and report.accepted == 4
    sync(b1)
    at_b = svc.dossier_record(b1, r.code)
    assert [e.action for e in at_b.events] == ["receive", "forward"]  # no status event made of the files
    assert at_b.status == "in_process"
    with world.live.db.engine.connect() as conn:
        bodies = (
            conn.execute(select(sm.EventRow.body).where(sm.EventRow.type == "dossier.files")).scalars().all()
        )
        (change,) = (
            conn.execute(
                select(sm.ChangeRow.body)
                .where(sm.ChangeRow.dossier_id == at_b.id)
                .order_by(sm.ChangeRow.seq.desc())
            )
            .scalars()
            .all()[:1]
        )
    assert len(bodies) == 2
    assert attached.sha256 is not None and attached.sha256 in str(change)  # the reference reaches B's feed
    sync(a1)
    assert [e.action for e in svc.dossier_record(a1, r.code).events] == ["receive", "forward"]
    assert engine.outbox_counts(a1) == (0, 0)
