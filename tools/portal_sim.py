"""A simulator of the national public-service portal's side of the link (docs/portal-contract.md).

**Not the real portal.** The real Cổng DVC quốc gia cannot be reached from here and its interface for
provincial systems (TT 04/2025/TT-VPCP) was not found; this simulator implements the contract the project
wrote down, so the connector (server/portal.py) has been tested against it only.

A real HTTP server (``http.server``, threaded) on 127.0.0.1 with its own SQLite copy:

=========================================== ===========================================================
``POST /portal/v1/records``                 one delivery (``app.domain.portal.validate_record``, field by
                                            field: 400 with every reason); idempotent by (MaHoSo,
                                            MotcuaMaSuKien): the same again → ``duplicate``, another
                                            body → 409; MotcuaThuTu must follow the last stored one (409)
``GET /portal/v1/records?agency=E``         the acknowledged dossiers (for reconciliation), or ``code=C``
``POST /portal/v1/online``                  create an online submission (tests, demo, ``submit`` CLI)
``GET /portal/v1/online?since=N``           the submissions after N (the connector pulls them)
``GET /portal/v1/online/ID``                a submission's status on the portal, our code once accepted and
                                            the papers asked for while a supplement is awaited
``POST /portal/v1/online/ID/supplement``    the citizen sends the supplement asked for before acceptance
``GET /portal/v1/supplements?since=N``      the supplements after N (the connector pulls them)
``GET /portal/v1/stats``                    counts: records, history entries, duplicates, faults
=========================================== ===========================================================

Faults, drawn per request from a seeded generator (``SimFaults``): ``error`` (a 500/502/503 answer, nothing
stored), ``timeout`` (hold the request ``hang`` s, then close unanswered, nothing stored), ``lost`` (store,
then close without answering), ``slow`` (answer after ``slow`` s) and ``duplicate`` (the online feed
delivers a submission twice).

By hand::

    python tools/portal_sim.py --db /tmp/portal.sqlite3 --port 8790 --seed 1 --error 0.05 --lost 0.05
    python tools/portal_sim.py submit --url http://127.0.0.1:8790 --agency 000.10.24.H06 --procedure 1.001193
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from app.domain.canonical import canonical_json
from app.domain.portal import validate_record

LOOPBACK = "127.0.0.1"
MAX_BODY = 2_000_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    code TEXT PRIMARY KEY, agency TEXT NOT NULL, competent TEXT, last_seq INTEGER NOT NULL,
    record TEXT NOT NULL, first_ack TEXT NOT NULL, last_ack TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    code TEXT NOT NULL, event_id TEXT NOT NULL, seq INTEGER NOT NULL, body_hash TEXT NOT NULL,
    entry TEXT NOT NULL, acked_at TEXT NOT NULL, PRIMARY KEY (code, event_id));
CREATE TABLE IF NOT EXISTS online (
    n INTEGER PRIMARY KEY AUTOINCREMENT, portal_id TEXT UNIQUE NOT NULL, body TEXT NOT NULL,
    status INTEGER NOT NULL DEFAULT 1, code TEXT);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS supplements (
    n INTEGER PRIMARY KEY AUTOINCREMENT, supplement_id TEXT UNIQUE NOT NULL, portal_id TEXT NOT NULL,
    body TEXT NOT NULL);
"""


@dataclass
class SimFaults:
    """Per-request fault rates (each 0–1, summing to at most 1) and a seed."""

    seed: int = 0
    error: float = 0.0
    timeout: float = 0.0
    lost: float = 0.0
    slow: float = 0.0
    duplicate: float = 0.0
    hang: float = 2.0
    slow_s: float = 0.2
    rng: random.Random = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        if self.error + self.timeout + self.lost + self.slow > 1.0 + 1e-9:
            raise ValueError("fault rates add up to more than 1")
        self.rng = random.Random(self.seed)

    def draw(self) -> str:
        with self.lock:
            x = self.rng.random()
            acc = 0.0
            for kind in ("error", "timeout", "lost", "slow"):
                acc += getattr(self, kind)
                if x < acc:
                    return kind
            return "pass"

    def dup(self) -> bool:
        with self.lock:
            return self.rng.random() < self.duplicate


class PortalStore:
    """The simulator's own copy (SQLite, one connection guarded by a lock)."""

    def __init__(self, path: str | Path) -> None:
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.executescript(_SCHEMA)
        self.lock = threading.Lock()

    def bump(self, name: str, by: int = 1) -> None:
        self.conn.execute(
            "INSERT INTO counters(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (name, by),
        )

    def accept(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        rec = body["HoSo"]
        # The portal's key of a dossier: its own id for an online one (from its submission on, whether a
        # supplement was asked for before our code was given or not), else our code.
        code = rec.get("MotcuaMaHoSoCong") or rec["MaHoSo"]
        event_id, seq = body["MotcuaMaSuKien"], body["MotcuaThuTu"]
        digest = hashlib.sha256(canonical_json(body).encode()).hexdigest()
        now = datetime.now().strftime("%Y%m%d%H%M%S")
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                row = self.conn.execute(
                    "SELECT body_hash FROM history WHERE code = ? AND event_id = ?", (code, event_id)
                ).fetchone()
                if row is not None:
                    if row[0] == digest:
                        self.bump("duplicate_deliveries")
                        self.conn.execute("COMMIT")
                        return 200, {"KetQua": "duplicate"}
                    self.conn.execute("ROLLBACK")
                    return 409, _problem(
                        "portal.conflict",
                        "Sự kiện đã nhận với nội dung khác.",
                        "This event was received with another content.",
                        "MotcuaMaSuKien",
                    )
                last = self.conn.execute("SELECT last_seq FROM records WHERE code = ?", (code,)).fetchone()
                expected = 1 if last is None else last[0] + 1
                if seq != expected:
                    self.conn.execute("ROLLBACK")
                    return 409, _problem(
                        "portal.order",
                        f"Chờ bản ghi thứ tự {expected}, nhận {seq}.",
                        f"Expected record number {expected}, got {seq}.",
                        "MotcuaThuTu",
                    )
                self.conn.execute(
                    "INSERT INTO history(code, event_id, seq, body_hash, entry, acked_at) "
                    "VALUES (?,?,?,?,?,?)",
                    (code, event_id, seq, digest, canonical_json(body["QuaTrinhXuLy"]), now),
                )
                self.conn.execute(
                    "INSERT INTO records(code, agency, competent, last_seq, record, first_ack, last_ack) "
                    "VALUES (?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET last_seq = excluded.last_seq, "
                    "record = excluded.record, last_ack = excluded.last_ack, competent = excluded.competent",
                    (
                        code,
                        rec["MotcuaMaCoQuanTiepNhan"],
                        rec.get("MotcuaMaCoQuanCoThamQuyen"),
                        seq,
                        canonical_json(rec),
                        now,
                        now,
                    ),
                )
                if rec.get("MotcuaMaHoSoCong"):  # the decision on an online submission, seen on its side
                    self.conn.execute(
                        "UPDATE online SET status = ?, code = ? WHERE portal_id = ?",
                        (rec["TrangThaiHoSo"], rec.get("MaHoSo"), rec["MotcuaMaHoSoCong"]),
                    )
                self.bump("accepted")
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return 200, {"KetQua": "accepted"}

    def records(self, agency: str | None = None, code: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT code, last_seq, record, first_ack, last_ack FROM records"
        args: tuple[str, ...] = ()
        if code is not None:  # our code or, for an online dossier, the portal's id
            sql, args = sql + " WHERE code = ? OR json_extract(record, '$.MaHoSo') = ?", (code, code)
        elif agency is not None:
            sql, args = sql + " WHERE agency = ? OR competent = ?", (agency, agency)
        with self.lock:
            rows = self.conn.execute(sql + " ORDER BY code", args).fetchall()
            out = []
            for c, seq, rec, first, last in rows:
                hist = [
                    json.loads(h)
                    for (h,) in self.conn.execute(
                        "SELECT entry FROM history WHERE code = ? ORDER BY seq", (c,)
                    )
                ]
                out.append(
                    {
                        "MaHoSo": json.loads(rec).get("MaHoSo") or c,
                        "ThuTu": seq,
                        "HoSo": json.loads(rec),
                        "QuaTrinhXuLy": hist,
                        "NgayXacNhanDau": first,
                        "NgayXacNhanCuoi": last,
                    }
                )
        return out

    def add_online(self, body: dict[str, Any]) -> dict[str, Any]:
        body = dict(body)
        body.setdefault("MaHoSoQuocGia", "G" + uuid.uuid4().hex[:15].upper())
        body.setdefault("NgayNopHoSo", datetime.now().strftime("%Y%m%d%H%M%S"))
        for name in _ONLINE_FLAGS:
            body.setdefault(name, 0)
        with self.lock:
            self.conn.execute(
                "INSERT INTO online(portal_id, body) VALUES (?, ?)",
                (body["MaHoSoQuocGia"], canonical_json(body)),
            )
        return body

    def online_since(self, since: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT n, body FROM online WHERE n > ? ORDER BY n LIMIT ?", (since, limit)
            ).fetchall()
        return [(n, json.loads(b)) for n, b in rows]

    def online_state(self, portal_id: str) -> dict[str, Any] | None:
        """The portal's view of a submission: its status code and our code once accepted."""
        with self.lock:
            row = self.conn.execute(
                "SELECT status, code FROM online WHERE portal_id = ?", (portal_id,)
            ).fetchone()
        return None if row is None else {"TrangThaiHoSo": row[0], "MaHoSo": row[1]}

    def add_supplement(self, portal_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The citizen sends the supplement asked for (the submission must be in status 5 and not yet
        accepted); the files join the feed the connector pulls, and the submission is new again (1)."""
        with self.lock:
            row = self.conn.execute(
                "SELECT status, code FROM online WHERE portal_id = ?", (portal_id,)
            ).fetchone()
            if row is None:
                return 404, _problem("portal.not_found", "Không có hồ sơ này.", "No such submission.")
            if row[0] != 5 or row[1] is not None:
                return 409, _problem(
                    "portal.not_waiting",
                    "Hồ sơ không ở trạng thái chờ bổ sung trước khi tiếp nhận.",
                    "The submission is not waiting for a supplement before acceptance.",
                )
            item = {
                "MaBoSung": "S" + uuid.uuid4().hex[:15].upper(),
                "MaHoSoQuocGia": portal_id,
                "NgayBoSung": body.get("NgayBoSung") or datetime.now().strftime("%Y%m%d%H%M%S"),
                "TaiLieuNop": [p for p in body.get("TaiLieuNop") or [] if isinstance(p, dict)],
                "GhiChu": str(body.get("GhiChu") or "")[:1000],
            }
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT INTO supplements(supplement_id, portal_id, body) VALUES (?, ?, ?)",
                (item["MaBoSung"], portal_id, canonical_json(item)),
            )
            self.conn.execute("UPDATE online SET status = 1 WHERE portal_id = ?", (portal_id,))
            self.conn.execute("COMMIT")
        return 201, item

    def supplements_since(self, since: int, limit: int) -> list[tuple[int, dict[str, Any]]]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT n, body FROM supplements WHERE n > ? ORDER BY n LIMIT ?", (since, limit)
            ).fetchall()
        return [(n, json.loads(b)) for n, b in rows]

    def missing_papers(self, portal_id: str) -> list[str]:
        """The papers the centre asked for (the last record of the submission)."""
        with self.lock:
            row = self.conn.execute("SELECT record FROM records WHERE code = ?", (portal_id,)).fetchone()
        return list(json.loads(row[0]).get("MotcuaGiayToCanBoSung") or []) if row else []

    def stats(self) -> dict[str, int]:
        with self.lock:
            out = dict(self.conn.execute("SELECT name, value FROM counters").fetchall())
            out["records"] = self.conn.execute("SELECT count(*) FROM records").fetchone()[0]
            out["history"] = self.conn.execute("SELECT count(*) FROM history").fetchone()[0]
        return out


def _problem(code: str, vi: str, en: str, fld: str | None = None) -> dict[str, Any]:
    return {"errors": [{"code": code, "vi": vi, "en": en, "field": fld}]}


_ONLINE_REQUIRED = ("MaTTHC", "TenTTHC", "ChuHoSo", "MotcuaMaCoQuanCoThamQuyen")
#: The flags of a submission (docs/portal-contract.md, "Online submissions"): the names and values of the
#: sync structure's fields (domain.md §3.2), absent = 0.
_ONLINE_FLAGS = {"TaiKhoanDuocXacThucVoiVNeID": (0, 1), "DuocThanhToanTrucTuyen": (0, 1, 2)}


def _online_flag_problems(body: dict[str, Any]) -> list[str]:
    return [
        f"{name} ∈ {allowed}"
        for name, allowed in _ONLINE_FLAGS.items()
        if name in body and (isinstance(body[name], bool) or body[name] not in allowed)
    ]


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        if self.server.verbose:
            sys.stderr.write(format % args + "\n")

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fault(self) -> str:
        kind = self.server.faults.draw()
        store = self.server.store
        if kind != "pass":
            with store.lock:
                store.bump(f"fault_{kind}")
        if kind == "slow":
            time.sleep(self.server.faults.slow_s)
        elif kind == "timeout":
            time.sleep(self.server.faults.hang)
            self.close_connection = True
        elif kind == "error":
            self._answer(
                self.server.faults.rng.choice((500, 502, 503)),
                _problem("portal.unavailable", "Cổng tạm thời lỗi.", "The portal failed."),
            )
        return kind

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            return None
        try:
            return json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError):
            return None

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        store = self.server.store
        if url.path == "/portal/v1/records":
            self._answer(200, {"records": store.records(q.get("agency"), q.get("code"))})
        elif url.path == "/portal/v1/online":
            kind = self._fault()
            if kind in ("timeout", "error"):
                return
            try:
                since, limit = int(q.get("since", "0")), min(int(q.get("limit", "100")), 500)
            except ValueError:
                self._answer(400, _problem("portal.query", "Tham số không hợp lệ.", "Invalid parameter."))
                return
            items = []
            rows = store.online_since(since, limit)
            for n, body in rows:
                items.append({"n": n, **body})
                if self.server.faults.dup():
                    items.append({"n": n, **body})
            self._answer(
                200, {"items": items, "next": items[-1]["n"] if items else since, "more": len(rows) == limit}
            )
        elif url.path == "/portal/v1/supplements":
            kind = self._fault()
            if kind in ("timeout", "error"):
                return
            try:
                since, limit = int(q.get("since", "0")), min(int(q.get("limit", "100")), 500)
            except ValueError:
                self._answer(400, _problem("portal.query", "Tham số không hợp lệ.", "Invalid parameter."))
                return
            rows = store.supplements_since(since, limit)
            items = []
            for n, body in rows:
                items.append({"n": n, **body})
                if self.server.faults.dup():
                    items.append({"n": n, **body})
            self._answer(
                200, {"items": items, "next": items[-1]["n"] if items else since, "more": len(rows) == limit}
            )
        elif url.path.startswith("/portal/v1/online/"):
            pid = url.path.rsplit("/", 1)[-1]
            state = store.online_state(pid)
            if state is None:
                self._answer(404, _problem("portal.not_found", "Không có hồ sơ này.", "No such submission."))
            else:
                if state["TrangThaiHoSo"] == 5 and state["MaHoSo"] is None:
                    state["GiayToCanBoSung"] = store.missing_papers(pid)
                self._answer(200, state)
        elif url.path == "/portal/v1/stats":
            self._answer(200, store.stats())
        else:
            self._answer(404, _problem("portal.not_found", "Không có địa chỉ này.", "No such path."))

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        url = urlparse(self.path)
        body = self._read_json()
        if url.path == "/portal/v1/records":
            if body is None:
                self._answer(
                    400, _problem("portal.json", "Nội dung không phải JSON.", "The body is not JSON.")
                )
                return
            problems = validate_record(body)
            if problems:
                self._answer(
                    400,
                    {
                        "errors": [
                            {"code": p.code, "vi": p.vi, "en": p.en, "field": p.field} for p in problems
                        ]
                    },
                )
                return
            kind = self._fault()
            if kind in ("timeout", "error"):
                return
            status, answer = self.server.store.accept(body)
            if kind == "lost":
                self.close_connection = True
                return
            self._answer(status, answer)
        elif url.path == "/portal/v1/online":
            missing = [f for f in _ONLINE_REQUIRED if not isinstance((body or {}).get(f), str)]
            if body is None or missing:
                self._answer(
                    400,
                    _problem(
                        "portal.online",
                        f"Thiếu trường {', '.join(missing)}.",
                        f"Missing fields {', '.join(missing)}.",
                        ",".join(missing),
                    ),
                )
                return
            flags = _online_flag_problems(body)
            if flags:
                self._answer(400, _problem("portal.online", "; ".join(flags), "; ".join(flags), "flags"))
                return
            self._answer(201, self.server.store.add_online(body))
        elif url.path.startswith("/portal/v1/online/") and url.path.endswith("/supplement"):
            pid = url.path.split("/")[-2]
            if not isinstance(body, dict):
                self._answer(
                    400, _problem("portal.json", "Nội dung không phải JSON.", "The body is not JSON.")
                )
                return
            self._answer(*self.server.store.add_supplement(pid, body))
        else:
            self._answer(404, _problem("portal.not_found", "Không có địa chỉ này.", "No such path."))


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, db: str | Path, faults: SimFaults | None = None, port: int = 0, verbose: bool = False
    ) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.store = PortalStore(db)
        self.faults = faults or SimFaults()
        self.verbose = verbose
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}"

    def start(self) -> PortalServer:
        self._thread = threading.Thread(target=self.serve_forever, name="portal-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.store.conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal_sim", description="National portal simulator (loopback).")
    sub = parser.add_subparsers(dest="cmd")
    s = sub.add_parser("submit", help="create an online submission on a running simulator")
    s.add_argument("--url", required=True)
    s.add_argument("--agency", required=True, help="competent centre's e-ID")
    s.add_argument("--procedure", required=True)
    s.add_argument("--name", default="Thủ tục trực tuyến")
    s.add_argument("--applicant", default="Nguyễn Văn An")
    s.add_argument("--vneid", action="store_true", help="the applicant signed in with VNeID")
    s.add_argument(
        "--paid-online", type=int, choices=(0, 1, 2), default=0, help="1 on the portal, 2 provincial gateway"
    )
    parser.add_argument("--db", default="portal-sim.sqlite3")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--seed", type=int, default=0)
    for kind in ("error", "timeout", "lost", "slow", "duplicate"):
        parser.add_argument(f"--{kind}", type=float, default=0.0, help=f"rate of {kind} faults")
    args = parser.parse_args(argv)
    if args.cmd == "submit":
        import httpx

        body = {
            "MaTTHC": args.procedure,
            "TenTTHC": args.name,
            "ChuHoSo": args.applicant,
            "MotcuaMaCoQuanCoThamQuyen": args.agency,
            "TaiLieuNop": [],
            "TaiKhoanDuocXacThucVoiVNeID": 1 if args.vneid else 0,
            "DuocThanhToanTrucTuyen": args.paid_online,
        }
        r = httpx.post(args.url.rstrip("/") + "/portal/v1/online", json=body, timeout=10)
        print(r.text)
        return 0 if r.status_code == 201 else 1
    faults = SimFaults(args.seed, args.error, args.timeout, args.lost, args.slow, args.duplicate)
    srv = PortalServer(args.db, faults, args.port, verbose=True)
    print(f"portal simulator on {srv.url} (db {args.db})", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
