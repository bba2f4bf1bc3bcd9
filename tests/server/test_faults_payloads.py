"""Structure-aware fuzzing of sync pushes against the real server.

``test_server_fuzz.py`` throws random and mutated JSON at every operation of the OpenAPI schema. This one
builds *valid-shaped* events (every ``Event``, ``DossierSnapshot`` and ``TransitionPayload`` field drawn
from a strategy of its own, within the protocol's limits, with the values that matter to the server's rules
over-represented: its own and other agencies' e-IDs, well-formed, foreign and malformed codes, every
status and action, ids of dossiers and events it already has, extreme dates and time zones) and pushes
them in small batches from an enrolled device, resending some events verbatim or altered.

Checked: never a 5xx; every push answers one result per event, in order; every rejection carries a reason
in Vietnamese (and English); a resent event is a ``duplicate`` (or, if altered, rejected); the change feed
stays readable (200) for the three centres; and at the end a real desk of each centre pulls the whole feed
into its store without error, and its store keeps its invariants.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from faults.harness import fuzz_settings, is_vietnamese, store_problems
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from keyed import give_store_key
from srvkit import A, B, P, World, local_now, today

from app.bootstrap import open_store
from app.contract import MAX_INT32, Event, PushResponse, utc_now
from app.domain.codes import format_code
from app.domain.status import Action, Status
from app.paths import database_path
from app.sync import engine
from app.sync.client import SyncClient

# --- field strategies ----------------------------------------------------------------------------------

CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
VI = st.sampled_from(["Nguyễn Văn Đức", "Phường Bắc Giang, Tỉnh Bắc Ninh", "Tờ khai", "ǅ𝟗\u202e", " "])


def text(limit: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """Text of at most ``limit`` characters; now and then exactly ``limit``."""
    short = st.text(CHARS, min_size=min_size, max_size=min(limit, 40))
    return short | VI.filter(lambda s: min_size <= len(s) <= limit) | st.just("ư" * limit)


EIDS = st.sampled_from([A, B, P, "000.99.99.H99", "X", "1" * 35, "000.10.24.H06.A"])
UNITS = st.sampled_from(["07210", "07225", "24", "A.b", "0" * 10, "9"])
ZONES = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-12, minutes=-30))]
)
MOMENTS = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)),
    ZONES,
) | st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31))
#: Times a desk enrolled moments ago may report (its wall clock, Vietnam): most events use these.
RECENT = st.integers(0, 600).map(lambda s: local_now() - timedelta(seconds=s))
TIMES = RECENT | RECENT | RECENT | MOMENTS
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text(30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text(10), inner, max_size=3),
    max_leaves=8,
)
OBJECTS = st.dictionaries(text(12), JSON, max_size=4)


def rarely(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws (``integers`` would favour its bounds)."""
    return st.sampled_from([False] * (n - 1) + [True])


def iso(moment: datetime) -> str:
    return moment.isoformat()


@st.composite
def codes(draw: st.DrawFn, used: list[str]) -> str | None:
    # Every draw happens whatever the kind and the pool (Hypothesis needs the same draws on a replay).
    kinds = ["own", "own", "own", "foreign", "other", "malformed", "used", "none", "day"]
    kind = draw(st.sampled_from(kinds))
    number = draw(st.integers(1, 99_999))
    day = draw(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    other = draw(st.sampled_from([B, P, "000.99.99.H99"]))
    bad_day = draw(st.sampled_from(["991332", "000000", "240230"]))
    malformed = draw(text(60))
    pick = draw(st.integers(0, 2**16))
    if kind == "own":  # a number of desk a's own fallback block (slot 0) today: the server may accept it
        return format_code(A, today(), 90_000 + number % 1000)
    if kind == "foreign":  # any number and day of A: the server accepts it only if it is desk a's own
        return format_code(A, day, number)
    if kind == "other":
        return format_code(other, today(), number)
    if kind == "used" and used:
        return used[pick % len(used)]
    if kind == "day":
        return f"{A}-{bad_day}-{number:04d}"
    if kind == "malformed":
        return malformed
    return None


@st.composite
def snapshots(draw: st.DrawFn, dossier_id: str, used_codes: list[str]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()) if draw(rarely(20)) else dossier_id,
        "code": draw(codes(used_codes)),
        "lookup_secret": draw(text(16)),
        "procedure_code": draw(st.sampled_from(["1.001193", "2.000815"]) | text(60, min_size=1)),
        "procedure_name": draw(text(1000)),
        "applicant": {
            "id": str(draw(st.uuids())),
            "personal_id": draw(st.none() | text(12)),
            "old_id": draw(st.none() | text(9)),
            "full_name": draw(text(200)),
            "birth_date": draw(st.none() | st.dates().map(date.isoformat)),
            "gender": draw(st.none() | st.sampled_from(["Nam", "Nữ"]) | text(3)),
            "phone": draw(st.none() | text(20)),
            "email": draw(st.none() | text(200)),
            "address": draw(text(1000)),
            "unit_code": draw(st.none() | UNITS),
        },
        "receiving_agency_eid": draw(st.sampled_from([A] * 12 + [B, P, "000.99.99.H99", "X"])),
        "receiving_agency": draw(text(300)),
        "competent_agency": draw(text(300)),
        "competent_agency_eid": draw(st.none() | EIDS),
        "competent_unit_code": draw(st.none() | UNITS),
        "handling_agency": draw(text(300)),
        "handling_agency_eid": draw(st.none() | EIDS),
        "scenario": draw(st.sampled_from("abc")),
        "channel": draw(st.sampled_from(["direct", "postal", "online"])),
        "received_at": iso(draw(TIMES)),
        "due_at": draw(st.none() | MOMENTS.map(iso)),
        "status": draw(
            st.sampled_from([Status.RECEIVED, Status.REFUSED, Status.NEW]) | st.sampled_from(Status)
        ),
        "papers_received": draw(st.lists(OBJECTS, max_size=3)),
        "sets_count": draw(st.integers(1, 10_000)),
        "fee_vnd": draw(st.integers(0, 10**15)),
        "result_delivery": draw(text(20)),
        "notes": draw(text(5000)),
    }


@st.composite
def transitions(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "action": draw(
            st.sampled_from([Action.START_PROCESSING, Action.RESULT_READY, Action.FORWARD])
            | st.sampled_from(Action)
        ),
        "from_status": draw(st.none() | st.sampled_from(Status)),
        "to_status": draw(st.sampled_from(Status)),
        "reason": draw(text(5000)),
        "due_at": draw(st.none() | MOMENTS.map(iso)),
        "handling_agency_eid": draw(st.none() | st.none() | EIDS),
        "extra": draw(OBJECTS),
    }


@st.composite
def events(draw: st.DrawFn, pool: dict[str, list[Any]]) -> dict[str, Any]:
    """One valid-shaped event: a new dossier, a transition of a known (or unknown) dossier, or an event
    already pushed, sent again verbatim or with something changed. (Every part is drawn whatever the kind
    and the pool: Hypothesis needs the same draws when it replays an example.)"""
    kind = draw(st.sampled_from(["received"] * 4 + ["transition"] * 4 + ["again", "altered"]))
    pick = draw(st.integers(0, 2**16))
    known_dossier = not draw(rarely(6))
    new_id = str(draw(st.uuids()))
    snapshot = draw(snapshots(new_id, pool["codes"]))
    transition = draw(transitions())
    swap = draw(rarely(12))  # the payload of the other type
    event = {
        "event_id": str(draw(st.uuids())),
        "dossier_id": new_id,
        "seq": draw(st.integers(1, 3) | st.integers(1, MAX_INT32)),
        "type": "dossier.received",
        "occurred_at": iso(draw(TIMES)),
        "operator": draw(st.just("demo") | st.just("demo") | text(200)),  # demo: signed in (srvkit)
        "workstation": draw(text(100)),
        "payload": snapshot,
    }
    altered_operator = draw(text(199)) + "*"
    if kind in ("again", "altered") and pool["events"]:
        old = dict(pool["events"][pick % len(pool["events"])])
        if kind == "altered":
            old["operator"] = altered_operator
        return old
    if kind in ("transition", "again", "altered"):
        known = pool["dossiers"]
        event["type"] = "dossier.transition"
        event["dossier_id"] = known[pick % len(known)] if known and known_dossier else new_id
        event["payload"] = transition
    if swap:
        event["payload"] = transition if event["type"] == "dossier.received" else snapshot
    return event


# --- the test -------------------------------------------------------------------------------------------


def check_feed(http: httpx.Client, token: str) -> None:
    r = http.get("/api/v1/sync/changes", params={"since": 0, "limit": 1000}, headers=headers(token))
    assert r.status_code == 200, (r.status_code, r.text[:500])


def headers(token: str) -> dict[str, str]:
    return {
        "X-Motcua-Protocol": "1",
        "X-Motcua-Client-Time": utc_now().isoformat(),
        "Authorization": f"Bearer {token}",
    }


def test_valid_shaped_pushes_never_fail_the_server(world: World, tmp_path: Path, template_dir: Path) -> None:
    a, b, p = world.desk(A), world.desk(B), world.desk(P)
    pool: dict[str, list[Any]] = {"events": [], "dossiers": [], "codes": []}
    outcomes: dict[str, int] = {}

    with httpx.Client(base_url=world.live.url, timeout=30) as http:
        # Generation only: each example changes the server, so a replayed example would not meet the same
        # state (no shrinking; a failure prints the batch it sent).
        @settings(parent=fuzz_settings(150), phases=[Phase.explicit, Phase.generate])
        @given(batch=st.data())
        def push(batch: st.DataObject) -> None:
            sent = batch.draw(st.lists(events(pool), min_size=1, max_size=4), label="events")
            for e in sent:
                Event.model_validate(e)  # the generator makes valid shapes only
            r = http.post("/api/v1/sync/push", json={"events": sent}, headers=headers(a.client.token or ""))
            assert r.status_code == 200, (r.status_code, r.text[:800], sent)
            results = PushResponse.model_validate_json(r.content).results
            assert [x.event_id for x in results] == [e["event_id"] for e in sent]
            for e, res in zip(sent, results, strict=True):
                key = res.status if res.reason is None else f"{res.status}:{res.reason.code}"
                outcomes[key] = outcomes.get(key, 0) + 1
                if res.status == "rejected":
                    assert res.reason is not None and is_vietnamese(res.reason.vi) and res.reason.en, res
                else:
                    assert res.reason is None
                if res.status == "accepted":
                    pool["events"].append(e)
                    if e["type"] == "dossier.received":
                        pool["dossiers"].append(e["dossier_id"])
                        code = e["payload"].get("code")
                        if code:
                            pool["codes"].append(code)
                elif e in pool["events"]:  # sent again verbatim
                    assert res.status == "duplicate", res
            check_feed(http, a.client.token or "")

        push()
        for d in (b, p):
            check_feed(http, d.client.token or "")
    print(f"\npush outcomes: {dict(sorted(outcomes.items()))}")
    assert outcomes.get("accepted", 0) > 0 and any(k.startswith("rejected") for k in outcomes)

    # Real desks of the three centres pull everything the fuzzing left on the server.
    for eid in (A, B, P):
        folder = tmp_path / f"desk-{eid}"
        folder.mkdir()
        shutil.copy(database_path(template_dir), database_path(folder))
        give_store_key(template_dir, folder)
        store = open_store(folder)
        try:
            engine.enrol(store, world.live.url, world.enrol_code(eid), "Quầy kéo")
            url, _device, token = engine.connection(store)
            with SyncClient(url, token) as client:
                engine.SyncEngine(store, client).pull(engine.RoundReport())
        finally:
            store.dispose()
        assert not store_problems(database_path(folder)), eid
