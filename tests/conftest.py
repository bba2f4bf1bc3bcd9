"""Shared fixtures. Qt runs offscreen; the keyring is an in-memory backend; every test gets its own data
folder, copied from a session-wide template store (migrated, reference data and demo loaded once)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import shutil
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from app.bootstrap import open_store
from app.models.db import Store
from app.paths import database_path
from tools.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the Qt application as ``gui`` (select with ``-m gui`` / ``-m 'not gui'``)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a migrated store holding the reference data and the demo centre."""
    folder = tmp_path_factory.mktemp("template")
    open_store(folder, demo=True).dispose()
    return folder


@pytest.fixture
def data_dir(tmp_path: Path, template_dir: Path) -> Path:
    """A fresh demo data folder for one test."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(database_path(template_dir), database_path(folder))
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = open_store(data_dir, demo=True)
    yield s
    s.dispose()
