"""The server as the authority on times (issue 16, item 3: D4, D8) and its production set-up (item 11)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from faults.harness import is_vietnamese
from srvkit import A, B, Desk, LiveServer, P, World, local_now, statuses

from app.contract import utc_now
from server import sync as server_sync
from server.app import create_app

EXTREME_CLOCKS = [
    "9999-12-31T23:59:59-00:01",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59.999999-23:59",
]
SYNC_ROUTES = [
    ("POST", "/api/v1/devices/enroll"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/sync/push"),
    ("GET", "/api/v1/sync/changes"),
    ("POST", "/api/v1/numbering/lease"),
]


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def problem(r: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert "Traceback" not in r.text and 'File "' not in r.text
    detail: dict[str, str] = r.json()["detail"]
    assert detail["code"] == code and is_vietnamese(detail["vi"]) and detail["en"], detail
    return detail


@pytest.mark.parametrize("clock", EXTREME_CLOCKS)
def test_an_impossible_clock_header_is_a_422_on_every_route(
    world: World, http: httpx.Client, clock: str
) -> None:
    """D4: ``9999-12-31T23:59:59-00:01`` gave an unauthenticated 500 with a traceback on every route."""
    desk = world.desk(A)
    for auth in ({}, {"Authorization": f"Bearer {desk.client.token}"}):
        for method, path in SYNC_ROUTES:
            h = {"X-Motcua-Protocol": "1", "X-Motcua-Client-Time": clock, **auth}
            r = http.request(method, path, headers=h, json={} if method == "POST" else None)
            problem(r, 422, "clock.range")


def test_an_impossible_client_time_in_the_enrolment_body_is_a_422(world: World, http: httpx.Client) -> None:
    for clock in EXTREME_CLOCKS:
        body = {"code": world.enrol_code(A), "device_name": "Quầy 9", "client_time": clock}
        h = {"X-Motcua-Protocol": "1", "X-Motcua-Client-Time": utc_now().isoformat()}
        problem(http.post("/api/v1/devices/enroll", json=body, headers=h), 422, "clock.range")


def test_the_clock_header_is_required_on_every_sync_route(world: World, http: httpx.Client) -> None:
    """D8: a push without ``X-Motcua-Client-Time`` was accepted (the skew check skipped)."""
    desk = world.desk(A)
    for method, path in SYNC_ROUTES:
        for value in (None, ""):
            h = {"X-Motcua-Protocol": "1", "Authorization": f"Bearer {desk.client.token}"}
            if value is not None:
                h["X-Motcua-Client-Time"] = value
            r = http.request(method, path, headers=h, json={} if method == "POST" else None)
            problem(r, 400, "clock.missing")
    assert http.get("/api/v1/health").status_code == 200  # liveness needs no clock


def test_times_outside_the_devices_plausible_window_are_refused(world: World) -> None:
    """D8: received/occurred times in 1970, 2020 or 2099 were accepted."""
    desk = world.desk(A)
    cases = {
        "future receipt": (local_now() + timedelta(hours=1), None, "rejected:time.future"),
        "receipt in 2099": (datetime(2099, 1, 1, 8), None, "rejected:time.future"),
        "receipt in 2020": (datetime(2020, 1, 1, 8), None, "rejected:time.before_enrolment"),
        "event in 1970": (local_now(), datetime(1970, 1, 1), "rejected:time.before_enrolment"),
        "aware, far zone": (datetime(2020, 1, 1, 8).astimezone(), None, "rejected:time.before_enrolment"),
        "now": (local_now(), None, "accepted"),
        "two minutes ahead (clock allowance)": (local_now() + timedelta(minutes=2), None, "accepted"),
    }
    for name, (received_at, occurred_at, expected) in cases.items():
        snap = world.snapshot(A)
        snap.received_at = received_at
        ev = world.received(desk, snap)
        if occurred_at is not None:
            ev = ev.model_copy(update={"occurred_at": occurred_at})
        r = desk.client.push([ev]).results
        assert statuses(r) == [expected], name
        if r[0].reason is not None:
            assert is_vietnamese(r[0].reason.vi)
            assert r[0].reason.field in ("occurred_at", "payload.received_at")
    snap = world.snapshot(A)
    assert statuses(desk.client.push([world.received(desk, snap)]).results) == ["accepted"]
    late = world.transition(desk, snap.id, *_start()).model_copy(update={"occurred_at": datetime(2099, 1, 1)})
    assert statuses(desk.client.push([late]).results) == ["rejected:time.future"]


def _start() -> tuple[object, object]:
    from app.domain.status import Action, Status

    return Action.START_PROCESSING, Status.IN_PROCESS


@pytest.mark.expect_log("server.api.guard", level=logging.ERROR, message="unexpected error on GET")
def test_a_flood_of_one_bug_is_answered_without_traceback_and_logged_once(
    world: World, http: httpx.Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    desk = world.desk(A)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(server_sync, "changes", broken)
    h = {"X-Motcua-Protocol": "1", "Authorization": f"Bearer {desk.client.token}"}
    with caplog.at_level(logging.INFO, logger="server"):
        for _ in range(40):
            h["X-Motcua-Client-Time"] = utc_now().isoformat()
            r = http.get("/api/v1/sync/changes", headers=h)
            problem(r, 500, "server.error")
            assert "a bug of ours" not in r.text
    logged = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(logged) == 1, [rec.getMessage() for rec in logged]
    # the connection stays usable (no re-raise to uvicorn, which would drop it)
    assert http.get("/api/v1/health").status_code == 200


def test_deduplicate_counts_repeats_and_reports_them_after_the_window() -> None:
    from server.api.guard import Deduplicate

    now = [0.0]
    dedup = Deduplicate(window=60, clock=lambda: now[0])

    def record(msg: str = "database unavailable: %s") -> logging.LogRecord:
        return logging.LogRecord("server.app", logging.WARNING, __file__, 1, msg, ("down",), None)

    assert dedup.filter(record())
    assert not any(dedup.filter(record()) for _ in range(500))
    assert dedup.filter(record("another message %s"))  # another kind passes
    now[0] = 61.0
    again = record()
    assert dedup.filter(again)
    assert "500 more like it" in again.getMessage()


def status_of(app: object, path: str) -> int:
    """GET ``path`` from the ASGI ``app`` in process (no server, no lifespan needed for these routes)."""

    async def get() -> int:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get(path)).status_code

    return asyncio.run(get())


def closed(app: Any) -> None:
    """Close the database pool of an app whose lifespan never ran (run in process, or handed to a mocked
    uvicorn): its lifespan would have; a pooled PostgreSQL connection left to the garbage collector warns."""
    db = getattr(getattr(app, "state", None), "db", None)
    if db is not None:
        db.dispose()


def fake_uvicorn_run(calls: list[dict[str, object]]) -> Callable[..., None]:
    def run(app: object, **kw: object) -> None:
        calls.append(kw)
        closed(app)

    return run


def test_docs_and_openapi_are_off_unless_asked(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """D13: /docs, /redoc and /openapi.json were public."""
    monkeypatch.delenv("MOTCUA_SERVER_DOCS", raising=False)
    app = create_app(db_url)
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert status_of(app, path) == 404, path
    assert status_of(app, "/api/v1/health") == 200
    closed(app)
    with_docs = create_app(db_url, docs=True)
    assert status_of(with_docs, "/openapi.json") == 200
    closed(with_docs)
    monkeypatch.setenv("MOTCUA_SERVER_DOCS", "1")
    from_env = create_app(db_url)
    assert status_of(from_env, "/docs") == 200
    closed(from_env)


# --- roles among the agencies named on a dossier (item 4, D6) ------------------------------------------


def test_roles_decide_who_may_act_and_the_server_computes_status_and_due_date(world: World) -> None:
    """D6: the receiving-only centre recorded a result, the handler handed back and transferred another
    centre's dossier away, a dossier went to a non-existent agency, start_processing moved the due date to
    2099, and a claimed ``to_status`` was stored as sent."""
    from app.domain.status import Action, Status

    a, b = world.desk(A), world.desk(B)
    snap = world.snapshot(A, scenario="c", competent=B, handling=A)
    ok = [
        world.received(a, snap),
        world.transition(a, snap.id, Action.FORWARD, Status.IN_PROCESS, handling=B),
    ]
    assert statuses(a.client.push(ok).results) == ["accepted"] * 2

    def push(desk: Desk, action: Action, to: Status, **kw: object) -> str:
        return statuses(desk.client.push([world.transition(desk, snap.id, action, to, **kw)]).results)[0]

    assert push(a, Action.RESULT_READY, Status.RESULT_READY) == "rejected:role.result_ready"
    assert push(b, Action.TRANSFER, Status.IN_PROCESS, handling=P) == "rejected:role.transfer"
    assert push(b, Action.FORWARD, Status.IN_PROCESS, handling="999.99.99.H99") == "rejected:target.unknown"
    # a result claimed as "returned": the server stores what its machine computes
    assert push(b, Action.RESULT_READY, Status.RETURNED) == "accepted"
    assert push(b, Action.HAND_BACK, Status.RETURNED) == "rejected:role.hand_back"
    assert push(a, Action.HAND_BACK, Status.RETURNED) == "accepted"
    with world.db.read() as s:
        from server.models import Dossier, EventRow

        d = s.get(Dossier, snap.id)
        assert d is not None and d.status == "returned"
        bodies = [
            e.body for e in s.query(EventRow).filter(EventRow.dossier_id == snap.id).order_by(EventRow.id)
        ]
        result = [b for b in bodies if b["payload"].get("action") == "result_ready"]
        assert result[0]["payload"]["to_status"] == "result_ready"  # not the "returned" it was sent

    other = world.snapshot(A)
    assert statuses(a.client.push([world.received(a, other)]).results) == ["accepted"]
    moved = world.transition(
        a, other.id, Action.START_PROCESSING, Status.IN_PROCESS, due_at=datetime(2099, 1, 1)
    )
    assert statuses(a.client.push([moved]).results) == ["rejected:event.due_at"]
    earlier = world.transition(a, other.id, Action.APOLOGISE, Status.RECEIVED, due_at=datetime(2020, 1, 1))
    assert statuses(a.client.push([earlier]).results) == ["rejected:event.due_earlier"]
    later = other.due_at + timedelta(days=5) if other.due_at else None
    good = world.transition(a, other.id, Action.APOLOGISE, Status.RECEIVED, due_at=later)
    assert statuses(a.client.push([good]).results) == ["accepted"]


def test_the_role_table_covers_the_status_machine_and_the_desk_offers_only_permitted_actions() -> None:
    from app.domain.roles import ACTION_ROLES, PERMITTED, Role, may_perform, roles_of
    from app.domain.status import TRANSITIONS, Action
    from app.ui.screens.detail import allowed_here

    assert set(ACTION_ROLES) == set(Action) and set(PERMITTED) == set(TRANSITIONS)
    receiving_only = roles_of(A, A, B, B)
    assert receiving_only == {Role.RECEIVING}
    assert roles_of(A, A, A, None) == set(Role)  # scenario a: all three
    assert not may_perform(receiving_only, "in_process", Action.RESULT_READY)
    assert Action.RESULT_READY not in allowed_here("in_process", receiving_only)
    assert Action.HAND_BACK in allowed_here("result_ready", receiving_only)
    assert Action.HAND_BACK not in allowed_here("result_ready", roles_of(B, A, B, B))


# --- who did it (item 5, D7) -----------------------------------------------------------------------------


def test_the_operator_named_on_an_event_must_have_logged_in_on_that_device(world: World) -> None:
    """D7: events naming "attacker" were stored and served to the other centres."""
    from srvkit import OPERATOR_PASSWORD

    from server import admin
    from server.models import Operator

    desk, other = world.desk(A), world.desk(A, "Quầy 2")
    admin.add_operator(world.db, A, "lan", "Trần Thị Lan", OPERATOR_PASSWORD)
    admin.add_operator(world.db, B, "hung", "Lê Văn Hùng", OPERATOR_PASSWORD)

    def push(d: Desk, operator: str) -> str:
        ev = world.received(d, world.snapshot(A)).model_copy(update={"operator": operator})
        return statuses(d.client.push([ev]).results)[0]

    assert push(desk, "attacker") == "rejected:operator.unknown"
    assert push(desk, "Lê Văn Hùng") == "rejected:operator.unknown"  # another centre's operator
    assert push(desk, "Trần Thị Lan") == "rejected:operator.unknown"  # never logged in on this device
    other.client.login("lan", OPERATOR_PASSWORD)
    assert push(desk, "lan") == "rejected:operator.unknown"  # logged in on another device only
    desk.client.login("lan", OPERATOR_PASSWORD)
    assert push(desk, "Trần Thị Lan") == "accepted"  # by full name, as the desk records it
    assert push(desk, "lan") == "accepted"  # or by username
    with world.db.write() as s:
        s.query(Operator).filter(Operator.username == "lan").update({"active": False})
    assert push(desk, "Trần Thị Lan") == "rejected:operator.unknown"  # disabled on the server
    r = desk.client.push([world.received(desk, world.snapshot(A)).model_copy(update={"operator": "x"})])
    assert r.results[0].reason is not None and is_vietnamese(r.results[0].reason.vi)


def test_serve_believes_forwarded_headers_only_from_configured_proxies(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D13: uvicorn's default trusted 127.0.0.1, so anything on the server could forge a client address."""
    import uvicorn

    from server.cli import main as server_main

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", fake_uvicorn_run(calls))
    monkeypatch.delenv("MOTCUA_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("MOTCUA_SERVER_DOCS", raising=False)
    assert server_main(["serve", "--db", db_url]) == 0
    assert calls[-1]["proxy_headers"] is False
    assert server_main(["serve", "--db", db_url, "--trusted-proxy", "10.0.0.5", "--docs"]) == 0
    assert calls[-1]["proxy_headers"] is True and calls[-1]["forwarded_allow_ips"] == ["10.0.0.5/32"]
    monkeypatch.setenv("MOTCUA_TRUSTED_PROXIES", "10.1.0.0/16,192.0.2.7")
    assert server_main(["serve", "--db", db_url]) == 0
    assert calls[-1]["forwarded_allow_ips"] == ["10.1.0.0/16", "192.0.2.7/32"]
    assert server_main(["serve", "--db", db_url, "--trusted-proxy", "proxy.example"]) == 1


def test_serve_warns_while_the_demo_operator_has_its_published_password(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    from server import admin
    from server.cli import main as server_main

    monkeypatch.setattr(uvicorn, "run", fake_uvicorn_run([]))
    assert server_main(["serve", "--db", world.live.db_url]) == 0
    assert "demo" not in capsys.readouterr().err  # no demo operator unless add-demo
    admin.add_demo(world.db)
    assert server_main(["serve", "--db", world.live.db_url]) == 0
    assert "WARNING: the demo account(s) (demo)" in capsys.readouterr().err


def test_only_the_served_app_freezes_its_start_up_objects(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``motcua-server serve`` moves what exists once the app has started out of the cyclic collector's
    reach (gc.freeze); an app made in another process's life (the tests) does not."""
    import gc

    import uvicorn

    from server.cli import main as server_main

    def started(app: Any) -> int:
        """The app's lifespan run as uvicorn runs it: the objects frozen while it serves."""

        async def serve() -> int:
            async with app.router.lifespan_context(app):
                return gc.get_freeze_count()

        try:
            return asyncio.run(serve())
        finally:
            gc.unfreeze()

    frozen: list[int] = []
    gc.unfreeze()
    assert started(create_app(db_url)) == 0
    monkeypatch.setattr(uvicorn, "run", lambda app, **_kw: frozen.append(started(app)))
    assert server_main(["serve", "--db", db_url]) == 0
    assert frozen and frozen[0] > 10_000
