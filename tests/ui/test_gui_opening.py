"""The window's start opens the store on a thread (issue 16, item 10): the first start after the upgrade that
converts a plain store to SQLCipher shows what it does and how far it is, the GUI thread keeps running
meanwhile, closing the window waits for the conversion; start-up errors still offer the restore."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyed import connect_raw, make_plain
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressBar
from pytestqt.qtbot import QtBot

from app.models import cipher
from app.paths import database_path
from app.ui.shell.application import current_opener, launch
from app.ui.shell.main_window import MainWindow

#: Rows added to the plain store: enough for a conversion of a second or more, the test under ~10 s.
ROWS = 120_000


class Watch:
    """A GUI-thread timer: counts its ticks and notes what the opening view shows at each."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.ticks = 0
        self.texts: set[str] = set()
        self.bars: list[tuple[int, int]] = []
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        self.ticks += 1
        view = self.window.findChild(QLabel, "openingStep")
        if view is not None and view.isVisible():
            self.texts.add(view.text())
            bar = self.window.findChild(QProgressBar, "openingProgress")
            assert bar is not None
            self.bars.append((bar.value(), bar.maximum()))


@pytest.fixture
def started(qtbot: QtBot) -> Iterator[list[object]]:
    """What ``launch`` hands to ``on_open``; the window and the store closed at the end."""
    opened: list[object] = []
    yield opened
    opener = current_opener()
    if opener is not None:
        opener.wait()
    for w in QApplication.topLevelWidgets():
        if isinstance(w, MainWindow):
            w.shutdown()
            w.close()
    for store in opened:
        if store is not None:
            store.dispose()  # type: ignore[attr-defined]


def test_first_start_after_the_upgrade_shows_the_conversion(
    qtbot: QtBot, data_dir: Path, started: list[object]
) -> None:
    make_plain(data_dir, ROWS)
    _app, window = launch(argparse.Namespace(data_dir=data_dir, demo=True, lang=None), started.append)
    watch = Watch(window)
    try:
        qtbot.waitUntil(lambda: bool(started), timeout=60_000)
    finally:
        watch.timer.stop()
    store = started[0]
    assert store is not None
    assert "Đang mã hóa kho dữ liệu (lần đầu sau khi nâng cấp)…" in watch.texts
    # The GUI thread ran all along: its timer fired many times while the view was shown.
    assert len(watch.bars) > 10 and watch.ticks > len(watch.bars)
    assert any(0 < value < maximum for value, maximum in watch.bars)  # a determinate bar, moving
    assert window.stack.currentWidget() is window.login_page
    assert (
        window.findChild(QLabel, "openingStep") is None
        or not window.findChild(QLabel, "openingStep").isVisible()
    )
    path = database_path(data_dir)
    assert not cipher.is_plain(path)
    con = connect_raw(data_dir)
    try:
        assert (
            con.execute("SELECT count(*) FROM settings WHERE key LIKE 'test.filler.%'").fetchone()[0] == ROWS
        )
    finally:
        con.close()


def test_closing_during_the_conversion_waits_for_it(
    qtbot: QtBot, data_dir: Path, started: list[object]
) -> None:
    make_plain(data_dir, ROWS)
    _app, window = launch(argparse.Namespace(data_dir=data_dir, demo=True, lang=None), started.append)
    qtbot.waitUntil(lambda: window.findChild(QLabel, "openingStep") is not None, timeout=30_000)
    window.close()  # refused while the store is being converted
    assert window.isVisible()
    note = window.findChild(QLabel, "openingNote")
    assert note is not None and "cửa sổ sẽ tự đóng" in note.text()
    qtbot.waitUntil(lambda: bool(started), timeout=60_000)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)  # closed once the opening was over
    assert window.shut
    assert not cipher.is_plain(database_path(data_dir))


@pytest.mark.expect_log("app.ui.shell.application", "ERROR", "start-up failed")
def test_a_wrong_key_still_offers_the_restore(
    qtbot: QtBot, data_dir: Path, started: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import storekey
    from app.sync import credentials

    credentials.save_secret(storekey.keyring_name(data_dir), cipher.new_key().hex())  # another key
    offered: list[str] = []

    def offer(problem: object, folder: Path, lang: str) -> str:
        offered.append(getattr(problem, "code", ""))
        return "none"

    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        return 0

    monkeypatch.setattr("app.ui.lanes.backup.offer_restore", offer)
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    exits: list[int] = []  # run_gui's event loop is not running here: what it would be told
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    _app, window = launch(argparse.Namespace(data_dir=data_dir, demo=True, lang=None), started.append)
    qtbot.waitUntil(lambda: bool(started), timeout=30_000)
    assert started == [None] and exits == [2]
    assert offered == ["store.key_wrong"]
    assert len(shown) == 1 and shown[0]
    assert window.shut and not window.isVisible()


@pytest.mark.expect_log("app.ui.shell.application", "ERROR", "start-up failed")
def test_a_damaged_store_restored_then_opened_on_the_thread(
    qtbot: QtBot, data_dir: Path, started: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.bootstrap import open_store
    from app.services import backup

    store = open_store(data_dir, demo=True)
    taken = backup.backup_now(store, data_dir)
    store.dispose()
    path = database_path(data_dir)
    path.write_bytes(b"not a database " * 500)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    offered: list[str] = []

    def offer(problem: object, folder: Path, lang: str) -> str:  # the operator chose Restore
        offered.append(getattr(problem, "code", ""))
        backup.restore(folder, taken)
        return "restored"

    monkeypatch.setattr("app.ui.lanes.backup.offer_restore", offer)
    _app, window = launch(argparse.Namespace(data_dir=data_dir, demo=True, lang=None), started.append)
    qtbot.waitUntil(lambda: bool(started), timeout=30_000)
    assert offered == ["store.key_wrong"]  # garbage where an encrypted store was: the key does not open it
    assert started[0] is not None and window.isVisible() and not window.shut
    assert window.stack.currentWidget() is window.login_page
