"""Citizen data encrypted at rest (issue 16, item 10): the store and its backups are SQLCipher files under a
key kept in the OS keyring; a plain store is converted with nothing lost; a lost key never means an empty
store."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import keyring
import pytest
from keyed import connect_raw, key_of
from keyring.backends import fail

from app.bootstrap import open_store
from app.cli.main import main
from app.models import cipher
from app.paths import backup_dir, database_path
from app.services import backup, storekey
from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.store import Store, StoreError
from app.sync import credentials

ACTOR = Actor("Nguyễn Thị Lan", "Quầy 1")
ID_NUMBER = "001085012345"
PHONE = "0912345678"


def run(
    *argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _receive(store: Store, name: str = "Đặng Văn Hùng") -> str:
    applicant = svc.ApplicantInput(full_name=name, personal_id=ID_NUMBER, phone=PHONE, address="Số 5 Ngõ Mơ")
    return svc.receive(store, ACTOR, svc.ReceiveRequest("2.000815", applicant, pages=1, copies=1)).code


def _files_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _decrypt_to_plain(data_dir: Path, dest: Path) -> None:
    """What an older version of the desk left: the same store, plain."""
    con = connect_raw(data_dir)
    try:
        con.execute(f"ATTACH DATABASE '{dest}' AS plain KEY ''")
        con.execute("SELECT sqlcipher_export('plain')")
        con.execute("DETACH DATABASE plain")
    finally:
        con.close()


def _fill_every_table(path: Path) -> list[str]:
    """A row in every table still empty (plain SQL, foreign keys off); returns the tables it could
    not fill."""
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = OFF")
    left = []
    valid: dict[str, object] = {
        "kind": "paper",
        "ocr_state": "none",
        "upload_state": "none",
        "exemption": None,
    }  # CHECKs
    tables = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
            "'sqlite_%' AND sql NOT LIKE "
            "'CREATE VIRTUAL%'"
        )
    ]
    shadow = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")}
    for table in tables:
        if any(table.startswith(v + "_") for v in shadow):
            continue  # FTS5's own tables
        if con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]:
            continue
        cols = con.execute(f'PRAGMA table_info("{table}")').fetchall()
        values: list[object] = []
        for _cid, name, ctype, _notnull, _default, _pk in cols:
            t = (ctype or "").upper()
            if name in valid:
                values.append(valid[name])
                continue
            values.append(
                1 if "INT" in t or "BOOL" in t else 1.5 if "REAL" in t or "NUM" in t else "2026-01-05"
            )
        try:
            con.execute(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(values))})', values)
        except sqlite3.DatabaseError as exc:
            left.append(f"{table}: {exc}")
    con.commit()
    con.close()
    return left


def test_a_new_store_and_its_backups_hold_no_citizen_data_in_clear(tmp_path: Path) -> None:
    data_dir = tmp_path / "new"
    store = open_store(data_dir, demo=True)
    try:
        _receive(store)
        path = database_path(data_dir)
        assert not cipher.is_plain(path)
        blob = _files_bytes(path)
        assert ID_NUMBER.encode() not in blob and PHONE.encode() not in blob
        assert "Đặng".encode() not in blob and b"SQLite format 3" not in blob
        taken = backup.backup_now(store, data_dir)
    finally:
        store.dispose()
    backup_blob = taken.read_bytes()
    assert not cipher.is_plain(taken) and ID_NUMBER.encode() not in backup_blob
    assert backup.check_file(taken, data_dir=data_dir) == []  # the same key opens it
    assert not cipher.readable(taken, None)  # plain SQLite cannot
    # The key is in the keyring only: no file of the data folder holds it.
    key_hex = key_of(data_dir).hex().encode()
    for f in data_dir.rglob("*"):
        if f.is_file():
            assert key_hex not in f.read_bytes().lower(), f


def test_a_plain_store_with_rows_in_every_table_is_encrypted_with_nothing_lost(data_dir: Path) -> None:
    store = open_store(data_dir, demo=True)
    try:
        code = _receive(store)
    finally:
        store.dispose()
    plain_dir = data_dir.parent / "plain"
    plain_dir.mkdir()
    plain = database_path(plain_dir)
    _decrypt_to_plain(data_dir, plain)
    assert _fill_every_table(plain) == []
    backup_dir(plain_dir).mkdir()
    old_backup = backup_dir(plain_dir) / "motcua-desk-20260101-120000-daily.sqlite3"
    shutil.copyfile(plain, old_backup)
    import sqlite3

    con = sqlite3.connect(plain)
    before = cipher.table_counts(con)
    con.close()
    assert all(n > 0 for n in before.values()), {t: n for t, n in before.items() if not n}

    store = open_store(plain_dir)  # the upgrade: encrypts in place before anything else
    try:
        assert store.key is not None and not cipher.is_plain(plain)
        assert svc.dossier_record(store, code).applicant.personal_id == ID_NUMBER
    finally:
        store.dispose()
    con = connect_raw(plain_dir)
    try:
        after = cipher.table_counts(con)
    finally:
        con.close()
    assert {t: after[t] for t in before} == before
    assert ID_NUMBER.encode() not in _files_bytes(plain)
    assert not cipher.is_plain(old_backup) and ID_NUMBER.encode() not in old_backup.read_bytes()
    assert backup.check_file(old_backup, data_dir=plain_dir) == []
    leftovers = [p.name for p in plain_dir.iterdir() if "plain-old" in p.name or "encrypting" in p.name]
    assert leftovers == []


def test_an_interrupted_encryption_is_finished_or_undone(data_dir: Path) -> None:
    plain_dir = data_dir.parent / "plain"
    plain_dir.mkdir()
    plain = database_path(plain_dir)
    _decrypt_to_plain(data_dir, plain)
    # Killed after the copy was written but before the swap: the copy is dropped, the plain store encrypted.
    Path(f"{plain}.encrypting").write_bytes(b"half a copy")
    open_store(plain_dir).dispose()
    assert not cipher.is_plain(plain) and not Path(f"{plain}.encrypting").exists()
    # Killed after the swap, before the plain copy was wiped: it is wiped at the next start.
    left = Path(f"{plain}.plain-old")
    left.write_bytes(b"SQLite format 3\x00" + ID_NUMBER.encode() * 10)
    open_store(plain_dir).dispose()
    assert not left.exists()


def test_a_lost_key_is_refused_never_an_empty_store_and_the_paper_copy_restores_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(data_dir, demo=True)
    try:
        code = _receive(store)
    finally:
        store.dispose()
    code_out, paper, warn = run("db", "key", "export", "--data-dir", str(data_dir))
    assert code_out == 0 and len(paper.split()) == 8 and "tủ khóa" in warn
    before = database_path(data_dir).read_bytes()
    keyring.delete_password(credentials.SERVICE, storekey.keyring_name(data_dir))  # a keyring reset

    exit_code, out, err = run("show", code, "--data-dir", str(data_dir))
    assert exit_code == 2 and "db key import" in err and "Traceback" not in err
    assert database_path(data_dir).read_bytes() == before  # nothing replaced or rewritten

    wrong = "00" * 32
    exit_code, _out, err = run(
        "db", "key", "import", "--data-dir", str(data_dir), stdin=wrong, monkeypatch=monkeypatch
    )
    assert exit_code == 1 and "không mở được" in err
    exit_code, _out, err = run(
        "db", "key", "import", "--data-dir", str(data_dir), stdin="12ab", monkeypatch=monkeypatch
    )
    assert exit_code == 1 and "64" in err
    exit_code, out, _err = run(
        "db", "key", "import", "--data-dir", str(data_dir), stdin=paper, monkeypatch=monkeypatch
    )
    assert exit_code == 0, out
    exit_code, out, _err = run("show", code, "--data-dir", str(data_dir))
    assert exit_code == 0 and code in out


@pytest.mark.expect_log("app.services.storekey", "WARNING", "no usable keyring")
def test_without_a_keyring_a_plain_store_with_a_warning_then_encrypted_once_there_is_one(
    tmp_path: Path, data_dir: Path, memory_keyring: object
) -> None:
    """A headless Linux without Secret Service: the README's commands work, in clear and saying so; an
    encrypted store stays refused; the first start with a keyring encrypts it with every row."""
    before_encrypted = database_path(data_dir).read_bytes()
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(StoreError) as err:  # an encrypted store whose key cannot be read: refused
        open_store(data_dir)
    assert err.value.problem.code == "store.no_keyring" and "đã được mã hóa" in err.value.problem.vi
    assert database_path(data_dir).read_bytes() == before_encrypted

    folder = tmp_path / "new"
    args = ["--demo", "--data-dir", str(folder)]
    exit_code, out, err_text = run(
        *args,
        "receive",
        "--procedure",
        "1.001612",
        "--name",
        "Lê Thị Mai",
        "--id",
        ID_NUMBER,
        "--address",
        "Phường Kinh Bắc, Tỉnh Bắc Ninh",
    )
    assert exit_code == 0, err_text
    code = out.split("\n")[0].split(": ")[1]
    warnings = [line for line in err_text.splitlines() if line.startswith("CẢNH BÁO: ")]
    assert len(warnings) == 1 and "KHÔNG được mã hóa" in warnings[0] and "keyring" in warnings[0]
    assert cipher.is_plain(database_path(folder))  # created in clear
    exit_code, out, err_text = run("db", "check", "--data-dir", str(folder))
    assert exit_code == 0 and "CẢNH BÁO: " in out and "OK" in out and "CÓ LỖI" not in out
    assert err_text.count("CẢNH BÁO") == 1
    exit_code, out, err_text = run("show", code, "--lang", "en", "--data-dir", str(folder))
    assert exit_code == 0 and code in out and err_text.startswith("WARNING: ") and "NOT encrypted" in err_text
    exit_code, _out, _err = run("db", "backup", "--data-dir", str(folder))
    assert exit_code == 0
    old_backup = backup.list_backups(folder)[0].path
    assert cipher.is_plain(old_backup)
    store = open_store(folder)
    try:
        assert store.key is None and store.unencrypted is not None
        assert store.unencrypted.code == "store.unencrypted"
    finally:
        store.dispose()
    con = cipher.connect(database_path(folder), None)
    try:
        rows = cipher.table_counts(con)
    finally:
        con.close()

    keyring.set_keyring(memory_keyring)  # gnome-keyring installed: the next start encrypts
    exit_code, out, err_text = run("show", code, "--data-dir", str(folder))
    assert exit_code == 0 and code in out and "CẢNH BÁO" not in err_text
    assert not cipher.is_plain(database_path(folder)) and ID_NUMBER.encode() not in _files_bytes(
        database_path(folder)
    )
    con = connect_raw(folder)
    try:
        after = cipher.table_counts(con)
    finally:
        con.close()
    # Every row kept. The audit chain grows by what the first start with a keyring writes (issue 16, D10:
    # the chain keyed, with the ``audit.keyed`` marker and the seals of the existing rows).
    assert {t: after[t] for t in rows if t != "audit_entries"} == {
        t: n for t, n in rows.items() if t != "audit_entries"
    }
    assert after["audit_entries"] >= rows["audit_entries"]
    assert not cipher.is_plain(old_backup) and backup.check_file(old_backup, data_dir=folder) == []
    exit_code, out, _err = run("db", "check", "--data-dir", str(folder))
    assert exit_code == 0 and "CẢNH BÁO" not in out


def test_a_backup_of_another_data_folder_is_refused_by_its_key(data_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    store = open_store(other, demo=True)
    try:
        foreign = backup.backup_now(store, other)
    finally:
        store.dispose()
    problems = backup.check_file(foreign, data_dir=data_dir)
    assert problems and "another key" in problems[0]
    exit_code, _out, err = run("db", "restore", str(foreign), "--data-dir", str(data_dir))
    assert exit_code == 1 and "Không khôi phục được" in err
