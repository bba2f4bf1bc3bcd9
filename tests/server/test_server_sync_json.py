"""The change feed's JSON assembled from stored texts equals what the models would write and serve."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from srvkit import A, World

from app.contract import Change, ChangesResponse
from app.domain.canonical import canonical_json
from app.domain.status import Action, Status
from server.sync import ChangesPage, json_object, split_json


def test_spliced_json_is_the_canonical_json(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    received = world.received(desk, snap).model_dump(mode="json")
    moved = world.transition(desk, snap.id, Action.START_PROCESSING, Status.IN_PROCESS).model_dump(
        mode="json"
    )
    snapshot = snap.model_dump(mode="json") | {"notes": 'Ghi chú «đặc biệt» \\u0000 " \\ \u2028'}
    parts = split_json(snapshot, "events")
    assert json_object(*parts) == canonical_json(snapshot)
    events = [canonical_json(received), canonical_json(moved)]
    assert json_object(*parts, "events", f"[{','.join(events)}]") == canonical_json(
        snapshot | {"events": [received, moved]}
    )
    body_parts = split_json(received, "payload")
    assert json_object(*body_parts, "payload", canonical_json(received["payload"])) == canonical_json(
        received
    )
    assert json_object("", "") == "{}" == canonical_json({})


def test_a_page_is_a_changes_response_as_the_models_would_serve_it(world: World) -> None:
    desk = world.desk(A)
    snap = world.snapshot(A)
    state = snap.model_dump(mode="json") | {"events": [world.received(desk, snap).model_dump(mode="json")]}
    bodies = [
        ("dossier", state),
        (
            "calendar",
            {
                "day": "2026-04-30",
                "kind": "off",
                "note": "",
                "notice": "",
                "notice_date": None,
                "removed": False,
            },
        ),
    ]
    items = []
    for seq, (kind, body) in enumerate(bodies, 7):
        items.append(Change.model_validate({"seq": seq, "kind": kind, kind: body}))
    page = ChangesPage(
        [
            '{"seq":7,"kind":"dossier","dossier":'
            + canonical_json(state)
            + ',"procedure":null,"calendar":null,"centre":null,"rating":null}',
            '{"seq":8,"kind":"calendar","dossier":null,"procedure":null,"calendar":'
            + canonical_json(bodies[1][1])
            + ',"centre":null,"rating":null}',
        ],
        8,
        True,
    )
    now = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    raw = page.response_json(5, now)
    served = ChangesResponse.model_validate_json(raw)
    assert served == ChangesResponse(changes=items, next=8, more=True, server_time=now)
    expected = json.loads(served.model_dump_json())
    assert json.loads(raw) == expected
    assert json.loads(ChangesPage([], 3, False).response_json(9, now)) == {
        "changes": [],
        "next": 9,
        "more": False,
        "server_time": "2026-05-04T03:02:01.123456Z",
    }
