"""Digitised papers between real desks and the real server (issue 19): the ``dossier.files`` event is
accepted (never parked), changes no status, reaches the centre a dossier is forwarded to through the
change feed, and does not become a status event at either desk; the files follow their events to the
server's file store in chunks, resumably, once, and are served only to the centres named on the dossier."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from s3kit import s3_env
from sqlalchemy import select, update
from srvkit import P, World
from srvkit import sync_round as sync

from app.contract import API_PREFIX, CLIENT_TIME_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION
from app.digitise import samples
from app.models import DossierFile
from app.models.db import Store
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.health import check_database
from app.sync import engine, files
from app.sync.client import ServerRefused, SyncClient
from server import cli as server_cli
from server import models as sm
from server.blobs import BlobStore
from server.blobs_s3 import S3BlobStore

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


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
            paper_numbers=[(1, 1), (2, 1)],  # the papers handed in (none are recorded otherwise)
        ),
    )
    assert r.scenario == "c"
    attached = fsvc.attach(a1, ACTOR, fsvc.AttachRequest(r.code, 1, (page,), declared_pages=1))
    fsvc.attach(a1, ACTOR, fsvc.AttachRequest(r.code, 2, exemption="shown_only"))
    svc.perform(a1, ACTOR, r.code, "forward")
    report = sync(a1)
    assert report.parked == [] and report.accepted == 4
    assert sync(b1).files_fetched == 0  # A's file waits for its OCR: not on the server yet
    assert check_database(b1).ok  # recorded from the feed but not fetched yet: not "missing"
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
    with world.live.db.read() as s:  # one indexed reference per accepted event, with its centres' dossier
        refs = s.execute(select(sm.FileRef.sha256, sm.FileRef.paper_no, sm.FileRef.exemption)).all()
    assert sorted(refs, key=lambda r: r.paper_no) == [(attached.sha256, 1, None), (None, 2, "shown_only")]
    assert attached.sha256 is not None and attached.sha256 in str(change)  # the reference reaches B's feed
    sync(a1)
    assert [e.action for e in svc.dossier_record(a1, r.code).events] == ["receive", "forward"]
    with world.live.db.read() as s:
        assert len(s.scalars(select(sm.FileRef.id)).all()) == 2  # no duplicate rows
    assert engine.outbox_counts(a1) == (0, 0)


def test_files_are_uploaded_after_their_events_resumably_and_served_only_in_scope(
    desks: tuple[Store, Store],
    world: World,
    tmp_path: Path,
    blob_store: BlobStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a1, b1 = desks
    if isinstance(blob_store, S3BlobStore):
        for key, value in s3_env(blob_store).items():  # for `motcua-server files` below
            monkeypatch.setenv(key, value)
    assert world.live.blob_dir is not None
    page = tmp_path / "page.png"
    samples.scanned(samples.text_page(repeat=1), seed=8).save(page, dpi=(300, 300))
    r = svc.receive(
        a1,
        ACTOR,
        svc.ReceiveRequest(
            "1.001612",
            svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Kinh Bắc, Tỉnh Bắc Ninh"),
            received_at=datetime.now().replace(second=0, microsecond=0),
            paper_numbers=[(1, 1), (2, 1)],  # the papers handed in (none are recorded otherwise)
        ),
    )
    fsvc.attach(a1, ACTOR, fsvc.AttachRequest(r.code, 1, (page,), declared_pages=1))
    svc.perform(a1, ACTOR, r.code, "forward")
    # OCR still pending: the event goes, the file waits for its final (PDF/A) form.
    report = sync(a1)
    assert report.files_sent == 0 and files.pending_files(a1)[0] == 1
    with a1.write() as s:  # as if recognition had failed: the image-only PDF is sent
        s.execute(update(DossierFile).values(ocr_state="failed"))
    (paper, *_rest) = fsvc.dossier_files(a1, r.code).papers
    sha, size = paper.sha256 or "", paper.size
    url, _device, token = engine.connection(a1)
    with SyncClient(url, token) as client:
        # An interrupted upload: the first chunk arrives, then the connection is lost.
        client.put_chunk(sha, 0, size, fsvc.blob_store(a1).read(sha)[:1000])
        with pytest.raises(ServerRefused) as refused:
            client.put_chunk(sha, 5, size, b"x")
        assert refused.value.problem.code == "file.offset" and refused.value.problem.field == "1000"
        assert client.file_status(sha).offset == 1000
        assert sha in blob_store.partials() and blob_store.read(sha) is None  # a partial is never served
        got = client._http.get(f"/files/{sha}/content", headers=client._headers())
        assert got.status_code == 404 and got.json()["detail"]["code"] == "file.not_yet"
    report = sync(a1)
    assert (report.files_sent, report.file_bytes_sent) == (1, size - 1000)  # resumed, not restarted
    assert blob_store.read(sha) == fsvc.blob_store(a1).read(sha)  # byte for byte
    # The server gets the plaintext (named by its SHA-256), never the desk's encrypted copy.
    held = blob_store.read(sha) or b""
    assert held.startswith(b"%PDF") and hashlib.sha256(held).hexdigest() == sha
    assert a1.key is not None and fsvc.blob_store(a1).path(sha).read_bytes()[:4] != b"%PDF"
    assert sha not in blob_store.partials()
    assert fsvc.dossier_files(a1, r.code).papers[0].upload_state == "sent"
    assert sync(a1).files_sent == 0 and files.pending_files(a1) == (0, 0)
    out = io.StringIO()
    assert (
        server_cli.main(
            [
                *("files", r.code, "--db", world.live.db_url, "--blobs", str(world.live.blob_dir)),
                *("--blob-store", blob_store.kind, "--json"),
            ],
            out=out,
        )
        == 0
    )
    (held,) = json.loads(out.getvalue())
    assert (held["sha256"], held["size"], held["held"], held["pages"]) == (sha, size, True, 1)
    # The handling commune's next round records the paper from the change feed and fetches the file.
    assert sync(b1).files_fetched == 1
    b_url, _d, b_token = engine.connection(b1)
    headers = {
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        CLIENT_TIME_HEADER: datetime.now(UTC).isoformat(),  # required since issue 16
        "Authorization": f"Bearer {b_token}",
    }
    got = httpx.get(f"{b_url}{API_PREFIX}/files/{sha}/content", headers=headers)
    assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == sha
    (b_paper, *_others) = fsvc.dossier_files(b1, r.code).papers
    assert (b_paper.sha256, b_paper.pages, b_paper.upload_state) == (sha, 1, "none")
    with SyncClient(b_url, b_token) as b_client:
        assert files.fetch_files(b1, b_client, r.code) == 0  # `files --fetch`: nothing left to fetch
    assert sync(b1).files_fetched == 0
    assert fsvc.blob_store(b1).read(sha) == fsvc.blob_store(a1).read(sha)
    assert check_database(b1).ok
    assert sync(b1).files_sent == 0  # a file recorded from the server is never sent back
    p_desk = world.desk(P)
    other = p_desk.client._http.get(f"/files/{sha}/content", headers=p_desk.client._headers())
    assert other.status_code == 403 and other.json()["detail"]["code"] == "file.forbidden"


@pytest.mark.expect_log("app.sync.files", level="WARNING", message="cannot be uploaded")
def test_server_refuses_a_damaged_or_oversized_file(
    desks: tuple[Store, Store], tmp_path: Path, blob_store: BlobStore
) -> None:
    a1, _b1 = desks
    page = tmp_path / "page.png"
    samples.scanned(samples.text_page(repeat=1), seed=9).save(page, dpi=(300, 300))
    r = svc.receive(
        a1,
        ACTOR,
        svc.ReceiveRequest(
            "1.001193",
            svc.ApplicantInput(full_name="Lê Văn An", address="Phường Bắc Giang"),
            paper_numbers=[(1, 1)],  # the paper handed in (none is recorded otherwise)
        ),
    )
    fsvc.attach(a1, ACTOR, fsvc.AttachRequest(r.code, 1, (page,)))
    sync(a1)
    (paper, *_rest) = fsvc.dossier_files(a1, r.code).papers
    sha, size = paper.sha256 or "", paper.size
    url, _device, token = engine.connection(a1)
    with SyncClient(url, token) as client:
        with pytest.raises(ServerRefused) as refused:
            client.put_chunk(sha, 0, size, b"\0" * size)
        assert (refused.value.status_code, refused.value.problem.code) == (422, "file.hash_mismatch")
        assert client.file_status(sha).offset == 0  # the damaged upload was dropped
        assert sha not in blob_store.partials() and not blob_store.has(sha)
        with pytest.raises(ServerRefused) as refused:
            client.put_chunk(sha, 0, size + 1, b"x")
        assert refused.value.problem.code == "file.size"
        with pytest.raises(ServerRefused) as refused:
            client.put_chunk(sha, 0, 10**9, b"x")
        assert refused.value.status_code == 413
        with pytest.raises(ServerRefused) as refused:
            client.file_status("0" * 64)
        assert refused.value.status_code == 403
    # A damaged local copy: the row is parked with the reason, and the rest goes on.
    blob = fsvc.blob_store(a1).path(sha)
    blob.write_bytes(b"damaged")
    with a1.write() as s:
        s.execute(update(DossierFile).values(ocr_state="failed"))
    sync(a1)
    assert fsvc.dossier_files(a1, r.code).papers[0].upload_state == "parked"
