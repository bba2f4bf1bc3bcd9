"""The dashboard's figures computed in a child process (app.services.dashboard_child): the same figures as
in this process, on the encrypted store opened read-only there; a dead child falls back to this process."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from app.domain.status import Action
from app.models.db import Store as DbStore
from app.models.db import StoreError
from app.services import dashboard_child as dc
from app.services import dossiers as svc
from app.services import reports
from app.services.audit import Actor
from app.services.store import Store

NOW = datetime.now().replace(microsecond=0)


def _fill(store: Store) -> None:
    """Dossiers over three months at two counters: ended on time, ended late (a past promise), open."""
    for i, days in enumerate((70, 40, 33, 20, 9, 3, 1, 0)):
        actor = Actor("Trần Văn Trước", f"Quầy {1 + i % 2}")
        at = NOW - timedelta(days=days, hours=2)
        d = svc.receive(
            store,
            actor,
            svc.ReceiveRequest(
                "1.004873",
                svc.ApplicantInput(full_name=f"Người {'ABCDEFGH'[i]}", address="Phường Bắc Giang"),
                received_at=at,
            ),
        ).dossier_id
        if i % 3 == 0:
            svc.perform(store, actor, d, Action.RESULT_READY)
        elif i % 3 == 1:
            svc.perform(store, actor, d, Action.REQUEST_SUPPLEMENT, reason="Thiếu bản sao")


@pytest.fixture
def child() -> Iterator[None]:
    yield
    dc.stop_dashboard_child()


def _child_pids() -> list[int]:
    pool = dc._pool
    assert pool is not None
    return [p.pid for p in pool._processes.values() if p.pid is not None]


def test_the_child_gives_the_same_figures_as_this_process(store: Store, child: None) -> None:
    assert store.key is not None  # the store is encrypted: the child opened it with the same key
    _fill(store)
    here = reports.dashboard(store, NOW)
    there = dc.dashboard_in_child(store, NOW)
    assert there == here
    assert sum(there.backlog.values()) >= 5 and len(there.trend) == 12
    assert [c.counter for c in there.counters] == ["Quầy 1", "Quầy 2"]
    assert sum(p.judged for p in there.trend) > 0
    pids = _child_pids()
    assert pids and os.getpid() not in pids
    # The child stays for the next load, which sees a change made here since.
    svc.receive(
        store,
        Actor("Trần Văn Trước", "Quầy 3"),
        svc.ReceiveRequest("1.004873", svc.ApplicantInput(full_name="Người mới", address="Phường Bắc Giang")),
    )
    again = dc.dashboard_in_child(store, NOW + timedelta(seconds=5))
    assert again == reports.dashboard(store, NOW + timedelta(seconds=5))
    assert sum(again.backlog.values()) == sum(here.backlog.values()) + 1
    assert _child_pids() == pids


@pytest.mark.expect_log("app.services.dashboard_child", "WARNING", "the dashboard process died")
def test_a_dead_child_falls_back_to_this_process(store: Store, child: None) -> None:
    _fill(store)
    expected = reports.dashboard(store, NOW)
    assert dc.dashboard_in_child(store, NOW) == expected
    (pid,) = _child_pids()
    os.kill(pid, signal.SIGKILL)
    pool = dc._pool
    assert pool is not None
    end = time.monotonic() + 10  # the pool notices its child's death on its own thread
    while not pool._broken and time.monotonic() < end:
        time.sleep(0.01)
    assert dc.dashboard_in_child(store, NOW) == expected  # computed here, with a warning
    assert dc._pool is None
    assert dc.dashboard_in_child(store, NOW) == expected  # a new child for the next load
    (new_pid,) = _child_pids()
    assert new_pid != pid


@pytest.mark.expect_log("app.services.dashboard_child", "WARNING", "could not start")
def test_no_child_process_computes_here(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_process() -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(dc, "_get_pool", no_process)
    _fill(store)
    assert dc.dashboard_in_child(store, NOW) == reports.dashboard(store, NOW)


def test_a_read_only_store_refuses_writes(store: Store) -> None:
    ro = DbStore(store.path, store.key, read_only=True)
    try:
        with ro.read() as s:
            assert s.connection().exec_driver_sql("SELECT COUNT(*) FROM procedures").scalar_one() > 0
        with pytest.raises(StoreError), ro.write() as s:
            s.connection().exec_driver_sql("DELETE FROM procedures")
    finally:
        ro.dispose()
    with store.read() as s:
        assert s.connection().exec_driver_sql("SELECT COUNT(*) FROM procedures").scalar_one() > 0
