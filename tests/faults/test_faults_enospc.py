"""A real full disk: the data folder on a small tmpfs, the space around the database taken by a filler
file, so that the kernel answers ENOSPC when SQLite appends to the WAL (the other disk tests simulate a
full disk inside SQLite with ``max_page_count``).

The desk receives and prints until the disk refuses: the refused operation leaves every table as it was,
the message is the operator's (Vietnamese, no traceback), the store stays sound, and once the filler is
removed the same store goes on. Mounting needs root with CAP_SYS_ADMIN: elsewhere the test is skipped
(visibly) and the simulated tests stand alone.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults.harness import is_vietnamese, store_problems
from faults.harness import table_snapshot as snapshot
from keyed import give_store_key

from app.bootstrap import open_store
from app.models.db import StoreError
from app.paths import database_path
from app.services import dossiers as svc
from app.services import printing
from app.services.audit import Actor

pytestmark = pytest.mark.slow

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
#: Free space left beside the database: a few dossiers and receipts fit, then the WAL cannot grow.
HEADROOM = 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path, template_dir: Path) -> Iterator[Path]:
    """A tmpfs just big enough for the demo data folder plus room to fill; unmounted at the end."""
    mount = tmp_path / "disk"
    mount.mkdir()
    size = database_path(template_dir).stat().st_size + 8 * 1024 * 1024
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs here (root with CAP_SYS_ADMIN needed): {done.stderr.strip()}"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def take_space(mount: Path, leave: int) -> Path:
    """A filler file that leaves ``leave`` bytes free on the file system."""
    filler = mount / "filler"
    free = shutil.disk_usage(mount).free
    with filler.open("wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
    return filler


def test_enospc_from_the_kernel_refuses_cleanly(small_disk: Path, template_dir: Path) -> None:
    data = small_disk / "data"
    data.mkdir()
    shutil.copy(database_path(template_dir), database_path(data))
    give_store_key(template_dir, data)
    store = open_store(data)
    db = database_path(data)
    try:
        filler = take_space(small_disk, HEADROOM)
        received: list[str] = []
        refused: StoreError | None = None
        for i in range(400):
            before = snapshot(db)
            try:
                applicant = svc.ApplicantInput(
                    full_name="Ngô Thị Lan", address="Phường Bắc Giang, Tỉnh Bắc Ninh"
                )
                code = svc.receive(store, ACTOR, svc.ReceiveRequest("1.001193", applicant)).code
                received.append(code)
                printing.print_dossier_form(store, ACTOR, code, "receipt")
            except StoreError as exc:
                refused = exc
                after = snapshot(db)
                # The refused call wrote nothing (a refused print leaves its saved dossier as it was).
                assert after == before or after["dossiers"] == before["dossiers"] + 1, i
                break
        assert refused is not None, "the disk never filled up"
        assert refused.problem.code == "store.disk_full", refused.problem
        assert is_vietnamese(refused.problem.vi) and "Traceback" not in refused.problem.vi
        assert received, "nothing fitted at all: the headroom is too small to test anything"
        # The next dossier does not fit either: refused whole, nothing of it written.
        before = snapshot(db)
        with pytest.raises(StoreError) as caught:
            for _ in range(50):
                svc.receive(
                    store, ACTOR, svc.ReceiveRequest("1.001193", svc.ApplicantInput(full_name="Hồ Văn Nam"))
                )
                before = snapshot(db)
        assert caught.value.problem.code == "store.disk_full"
        assert snapshot(db) == before

        filler.unlink()  # space is back
        code = svc.receive(
            store, ACTOR, svc.ReceiveRequest("1.001193", svc.ApplicantInput(full_name="Lê Văn Tám"))
        )
        printing.print_dossier_form(store, ACTOR, code.code, "receipt")
        received.append(code.code)
    finally:
        store.dispose()
    assert not store_problems(db, received=received)


def test_full_disk_during_a_batch_of_papers(small_disk: Path, template_dir: Path, tmp_path: Path) -> None:
    """A batch of scanned papers onto a data folder whose disk fills up: the paper the disk refuses is
    refused whole (no row, no event, no file, no temp file left), with the operator's message; once space is
    back the batch goes on, and every paper holds its whole page set, once."""
    from app.digitise import samples
    from app.digitise.blobs import BlobStore
    from app.services import files as fsvc
    from app.services.health import check_database

    pages = []
    for i in range(2):
        page = tmp_path / f"p{i}.png"
        samples.scanned(samples.text_page(repeat=1), seed=60 + i).save(page, dpi=(300, 300))
        pages.append(page)
    data = small_disk / "data"
    data.mkdir()
    shutil.copy(database_path(template_dir), database_path(data))
    give_store_key(template_dir, data)  # the copy's store key goes with it
    store = open_store(data)
    db = database_path(data)
    blobs = BlobStore.of(data, store.key)
    try:
        codes = [
            svc.receive(
                store,
                ACTOR,
                svc.ReceiveRequest(
                    "1.001193",
                    svc.ApplicantInput(full_name="Ngô Thị Lan", address="Phường Bắc Giang"),
                    paper_numbers=[(1, 1)],
                ),
            ).code
            for _ in range(8)
        ]
        # Room for a few two-page papers (≈ 40 KB each with the database's growth), then the disk is full.
        filler = take_space(small_disk, 150 * 1024)
        done: list[str] = []
        refused: StoreError | None = None
        for code in codes:
            before = snapshot(db)
            files_before = {d for d, _ in blobs.stored()}
            try:
                fsvc.attach(store, ACTOR, fsvc.AttachRequest(code, 1, tuple(pages), declared_pages=2))
            except StoreError as exc:
                refused = exc
                assert snapshot(db) == before  # no row, no event, no audit entry
                assert {d for d, _ in blobs.stored()} == files_before  # no file of it
                tmp = data / "files" / "tmp"
                assert not tmp.exists() or not list(tmp.iterdir())  # no temp file either
                break
            done.append(code)
        assert refused is not None, "the disk never filled up"
        assert refused.problem.code == "store.disk_full", refused.problem
        assert is_vietnamese(refused.problem.vi) and "Traceback" not in refused.problem.vi
        assert done, "nothing fitted at all: the headroom is too small to test anything"
        filler.unlink()  # space is back: the batch goes on from the refused paper
        for code in codes[len(done) :]:
            fsvc.attach(store, ACTOR, fsvc.AttachRequest(code, 1, tuple(pages), declared_pages=2))
        for code in codes:
            (paper,) = fsvc.dossier_files(store, code).papers
            assert (paper.pages, len(paper.page_hashes)) == (2, 2), code
            assert paper.sha256 is not None and blobs.exists(paper.sha256)
        health = check_database(store)
        assert health.ok, health
        with store.read() as s:
            from sqlalchemy import func, select

            from app.models import DossierFile, OutboxEntry

            rows = s.scalar(select(func.count()).select_from(DossierFile))
            events = s.scalar(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.event_type == "dossier.files")
            )
        assert rows == events == len(codes)  # each paper once: nothing lost, nothing doubled
    finally:
        store.dispose()
    assert not store_problems(db, received=codes)
