"""Network faults during chunked uploads of digitised files (issue 19), through ``tools/faultproxy.py`` on
127.0.0.1: seeded drops, resets, lost answers (the chunk reached the server, the desk never heard),
truncated answers, 5xx and delays past the timeout on every ``/files`` request. Repeated rounds end with
every file on the server byte for byte, each exactly once, none parked."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults.harness import fault_seed, new_desk
from s3kit import MOTO_CONCURRENCY
from sqlalchemy import select, update
from srvkit import A, World, sign_in

from app.digitise import samples
from app.models import DossierFile
from app.models.db import Store
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.reference import set_setting
from app.sync import engine
from app.sync.client import SyncClient, SyncError
from app.sync.files import pending_files, upload_pending
from server.blobs import BlobStore
from tools.faultproxy import FaultProxy, RandomFaults

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
CHUNK = 4096  # a ~50 KB file in a dozen chunks: many chances for a fault in the middle


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    store = new_desk(tmp_path / "desk", template_dir, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)  # its operators log in online once (issue 16, D7)
    yield store
    store.dispose()


def test_uploads_survive_random_network_faults(
    desk: Store, world: World, tmp_path: Path, blob_store: BlobStore
) -> None:
    if blob_store.kind == "s3":  # a timed-out chunk is retried while the first request still writes it
        pytest.skip(MOTO_CONCURRENCY)
    rng = random.Random(fault_seed())
    shas = []
    for i in range(3):
        page = tmp_path / f"p{i}.png"
        samples.scanned(samples.text_page(repeat=1), seed=20 + i, skew_deg=rng.uniform(-2, 2)).save(
            page, dpi=(300, 300)
        )
        r = svc.receive(
            desk,
            ACTOR,
            svc.ReceiveRequest(
                "1.001193",
                svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Bắc Giang"),
                paper_numbers=[(1, 1)],  # the paper handed in (none is recorded otherwise)
            ),
        )
        a = fsvc.attach(desk, ACTOR, fsvc.AttachRequest(r.code, 1, (page,)))
        shas.append(a.sha256 or "")
    with desk.write() as s:
        s.execute(update(DossierFile).values(ocr_state="failed"))  # send the image-only PDFs
    url, _device, token = engine.connection(desk)
    with SyncClient(url, token) as client:
        engine.SyncEngine(desk, client).push(engine.RoundReport())  # the events first, without faults
    port = int(world.live.url.rsplit(":", 1)[1])
    faults = RandomFaults(
        fault_seed(),
        {
            "drop": 0.08,
            "reset": 0.08,
            "drop_after": 0.08,
            "reset_after": 0.08,
            "truncate": 0.06,
            "status": 0.06,
            "delay": 0.04,
        },
        delays=(1.2, 1.5),
        paths=("/api/v1/files",),
    )
    with FaultProxy(port, plan=faults, timeout=30) as proxy:
        with desk.write() as s:
            set_setting(s, engine.KEY_SERVER, proxy.url)
        rounds = 0
        while pending_files(desk)[0] and rounds < 200:
            rounds += 1
            try:
                with SyncClient(proxy.url, token, timeout=1.0) as client:
                    upload_pending(desk, client, chunk=CHUNK)
            except SyncError:
                continue
        injected = sum(n for kind, n in proxy.stats.counts.items() if kind != "pass")
    assert pending_files(desk) == (0, 0), f"still pending after {rounds} rounds"
    for sha in shas:
        assert blob_store.read(sha) == fsvc.blob_store(desk).read(sha)
        assert sha not in blob_store.partials()
    with desk.read() as s:
        states = set(s.scalars(select(DossierFile.upload_state)))
    assert states == {"sent"}
    assert injected > 0 and rounds > 1  # the faults did interrupt uploads
