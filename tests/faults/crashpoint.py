"""Crash points: run a ``motcua-desk`` command again and again, SIGKILLing it at its 1st, 2nd, … step, until
a run gets to the end (test only).

A *step* is anything that changes what is on disk: a file-system call (``os.replace``, ``os.rename``,
``os.unlink``, ``shutil.copyfile``, ``os.fsync``) or an SQLite call (a statement, a commit, an online
backup) on any connection the process opens (``sqlite3.connect`` and sqlcipher3's ``connect`` are wrapped,
so SQLAlchemy's connections to the encrypted store count too). With ``--wrap module:name`` (repeatable),
each call of that function of the app is a step too (kind ``call``): a page read from the scanner's feeder,
a page cleaned and compressed, a chunk sent to the server: moments in the middle of work that touches no
disk. The process is killed *before* step K
runs, so the runs together stop the command at every boundary between its steps, which random kill times
hit only by luck.

    python tests/faults/crashpoint.py --pristine DIR --work ROOT [--kinds fs,sql,call] [--every N]
        [--first K] [--wrap app.digitise.imaging:clean_page] [--in-place] -- db restore FILE --data-dir {data}

Each run gets a fresh copy of ``DIR`` as ``ROOT/<K>`` (``{data}`` in the command is replaced by it); with
``--in-place`` every run works on ``DIR`` itself, each starting from what the killed runs before it left
(a command run again and again after crashes, as an operator would). The runner imports the app once and
forks one process per run. It prints one JSON line per run: ``{"k": K, "killed": true, "step": "…"}``,
the last one with ``"killed": false``, the command's exit code and how many steps it took.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import sqlite3.dbapi2
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class _Counter:
    def __init__(self, crash_at: int, kinds: frozenset[str], note: Path) -> None:
        self.crash_at = crash_at
        self.kinds = kinds
        self.note = note
        self.count = 0

    def step(self, kind: str, what: str) -> None:
        if kind not in self.kinds:
            return
        self.count += 1
        if self.count == self.crash_at:
            self.note.write_text(f"{kind}: {what}"[:300], encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)


def _install(counter: _Counter) -> None:
    """Wrap the file-system and SQLite calls so that each one is counted (and the K-th kills)."""
    step = counter.step

    def wrap_fs(module: Any, name: str) -> None:
        real = getattr(module, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            step("fs", f"{name}{tuple(str(a) for a in args)}")
            return real(*args, **kwargs)

        setattr(module, name, counted)

    for name in ("replace", "rename", "unlink", "fsync"):
        wrap_fs(os, name)
    wrap_fs(shutil, "copyfile")

    cursors: dict[type, type] = {}
    connections: dict[type, type] = {}

    def counted_cursor(base: type) -> type:
        if base not in cursors:

            class Cursor(base):  # type: ignore[valid-type, misc]
                def execute(self, sql: str, *args: Any) -> Any:
                    step("sql", sql)
                    return super().execute(sql, *args)

                def executemany(self, sql: str, *args: Any) -> Any:
                    step("sql", sql)
                    return super().executemany(sql, *args)

            cursors[base] = Cursor
        return cursors[base]

    def counted_connection(base: type, cursor: type) -> type:
        """``base`` (a driver's Connection, or the factory SQLAlchemy passes) with every call counted."""
        if base not in connections:

            class Connection(base):  # type: ignore[valid-type, misc]
                def cursor(self, factory: Any = None) -> Any:
                    return super().cursor(counted_cursor(factory or cursor))

                def execute(self, sql: str, *args: Any) -> Any:
                    step("sql", sql)
                    return super().execute(sql, *args)

                def executemany(self, sql: str, *args: Any) -> Any:
                    step("sql", sql)
                    return super().executemany(sql, *args)

                def executescript(self, sql: str) -> Any:
                    step("sql", sql)
                    return super().executescript(sql)

                def commit(self) -> None:
                    step("sql", "COMMIT")
                    super().commit()

                def backup(self, target: sqlite3.Connection, **kwargs: Any) -> None:
                    step("sql", "online backup")
                    super().backup(target, **kwargs)

            connections[base] = Connection
        return connections[base]

    import sqlcipher3.dbapi2 as sqlcipher

    for module, dbapi in ((sqlite3, sqlite3.dbapi2), (sqlcipher, sqlcipher)):
        real_connect = module.connect

        def connect(*args: Any, _real: Any = real_connect, _mod: Any = module, **kwargs: Any) -> Any:
            kwargs["factory"] = counted_connection(kwargs.get("factory") or _mod.Connection, _mod.Cursor)
            return _real(*args, **kwargs)

        module.connect = connect  # (what SQLAlchemy's pysqlite and app.models.cipher call)
        dbapi.connect = connect


def _wrap_call(counter: _Counter, target: str) -> None:
    """Count every call of ``module:name`` or ``module:Class.method`` as a step of kind ``call``."""
    import importlib

    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counter.step("call", target)
        return real(*args, **kwargs)

    setattr(owner, name, counted)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pristine", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--kinds", default="fs,sql")
    ap.add_argument("--every", type=int, default=1, help="crash at every N-th step only")
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--limit", type=int, default=500, help="give up after this many runs")
    ap.add_argument("--wrap", action="append", default=[], help="module:function counted as a step")
    ap.add_argument("--in-place", action="store_true", help="every run on --pristine itself, no copy")
    ap.add_argument("--set", action="append", default=[], help="module:NAME=INT, set before the runs")
    ap.add_argument(
        "--keyring", type=Path, help="JSON [[service, user, secret], …]: an in-memory keyring (device token)"
    )
    ap.add_argument("command", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    command = [a for a in opts.command if a != "--"]
    kinds = frozenset(opts.kinds.split(","))
    sys.path.insert(0, str(ROOT))
    from app.cli import main as cli  # imported once, before forking
    from app.services import storekey

    pristine_key = storekey.load(opts.pristine)  # each copy of the folder gets the store key with it

    if opts.keyring is not None:
        import keyring

        from tools.memory_keyring import MemoryKeyring

        memory = MemoryKeyring()
        for service, user, secret in json.loads(opts.keyring.read_text(encoding="utf-8")):
            memory.set_password(service, user, secret)
        keyring.set_keyring(memory)
    for assignment in opts.set:  # e.g. a small upload chunk, so that a file takes many requests
        import importlib

        target, _, value = assignment.partition("=")
        module_name, _, name = target.partition(":")
        setattr(importlib.import_module(module_name), name, int(value))
    for target in opts.wrap:  # imported before forking too, so that the wrapper is installed in time
        __import__(target.partition(":")[0])

    k = opts.first
    for _ in range(opts.limit):
        folder = opts.pristine if opts.in_place else opts.work / str(k)
        if not opts.in_place:
            shutil.copytree(opts.pristine, folder)
        if pristine_key is not None:
            storekey.import_text(folder, pristine_key.hex())
        argv = [a.replace("{data}", str(folder)) for a in command]
        note = opts.work / f"{k}.step"
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the run
            code = 70
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                counter = _Counter(k, kinds, note)
                _install(counter)
                for target in opts.wrap:
                    _wrap_call(counter, target)
                code = cli.main(argv)
                note.write_text(str(counter.count), encoding="utf-8")  # steps of the whole command
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            print(json.dumps({"k": k, "killed": True, "step": note.read_text(encoding="utf-8")}), flush=True)
            k += opts.every
            continue
        steps = int(note.read_text(encoding="utf-8")) if note.exists() else None
        print(
            json.dumps({"k": k, "killed": False, "exit": os.WEXITSTATUS(status), "steps": steps}), flush=True
        )
        return 0
    print(json.dumps({"error": f"no run completed within {opts.limit} runs"}), flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
