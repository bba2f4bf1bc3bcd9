"""How the desk uploads digitised files (issue 19, performance): a file no round has begun goes at once
without a status request, several at a time; a file a round began and did not finish (a crash between the
upload and the marks, a network failure) is asked about first and not sent again when the server has it;
a part held by the server is resumed after the first chunk's 409; the rows are marked in one transaction.

Small files go together, whole, in one ``POST /files/batch`` (each verified, stored and reported on its
own: one bad file among good ones refuses only that one); ``batch_files=1`` sends each file through
``PUT /files/{sha256}`` as older desks do, which the server keeps accepting."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from faults.harness import new_desk
from sqlalchemy import select, update
from srvkit import A, World, sign_in

from app.contract import BatchResult, ChunkResult, FileStatus
from app.digitise import samples
from app.models import DossierFile
from app.models.db import Store
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.reference import get_setting, set_setting
from app.sync import engine
from app.sync.client import SyncClient, TransientError
from app.sync.files import KEY_IN_FLIGHT, pending_files, upload_pending
from server.blobs import BlobStore

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    store = new_desk(tmp_path / "desk", template_dir, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)
    yield store
    store.dispose()


class Recording(SyncClient):
    """The desk's client, noting each file request (from any upload thread) and failing on demand."""

    def __init__(self, *args: object, fail: set[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.calls: list[tuple[str, str, int]] = []
        self.fail = fail or set()
        self.threads: set[str] = set()
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    def file_status(self, sha256: str) -> FileStatus:
        with self._lock:
            self.calls.append(("status", sha256, -1))
        return super().file_status(sha256)

    def put_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> ChunkResult:
        with self._lock:
            self.calls.append(("put", sha256, offset))
            self.threads.add(threading.current_thread().name)
        if sha256 in self.fail:
            raise TransientError("network error: simulated")
        return super().put_chunk(sha256, offset, total, data)

    def put_files(self, files: Sequence[tuple[str, bytes]]) -> BatchResult:
        with self._lock:
            self.batches.append([sha for sha, _data in files])
        if self.fail & {sha for sha, _data in files}:
            raise TransientError("network error: simulated")
        return super().put_files(files)


class OldServer(Recording):
    """As against a server without the batch route: the batch goes to a path it does not serve."""

    def put_files(self, files: Sequence[tuple[str, bytes]]) -> BatchResult:
        with self._lock:
            self.batches.append([sha for sha, _data in files])
        return self._call("POST", f"/files/{files[0][0]}", BatchResult, content=b"x")  # 405 here


def _files(desk: Store, tmp_path: Path, n: int) -> list[str]:
    shas = []
    for i in range(n):
        page = tmp_path / f"p{i}.png"
        samples.scanned(samples.text_page(repeat=1), seed=60 + i).save(page, dpi=(300, 300))
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
    url, _device, token = engine.connection(desk)
    with SyncClient(url, token) as client:
        engine.SyncEngine(desk, client).push(engine.RoundReport())  # the events first
    return shas


def _states(desk: Store) -> dict[str, str]:
    with desk.read() as s:
        return {str(h): st for h, st in s.execute(select(DossierFile.sha256, DossierFile.upload_state))}


def test_new_files_go_at_once_and_a_crash_before_the_marks_only_asks(
    desk: Store, tmp_path: Path, blob_store: BlobStore
) -> None:
    shas = _files(desk, tmp_path, 5)
    local = fsvc.blob_store(desk)
    url, _device, token = engine.connection(desk)
    with Recording(url, token) as client:
        report = upload_pending(desk, client, workers=3, batch_files=1)  # one file a request, as older desks
    # No status request, one PUT per file at offset 0 (each fits one chunk), on several threads.
    assert sorted(client.calls) == sorted(("put", sha, 0) for sha in shas)
    assert len(client.threads) > 1
    assert (report.sent, report.parked) == (5, 0)
    assert report.bytes_sent == sum(len(local.read(sha)) for sha in shas)
    assert set(_states(desk).values()) == {"sent"} and pending_files(desk) == (0, 0)
    for sha in shas:
        assert blob_store.read(sha) == local.read(sha)
    with desk.read() as s:
        assert get_setting(s, KEY_IN_FLIGHT) == []

    # A crash after the uploads and before the marks: the rows are pending, the batch listed in flight.
    with desk.write() as s:
        s.execute(update(DossierFile).values(upload_state="pending"))
        set_setting(s, KEY_IN_FLIGHT, sorted(shas))
    with Recording(url, token) as client:
        report = upload_pending(desk, client)
    assert sorted(client.calls) == sorted(("status", sha, -1) for sha in shas)  # asked, nothing sent again
    assert (report.sent, report.bytes_sent) == (0, 0)
    assert set(_states(desk).values()) == {"sent"}


def test_a_network_failure_keeps_what_finished_and_the_rest_is_asked_first(
    desk: Store, tmp_path: Path, blob_store: BlobStore
) -> None:
    shas = _files(desk, tmp_path, 4)
    local = fsvc.blob_store(desk)
    url, _device, token = engine.connection(desk)
    bad = shas[2]
    with Recording(url, token, fail={bad}) as client, pytest.raises(TransientError):
        # One at a time, one file a request: the files after the failure never start.
        upload_pending(desk, client, workers=1, batch_files=1)
    states = _states(desk)
    assert states[shas[0]] == states[shas[1]] == "sent"  # marked although the round failed
    assert states[bad] == states[shas[3]] == "pending"
    with desk.read() as s:
        assert get_setting(s, KEY_IN_FLIGHT) == [bad]  # begun, not finished: asked about next time
    # Part of the failed file reached the server before the failure (an interrupted upload).
    with SyncClient(url, token) as plain:
        plain.put_chunk(bad, 0, len(local.read(bad)), local.read(bad)[:1000])
    with Recording(url, token) as client:
        report = upload_pending(desk, client)
    assert ("status", bad, -1) in client.calls and ("put", bad, 1000) in client.calls  # resumed
    assert ("put", bad, 0) not in client.calls
    assert ("put", shas[3], 0) in client.calls and ("status", shas[3], -1) not in client.calls
    assert report.bytes_sent == len(local.read(bad)) - 1000 + len(local.read(shas[3]))
    assert set(_states(desk).values()) == {"sent"}
    for sha in shas:
        assert blob_store.read(sha) == local.read(sha)


def test_a_part_held_by_the_server_is_resumed_after_the_first_chunks_409(
    desk: Store, tmp_path: Path, blob_store: BlobStore
) -> None:
    (sha,) = _files(desk, tmp_path, 1)
    data = fsvc.blob_store(desk).read(sha)
    url, _device, token = engine.connection(desk)
    with SyncClient(url, token) as plain:  # e.g. a desk restored from an older backup
        plain.put_chunk(sha, 0, len(data), data[:1000])
    with Recording(url, token) as client:
        report = upload_pending(desk, client, chunk=4096)
    assert client.calls[:3] == [("put", sha, 0), ("status", sha, -1), ("put", sha, 1000)]
    assert (report.sent, report.bytes_sent) == (1, len(data) - 1000)
    assert blob_store.read(sha) == data and _states(desk) == {sha: "sent"}
