"""A keyring backend kept in memory, for the tests and the benchmarks: device tokens never reach the
machine's real keyring (``keyring.set_keyring(MemoryKeyring())``)."""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """Secrets by (service, user name), in this process's memory only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


class FileKeyring(MemoryKeyring):
    """A :class:`MemoryKeyring` that also keeps its secrets in the JSON file ``$MOTCUA_TEST_KEYRING``, so
    that a desk started by a test as a child process (the command line, the fault harness) finds the same
    secrets, such as the store key: children select it with
    ``PYTHON_KEYRING_BACKEND=tools.memory_keyring.FileKeyring``. Tests only: the desk itself never keeps a
    secret in a file (app.sync.credentials refuses the plain-text ``keyrings.alt`` backends)."""

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.path = path or os.environ.get("MOTCUA_TEST_KEYRING")
        self._load()

    def _load(self) -> None:
        if self.path is None:  # instantiated by keyring's backend discovery: memory only
            return
        try:
            with open(self.path, encoding="utf-8") as fh:
                rows = json.load(fh)
        except FileNotFoundError:
            rows = []
        self.secrets.clear()
        self.secrets.update({(s, u): p for s, u, p in rows})

    def _save(self) -> None:
        if self.path is None:
            return
        tmp = f"{self.path}.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump([[s, u, p] for (s, u), p in self.secrets.items()], fh)
        os.replace(tmp, self.path)

    def get_password(self, service: str, username: str) -> str | None:
        self._load()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._load()
        super().set_password(service, username, password)
        self._save()

    def delete_password(self, service: str, username: str) -> None:
        self._load()
        super().delete_password(service, username)
        self._save()
