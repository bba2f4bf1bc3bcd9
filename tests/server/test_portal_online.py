"""Online dossiers end to end: submitted to the portal simulator → pulled by the server's connector → in
the competent centre's "Hồ sơ trực tuyến" inbox after one desk sync → accepted offline → after reconnecting
the simulator holds the acceptance and every later status exactly once.

Tested against the simulator only (tools/portal_sim.py): the real portal cannot be reached from here.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from keyed import give_store_key
from portalkit import simulator
from sqlalchemy import select
from srvkit import A, B, World, sign_in
from srvkit import sync_round as sync

from app.bootstrap import open_store
from app.cli.main import main as desk_main
from app.domain.errors import DomainError
from app.domain.status import Action
from app.models import OutboxEntry
from app.models.db import Store
from app.paths import database_path
from app.services import dossiers as svc
from app.services import online
from app.services.audit import Actor
from app.sync import engine
from server import portal
from server.models import Dossier as ServerDossier

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


@pytest.fixture(autouse=True)
def _desks_enrolled_before_the_dossiers(world: World) -> None:
    """This module's dossiers are dated in the past (spring 2026): its desks were enrolled before them, as
    the server requires since issue 16 (work dated before a device's enrolment is refused)."""
    world.enrolled_at = datetime(2026, 1, 1)


@pytest.fixture
def make_desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Callable[[str, str], Store]]:
    stores: list[Store] = []

    def make(eid: str, name: str) -> Store:
        folder = tmp_path / f"{eid}-{name}"
        folder.mkdir()
        shutil.copy(database_path(template_dir), database_path(folder))
        give_store_key(template_dir, folder)
        store = open_store(folder)
        stores.append(store)
        engine.enrol(store, world.live.url, world.enrol_code(eid), name)
        sign_in(world, engine.connection(store)[2], eid)  # its operators log in online once (issue 16, D7)
        return store

    yield make
    for s in stores:
        s.dispose()


def submit(url: str, **extra: object) -> dict[str, object]:
    body = {
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "ChuHoSo": "Lê Thị Hoa",
        "SoDinhDanh": "024190001234",
        "MotcuaMaCoQuanCoThamQuyen": A,
        "TaiLieuNop": [{"TenTepTin": "To khai.pdf", "DuongDan": "https://dvc.example/f/1.pdf"}],
        **extra,
    }
    r = httpx.post(url + "/portal/v1/online", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_online_dossier_end_to_end(
    world: World, tmp_path: Path, make_desk: Callable[[str, str], Store], capsys: pytest.CaptureFixture[str]
) -> None:
    desk_a = make_desk(A, "Quầy 1")
    desk_b = make_desk(B, "Quầy 1")
    with simulator(tmp_path) as sim:
        cfg = portal.PortalConfig(url=sim.url, backoff_base=0.01, backoff_max=0.05)
        # Submitted at 16:55 on Friday 13/2/2026, the Friday before Tết (days off 14–22/2).
        sub = submit(sim.url, NgayNopHoSo="20260213165500")
        pid = str(sub["MaHoSoQuocGia"])
        portal.sync_until_idle(world.db, cfg)
        portal.sync_until_idle(world.db, cfg)  # pulled twice: still one dossier
        with world.db.read() as s:
            rows = list(s.scalars(select(ServerDossier)))
        assert len(rows) == 1 and rows[0].status == "new" and rows[0].code is None
        assert rows[0].snapshot["portal_id"] == pid
        # By hand: 5 min on Friday, 4 h 30 on Monday morning, 3 h 25 from 13:30 → Monday 23/2 16:55.
        assert rows[0].snapshot["acceptance_due_at"] == "2026-02-23T16:55:00"

        # One sync round: in centre A's inbox, not in centre B's.
        sync(desk_a)
        sync(desk_b)
        items = online.inbox(desk_a)
        assert [i.portal_id for i in items] == [pid]
        assert items[0].acceptance_due_at == datetime(2026, 2, 23, 16, 55)
        assert items[0].level == "late"
        assert items[0].papers[0]["file_url"] == "https://dvc.example/f/1.pdf"
        assert online.inbox(desk_b) == []
        # The desk's command line shows the same inbox.
        folder = str(tmp_path / f"{A}-Quầy 1")
        capsys.readouterr()
        assert desk_main(["online", "--json", "--data-dir", folder]) == 0
        assert f'"portal_id": "{pid}"' in capsys.readouterr().out
        assert desk_main(["online", "accept", "--data-dir", folder]) == 1  # no dossier named

        # Accepted offline (no network needed): code and due date now, the event waits in the outbox.
        accepted = online.accept(desk_a, ACTOR, pid)
        assert accepted.code is not None and accepted.code.startswith(A + "-")
        assert accepted.due_at is not None
        with pytest.raises(DomainError):
            online.accept(desk_a, ACTOR, pid)  # already decided
        assert online.inbox(desk_a) == []
        with desk_a.read() as s:
            pending = list(s.scalars(select(OutboxEntry).where(OutboxEntry.state == "pending")))
        assert len(pending) == 1 and pending[0].payload["payload"]["code"] == accepted.code
        svc.perform(desk_a, ACTOR, accepted.code, Action.START_PROCESSING)

        # Reconnected: the desk syncs, the connector delivers.
        report = sync(desk_a)
        assert report.accepted == 2 and report.rejected == 0, report.parked
        with world.db.read() as s:
            d = s.get(ServerDossier, rows[0].id)
            assert d is not None and d.code == accepted.code and d.status == "in_process"
        portal.sync_until_idle(world.db, cfg)
        svc.perform(desk_a, ACTOR, accepted.code, Action.RESULT_READY)
        sync(desk_a)
        portal.sync_until_idle(world.db, cfg)
        portal.sync_until_idle(world.db, cfg)
        state = httpx.get(f"{sim.url}/portal/v1/online/{pid}").json()
        assert state == {"TrangThaiHoSo": 9, "MaHoSo": accepted.code}
        recs = httpx.get(sim.url + "/portal/v1/records", params={"code": accepted.code}).json()["records"]
        assert len(recs) == 1
        hist = recs[0]["QuaTrinhXuLy"]
        assert [h["TrangThai"] for h in hist] == [2, 4, 9]  # acceptance and each later status, once each
        assert len({h["MotcuaMaSuKien"] for h in hist}) == 3
        assert recs[0]["HoSo"]["MotcuaMaHoSoCong"] == pid and recs[0]["HoSo"]["KenhThucHien"] == 2
        assert recs[0]["HoSo"]["NgayNopHoSo"] == "20260213165500"


def test_refused_online_dossier_goes_back_with_its_reason(
    world: World, tmp_path: Path, make_desk: Callable[[str, str], Store]
) -> None:
    desk = make_desk(A, "Quầy 1")
    with simulator(tmp_path) as sim:
        cfg = portal.PortalConfig(url=sim.url, backoff_base=0.01, backoff_max=0.05)
        pid = str(submit(sim.url)["MaHoSoQuocGia"])
        portal.sync_until_idle(world.db, cfg)
        sync(desk)
        with pytest.raises(DomainError):
            online.refuse(desk, ACTOR, pid, "  ")  # a reason is required
        online.refuse(desk, ACTOR, pid, "Tệp tờ khai không đọc được")
        sync(desk)
        portal.sync_until_idle(world.db, cfg)
        assert httpx.get(f"{sim.url}/portal/v1/online/{pid}").json() == {"TrangThaiHoSo": 3, "MaHoSo": None}
        rec = httpx.get(sim.url + "/portal/v1/records", params={"code": pid}).json()["records"][0]
        assert "Tệp tờ khai không đọc được" in rec["QuaTrinhXuLy"][0]["NoiDungXuLy"]
        assert rec["HoSo"]["NgayTuChoi"] is not None


@pytest.mark.expect_log("server.portal", level="WARNING", message="names no centre")
def test_a_submission_for_an_unknown_centre_is_reported(world: World, tmp_path: Path) -> None:
    with simulator(tmp_path) as sim:
        submit(sim.url, MotcuaMaCoQuanCoThamQuyen="000.99.99.H99")
        cfg = portal.PortalConfig(url=sim.url)
        with httpx.Client() as client:
            report = portal.pull_online(world.db, client, cfg)
        assert report.added == 0 and len(report.unroutable) == 1


def test_a_code_is_given_only_when_an_online_dossier_is_accepted(world: World, tmp_path: Path) -> None:
    from srvkit import new_id, statuses, today

    from app.contract import Event, TransitionPayload
    from app.domain.codes import format_code
    from app.domain.status import Status

    desk = world.desk(A)
    with simulator(tmp_path) as sim:
        pid = str(submit(sim.url)["MaHoSoQuocGia"])
        with httpx.Client() as client:
            portal.pull_online(world.db, client, portal.PortalConfig(url=sim.url))
    dossier_id = portal.online_dossier_id(pid)

    def receive(code: str, action: Action = Action.RECEIVE) -> Event:
        return Event.transitioned(
            new_id(),
            dossier_id,
            TransitionPayload(action=action, to_status=Status.RECEIVED, code=code),
            seq=2,
            occurred_at=datetime(2026, 5, 4, 9, 0),
            operator="demo",
            workstation="Quầy 1",
        )

    other = receive(format_code(B, today(), 1))
    r = desk.client.push([other])
    assert statuses(r.results) == ["rejected:code.agency"]
    # Issue 16: the code is a number of the accepting desk's own lease or fallback block, as at the counter.
    r = desk.client.push([receive(format_code(A, today(), 1))])
    assert statuses(r.results) == ["rejected:code.not_leased"]
    wrong = receive(desk.next_code(), Action.REFUSE)
    r = desk.client.push([wrong])
    assert statuses(r.results) == ["rejected:event.invalid"]
    code = desk.next_code()
    good = receive(code)
    assert statuses(desk.client.push([good]).results) == ["accepted"]
    again = receive(desk.next_code())
    r = desk.client.push([again])
    assert statuses(r.results) == ["rejected:event.invalid"]  # accepted already: a second code is refused
    with world.db.read() as s:
        d = s.get(ServerDossier, dossier_id)
        assert d is not None and d.code == code and d.snapshot["code"] == d.code


def test_accepting_an_online_dossier_gives_its_first_due_date(world: World, tmp_path: Path) -> None:
    """The acceptance of an online dossier (``receive`` from ``new``) carries the dossier's first due date
    (issue 20: the time limit runs from the acceptance); issue 16's due-date rules still hold around it:
    not before the acceptance, no other action moves it, an apology never moves it earlier."""
    from srvkit import local_now, new_id, statuses

    from app.contract import Event, TransitionPayload
    from app.domain.status import Status

    desk = world.desk(A)
    with simulator(tmp_path) as sim:
        pid = str(submit(sim.url)["MaHoSoQuocGia"])
        with httpx.Client() as client:
            portal.pull_online(world.db, client, portal.PortalConfig(url=sim.url))
    dossier_id = portal.online_dossier_id(pid)
    at = local_now()
    seq = iter(range(2, 100))

    def push(action: Action, to: Status, due: datetime | None, code: str | None = None) -> str:
        ev = Event.transitioned(
            new_id(),
            dossier_id,
            TransitionPayload(action=action, to_status=to, code=code, due_at=due),
            seq=next(seq),
            occurred_at=at,
            operator="demo",
            workstation="Quầy 1",
        )
        return statuses(desk.client.push([ev]).results)[0]

    assert push(Action.RECEIVE, Status.RECEIVED, at - timedelta(hours=1), desk.next_code()) == (
        "rejected:event.due_before_receipt"
    )
    due = at + timedelta(days=3)
    assert push(Action.RECEIVE, Status.RECEIVED, due, desk.next_code()) == "accepted"
    with world.db.read() as s:
        d = s.get(ServerDossier, dossier_id)
        assert d is not None and d.status == "received"
        assert datetime.fromisoformat(d.snapshot["due_at"]) == due
    later = due + timedelta(days=10)
    assert push(Action.START_PROCESSING, Status.IN_PROCESS, later) == "rejected:event.due_at"
    assert push(Action.APOLOGISE, Status.RECEIVED, due - timedelta(days=1)) == "rejected:event.due_earlier"
    assert push(Action.APOLOGISE, Status.RECEIVED, later) == "accepted"


def test_portal_commands(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from server.cli import main as server_main

    def run(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        code = server_main([*args, "--db", world.live.db_url], out=out)
        return code, out.getvalue()

    assert run("portal", "configure", "--url", "ftp://x")[0] == 1
    assert "http://" in capsys.readouterr().err
    assert run("portal", "push-once")[0] == 1  # no URL yet
    with simulator(tmp_path) as sim:
        code, out = run("portal", "configure", "--url", sim.url, "--acceptance-hours", "4")
        assert code == 0 and sim.url in out and "4.0" in out
        desk = world.desk(A)
        snap = world.snapshot(A)
        desk.client.push([world.received(desk, snap)])
        code, out = run("portal", "status", "--json")
        assert code == 0 and json.loads(out)["backlog"] == 1
        code, out = run("portal", "push-once")
        assert code == 0 and "acknowledged: 1" in out
        code, out = run("portal", "status")
        assert code == 0 and "backlog: 0" in out
        code, out = run(
            "portal", "reconcile", "--centre", A, "--from", "2000-01-01", "--to", "2100-01-01", "--json"
        )
        assert code == 0 and json.loads(out)["acknowledged"] == 1 and json.loads(out)["differences"] == []
        assert run("portal", "reconcile", "--centre", A, "--from", "yesterday", "--to", "2100-01-01")[0] == 1
        assert "YYYY-MM-DD" in capsys.readouterr().err
        assert run("portal", "retry")[0] == 0


def test_online_feed_faults_and_duplicates_give_each_submission_once(world: World, tmp_path: Path) -> None:
    """The portal's feed fails (5xx, timeouts) and delivers items twice: every submission becomes one
    dossier, none is lost."""
    from tools.portal_sim import SimFaults

    faults = SimFaults(seed=7, error=0.2, timeout=0.1, duplicate=0.5, hang=0.5)
    with simulator(tmp_path, faults) as sim:
        cfg = portal.PortalConfig(url=sim.url, timeout=0.3)
        pids: set[str] = set()
        for i in range(25):  # a pull after each submission: many requests, so the faults do happen
            pids.add(str(submit(sim.url, ChuHoSo=f"Người nộp {i}")["MaHoSoQuocGia"]))
            portal.sync_until_idle(world.db, cfg)
        for _ in range(60):
            portal.sync_until_idle(world.db, cfg)
            with world.db.read() as s:
                got = {d.snapshot["portal_id"] for d in s.scalars(select(ServerDossier))}
            if got == pids:
                break
        stats = httpx.get(sim.url + "/portal/v1/stats").json()
    assert got == pids
    with world.db.read() as s:
        assert len(list(s.scalars(select(ServerDossier)))) == 25
    assert stats.get("fault_error", 0) + stats.get("fault_timeout", 0) > 0
