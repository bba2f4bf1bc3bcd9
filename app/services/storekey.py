"""The key of the encrypted store (issue 16, item 10): in the OS keyring, never in a file or a log.

One key per data folder (keyring entry ``store-key:<data folder>`` of service ``motcua-desk``), generated
at the first start with a keyring, used for the store and its backups. Nothing here ever replaces a store:

* a store that exists but whose key the keyring does not hold (another Windows account, a data folder
  moved or copied to another PC, a keyring reset) is refused with a message naming the recovery
  (``motcua-desk db key import``), as is a store the key held does not open;
* with no keyring at all (keyring's ``fail``/null backend, a plain-text ``keyrings.alt`` one, or a keyring
  that errors or forgets what it is given: a headless Linux without a Secret Service) an ENCRYPTED store is
  refused as above, but a new store is created in clear and a plain store opens in clear, with a loud
  warning (:func:`unencrypted_problem`: one line on stderr from the command line, a permanent one in the
  window's status bar, a ``CẢNH BÁO`` line from ``db check``). The desk must run where a keyring cannot
  exist (the README's command examples on a bare Debian); Windows always has Credential Manager. When a
  keyring is there at a later start, the plain store and its backups are encrypted then (app.bootstrap).

The recovery copy: ``motcua-desk db key export`` prints the key as 64 hexadecimal digits in groups, for IT to
write on paper or put on a USB stick kept locked away; ``db key import`` puts it back in a keyring.
"""

from __future__ import annotations

import binascii
import logging
import re
from pathlib import Path

from keyring.errors import KeyringError

from app.domain.errors import DomainError, Problem
from app.models import cipher
from app.models.db import StoreError
from app.paths import database_path
from app.sync import credentials

log = logging.getLogger(__name__)


def keyring_name(data_dir: Path) -> str:
    """The keyring entry (service ``motcua-desk``) holding the store key of ``data_dir``."""
    return f"store-key:{data_dir.resolve()}"


def _no_keyring(data_dir: Path) -> Problem:
    path = database_path(data_dir)
    return Problem(
        "store.no_keyring",
        "Máy này không có kho khóa bảo mật của hệ điều hành (keyring), nên không đọc hay lưu được khóa mã "
        f"hóa dữ liệu công dân ({data_dir}). Cơ sở dữ liệu {path} đã được mã hóa nên phần mềm chưa mở được. "
        "Trên Windows dùng Windows Credential Manager (có sẵn); trên Linux hãy cài gnome-keyring hoặc "
        "KWallet rồi đăng nhập lại phiên làm việc. Không có gì bị xóa hay ghi đè.",
        "This machine has no OS keyring, so the key that encrypts citizens' data "
        f"({data_dir}) cannot be read or kept. The database {path} is encrypted, so the desk cannot open it. "
        "Windows has Credential Manager built in; on Linux install gnome-keyring or KWallet and log in "
        "again. Nothing was deleted or overwritten.",
    )


def unencrypted_problem(data_dir: Path) -> Problem:
    """The warning of a store kept in clear because this machine has no keyring (see the module's text)."""
    return Problem(
        "store.unencrypted",
        "Dữ liệu công dân trên máy này KHÔNG được mã hóa: không có kho khóa bảo mật của hệ điều hành "
        f"(keyring) để giữ khóa ({database_path(data_dir)}). Trên Linux hãy cài gnome-keyring hoặc KWallet "
        "rồi mở lại: dữ liệu sẽ được mã hóa khi đó (Luật 91/2025/QH15).",
        "Citizens' data on this machine is NOT encrypted: there is no OS keyring to keep the key "
        f"({database_path(data_dir)}). On Linux install gnome-keyring or KWallet and start again: the data "
        "is encrypted then (Law 91/2025/QH15).",
    )


def _key_missing(path: Path) -> Problem:
    return Problem(
        "store.key_missing",
        f"Không đọc được cơ sở dữ liệu {path}: tệp đã được mã hóa mà kho khóa của tài khoản "
        "này không có khóa "
        "của nó (thư mục dữ liệu được chuyển sang máy hoặc tài khoản khác, hoặc kho khóa "
        "đã bị xóa), hoặc tệp "
        "bị hỏng. Tệp không bị ghi đè và phần mềm không tạo cơ sở dữ liệu mới thay thế. Bộ "
        "phận CNTT hãy nhập "
        f'lại khóa đã lưu (giấy hoặc USB) bằng lệnh: motcua-desk --data-dir "{path.parent}" db key import',
        f"The database {path} cannot be read: it is encrypted and this account's keyring "
        "does not hold its key "
        "(the data folder was moved to another PC or account, or the keyring was reset), or the file is "
        "damaged. The file was not overwritten and no new database is created in its place. IT support: "
        f'import the saved key (paper or USB) with: motcua-desk --data-dir "{path.parent}" db key import',
    )


def _key_wrong(path: Path) -> Problem:
    return Problem(
        "store.key_wrong",
        f"Khóa trong kho khóa không mở được cơ sở dữ liệu {path} (khóa sai, hoặc tệp bị hỏng). Tệp không bị "
        f'ghi đè. Bộ phận CNTT hãy nhập khóa đúng bằng lệnh: motcua-desk --data-dir "{path.parent}" db key '
        "import, hoặc khôi phục bản sao lưu.",
        f"The key in the keyring does not open the database {path} (a wrong key, or a "
        "damaged file). The file "
        f'was not overwritten. IT support: import the right key with: motcua-desk --data-dir "{path.parent}" '
        "db key import, or restore a backup.",
    )


def load(data_dir: Path) -> bytes | None:
    """The store key of ``data_dir`` from the keyring, None if it holds none; StoreError without keyring."""
    if credentials.keyring_problem() is not None:
        raise StoreError(_no_keyring(data_dir))
    try:
        text = credentials.load_secret(keyring_name(data_dir))
    except (credentials.KeyringUnavailable, KeyringError) as exc:  # no backend, or one that fails
        raise StoreError(_no_keyring(data_dir)) from exc
    if not text:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    return key if len(key) == cipher.KEY_BYTES else None


def _save(data_dir: Path, key: bytes) -> None:
    try:
        credentials.save_secret(keyring_name(data_dir), key.hex())
        back = credentials.load_secret(keyring_name(data_dir))
    except (credentials.KeyringUnavailable, KeyringError) as exc:
        raise StoreError(_no_keyring(data_dir)) from exc
    if back != key.hex():  # a keyring that accepts and forgets would lose every citizen's data
        raise StoreError(_no_keyring(data_dir))


def key_for_store(data_dir: Path) -> bytes | None:
    """The key to open (or create) the store of ``data_dir``; None: no keyring, the store stays in clear.

    A new store, or a plain store about to be encrypted, gets a new key saved (and read back) in the keyring
    first. An encrypted store whose key is missing or wrong, or that exists on a machine without a keyring,
    is refused (StoreError), never replaced. Without a keyring a new or plain store is opened in clear
    (None; the caller warns with :func:`unencrypted_problem`)."""
    path = database_path(data_dir)
    exists = path.exists() and path.stat().st_size > 0
    encrypted = exists and not cipher.is_plain(path)
    try:
        key = load(data_dir)
    except StoreError:
        if encrypted:
            raise
        log.warning("no usable keyring: the store of %s stays unencrypted", data_dir)
        return None
    if encrypted:
        if key is None:
            raise StoreError(_key_missing(path))
        if not cipher.readable(path, key):
            raise StoreError(_key_wrong(path))
        return key
    if key is None:
        key = cipher.new_key()
        try:
            _save(data_dir, key)
        except StoreError:  # a keyring that fails or forgets on writing: as none
            log.warning(
                "the keyring does not keep the store key: the store of %s stays unencrypted", data_dir
            )
            return None
    return key


def export_text(data_dir: Path) -> str:
    """The key as 64 hexadecimal digits in 8 groups of 8, for paper."""
    key = load(data_dir)
    if key is None:
        raise StoreError(_key_missing(database_path(data_dir)))
    text = key.hex().upper()
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


def import_text(data_dir: Path, text: str) -> None:
    """Put an exported key back in the keyring, after checking that it opens the store (if there is one)."""
    digits = re.sub(r"[\s-]", "", text)
    try:
        key = binascii.unhexlify(digits)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != cipher.KEY_BYTES:
        raise DomainError(
            Problem(
                "key.format",
                "Khóa phải gồm đúng 64 chữ số thập lục phân (0–9, A–F), như lệnh db key export đã in.",
                "The key must be exactly 64 hexadecimal digits (0–9, A–F), as db key export printed it.",
                "key",
            )
        )
    path = database_path(data_dir)
    if (
        path.exists()
        and path.stat().st_size > 0
        and not cipher.is_plain(path)
        and not cipher.readable(path, key)
    ):
        raise DomainError(
            Problem(
                "key.wrong",
                f"Khóa này không mở được cơ sở dữ liệu {path}; kho khóa không bị thay đổi.",
                f"This key does not open the database {path}; the keyring was not changed.",
                "key",
            )
        )
    if credentials.keyring_problem() is not None:
        raise StoreError(_no_keyring(data_dir))
    _save(data_dir, key)
