"""Attaching digitised papers (app.services.files): one transaction with the outbox and the audit, the
declared page count, exemptions, the result, replacement, export, db check and the orphan sweep."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pikepdf
import pytest
from digitise_helpers import ACTOR, ALL_PAPERS, receive
from sqlalchemy import func, select

from app.digitise.blobs import BlobStore
from app.domain.errors import DomainError
from app.domain.status import Action
from app.models import AuditEntry, DossierFile, OutboxEntry
from app.models.db import Store
from app.services import dossiers as dsvc
from app.services import files as svc
from app.services.audit import verify
from app.services.health import check_database


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as s:
        return (
            s.scalar(select(func.count()).select_from(DossierFile)) or 0,
            s.scalar(
                select(func.count()).select_from(OutboxEntry).where(OutboxEntry.event_type == "dossier.files")
            )
            or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def test_attach_writes_file_row_outbox_and_audit_together(store: Store, page_files: dict[str, Path]) -> None:
    code = receive(store)
    before = counts(store)
    r = svc.attach(
        store,
        ACTOR,
        svc.AttachRequest(
            code,
            1,
            (page_files["dense"], page_files["half"]),
            declared_pages=2,
            notes=((2, page_files["half"]),),
        ),
    )
    assert (r.page_count, r.image_count, r.modes) == (2, 3, ("bw", "bw", "bw"))
    assert counts(store) == (before[0] + 1, before[1] + 1, before[2] + 1)
    data = BlobStore.of(store.path.parent, store.key).read(r.sha256 or "")
    assert hashlib.sha256(data).hexdigest() == r.sha256 and len(data) == r.size
    assert len(pikepdf.open(io.BytesIO(data)).pages) == 3
    with store.read() as s:
        row = s.scalars(select(DossierFile)).one()
        out = s.scalars(select(OutboxEntry).where(OutboxEntry.event_id == row.event_id)).one()
        assert verify(s).ok
    assert out.payload["type"] == "dossier.files" and out.payload["payload"]["sha256"] == r.sha256
    assert [(p["page"], p["note"]) for p in row.pages] == [(1, False), (2, False), (2, True)]
    assert (row.ocr_state, row.upload_state, row.original_sha256) == ("pending", "pending", r.sha256)
    listing = svc.dossier_files(store, code)
    first = listing.papers[0]
    assert (first.pages, first.declared_pages, first.sha256, first.images) == (2, 2, r.sha256, 3)
    assert all(p.sha256 is None for p in listing.papers[1:])


def test_page_count_mismatch_writes_nothing(store: Store, page_files: dict[str, Path]) -> None:
    code = receive(store)
    before = counts(store)
    with pytest.raises(DomainError) as err:
        svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["dense"],), declared_pages=2))
    assert err.value.problems[0].code == "digitise.page_mismatch"
    assert counts(store) == before
    assert not (store.path.parent / "files").exists() or not list(
        BlobStore.of(store.path.parent, store.key).stored()
    )


def test_wrong_paper_or_dossier_is_refused_before_any_work(store: Store, page_files: dict[str, Path]) -> None:
    code = receive(store)
    for req, problem in [
        (svc.AttachRequest(code, 99, (page_files["dense"],)), "digitise.paper"),
        (svc.AttachRequest("000.10.24.H06-261205-0404", 1, (page_files["dense"],)), "dossier.unknown"),
        (svc.AttachRequest(code, 1, (page_files["dense"],), result=True), "digitise.result_status"),
        (svc.AttachRequest(code, 1, exemption="because"), "digitise.exemption"),
    ]:
        with pytest.raises(DomainError) as err:
            svc.attach(store, ACTOR, req)
        assert err.value.problems[0].code == problem


def test_exemption_result_and_replacement(store: Store, page_files: dict[str, Path]) -> None:
    code = receive(store)
    e = svc.attach(store, ACTOR, svc.AttachRequest(code, 2, exemption="shown_only"))
    assert (e.exemption, e.sha256) == ("shown_only", None)
    first = svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))
    second = svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["dense"],), declared_pages=1))
    assert first.sha256 != second.sha256
    listing = svc.dossier_files(store, code)
    assert listing.papers[0].sha256 == second.sha256 and listing.papers[1].exemption == "shown_only"
    with store.read() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(DossierFile).where(DossierFile.replaced_at.is_not(None))
            )
            == 1
        )
    for action in (Action.START_PROCESSING, Action.RESULT_READY):
        dsvc.perform(store, ACTOR, code, action)
    res = svc.attach(store, ACTOR, svc.AttachRequest(code, 0, (page_files["half"],), result=True))
    assert res.kind == "result"
    assert svc.dossier_files(store, code).papers[-1].kind == "result"


def test_export_db_check_and_damage(store: Store, page_files: dict[str, Path], tmp_path: Path) -> None:
    code = receive(store)
    r = svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))
    (path,) = svc.export(store, code, tmp_path / "out")
    assert path.name == "01-to-khai-dang-ky-khai-sinh.pdf"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == r.sha256
    assert check_database(store).ok
    blob = BlobStore.of(store.path.parent, store.key).path(r.sha256 or "")
    blob.write_bytes(blob.read_bytes()[:-10])
    report = check_database(store)
    assert not report.ok
    (fault,) = report.files
    assert fault.problem == "damaged" and fault.where == (f"{code} #1 (Tờ khai đăng ký khai sinh)",)
    with pytest.raises(DomainError) as err:
        svc.export(store, code, tmp_path / "out2")
    assert err.value.problems[0].code == "digitise.file_damaged"
    blob.unlink()
    assert [f.problem for f in check_database(store).files] == ["missing"]


def test_crash_between_file_and_rows_leaves_an_orphan_the_sweep_removes(
    store: Store, page_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = receive(store)

    def crash(*_a: object, **_k: object) -> str:
        raise KeyboardInterrupt  # the process dies after the file is durable, before the transaction

    monkeypatch.setattr(svc, "_record", crash)
    with pytest.raises(KeyboardInterrupt):
        svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))
    monkeypatch.undo()
    blobs = BlobStore.of(store.path.parent, store.key)
    ((orphan, path),) = list(blobs.stored())
    assert counts(store)[0] == 0 and check_database(store).ok  # no row: nothing half-recorded
    assert svc.sweep(store) == []  # too young: it might belong to a transaction still open
    old = time.time() - 7200
    os.utime(path, (old, old))
    kept = svc.attach(store, ACTOR, svc.AttachRequest(code, 2, (page_files["dense"],)))
    assert svc.sweep(store) == [orphan]
    assert [d for d, _ in blobs.stored()] == [kept.sha256]


def test_receipt_and_logbook_mark_the_digitised_papers(store: Store, page_files: dict[str, Path]) -> None:
    import io
    from datetime import date

    import pypdf

    from app.domain.text import fold
    from app.services import printing

    code = receive(store)
    svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))
    svc.attach(store, ACTOR, svc.AttachRequest(code, 2, exemption="shown_only"))  # exempt: not digitised
    receipt = printing.print_dossier_form(store, ACTOR, code, "receipt").pdf
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(receipt)).pages)
    assert fold(text).count(fold("(đã số hóa)")) == 2  # paper 1, on both copies of the receipt
    today = date.today()
    book = printing.logbook(store, today, today)
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(book)).pages)
    assert fold("đã số hóa 1/7 giấy tờ") in fold(" ".join(text.split()))


def test_reuse_links_a_paper_of_the_same_citizen(
    store: Store, page_files: dict[str, Path], data_dir: Path
) -> None:
    import io
    import json

    from app.cli.main import main

    def cli(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        return main([*argv, "--data-dir", str(data_dir)], out=out, err=err), out.getvalue(), err.getvalue()

    def receive_for(personal_id: str) -> str:
        r = dsvc.receive(
            store,
            ACTOR,
            dsvc.ReceiveRequest(
                "1.001193",
                dsvc.ApplicantInput(
                    full_name="Đặng Văn Hùng", personal_id=personal_id, address="Phường Bắc Giang"
                ),
                paper_numbers=ALL_PAPERS,
            ),
        )
        return r.code

    first = receive_for("024090012345")
    original = svc.attach(store, ACTOR, svc.AttachRequest(first, 6, (page_files["half"],)))
    second = receive_for("024090012345")
    stranger = receive_for("024190001234")
    code, out, _ = cli("files", "--reusable", "024090012345", "--json")
    (offer,) = json.loads(out)
    assert (offer["dossier_code"], offer["paper_no"], offer["sha256"]) == (first, 6, original.sha256)
    assert cli("files", "--reusable", "024190001234")[1].strip() == "Không có giấy tờ nào để dùng lại."
    code, out, err = cli("attach", second, "--paper", "6", "--reuse", str(offer["file_id"]))
    assert code == 0, err
    (paper,) = [p for p in svc.dossier_files(store, second).papers if p.paper_no == 6]
    assert (paper.sha256, paper.reused, paper.pages) == (original.sha256, True, 1)
    assert len(list(BlobStore.of(data_dir, store.key).stored())) == 1  # linked, not copied
    with store.read() as s:
        event = s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq.desc())).first()
    assert event is not None and event.payload["payload"]["reused"] is True
    code, _out, err = cli("attach", stranger, "--paper", "6", "--reuse", str(offer["file_id"]))
    assert code == 1 and "cùng số định danh" in err


def test_a_full_disk_while_writing_the_file_is_explained_and_nothing_is_kept(
    store: Store, page_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from app.digitise import blobs as blobs_module
    from app.models.db import StoreError

    code = receive(store)
    before = counts(store)

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(blobs_module.os, "fsync", full)
    with pytest.raises(StoreError) as err:
        svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))
    assert err.value.problem.code == "store.disk_full"
    monkeypatch.undo()
    assert counts(store) == before
    blobs = BlobStore.of(store.path.parent, store.key)
    assert list(blobs.stored()) == [] and list((blobs.root / "tmp").iterdir()) == []  # the temp file is gone
    svc.attach(store, ACTOR, svc.AttachRequest(code, 1, (page_files["half"],)))  # space again: it works
