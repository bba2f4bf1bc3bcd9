"""Shared fixtures. Qt runs offscreen; the keyring is an in-memory backend; every test gets its own data
folder, copied from a session-wide template store (migrated, reference data and demo loaded once)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import logging
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from keyed import TEMPLATE_KEYS, give_store_key

from app.bootstrap import open_store
from app.models.db import Store
from app.paths import database_path
from app.services.storekey import keyring_name
from app.sync.credentials import SERVICE
from tools.memory_keyring import FileKeyring, MemoryKeyring

ROOT = Path(__file__).resolve().parent.parent

#: The template store's audit-chain key (issue 16, D10), in every test's keyring (see template_dir).
_TEMPLATE_SECRETS: dict[tuple[str, str], str] = {}


def _sigpipe_ignored() -> bool:
    """Whether SIGPIPE is ignored by this process, as the kernel sees it (``SigIgn`` of /proc/self/status:
    a native library can change the disposition behind Python's back)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            mask = next(line for line in fh if line.startswith("SigIgn:")).split()[1]
    except (OSError, StopIteration):
        return True
    return bool(int(mask, 16) & (1 << (signal.SIGPIPE - 1)))


#: Tests after which SIGPIPE was no longer ignored (shown at the end of the run: see the fixture below).
SIGPIPE_RESET_BY: list[str] = []


@pytest.fixture(autouse=True)
def sigpipe_stays_ignored(request: pytest.FixtureRequest) -> Iterator[None]:
    """Python ignores SIGPIPE, so a write to a socket or pipe whose reader is gone raises BrokenPipeError.
    One CI run of the whole suite died of SIGPIPE (make: "Broken pipe") in the server-kill test, which
    passes alone: something run earlier in the same process had set SIGPIPE back to its default. Each test
    starts with it ignored again, and the tests after which it was not are named at the end of the run."""
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    yield
    if not _sigpipe_ignored():
        SIGPIPE_RESET_BY.append(request.node.nodeid)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SIGPIPE_RESET_BY and hasattr(signal, "SIGPIPE"):
        terminalreporter.write_line(
            "SIGPIPE was no longer ignored after: " + ", ".join(SIGPIPE_RESET_BY), yellow=True
        )


@pytest.fixture(autouse=True)
def memory_keyring(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MemoryKeyring]:
    """A keyring of this test only, shared with the desk processes the test starts (their environment
    selects the same secrets file: tools.memory_keyring.FileKeyring)."""
    previous = keyring.get_keyring()
    path = tmp_path_factory.mktemp("keyring") / "secrets.json"
    monkeypatch.setenv("MOTCUA_TEST_KEYRING", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tools.memory_keyring.FileKeyring")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    backend = FileKeyring(str(path))
    # The template store's audit-chain key (issue 16, D10): every copy of the template is keyed with it.
    for (service, user), secret in _TEMPLATE_SECRETS.items():
        backend.set_password(service, user, secret)
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# --- fail on logging ------------------------------------------------------------------------------------
# Like qutebrowser's tests/helpers/logfail.py: a WARNING or worse logged through Python logging (any
# thread, any logger that propagates to the root) fails the test, unless the test declares it:
#
#     @pytest.mark.expect_log("app.ui.lanes.worker", "ERROR", "Unexpected error")   # logger, level, regex
#     def test_...
#
# or, for a log only one part of the test should cause, ``expect_log("app.sync.engine", "WARNING")``
# with the ``expect_log`` fixture. A declared pattern matches records of that logger (or a child logger),
# at that level or above, whose message matches the regex (``re.search``; default: any message).


@dataclass(frozen=True)
class ExpectedLog:
    logger: str
    level: int
    message: re.Pattern[str]

    def matches(self, record: logging.LogRecord) -> bool:
        return (
            (record.name == self.logger or record.name.startswith(self.logger + "."))
            and record.levelno >= self.level
            and self.message.search(record.getMessage()) is not None
        )


def _expected(logger: str, level: str | int = "WARNING", message: str = "") -> ExpectedLog:
    levelno = level if isinstance(level, int) else logging.getLevelNamesMapping()[level]
    return ExpectedLog(logger, levelno, re.compile(message))


class LogFailHandler(logging.Handler):
    """Keeps every WARNING-or-worse record no declared pattern matches."""

    def __init__(self, expected: list[ExpectedLog]) -> None:
        super().__init__(logging.WARNING)
        self.expected = expected
        self.unexpected: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not any(e.matches(record) for e in self.expected):
            self.unexpected.append(record)


def _fail(records: list[logging.LogRecord]) -> None:
    lines = "\n".join(f"  {r.levelname} {r.name}: {r.getMessage()}" for r in records)
    pytest.fail(f"unexpected log records (declare them with expect_log):\n{lines}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "expect_log(logger, level='WARNING', message=''): the test logs this WARNING-or-worse record on "
        "purpose (see fail_on_logging in tests/conftest.py)",
    )


@pytest.fixture(autouse=True)
def fail_on_logging(request: pytest.FixtureRequest) -> Iterator[LogFailHandler]:
    """Fail the test if it logs a WARNING or worse that it did not declare (see above)."""
    expected = [_expected(*m.args, **m.kwargs) for m in request.node.iter_markers("expect_log")]
    handler = LogFailHandler(expected)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    if handler.unexpected:
        _fail(handler.unexpected)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Report a record logged while the test body ran as a failure of the test itself (a record logged
    by a fixture's teardown is reported by ``fail_on_logging``, as an error at teardown)."""
    result = yield  # re-raises the test's own failure
    handler = getattr(item, "funcargs", {}).get("fail_on_logging")
    if isinstance(handler, LogFailHandler) and handler.unexpected:
        records, handler.unexpected = list(handler.unexpected), []
        _fail(records)
    return result


@pytest.fixture
def expect_log(fail_on_logging: LogFailHandler) -> Callable[..., None]:
    """``expect_log(logger, level="WARNING", message="")`` declares a log record from inside a test."""

    def declare(logger: str, level: str | int = "WARNING", message: str = "") -> None:
        fail_on_logging.expected.append(_expected(logger, level, message))

    return declare


@pytest.fixture(autouse=True)
def gc_in_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test of the window collects Python's garbage in the GUI thread only, as the window does
    (app/ui/shell/collector.py): a collection a worker thread started would finalise the Qt objects of
    cyclic garbage (this test's or an earlier one's) from that thread. At the end everything the test left
    is collected here, in the GUI thread, and automatic collection comes back for the tests without Qt."""
    if request.node.get_closest_marker("gui") is None:
        yield
        return
    import gc

    from PySide6.QtWidgets import QApplication

    from app.services.gcpause import unpin_collector
    from app.ui.shell.collector import pin_to_gui_thread

    app = request.getfixturevalue("qapp")
    assert isinstance(app, QApplication)
    pin_to_gui_thread(app)
    try:
        yield
    finally:
        gc.collect()
        unpin_collector()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the Qt application as ``gui`` (select with ``-m gui`` / ``-m 'not gui'``)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a migrated store holding the reference data and the demo centre."""
    folder = tmp_path_factory.mktemp("template")
    previous = keyring.get_keyring()
    own = MemoryKeyring()
    keyring.set_keyring(own)
    try:
        open_store(folder, demo=True).dispose()
    finally:
        keyring.set_keyring(previous)
    _TEMPLATE_SECRETS.update((k, v) for k, v in own.secrets.items() if k[1].startswith("audit-key:"))
    TEMPLATE_KEYS[folder] = own.secrets[(SERVICE, keyring_name(folder))]
    return folder


@pytest.fixture
def data_dir(tmp_path: Path, template_dir: Path, memory_keyring: MemoryKeyring) -> Path:
    """A fresh demo data folder for one test (its store key in the test's keyring)."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(database_path(template_dir), database_path(folder))
    give_store_key(template_dir, folder)
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = open_store(data_dir, demo=True)
    yield s
    s.dispose()
