"""Crashes while a paper is digitised (issue 19): ``motcua-desk scan`` from SANE's ``test`` backend (a
scanner with a ten-sheet feeder) is SIGKILLed before each of its steps in turn (every third one in
``make test``; ``faults/crashpoint.py``): while the feeder gives its sheets (each page read), while each
page is cleaned and compressed, while the PDF is made, while the file is written (each fsync and rename)
and while the row, event and audit entry are committed. After every kill: the paper has its whole page set
or none of it, ``db check`` is clean, each row has its outbox event, the sweep removes only orphans; and
once the operator scans again, the paper holds exactly the ten pages of an uninterrupted scan, in order
(0 lost, 0 duplicated).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faults.harness import fault_seed, soak_runs
from keyed import connect_raw
from sanekit import sane_test_conf

from app.bootstrap import open_store
from app.cli.main import main as cli
from app.digitise.blobs import BlobStore
from app.services import files as fsvc
from app.services.health import check_database

pytestmark = pytest.mark.slow

CRASHPOINT = Path(__file__).resolve().parent / "crashpoint.py"
#: The moments of the work that touch no disk, each counted as a step (see crashpoint.py --wrap).
WRAPS = (
    "app.digitise.sources:RawPage",  # a sheet read from the feeder
    "app.digitise.imaging:clean_page",  # a page cleaned and compressed
    "app.digitise.imaging:pages_pdf",  # the paper's PDF made
    "app.digitise.blobs:BlobStore.put",  # the file about to be written
)
PAGES = 10  # the test backend's feeder holds ten sheets


@pytest.fixture
def sane_conf(tmp_path: Path) -> Iterator[Path]:
    conf = sane_test_conf(tmp_path)
    yield conf


def scan_argv(code: str, folder: Path | str) -> list[str]:
    return [
        "scan",
        code,
        "--paper",
        "1",
        "--device",
        "test:0",
        "--feeder",
        "--pages",
        str(PAGES),
        "--resolution",
        "50",
        "--data-dir",
        str(folder),
    ]


def current_paper(folder: Path) -> list[tuple[int, list[str]]]:
    """(page count, page hashes) of every current row of paper 1."""
    con = connect_raw(folder)  # keyed: the store is encrypted
    try:
        rows = con.execute(
            "SELECT page_count, pages FROM dossier_files WHERE paper_no = 1 AND replaced_at IS NULL"
        ).fetchall()
    finally:
        con.close()
    return [(n, [p["sha256"] for p in json.loads(pages)]) for n, pages in rows]


def check_after_kill(folder: Path, reference: list[str]) -> None:
    rows = current_paper(folder)
    assert rows in ([], [(PAGES, reference)]), rows  # the whole page set or none of it
    store = open_store(folder)
    try:
        health = check_database(store)
        assert health.ok, health
        con = connect_raw(folder)  # keyed: the store is encrypted
        try:
            events = con.execute("SELECT count(*) FROM outbox WHERE event_type = 'dossier.files'").fetchone()
            all_rows = con.execute("SELECT count(*) FROM dossier_files").fetchone()
        finally:
            con.close()
        assert events == all_rows
        fsvc.sweep(store, grace_s=0)  # no other writer: every unreferenced file is an orphan
        with store.read() as s:
            referenced = fsvc.referenced_hashes(s)
        blobs = BlobStore.of(folder, store.key)
        assert {d for d, _ in blobs.stored()} == referenced
        assert not (folder / "files" / "tmp").exists() or not list((folder / "files" / "tmp").iterdir())
    finally:
        store.dispose()


def test_sigkill_while_scanning_compressing_writing_and_committing(
    data_dir: Path, sane_conf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANE_CONFIG_DIR", str(sane_conf))
    out, err = io.StringIO(), io.StringIO()
    assert (
        cli(
            ["receive", "--procedure", "1.001193", "--name", "Lê Thị Mai", "--paper", "1", "--json"]
            + ["--data-dir", str(data_dir)],
            out=out,
            err=err,
        )
        == 0
    ), err.getvalue()
    code = json.loads(out.getvalue())["code"]
    work = tmp_path / "runs"
    # Every step in a soak; every third one (offset by the seed) in `make test`: a sheet read and its
    # cleaning alternate, so an even stride would hit only one of the two.
    every = 1 if soak_runs() > 50 else 3
    cmd = [sys.executable, str(CRASHPOINT), "--pristine", str(data_dir), "--work", str(work)]
    cmd += ["--kinds", "fs,sql,call", "--every", str(every), "--first", str(1 + fault_seed() % every)]
    for target in WRAPS:
        cmd += ["--wrap", target]
    proc = subprocess.run(
        [*cmd, "--", *scan_argv(code, "{data}")], capture_output=True, text=True, timeout=1800, check=False
    )
    runs: list[dict[str, Any]] = [json.loads(line) for line in proc.stdout.splitlines() if line[:1] == "{"]
    assert proc.returncode == 0 and runs, proc.stdout + proc.stderr
    last = runs[-1]
    assert last["killed"] is False and last["exit"] == 0, last
    ((count, reference),) = current_paper(work / str(last["k"]))
    # The test backend gives the same picture on every sheet: the count and the ordered list of page
    # hashes are what tell a lost or a doubled page.
    assert count == PAGES == len(reference)
    killed = runs[:-1]
    assert len(killed) >= last["steps"] // every - 1
    steps = " ".join(r["step"] for r in killed)
    phases = {
        "scanning": ("sources:RawPage",),
        "compressing": ("imaging:clean_page",),
        "writing": ("BlobStore.put", "fs: fsync", "fs: replace"),  # five steps in a row
        # The statements of the one transaction that records the paper (its rows, event and audit entry):
        # with the keyed store's extra statements a stride of three may step over the first two.
        "committing": (
            "sql: INSERT INTO dossier_files",
            "sql: UPDATE dossier_files",
            "sql: INSERT INTO outbox",
            "sql: INSERT INTO audit_entries",
            "sql: COMMIT",
        ),
    }
    for phase, marks in phases.items():  # the kills landed in every phase of the work
        assert any(m in steps for m in marks), (phase, Counter(r["step"][:40] for r in killed))
    for run in killed:
        folder = work / str(run["k"])
        check_after_kill(folder, reference)
        # The operator scans the paper again: it ends with exactly the ten pages, in order.
        assert cli(scan_argv(code, folder), out=io.StringIO(), err=io.StringIO()) == 0, run
        assert current_paper(folder) == [(PAGES, reference)], run
        store = open_store(folder)
        try:
            assert check_database(store).ok
        finally:
            store.dispose()
