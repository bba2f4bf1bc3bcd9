"""A local store that never forgets (issue 16, D3 and D9).

* **Never an empty store in place of a lost one.** When the database file is missing or empty but the data
  folder shows that a store lived there (a backup in ``backups/``, the marker file written when the store
  was created, or that marker's twin in the OS keyring), the desk refuses to start and names the newest
  backup: a fresh store would hand out again numbers already printed on citizens' receipts.
* **A quick check after an unclean shutdown, before the first write.** Every process that opens the store
  leaves a marker ``motcua-desk.sqlite3.open-<pid>`` and removes it when it closes the store. A marker left
  by a process that is gone (or a ``-wal`` file with no process holding the store) means the last session
  ended without closing: ``PRAGMA quick_check`` runs before anything is written. A store that fails it
  refuses every write (``Store.damaged``); the start-up names the newest backup.

What this does not catch: a ``-wal`` file deleted together with its marker (committed transactions
lost without trace) and a store replaced by an older copy of itself. Those need a counter kept outside the
file (the audit head anchored on the server: issue 16, item 9).
"""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import datetime
from pathlib import Path

from app.domain.errors import Problem
from app.models import cipher
from app.paths import database_path
from app.services.backup import list_backups
from app.sync import credentials

log = logging.getLogger(__name__)

#: Written next to the database when a store is created in a data folder (and never removed by the app).
CREATED_MARKER = ".motcua-store-created"
OPEN_MARKER = ".open-"


def _keyring_name(data_dir: Path) -> str:
    return f"store-created:{data_dir.resolve()}"


def evidence_of_a_store(data_dir: Path) -> list[str]:
    """What in ``data_dir`` (and the keyring) shows that a store existed here; empty for a new folder."""
    found: list[str] = []
    marker = data_dir / CREATED_MARKER
    if marker.exists():
        found.append(f"{marker}")
    backups = list_backups(data_dir)
    if backups:
        found.append(f"{len(backups)} backup(s) in {backups[0].path.parent}")
    if credentials.keyring_problem() is None:
        try:
            if credentials.load_secret(_keyring_name(data_dir)):
                found.append("the OS keyring entry of this data folder's store")
        except credentials.KeyringUnavailable:
            pass
    return found


def missing_problem(data_dir: Path, evidence: list[str]) -> Problem:
    path = database_path(data_dir)
    what = "; ".join(evidence)
    return Problem(
        "store.missing",
        f"Cơ sở dữ liệu {path} bị mất hoặc rỗng, trong khi thư mục dữ liệu cho thấy đã từng có dữ liệu "
        f"({what}). Phần mềm không tạo cơ sở dữ liệu trống thay thế (số hồ sơ đã cấp cho công dân sẽ bị cấp "
        "lại). Hãy khôi phục bản sao lưu gần nhất; nếu thật sự muốn bắt đầu lại từ đầu, dùng một thư mục dữ "
        "liệu khác.",
        f"The database {path} is missing or empty, while the data folder shows a store existed ({what}). "
        "No empty store is created in its place (numbers already given to citizens would be issued again). "
        "Restore the latest backup; to really start afresh, use another data folder.",
    )


def note_created(data_dir: Path) -> None:
    """Record that a store now lives in ``data_dir`` (the marker file, and the keyring when there is one)."""
    marker = data_dir / CREATED_MARKER
    if marker.exists():
        return  # noted at an earlier start (the keyring too, when there was one)
    marker.write_text(f"{datetime.now().isoformat(timespec='seconds')}\n", encoding="utf-8")
    if credentials.keyring_problem() is None:
        with contextlib.suppress(credentials.KeyringUnavailable):
            credentials.save_secret(_keyring_name(data_dir), "1")


# --- unclean shutdown ---------------------------------------------------------------------------------------


def _open_marker(data_dir: Path, pid: int) -> Path:
    return data_dir / f"{database_path(data_dir).name}{OPEN_MARKER}{pid}"


def _alive(pid: int) -> bool | None:
    """Whether process ``pid`` runs (None: cannot tell on this system without side effects)."""
    if os.name != "posix":
        return None  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def unclean_shutdown(data_dir: Path) -> bool:
    """Did a process end without closing the store (its marker left behind, or a WAL nobody holds)?"""
    others = []
    mine = False
    for marker in data_dir.glob(f"{database_path(data_dir).name}{OPEN_MARKER}*"):
        try:
            pid = int(marker.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid():
            others.append(pid)
        else:
            mine = True
    if any(_alive(pid) is not True for pid in others):
        return True
    wal = Path(f"{database_path(data_dir)}-wal")
    return not others and not mine and wal.exists() and wal.stat().st_size > 0


def mark_open(data_dir: Path) -> Path:
    marker = _open_marker(data_dir, os.getpid())
    marker.touch()
    return marker


def clear_stale_markers(data_dir: Path) -> None:
    for marker in data_dir.glob(f"{database_path(data_dir).name}{OPEN_MARKER}*"):
        try:
            pid = int(marker.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and _alive(pid) is not True:
            marker.unlink(missing_ok=True)


def quick_check(path: Path, key: bytes | None = None) -> list[str]:
    """SQLite's ``quick_check`` (b-tree structure, no index-content cross-check); empty list: sound. An
    encrypted store is read with its ``key``."""
    try:
        con = cipher.connect(f"file:{path}", key, uri=True)
        try:
            rows = [r[0] for r in con.execute("PRAGMA quick_check").fetchall()]
        finally:
            con.close()
    except cipher.DATABASE_ERRORS as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows
