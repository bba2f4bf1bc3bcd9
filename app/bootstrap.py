"""Opening the desk: data folder, log file, database checks, migrations and reference data.

Shared by the GUI and the command line. Failures caused by the environment raise
:class:`app.models.db.StoreError` carrying a message for the operator; nothing is overwritten.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import tempfile
from pathlib import Path

from app.digitise.blobs import BlobStore
from app.domain.errors import Problem
from app.domain.progress import Progress, Step, no_progress
from app.models import cipher
from app.models.db import Store, StoreError, check_file, corrupt_problem
from app.models.migrate import upgrade
from app.paths import backup_dir, database_path, log_dir
from app.services import audit, continuity, storekey
from app.services.backup import encrypt_plain_backups, finish_interrupted_restore
from app.services.calendar_notices import ensure_calendar_seed
from app.services.reference import ensure_units, load_demo

log = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def ensure_writable(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise StoreError(
            Problem(
                "store.unwritable",
                f"Không ghi được vào thư mục dữ liệu {data_dir} ({exc.strerror or exc}). "
                "Hãy kiểm tra quyền ghi và dung lượng ổ đĩa, hoặc chọn thư mục khác bằng --data-dir.",
                f"Cannot write to the data folder {data_dir} ({exc.strerror or exc}). "
                "Check permissions and free disk space, or choose another folder with --data-dir.",
            )
        ) from exc


class QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that never disturbs the operator: if the disk is full or the file unwritable, the record
    is dropped silently instead of printing a traceback to the console."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass


def setup_logging(data_dir: Path, level: int = logging.INFO) -> None:
    """Log to a rotating file in the data folder (5 × 1 MiB). Secrets are never logged."""
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "motcua-desk.log"
    root = logging.getLogger()
    for h in root.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path:
            return
    handler = QuietRotatingFileHandler(path, maxBytes=1 << 20, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)


def with_latest_backup(problem: Problem, data_dir: Path) -> Problem:
    """The corrupt-database problem, completed with the newest sound backup to restore, if any."""
    from app.services.backup import check_file as check_backup
    from app.services.backup import list_backups

    for b in list_backups(data_dir):
        if b.kind != "replaced" and not check_backup(b.path, data_dir=data_dir):
            return Problem(
                problem.code,
                f"{problem.vi} Bản sao lưu gần nhất ({b.taken_at:%d/%m/%Y %H:%M}): {b.path} — khôi phục bằng "
                f'lệnh: motcua-desk db restore "{b.path}"',
                f"{problem.en} Latest backup ({b.taken_at:%Y-%m-%d %H:%M}): {b.path} — restore it with: "
                f'motcua-desk db restore "{b.path}"',
                problem.field,
            )
    return problem


def encrypt_plain_store(data_dir: Path, key: bytes, progress: Progress = no_progress) -> None:
    """Encrypt a plain store left by an older version, and its plain backups (issue 16, item 10).
    ``progress``: :data:`Step.ENCRYPT_STORE` in pages copied, then :data:`Step.ENCRYPT_BACKUPS`."""
    path = database_path(data_dir)

    def pages(written: int, total: int) -> None:
        progress(Step.ENCRYPT_STORE, written, total)

    try:
        counts = cipher.encrypt_file(path, key, pages)
        backups = encrypt_plain_backups(data_dir, key, progress)
    except (cipher.CipherError, OSError, RuntimeError) as exc:
        log.error("encrypting the store failed: %s", exc)
        raise StoreError(
            Problem(
                "store.encrypt_failed",
                f"Không mã hóa được cơ sở dữ liệu {path} ({exc}). Dữ liệu không bị thay đổi "
                "hay mất. Hãy giải "
                "phóng dung lượng ổ đĩa (cần thêm chỗ bằng kích thước cơ sở dữ liệu) rồi "
                "mở lại, hoặc liên hệ "
                "bộ phận CNTT.",
                f"The database {path} could not be encrypted ({exc}). Nothing was changed or lost. Free disk "
                "space (as much as the database's size) and start again, or call IT support.",
            )
        ) from exc
    log.info(
        "plain store encrypted: %d rows in %d tables; %d backups", sum(counts.values()), len(counts), backups
    )


def encrypt_plain_files(data_dir: Path, key: bytes, progress: Progress = no_progress) -> None:
    """Encrypt the digitised files an older version left in clear (app.digitise.blobs): at the first start
    with a key, each file crash-safe; then never again (a mark in ``files/``). ``progress``:
    :data:`Step.ENCRYPT_FILES` in files."""

    def files(done: int, total: int) -> None:
        progress(Step.ENCRYPT_FILES, done, total)

    try:
        BlobStore.of(data_dir, key).encrypt_plain(files)
    except OSError as exc:
        log.error("encrypting the digitised files failed: %s", exc)
        folder = data_dir / "files"
        raise StoreError(
            Problem(
                "store.encrypt_files_failed",
                f"Không mã hóa được các tệp số hóa trong {folder} ({exc}). Không tệp nào bị mất. Hãy giải "
                "phóng dung lượng ổ đĩa rồi mở lại, hoặc liên hệ bộ phận CNTT.",
                f"The digitised files in {folder} could not be encrypted ({exc}). No file was lost. "
                "Free disk space and start again, or call IT support.",
            )
        ) from exc


def open_store(
    data_dir: Path, *, demo: bool = False, damaged_ok: bool = False, progress: Progress = no_progress
) -> Store:
    """Check, open and migrate the local database in ``data_dir``; load reference (and demo) data.

    Never creates an empty store where the folder shows one existed; after an unclean shutdown runs a
    quick check before the first write (app.services.continuity). ``damaged_ok`` (``db check``): a store
    failing that check is opened anyway, read-only (its writes refused), for the check to report on.

    ``progress`` hears of every long step (app.domain.progress): the quick check, the conversion of a
    plain store and of its backups, the digitised files' encryption, migrations, the audit chain's sealing.
    Called from the thread that opens the store; the everyday opening reports nothing."""
    ensure_writable(data_dir)
    setup_logging(data_dir)
    path = database_path(data_dir)
    finish_interrupted_restore(data_dir)
    cipher.finish_interrupted(path)
    if not path.exists() or path.stat().st_size == 0:
        evidence = continuity.evidence_of_a_store(data_dir)
        if evidence:
            raise StoreError(with_latest_backup(continuity.missing_problem(data_dir, evidence), data_dir))
    # The key first: with a key that does not open the store, or an encrypted store and no keyring, nothing
    # is opened, created or converted (app.services.storekey says why and how IT recovers). Without a
    # keyring a new or plain store is kept in clear (key None), with the warning store.unencrypted.
    try:
        key = storekey.key_for_store(data_dir)
    except StoreError as exc:
        if exc.problem.code == "store.no_keyring":
            raise
        raise StoreError(with_latest_backup(exc.problem, data_dir)) from exc
    plain = path.exists() and cipher.is_plain(path)
    try:  # not an SQLite file at all, or its schema unreadable: refused, even by db check (exit 2)
        check_file(path, None if plain else key)
    except StoreError as exc:
        raise StoreError(with_latest_backup(exc.problem, data_dir)) from exc
    damaged: list[str] = []
    if path.exists() and continuity.unclean_shutdown(data_dir):
        progress(Step.CHECK, 0, 0)
        damaged = continuity.quick_check(path, None if plain else key)
        if damaged:
            log.warning("the last session ended without closing the store; quick check: %s", damaged[:3])
        else:
            log.info("the last session ended without closing the store; quick check: ok")
        if damaged and not damaged_ok:
            detail = "quick_check: " + "; ".join(damaged[:3])
            raise StoreError(with_latest_backup(corrupt_problem(path, detail), data_dir))
        if not damaged:
            continuity.clear_stale_markers(data_dir)
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(
            Problem(
                "store.readonly",
                f"Tệp cơ sở dữ liệu {path} chỉ cho phép đọc. Hãy cấp quyền ghi rồi mở lại.",
                f"The database file {path} is read-only. Make it writable and start again.",
            )
        )
    if plain and not damaged and key is not None:
        encrypt_plain_store(data_dir, key, progress)
        plain = False
    if key is not None and not damaged:
        encrypt_plain_files(data_dir, key, progress)
    store = Store(path, None if plain else key)
    if key is None:
        store.unencrypted = storekey.unencrypted_problem(data_dir)
    if damaged:
        store.damaged = tuple(damaged)
        log.info("store opened read-only for checking: %s", path)
        return store
    try:
        upgrade(store.engine, backup_to=backup_dir(data_dir), key=store.key, progress=progress)
        with store.write() as session:
            ensure_units(session)
            ensure_calendar_seed(session)
            if demo:
                load_demo(session)
            audit.ensure_keyed(
                session, data_dir, progress=progress
            )  # issue 16, D10: the chain keyed with this store's secret
        continuity.note_created(data_dir)
        store.close_markers.append(continuity.mark_open(data_dir))
    except StoreError as exc:
        if damaged_ok and exc.problem.code == "store.corrupt":  # db check reports it rather than refuse
            store.damaged = (exc.problem.en,)
            return store
        store.dispose()
        raise
    except BaseException:
        store.dispose()
        raise
    log.info("store opened: %s", path)
    return store
