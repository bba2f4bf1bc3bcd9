"""SIGKILL of the desk while it uploads digitised files (issue 19): ``motcua-desk sync`` is run again and
again on the same data folder, each run killed before its K-th step (``faults/crashpoint.py --in-place``:
every SQLite and file-system call, and every chunk sent with ``put_chunk``), K growing, until a run
completes — as a desk that crashes mid-upload and is started again. The files are sent in 4 KiB chunks, so
kills land between the chunks of a file, after a chunk reached the server but before the desk noted it,
and before the row is marked sent. At the end: every file on the server byte for byte what the desk holds,
each event once on the server, nothing pending or parked, ``db check`` clean."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults.harness import fault_seed, local_dossiers, new_desk, server_problems
from keyed import connect_raw, key_of
from sqlalchemy import select, update
from srvkit import A, World, sign_in

from app.digitise import samples
from app.models import DossierFile
from app.models.db import Store
from app.paths import database_path
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.health import check_database
from app.sync import engine
from app.sync.files import parked_files, pending_files
from tools.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CRASHPOINT = ROOT / "tests" / "faults" / "crashpoint.py"
ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
CHUNK = 4096


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    store = new_desk(
        tmp_path / "desk",
        template_dir,
        world.live.url,
        world.enrol_code(A),
        "Quầy 1",
        sign_in=lambda token: sign_in(world, token, A),
    )
    yield store
    store.dispose()


def test_sigkill_while_uploading_files_loses_and_doubles_nothing(
    desk: Store, world: World, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    assert world.live.blob_dir is not None
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
        fsvc.attach(desk, ACTOR, fsvc.AttachRequest(r.code, 1, (page,), declared_pages=1))
    with desk.write() as s:  # no OCR here (tests/digitise/test_ocr.py has it): send the image-only PDFs
        s.execute(update(DossierFile).values(ocr_state="failed"))
    folder = desk.path.parent
    desk.dispose()  # the crashing runs own the folder now
    secrets = tmp_path / "keyring.json"
    secrets.write_text(json.dumps([[*k, v] for k, v in memory_keyring.secrets.items()]), encoding="utf-8")
    every = 1  # every step: the uploads mark their rows in few commits, a sample could miss them all
    cmd = [sys.executable, str(CRASHPOINT), "--pristine", str(folder), "--work", str(tmp_path / "notes")]
    cmd += ["--in-place", "--keyring", str(secrets), "--kinds", "fs,sql,call"]
    cmd += ["--every", str(every), "--first", str(1 + fault_seed() % every), "--limit", "2000"]
    cmd += ["--wrap", "app.sync.client:SyncClient.put_chunk", "--set", f"app.sync.files:CHUNK_BYTES={CHUNK}"]
    (tmp_path / "notes").mkdir()
    proc = subprocess.run(
        [*cmd, "--", "sync", "--data-dir", "{data}"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    runs = [json.loads(line) for line in proc.stdout.splitlines() if line[:1] == "{"]
    assert proc.returncode == 0 and runs, proc.stdout + proc.stderr
    assert runs[-1]["killed"] is False and runs[-1]["exit"] == 0, runs[-1]
    steps = [r["step"] for r in runs[:-1]]
    assert sum("put_chunk" in s for s in steps) >= 3, steps  # killed between chunks of a file
    assert any(s.startswith("sql: COMMIT") for s in steps)

    # One more round after the last crash: whatever a kill left unsent goes now.
    store = Store(database_path(folder), key_of(folder))
    try:
        url, _device, token = engine.connection(store)
        from app.sync.client import SyncClient

        with SyncClient(url, token) as client:
            engine.SyncEngine(store, client).run_round()
        assert pending_files(store) == (0, 0) and parked_files(store) == 0
        assert engine.outbox_counts(store) == (0, 0)
        with store.read() as s:
            rows = s.execute(select(DossierFile.sha256, DossierFile.upload_state)).all()
        assert len(rows) == 3 and {state for _sha, state in rows} == {"sent"}
        blobs = fsvc.blob_store(store)
        for sha, _state in rows:
            assert sha is not None
            assert (world.live.blob_dir / sha[:2] / sha[2:]).read_bytes() == blobs.read(sha)  # byte for byte
            assert not (world.live.blob_dir / "partial" / f"{sha}.part").exists()
        assert check_database(store).ok
    finally:
        store.dispose()
    con = connect_raw(folder)
    try:
        event_ids = [r[0] for r in con.execute("SELECT event_id FROM outbox")]
    finally:
        con.close()
    # Each dossier and each event (receipts and the three dossier.files events) exactly once on the server.
    assert not server_problems(world.live.db, local_dossiers(database_path(folder)), event_ids)
