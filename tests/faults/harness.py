"""Helpers of the fault harness (``tests/faults`` and ``tests/server/test_faults_*.py``).

- Knobs: ``MOTCUA_SOAK_RUNS`` (crash runs, 50 by default, 500 in ``make soak``), ``MOTCUA_FAULT_EXAMPLES``
  (Hypothesis examples per property, each test has its CI default ≤ 200), ``MOTCUA_FAULT_SEED`` (seed of the
  crash delays, the proxy's random faults and Hypothesis; unset = fixed seeds and derandomised Hypothesis,
  so CI runs are reproducible).
- :func:`store_problems`: every invariant of a local store that a crash must not break, checked with SQL of
  its own (an oracle independent of the services) plus ``integrity_check`` and ``audit.verify``.
- The crash rig: a *zygote* process (all modules imported once) forks one desk process per run; the desk
  receives, prints and syncs in a loop and writes what it has done to a ledger file only *after* each call
  returned; the test SIGKILLs it at a random moment.

Imported as ``faults.harness`` (``tests/`` is on ``sys.path``: it has no ``__init__.py``); run as a script
it is the zygote.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve()

#: The Vietnamese letters with diacritics; a reason "in Vietnamese" contains at least one.
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


# --- knobs -------------------------------------------------------------------------------------------


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def soak_runs(default: int = 50) -> int:
    return _env_int("MOTCUA_SOAK_RUNS", default)


def fault_seed(default: int = 20260504) -> int:
    return _env_int("MOTCUA_FAULT_SEED", default)


def examples(default: int) -> int:
    return _env_int("MOTCUA_FAULT_EXAMPLES", default)


def fuzz_settings(default_examples: int) -> Any:
    """Hypothesis settings of the harness: bounded, no example database, reproducible in CI."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=examples(default_examples),
        deadline=None,
        database=None,
        derandomize="MOTCUA_FAULT_SEED" not in os.environ,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        print_blob=True,
    )


def is_vietnamese(text: str | None) -> bool:
    return bool(text) and VIETNAMESE.search(text or "") is not None


# --- store invariants ----------------------------------------------------------------------------------

# Each query lists what breaks one invariant; an empty result means it holds.
_INVARIANTS: dict[str, str] = {
    "dossier without events": (
        "SELECT coalesce(d.code, d.id) FROM dossiers d "
        "WHERE NOT EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id)"
    ),
    "dossier without applicant": (
        "SELECT coalesce(d.code, d.id) FROM dossiers d "
        "WHERE NOT EXISTS (SELECT 1 FROM applicants a WHERE a.id = d.applicant_id)"
    ),
    "local event without outbox entry": (
        "SELECT e.id FROM dossier_events e WHERE e.origin = 'local' "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id)"
    ),
    "outbox entry without its event": (
        "SELECT o.event_id FROM outbox o WHERE o.dossier_id IS NOT NULL AND o.event_type != 'dossier.files' "
        "AND NOT EXISTS (SELECT 1 FROM dossier_events e WHERE e.id = o.event_id)"
    ),
    # Digitised papers (issue 19): a dossier.files event lives in the outbox beside its file row.
    "dossier.files event without its file row": (
        "SELECT o.event_id FROM outbox o WHERE o.event_type = 'dossier.files' "
        "AND NOT EXISTS (SELECT 1 FROM dossier_files f WHERE f.event_id = o.event_id)"
    ),
    "local file row without its outbox event": (
        "SELECT f.id FROM dossier_files f WHERE f.source != 'server' "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = f.event_id)"
    ),
    "paper with more than one current file": (
        "SELECT f.dossier_id || ' ' || f.kind || ' ' || f.paper_no FROM dossier_files f "
        "WHERE f.replaced_at IS NULL GROUP BY f.dossier_id, f.kind, f.paper_no HAVING count(*) > 1"
    ),
    "local receipt without audit entry": (
        "SELECT coalesce(d.code, d.id) FROM dossiers d "
        "JOIN dossier_events e ON e.dossier_id = d.id AND e.seq = 1 AND e.origin = 'local' "
        "AND e.action = 'receive' "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.entity_id = d.id "
        "AND a.action = 'dossier.receive')"
    ),
    "local actions and their audit entries differ in number": (
        "SELECT e.dossier_id || ' ' || e.action FROM dossier_events e "
        "WHERE e.origin = 'local' AND e.action NOT IN ('receive', 'transfer') "
        "GROUP BY e.dossier_id, e.action "
        "HAVING count(*) != (SELECT count(*) FROM audit_entries a "
        "WHERE a.entity_id = e.dossier_id AND a.action = 'dossier.' || e.action)"
    ),
    "printed document without audit entry": (
        "SELECT p.id FROM printed_documents p WHERE NOT EXISTS (SELECT 1 FROM audit_entries a "
        "WHERE a.action IN ('print', 'print.reprint') AND a.entity_id = p.dossier_id "
        "AND json_extract(a.details, '$.sha256') = p.sha256)"
    ),
    "print audit entry without printed document": (
        "SELECT a.id FROM audit_entries a WHERE a.action IN ('print', 'print.reprint') "
        "AND NOT EXISTS (SELECT 1 FROM printed_documents p WHERE p.dossier_id = a.entity_id "
        "AND p.sha256 = json_extract(a.details, '$.sha256'))"
    ),
    "printed form without exactly one original": (
        "SELECT p.dossier_id || ' ' || p.form FROM printed_documents p GROUP BY p.dossier_id, p.form "
        "HAVING sum(p.is_copy = 0) != 1"
    ),
    "printed document that is not a whole PDF": (
        "SELECT p.id FROM printed_documents p WHERE substr(p.pdf, 1, 5) != CAST('%PDF-' AS BLOB) "
        "OR instr(substr(p.pdf, -64), CAST('%%EOF' AS BLOB)) = 0"
    ),
    "dossier missing from the search index": (
        "SELECT coalesce(code, id) FROM dossiers WHERE rowid NOT IN (SELECT rowid FROM dossier_search)"
    ),
    "search index row without dossier": (
        "SELECT rowid FROM dossier_search WHERE rowid NOT IN (SELECT rowid FROM dossiers)"
    ),
    "outbox entry in an unknown state": (
        "SELECT seq FROM outbox WHERE state NOT IN ('pending', 'sent', 'parked')"
    ),
}


def store_problems(
    db_path: Path,
    *,
    received: Iterable[str] = (),
    printed: Iterable[tuple[str, str]] = (),
    hashes: bool = False,
) -> list[str]:
    """What is wrong with the store at ``db_path``: SQLite integrity, the audit chain, the invariants
    above, lease counters behind issued numbers, every code of ``received`` present, and every PDF of
    ``printed`` ((code, SHA-256) of each PDF handed out) archived with its dossier; with ``hashes``, every
    archived PDF against its recorded SHA-256 too. Empty = sound."""
    import hashlib

    from sqlalchemy import text

    from app.domain.codes import parse_code
    from app.models.db import Store, integrity_check
    from app.services import audit

    problems: list[str] = []
    store = Store(db_path, store_key(db_path))
    try:
        problems += [f"integrity: {p}" for p in integrity_check(store.engine)]
        with store.read() as s:
            report = audit.verify(s)
            if not report.ok:
                problems.append(
                    f"audit chain: {report.reason} {'; '.join(f.en for f in report.findings)}".strip()
                )
            for name, sql in _INVARIANTS.items():
                rows = [r[0] for r in s.execute(text(sql)).all()]
                if rows:
                    problems.append(f"{name}: {rows[:5]}")
            codes = {
                r[0]: r[1]
                for r in s.execute(
                    text(
                        "SELECT d.code, d.id FROM dossiers d JOIN dossier_events e ON e.dossier_id = d.id "
                        "AND e.seq = 1 AND e.origin = 'local' WHERE d.code IS NOT NULL"
                    )
                ).all()
            }
            leases: dict[tuple[str, date], list[tuple[int, int]]] = {}
            for eid, day, first, nxt in s.execute(
                text("SELECT agency_eid, day, first_number, next_number FROM number_leases")
            ).all():
                leases.setdefault((eid, date.fromisoformat(str(day)[:10])), []).append((first, nxt))
            for code in codes:
                parsed = parse_code(code)
                spans = leases.get((parsed.agency_eid, parsed.day), [])
                if not any(first <= parsed.number < nxt for first, nxt in spans):
                    problems.append(
                        f"number of {code} is not behind any lease counter (could be issued again)"
                    )
            for code in received:
                if code not in codes:
                    problems.append(f"dossier {code} was reported received but is not in the store")
            for code, sha in set(printed):
                row = s.execute(
                    text(
                        "SELECT p.pdf FROM printed_documents p JOIN dossiers d ON d.id = p.dossier_id "
                        "WHERE d.code = :code AND p.sha256 = :sha"
                    ),
                    {"code": code, "sha": sha},
                ).first()
                if row is None:
                    problems.append(f"the PDF printed for {code} ({sha[:12]}…) is not archived in the store")
                elif hashlib.sha256(row[0]).hexdigest() != sha:
                    problems.append(f"the archived PDF of {code} does not match its hash")
            if hashes:
                for doc_id, sha, pdf in s.execute(text("SELECT id, sha256, pdf FROM printed_documents")):
                    if hashlib.sha256(pdf).hexdigest() != sha:
                        problems.append(f"printed document {doc_id}: the PDF does not match its SHA-256")
    finally:
        store.dispose()
    return problems


def store_key(db_path: Path) -> bytes | None:
    """The SQLCipher key of the store (or backup) at ``db_path``, from the test's keyring (None: a
    plain file)."""
    from app.models import cipher
    from app.services import storekey

    if cipher.is_plain(db_path):
        return None
    return storekey.load(db_path.parent if db_path.parent.name != "backups" else db_path.parent.parent)


def raw_connect(db_path: Path, *, readonly: bool = False) -> Any:
    """A DB-API connection on a desk store below the app (keyed when the store is encrypted)."""
    from app.models import cipher

    key = store_key(db_path)
    if readonly:
        return cipher.connect(f"file:{db_path}?mode=ro", key, uri=True)
    return cipher.connect(db_path, key)


def outbox_states(db_path: Path) -> Counter[str]:
    con = raw_connect(db_path)
    try:
        return Counter(dict(con.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()))
    finally:
        con.close()


def local_event_ids(db_path: Path) -> list[str]:
    con = raw_connect(db_path)
    try:
        return [r[0] for r in con.execute("SELECT id FROM dossier_events WHERE origin = 'local'")]
    finally:
        con.close()


def local_dossiers(db_path: Path) -> dict[str, str | None]:
    """id → code of the dossiers this desk received (first event local)."""
    con = raw_connect(db_path)
    try:
        return dict(
            con.execute(
                "SELECT d.id, d.code FROM dossiers d JOIN dossier_events e ON e.dossier_id = d.id "
                "AND e.seq = 1 AND e.origin = 'local'"
            ).fetchall()
        )
    finally:
        con.close()


# --- disk faults ----------------------------------------------------------------------------------


def table_snapshot(db: Path) -> dict[str, Any]:
    """Every row count, the lease counters and the settings (audit chain head, sync cursor): what "nothing
    was written" compares."""
    con = raw_connect(db, readonly=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'dossier_search_%'"
            )
        ]
        out: dict[str, Any] = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        out["lease counters"] = con.execute("SELECT group_concat(next_number) FROM number_leases").fetchone()
        out["settings"] = con.execute("SELECT group_concat(key || '=' || value) FROM settings").fetchone()
        return out
    finally:
        con.close()


@contextmanager
def _on_every_connection(store: Any, setup: Callable[[Any, Any], None]) -> Iterator[None]:
    """``setup(dbapi_connection, record)`` on every connection ``store`` opens while the block runs; the
    pooled connections are dropped before (they would not have it) and after (they would keep it)."""
    from sqlalchemy import event

    store.engine.dispose()
    event.listen(store.engine, "connect", setup)
    try:
        yield
    finally:
        event.remove(store.engine, "connect", setup)
        store.engine.dispose()


@contextmanager
def disk_full(store: Any) -> Iterator[None]:
    """Writes that need a new page fail with SQLITE_FULL ("database or disk is full") on every connection
    of ``store``: ``PRAGMA max_page_count`` at the database's current size."""

    def limit(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    with _on_every_connection(store, limit):
        yield


@contextmanager
def read_only(store: Any) -> Iterator[None]:
    """Every write on ``store`` fails with SQLITE_READONLY ("attempt to write a readonly database"), as on a
    data folder that became read-only: ``PRAGMA query_only`` on every connection."""

    def deny(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = 1")

    with _on_every_connection(store, deny):
        yield


def refused_until_full(db: Path, attempt: Callable[[int], object], tries: int = 60) -> Any:
    """Call ``attempt`` until the full disk refuses it (``StoreError``, returned); check that the refused
    call wrote nothing. The first calls may still fit in the pages' free space."""
    from app.models.db import StoreError

    for i in range(tries):
        before = table_snapshot(db)
        try:
            attempt(i)
        except StoreError as exc:
            assert table_snapshot(db) == before, "a refused operation left rows behind"
            return exc
    raise AssertionError(f"{tries} attempts and the disk never filled up")


# --- the server side ---------------------------------------------------------------------------------


def server_problems(db: Any, dossiers: Mapping[str, str | None], event_ids: Iterable[str]) -> list[str]:
    """Each of ``dossiers`` (id → code) exactly once on the server (by id and by code), each of
    ``event_ids`` exactly once, and nothing else."""
    from sqlalchemy import func, select

    from server import models as sm

    problems: list[str] = []
    events = list(event_ids)
    with db.engine.connect() as conn:
        by_id = Counter(conn.execute(select(sm.Dossier.id)).scalars())
        by_code = Counter(c for c in conn.execute(select(sm.Dossier.code)).scalars() if c is not None)
        server_events = Counter(conn.execute(select(sm.EventRow.event_id)).scalars())
        total = conn.execute(select(func.count()).select_from(sm.Dossier)).scalar_one()
    for dossier_id, code in dossiers.items():
        if by_id[dossier_id] != 1:
            problems.append(f"dossier {code or dossier_id} is {by_id[dossier_id]} times on the server")
        if code is not None and by_code[code] != 1:
            problems.append(f"code {code} is {by_code[code]} times on the server")
    if total != len(dossiers):
        problems.append(f"the server has {total} dossiers, the desk received {len(dossiers)}")
    for event_id in events:
        if server_events[event_id] != 1:
            problems.append(f"event {event_id} is {server_events[event_id]} times on the server")
    extra = set(server_events) - set(events)
    if extra:
        problems.append(f"{len(extra)} events on the server that the desk never made: {sorted(extra)[:3]}")
    return problems


# --- desks ---------------------------------------------------------------------------------------------


def new_desk(
    folder: Path,
    template_dir: Path,
    server_url: str,
    code: str,
    name: str,
    sign_in: Callable[[str], None] | None = None,
) -> Any:
    """A desk store copied from the template, enrolled with the server (token in the current keyring);
    ``sign_in(token)`` then logs its operators in online (``srvkit.sign_in``), so that the events naming
    them are accepted (issue 16, D7)."""
    import shutil

    from app.bootstrap import open_store
    from app.paths import database_path
    from app.sync import engine

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(database_path(template_dir), database_path(folder))
    __import__("keyed").give_store_key(template_dir, folder)  # tests/keyed.py (tests/ is on sys.path)
    store = open_store(folder)
    try:
        engine.enrol(store, server_url, code, name)
        if sign_in is not None:
            sign_in(engine.connection(store)[2])
    except BaseException:
        store.dispose()
        raise
    return store


# --- the crash rig --------------------------------------------------------------------------------------

PROCEDURES = (  # (procedure, address): scenarios (a), (a) without address, (c) and (b)
    ("1.001193", "Phường Bắc Giang, Tỉnh Bắc Ninh"),
    ("2.000815", ""),
    ("1.001612", "Phường Kinh Bắc, Tỉnh Bắc Ninh"),
    ("1.013831", "Phường Bắc Giang, Tỉnh Bắc Ninh"),
)
NAMES = ("Nguyễn Văn Đức", "Trần Thị Hồng", "Lê Minh Tuấn", "Phạm Thị Ánh", "H'Hen Niê", "Đặng Văn Hùng")
ACTIONS = ("start_processing", "result_ready", "hand_back", "forward")


@dataclass
class RunReport:
    """What one crash run did, from its ledger: codes received and printed, and the phase it was killed in."""

    run: int
    received: list[str] = field(default_factory=list)
    printed: list[tuple[str, str]] = field(default_factory=list)
    synced: int = 0
    killed_in: str = "start"
    error: str = ""


def read_ledger(path: Path) -> dict[int, RunReport]:
    runs: dict[int, RunReport] = {}
    if not path.exists():
        return runs
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) < 2 or not parts[0].isdigit():
            continue  # a line cut by the kill (a write is atomic, so this should not happen)
        run = runs.setdefault(int(parts[0]), RunReport(int(parts[0])))
        what = parts[1]
        if what.endswith(">"):
            run.killed_in = what[:-1]
        elif what == "received":
            run.received.append(parts[2])
            run.killed_in = "idle"
        elif what == "printed":
            run.printed.append((parts[2], parts[3]))
            run.killed_in = "idle"
        elif what == "synced":
            run.synced += 1
            run.killed_in = "idle"
        elif what == "error":
            run.error = " ".join(parts[2:])
        else:
            run.killed_in = "idle"
    return runs


class Zygote:
    """A process with the desk's modules imported that forks one desk process per crash run."""

    def __init__(self, log_path: Path) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env.pop("PYTEST_CURRENT_TEST", None)
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE), "zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=ROOT,
            env=env,
            text=True,
            bufsize=1,
        )
        self._call({"cmd": "ping"})

    def _call(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote died; see {self.log_path}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"zygote: {answer['error']}")
        return answer

    def warm(self, template_db: Path) -> None:
        key = store_key(template_db)
        self._call({"cmd": "warm", "db": str(template_db), "key": key.hex() if key else None})

    def fork(self, **job: Any) -> int:
        from app.services import storekey

        data_dir = Path(job["data_dir"])
        key = storekey.load(data_dir)  # the desk's store key goes with the job, as its device token does
        job = {
            **job,
            "store_key_name": storekey.keyring_name(data_dir),
            "store_key": key.hex() if key else "",
        }
        return int(self._call({"cmd": "fork", **job})["pid"])

    def wait(self, pid: int) -> tuple[int | None, int | None]:
        """(signal that ended it, exit code) of a desk process, once it has ended."""
        answer = self._call({"cmd": "wait", "pid": pid})
        return answer.get("signal"), answer.get("exit")

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self._call({"cmd": "quit"})
            self.proc.wait(10)
        except (OSError, RuntimeError, subprocess.TimeoutExpired):
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(10)
        finally:
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    with suppress(OSError):
                        pipe.close()
            self._log.close()


@contextmanager
def zygote(log_path: Path) -> Iterator[Zygote]:
    z = Zygote(log_path)
    try:
        yield z
    finally:
        z.close()


def kill(pid: int) -> None:
    """SIGKILL one desk process (a child of the zygote; not yet reaped, so its pid cannot be reused)."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# The zygote and the desk process (run as ``python harness.py zygote``). ----------------------------------


def _zygote_main() -> None:
    import keyring  # noqa: F401  (imported before forking, like everything the desk needs)

    from app.bootstrap import open_store  # noqa: F401
    from app.models.db import Store
    from app.print import forms  # noqa: F401
    from app.services import dossiers, printing  # noqa: F401
    from app.services.desk import address_index, load_calendar
    from app.sync import client, engine  # noqa: F401

    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        try:
            if cmd == "ping":
                answer: dict[str, Any] = {"ok": True}
            elif cmd == "warm":  # build the per-process caches once, on a copy the desks never use
                store = Store(Path(msg["db"]), bytes.fromhex(msg["key"]) if msg.get("key") else None)
                with store.read() as s:
                    address_index(s)
                    load_calendar(s)
                store.dispose()
                answer = {"ok": True}
            elif cmd == "fork":
                sys.stdout.flush()
                pid = os.fork()
                if pid == 0:
                    _desk_main(msg)  # never returns
                answer = {"pid": pid}
            elif cmd == "wait":
                _, status = os.waitpid(int(msg["pid"]), 0)
                answer = {
                    "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                    "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                }
            elif cmd == "quit":
                print(json.dumps({"ok": True}), flush=True)
                return
            else:
                answer = {"error": f"unknown command {cmd}"}
        except Exception as exc:  # report, keep serving
            answer = {"error": repr(exc)}
        print(json.dumps(answer), flush=True)


def _desk_main(job: dict[str, Any]) -> None:
    """One desk process: receive, print, act and sync in a loop until killed. Writes each step to the
    ledger *before* it starts (``phase>``) and what it produced *after* the call returned."""
    import random
    import traceback

    code = 0
    ledger = os.open(job["ledger"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    run = int(job["run"])

    def note(*parts: object) -> None:
        os.write(ledger, (" ".join(str(p) for p in (run, *parts)) + "\n").encode("utf-8"))

    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        log = os.open(job["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        _desk_loop(job, note, random.Random(int(job["seed"])))
    except BaseException as exc:
        traceback.print_exc()
        note("error", repr(exc).replace("\n", " ")[:300])
        code = 3
    finally:
        os._exit(code)


def _desk_loop(job: dict[str, Any], note: Any, rng: Any) -> None:
    import keyring
    from keyring.backend import KeyringBackend
    from sqlalchemy import select

    from app.bootstrap import open_store
    from app.domain.errors import DomainError
    from app.models import Dossier
    from app.services import dossiers as svc
    from app.services import printing
    from app.services.audit import Actor
    from app.sync import engine
    from app.sync.client import SyncClient, SyncError

    tokens = {
        ("motcua-desk", job["token_name"]): job["token"],
        ("motcua-desk", job["store_key_name"]): job["store_key"],
    }
    # The store's audit-chain key (issue 16, D10), as the desk's OS keyring holds it.
    tokens.update({(service, name): value for service, name, value in job.get("secrets", ())})

    class TokenKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return tokens.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            tokens[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            tokens.pop((service, username), None)

    keyring.set_keyring(TokenKeyring())
    note("open>")
    store = open_store(Path(job["data_dir"]))
    note("ready")
    url, _device, token = engine.connection(store)
    actor = Actor("Nguyễn Thị Lan", "Quầy crash")
    with SyncClient(url, token, timeout=20) as client:
        while True:
            op = rng.choices(("receive", "reprint", "act", "sync"), weights=(50, 12, 18, 20))[0]
            if op == "receive":
                proc, address = rng.choice(PROCEDURES)
                note("receive>")
                r = svc.receive(
                    store,
                    actor,
                    svc.ReceiveRequest(
                        proc,
                        svc.ApplicantInput(full_name=rng.choice(NAMES), address=address),
                        pages=1,  # the basis of 2.000815's per-page fee
                        copies=1,
                    ),
                )
                note("received", r.code)
                note("print>", r.code)
                printed = printing.print_dossier_form(store, actor, r.code, "receipt")
                note("printed", r.code, _sha(printed.pdf), printed.form)
                continue
            with store.read() as s:
                known = list(s.scalars(select(Dossier.code).where(Dossier.code.is_not(None)).limit(200)))
            if op == "reprint" and known:
                ref = rng.choice(known)
                form = rng.choice(("receipt", "receipt-80mm"))
                note("print>", ref)
                printed = printing.print_dossier_form(store, actor, ref, form)
                note("printed", ref, _sha(printed.pdf), form)
            elif op == "act" and known:
                ref, action = rng.choice(known), rng.choice(ACTIONS)
                note("act>", ref, action)
                try:
                    svc.perform(store, actor, ref, action)
                    note("acted", ref, action)
                except DomainError:
                    note("refused", ref, action)
            elif op == "sync":
                note("sync>")
                try:
                    report = engine.SyncEngine(store, client).run_round()
                    note("synced", report.pushed, report.accepted, report.duplicate, report.rejected)
                except SyncError as exc:
                    note("sync-failed", type(exc).__name__)


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def wait_for(predicate: Any, timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


if __name__ == "__main__":
    if sys.argv[1:] == ["zygote"]:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        _zygote_main()
    else:
        sys.exit("usage: harness.py zygote")
