"""The store's errors are classified by SQLite's result code (``sqlite3.Error.sqlite_errorcode``), not by
the wording of its message: real sqlite3 errors of each kind, raw and wrapped by SQLAlchemy."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.models.db import SqliteCode, Store, StoreError, environment_problem, sqlite_code

PATH = Path("/data/motcua.sqlite3")


def raised(action: Callable[[], object]) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        action()
    return caught.value


def full_error(tmp_path: Path) -> sqlite3.Error:
    con = sqlite3.connect(tmp_path / "full.db")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.execute("PRAGMA max_page_count = 2")
    return raised(lambda: [con.execute("INSERT INTO t VALUES (zeroblob(10000))") for _ in range(3)])


def readonly_error(tmp_path: Path) -> sqlite3.Error:
    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return raised(lambda: con.execute("INSERT INTO t VALUES (1)"))


def busy_error(tmp_path: Path) -> sqlite3.Error:
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    return raised(lambda: other.execute("BEGIN IMMEDIATE"))


def cantopen_error(tmp_path: Path) -> sqlite3.Error:
    return raised(lambda: sqlite3.connect(tmp_path / "no such folder" / "x.db"))


def notadb_error(tmp_path: Path) -> sqlite3.Error:
    path = tmp_path / "text.db"
    path.write_bytes(b"this is a text file, not a database\n" * 50)
    con = sqlite3.connect(path)
    return raised(lambda: con.execute("SELECT * FROM sqlite_master").fetchall())


def corrupt_error(tmp_path: Path) -> sqlite3.Error:
    path = tmp_path / "corrupt.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA page_size = 4096")
    con.execute("CREATE TABLE t (x)")
    con.executemany("INSERT INTO t VALUES (randomblob(3000))", [()] * 20)
    con.commit()
    con.close()
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\xff" * 8192  # two pages of the table's b-tree overwritten
    path.write_bytes(bytes(data))
    con = sqlite3.connect(path)
    return raised(lambda: con.execute("SELECT * FROM t").fetchall())


def synthetic(code: int, message: str = "synthetic") -> sqlite3.Error:
    """An error SQLite raises only under conditions a test cannot set up (permissions of the OS,
    shared-cache table locks, WAL protocol races, an I/O failure): same class, same attribute."""
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]  # set by the sqlite3 module on real errors
    return exc


REAL = [
    (full_error, SqliteCode.FULL, "store.disk_full"),
    (readonly_error, SqliteCode.READONLY, "store.readonly"),
    (busy_error, SqliteCode.BUSY, "store.busy"),
    (cantopen_error, SqliteCode.CANTOPEN, "store.readonly"),
    (notadb_error, SqliteCode.NOTADB, "store.corrupt"),
    (corrupt_error, SqliteCode.CORRUPT, "store.corrupt"),
]


@pytest.mark.parametrize(("make", "code", "problem"), REAL, ids=[c.name for _, c, _ in REAL])
def test_real_sqlite_errors_are_the_environments(
    tmp_path: Path, make: Callable[[Path], sqlite3.Error], code: SqliteCode, problem: str
) -> None:
    exc = make(tmp_path)
    assert sqlite_code(exc) is code
    found = environment_problem(exc, PATH)
    assert found is not None and found.code == problem
    assert str(PATH) in found.vi and str(PATH) in found.en


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (3, "store.readonly"),  # SQLITE_PERM
        (6, "store.busy"),  # SQLITE_LOCKED
        (15, "store.busy"),  # SQLITE_PROTOCOL
        (10, "store.disk_full"),  # SQLITE_IOERR
        (778, "store.disk_full"),  # SQLITE_IOERR_WRITE: an extended code, primary code in the low byte
        (517, "store.busy"),  # SQLITE_BUSY_SNAPSHOT
        (1032, "store.readonly"),  # SQLITE_READONLY_DBMOVED
    ],
)
def test_codes_sqlite_raises_rarely(code: int, problem: str) -> None:
    found = environment_problem(synthetic(code), PATH)
    assert found is not None and found.code == problem


def test_a_bug_is_not_the_environment_whatever_its_message(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "bug.db")
    syntax = raised(lambda: con.execute("SELEC 1"))
    assert syntax.sqlite_errorcode == 1  # type: ignore[attr-defined]  # SQLITE_ERROR
    con.execute("CREATE TABLE t (x UNIQUE)")
    con.execute("INSERT INTO t VALUES (1)")
    constraint = raised(lambda: con.execute("INSERT INTO t VALUES (1)"))
    for exc in (syntax, constraint):
        assert sqlite_code(exc) is None and environment_problem(exc, PATH) is None
    # The words alone classify nothing: an error without SQLite's code is a bug of ours.
    assert environment_problem(sqlite3.OperationalError("database or disk is full"), PATH) is None
    assert environment_problem(RuntimeError("attempt to write a readonly database"), PATH) is None


def test_the_code_is_found_through_sqlalchemy(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
    assert sqlite_code(caught.value) is SqliteCode.READONLY
    found = environment_problem(caught.value, path)
    assert found is not None and found.code == "store.readonly"


def test_os_errors_by_errno(tmp_path: Path) -> None:
    import errno

    full = environment_problem(OSError(errno.ENOSPC, "No space left on device"), PATH)
    assert full is not None and full.code == "store.disk_full"
    ro = environment_problem(OSError(errno.EROFS, "Read-only file system"), PATH)
    assert ro is not None and ro.code == "store.readonly"
    assert environment_problem(OSError(errno.ENOENT, "No such file"), PATH) is None


def test_store_write_keeps_its_messages(store: Store) -> None:
    """Store.write turns the code into the operator's message, word for word as before."""
    with pytest.raises(StoreError) as caught, store.write() as s:
        s.execute(text("PRAGMA query_only = ON"))
        s.execute(text("CREATE TABLE scratch (x)"))
    problem = caught.value.problem
    assert problem.code == "store.readonly"
    assert problem.vi == (
        "Thư mục dữ liệu chỉ cho phép đọc: thao tác này chưa có gì được ghi. Hãy cấp quyền ghi cho "
        f"thư mục dữ liệu (hoặc liên hệ bộ phận CNTT) rồi thử lại. ({store.path})"
    )
    assert problem.en == (
        "The data folder is read-only: nothing of this operation was written. Make it writable "
        f"(or call IT support) and try again. ({store.path})"
    )
