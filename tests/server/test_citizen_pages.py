"""The citizen pages on the running server: look-up behind the receipt's QR code, limits and lockout,
ratings through the change feed, the centres' public pages, the public look-up address the desks pull."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from srvkit import A, B, Desk, World, statuses

from app.contract import Change, DossierSnapshot
from app.domain.status import Action, Status
from server import admin
from server.web import limits
from server.web.lookup import mask_name
from server.web.settings import set_public_url

NOT_FOUND = "Không tìm thấy hồ sơ"


@pytest.fixture
def http(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.live.url, timeout=10, follow_redirects=False) as c:
        yield c


def _pushed(
    world: World, desk: Desk, *actions: tuple[Action, Status], snap: DossierSnapshot | None = None
) -> tuple[str, str]:
    snap = snap or world.snapshot(A)
    events = [world.received(desk, snap)]
    before: Status = Status.RECEIVED
    for action, after in actions:
        events.append(
            world.transition(
                desk, snap.id, action, after, from_status=before, reason="Thiếu bản sao sổ hộ khẩu"
            )
        )
        before = after
    results = desk.client.push(events).results
    assert statuses(results) == ["accepted"] * len(events)
    assert snap.code is not None
    return snap.id, snap.code


RETURNED = (
    (Action.START_PROCESSING, Status.IN_PROCESS),
    (Action.RESULT_READY, Status.RESULT_READY),
    (Action.HAND_BACK, Status.RETURNED),
)


def test_mask_name() -> None:
    assert mask_name("Nguyễn Văn Đức") == "N. V. Đức"
    assert mask_name("Lan") == "L."
    assert mask_name("  ") == ""


def test_lookup_shows_status_in_plain_words_and_nothing_personal(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    _, code = _pushed(
        world,
        desk,
        (Action.START_PROCESSING, Status.IN_PROCESS),
        (Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED),
        snap=snap,
    )
    r = http.get("/tra-cuu", params={"ma": code, "k": "k7qm"})  # the secret in any case
    assert r.status_code == 200, r.text
    page = r.text
    assert "Chờ bổ sung hồ sơ" in page and "Giấy tờ cần bổ sung" in page
    assert "Thiếu bản sao sổ hộ khẩu" in page  # what is missing
    assert "N. V. Đức" in page and "Nguyễn Văn Đức" not in page
    for personal in (
        "024190001234",
        "0912345678",
        "Phường Bắc Giang, tỉnh Bắc Ninh",
        "1990",
        "demo",
        "Quầy 1",
    ):
        assert personal not in page
    assert f"{snap.due_at:%d/%m/%Y}" in page  # the due date (srvkit dates dossiers today, due in 3 days)
    assert "<script" not in page.lower()
    assert r.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("secret", ["", "K7QN", "K7QM" + "X", "' OR 1=1 --"])
def test_wrong_or_missing_secret_finds_nothing(world: World, http: httpx.Client, secret: str) -> None:
    desk = world.desk(A)
    _, code = _pushed(world, desk)
    r = http.get("/tra-cuu", params={"ma": code, "k": secret})
    assert r.status_code == 404
    assert NOT_FOUND in r.text
    assert "Thủ tục mẫu" not in r.text and "Đức" not in r.text


def test_unknown_code_answers_like_a_wrong_secret(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    _, code = _pushed(world, desk)
    wrong = http.get("/tra-cuu", params={"ma": code, "k": "AAAA"})
    unknown = http.get("/tra-cuu", params={"ma": code[:-1] + "9", "k": "AAAA"})
    assert wrong.status_code == unknown.status_code == 404
    strip = re.compile(r"value=\"[^\"]*\"")
    assert strip.sub("", wrong.text) == strip.sub("", unknown.text)


def test_lockout_per_code_refuses_even_the_right_secret(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    _, code = _pushed(world, desk)
    for i in range(limits.CODE_RULE.max_failures):
        assert http.get("/tra-cuu", params={"ma": code, "k": f"ZZZ{i}"}).status_code == 404
    r = http.get("/tra-cuu", params={"ma": code, "k": "K7QM"})
    assert r.status_code == 429
    assert "Tạm khoá" in r.text and "Thủ tục mẫu" not in r.text
    assert int(r.headers["retry-after"]) > 0


def test_lockout_per_address_spans_codes(world: World, http: httpx.Client) -> None:
    for i in range(limits.IP_RULE.max_failures):
        r = http.get("/tra-cuu", params={"ma": f"000.10.24.H06-260504-{i:04d}", "k": "AAAA"})
        assert r.status_code == 404
    desk = world.desk(A)
    _, code = _pushed(world, desk)
    assert http.get("/tra-cuu", params={"ma": code, "k": "K7QM"}).status_code == 429


def test_lockouts_double_and_are_capped() -> None:
    rule = limits.CODE_RULE
    assert [rule.lockout_for(n).total_seconds() / 60 for n in (1, 2, 3)] == [15, 30, 60]
    assert rule.lockout_for(40).total_seconds() == 24 * 3600


def _rate_form(http: httpx.Client, code: str) -> dict[str, str]:
    page = http.get("/tra-cuu", params={"ma": code, "k": "K7QM"})
    assert page.status_code == 200
    assert "Đánh giá mức độ hài lòng" in page.text
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None and http.cookies.get("mc_csrf") == token.group(1)
    return {"csrf": token.group(1), "ma": code, "k": "K7QM"}


def test_rating_once_through_the_qr_link_reaches_the_desks(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    dossier_id, code = _pushed(world, desk, *RETURNED)
    form = _rate_form(http, code)
    r = http.post("/danh-gia", data={**form, "diem": "4", "y_kien": "Cán bộ  nhiệt tình"})
    assert r.status_code == 200 and "Cảm ơn" in r.text
    again = http.post("/danh-gia", data={**form, "diem": "1"})
    assert again.status_code == 409
    assert "Ông/bà đã đánh giá: Hài lòng" in http.get("/tra-cuu", params={"ma": code, "k": "K7QM"}).text
    ratings = [c for c in desk.client.changes(0, limit=500).changes if c.kind == "rating"]
    assert len(ratings) == 1 and ratings[0].rating is not None
    got = ratings[0].rating
    assert (got.dossier_id, got.score, got.comment, got.officer, got.source) == (
        dossier_id,
        4,
        "Cán bộ nhiệt tình",
        "demo",
        "qr",
    )
    other = world.desk(B)  # a centre that does not see the dossier does not see its rating
    assert not [c for c in other.client.changes(0, limit=500).changes if c.kind == "rating"]


def test_rating_needs_the_csrf_token_and_a_handed_back_dossier(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    _, code = _pushed(world, desk, *RETURNED)
    form = _rate_form(http, code)
    assert http.post("/danh-gia", data={**form, "csrf": "forged", "diem": "5"}).status_code == 403
    foreign = http.post("/danh-gia", data={**form, "diem": "5"}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert http.post("/danh-gia", data={**form, "diem": "9"}).status_code == 422
    assert http.post("/danh-gia", data={**form, "k": "AAAA", "diem": "5"}).status_code == 404
    _, open_code = _pushed(world, desk)
    assert http.post("/danh-gia", data={**form, "ma": open_code, "diem": "5"}).status_code == 409


def test_counter_tablet_page_rates(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    _, code = _pushed(world, desk, *RETURNED)
    page = http.get(f"/quay/{A}/danh-gia")
    assert page.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    r = http.post(
        "/danh-gia", data={"csrf": token.group(1), "nguon": "tablet", "ma": code, "k": "K7QM", "diem": "5"}
    )
    assert r.status_code == 200
    rating = [c.rating for c in desk.client.changes(0, limit=500).changes if c.kind == "rating"]
    assert rating[0] is not None and rating[0].source == "tablet"


def test_centre_pages_and_search_without_diacritics(world: World, http: httpx.Client) -> None:
    admin.import_catalogue(world.db)
    listing = http.get("/trung-tam")
    assert listing.status_code == 200
    assert "Trung tâm Phục vụ hành chính công phường Bắc Giang" in listing.text
    page = http.get(f"/trung-tam/{A}", params={"q": "dang ky khai sinh"})
    assert page.status_code == 200
    assert "Thủ tục đăng ký khai sinh" in page.text and "Thời hạn giải quyết" in page.text
    assert "Tờ khai đăng ký khai sinh" in page.text  # the papers
    none = http.get(f"/trung-tam/{A}", params={"q": "khong co thu tuc nao nhu vay"})
    assert "0 thủ tục" in none.text
    assert http.get("/trung-tam/000.99.99.H99").status_code == 404


def test_public_url_is_pulled_by_the_desks(world: World) -> None:
    desk = world.desk(A)
    changed = set_public_url(world.db, "http://127.0.0.1:8765/", opening_hours="Sáng 7:30–11:30")
    assert A in changed
    centres: list[Change] = [c for c in desk.client.changes(0, limit=500).changes if c.kind == "centre"]
    mine = [c.centre for c in centres if c.centre is not None and c.centre.eid == A]
    assert mine and mine[-1].lookup_url == "http://127.0.0.1:8765/tra-cuu"
    assert set_public_url(world.db, "http://127.0.0.1:8765") == []  # nothing new: no change appended
    with pytest.raises(admin.AdminError):
        set_public_url(world.db, "ftp://x")


def test_a_brute_force_run_hits_the_lockout_and_finds_nothing(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    _, code = _pushed(world, desk)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    guesses = [a + b + "22" for a in alphabet[:6] for b in alphabet[:6]][:39] + ["K7QM"]  # the right one last
    seen = [http.get("/tra-cuu", params={"ma": code, "k": g}).status_code for g in guesses]
    assert 200 not in seen
    assert seen[: limits.CODE_RULE.max_failures] == [404] * limits.CODE_RULE.max_failures
    assert set(seen[limits.CODE_RULE.max_failures :]) == {429}


def test_control_characters_are_dropped_from_the_inputs(world: World, http: httpx.Client) -> None:
    desk = world.desk(A)
    _, code = _pushed(world, desk)
    assert http.get("/tra-cuu", params={"ma": code + "\x00", "k": "K7\x00QM"}).status_code == 200
    assert http.get(f"/trung-tam/{A}%00").status_code == 200
    assert http.get(f"/trung-tam/{A}", params={"q": "khai\x00 sinh"}).status_code == 200
