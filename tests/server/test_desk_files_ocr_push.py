"""OCR that ends after the paper's ``dossier.files`` event was pushed (issue 19): the desk records, in the
transaction that switches the paper to its PDF/A, one new ``dossier.files`` event marked
``text_layer_of`` the image-only PDF; the real server accepts it only from the centre that digitised the
paper, for the same paper with the same page hashes; the PDF/A (with its text, read back with pypdf) is
the file uploaded, and the commune the dossier was forwarded to switches to it and fetches it. While the
event still waits in the outbox, OCR's PDF/A replaces the file it names instead, with no second event."""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from sqlalchemy import select, update
from srvkit import World
from srvkit import sync_round as sync

from app.contract import AuditHead, Event, PushResponse
from app.digitise import imaging, ocr, samples
from app.models import DossierFile, OutboxEntry
from app.models.db import Store
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.health import check_database
from app.sync import engine, files
from app.sync.client import SyncClient
from server import models as sm
from server.blobs import BlobStore

pytestmark = pytest.mark.skipif(ocr.available() is not None, reason=f"OCR cannot run: {ocr.available()}")

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")


def forwarded_with_a_paper(a1: Store, tmp_path: Path, seed: int) -> str:
    """A dossier of scenario c (Kinh Bắc competent) with paper 1 digitised from one text page, forwarded."""
    page = tmp_path / f"page{seed}.png"
    samples.scanned(samples.text_page(repeat=1), seed=seed).save(page, dpi=(300, 300))
    r = svc.receive(
        a1,
        ACTOR,
        svc.ReceiveRequest(
            "1.001612",
            svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Kinh Bắc, Tỉnh Bắc Ninh"),
            received_at=datetime.now().replace(second=0, microsecond=0),
            paper_numbers=[(1, 1), (2, 1)],
        ),
    )
    assert r.scenario == "c" and r.code is not None
    fsvc.attach(a1, ACTOR, fsvc.AttachRequest(r.code, 1, (page,), declared_pages=1))
    svc.perform(a1, ACTOR, r.code, "forward")
    return r.code


def rows_of(store: Store, code: str) -> list[DossierFile]:
    dossier_id = fsvc.dossier_files(store, code).dossier_id
    with store.read() as s:
        rows = list(s.scalars(select(DossierFile).where(DossierFile.dossier_id == dossier_id)))
        s.expunge_all()
    return sorted(rows, key=lambda r: r.id)


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def file_events(store: Store) -> list[dict[str, Any]]:
    with store.read() as s:
        return [
            dict(e.payload)
            for e in s.scalars(
                select(OutboxEntry).where(OutboxEntry.event_type == "dossier.files").order_by(OutboxEntry.seq)
            )
        ]


def test_text_layer_reaches_the_server_and_the_other_commune_when_ocr_ends_after_the_push(
    desks: tuple[Store, Store], world: World, tmp_path: Path, blob_store: BlobStore
) -> None:
    a1, b1 = desks
    code = forwarded_with_a_paper(a1, tmp_path, seed=21)
    report = sync(a1)  # the event is pushed while OCR is still pending: nothing uploaded yet
    assert report.parked == [] and report.files_sent == 0
    (image_row,) = rows_of(a1, code)
    image_sha = image_row.sha256 or ""
    page_hashes = [p["sha256"] for p in image_row.pages]

    assert fsvc.run_ocr(a1).done == 1
    assert fsvc.run_ocr(a1).done == 0  # one switch and one event per recognition, never a second
    old, new = rows_of(a1, code)
    assert (old.sha256, old.replaced_at is not None, old.ocr_state, old.upload_state) == (
        image_sha,
        True,
        "done",
        "none",
    )
    pdfa_sha = new.sha256 or ""
    assert pdfa_sha != image_sha and new.original_sha256 == image_sha and new.replaced_at is None
    assert (new.ocr_state, new.upload_state, new.page_count, new.paper_no) == ("done", "pending", 1, 1)
    pdfa = fsvc.blob_store(a1).read(pdfa_sha)
    # The page images are the image-only PDF's, byte for byte: the page SHA-256s stay what they were.
    assert [p["sha256"] for p in new.pages] == page_hashes == imaging.page_hashes(pdfa)
    first, second = file_events(a1)
    assert first["payload"]["sha256"] == image_sha and "text_layer_of" not in first["payload"]
    assert second["payload"]["sha256"] == pdfa_sha and second["payload"]["text_layer_of"] == image_sha
    assert second["payload"]["pages"] == first["payload"]["pages"] and second["event_id"] == new.event_id
    assert engine.outbox_counts(a1)[0] == 1

    report = sync(a1)
    assert (report.accepted, report.parked, report.files_sent) == (1, [], 1)
    assert blob_store.read(pdfa_sha) == pdfa  # the PDF/A with its text layer is on the server
    assert blob_store.read(image_sha) is None  # the image-only PDF it replaces is not sent as well
    server_text = text_of(blob_store.read(pdfa_sha) or b"").lower()
    assert {"khai", "sinh"} <= set(server_text.split()), server_text[:300]
    assert text_of(fsvc.blob_store(a1).read(image_sha)).strip() == ""  # no text before OCR
    with world.live.db.read() as s:
        refs = s.execute(select(sm.FileRef.sha256).where(sm.FileRef.paper_no == 1).order_by(sm.FileRef.id))
        assert list(refs.scalars()) == [image_sha, pdfa_sha]
    again = sync(a1)  # nothing more: no event, no file, no duplicate reference
    assert (again.pushed, again.files_sent) == (0, 0) and engine.outbox_counts(a1) == (0, 0)
    with world.live.db.read() as s:
        assert len(s.scalars(select(sm.FileRef.id).where(sm.FileRef.paper_no == 1)).all()) == 2
    assert files.pending_files(a1) == (0, 0)
    assert [p.sha256 for p in fsvc.dossier_files(a1, code).papers][:1] == [pdfa_sha]
    assert check_database(a1).ok

    # The commune the dossier was forwarded to: its row switches to the PDF/A and fetches it.
    assert sync(b1).files_fetched == 1
    (b_paper, *_rest) = fsvc.dossier_files(b1, code).papers
    assert (b_paper.sha256, b_paper.page_hashes, b_paper.ocr_state) == (pdfa_sha, tuple(page_hashes), "none")
    assert fsvc.blob_store(b1).read(pdfa_sha) == pdfa
    assert not fsvc.blob_store(b1).exists(image_sha)  # the replaced image-only PDF is never fetched
    url, _device, token = engine.connection(b1)
    with SyncClient(url, token) as b_client:
        assert files.fetch_files(b1, b_client, code) == 0
    assert check_database(b1).ok
    assert sync(b1).files_sent == 0 and sync(a1).pulled >= 0
    assert len(rows_of(a1, code)) == 2  # A's own events coming back make no extra row


def test_ocr_before_the_push_replaces_the_file_its_waiting_event_names(
    desks: tuple[Store, Store], world: World, tmp_path: Path, blob_store: BlobStore
) -> None:
    a1, b1 = desks
    code = forwarded_with_a_paper(a1, tmp_path, seed=22)
    assert fsvc.run_ocr(a1).done == 1
    (row,) = rows_of(a1, code)  # one row, switched in place
    (event,) = file_events(a1)  # no second event
    pdfa_sha = row.sha256 or ""
    assert event["payload"]["sha256"] == pdfa_sha and "text_layer_of" not in event["payload"]
    assert row.original_sha256 != pdfa_sha
    report = sync(a1)
    assert report.parked == [] and report.files_sent == 1
    assert blob_store.read(pdfa_sha) == fsvc.blob_store(a1).read(pdfa_sha)
    assert blob_store.read(row.original_sha256 or "") is None
    assert {"khai", "sinh"} <= set(text_of(blob_store.read(pdfa_sha) or b"").lower().split())
    with world.live.db.read() as s:
        assert s.scalars(select(sm.FileRef.sha256).where(sm.FileRef.paper_no == 1)).all() == [pdfa_sha]
    assert sync(b1).files_fetched == 1
    assert fsvc.dossier_files(b1, code).papers[0].sha256 == pdfa_sha


def test_an_event_whose_push_was_tried_gets_a_text_layer_event(
    desks: tuple[Store, Store], world: World, tmp_path: Path, blob_store: BlobStore
) -> None:
    """A push whose answer was lost leaves the event pending with an attempt counted: the server may hold
    it, so the event is not changed (that would be an ``event.conflict``) and a text-layer event follows."""
    a1, _b1 = desks
    code = forwarded_with_a_paper(a1, tmp_path, seed=23)
    with a1.write() as s:
        s.execute(update(OutboxEntry).values(attempts=1))
    assert fsvc.run_ocr(a1).done == 1
    first, second = file_events(a1)
    assert second["payload"]["text_layer_of"] == first["payload"]["sha256"]
    report = sync(a1)  # both in one batch, in order: the server checks the second against the first
    assert report.parked == [] and report.files_sent == 1
    assert blob_store.read(second["payload"]["sha256"]) is not None
    assert fsvc.dossier_files(a1, code).papers[0].sha256 == second["payload"]["sha256"]
    assert check_database(a1).ok


@pytest.mark.parametrize("server_has_it", [False, True], ids=["on-the-wire", "answered"])
def test_ocr_ending_while_the_push_is_in_flight_records_a_text_layer_event(
    desks: tuple[Store, Store], world: World, tmp_path: Path, blob_store: BlobStore, server_has_it: bool
) -> None:
    """OCR's switch runs between the engine reading the push batch and marking it sent (before the
    request reaches the server, or after the server answered): the engine counted the attempt when it
    read the batch, so the event that is on the wire is not rewritten; a text-layer event follows it and
    the PDF/A reaches the server, nothing parked."""
    a1, _b1 = desks
    code = forwarded_with_a_paper(a1, tmp_path, seed=25)
    (image_row,) = rows_of(a1, code)
    image_sha = image_row.sha256 or ""
    recognised: list[int] = []
    url, _device, token = engine.connection(a1)
    with SyncClient(url, token) as client:
        real_push = client.push

        def push_while_ocr_ends(events: Sequence[Event], audit_head: AuditHead | None = None) -> PushResponse:
            if recognised or not any(e.type == "dossier.files" for e in events):
                return real_push(events, audit_head)
            if not server_has_it:
                recognised.append(fsvc.run_ocr(a1).done)
            response = real_push(events, audit_head)
            if server_has_it:
                recognised.append(fsvc.run_ocr(a1).done)
            return response

        client.push = push_while_ocr_ends  # type: ignore[method-assign]
        report = engine.SyncEngine(a1, client).run_round()
    assert recognised == [1] and report.parked == []
    first, second = file_events(a1)
    # The event on the wire is the one the server holds, unchanged; the PDF/A comes with a new event.
    assert first["payload"]["sha256"] == image_sha and "text_layer_of" not in first["payload"]
    pdfa_sha = second["payload"]["sha256"]
    assert pdfa_sha != image_sha and second["payload"]["text_layer_of"] == image_sha
    assert fsvc.run_ocr(a1).done == 0  # one event per recognition, no loop

    again = sync(a1)
    assert (again.parked, again.files_sent) == ([], 1)
    assert sync(a1).pushed == 0 and engine.outbox_counts(a1) == (0, 0)
    pdfa = blob_store.read(pdfa_sha)
    assert pdfa is not None and pdfa == fsvc.blob_store(a1).read(pdfa_sha)
    assert {"khai", "sinh"} <= set(text_of(pdfa).lower().split())
    assert blob_store.read(image_sha) is None
    with world.live.db.read() as s:
        refs = s.execute(select(sm.FileRef.sha256).where(sm.FileRef.paper_no == 1).order_by(sm.FileRef.id))
        assert list(refs.scalars()) == [image_sha, pdfa_sha]
    assert engine.parked_events(a1) == [] and files.parked_files(a1) == 0
    assert [r.upload_state for r in rows_of(a1, code)] == ["none", "sent"]
    assert fsvc.dossier_files(a1, code).papers[0].sha256 == pdfa_sha
    assert check_database(a1).ok


def test_server_accepts_a_text_layer_only_from_the_holder_for_the_same_pages(
    desks: tuple[Store, Store], world: World, tmp_path: Path
) -> None:
    a1, b1 = desks
    code = forwarded_with_a_paper(a1, tmp_path, seed=24)
    sync(a1)
    assert fsvc.run_ocr(a1).done == 1
    _first, second = file_events(a1)
    sync(b1)  # B (competent, handling after the forward) is named on the dossier

    def forged(**changes: Any) -> Event:
        payload = {**second["payload"], **changes}
        return Event.model_validate({**second, "event_id": str(uuid.uuid4()), "payload": payload})

    def push(store: Store, ev: Event) -> str:
        url, _device, token = engine.connection(store)
        with SyncClient(url, token) as client:
            (result,) = client.push([ev]).results
        return result.reason.code if result.reason else result.status

    assert push(b1, forged()) == "files.text_layer_holder"  # only the centre that digitised the paper
    other_pages = [{**p, "sha256": "0" * 64} for p in second["payload"]["pages"]]
    assert push(a1, forged(pages=other_pages)) == "files.text_layer_pages"
    assert push(a1, forged(paper_no=2)) == "files.text_layer_pages"
    assert push(a1, forged(text_layer_of="f" * 64)) == "files.text_layer_unknown"
    with world.live.db.read() as s:
        assert len(s.scalars(select(sm.FileRef.id)).all()) == 1  # none of them recorded
    report = sync(a1)  # the real one
    assert (report.accepted, report.parked) == (1, [])
    assert fsvc.dossier_files(a1, code).papers[0].upload_state == "sent"
