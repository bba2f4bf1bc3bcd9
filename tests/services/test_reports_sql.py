"""The desk's reduced SQL path of the reports equals the pure domain path, on random stores.

``app.services.reports`` reduces each dossier in SQL (first receive and refusal, first of each ending
action before the period end, the supplement and apology steps) and judges it with
``app.domain.stats766.judge``; the reference reads every step (``_facts``) and runs
``app.domain.stats766.evaluate``. Random stores written straight into the desk's schema (as the
benchmark does) cover the edges: two supplement requests, a completion without a request, a pending
request, equal times, refused before or after acceptance, no receive event, receipts without a recorded
promise (the first apology's previous date is used), ends after the period, withdrawals and stops.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from keyed import connect_raw

from app.bootstrap import open_store
from app.domain import stats766 as st
from app.services import reports

F = "%Y-%m-%d %H:%M:%S.%f"
BASE = datetime(2026, 3, 2, 7, 30)
ACTIONS = (
    "request_supplement",
    "supplement_received",
    "result_ready",
    "hand_back",
    "withdraw",
    "stop",
    "apologise",
    "refuse",
    "start_processing",
)
ENDING = ("result_ready", "hand_back", "withdraw", "stop")


def fill(data_dir: Path, n: int, rnd: random.Random) -> None:
    con = connect_raw(data_dir)
    procs = [r[0] for r in con.execute("SELECT id FROM procedures")][:6]
    centre = con.execute("SELECT id, agency_eid, name FROM centres WHERE is_home = 1").fetchone()
    aid = str(uuid.UUID(int=rnd.getrandbits(128)))
    con.execute(
        "INSERT INTO applicants (id, full_name, name_folded, address, created_at) VALUES (?,?,?,?,?)",
        (aid, "Test", "test", "", BASE.strftime(F)),
    )
    dossiers, events = [], []
    for i in range(n):
        received = BASE + timedelta(minutes=rnd.randrange(0, 60 * 24 * 120))
        due = received + timedelta(hours=rnd.randint(1, 24 * 12))
        did = str(uuid.UUID(int=rnd.getrandbits(128)))
        at = received
        steps: list[tuple[str, datetime, str]] = []
        first = rnd.choice(("receive",) * 6 + ("refuse_first", "no_receive"))
        if first == "refuse_first":
            steps.append(("refuse", at, "{}"))
            at += timedelta(minutes=rnd.choice((0, 5)))
        if first != "no_receive":
            promise = f'{{"due_at": "{due.isoformat()}"}}' if rnd.random() < 0.8 else "{}"
            steps.append(("receive", at, promise))
        for _ in range(rnd.randint(0, 5)):
            at += timedelta(hours=rnd.choice((0, 0, 1, 3, 20, 50, 200)), minutes=rnd.choice((0, 17)))
            if rnd.random() < 0.1:  # exactly at a midnight: a period's start or end
                at = datetime.combine(at.date() + timedelta(days=1), datetime.min.time())
            action = rnd.choice(ACTIONS)
            payload = "{}"
            if action == "apologise":
                previous = due + timedelta(hours=rnd.randint(-5, 5))
                payload = (
                    f'{{"previous_due_at": "{previous.isoformat()}"}}'
                    if rnd.random() < 0.7
                    else '{"previous_due_at": "not a date"}'
                )
            steps.append((action, at, payload))
        ended = [s[1] for s in steps if s[0] in ENDING]
        finished = min(ended) if ended and rnd.random() < 0.9 else None
        status = rnd.choice(("received", "in_process", "result_ready", "returned", "withdrawn", "stopped"))
        if first == "no_receive" and rnd.random() < 0.5:
            status = "new"
        dossiers.append(
            (
                did,
                f"{centre[1]}-T{i:05d}",
                rnd.choice(procs),
                aid,
                centre[0],
                centre[2],
                rnd.choice(("online", "direct", "postal")),
                received.strftime(F),
                (due + timedelta(days=rnd.choice((0, 0, 3)))).strftime(F),
                status,
                rnd.choice((0, 0, 50000)),
                finished.strftime(F) if finished else None,
                received.strftime(F),
            )
        )
        seqs = list(range(1, len(steps) + 1))
        if rnd.random() < 0.1:  # seq order need not follow time order
            rnd.shuffle(seqs)
        for seq, (action, when, payload) in zip(seqs, steps, strict=True):
            events.append(
                (
                    str(uuid.UUID(int=rnd.getrandbits(128))),
                    did,
                    seq,
                    action,
                    "x",
                    when.strftime(F),
                    f"op{rnd.randint(1, 3)}",
                    f"Quầy {rnd.randint(1, 3)}",
                    payload,
                )
            )
    with con:
        con.executemany(
            "INSERT INTO dossiers (id, code, lookup_secret, procedure_id, applicant_id, receiving_centre_id,"
            " receiving_agency, competent_agency, handling_agency, scenario, channel, received_at, due_at,"
            " status, papers_received, sets_count, fee_vnd, result_delivery, notes, finished_at,"
            " version, created_at, updated_at)"
            " VALUES (?,?,'',?,?,?,?,'','','a',?,?,?,?,'[]',1,?,'counter','',"
            "?,1,?,?)",
            [(*d, d[-1]) for d in dossiers],
        )
        con.executemany(
            "INSERT INTO dossier_events (id, dossier_id, seq, action, to_status, occurred_at, operator_name,"
            " workstation_name, reason, payload, origin) VALUES (?,?,?,?,?,?,?,?,'',?,'local')",
            events,
        )
    con.close()


def _key(e: st.Evaluation) -> tuple[object, ...]:
    f = e.facts
    return (
        f.code,
        f.received_at,
        f.due_at,
        f.current_due_at,
        f.channel,
        f.centre,
        f.counter,
        f.officer,
        f.field,
        f.procedure,
        f.fee_due,
        e.accepted,
        e.received_in_period,
        e.carried_over,
        e.end,
        e.finished_in_period,
        e.open_at_end,
        e.ending,
        e.supplements,
        e.timeliness,
        e.processing_hours,
    )


def _figures(groups: dict[str, dict[str, st.Figure]]) -> dict[str, dict[str, tuple[object, ...]]]:
    return {
        k: {
            n: (f.value, sorted(f.numerator), sorted(f.denominator), f.reason and f.reason.code)
            for n, f in g.items()
        }
        for k, g in groups.items()
    }


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sql_path_equals_domain_path(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    store = open_store(tmp_path, demo=True)
    try:
        fill(tmp_path, 250, rnd)
        periods = [reports.period_of(date(2026, 1, 1), date(2026, 12, 31))]
        for _ in range(5):
            first = date(2026, 3, 1) + timedelta(days=rnd.randrange(0, 130))
            periods.append(reports.period_of(first, first + timedelta(days=rnd.randrange(0, 40))))
        judged = 0
        for period in periods:
            with store.read() as s:
                reference = [
                    st.evaluate(f, period) for f in reports._facts(s, *reports._period_where(period))
                ]
                reduced = list(reports._evaluations(s, period))
            assert sorted(map(_key, reduced), key=repr) == sorted(map(_key, reference), key=repr)
            judged += sum(e.timeliness is not None for e in reference)
            for group_by in st.GROUPINGS:
                figures = st.indicators_766_of(reference, group_by)
                assert _figures(st.indicators_766_of(reduced, group_by)) == _figures(figures)
                counts = st.on_time_counts(iter(reduced), group_by)  # the dashboard's streamed 2.1
                assert list(counts) == list(figures)
                for k, c in counts.items():
                    f21, f33 = figures[k]["2.1"], figures[k]["3.3"]
                    assert (c.on_time, c.judged, c.received, c.share) == (
                        len(f21.numerator),
                        len(f21.denominator),
                        len(f33.denominator),
                        f21.value,
                    )
            a, b = st.report_06a_of(reduced, period), st.report_06a_of(reference, period)
            assert [(r.field, {c: sorted(v) for c, v in r.codes.items()}) for r in (*a.rows, a.total)] == [
                (r.field, {c: sorted(v) for c, v in r.codes.items()}) for r in (*b.rows, b.total)
            ]
        assert judged > 100  # the random stores do reach the classification
    finally:
        store.dispose()


def test_reports_use_the_reduced_path(tmp_path: Path) -> None:
    """report_766 / report_06a (the CLI's and the export's source) give the reference's figures."""
    store = open_store(tmp_path, demo=True)
    try:
        fill(tmp_path, 200, random.Random(9))
        first, last = date(2026, 3, 1), date(2026, 5, 31)
        period = reports.period_of(first, last)
        with store.read() as s:
            facts = reports._facts(s, *reports._period_where(period))
        assert _figures(reports.report_766(store, first, last, "field")) == _figures(
            st.indicators_766(facts, period, "field")
        )
        assert (
            reports.report_06a(store, first, last).total.values()
            == st.report_06a(facts, period).total.values()
        )
    finally:
        store.dispose()
