"""A supplement asked for before an online dossier is accepted (issue 20 item 4), end to end: the desk asks
offline (outbox) → the server → the portal simulator holds national status 5 with the papers asked for →
the citizen sends the supplement on the simulator → the connector brings it in with a new acceptance
deadline → the desk's inbox shows it after one sync → accepted; the simulator holds 5, 1, 2 once each.

The acceptance clock after a supplement is our choice (no source found; app.domain.portal
ACCEPTANCE_AFTER_SUPPLEMENT), a province setting: restarted by default, or resumed.
Tested against the simulator only (tools/portal_sim.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from keyed import give_store_key
from portalkit import simulator
from sqlalchemy import select
from srvkit import A, World, new_id, sign_in, statuses
from srvkit import sync_round as sync

from app.bootstrap import open_store
from app.cli.main import main as desk_main
from app.contract import Event, TransitionPayload
from app.domain.errors import DomainError
from app.domain.status import Action, Status
from app.models import OutboxEntry
from app.models.db import Store
from app.paths import database_path
from app.services import online
from app.services.audit import Actor
from app.sync import engine
from server import portal
from server.models import Dossier as ServerDossier
from tools.portal_sim import SimFaults

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
ASKED_AT = datetime(2026, 3, 2, 10, 0)  # Monday
MISSING = ["Bản sao giấy chứng sinh", "Giấy chứng nhận kết hôn của cha mẹ"]


@pytest.fixture(autouse=True)
def _desks_enrolled_before_the_dossiers(world: World) -> None:
    world.enrolled_at = datetime(2026, 1, 1)  # the dossiers are dated March 2026 (issue 16's time window)


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy(database_path(template_dir), database_path(folder))
    give_store_key(template_dir, folder)  # the copy's store key goes with it
    store = open_store(folder)
    engine.enrol(store, world.live.url, world.enrol_code(A), "Quầy 1")
    _url, device_id, token = engine.connection(store)
    world.backdate(device_id, datetime(2026, 1, 1))  # enrolled before the dossiers' dates (issue 16)
    sign_in(world, token, A)
    yield store
    store.dispose()


def submit(url: str) -> str:
    body = {
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "ChuHoSo": "Lê Thị Hoa",
        "MotcuaMaCoQuanCoThamQuyen": A,
        "NgayNopHoSo": "20260302080000",  # Monday 2/3/2026 08:00: accept by Tuesday 08:00
        "TaiLieuNop": [{"TenTepTin": "To khai.pdf", "DuongDan": "https://dvc.example/f/1.pdf"}],
    }
    r = httpx.post(url + "/portal/v1/online", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return str(r.json()["MaHoSoQuocGia"])


def supplement(url: str, pid: str, when: str = "20260303090000") -> httpx.Response:
    body = {
        "NgayBoSung": when,
        "TaiLieuNop": [{"TenTepTin": "Giay chung sinh.pdf", "DuongDan": "https://dvc.example/f/2.pdf"}],
    }
    return httpx.post(f"{url}/portal/v1/online/{pid}/supplement", json=body, timeout=10)


def _ask(world: World, desk: Store, sim_url: str, cfg: portal.PortalConfig) -> str:
    pid = submit(sim_url)
    portal.sync_until_idle(world.db, cfg)
    sync(desk)
    [item] = online.inbox(desk)
    assert item.acceptance_due_at == datetime(2026, 3, 3, 8, 0)  # 3 h 30 + 3 h 30 Monday, 1 h Tuesday
    online.ask_supplement(desk, ACTOR, pid, MISSING, "Thiếu giấy chứng sinh", at=ASKED_AT)
    return pid


def test_supplement_before_acceptance_end_to_end(
    world: World, tmp_path: Path, desk: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every feed item comes twice: one supplement is still one event.
    with simulator(tmp_path, SimFaults(seed=3, duplicate=1.0)) as sim:
        cfg = portal.PortalConfig(url=sim.url, backoff_base=0.01, backoff_max=0.05)
        pid = _ask(world, desk, sim.url, cfg)

        # Offline: waiting in the inbox with its clock stopped, the request in the outbox.
        [item] = online.inbox(desk)
        assert item.level == "waiting" and item.left is None
        assert item.missing == tuple(MISSING) and item.supplement_reason == "Thiếu giấy chứng sinh"
        with desk.read() as s:
            [pending] = s.scalars(select(OutboxEntry).where(OutboxEntry.state == "pending"))
        assert pending.payload["payload"]["action"] == "request_online_supplement"
        with pytest.raises(DomainError, match="citizen.s supplement"):
            online.accept(desk, ACTOR, pid)
        with pytest.raises(DomainError, match="already asked"):
            online.ask_supplement(desk, ACTOR, pid, ["X"], "again")
        assert supplement(sim.url, pid).status_code == 409  # the portal does not know of it yet

        # Reconnected: the portal holds national status 5 with the papers asked for.
        assert sync(desk).accepted == 1
        portal.sync_until_idle(world.db, cfg)
        state = httpx.get(f"{sim.url}/portal/v1/online/{pid}").json()
        assert state == {"TrangThaiHoSo": 5, "MaHoSo": None, "GiayToCanBoSung": MISSING}
        [rec] = httpx.get(sim.url + "/portal/v1/records", params={"code": pid}).json()["records"]
        assert rec["HoSo"]["TrangThaiHoSo"] == 5 and rec["HoSo"]["MaHoSo"] is None
        assert "Bản sao giấy chứng sinh" in rec["QuaTrinhXuLy"][0]["NoiDungXuLy"]

        # The citizen supplements on Tuesday 09:00: the clock restarts, 8 working hours → Wednesday 09:00.
        r = supplement(sim.url, pid)
        assert r.status_code == 201, r.text
        assert supplement(sim.url, pid).status_code == 409  # not waiting any more
        portal.sync_until_idle(world.db, cfg)
        portal.sync_until_idle(world.db, cfg)
        with world.db.read() as s:
            d = s.get(ServerDossier, portal.online_dossier_id(pid))
            assert d is not None and d.status == "new"
            assert d.snapshot["acceptance_due_at"] == "2026-03-04T09:00:00"
        sync(desk)
        [item] = online.inbox(desk)
        assert item.level != "waiting" and item.missing == ()
        assert item.acceptance_due_at == datetime(2026, 3, 4, 9, 0)
        assert [p["file_url"] for p in item.papers] == [
            "https://dvc.example/f/1.pdf",
            "https://dvc.example/f/2.pdf",
        ]

        # Accepted now; the portal holds 5, 1, 2, each once, under its id and our code.
        accepted = online.accept(desk, ACTOR, pid)
        sync(desk)
        portal.sync_until_idle(world.db, cfg)
        state = httpx.get(f"{sim.url}/portal/v1/online/{pid}").json()
        assert state == {"TrangThaiHoSo": 2, "MaHoSo": accepted.code}
        [rec] = httpx.get(sim.url + "/portal/v1/records", params={"code": accepted.code}).json()["records"]
        assert [h["TrangThai"] for h in rec["QuaTrinhXuLy"]] == [5, 1, 2]
        assert rec["MaHoSo"] == accepted.code and rec["HoSo"]["MotcuaGiayToCanBoSung"] == []
        assert len(rec["HoSo"]["TaiLieuNop"]) == 2
        status = portal.status(world.db)
        assert status.backlog == 0 and status.failed == 0


def test_resumed_clock_continues_with_the_time_left(world: World, tmp_path: Path, desk: Store) -> None:
    with simulator(tmp_path) as sim:
        cfg = portal.configure(world.db, url=sim.url, acceptance_after_supplement="resume")
        pid = _ask(world, desk, sim.url, cfg)
        sync(desk)
        portal.sync_until_idle(world.db, cfg)
        assert supplement(sim.url, pid).status_code == 201
        portal.sync_until_idle(world.db, cfg)
        sync(desk)
        [item] = online.inbox(desk)
        # 6 working hours were left at Monday 10:00 (to Tuesday 08:00); from Tuesday 09:00 → 17:00.
        assert item.acceptance_due_at == datetime(2026, 3, 3, 17, 0)


def test_supplement_refusals(
    world: World, tmp_path: Path, desk: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    with simulator(tmp_path) as sim:
        cfg = portal.PortalConfig(url=sim.url)
        pid = submit(sim.url)
        portal.sync_until_idle(world.db, cfg)
        sync(desk)
    with pytest.raises(DomainError, match="Name the papers"):
        online.ask_supplement(desk, ACTOR, pid, [" "], "Thiếu giấy")
    with pytest.raises(DomainError, match="Give the reason"):
        online.ask_supplement(desk, ACTOR, pid, ["Giấy chứng sinh"], "  ")
    folder = str(tmp_path / "desk")
    capsys.readouterr()
    assert desk_main(["online", "supplement", pid, "--reason", "Thiếu", "--data-dir", folder]) == 1
    assert "giấy tờ cần bổ sung" in capsys.readouterr().err
    assert (
        desk_main(
            [
                "online",
                "supplement",
                pid,
                "--missing",
                "Giấy chứng sinh",
                "--reason",
                "Thiếu",
                "--data-dir",
                folder,
            ]
        )
        == 0
    )
    assert desk_main(["online", "--json", "--data-dir", folder]) == 0
    assert '"level": "waiting"' in capsys.readouterr().out
    # Once accepted elsewhere (status 2) there is nothing to ask before acceptance.
    with pytest.raises(DomainError):
        online.ask_supplement(desk, ACTOR, "no-such-dossier", ["X"], "Y")


def test_a_workstation_cannot_claim_the_citizens_supplement(world: World, tmp_path: Path) -> None:
    """``online_supplemented`` comes from the portal only: a desk pushing it is refused (app.domain.roles)."""
    desk = world.desk(A)
    with simulator(tmp_path) as sim:
        pid = submit(sim.url)
        with httpx.Client() as client:
            portal.pull_online(world.db, client, portal.PortalConfig(url=sim.url))
    ev = Event.transitioned(
        new_id(),
        portal.online_dossier_id(pid),
        TransitionPayload(action=Action.ONLINE_SUPPLEMENTED, to_status=Status.NEW),
        seq=2,
        occurred_at=datetime(2026, 3, 2, 9, 0),
        operator="demo",
        workstation="Quầy 1",
    )
    assert statuses(desk.client.push([ev]).results) == ["rejected:role.online_supplemented"]
