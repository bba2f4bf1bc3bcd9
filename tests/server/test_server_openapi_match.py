"""The OpenAPI document says what the server does (issue 16, D18; the probe's schemathesis findings):
dossier times are the centre's wall clock without an offset (ST108), texts refuse NUL and lone surrogates
(ST202), and a number is not a time (ST201)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from srvkit import A, World

from app.contract import (
    API_PREFIX,
    CLIENT_TIME_HEADER,
    NO_NUL_PATTERN,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    WALL_CLOCK_PATTERN,
    PushRequest,
    utc_now,
)
from server.app import create_app


def _openapi(db_url: str) -> dict[str, Any]:
    app = create_app(db_url, docs=True)
    try:
        return app.openapi()
    finally:
        app.state.db.dispose()


def _prop(schema: dict[str, Any], name: str) -> dict[str, Any]:
    p = schema["properties"][name]
    return next((x for x in p.get("anyOf", [p]) if x.get("type") == "string"), p)


def test_the_schema_says_what_the_server_refuses_and_sends(db_url: str) -> None:
    schemas = _openapi(db_url)["components"]["schemas"]
    for model, field in (
        ("Event", "occurred_at"),
        ("DossierState", "due_at"),
        ("DossierState", "received_at"),
    ):
        prop = _prop(schemas[model], field)
        assert "format" not in prop and prop["pattern"] == WALL_CLOCK_PATTERN, (model, field, prop)
    for model, field in (("Event", "operator"), ("DossierState", "notes"), ("ProblemBody", "vi")):
        assert _prop(schemas[model], field)["pattern"] == NO_NUL_PATTERN, (model, field)
    texts = re.compile(NO_NUL_PATTERN)
    assert texts.match("Nguyễn Văn Đức") and not texts.match("a\x00b") and not texts.match("a\ud800b")
    times = re.compile(WALL_CLOCK_PATTERN)
    assert times.match("2026-12-09T17:00:00") and times.match("2026-12-09T17:00:00.123456+07:00")
    assert not times.match("2026-12-09") and not times.match("0")


def _event(world: World, **changes: object) -> dict[str, Any]:
    desk = world.desk(A)
    event = json.loads(world.received(desk, world.snapshot(A)).model_dump_json())
    event.update(changes)
    return event


def test_a_number_is_not_a_time(world: World) -> None:
    event = _event(world, occurred_at=0)
    with pytest.raises(ValidationError, match="not a number"):
        PushRequest.model_validate_json(json.dumps({"events": [event]}))
    desk = world.desk(A, "Quầy 2")
    headers = {
        "Authorization": f"Bearer {desk.client.token}",
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        CLIENT_TIME_HEADER: utc_now().isoformat(),
    }
    for bad in (0, 1.5, "2026-12-09"):
        event["occurred_at"] = bad
        r = httpx.post(f"{world.live.url}{API_PREFIX}/sync/push", json={"events": [event]}, headers=headers)
        assert r.status_code == 422, (bad, r.text)


def test_the_change_feed_s_times_match_the_schema(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    assert desk.client.push([world.received(desk, snap)]).results[0].status == "accepted"
    r = httpx.get(
        f"{world.live.url}{API_PREFIX}/sync/changes",
        params={"since": 0},
        headers={
            "Authorization": f"Bearer {desk.client.token}",
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            CLIENT_TIME_HEADER: utc_now().isoformat(),
        },
    )
    assert r.status_code == 200
    times = re.compile(WALL_CLOCK_PATTERN)
    dossier = next(c["dossier"] for c in r.json()["changes"] if c.get("dossier"))
    for value in (dossier["received_at"], dossier["due_at"], dossier["events"][0]["occurred_at"]):
        assert times.match(value), value
