"""End to end with a real desk: the look-up address the desk pulls, the receipt it prints, the QR code
decoded from that PDF opening the dossier's page on the server, and the rating coming back to the desk."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from keyed import give_store_key
from sqlalchemy import select
from srvkit import A, World, sign_in
from srvkit import sync_round as sync

from app.bootstrap import open_store
from app.models import Centre, DossierRating
from app.models.db import Store
from app.paths import database_path
from app.services import dossiers as svc
from app.services import printing
from app.services.audit import Actor
from app.sync import engine
from server.web.settings import set_public_url

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


def qr_of(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=300 / 72, grayscale=True).to_pil()
    finally:
        doc.close()
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L")) if r.format.name == "QRCode"]


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    shutil.copy(database_path(template_dir), database_path(tmp_path))
    give_store_key(template_dir, tmp_path)
    store = open_store(tmp_path)
    engine.enrol(store, world.live.url, world.enrol_code(A), "Quầy 1")
    sign_in(world, engine.connection(store)[2], A)  # its operators log in online once (issue 16, D7)
    yield store
    store.dispose()


def received_and_printed(desk: Store, world: World) -> tuple[str, str, bytes]:
    set_public_url(world.db, world.live.url)
    sync(desk)
    with desk.read() as s:
        home = s.scalar(select(Centre).where(Centre.agency_eid == A))
        assert home is not None and home.lookup_url == world.live.url + "/tra-cuu"
    r = svc.receive(
        desk,
        ACTOR,
        svc.ReceiveRequest(
            "1.001193",
            svc.ApplicantInput(full_name="Đặng Văn Hùng", address="Phường Bắc Giang, Tỉnh Bắc Ninh"),
            received_at=datetime.now().replace(microsecond=0),
        ),
    )
    sync(desk)
    pdf = printing.print_dossier_form(desk, ACTOR, r.code, "receipt").pdf
    return r.code, r.lookup_secret, pdf


def test_the_receipt_qr_opens_the_dossier_page(desk: Store, world: World) -> None:
    code, secret, pdf = received_and_printed(desk, world)
    urls = qr_of(pdf)
    assert len(urls) == 1
    assert urls[0].startswith(world.live.url + "/tra-cuu?")
    page = httpx.get(urls[0], timeout=10)
    assert page.status_code == 200
    assert code in page.text and "Đã tiếp nhận" in page.text and "Đ. V. Hùng" in page.text


def test_a_rating_reaches_the_desk(desk: Store, world: World) -> None:
    code, secret, _pdf = received_and_printed(desk, world)
    svc.perform(desk, ACTOR, code, "result_ready")
    svc.perform(desk, ACTOR, code, "hand_back")
    sync(desk)
    with httpx.Client(base_url=world.live.url, timeout=10) as http:
        page = http.get("/tra-cuu", params={"ma": code, "k": secret})
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        r = http.post("/danh-gia", data={"csrf": token.group(1), "ma": code, "k": secret, "diem": "5"})
        assert r.status_code == 200
    sync(desk)
    with desk.read() as s:
        rating = s.scalar(select(DossierRating).where(DossierRating.dossier_code == code))
        assert rating is not None
        assert (rating.score, rating.officer, rating.source) == (5, ACTOR.operator, "qr")


def test_consent_at_intake_reaches_the_server_outbox(desk: Store, world: World) -> None:
    from app.domain.errors import DomainError
    from server.notices import outbox

    applicant = svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Bắc Giang, Tỉnh Bắc Ninh")
    with pytest.raises(DomainError) as refused:
        svc.receive(desk, ACTOR, svc.ReceiveRequest("1.001193", applicant, notify=("email", "fax")))
    assert {p.code for p in refused.value.problems} >= {"dossier.notify", "dossier.notify_email"}
    with_email = svc.ApplicantInput(
        full_name="Lê Thị Mai", address="Phường Bắc Giang, Tỉnh Bắc Ninh", email="mai.le@example.vn"
    )
    r = svc.receive(desk, ACTOR, svc.ReceiveRequest("1.001193", with_email, notify=("email",)))
    sync(desk)
    assert outbox.enqueue_new(world.db, datetime.now()) == 1
    (notice,) = outbox.states(world.db, r.code)
    assert (notice.kind, notice.channel, notice.state) == ("received", "email", "queued")


def test_ratings_are_counted_for_statistics(desk: Store, world: World) -> None:
    from datetime import date

    from app.services.ratings import satisfaction

    codes = []
    for _ in range(3):
        code, secret, _pdf = received_and_printed(desk, world)
        svc.perform(desk, ACTOR, code, "result_ready")
        svc.perform(desk, ACTOR, code, "hand_back")
        codes.append((code, secret))
    sync(desk)
    with httpx.Client(base_url=world.live.url, timeout=10) as http:
        for (code, secret), score in zip(codes, ("5", "4", "2"), strict=True):
            page = http.get("/tra-cuu", params={"ma": code, "k": secret})
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token is not None
            form = {"csrf": token.group(1), "ma": code, "k": secret, "diem": score}
            assert http.post("/danh-gia", data=form).status_code == 200
    sync(desk)
    today = date.today()
    got = satisfaction(desk, today - timedelta(days=1), today + timedelta(days=1), A)
    assert (got.rated, got.satisfied, got.disliked) == (3, 2, 1)
    assert got.by_score == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert got.share == pytest.approx(2 / 3)
    assert got.by_officer == {ACTOR.operator: (3, 2)}
    assert satisfaction(desk, today - timedelta(days=9), today - timedelta(days=8)).rated == 0
