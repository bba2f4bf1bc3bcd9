"""Property-based robustness of the citizen pages: random query strings, path segments, form bodies,
cookies and headers on every new route answer < 500 (and HTML, not a traceback).
``MOTCUA_FUZZ_EXAMPLES`` sets the number of requests per route (100)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from srvkit import A, World

from server.web import limits

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(max_size=300) | st.sampled_from(
    ["", "\x00", "%", "K7QM", A, "000.10.24.H06-260504-0001", "∞" * 70]
)
FIELDS = st.sampled_from(["ma", "k", "q", "diem", "y_kien", "csrf", "nguon", "x"])


@pytest.fixture
def http(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    # Lockouts would turn most answers into 429 after a few requests: loosen them to reach the pages.
    monkeypatch.setattr(
        limits, "CODE_RULE", limits.Rule(10**9, limits.CODE_RULE.window, limits.CODE_RULE.lockout)
    )
    monkeypatch.setattr(limits, "IP_RULE", limits.Rule(10**9, limits.IP_RULE.window, limits.IP_RULE.lockout))
    with httpx.Client(base_url=world.live.url, timeout=20) as c:
        yield c


def _ok(r: httpx.Response) -> None:
    assert r.status_code < 500, r.text[:500]
    if r.headers.get("content-type", "").startswith("text/html"):
        assert "Traceback" not in r.text


@FUZZ
@given(params=st.dictionaries(FIELDS, TEXT, max_size=4))
def test_lookup_page(http: httpx.Client, params: dict[str, str]) -> None:
    _ok(http.get("/tra-cuu", params=params))


@FUZZ
@given(segment=TEXT, params=st.dictionaries(FIELDS, TEXT, max_size=2))
def test_centre_and_tablet_pages(http: httpx.Client, segment: str, params: dict[str, str]) -> None:
    path = quote(segment, safe="") or "x"
    _ok(http.get(f"/trung-tam/{path}", params=params))
    _ok(http.get(f"/quay/{path}/danh-gia"))
    _ok(http.get("/trung-tam", params=params))
    _ok(http.get(f"/trung-tam/{A}", params=params))


@FUZZ
@given(
    form=st.dictionaries(FIELDS, TEXT, max_size=6),
    raw=st.binary(max_size=300),
    cookie=TEXT,
    origin=st.none() | st.sampled_from(["null", "https://evil.example", "http://127.0.0.1"]),
    use_raw=st.booleans(),
)
def test_rating_post(
    http: httpx.Client, form: dict[str, str], raw: bytes, cookie: str, origin: str | None, use_raw: bool
) -> None:
    headers = {"Origin": origin} if origin else {}
    if cookie.isascii() and cookie.isprintable() and ";" not in cookie:
        headers["Cookie"] = f"mc_csrf={cookie}"
        form.setdefault("csrf", cookie)
    if use_raw:
        r = http.post(
            "/danh-gia", content=raw, headers={**headers, "Content-Type": "application/x-www-form-urlencoded"}
        )
    else:
        r = http.post("/danh-gia", data=form, headers=headers)
    _ok(r)


def test_oversized_rating_form_is_refused(http: httpx.Client) -> None:
    r = http.post("/danh-gia", data={"y_kien": "x" * 20_000})
    assert r.status_code == 413
