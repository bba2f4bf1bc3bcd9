"""SIGKILL of the server while it receives chunked uploads of digitised files (issue 19, Faults).

A real ``motcua-server serve`` process (uvicorn) on 127.0.0.1, on the session's database (SQLite or
PostgreSQL), with each blob store (``fs``; ``s3`` on moto's S3 simulator; ``postgres`` in the ``[pg]``
run). The desk uploads three files
in small chunks; the test watches the server's store and kills the server with SIGKILL as soon as part of
a file has arrived (plus a seeded random delay), several times. After every restart: a file the server
has not fully received is never served (404 ``file.not_yet``, never a prefix), and a file it serves has
the desk's SHA-256. At the end: every file stored byte for byte, no upload left partial, the uploads
resumed (bytes the server held before a kill were not sent again from zero), one ``file_refs`` row per
``dossier.files`` event.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from faults.harness import fault_seed, new_desk
from s3kit import s3_env, simulated_s3
from sqlalchemy import func, select, update
from srvkit import A, World, sign_in

from app.contract import (
    API_PREFIX,
    CLIENT_TIME_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ChunkResult,
    utc_now,
)
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
from server import blobs
from server import models as sm
from server.blobs_s3 import S3BlobStore

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
CHUNK = 2048  # a ~50 KB file in ~25 chunks: the kill lands in the middle of an upload
KILLS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``motcua-server serve`` in a process of its own, started and SIGKILLed by the test."""

    def __init__(self, db_url: str, kind: str, blob_dir: Path, log: Path, env: dict[str, str]) -> None:
        self.db_url, self.kind, self.blob_dir, self.log, self.env = db_url, kind, blob_dir, log, env
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ, MOTCUA_BLOB_DIR=str(self.blob_dir), PYTHONPATH=str(ROOT), **self.env)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--db", self.db_url, "--port", str(self.port)]
                + ["--blob-store", self.kind],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")
            try:
                if httpx.get(f"{self.url}{API_PREFIX}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError("the server process did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    store = new_desk(tmp_path / "desk", template_dir, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)  # its operators log in online once (issue 16, D7)
    yield store
    store.dispose()


@pytest.mark.parametrize("kind", ["fs", pytest.param("postgres", marks=pytest.mark.pg), "s3"])
def test_kill_9_of_the_server_while_it_receives_uploads(
    kind: str, desk: Store, world: World, tmp_path: Path
) -> None:
    if kind == "postgres" and not world.live.db.is_postgres:
        pytest.skip("the postgres file store runs in the [pg] half only")
    with ExitStack() as stack:
        s3 = stack.enter_context(simulated_s3()) if kind == "s3" else None
        _kill_while_receiving(kind, s3, desk, world, tmp_path)


def _kill_while_receiving(
    kind: str, s3: S3BlobStore | None, desk: Store, world: World, tmp_path: Path
) -> None:
    rng = random.Random(fault_seed())
    shas: list[str] = []
    for i in range(3):
        page = tmp_path / f"p{i}.png"
        samples.scanned(samples.text_page(repeat=1), seed=40 + i).save(page, dpi=(300, 300))
        r = svc.receive(
            desk,
            ACTOR,
            svc.ReceiveRequest(
                "1.001193",
                svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Bắc Giang"),
                paper_numbers=[(1, 1)],
            ),
        )
        shas.append(fsvc.attach(desk, ACTOR, fsvc.AttachRequest(r.code, 1, (page,))).sha256 or "")
    with desk.write() as s:
        s.execute(update(DossierFile).values(ocr_state="failed"))  # send the image-only PDFs now
    local = {sha: fsvc.blob_store(desk).read(sha) for sha in shas}
    total = sum(len(b) for b in local.values())
    url, _device, token = engine.connection(desk)
    with SyncClient(url, token) as client:
        engine.SyncEngine(desk, client).push(engine.RoundReport())  # the events first
    blob_dir = tmp_path / "server-blobs"
    store: blobs.BlobStore
    if s3 is not None:
        store = s3
    elif kind == "fs":
        store = blobs.FsBlobStore(blob_dir)
    else:
        store = blobs.PgBlobStore(world.live.db)
    env = s3_env(s3) if s3 is not None else {}
    server = ServerProcess(world.live.db_url, kind, blob_dir, tmp_path / "server.log", env)
    sent = [0]  # bytes of the chunks the server acknowledged, over every round

    class CountingClient(SyncClient):
        def put_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> ChunkResult:
            result = super().put_chunk(sha256, offset, total, data)
            sent[0] += len(data)
            return result

    def upload() -> None:
        try:
            with CountingClient(server.url, token, timeout=5.0) as c:
                upload_pending(desk, c, chunk=CHUNK)
        except SyncError:
            pass  # the server died under the upload: the rows stay pending

    def held() -> int:
        return sum(store.offset(sha) for sha in store.partials())

    def check_nothing_partial_is_served() -> None:
        headers = {
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            CLIENT_TIME_HEADER: utc_now().isoformat(),
            "Authorization": f"Bearer {token}",
        }
        for sha in shas:
            got = httpx.get(f"{server.url}{API_PREFIX}/files/{sha}/content", headers=headers, timeout=10)
            if got.status_code == 404:
                assert got.json()["detail"]["code"] == "file.not_yet"
                assert store.read(sha) is None
            else:
                assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == sha

    resumed_from = 0  # bytes the server held when it was killed (what a restart from zero would resend)
    try:
        server.start()
        with desk.write() as s:
            set_setting(s, engine.KEY_SERVER, server.url)
        for _kill in range(KILLS):
            worker = threading.Thread(target=upload, name="upload")
            worker.start()
            deadline = time.monotonic() + 30
            while held() == 0 and worker.is_alive() and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.03))
            server.kill()
            worker.join(timeout=30)
            assert not worker.is_alive()
            resumed_from += held()
            server.start()
            check_nothing_partial_is_served()
            if not pending_files(desk)[0]:
                break
        rounds = 0
        while pending_files(desk)[0] and rounds < 10:
            rounds += 1
            upload()
        check_nothing_partial_is_served()
    finally:
        server.stop()
    assert pending_files(desk) == (0, 0)
    for sha in shas:
        assert store.read(sha) == local[sha]  # byte for byte, the desk's SHA-256
        assert sha not in store.partials()
    assert resumed_from > 0  # at least one kill left part of a file on the server …
    assert sent[0] < total + resumed_from  # … and the upload resumed there instead of starting over
    with world.live.db.read() as s:
        refs = s.execute(select(sm.FileRef.event_id, func.count()).group_by(sm.FileRef.event_id)).all()
        events = s.scalar(
            select(func.count()).select_from(sm.EventRow).where(sm.EventRow.type == "dossier.files")
        )
    assert len(refs) == events == 3 and all(n == 1 for _e, n in refs)  # no duplicate reference rows
