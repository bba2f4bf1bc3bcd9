"""Reconciliation with the national portal on the desk (issue 20 item 5) and the online submission's VNeID
and paid-online flags (issue 20 item 1), end to end against the portal simulator (tested against the
simulator only): the desk pulls what the portal acknowledged (``/sync/portal-acks``) during its sync round
and ``report reconcile`` names every difference, with the reasons the server's ``portal reconcile`` gives
(app/domain/reconcile.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from keyed import give_store_key
from portalkit import simulator
from sqlalchemy import select, update
from srvkit import A, World, sign_in
from srvkit import sync_round as sync

from app.bootstrap import open_store
from app.cli.main import main as desk_main
from app.domain.reconcile import Reason
from app.domain.status import Action
from app.models import OnlineDossier
from app.models import PortalAck as AckRow
from app.models.db import Store
from app.paths import database_path
from app.services import online
from app.services import reconcile as desk_reconcile
from app.services.audit import Actor
from app.services.dossiers import perform
from app.sync import engine
from app.sync.client import ServerRefused, SyncClient
from server import portal
from server.models import PortalDelivery, PortalDossier

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _desks_enrolled_before_the_dossiers(world: World) -> None:
    world.enrolled_at = datetime(2026, 1, 1)


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    folder = tmp_path / "desk"
    folder.mkdir()
    shutil.copy(database_path(template_dir), database_path(folder))
    give_store_key(template_dir, folder)  # the copy's store key goes with it (tests/keyed.py)
    store = open_store(folder)
    engine.enrol(store, world.live.url, world.enrol_code(A), "Quầy 1")
    _url, device_id, token = engine.connection(store)
    world.backdate(device_id, datetime(2026, 1, 1))
    sign_in(world, token, A)
    yield store
    store.dispose()


def submit(url: str, hour: int, **flags: int) -> str:
    body = {
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "ChuHoSo": "Lê Thị Hoa",
        "MotcuaMaCoQuanCoThamQuyen": A,
        "NgayNopHoSo": f"20260302{hour:02d}0000",
        "TaiLieuNop": [{"TenTepTin": "To khai.pdf", "DuongDan": "https://dvc.example/f/1.pdf"}],
        **flags,
    }
    r = httpx.post(url + "/portal/v1/online", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return str(r.json()["MaHoSoQuocGia"])


def test_desk_reconciliation_names_each_difference(world: World, tmp_path: Path, desk: Store) -> None:
    with simulator(tmp_path) as sim:
        cfg = portal.PortalConfig(url=sim.url, backoff_base=0.01, backoff_max=0.05)
        portal.configure(world.db, url=sim.url)
        asked, plain, changed, unsent = (submit(sim.url, h) for h in (8, 9, 10, 11))
        portal.sync_until_idle(world.db, cfg)
        sync(desk)
        # One dossier's first record is a supplement request keyed by the portal's id (the bug once missed).
        online.ask_supplement(
            desk, ACTOR, asked, ["Giấy chứng sinh"], "Thiếu", at=datetime(2026, 3, 2, 9, 30)
        )
        sync(desk)
        portal.sync_until_idle(world.db, cfg)
        body = {"NgayBoSung": "20260302140000", "TaiLieuNop": []}
        assert httpx.post(f"{sim.url}/portal/v1/online/{asked}/supplement", json=body).status_code == 201
        portal.sync_until_idle(world.db, cfg)
        sync(desk)
        codes = {
            pid: online.accept(desk, ACTOR, pid, at=datetime(2026, 3, 2, 15, m)).code
            for m, pid in enumerate((asked, plain, changed))
        }
        sync(desk)
        portal.sync_until_idle(world.db, cfg)
        codes[unsent] = online.accept(desk, ACTOR, unsent, at=datetime(2026, 3, 2, 16, 0)).code
        perform(
            desk,
            ACTOR,
            codes[changed],
            Action.REQUEST_SUPPLEMENT,
            reason="Thiếu bản sao",
            at=datetime(2026, 3, 2, 16, 5),
        )
        sync(desk)  # the server holds both; its connector has not sent them yet
        with world.db.write() as s:
            # The portal acknowledged the supplement request (record 1, keyed by the portal's id) 2 days late;
            # the other first records an hour after their events.
            for d in s.scalars(select(PortalDelivery).where(PortalDelivery.seq == 1)):
                assert d.sent_at is not None
                late = d.code == asked
                d.sent_at = datetime(2026, 3, 2, 3 if not late else 2, 0) + timedelta(days=2 if late else 0)
                if not late:
                    d.sent_at += timedelta(hours=6)  # 09:00 UTC: after every event of the day (UTC+7)
            # (Acknowledged again now, as far as the desks' cursor goes: they read these dossiers again.)
            s.execute(update(PortalDossier).values(synced_at=datetime.utcnow()))
        sync(desk)
        with desk.read() as s:
            acks = {a.code: a for a in s.scalars(select(AckRow))}
        assert set(acks) == {codes[asked], codes[plain], codes[changed]}
        assert acks[codes[asked]].acked == 3 and acks[codes[asked]].status == 2

        report = desk_reconcile.reconcile(desk, DAY, DAY)
        got = {d.code: d.reason for d in report.differences}
        assert report.known == 4 and report.acknowledged == 3
        assert got == {
            codes[asked]: Reason.SYNCED_LATE,
            codes[changed]: Reason.STATUS_DIFFERS,
            codes[unsent]: Reason.NEVER_SYNCED,
        }
        # The server, asking the portal's own copy, gives the same reasons (one classification).
        known, acked, diffs = portal.reconcile(world.db, A, date.today(), date.today())
        assert (known, acked) == (4, 3)
        assert {d.code: d.reason for d in diffs} == got

        # The connector catches up; the next round tells the desk: the statuses agree now, and the dossier
        # never synced is acknowledged today, long after its acceptance in March: late.
        portal.sync_until_idle(world.db, cfg)
        sync(desk)
        report = desk_reconcile.reconcile(desk, DAY, DAY)
        assert {d.code: d.reason for d in report.differences} == {
            codes[asked]: Reason.SYNCED_LATE,
            codes[unsent]: Reason.SYNCED_LATE,
        }
        assert report.acknowledged == 4 and report.as_of is not None

        # A round with nothing new acknowledged changes nothing (the overlap re-reads, upserts).
        with desk.read() as s:
            before = {a.dossier_id: (a.status, a.acked, a.first_acked_at) for a in s.scalars(select(AckRow))}
        sync(desk)
        again = desk_reconcile.reconcile(desk, DAY, DAY)
        assert (again.known, again.acknowledged, again.differences) == (4, 4, report.differences)
        with desk.read() as s:
            after = {a.dossier_id: (a.status, a.acked, a.first_acked_at) for a in s.scalars(select(AckRow))}
        assert after == before


def test_report_reconcile_command(
    world: World, tmp_path: Path, desk: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(tmp_path / "desk")
    capsys.readouterr()
    assert (
        desk_main(
            [
                "report",
                "reconcile",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--json",
                "--data-dir",
                folder,
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["known"] == 0 and out["differences"] == [] and out["centre"] == A
    assert (
        desk_main(["report", "reconcile", "--from", "2026-03-31", "--to", "2026-03-01", "--data-dir", folder])
        == 1
    )
    assert "ngày kết thúc" in capsys.readouterr().err.lower()
    assert (
        desk_main(
            [
                "report",
                "reconcile",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--late-hours",
                "x",
                "--data-dir",
                folder,
            ]
        )
        == 1
    )
    assert "--late-hours" in capsys.readouterr().err


def test_online_flags_reach_the_desk_and_the_portal_record(world: World, tmp_path: Path, desk: Store) -> None:
    with simulator(tmp_path) as sim:
        cfg = portal.PortalConfig(url=sim.url)
        portal.configure(world.db, url=sim.url)
        both = submit(sim.url, 8, TaiKhoanDuocXacThucVoiVNeID=1, DuocThanhToanTrucTuyen=2)
        neither = submit(sim.url, 9)
        bad = httpx.post(
            sim.url + "/portal/v1/online",
            json={
                "MaTTHC": "1",
                "TenTTHC": "x",
                "ChuHoSo": "y",
                "MotcuaMaCoQuanCoThamQuyen": A,
                "DuocThanhToanTrucTuyen": 3,
            },
        )
        assert bad.status_code == 400 and "DuocThanhToanTrucTuyen" in bad.text
        portal.sync_until_idle(world.db, cfg)
        sync(desk)
        with desk.read() as s:
            rows = {o.portal_id: (o.vneid_verified, o.paid_online) for o in s.scalars(select(OnlineDossier))}
        assert rows == {both: (True, 2), neither: (False, 0)}
        code = online.accept(desk, ACTOR, both).code
        sync(desk)
        portal.sync_until_idle(world.db, cfg)
        [rec] = httpx.get(sim.url + "/portal/v1/records", params={"code": code}).json()["records"]
        assert rec["HoSo"]["TaiKhoanDuocXacThucVoiVNeID"] == 1 and rec["HoSo"]["DuocThanhToanTrucTuyen"] == 2


def test_portal_acks_route_needs_a_device_and_a_valid_cursor(world: World, desk: Store) -> None:
    url, _device, token = engine.connection(desk)
    with SyncClient(url, "not-a-token") as client, pytest.raises(ServerRefused) as refused:
        client.portal_acks(None)
    assert refused.value.status_code == 401
    with SyncClient(url, token) as client:
        page = client.portal_acks(None)
        assert page.items == [] and not page.more and page.next_at is None
        with pytest.raises(ServerRefused) as bad:
            client.portal_acks(None, "x" * 61)
        assert bad.value.status_code == 422
