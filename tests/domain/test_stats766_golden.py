"""Golden set for the Decision 766 indicators and Biểu II.06a: 300 synthetic dossiers of 19 kinds, each
kind covering one edge of the formula text (rules-2026.md §1.5, §1.6), with every expected figure worked
out by hand below (never by the code under test).

Period: November 2026, [2026-11-01 00:00, 2026-12-01 00:00). Times are wall-clock; the supplement wait is
subtracted literally (end − (completed − requested) ≤ due).

Kind (count) field   channel  received      due (receipt)  steps → expected
A (30) Hộ tịch  direct  11-02 09:00   11-05 09:00    result 11-03 10:00 → early, 25 h
B (20) Hộ tịch  direct  11-02 09:00   11-05 09:00    result 11-05 08:00 → on time (due day), 71 h
C (15) Hộ tịch  direct  11-02 09:00   11-05 09:00    result 11-05 10:00 → late, 73 h
D (15) Hộ tịch  direct  11-02 09:00   11-05 09:00    suppl. 11-03 09:00→11-05 09:00 (48 h), result 11-06 17:00
                                 → 11-06 17:00 − 48 h = 11-04 17:00 → early, 104 − 48 = 56 h
E (10) Hộ tịch  direct  11-02 09:00   11-05 09:00    two supplement requests (1 h each), result 11-02 14:00
                                                     → late (more than one request), 5 − 2 = 3 h
F (20) Hộ tịch  direct  11-30 09:00   12-03 09:00    open at period end → judged at 12-01 00:00: within time
G (10) Hộ tịch  direct  11-20 09:00   11-25 09:00    open at period end → overdue
H (10) Hộ tịch  direct  11-10 09:00   11-11 09:00    withdrawn 11-12 09:00 → 06a col 9 (form note);
                                                     2.1: ended after the due time → late; 48 h
I (10) Chứng thực direct refused at intake → nowhere
J (10) Chứng thực direct 11-03 09:00  11-06 09:00    stopped 11-04 09:00 → early, 24 h
K (20) Chứng thực direct 11-03 09:00  11-06 09:00    forwarded 11-03 10:00, result 11-06 09:00 → on time, 72 h
L (15) Chứng thực online 11-04 09:00  11-05 09:00    result 11-04 15:00, no electronic result → early, 6 h
M (25) Chứng thực online 11-04 09:00  11-05 09:00    result 11-04 15:00, electronic result → early, 6 h
N (10) Chứng thực direct 11-09 09:00  11-10 09:00    apology 11-09 15:00 (new date 11-12 09:00),
                                                     result 11-11 09:00
                                                     → late (the receipt's promise counts), 48 h
O (20) Chứng thực direct 10-28 09:00  11-02 09:00    result 11-02 08:00 → carried over (col 6), on time, 119 h
P (10) Chứng thực direct 10-01 09:00  10-05 09:00    result 10-03 → ended before the period: nowhere
Q (10) Chứng thực direct 11-25 09:00  11-27 09:00    result 12-02 (after the period) → open at end, overdue
R (15) Chứng thực direct 11-26 09:00  11-27 09:00    supplement requested 11-26 10:00, still pending
                                                     → clock stopped at the request: within time (early)
S (25) Chứng thực postal 11-02 09:00  11-05 09:00    result 11-03 10:00 → early, 25 h
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from app.domain.calendar import WorkingCalendar
from app.domain.stats766 import DossierFacts, Period, Step, at_risk, indicators_766, report_06a

NOV = Period(datetime(2026, 11, 1), datetime(2026, 12, 1))


def t(s: str) -> datetime:
    return datetime.strptime("2026-" + s, "%Y-%m-%d %H:%M")


HT, CT = "Hộ tịch", "Chứng thực"
# kind: (count, field, channel, received, due, steps [(action, time)], extra flags)
KINDS: dict[str, tuple[int, str, str, str, str, list[tuple[str, str]], dict[str, object]]] = {
    "A": (
        30,
        HT,
        "direct",
        "11-02 09:00",
        "11-05 09:00",
        [("result_ready", "11-03 10:00"), ("hand_back", "11-04 09:00")],
        {
            "components_digitised": True,
            "result_digitised": True,
            "component_reused": True,
            "population_data": True,
        },
    ),
    "B": (
        20,
        HT,
        "direct",
        "11-02 09:00",
        "11-05 09:00",
        [("result_ready", "11-05 08:00")],
        {"population_data": True, "complaint_or_dislike": True},
    ),
    "C": (
        15,
        HT,
        "direct",
        "11-02 09:00",
        "11-05 09:00",
        [("result_ready", "11-05 10:00")],
        {"portal_synced": False},
    ),
    "D": (
        15,
        HT,
        "direct",
        "11-02 09:00",
        "11-05 09:00",
        [
            ("request_supplement", "11-03 09:00"),
            ("supplement_received", "11-05 09:00"),
            ("result_ready", "11-06 17:00"),
        ],
        {},
    ),
    "E": (
        10,
        HT,
        "direct",
        "11-02 09:00",
        "11-05 09:00",
        [
            ("request_supplement", "11-02 10:00"),
            ("supplement_received", "11-02 11:00"),
            ("request_supplement", "11-02 12:00"),
            ("supplement_received", "11-02 13:00"),
            ("result_ready", "11-02 14:00"),
        ],
        {},
    ),
    "F": (20, HT, "direct", "11-30 09:00", "12-03 09:00", [], {}),
    "G": (10, HT, "direct", "11-20 09:00", "11-25 09:00", [("start_processing", "11-20 10:00")], {}),
    "H": (10, HT, "direct", "11-10 09:00", "11-11 09:00", [("withdraw", "11-12 09:00")], {}),
    "I": (10, CT, "direct", "11-10 09:00", "", [], {}),
    "J": (10, CT, "direct", "11-03 09:00", "11-06 09:00", [("stop", "11-04 09:00")], {}),
    "K": (
        20,
        CT,
        "direct",
        "11-03 09:00",
        "11-06 09:00",
        [("forward", "11-03 10:00"), ("result_ready", "11-06 09:00")],
        {"fee_due": True, "paid_online": False},
    ),
    "L": (
        15,
        CT,
        "online",
        "11-04 09:00",
        "11-05 09:00",
        [("result_ready", "11-04 15:00")],
        {"e_result": False},
    ),
    "M": (
        25,
        CT,
        "online",
        "11-04 09:00",
        "11-05 09:00",
        [("result_ready", "11-04 15:00")],
        {
            "e_result": True,
            "fee_due": True,
            "paid_online": True,
            "components_digitised": True,
            "result_digitised": True,
            "from_citizen_store": True,
        },
    ),
    "N": (
        10,
        CT,
        "direct",
        "11-09 09:00",
        "11-10 09:00",
        [("apologise", "11-09 15:00"), ("result_ready", "11-11 09:00")],
        {"current_due_at": t("11-12 09:00")},
    ),
    "O": (20, CT, "direct", "10-28 09:00", "11-02 09:00", [("result_ready", "11-02 08:00")], {}),
    "P": (10, CT, "direct", "10-01 09:00", "10-05 09:00", [("result_ready", "10-03 09:00")], {}),
    "Q": (10, CT, "direct", "11-25 09:00", "11-27 09:00", [("result_ready", "12-02 09:00")], {}),
    "R": (15, CT, "direct", "11-26 09:00", "11-27 09:00", [("request_supplement", "11-26 10:00")], {}),
    "S": (
        25,
        CT,
        "postal",
        "11-02 09:00",
        "11-05 09:00",
        [("result_ready", "11-03 10:00")],
        {"e_result": True},
    ),
}
# Flags every dossier has unless its kind says otherwise (so each indicator computes a number).
DEFAULTS: dict[str, object] = {
    "portal_synced": True,
    "paper_result": True,
    "e_result": False,
    "components_digitised": True,
    "result_digitised": False,
    "component_reused": False,
    "from_citizen_store": False,
    "population_data": False,
    "complaint_or_dislike": False,
}


def golden() -> list[DossierFacts]:
    out: list[DossierFacts] = []
    for kind, (count, fld, channel, received, due, steps, flags) in KINDS.items():
        for i in range(count):
            first = "refuse" if kind == "I" else "receive"
            kw = {**DEFAULTS, **flags}
            out.append(
                DossierFacts(
                    code=f"{kind}{i:03d}",
                    received_at=t(received),
                    due_at=t(due) if due else None,
                    steps=(Step(first, t(received)), *(Step(a, t(at)) for a, at in steps)),
                    channel=channel,
                    field=fld,
                    procedure=f"P-{kind}",
                    counter=f"Quầy {1 + i % 2}",
                    **kw,  # type: ignore[arg-type]
                )
            )
    return out


def codes(*kinds: str) -> set[str]:
    return {f"{k}{i:03d}" for k in kinds for i in range(KINDS[k][0])}


def test_the_golden_set_is_large_enough() -> None:
    assert len(golden()) == 300


def test_06a_by_hand() -> None:
    r = report_06a(golden(), NOV)
    #                   3    4    5   6    7    8   9   10  11  12  13
    assert r.total.values() == [280, 40, 220, 20, 225, 120, 70, 35, 55, 35, 20]
    rows = {row.field: row.values() for row in r.rows}
    assert rows == {
        CT: [150, 40, 90, 20, 125, 75, 40, 10, 25, 15, 10],
        HT: [130, 0, 130, 0, 100, 45, 30, 25, 30, 20, 10],
    }
    assert set(r.total.codes[9]) == codes("B", "K", "H", "O")
    assert set(r.total.codes[10]) == codes("C", "E", "N")
    assert set(r.total.codes[13]) == codes("G", "Q")
    assert set(r.total.codes[12]) == codes("F", "R")
    assert set(r.total.codes[6]) == codes("O")


def test_766_by_hand() -> None:
    f = indicators_766(golden(), NOV)[""]
    # 2.1: judged = 225 finished + 55 open at the end = 280; late C, E, N, G, Q, H = 65.
    assert set(f["2.1"].denominator) == codes(*"ABCDEFGHJKLMNOQRS")
    assert set(f["2.1"].denominator) - set(f["2.1"].numerator) == codes(*"CENGQH")
    assert f["2.1"].value == pytest.approx(100 * 215 / 280)
    # 2.2: (750 + 1420 + 1095 + 840 + 30 + 480 + 240 + 1440 + 90 + 150 + 480 + 2380 + 625) / 225 hours.
    assert f["2.2"].value == pytest.approx(10020 / 225)
    assert f["2.2"].unit == "h"
    # 3.3: received in the period 260; online with an electronic result: M (25); L has none.
    assert f["3.3"].value == pytest.approx(100 * 25 / 260)
    assert set(f["3.3"].numerator) == codes("M")
    # 3.6: dossiers with a fee K (20) + M (25); paid online M.
    assert f["3.6"].value == pytest.approx(100 * 25 / 45)
    # 4.1: results in the period A B C D E K L M N O S = 205, all paper; e-result M + S = 50.
    assert f["4.1"].value == pytest.approx(100 * 50 / 205)
    assert f["4.2"].value == pytest.approx(100 * 55 / 260)  # A + M: components and result digitised
    assert f["4.3"].value == pytest.approx(100 * 30 / 260)  # A
    assert f["4.4"].value == pytest.approx(100 * 25 / 260)  # M
    assert f["4.5"].value == pytest.approx(100 * 50 / 260)  # A + B
    assert f["1.4"].value == pytest.approx(100 * 245 / 260)  # all but C
    # 5.4 = 100 − (65/280 late + 20/280 with a complaint or dislike (B)).
    assert f["5.4"].value == pytest.approx(100 - 100 * 85 / 280)
    assert set(f["5.4"].numerator) == codes(*"CENGQHB")


def test_766_by_field_and_counter() -> None:
    by_field = indicators_766(golden(), NOV, "field")
    # Hộ tịch: judged 100 finished + 30 open = 130; late C 15 + E 10 + G 10 + H 10 = 45.
    assert by_field[HT]["2.1"].value == pytest.approx(100 * 85 / 130)
    # Chứng thực: judged 125 + 25 = 150; late N 10 + Q 10 = 20.
    assert by_field[CT]["2.1"].value == pytest.approx(100 * 130 / 150)
    by_counter = indicators_766(golden(), NOV, "counter")
    assert set(by_counter) == {"Quầy 1", "Quầy 2"}
    assert sum(len(g["2.1"].denominator) for g in by_counter.values()) == 280


def test_no_data_where_the_desk_records_nothing() -> None:
    bare = [
        DossierFacts(
            code=f.code,
            received_at=f.received_at,
            due_at=f.due_at,
            steps=f.steps,
            channel=f.channel,
            field=f.field,
            fee_due=f.fee_due,
        )
        for f in golden()
    ]
    f = indicators_766(bare, NOV)[""]
    for name in ("1.4", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "4.5", "5.4"):
        assert f[name].value is None and f[name].reason is not None, name
        assert f[name].reason.code.startswith("stats.no_data."), name
    assert f["2.1"].value == pytest.approx(100 * 215 / 280)  # computed from the store's own data
    # An online dossier without result data makes 3.3 unknown; with no online dossier 3.3 is known: 0.
    offline = [x for x in bare if x.channel != "online"]
    assert indicators_766(offline, NOV)[""]["3.3"].value == 0.0


def test_an_earlier_period_sees_the_dossier_as_it_was() -> None:
    # October: only O (received 10-28, open at 11-01: due 11-02 → within) and P (finished 10-03, early).
    octo = Period(datetime(2026, 10, 1), datetime(2026, 11, 1))
    r = report_06a(golden(), octo)
    assert r.total.values() == [30, 0, 30, 0, 10, 10, 0, 0, 20, 20, 0]


def test_at_risk() -> None:
    cal = WorkingCalendar()
    facts = golden()
    # Monday 23/11 08:00 + 4 working hours (7:00–11:30, 13:30–17:00) ends Monday 14:00: nothing due.
    rows, have = at_risk(facts, t("11-23 08:00"), 4, cal)
    assert not have  # no online acceptance deadline is recorded
    assert rows == []
    # + 16 working hours: Monday 7 h, Tuesday 24/11 off (NQ 28/2026), Wednesday 8 h, Thursday 1 h → 26/11
    # 08:00: G (due 25/11 09:00) is inside; Q, F and R are not received yet; the others are closed.
    rows, _ = at_risk(facts, t("11-23 08:00"), 16, cal)
    assert {r.code for r in rows if r.reason == "turning_late"} == codes("G")
    assert {r.reason for r in rows} == {"turning_late"}
    # E has two supplement requests but is closed; an open copy of it is flagged.
    open_e = DossierFacts(
        code="E-open",
        received_at=t("11-02 09:00"),
        due_at=t("11-05 09:00"),
        steps=(
            Step("receive", t("11-02 09:00")),
            Step("request_supplement", t("11-02 10:00")),
            Step("supplement_received", t("11-02 11:00")),
            Step("request_supplement", t("11-02 12:00")),
        ),
    )
    rows, _ = at_risk([open_e], t("11-03 09:00"), 8, cal)
    assert [r.reason for r in rows] == ["second_supplement"]


# --- identities of 06a on random stores -----------------------------------------------------------------

BASE = datetime(2026, 10, 1)
_ACTIONS = (
    "request_supplement",
    "supplement_received",
    "result_ready",
    "hand_back",
    "withdraw",
    "stop",
    "forward",
    "apologise",
)


@hs.composite
def dossier(draw: hs.DrawFn, i: int = 0) -> DossierFacts:
    received = BASE + timedelta(hours=draw(hs.integers(0, 24 * 90)))
    due = received + timedelta(hours=draw(hs.integers(1, 24 * 20)))
    gaps = draw(hs.lists(hs.integers(1, 24 * 10), max_size=5))
    acts = draw(hs.lists(hs.sampled_from(_ACTIONS), min_size=len(gaps), max_size=len(gaps)))
    first = draw(hs.sampled_from(("receive", "receive", "receive", "refuse")))
    steps = [Step(first, received)]
    at = received
    for gap, act in zip(gaps, acts, strict=True):
        at += timedelta(hours=gap)
        steps.append(Step(act, at))
    return DossierFacts(
        code=f"X{draw(hs.integers(0, 10**9))}",
        received_at=received,
        due_at=due,
        steps=tuple(steps),
        channel=draw(hs.sampled_from(("direct", "postal", "online"))),
        field=draw(hs.sampled_from((HT, CT, "Đất đai"))),
    )


def _identities(facts: Sequence[DossierFacts], period: Period) -> None:
    r = report_06a(facts, period)
    for row in (*r.rows, r.total):
        c = {n: row.col(n) for n in range(3, 14)}
        assert c[3] == c[4] + c[5] + c[6]
        assert c[7] == c[8] + c[9] + c[10]
        assert c[11] == c[12] + c[13]
        assert c[3] == c[7] + c[11]  # everything received or carried over is finished or still pending
    for n in range(3, 14):
        assert sum(row.col(n) for row in r.rows) == r.total.col(n)


@settings(max_examples=150, deadline=None)
@given(hs.lists(dossier(), max_size=60), hs.integers(0, 80), hs.integers(1, 60))
def test_06a_identities_on_random_stores(facts: list[DossierFacts], start: int, days: int) -> None:
    period = Period(BASE + timedelta(days=start), BASE + timedelta(days=start + days))
    _identities(facts, period)
