"""Upload of digitised files over loopback (issue 19): the desk's file sync (``app.sync.files.upload_pending``:
up to ``UPLOAD_WORKERS`` requests at a time; small files whole, up to ``BATCH_FILES`` and one chunk's bytes
in one ``POST /files/batch``, larger ones in chunks; stored durably by the server's blob store; the desk's
rows marked sent in one transaction per batch) against the transport alone in the same run.

The transport baseline replays exactly the desk's requests: the same bodies (the same bytes, in the same
number of HTTP requests) PUT with plain httpx to ``/api/v1/health`` of the same server, on as many threads
as the desk used at once (``min(UPLOAD_WORKERS, requests)``), each thread with its own connection (the
server reads the whole body, then answers 405: HTTP + body transfer, no work). Batching thus cannot flatter
the ratio: the baseline gets the same fewer, larger requests. Best of two baseline runs after the upload.

The real server (``motcua-server serve`` in its own process on 127.0.0.1, SQLite database by default),
the ``fs`` blob store by default (``--store postgres --db postgresql+psycopg://…`` for the PostgreSQL
store). The desk's files are real: ``--files`` dossiers of centre A, each with one paper of ``--pages``
scanned pages attached through the service (cleaned and compressed as at the counter); their events are
pushed first. OCR is left out (the rows are marked as if recognition had failed, so the image-only PDFs
are sent now): it changes the bytes, not the upload path. A first round sends ``--warm`` other files
(their time printed, not measured): the desk's sync thread keeps its client and the server runs all day,
so the measured round, like the baseline (which opens its connections beforehand and runs after the
upload), finds connections open and the server's threads and caches made; the measured files are held
back meanwhile as if their OCR were running. ``--single`` sends one file a request
(``PUT /files/{sha256}``, as older desks do) for comparison.

    .venv/bin/python bench/bench_upload.py [--files 60] [--warm 8] [--pages 3] [--chunk 1048576] [--store fs] [--single]
        [--serial] [--experiment-no-fsync]

``--serial`` then sends each batch of the measured round again alone, one after another, beside the same
body PUT to ``/health``: one request's latency with nothing else in flight. ``--experiment-no-fsync`` runs
the server with ``os.fsync`` made a no-op (not a product setting; its figures are not saved), to see what
the durable write costs.

Beside the wall-clock figures it prints the CPU time (user and system) the server's process and the desk's
spent over the round and over the transport (:class:`Cpu`), and the round's CPU floor: that CPU time spread
over all the machine's cores, the least time any scheduling of it could take.

Target: the desk's upload ≥ 50 % of the transport's throughput. Saved under ``"upload"`` (``fs``) or
``"upload_postgres"`` (``_single`` appended with ``--single``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from bench_sync import ServerProcess, desk_store, prepare_server_db, use_memory_keyring  # noqa: E402
from common import percentile, proc_cpu  # noqa: E402

TARGET = 0.50


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--files", type=int, default=60, help="files (one paper per dossier) to upload (default 60)"
    )
    ap.add_argument(
        "--warm",
        type=int,
        default=8,
        help="files uploaded in a first round, not measured: the desk's client and the server warm, as after "
        "the first round of a working day (default 8; the first round's time is printed)",
    )
    ap.add_argument("--single", action="store_true", help="one file a request, as older desks")
    ap.add_argument("--pages", type=int, default=3, help="scanned pages per file (default 3)")
    ap.add_argument("--chunk", type=int, default=0, help="chunk size in bytes (default: the desk's, 1 MiB)")
    ap.add_argument("--store", choices=("fs", "postgres"), default="fs", help="the server's blob store")
    ap.add_argument(
        "--db", help="server database URL (default: a new SQLite file; postgres needs PostgreSQL)"
    )
    ap.add_argument(
        "--serial",
        action="store_true",
        help="afterwards, each batch of the round sent again alone, one after another (its files first "
        "removed from the server's fs store), beside the same body PUT to /health: the latency of one "
        "batch without the others beside it (median of --serial-repeats)",
    )
    ap.add_argument("--serial-repeats", type=int, default=6, help="rounds of the --serial check (default 6)")
    ap.add_argument(
        "--experiment-no-fsync",
        action="store_true",
        help="an experiment, not a product setting: the server process runs with os.fsync made a no-op "
        "(a sitecustomize module on its PYTHONPATH), to see what durable storage costs; figures not saved",
    )
    args = ap.parse_args()
    if args.serial and args.store != "fs":
        ap.error("--serial removes the files from the fs store between its rounds: --store fs only")

    from common import save
    from sqlalchemy import select, update

    from app.contract import API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION
    from app.digitise import samples
    from app.models import DossierFile
    from app.services import dossiers as svc
    from app.services import files as fsvc
    from app.services.audit import Actor
    from app.sync import engine
    from app.sync.client import SyncClient
    from app.sync.files import BATCH_FILES, CHUNK_BYTES, UPLOAD_WORKERS, pending_files, upload_pending

    chunk = args.chunk or CHUNK_BYTES
    use_memory_keyring()
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-upload-"))
    db_url = args.db or f"sqlite:///{folder / 'server.sqlite3'}"
    prepare_server_db(db_url)
    os.environ["MOTCUA_BLOB_STORE"] = args.store  # read by the server process
    if args.experiment_no_fsync:  # only the server process (started below) imports it
        hack = folder / "no-fsync"
        hack.mkdir()
        (hack / "sitecustomize.py").write_text("import os\nos.fsync = lambda fd: None\n")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hack), os.environ.get("PYTHONPATH")]))
        print(
            "EXPERIMENT: the server's os.fsync is a no-op (nothing it stores is durable); figures not saved"
        )
    os.environ["MOTCUA_BLOB_DIR"] = str(folder / "server-blobs")
    pages = []
    for i in range(args.pages):
        page = folder / f"page{i}.png"
        samples.scanned(samples.text_page(repeat=2), seed=100 + i).save(page, dpi=(300, 300))
        pages.append(page)
    actor = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
    with ServerProcess(db_url) as server, desk_store(folder / "desk", server, "Quầy 1") as store:
        print(f"server: {server.url} ({db_url.split(':', 1)[0]}, blob store {args.store})")
        t = time.perf_counter()
        for _ in range(args.warm + args.files):
            r = svc.receive(
                store,
                actor,
                svc.ReceiveRequest(
                    "1.001193",
                    svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Bắc Giang"),
                    received_at=datetime.now().replace(second=0, microsecond=0),
                    paper_numbers=[(1, len(pages))],
                ),
            )
            fsvc.attach(store, actor, fsvc.AttachRequest(r.code, 1, tuple(pages)))
        with store.read() as s:
            row_ids = list(s.scalars(select(DossierFile.id).order_by(DossierFile.id)))
        warm_rows, measured_rows = row_ids[: args.warm], row_ids[args.warm :]
        with store.write() as s:  # the measured files held back as if their OCR were still running
            s.execute(update(DossierFile).where(DossierFile.id.in_(warm_rows)).values(ocr_state="failed"))
            s.execute(
                update(DossierFile).where(DossierFile.id.in_(measured_rows)).values(ocr_state="pending")
            )
        print(
            f"desk: {args.warm} + {args.files} files of {args.pages} pages attached in "
            f"{time.perf_counter() - t:.1f} s"
        )
        url, _device, token = engine.connection(store)
        with SyncClient(url, token) as client:
            engine.SyncEngine(store, client).push(engine.RoundReport())  # the events first
        headers = {
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/octet-stream",
        }

        sent_files: list[bytes] = []  # each whole file sent, for the durable-storage floor
        batches: list[list[tuple[str, bytes]]] = []  # each batch request's files, for --serial
        bodies: list[bytes] = []  # the desk's upload requests' bodies, replayed by the baseline

        def transport() -> tuple[float, int, Cpu]:
            threads = max(1, min(UPLOAD_WORKERS, len(bodies)))
            local = threading.local()

            def put(body: bytes) -> None:
                http = local.__dict__.get("http")
                if http is None:
                    http = local.http = httpx.Client(base_url=url + API_PREFIX)
                    opened.append(http)
                put_to_health(http, body, headers)

            opened: list[httpx.Client] = []
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(lambda _i: put(b"x"), range(threads)))  # connections opened beforehand
                cpu = Cpu(server.pids())
                t0 = time.perf_counter()
                list(pool.map(put, bodies))
                spent_s = time.perf_counter() - t0
                cpu.stop()
            for http in opened:
                http.close()
            return spent_s, threads, cpu

        spent = {
            "status": 0.0,
            "chunks": 0.0,
            "batches": 0.0,
        }  # summed over the upload threads (they overlap)
        lock = threading.Lock()

        class TimedClient(SyncClient):
            """The desk's client, timing its file requests (summed over the upload threads) and keeping
            their bodies for the baseline."""

            def file_status(self, sha256: str) -> Any:
                t0 = time.perf_counter()
                try:
                    return super().file_status(sha256)
                finally:
                    with lock:
                        spent["status"] += time.perf_counter() - t0
                        bodies.append(b"")

            def put_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> Any:
                t0 = time.perf_counter()
                try:
                    return super().put_chunk(sha256, offset, total, data)
                finally:
                    with lock:
                        spent["chunks"] += time.perf_counter() - t0
                        bodies.append(data)
                        if offset == 0 and len(data) == total:
                            sent_files.append(data)

            def put_files(self, files: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return super().put_files(files)
                finally:
                    with lock:
                        spent["batches"] += time.perf_counter() - t0
                        bodies.append(b"".join(data for _sha, data in files))
                        sent_files.extend(data for _sha, data in files)
                        batches.append(list(files))

        batch_files = 1 if args.single else None
        with TimedClient(url, token) as client:
            client.health()
            t = time.perf_counter()
            report = upload_pending(store, client, chunk=chunk, batch_files=batch_files)
            warm_s = time.perf_counter() - t
            assert report.sent == args.warm and not report.parked, report
            with store.write() as s:  # their OCR done: the measured files are ready
                s.execute(update(DossierFile).values(ocr_state="failed"))
            count, total = pending_files(store)
            assert count == args.files, (count, args.files)
            bodies.clear()
            sent_files.clear()
            batches.clear()
            spent.update(dict.fromkeys(spent, 0.0))
            cpu = Cpu(server.pids())
            t = time.perf_counter()
            report = upload_pending(store, client, chunk=chunk, batch_files=batch_files)
            upload_s = time.perf_counter() - t
            cpu.stop()
        assert report.sent == args.files and not report.parked, report
        assert pending_files(store) == (0, 0)
        assert sum(len(b) for b in bodies) == total, (sum(len(b) for b in bodies), total)
        (base_1, threads, base_cpu_1), (base_2, _t, base_cpu_2) = transport(), transport()
        floor_s = min(durable_writes(sent_files, folder / f"floor{i}", threads) for i in range(2))
        if args.serial:
            serial(batches, url, token, headers, folder / "server-blobs", args.serial_repeats)
    base_s, base_cpu = min((base_1, base_cpu_1), (base_2, base_cpu_2), key=lambda run: run[0])
    # the transport at its best: the stricter comparison
    cores = os.cpu_count() or 1
    cpu_floor_s = cpu.total / cores  # no schedule of this CPU time can end the round sooner
    mb = total / 1e6
    rate, base_rate = mb / upload_s, mb / base_s
    ratio = rate / base_rate
    print(
        f"desk upload: {args.files} files, {mb:.2f} MB, chunk {chunk:,} B: {upload_s:.3f} s = {rate:.1f} MB/s"
    )
    print(f"first round ({args.warm} files, cold client and server, not measured): {warm_s:.3f} s")
    print(
        f"transport baseline, the same {len(bodies)} request bodies PUT to /health on {threads} threads: "
        f"{base_s:.3f} s = {base_rate:.1f} MB/s (runs {base_1:.3f} s / {base_2:.3f} s)"
    )
    print(
        f"  request time summed over the upload threads (they overlap): status requests "
        f"{spent['status']:.3f} s, chunk uploads {spent['chunks']:.3f} s, batches of whole files "
        f"{spent['batches']:.3f} s (each file verified and fsynced by the server before the answer)"
    )
    print(
        f"CPU time during the round: server {cpu.server_user:.3f} s user + {cpu.server_sys:.3f} s system, "
        f"desk {cpu.desk_user:.3f} s user + {cpu.desk_sys:.3f} s system; during the transport: server "
        f"{base_cpu.server_user + base_cpu.server_sys:.3f} s, desk {base_cpu.desk_user + base_cpu.desk_sys:.3f} s"
    )
    print(
        f"CPU floor of the round: {cpu.total:.3f} s of CPU on {cores} cores = at least {cpu_floor_s:.3f} s, "
        f"against the {base_s / TARGET:.3f} s the target allows (the transport's time / {TARGET:.0%})"
    )
    print(
        f"durable-storage floor, the same {len(sent_files)} files written by plain Python on {threads} threads "
        f"(temporary name, fsync, rename, fsync of the folder; no HTTP, no database): {floor_s:.3f} s; "
        f"upload / (transport + floor): {(base_s + floor_s) / upload_s:.0%} (for information: the target "
        "is against the transport alone)"
    )
    print(
        f"upload / transport: {ratio:.0%} (target ≥ {TARGET:.0%}) -> {'OK' if ratio >= TARGET else 'MISSED'}"
    )
    if args.experiment_no_fsync:
        print("EXPERIMENT run (the server's fsync off): figures not saved")
        return 0
    save(
        ("upload" if args.store == "fs" else f"upload_{args.store}") + ("_single" if args.single else ""),
        {
            "store": args.store,
            "files": args.files,
            "pages_per_file": args.pages,
            "bytes": total,
            "chunk": chunk,
            "upload_s": round(upload_s, 4),
            "warm_files": args.warm,
            "first_round_s": round(warm_s, 4),
            "upload_mb_s": round(rate, 2),
            "transport_s": round(base_s, 4),
            "transport_mb_s": round(base_rate, 2),
            "ratio": round(ratio, 3),
            "status_s": round(spent["status"], 4),
            "chunks_s": round(spent["chunks"], 4),
            "batches_s": round(spent["batches"], 4),
            "requests": len(bodies),
            "baseline_threads": threads,
            "batch_files": 1 if args.single else BATCH_FILES,
            "workers": UPLOAD_WORKERS,
            "target_ratio": TARGET,
            "durable_floor_s": round(floor_s, 4),
            "server_cpu_user_s": round(cpu.server_user, 3),
            "server_cpu_sys_s": round(cpu.server_sys, 3),
            "desk_cpu_user_s": round(cpu.desk_user, 3),
            "desk_cpu_sys_s": round(cpu.desk_sys, 3),
            "transport_server_cpu_s": round(base_cpu.server_user + base_cpu.server_sys, 3),
            "transport_desk_cpu_s": round(base_cpu.desk_user + base_cpu.desk_sys, 3),
            "cpu_floor_s": round(cpu_floor_s, 4),
            "ratio_to_transport_plus_floor": round((base_s + floor_s) / upload_s, 3),
        },
    )
    return 0


def put_to_health(http: httpx.Client, body: bytes, headers: dict[str, str]) -> None:
    """The transport alone: ``body`` PUT to ``/health`` with the desk's headers (the server reads it and
    answers 405: HTTP and the body's transfer, no work)."""
    from app.contract import CLIENT_TIME_HEADER, utc_now

    got = http.put("/health", content=body, headers={**headers, CLIENT_TIME_HEADER: utc_now().isoformat()})
    assert got.status_code == 405, got.status_code


def serial(
    batches: list[list[tuple[str, bytes]]],
    url: str,
    token: str,
    headers: dict[str, str],
    blob_dir: Path,
    repeats: int,
) -> None:
    """Each batch of the round sent again alone, one after another, its files first removed from the
    server's ``fs`` store (so that it stores them again), then the same body PUT to ``/health``: the median
    latency of one batch request and of its transport alone, with nothing else in flight."""
    from app.contract import API_PREFIX
    from app.sync.client import SyncClient

    spent: list[float] = []
    bare: list[float] = []
    with SyncClient(url, token) as client, httpx.Client(base_url=url + API_PREFIX) as http:
        client.health()
        for _ in range(repeats):
            for files in batches:
                for sha256, _data in files:
                    (blob_dir / sha256[:2] / sha256[2:]).unlink(missing_ok=True)
            time.sleep(0.2)  # the removals written back before the timed requests
            for files in batches:
                t0 = time.perf_counter()
                answer = client.put_files(files)
                spent.append(time.perf_counter() - t0)
                assert all(r.complete for r in answer.files), answer
                body = b"".join(data for _sha, data in files)
                t0 = time.perf_counter()
                put_to_health(http, body, headers)
                bare.append(time.perf_counter() - t0)

    def ms(samples: list[float]) -> str:
        p10, median, p90 = (percentile(samples, q) * 1000 for q in (0.1, 0.5, 0.9))
        return f"{median:.1f} ms ({p10:.1f}-{p90:.1f})"

    print(
        f"one batch alone ({len(spent)} requests, median, p10-p90): {ms(spent)}; the same body PUT to "
        f"/health: {ms(bare)}"
    )


class Cpu:
    """CPU time (user, system) spent by the server's processes and by this one (the desk's threads and the
    bench's) between its making and :meth:`stop`: the work behind a wall-clock figure. Read from
    ``/proc/<pid>/stat`` (Linux) for the server and ``os.times()`` for this process; ticks of 10 ms."""

    def __init__(self, server_pids: list[int]) -> None:
        self.pids = server_pids
        self._start = self._read()
        self.server_user = self.server_sys = self.desk_user = self.desk_sys = 0.0

    def _read(self) -> tuple[float, float, float, float]:
        user = system = 0.0
        for pid in self.pids:
            utime, stime, _cutime, _cstime = proc_cpu(pid)
            user, system = user + utime, system + stime
        own = os.times()
        return user, system, own.user, own.system

    def stop(self) -> None:
        now = self._read()
        self.server_user, self.server_sys, self.desk_user, self.desk_sys = (
            b - a for a, b in zip(self._start, now, strict=True)
        )

    @property
    def total(self) -> float:
        return self.server_user + self.server_sys + self.desk_user + self.desk_sys


def durable_writes(files: list[bytes], folder: Path, threads: int) -> float:
    """Seconds to store ``files`` as the server's ``fs`` store does at the least (each under a temporary
    name, fsynced, renamed into its folder, the folder fsynced), on ``threads`` threads; no HTTP, no hash,
    no database: the floor that durable storage puts under the upload on this disk."""
    folder.mkdir()

    def write(item: tuple[int, bytes]) -> None:
        i, data = item
        final = folder / f"{i:02x}" / "file"
        final.parent.mkdir()
        tmp = folder / f"{i}.tmp"
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    with ThreadPoolExecutor(threads) as pool:
        t0 = time.perf_counter()
        list(pool.map(write, enumerate(files)))
        return time.perf_counter() - t0


if __name__ == "__main__":
    raise SystemExit(main())
