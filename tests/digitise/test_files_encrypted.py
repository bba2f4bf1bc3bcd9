"""The digitised files are encrypted at rest like the store (issue 16 item 10, issue 19 item 4): AES-256-GCM
under a key derived from the store key, named by the SHA-256 of their plaintext; plain files of an older
store are encrypted at the first start with a key, with nothing lost; with no keyring they stay plain."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import keyring
import pikepdf
import pytest
from digitise_helpers import ACTOR, receive
from keyring.backends import fail

from app.bootstrap import open_store
from app.cli.main import main
from app.digitise import blobs as blobs_module
from app.digitise.blobs import ENCRYPTED_MARK, MAGIC, PLAIN_OLD, BlobStore, files_key
from app.models import cipher
from app.paths import database_path
from app.services import files as svc
from app.services.health import check_database

KEY = bytes(range(32))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def windows(data: bytes, width: int = 24, count: int = 40) -> list[bytes]:
    """Slices of ``data`` spread over it: none may appear in an encrypted file."""
    step = max(1, (len(data) - width) // count)
    return [data[i : i + width] for i in range(0, len(data) - width, step)]


def assert_no_plaintext(raw: bytes, data: bytes) -> None:
    assert raw.startswith(MAGIC) and b"%PDF" not in raw and len(raw) > len(data)
    assert not [w for w in windows(data) if w in raw]


def test_a_file_is_encrypted_read_back_and_authenticated(tmp_path: Path) -> None:
    b = BlobStore(tmp_path / "files", KEY)
    data = b"%PDF-1.7 Giay khai sinh: Nguyen Van An, so dinh danh 001085012345 " * 20
    digest = hashlib.sha256(data).hexdigest()
    stored = b.put(data)
    assert (stored.sha256, stored.size, stored.new) == (digest, len(data), True)  # the PLAINTEXT's name
    raw = b.path(digest).read_bytes()
    assert_no_plaintext(raw, data)
    assert b"001085012345" not in raw
    assert b.read(digest) == data and hashlib.sha256(b.read(digest)).hexdigest() == digest
    assert b.put(data).new is False and b.path(digest).read_bytes() == raw  # idempotent: not rewritten
    assert b.verify([digest]) == []
    # Another key (another data folder's) reads nothing: authentication fails, the file is "damaged".
    assert [f.problem for f in BlobStore(tmp_path / "files", bytes(32)).verify([digest])] == ["damaged"]
    with pytest.raises(ValueError, match="no key"):
        BlobStore(tmp_path / "files").read(digest)
    assert files_key(KEY) != KEY and len(files_key(KEY)) == 32  # derived, never the store key itself

    # One bit flipped anywhere (header, ciphertext, tag) fails authentication.
    for at in (len(MAGIC) + 3, len(raw) // 2, len(raw) - 1):
        b.path(digest).write_bytes(raw[:at] + bytes([raw[at] ^ 1]) + raw[at + 1 :])
        assert [f.problem for f in b.verify([digest])] == ["damaged"]
        with pytest.raises(ValueError, match="damaged"):
            b.read(digest)
    # A sound encrypted file put under another file's name fails too (the name is authenticated).
    other = b.put(b"%PDF another paper").sha256
    b.path(digest).write_bytes(b.path(other).read_bytes())
    assert [(f.sha256, f.problem) for f in b.verify([digest, other])] == [(digest, "damaged")]
    b.put(data)  # a damaged copy is replaced by the right (encrypted) bytes
    assert b.read(digest) == data and b.path(digest).read_bytes().startswith(MAGIC)


def test_without_a_key_files_stay_plain_and_a_key_encrypts_them_crash_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = BlobStore(tmp_path / "files")
    datas = [f"%PDF page {i} ".encode() * (100 + i) for i in range(4)]
    hashes = [plain.put(d).sha256 for d in datas]
    assert [plain.path(h).read_bytes() for h in hashes] == datas  # a store in clear: files in clear
    damaged = plain.put(b"%PDF damaged later").sha256
    plain.path(damaged).write_bytes(b"%PDF not its hash")

    enc = BlobStore(tmp_path / "files", KEY)
    assert enc.read(hashes[0]) == datas[0]  # a plain file is still read (checked by its hash)
    # A crash while encrypting the third file: after its rename, before its plain copy is wiped.
    calls = {"n": 0}
    real = blobs_module._wipe

    def crash(path: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(path)

    monkeypatch.setattr(blobs_module, "_wipe", crash)
    with pytest.raises(KeyboardInterrupt):
        enc.encrypt_plain()
    monkeypatch.undo()
    left = list((tmp_path / "files" / "tmp").glob("*" + PLAIN_OLD))
    assert len(left) == 1 and not (tmp_path / "files" / ENCRYPTED_MARK).exists()
    seen: list[tuple[int, int]] = []
    report = enc.encrypt_plain(lambda done, total: seen.append((done, total)))  # the next start
    assert (report.encrypted, report.already, report.damaged) == (1, 3, [damaged])  # the plain copy wiped
    assert seen == [(i, 5) for i in range(6)]  # the window's progress bar: files looked at, of all
    assert not list((tmp_path / "files" / "tmp").iterdir())
    for h, d in zip(hashes, datas, strict=True):
        assert_no_plaintext(enc.path(h).read_bytes(), d)
        assert enc.read(h) == d
    assert [f.problem for f in enc.verify([*hashes, damaged])] == ["damaged"]
    assert enc.encrypt_plain().encrypted == 0 and (tmp_path / "files" / ENCRYPTED_MARK).exists()
    # A plain copy found in an encrypted store (a restore, a fetch) is replaced by an encrypted one.
    enc.path(hashes[0]).write_bytes(datas[0])
    assert enc.put(datas[0]).new is True and enc.path(hashes[0]).read_bytes().startswith(MAGIC)


def test_a_digitised_paper_holds_no_plaintext_on_disk_and_db_check_names_tampering(
    data_dir: Path, page_files: dict[str, Path], tmp_path: Path
) -> None:
    store = open_store(data_dir)
    try:
        assert store.key is not None
        code = receive(store)
        r = svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["dense"],)))
        blobs = svc.blob_store(store)
        data = blobs.read(r.sha256 or "")
        assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == r.sha256
        assert len(pikepdf.open(io.BytesIO(data)).pages) == 1
        path = blobs.path(r.sha256 or "")
        raw = path.read_bytes()
        assert_no_plaintext(raw, data)
        assert not [p for p in blobs.root.rglob("*") if p.is_file() and b"%PDF" in p.read_bytes()]
        (out,) = svc.export(store, code, tmp_path / "out")  # the export's purpose: the plaintext
        assert out.read_bytes() == data
        assert check_database(store).ok
        path.write_bytes(raw[:100] + bytes([raw[100] ^ 0x40]) + raw[101:])  # one bit in the ciphertext
        (fault,) = check_database(store).files
        assert (fault.sha256, fault.problem) == (r.sha256, "damaged")
    finally:
        store.dispose()
    exit_code, out_text, _err = run("db", "check", "--data-dir", str(data_dir))
    assert exit_code == 1 and "CÓ LỖI" in out_text and (r.sha256 or "")[:12] in out_text


@pytest.mark.expect_log("app.services.storekey", "WARNING", "no usable keyring")
def test_an_old_plain_store_and_its_files_are_encrypted_at_upgrade_with_nothing_lost(
    tmp_path: Path, template_dir: Path, page_files: dict[str, Path], memory_keyring: object
) -> None:
    """A desk without a keyring (files in clear, as an older version left them), then with one."""
    keyring.set_keyring(fail.Keyring())
    folder = tmp_path / "desk"
    store = open_store(folder, demo=True)
    try:
        assert store.key is None
        code = receive(store)
        rows = [
            svc.attach(store, ACTOR, svc.AttachRequest(code, n, (page_files[name],)))
            for n, name in ((1, "dense"), (2, "half"))
        ]
        blobs = svc.blob_store(store)
        before = {r.sha256 or "": blobs.read(r.sha256 or "") for r in rows}
        for h, d in before.items():
            assert blobs.path(h).read_bytes() == d  # in clear, like the store
    finally:
        store.dispose()
    assert cipher.is_plain(database_path(folder))

    keyring.set_keyring(memory_keyring)  # type: ignore[arg-type]
    store = open_store(folder)
    try:
        assert store.key is not None and not cipher.is_plain(database_path(folder))
        blobs = svc.blob_store(store)
        for h, d in before.items():
            assert_no_plaintext(blobs.path(h).read_bytes(), d)
            assert blobs.read(h) == d
        assert check_database(store).ok
        assert {p.sha256 for p in svc.dossier_files(store, code).papers if p.sha256} == set(before)
    finally:
        store.dispose()
    assert (folder / "files" / ENCRYPTED_MARK).exists()
    assert not [p for p in (folder / "files").rglob("*") if p.is_file() and b"%PDF" in p.read_bytes()]


def test_an_encrypted_store_whose_files_an_older_version_left_plain(
    data_dir: Path, page_files: dict[str, Path]
) -> None:
    """The version before this one encrypted the store but not its files: the next start encrypts them."""
    store = open_store(data_dir)
    try:
        code = receive(store)
        r = svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))
        data = svc.blob_store(store).read(r.sha256 or "")
        path = svc.blob_store(store).path(r.sha256 or "")
    finally:
        store.dispose()
    path.write_bytes(data)
    (data_dir / "files" / ENCRYPTED_MARK).unlink()
    shutil.rmtree(data_dir / "files" / "tmp", ignore_errors=True)
    store = open_store(data_dir)
    try:
        assert_no_plaintext(path.read_bytes(), data)
        assert svc.blob_store(store).read(r.sha256 or "") == data and check_database(store).ok
    finally:
        store.dispose()
