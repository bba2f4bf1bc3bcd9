"""Property-based robustness: random and mutated requests to every operation of the OpenAPI schema
answer < 500, and every 4xx carries the ``{"detail": {code, vi, en}}`` shape.

(Schemathesis would do this from the schema alone; this is the same idea with plain Hypothesis: the
operations come from the live server's ``/openapi.json``, the bodies are random JSON or valid requests
with one part replaced, removed or added.) ``MOTCUA_FUZZ_EXAMPLES`` sets the number of requests (150).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from srvkit import OPERATOR_PASSWORD, A, Desk, LiveServer, World, today

from app.contract import utc_now

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "\x00", "2026-05-04", "2026-05-04T08:00:00", A, "received", "forward", "a"])
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30).map(str.strip)
#: Clock headers at and beyond what ``datetime`` can hold once moved to UTC (D4: these gave 500s).
EXTREME_CLOCKS = st.builds(
    lambda moment, minutes: (
        moment.isoformat()
        + (
            f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            if minutes is not None
            else ""
        )
    ),
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999))
    | st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999)]),
    st.none() | st.integers(-(24 * 60 - 1), 24 * 60 - 1),
)
#: Bearer tokens that are wrong in every way (empty, long, non-ASCII-looking, another scheme).
BAD_TOKENS = st.sampled_from(["", "Bearer", "Basic YWJjOmRlZg==", "Bearer " + "x" * 300]) | st.text(
    st.characters(min_codepoint=33, max_codepoint=126), max_size=60
).map(lambda t: f"Bearer {t}".strip())


def valid_bodies(world: World, desk: Desk) -> dict[str, Any]:
    snap = world.snapshot(A)
    return {
        "/api/v1/devices/enroll": {
            "code": world.enrol_code(A),
            "device_name": "Quầy fuzz",
            "client_time": utc_now().isoformat(),
        },
        "/api/v1/auth/login": {"username": "op0", "password": OPERATOR_PASSWORD},
        "/api/v1/sync/push": {"events": [world.received(desk, snap).model_dump(mode="json")]},
        "/api/v1/numbering/lease": {"agency_eid": A, "day": today().isoformat(), "size": 3},
        "/api/v1/sync/quarantined": {
            "items": [{"seq": 1, "kind": "dossier", "code": f"{A}-260504-0001", "reason": "code collision"}]
        },
    }


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value (dict keys and list indexes), the root included."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths_of(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths_of(v, (*prefix, i))
    return out


def mutate(value: Any, path: tuple[Any, ...], how: str, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    if rest:
        copy[head] = mutate(copy[head], rest, how, new)
    elif how == "delete":
        del copy[head]
    elif how == "add" and isinstance(copy, dict):
        copy[f"{head}_extra"] = new
    else:
        copy[head] = new
    return copy


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    paths = paths_of(base)
    path = draw(st.sampled_from(paths))
    how = draw(st.sampled_from(["replace", "delete", "add"]) if path else st.just("replace"))
    return mutate(base, path, how, draw(JSON))


@pytest.fixture
def fuzz_http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    if response.status_code >= 400:
        body = response.json()
        detail = body["detail"]
        assert isinstance(detail, dict) and {"code", "vi", "en"} <= set(detail), body
        assert "server_time" in body
    else:
        assert "server_time" in response.json()


def test_every_operation_survives_random_requests(world: World, fuzz_http: httpx.Client) -> None:
    desk = world.desk(A)
    schema = fuzz_http.get("/openapi.json").json()
    operations = {(m.upper(), p) for p, item in schema["paths"].items() for m in item}
    bodies = valid_bodies(world, desk)
    files = {
        ("GET", "/api/v1/files/{sha256}"),
        ("PUT", "/api/v1/files/{sha256}"),
        ("GET", "/api/v1/files/{sha256}/content"),
        ("POST", "/api/v1/files/batch"),
    }
    reads = {("GET", "/api/v1/health"), ("GET", "/api/v1/sync/changes"), ("GET", "/api/v1/sync/portal-acks")}
    assert operations == reads | files | {("POST", p) for p in bodies}
    ops = sorted(operations)
    auth = {"Authorization": f"Bearer {desk.client.token}"}

    @settings(
        max_examples=int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "150")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        method, path = data.draw(st.sampled_from(ops), label="operation")
        h = {"X-Motcua-Protocol": "1", "X-Motcua-Client-Time": utc_now().isoformat(), **auth}
        if data.draw(st.booleans(), label="garble headers"):
            for name in ("X-Motcua-Protocol", "X-Motcua-Client-Time", "Authorization"):
                if data.draw(st.booleans(), label=f"garble {name}"):
                    h[name] = data.draw(HEADER_TEXT, label=name)
        if data.draw(st.booleans(), label="extreme clock"):
            h["X-Motcua-Client-Time"] = data.draw(EXTREME_CLOCKS, label="clock")
        if data.draw(st.integers(0, 3), label="bad token") == 0:
            h["Authorization"] = data.draw(BAD_TOKENS, label="token")
        if data.draw(st.integers(0, 5), label="drop a header") == 0:
            h.pop(data.draw(st.sampled_from(sorted(h)), label="dropped"), None)
        if path.endswith("/files/batch"):  # several small files whole: any manifest, any bytes
            entry = st.one_of(
                st.builds(
                    lambda sha, size: f"{sha}:{size}",
                    st.text("0123456789abcdef", min_size=64, max_size=64),
                    st.integers(-2, 400),
                ),
                st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
            )
            manifest = data.draw(st.lists(entry, max_size=70), label="manifest")
            content = data.draw(st.binary(max_size=300), label="body")
            check(fuzz_http.post(path, params=[("file", e) for e in manifest], content=content, headers=h))
            return
        if "{sha256}" in path:  # digitised files (issue 19): any hash-like or garbage name, any bytes
            sha = data.draw(
                st.one_of(
                    st.text("0123456789abcdef", min_size=64, max_size=64),
                    st.text(st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=70),
                ),
                label="sha256",
            )
            path = path.replace("{sha256}", sha)
            params = data.draw(
                st.dictionaries(st.sampled_from(["offset", "total", "x"]), JSON_SCALARS.map(str), max_size=3),
                label="query",
            )
            if method == "PUT":
                content = data.draw(st.binary(max_size=300), label="body")
                check(fuzz_http.put(path, params=params, content=content, headers=h))
            else:
                check(fuzz_http.get(path, params=params, headers=h))
            return
        if method == "GET":
            params = data.draw(
                st.dictionaries(
                    st.sampled_from(["since", "since_at", "since_id", "limit", "x"]),
                    JSON_SCALARS.map(str),
                    max_size=4,
                ),
                label="query",
            )
            check(fuzz_http.get(path, params=params, headers=h))
            return
        kind = data.draw(st.sampled_from(["valid-mutated", "random", "bytes"]), label="body kind")
        if kind == "bytes":
            content = data.draw(st.binary(max_size=200), label="body")
        else:
            body = data.draw(mutated(bodies[path]) if kind == "valid-mutated" else JSON, label="body")
            content = json.dumps(body).encode()
        check(fuzz_http.post(path, content=content, headers={**h, "Content-Type": "application/json"}))

    run()
