"""Fixtures of the server tests: the real server under uvicorn on 127.0.0.1, on SQLite and on PostgreSQL.

Every server test runs twice, ``[sqlite]`` and ``[pg]``. The PostgreSQL run needs ``MOTCUA_TEST_PG_URL``
(e.g. ``postgresql+psycopg://postgres@/motcua_test?host=/tmp&port=55432``) and is skipped with that reason
when it is not set; it uses a fresh schema per test session, dropped at the end. One server per backend
runs for the whole session in a background thread (a free port from the OS); tables are emptied before
each test.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
# pytest puts tests/ on sys.path (tests/ has no __init__.py), where tests/server would shadow the real
# ``server`` package as a namespace package: make sure the checkout comes first.
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
if "server" in sys.modules and getattr(sys.modules["server"], "__file__", None) is None:
    del sys.modules["server"]  # a namespace package picked up from tests/

from faults.harness import new_desk  # noqa: E402
from s3kit import simulated_s3  # noqa: E402
from srvkit import A, B, LiveServer, World, sign_in  # noqa: E402

from server.app import create_app  # noqa: E402
from server.blobs import BlobStore, PgBlobStore  # noqa: E402
from server.db import Database, upgrade  # noqa: E402
from server.devices import THROTTLE  # noqa: E402
from server.models import Base  # noqa: E402

PG_ENV = "MOTCUA_TEST_PG_URL"
PG_SKIP = (
    f"{PG_ENV} is not set: the PostgreSQL run of the server tests is skipped (see tests/server/README.md)"
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("pg", id="pg", marks=pytest.mark.pg),
]


def _with_search_path(base: str, schema: str) -> str:
    url = make_url(base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty server database: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('server-db') / 'server.sqlite3'}"
        db = Database(url)
        upgrade(db.engine)
        db.dispose()
        yield url
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    schema = f"motcua_test_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(Database(base).url)
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(Database(base).url, schema)
    try:
        db = Database(url)
        upgrade(db.engine)
        db.dispose()
        yield url
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


class _ServerThread:
    """uvicorn serving ``app`` on an OS-chosen port of 127.0.0.1, in a daemon thread."""

    def __init__(self, url: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        #: The server's file store (issue 19), a fresh temp folder per test session.
        self.blob_dir = Path(tempfile.mkdtemp(prefix="motcua-blobs-"))
        self.app = create_app(url, docs=True, blob_dir=self.blob_dir, blob_store="fs")
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name="uvicorn", daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


@pytest.fixture(scope="session")
def live_server(db_url: str) -> Iterator[LiveServer]:
    thread = _ServerThread(db_url)
    thread.start()
    db = Database(db_url)
    try:
        yield LiveServer(f"http://127.0.0.1:{thread.port}", db_url, db, thread.blob_dir, thread.app)
    finally:
        thread.stop()
        db.dispose()


def _empty_tables(db: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            conn.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    """The running server, with an empty database and no rate-limit counts."""
    _empty_tables(live_server.db)
    THROTTLE.reset()
    return live_server


BLOB_STORES = [
    pytest.param("fs", id="fs"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.pg),
    pytest.param("s3", id="s3"),
]


@pytest.fixture(params=BLOB_STORES)
def blob_store(request: pytest.FixtureRequest, server: LiveServer) -> Iterator[BlobStore]:
    """The running server's file store, each kind in turn (issue 19): ``fs`` (its folder), ``s3`` (an S3
    simulator) and, in the ``[pg]`` run only, ``postgres`` (the server's database)."""
    app = server.app
    before = app.state.blobs
    if request.param == "fs":
        yield before
        return
    if request.param == "s3":  # an S3 simulator (tests/server/s3kit.py): S3-compatible stores are untested
        with simulated_s3() as s3:
            app.state.blobs = s3
            try:
                yield s3
            finally:
                app.state.blobs = before
        return
    if not server.db.is_postgres:
        pytest.skip("the postgres file store runs in the [pg] half only")
    app.state.blobs = PgBlobStore(app.state.db)
    try:
        yield app.state.blobs
    finally:
        app.state.blobs = before


@pytest.fixture
def world(server: LiveServer) -> Iterator[World]:
    """The server with the three demo centres (two communes and the provincial land registry)."""
    w = World(server)
    try:
        yield w
    finally:
        w.close()


@pytest.fixture
def desks(world: World, tmp_path: Path, template_dir: Path) -> Iterator[tuple[Any, Any]]:
    """Two desks enrolled with the server, centre A's and centre B's, their operators logged in online
    once (issue 16, D7)."""
    stores = [
        new_desk(
            tmp_path / eid,
            template_dir,
            world.live.url,
            world.enrol_code(eid),
            "Quầy 1",
            sign_in=lambda token, eid=eid: sign_in(world, token, eid),
        )
        for eid in (A, B)
    ]
    yield stores[0], stores[1]
    for s in stores:
        s.dispose()
