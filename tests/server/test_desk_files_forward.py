"""Issue 19, "Done when": a dossier received offline with three papers scanned (SANE's ``test`` backend,
through ``motcua-desk scan``), forwarded to another commune (scenario c) and synced through the real
server, opens at that commune's desk with the same pages, byte for byte: the same files (SHA-256), the same
page hashes, the same bytes exported at both desks."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from sanekit import sane_test_conf
from sqlalchemy import update
from srvkit import World
from srvkit import sync_round as sync

from app.cli.main import main as cli
from app.digitise import ocr
from app.models import DossierFile
from app.models.db import Store
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.health import check_database
from app.services.reference import set_setting
from app.sync import engine

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


@pytest.fixture
def sane_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = sane_test_conf(tmp_path)
    monkeypatch.setenv("SANE_CONFIG_DIR", str(conf))


@pytest.mark.usefixtures("sane_conf")
def test_three_scanned_papers_of_a_forwarded_dossier_open_at_the_other_commune_byte_for_byte(
    desks: tuple[Store, Store], world: World, tmp_path: Path
) -> None:
    a1, b1 = desks
    url = engine.connection(a1)[0]
    with a1.write() as s:  # offline: nothing listens there (port 9, discard), every attempt would fail
        set_setting(s, engine.KEY_SERVER, "http://127.0.0.1:9")
    r = svc.receive(
        a1,
        ACTOR,
        svc.ReceiveRequest(
            "1.001612",
            svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Kinh Bắc, Tỉnh Bắc Ninh"),
            received_at=datetime.now().replace(second=0, microsecond=0),
            paper_numbers=[(1, 1), (2, 1), (3, 1)],
        ),
    )
    assert r.scenario == "c"
    a_dir = a1.path.parent
    for paper, device in ((1, "test:1"), (2, "test:1"), (3, "test:0")):
        argv = ["scan", r.code, "--paper", str(paper), "--device", device, "--resolution", "100"]
        argv += ["--operator", ACTOR.operator]  # an operator who logged in online at this desk
        if device == "test:0":  # the feeder: its ten sheets declared
            argv += ["--feeder", "--pages", "10"]
        err = io.StringIO()
        assert cli([*argv, "--data-dir", str(a_dir)], out=io.StringIO(), err=err) == 0, err.getvalue()
    if ocr.available() is None:
        assert fsvc.run_ocr(a1).done == 3  # the PDF/A with its text layer is what travels
    else:
        with a1.write() as s:
            s.execute(update(DossierFile).values(ocr_state="failed"))
    svc.perform(a1, ACTOR, r.code, "forward")
    with pytest.raises(Exception):  # noqa: B017,PT011 - offline: whatever the transport says
        sync(a1)
    with a1.write() as s:  # the network is back
        set_setting(s, engine.KEY_SERVER, url)
    report = sync(a1)
    # Papers 1 and 2 come from the same flatbed picture: one file, sent once (idempotent by SHA-256).
    assert report.parked == [] and report.files_sent >= 2
    assert {p.upload_state for p in fsvc.dossier_files(a1, r.code).papers} == {"sent"}
    assert sync(b1).files_fetched == len({p.sha256 for p in fsvc.dossier_files(a1, r.code).papers})

    at_a = fsvc.dossier_files(a1, r.code).papers
    at_b = fsvc.dossier_files(b1, r.code).papers
    assert [p.pages for p in at_a] == [1, 1, 10]
    assert [(p.paper_no, p.sha256, p.size, p.page_hashes, p.pages) for p in at_b] == [
        (p.paper_no, p.sha256, p.size, p.page_hashes, p.pages) for p in at_a
    ]
    exported_a = fsvc.export(a1, r.code, tmp_path / "export-a")
    exported_b = fsvc.export(b1, r.code, tmp_path / "export-b")
    assert [f.name for f in exported_a] == [f.name for f in exported_b] and len(exported_b) == 3
    for fa, fb in zip(exported_a, exported_b, strict=True):
        assert fa.read_bytes() == fb.read_bytes()  # byte for byte
    assert svc.dossier_record(b1, r.code).status == "in_process"  # the dossier opens at B, in its hands
    assert check_database(a1).ok and check_database(b1).ok
