"""SIGKILL of ``motcua-desk attach`` at moments spread over its work (reading, cleaning, writing the
file, committing): afterwards the paper has its whole page set or none of it, every referenced file is
sound (``db check``), an outbox event exists exactly for each row, and the sweep removes only orphans."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
from digitise_helpers import receive
from sqlalchemy import func, select

from app.bootstrap import open_store
from app.digitise.blobs import BlobStore
from app.models import DossierFile, OutboxEntry
from app.services import files as svc
from app.services.health import check_database

ROOT = Path(__file__).resolve().parents[2]
DELAYS_S = (0.5, 1.2, 2.0, 2.8, 3.6, 5.0)


def test_sigkill_during_attach_leaves_all_or_nothing(data_dir: Path, page_files: dict[str, Path]) -> None:
    store = open_store(data_dir)
    code = receive(store)
    store.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outcomes = []
    for delay in DELAYS_S:
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                str(ROOT / "main.py"),
                "--data-dir",
                str(data_dir),
                "attach",
                code,
                "--paper",
                "1",
                "--pages",
                "2",
                str(page_files["dense"]),
                str(page_files["half"]),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        outcomes.append("finished" if finished else "killed")
        store = open_store(data_dir)
        try:
            assert check_database(store).ok
            with store.read() as s:
                rows = s.scalars(select(DossierFile).where(DossierFile.paper_no == 1)).all()
                events = s.scalar(
                    select(func.count())
                    .select_from(OutboxEntry)
                    .where(OutboxEntry.event_type == "dossier.files")
                )
            assert events == len(rows)
            blobs = BlobStore.of(data_dir, store.key)
            for r in rows:
                assert r.page_count == 2 and r.image_count == 2
                with pikepdf.open(io.BytesIO(blobs.read(r.sha256 or ""))) as pdf:
                    assert len(pdf.pages) == 2
            referenced = {r.sha256 for r in rows}
            svc.sweep(store, grace_s=0)  # no other writer now: every unreferenced file is an orphan
            assert {d for d, _ in blobs.stored()} == referenced
            assert not (data_dir / "files" / "tmp").exists() or not list(
                (data_dir / "files" / "tmp").iterdir()
            )
        finally:
            store.dispose()
    assert "killed" in outcomes  # the kills did land during the work
