"""The province's calendar notices (issue 17): ``motcua-server holiday add/remove/list`` with the notice
number and date, and desks pulling them (a removal deletes the desk's row; the server's row wins over
the bundled seed)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from keyed import give_store_key
from srvkit import A, LiveServer, World, sign_in

from app.bootstrap import open_store
from app.domain.calendar import TimeUnit
from app.models.db import Store
from app.paths import database_path
from app.services.calendar_notices import loaded_calendar
from app.services.desk import load_calendar
from app.sync import engine
from app.sync.client import SyncClient
from server.cli import main


def run(server: LiveServer, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*args, "--db", server.db_url], out=out)
    return code, out.getvalue()


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy(database_path(template_dir), database_path(folder))
    give_store_key(template_dir, folder)
    store = open_store(folder)
    engine.enrol(store, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)  # its operators log in online once (issue 16, D7)
    yield store
    store.dispose()


def sync(store: Store) -> None:
    url, _device, token = engine.connection(store)
    with SyncClient(url, token) as client:
        engine.SyncEngine(store, client).run_round()


def due(store: Store, at: datetime, amount: int) -> datetime:
    with store.read() as s:
        return load_calendar(s).due_at(at, amount, TimeUnit.WORKING_DAYS)


def test_holiday_commands_with_notices_reach_the_desk(
    world: World, desk: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    server = world.live
    code, out = run(
        server, "holiday", "add", "2027-03-05", "off", "--notice", "1234/TB-BNV",
        "--notice-date", "2026-11-20", "--note", "Nghỉ thử nghiệm 2027",
    )  # fmt: skip
    assert code == 0 and "theo 1234/TB-BNV" in out
    assert run(server, "holiday", "add", "2027-03-13", "working", "--notice", "1234/TB-BNV")[0] == 0
    code, out = run(server, "holiday", "list", "--year", "2027")
    assert code == 0
    assert "2027-03-05  off      1234/TB-BNV (20/11/2026)  Nghỉ thử nghiệm 2027" in out
    assert "năm có văn bản: 2027" in out
    # The seed's 2026 day overridden by the province: the server wins.
    assert run(server, "holiday", "add", "2026-01-02", "working", "--notice", "9999/VPCP-X")[0] == 0

    sync(desk)
    cal = loaded_calendar(desk, date(2026, 11, 15))
    numbers = {n.number for n in cal.notices}
    assert {"1234/TB-BNV", "12729/VPCP-KGVX", "9441/TB-BNV"} <= numbers
    assert cal.years >= {2026, 2027} and cal.missing_year is None
    assert cal.sources["1234/TB-BNV"] == "server"
    # Thursday 4/3/2027 10:00 + 1 working day: Friday 5/3 is off → Monday 8/3 10:00.
    assert due(desk, datetime(2027, 3, 4, 10, 0), 1) == datetime(2027, 3, 8, 10, 0)
    assert due(desk, datetime(2025, 12, 31, 10, 0), 3) == datetime(2026, 1, 6, 10, 0)  # 2/1 now working

    code, out = run(server, "holiday", "remove", "2027-03-05")
    assert code == 0 and "Đã xóa" in out
    sync(desk)
    assert due(desk, datetime(2027, 3, 4, 10, 0), 1) == datetime(2027, 3, 5, 10, 0)
    assert run(server, "holiday", "remove", "2027-03-05")[0] == 1
    assert "không có trong lịch" in capsys.readouterr().err
    code, _ = run(server, "holiday", "add", "2027-03-06", "off", "--notice-date", "20/11/2026")
    assert code == 1 and "--notice-date" in capsys.readouterr().err
