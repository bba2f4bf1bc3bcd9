"""Backups hold the digitised files (issue 16, item 10 follow-up): ``db backup`` keeps the files the
database references beside its copy (unchanged files hard-linked between backups, never to the live
store), ``db backups`` shows their size, ``db restore`` puts them back and checks every SHA-256."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime
from pathlib import Path

import pytest
from digitise_helpers import ACTOR, receive

from app.bootstrap import open_store
from app.cli.main import main
from app.digitise.blobs import BlobStore
from app.services import backup, backup_files
from app.services import files as svc


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _digitise(data_dir: Path, page_files: dict[str, Path]) -> tuple[str, list[str]]:
    store = open_store(data_dir)
    try:
        code = receive(store)
        hashes = [
            svc.attach(store, ACTOR, svc.AttachRequest(code, paper, (page_files[name],))).sha256 or ""
            for paper, name in ((1, "dense"), (2, "photo"))
        ]
    finally:
        store.dispose()
    return code, hashes


def test_backups_hold_the_referenced_files_linked_between_backups_and_restore_checks_them(
    data_dir: Path, page_files: dict[str, Path]
) -> None:
    code, hashes = _digitise(data_dir, page_files)
    key = backup.store_key(data_dir)
    assert key is not None
    live = BlobStore.of(data_dir, key)
    stray = live.put(b"a file no row references").sha256

    exit_code, out, err = run("db", "backup", "--data-dir", str(data_dir))
    assert exit_code == 0, err
    first = Path(out.splitlines()[0])
    folder = backup_files.folder_of(first)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(hashes) and stray not in manifest["files"]
    for digest in hashes:
        copy = BlobStore(folder).path(digest)
        assert copy.read_bytes() == live.path(digest).read_bytes()  # as on disk: encrypted
        assert live.decode(copy.read_bytes(), digest) == live.read(digest)
        assert b"%PDF" not in copy.read_bytes()
        assert copy.stat().st_ino != live.path(digest).stat().st_ino  # a copy, not a link to the live file
    assert "Tệp số hóa: 2" in out

    time.sleep(1.05)  # backups are named by the second
    exit_code, out, err = run("db", "backup", "--files", "all", "--data-dir", str(data_dir))
    assert exit_code == 0, err
    second = Path(out.splitlines()[0])
    assert second != first
    manifest2 = backup_files.read_manifest(second)
    assert manifest2 is not None and sorted(manifest2.files) == sorted([*hashes, stray])
    for digest in hashes:  # unchanged files: linked to the first backup's copy, nothing copied again
        a, b = BlobStore(folder).path(digest), BlobStore(backup_files.folder_of(second)).path(digest)
        assert a.stat().st_ino == b.stat().st_ino and a.stat().st_nlink == 2

    exit_code, out, _err = run("db", "backups", "--data-dir", str(data_dir))
    sizes = {digest: live.path(digest).stat().st_size for digest in [*hashes, stray]}
    assert exit_code == 0 and f"{sum(sizes[h] for h in hashes):,}" in out
    assert f"{sum(sizes.values()):,}" in out

    # A backup of the same second replaces the database copy and its files folder (linked from it).
    exit_code, out, err = run("db", "backup", "--files", "all", "--data-dir", str(data_dir))
    again = Path(out.splitlines()[0])
    if again == second:
        assert backup_files.verify(second, key) == [] and backup_files.read_manifest(second) == manifest2
    # Retention drops one backup's links only: the other backup keeps its files.
    backup_files.remove(second)
    assert not backup_files.folder_of(second).exists() and backup_files.verify(first, key) == []

    # The live files lost (a disk cleaned up, a folder deleted): the restore puts them back, hash-checked.
    for digest in [*hashes, stray]:
        live.path(digest).unlink()
    exit_code, out, err = run("db", "restore", str(first), "--data-dir", str(data_dir))
    assert exit_code == 0, out + err
    assert "2 tệp được chép lại" in out and "SHA-256" in out
    assert all(live.read(digest) for digest in hashes)
    exit_code, out, _err = run("db", "check", "--data-dir", str(data_dir))
    assert exit_code == 0 and "OK" in out
    exit_code, out, _err = run("files", code, "--data-dir", str(data_dir))
    assert exit_code == 0 and hashes[0] in out


@pytest.mark.expect_log("app.services.backup_files", "ERROR", "could not be put back")
def test_a_damaged_file_in_a_backup_is_named_at_restore(data_dir: Path, page_files: dict[str, Path]) -> None:
    _code, hashes = _digitise(data_dir, page_files)
    exit_code, out, _err = run("db", "backup", "--data-dir", str(data_dir))
    assert exit_code == 0
    taken = Path(out.splitlines()[0])
    damaged = BlobStore(backup_files.folder_of(taken)).path(hashes[0])
    damaged.chmod(0o644)
    damaged.write_bytes(b"not the scanned paper")
    key = backup.store_key(data_dir)
    assert backup_files.verify(taken, key) == [hashes[0]]
    live = BlobStore.of(data_dir, key)
    live.path(hashes[0]).unlink()
    exit_code, out, _err = run("db", "restore", str(taken), "--data-dir", str(data_dir))
    assert exit_code == 1 and "CÓ LỖI" in out and hashes[0] in out
    assert not live.exists(hashes[0]) and live.exists(hashes[1])  # never a wrong file under a hash's name


def test_a_backup_without_files_restores_its_database_and_says_so(data_dir: Path) -> None:
    store = open_store(data_dir)
    try:
        taken = backup.backup_now(store, data_dir)
    finally:
        store.dispose()
    backup_files.remove(taken)  # as an older version's backup
    assert backup.list_backups(data_dir)[0].files_size is None
    exit_code, out, _err = run("db", "restore", str(taken), "--data-dir", str(data_dir))
    assert exit_code == 0 and "không có tệp số hóa" in out


def test_two_backups_in_the_same_second_keep_one_sound_files_folder(
    data_dir: Path, page_files: dict[str, Path]
) -> None:
    _code, hashes = _digitise(data_dir, page_files)
    at = datetime(2026, 12, 1, 9, 0, 0)
    store = open_store(data_dir)
    try:
        first = backup.backup_now(store, data_dir, at=at)
        second = backup.backup_now(store, data_dir, at=at)
    finally:
        store.dispose()
    assert first == second and backup_files.verify(second, backup.store_key(data_dir)) == []
    manifest = backup_files.read_manifest(second)
    assert manifest is not None and sorted(manifest.files) == sorted(hashes)
    assert not list(second.parent.glob("*.partial"))
