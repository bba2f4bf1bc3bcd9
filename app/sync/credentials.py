"""Secrets (device token) in the OS keyring via ``keyring``, never in files or logs."""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, NoKeyringError

from app.domain.errors import Problem

SERVICE = "motcua-desk"

NO_KEYRING = Problem(
    "keyring.missing",
    "Máy này không có kho khóa bảo mật của hệ điều hành (keyring), nên chưa thể lưu mã thiết bị để đồng bộ. "
    "Vẫn tiếp nhận hồ sơ ngoại tuyến bình thường. Trên Windows dùng Windows Credential Manager (có sẵn); "
    "trên Linux hãy cài gnome-keyring hoặc KWallet rồi đăng nhập lại phiên làm việc.",
    "This machine has no OS keyring, so the device token for sync cannot be stored. Offline intake works "
    "as usual. Windows has Credential Manager built in; on Linux install gnome-keyring or KWallet and log in "
    "again.",
)


def keyring_problem() -> Problem | None:
    """None if a usable keyring backend exists, else the problem to show the operator."""
    try:
        backend = keyring.get_keyring()
        priority = getattr(backend, "priority", 1)
        if priority <= 0 or type(backend).__module__.startswith("keyring.backends.fail"):
            return NO_KEYRING
        if type(backend).__module__.startswith("keyrings.alt"):
            # Plain-text "keyrings": not a place for a device token.
            return NO_KEYRING
    except (KeyringError, RuntimeError):
        return NO_KEYRING
    return None


def save_secret(name: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, name, value)
    except NoKeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING) from exc


def load_secret(name: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, name)
    except NoKeyringError as exc:
        raise KeyringUnavailable(NO_KEYRING) from exc


class KeyringUnavailable(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)
