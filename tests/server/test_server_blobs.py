"""The server's blob stores behind one interface (issue 19): ``fs`` and ``postgres`` (``[pg]`` run only)
take chunks at the held offset only, verify the SHA-256 at the end, never serve a partial file, drop a
damaged one, and stay right when two requests send the same chunk at once (a retry while the first is
still being written)."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from s3kit import MOTO_CONCURRENCY, simulated_s3
from sqlalchemy.engine import make_url

from server import blobs, cli
from server.db import Database, SetupError
from server.errors import ApiError


@pytest.fixture(params=["fs", pytest.param("postgres", marks=pytest.mark.pg), "s3"])
def store(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> Iterator[blobs.BlobStore]:
    if request.param == "fs":
        yield blobs.FsBlobStore(tmp_path / "blobs")
        return
    if request.param == "s3":
        with simulated_s3() as s3:
            yield s3
        return
    db = Database(db_url)
    if not db.is_postgres:
        db.dispose()
        pytest.skip("the postgres file store runs in the [pg] half only")
    try:
        yield blobs.PgBlobStore(db)
    finally:
        db.dispose()


def _file(n: int) -> tuple[bytes, str]:
    data = os.urandom(n)
    return data, hashlib.sha256(data).hexdigest()


def _code(call: object, *args: object) -> str:
    try:
        call(*args)  # type: ignore[operator]
    except ApiError as err:
        return err.problem.code
    return "ok"


def test_chunks_resume_at_the_held_offset_and_only_a_whole_verified_file_is_served(
    store: blobs.BlobStore,
) -> None:
    data, sha = _file(10_000)
    assert store.write_chunk(sha, 0, len(data), data[:4000]) == (4000, False)
    assert store.offset(sha) == 4000 and sha in store.partials()
    assert store.read(sha) is None and not store.has(sha)  # a partial file is never served
    assert _code(store.write_chunk, sha, 0, len(data), data[:4000]) == "file.offset"  # sent twice
    assert _code(store.write_chunk, sha, 4000, len(data), data[4000:] + b"x") == "file.size"
    assert store.write_chunk(sha, 4000, len(data), data[4000:]) == (len(data), True)
    assert store.read(sha) == data and store.has(sha) and sha not in store.partials()
    assert store.write_chunk(sha, 0, len(data), data[:10]) == (len(data), True)  # held: nothing more


@pytest.mark.parametrize("chunks", [1, 3])
def test_a_damaged_file_is_dropped(store: blobs.BlobStore, chunks: int) -> None:
    data, sha = _file(9_000)
    bad = data[:-1] + bytes([data[-1] ^ 1])
    step = len(bad) // chunks
    offsets = list(range(0, len(bad), step))
    for off in offsets[:-1]:
        store.write_chunk(sha, off, len(bad), bad[off : off + step])
    assert _code(store.write_chunk, sha, offsets[-1], len(bad), bad[offsets[-1] :]) == "file.hash_mismatch"
    assert store.read(sha) is None and store.offset(sha) == 0 and sha not in store.partials()
    assert store.write_chunk(sha, 0, len(data), data) == (len(data), True)  # sent again, whole
    assert store.read(sha) == data


def test_the_same_chunk_sent_twice_at_once_is_stored_once(store: blobs.BlobStore) -> None:
    if store.kind == "s3":
        pytest.skip(MOTO_CONCURRENCY)
    data, sha = _file(200_000)
    half = len(data) // 2
    for _round in range(2):  # the middle chunk, then the last one
        start = 0 if _round == 0 else half
        piece = data[start:half] if _round == 0 else data[half:]
        gate = threading.Barrier(4)
        codes: list[str] = []

        def send(
            piece: bytes = piece, start: int = start, gate: threading.Barrier = gate, codes: list[str] = codes
        ) -> None:
            gate.wait()
            codes.append(_code(store.write_chunk, sha, start, len(data), piece))

        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert codes.count("ok") >= 1 and set(codes) <= {"ok", "file.offset"}, codes
    assert store.read(sha) == data and sha not in store.partials()


def test_the_store_is_chosen_by_configuration(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(db_url)
    try:
        monkeypatch.setenv(blobs.BLOB_DIR_ENV, str(tmp_path / "files"))
        monkeypatch.delenv(blobs.BLOB_STORE_ENV, raising=False)
        fs = blobs.open_store(db)
        assert isinstance(fs, blobs.FsBlobStore) and fs.root == tmp_path / "files"
        monkeypatch.setenv(blobs.BLOB_STORE_ENV, "postgres")
        if db.is_postgres:
            assert isinstance(blobs.open_store(db), blobs.PgBlobStore)
        else:
            with pytest.raises(SetupError) as refused:
                blobs.open_store(db)
            assert refused.value.problem.code == "blobs.postgres"
            # The command line says so in both languages, exit code 2, no traceback.
            assert cli.main(["files", "X", "--db", db_url], out=io.StringIO()) == 2
            err = capsys.readouterr().err
            assert "cần máy chủ dùng PostgreSQL" in err and "needs a server on PostgreSQL" in err
        monkeypatch.setenv(blobs.BLOB_STORE_ENV, "s3")
        monkeypatch.delenv("MOTCUA_S3_BUCKET", raising=False)
        with pytest.raises(SetupError) as refused:
            blobs.open_store(db)
        assert refused.value.problem.code == "blobs.s3_bucket"
        monkeypatch.setenv(blobs.BLOB_STORE_ENV, "gcs")
        with pytest.raises(SetupError) as refused:
            blobs.open_store(db)
        assert refused.value.problem.code == "blobs.kind"
    finally:
        db.dispose()


def test_serve_refuses_the_postgres_store_on_sqlite(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if make_url(db_url).get_backend_name() != "sqlite":
        pytest.skip("the refusal is for an SQLite server")
    monkeypatch.delenv(blobs.BLOB_STORE_ENV, raising=False)

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the server must not start")

    monkeypatch.setattr(uvicorn, "run", never)
    args = ["serve", "--db", db_url, "--port", "0", "--workers", "2", "--blob-store", "postgres"]
    code = cli.main(args, out=io.StringIO())  # refused before any worker starts
    assert code == 2 and "needs a server on PostgreSQL" in capsys.readouterr().err


def test_the_fs_store_writes_a_batch_whole_and_leaves_nothing_of_a_refused_file(tmp_path: Path) -> None:
    store = blobs.FsBlobStore(tmp_path / "blobs")
    (good, good_sha), (bad, bad_sha), (part, part_sha), (held, held_sha) = (
        _file(n) for n in (900, 800, 700, 600)
    )
    store.write_chunk(part_sha, 0, len(part), part[:100])  # a chunked upload in progress
    store.write_chunk(held_sha, 0, len(held), held)  # held already
    stale = tmp_path / "blobs" / "partial" / f"{good_sha}.crashed.tmp"  # left by a crash mid-batch
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    fresh = stale.with_name(f"{good_sha}.another-batch.tmp")  # another batch's, being written now
    fresh.write_bytes(b"half")
    answers = store.write_whole(
        [(good_sha, good), (bad_sha, b"\0" * len(bad)), (part_sha, part), (held_sha, held)]
    )
    assert [a.problem.code if a else None for a in answers] == [
        None,
        "file.hash_mismatch",
        "file.offset",
        None,
    ]
    assert answers[2] is not None and answers[2].problem.field == "100"
    assert store.read(good_sha) == good and store.read(held_sha) == held
    assert not store.has(bad_sha) and store.read(part_sha) is None and store.offset(part_sha) == 100
    assert not stale.exists() and fresh.exists()  # swept after an hour only
    assert {p.name for p in (tmp_path / "blobs" / "partial").iterdir()} == {f"{part_sha}.part", fresh.name}
    assert store.partials() == [part_sha]


def test_batches_stored_at_the_same_time_do_not_trip_on_each_others_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's sweep lists ``partial/`` while another batch renames its temporary files into place:
    a file gone between the listing and its ``stat`` is another batch's, not an error (it made the whole
    batch answer 503, its files left for the next round: ``bench_upload.py`` found 4 or 8 of 60 unsent)."""
    store = blobs.FsBlobStore(tmp_path / "blobs")
    (a, a_sha), (b, b_sha) = _file(500), _file(600)
    assert store.write_whole([(a_sha, a)]) == [None]  # partial/ exists
    renamed = tmp_path / "blobs" / "partial" / f"{a_sha}.other-batch.tmp"
    real_scandir = os.scandir

    class Listing:
        """``os.scandir`` of partial/ holding another batch's temporary file, renamed away once listed."""

        def __init__(self, path: Path) -> None:
            renamed.write_bytes(b"x")
            self.inner = real_scandir(path)

        def __enter__(self) -> Listing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

        def __iter__(self) -> Iterator[os.DirEntry[str]]:
            for entry in self.inner:
                renamed.unlink(missing_ok=True)  # the other batch's os.replace, between listing and stat
                yield entry

    monkeypatch.setattr(blobs.os, "scandir", Listing)
    assert store.write_whole([(b_sha, b)]) == [None]
    assert store.read(b_sha) == b
