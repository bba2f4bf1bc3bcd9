"""Crash harness: a desk process is SIGKILLed at random moments while it receives, prints and syncs.

One data folder serves every run (a crash must never spoil it for the next one). Each run forks a desk
process from a zygote (modules imported once), lets it work for a random time and kills it with SIGKILL;
the desk writes to a ledger only *after* a call returned (received code, printed code and the SHA-256 of the
PDF handed out). After every kill the store must pass ``PRAGMA integrity_check`` and ``audit.verify``, keep
every invariant of ``faults.harness.store_problems`` (no dossier without its event, outbox and audit rows,
every printed PDF archived with its audit entry, the search index whole, no lease counter behind an issued
number) and hold every code the ledger reports as received or printed. At the end one clean sync must push
everything, and each dossier and each event is then on the server exactly once.

``MOTCUA_SOAK_RUNS`` sets the number of runs (50; ``make soak``: 500), ``MOTCUA_FAULT_SEED`` the seed of
the kill delays. A kill -9 leaves what the kernel has been given intact, so this proves atomicity of each
use case under process crashes, not durability under power loss (that rests on WAL with
``synchronous=FULL``).
"""

from __future__ import annotations

import random
import shutil
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from faults.harness import (
    RunReport,
    local_dossiers,
    local_event_ids,
    new_desk,
    outbox_states,
    read_ledger,
    server_problems,
    soak_runs,
    store_problems,
    zygote,
)
from faults.harness import fault_seed as base_seed
from faults.harness import kill as sigkill
from keyed import give_store_key
from srvkit import A, World, sign_in

from app.bootstrap import open_store
from app.paths import database_path
from app.sync import engine
from app.sync.client import SyncClient
from tools.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.slow

#: A desk process is killed this long after it was forked (the first ~30 ms open the store).
KILL_AFTER = (0.0, 0.6)


def test_kill_9_during_intake_printing_and_sync(
    world: World, tmp_path: Path, template_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    runs = soak_runs()
    seed = base_seed()
    rng = random.Random(seed)
    data = tmp_path / "desk"
    store = new_desk(data, template_dir, world.live.url, world.enrol_code(A), "Quầy crash")
    sign_in(world, engine.connection(store)[2], A)  # its operators log in online once
    url, device, token = engine.connection(store)
    with SyncClient(url, token) as client:  # leases for today before the first crash
        engine.SyncEngine(store, client).run_round()
    store.dispose()
    # The store's audit-chain key in the killed desks' keyring too (issue 16, D10).
    audit_secrets = [[*k, v] for k, v in memory_keyring.secrets.items() if k[1].startswith("audit-")]
    db = database_path(data)
    warm_copy = tmp_path / "warm.sqlite3"
    shutil.copy(database_path(template_dir), warm_copy)
    give_store_key(template_dir, warm_copy.parent)
    ledger = tmp_path / "ledger.txt"
    received: set[str] = set()
    printed: set[tuple[str, str]] = set()
    phases: Counter[str] = Counter()
    started = time.monotonic()
    with zygote(tmp_path / "zygote.log") as z:
        z.warm(warm_copy)
        for run in range(runs):
            pid = z.fork(
                run=run,
                seed=seed * 1000 + run,
                data_dir=str(data),
                ledger=str(ledger),
                log=str(tmp_path / "desk.log"),
                token_name=engine.token_name(device),
                token=token,
                secrets=audit_secrets,
            )
            time.sleep(rng.uniform(*KILL_AFTER))
            sigkill(pid)
            killed_by, exit_code = z.wait(pid)
            report = read_ledger(ledger).get(run) or RunReport(run)  # none: killed before its first step
            assert killed_by == signal.SIGKILL, (
                f"run {run}: the desk ended by itself ({exit_code}): {report.error}; "
                f"log: {(tmp_path / 'desk.log').read_text(encoding='utf-8')[-3000:]}"
            )
            phases[report.killed_in] += 1
            received.update(report.received)
            printed.update(report.printed)
            problems = store_problems(db, received=received, printed=printed)
            assert not problems, f"run {run} (killed in {report.killed_in}): {problems}"
    crash_time = time.monotonic() - started
    print(f"\n{runs} kills in {crash_time:.1f} s, seed {seed}; killed in: {dict(phases)}")
    print(f"{len(received)} dossiers received, {len(printed)} printed documents reported")
    assert received, "no run got as far as receiving a dossier"

    # A clean sync pushes everything the crashes left pending; every dossier and event once on the server.
    store = open_store(data)
    try:
        for _ in range(3):
            with SyncClient(url, token) as client:
                engine.SyncEngine(store, client).run_round()
            if engine.outbox_counts(store) == (0, 0):
                break
        parked = engine.parked_events(store)
        assert not parked, f"the server refused events after crashes: {parked[:3]}"
        assert engine.outbox_counts(store) == (0, 0), outbox_states(db)
    finally:
        store.dispose()
    assert not store_problems(db, received=received, printed=printed, hashes=True)
    assert not server_problems(world.db, local_dossiers(db), local_event_ids(db))
