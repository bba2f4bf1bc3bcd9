"""How the desk uploads digitised files (issue 19, performance): a file no round has begun goes at once
without a status request, several at a time; a file a round began and did not finish (a crash between the
upload and the marks, a network failure) is asked about first and not sent again when the server has it;
a part held by the server is resumed after the first chunk's 409; the rows are marked in one transaction.

Small files go together, whole, in one ``POST /files/batch`` (each verified, stored and reported on its
own: one bad file among good ones refuses only that one); ``batch_files=1`` sends each file through
``PUT /files/{sha256}`` as older desks do, which the server keeps accepting."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from faults.harness import new_desk
from sqlalchemy import select, update
from srvkit import A, World, sign_in

from app.contract import (
    API_PREFIX,
    CLIENT_TIME_HEADER,
    MAX_BATCH_FILES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    BatchResult,
    ChunkResult,
    FileStatus,
    utc_now,
)
from app.digitise import samples
from app.models import DossierFile
from app.models.db import Store
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.reference import get_setting, set_setting
from app.sync import engine
from app.sync import files as sync_files
from app.sync.client import SyncClient, TransientError
from app.sync.files import KEY_IN_FLIGHT, pending_files, upload_pending
from server.admin import revoke_device
from server.blobs import MAX_CHUNK_BYTES, BlobStore

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


def test_windows_are_marked_while_the_next_one_uploads_and_a_failure_keeps_the_finished_ones(
    desk: Store, tmp_path: Path, blob_store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows of MARK_BATCH files, two in flight: every window marked in its own transaction, the
    next declared in flight before it starts; a failure in the third window keeps the first two marked."""
    monkeypatch.setattr(sync_files, "MARK_BATCH", 2)
    shas = _files(desk, tmp_path, 7)  # windows [0 1] [2 3] [4 5] [6]
    url, _device, token = engine.connection(desk)
    declared: list[list[str]] = []  # the in-flight setting as each request saw it

    class Watching(Recording):
        def put_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> ChunkResult:
            with desk.read() as s:
                declared.append(list(get_setting(s, KEY_IN_FLIGHT)))
            assert sha256 in declared[-1]  # never sent before being declared
            return super().put_chunk(sha256, offset, total, data)

    bad = shas[4]
    with Watching(url, token, fail={bad}) as client, pytest.raises(TransientError):
        upload_pending(desk, client, workers=1, batch_files=1)
    states = _states(desk)
    assert [states[sha] for sha in shas] == ["sent"] * 4 + ["pending"] * 3
    with desk.read() as s:
        assert get_setting(s, KEY_IN_FLIGHT) == [bad]  # 5 and 6 never started: sent at once next time
    assert 2 < max(len(d) for d in declared) <= 4  # the next window declared while one is sent; two at most
    with Recording(url, token) as client:
        report = upload_pending(desk, client)
    assert report.sent == 3 and set(_states(desk).values()) == {"sent"}
    for sha in shas:
        assert blob_store.read(sha) == fsvc.blob_store(desk).read(sha)


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


def test_small_files_go_together_in_one_batch_and_again_are_only_asked(
    desk: Store, tmp_path: Path, blob_store: BlobStore
) -> None:
    shas = _files(desk, tmp_path, 5)
    local = fsvc.blob_store(desk)
    url, _device, token = engine.connection(desk)
    with Recording(url, token) as client:
        report = upload_pending(desk, client)
    assert client.batches == [shas] and client.calls == []  # one request for the five, nothing else
    assert (report.sent, report.parked) == (5, 0)
    assert report.bytes_sent == sum(len(local.read(sha)) for sha in shas)
    assert set(_states(desk).values()) == {"sent"} and pending_files(desk) == (0, 0)
    for sha in shas:
        assert blob_store.read(sha) == local.read(sha)
    assert blob_store.partials() == []
    with desk.read() as s:
        assert get_setting(s, KEY_IN_FLIGHT) == []
    # The same batch again (a retry after a lost answer): each reported held, nothing changes.
    with SyncClient(url, token) as plain:
        again = plain.put_files([(sha, local.read(sha)) for sha in shas])
    assert [(r.sha256, r.complete, r.problem) for r in again.files] == [(sha, True, None) for sha in shas]
    # A crash after the batch and before the marks: the files are asked about, not sent again.
    with desk.write() as s:
        s.execute(update(DossierFile).values(upload_state="pending"))
        set_setting(s, KEY_IN_FLIGHT, sorted(shas))
    with Recording(url, token) as client:
        report = upload_pending(desk, client)
    assert sorted(client.calls) == sorted(("status", sha, -1) for sha in shas) and client.batches == []
    assert (report.sent, report.bytes_sent) == (0, 0)


def test_a_batch_reports_each_file_and_a_bad_one_refuses_only_itself(
    desk: Store, tmp_path: Path, blob_store: BlobStore, world: World
) -> None:
    good1, damaged, good2, short, held_part = _files(desk, tmp_path, 5)
    local = fsvc.blob_store(desk)
    url, _device, token = engine.connection(desk)
    foreign = hashlib.sha256(b"a file no dossier of this centre names").hexdigest()
    with SyncClient(url, token) as client:
        result = client.put_files(
            [
                (good1, local.read(good1)),
                (damaged, b"\0" * len(local.read(damaged))),  # damaged in transfer
                (good2, local.read(good2)),
                (foreign, b"not ours"),  # named by no dossier of this centre
                (short, local.read(short)[:-1]),  # not the size its event declared
            ]
        )
    got = [(r.sha256, r.complete, r.status, r.problem.code if r.problem else None) for r in result.files]
    assert got == [
        (good1, True, 200, None),
        (damaged, False, 422, "file.hash_mismatch"),
        (good2, True, 200, None),
        (foreign, False, 403, "file.forbidden"),
        (short, False, 422, "file.size"),
    ]
    assert blob_store.read(good1) == local.read(good1) and blob_store.read(good2) == local.read(good2)
    for sha in (damaged, foreign, short):
        assert not blob_store.has(sha)
    assert blob_store.partials() == []
    # At the desk: part of one file is already on the server (an interrupted chunked upload); the batch
    # reports it 409 file.offset and it is resumed alone; the others are stored from the batch.
    with SyncClient(url, token) as plain:
        plain.put_chunk(held_part, 0, len(local.read(held_part)), local.read(held_part)[:1000])
    with Recording(url, token) as client:
        report = upload_pending(desk, client)
    assert client.batches == [[good1, damaged, good2, short, held_part]]  # the first two: held already
    assert client.calls == [("status", held_part, -1), ("put", held_part, 1000)]
    assert report.parked == 0 and set(_states(desk).values()) == {"sent"}
    for sha in (good1, damaged, good2, short, held_part):
        assert blob_store.read(sha) == local.read(sha)


def test_a_batch_the_server_does_not_take_goes_file_by_file(
    desk: Store, tmp_path: Path, blob_store: BlobStore
) -> None:
    shas = _files(desk, tmp_path, 3)
    url, _device, token = engine.connection(desk)
    with OldServer(url, token) as client:
        report = upload_pending(desk, client)
    assert client.batches == [shas]
    assert sorted(client.calls) == sorted(("put", sha, 0) for sha in shas)
    assert (report.sent, report.parked) == (3, 0) and set(_states(desk).values()) == {"sent"}
    for sha in shas:
        assert blob_store.read(sha) == fsvc.blob_store(desk).read(sha)


def test_a_network_failure_in_a_batch_leaves_its_files_to_be_asked_about(
    desk: Store, tmp_path: Path, blob_store: BlobStore
) -> None:
    shas = _files(desk, tmp_path, 3)
    url, _device, token = engine.connection(desk)
    with Recording(url, token, fail={shas[1]}) as client, pytest.raises(TransientError):
        upload_pending(desk, client)
    assert set(_states(desk).values()) == {"pending"}
    with desk.read() as s:
        assert get_setting(s, KEY_IN_FLIGHT) == sorted(shas)
    with Recording(url, token) as client:
        report = upload_pending(desk, client)
    assert sorted(client.calls) == sorted(
        [("status", sha, -1) for sha in shas] + [("put", sha, 0) for sha in shas]
    )
    assert report.sent == 3 and set(_states(desk).values()) == {"sent"}


def _raw_batch(url: str, token: str | None, entries: list[str], body: bytes) -> httpx.Response:
    headers = {
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        CLIENT_TIME_HEADER: utc_now().isoformat(),
        "Content-Type": "application/octet-stream",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(
        f"{url}{API_PREFIX}/files/batch", params={"file": entries}, content=body, headers=headers, timeout=30
    )


def test_a_malformed_batch_is_refused_whole_and_a_revoked_device_at_once(
    desk: Store, tmp_path: Path, blob_store: BlobStore, world: World
) -> None:
    (sha,) = _files(desk, tmp_path, 1)
    data = fsvc.blob_store(desk).read(sha)
    url, device, token = engine.connection(desk)
    entry = f"{sha}:{len(data)}"
    cases: list[tuple[list[str], bytes, int, str]] = [
        ([entry], data + b"x", 422, "file.batch"),  # the body is longer than the files
        ([entry, entry], data, 422, "file.batch"),  # shorter
        ([], b"", 422, "request.invalid"),  # the file parameter is required
        ([sha], data, 422, "file.batch"),  # no size
        ([f"{sha}:-{len(data)}"], data, 422, "file.batch"),
        ([f"{sha}:0"], b"", 422, "file.batch"),
        ([f"{'G' * 64}:{len(data)}"], data, 422, "file.sha256"),
        ([entry] * (MAX_BATCH_FILES + 1), data * (MAX_BATCH_FILES + 1), 422, "file.batch"),
        ([f"{sha}:{MAX_CHUNK_BYTES + 1}"], b"\0" * (MAX_CHUNK_BYTES + 1), 413, "file.chunk"),
    ]
    for entries, body, status, code in cases:
        got = _raw_batch(url, token, entries, body)
        assert (got.status_code, got.json()["detail"]["code"]) == (status, code), entries[:1]
    assert not blob_store.has(sha) and blob_store.partials() == []
    assert _raw_batch(url, None, [entry], data).status_code == 401
    revoke_device(world.db, device)
    got = _raw_batch(url, token, [entry], data)  # refused from the next request on, nothing stored
    assert got.status_code in (401, 403) and not blob_store.has(sha)
