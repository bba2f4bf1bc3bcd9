"""Random sequences over digitised files (issue 19), ``MOTCUA_FAULT_EXAMPLES`` of them (a few in
``make test``, 1,000 in ``make soak``): a dossier's papers are attached (1–3 pages from a pool), attached
again (a newer set replaces the old), refused for a wrong declared count, exempted, swept, and synced through
``tools/faultproxy.py`` with seeded network faults on the file uploads (4 KiB chunks). After each sequence,
synced until nothing is pending: every paper holds exactly the pages of its last accepted set (0 lost, 0
duplicated), refused sets left nothing, the server holds every current file byte for byte and each event
once, ``db check`` and the store's oracle are clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faults.harness import (
    fault_seed,
    fuzz_settings,
    local_dossiers,
    new_desk,
    server_problems,
    store_problems,
)
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import select, update
from srvkit import A, World, sign_in

from app.digitise import imaging, samples
from app.domain.errors import DomainError
from app.models import DossierFile, OutboxEntry
from app.models.db import Store
from app.paths import database_path
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.health import check_database
from app.services.reference import set_setting
from app.sync import engine
from app.sync import files as sync_files
from app.sync.client import SyncClient, SyncError
from tools.faultproxy import FaultProxy, RandomFaults

pytestmark = pytest.mark.slow

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
POOL = 4  # distinct pages to draw from
PAPERS = 3  # the checklist rows of 1.001612

op = st.one_of(
    st.tuples(
        st.just("attach"),
        st.integers(1, PAPERS),
        st.lists(st.integers(0, POOL - 1), min_size=1, max_size=3),
    ),
    st.tuples(
        st.just("wrong_count"),
        st.integers(1, PAPERS),
        st.lists(st.integers(0, POOL - 1), min_size=1, max_size=2),
    ),
    st.tuples(st.just("exempt"), st.integers(1, PAPERS), st.sampled_from(["shown_only", "electronic"])),
    st.tuples(st.just("sync"), st.just(0), st.just([])),
    st.tuples(st.just("sweep"), st.just(0), st.just([])),
)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, str]]:
    """Small scanned pages (A4 at 100 dpi, so that a sequence of many attaches stays quick) and the hash
    each one's cleaned image has in a PDF."""
    d = tmp_path_factory.mktemp("pool")
    out = []
    for i in range(POOL):
        page = samples.scanned(samples.text_page(repeat=1), skew_deg=0.5 * i, seed=80 + i)
        small = page.resize((page.width // 3, page.height // 3), Image.Resampling.LANCZOS)
        f = d / f"p{i}.png"
        small.save(f, dpi=(100, 100))
        (raw,) = imaging.load_file(f)
        (digest,) = imaging.page_hashes(imaging.pages_pdf([imaging.clean_page(raw)]))
        out.append((f, digest))
    return out


@pytest.fixture
def desk(world: World, tmp_path: Path, template_dir: Path) -> Iterator[Store]:
    store = new_desk(
        tmp_path / "desk",
        template_dir,
        world.live.url,
        world.enrol_code(A),
        "Quầy 1",
        sign_in=lambda token: sign_in(world, token, A),
    )
    yield store
    store.dispose()


def drain(desk: Store, proxy_url: str, token: str) -> None:
    """Sync rounds through the faulty proxy until nothing is pending (bounded)."""
    for _ in range(100):
        try:
            with SyncClient(proxy_url, token, timeout=1.0) as client:
                engine.SyncEngine(desk, client).run_round()
        except SyncError:
            continue
        if sync_files.pending_files(desk)[0] == 0 and engine.outbox_counts(desk)[0] == 0:
            return
    pytest.fail(f"not drained: {sync_files.pending_files(desk)}, {engine.outbox_counts(desk)}")


def test_random_sequences_over_files(
    desk: Store, world: World, pool: list[tuple[Path, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.live.blob_dir is not None
    monkeypatch.setattr(sync_files, "CHUNK_BYTES", 4096)
    port = int(world.live.url.rsplit(":", 1)[1])
    faults = RandomFaults(
        fault_seed(),
        {
            "drop": 0.05,
            "reset": 0.05,
            "drop_after": 0.05,
            "reset_after": 0.05,
            "truncate": 0.04,
            "status": 0.04,
        },
        paths=("/api/v1/files",),
    )
    token = engine.connection(desk)[2]
    with FaultProxy(port, plan=faults, timeout=30) as proxy:
        with desk.write() as s:
            set_setting(s, engine.KEY_SERVER, proxy.url)

        @fuzz_settings(default_examples=6)
        @given(ops=st.lists(op, min_size=1, max_size=8))
        def sequence(ops: list[tuple[str, int, object]]) -> None:
            code = svc.receive(
                desk,
                ACTOR,
                svc.ReceiveRequest(
                    "1.001612",
                    svc.ApplicantInput(full_name="Lê Thị Mai", address="Phường Kinh Bắc, Tỉnh Bắc Ninh"),
                    paper_numbers=[(n, 1) for n in range(1, PAPERS + 1)],
                ),
            ).code
            expected: dict[int, tuple[str, ...] | str] = {}
            for kind, paper, arg in ops:
                if kind in ("attach", "wrong_count"):
                    picks = list(arg)  # type: ignore[call-overload]
                    files = tuple(pool[i][0] for i in picks)
                    declared = len(picks) + (1 if kind == "wrong_count" else 0)
                    request = fsvc.AttachRequest(code, paper, files, declared_pages=declared)
                    if kind == "wrong_count":
                        with pytest.raises(DomainError):
                            fsvc.attach(desk, ACTOR, request)
                        continue
                    fsvc.attach(desk, ACTOR, request)
                    with desk.write() as s:  # no OCR here: the image-only PDF is the file sent
                        s.execute(
                            update(DossierFile)
                            .where(DossierFile.ocr_state == "pending")
                            .values(ocr_state="failed")
                        )
                    expected[paper] = tuple(pool[i][1] for i in picks)
                elif kind == "exempt":
                    fsvc.exempt(desk, ACTOR, code, paper, str(arg))
                    expected[paper] = str(arg)
                elif kind == "sync":
                    try:
                        with SyncClient(proxy.url, token, timeout=1.0) as client:
                            engine.SyncEngine(desk, client).run_round()
                    except SyncError:
                        pass
                else:
                    fsvc.sweep(desk, grace_s=0)  # nothing is being written now: only orphans go
            drain(desk, proxy.url, token)

            listing = {p.paper_no: p for p in fsvc.dossier_files(desk, code).papers}
            for paper in range(1, PAPERS + 1):
                want = expected.get(paper)
                got = listing[paper]
                if want is None:
                    assert got.sha256 is None and got.exemption is None
                elif isinstance(want, str):
                    assert got.exemption == want and got.sha256 is None
                else:
                    assert got.page_hashes == want and got.pages == len(want)  # 0 lost, 0 duplicated
                    assert got.upload_state == "sent"
                    held = world.live.blob_dir / got.sha256[:2] / got.sha256[2:]  # type: ignore[index]
                    assert held.read_bytes() == fsvc.blob_store(desk).read(got.sha256 or "")

        sequence()
        assert any(n for kind, n in proxy.stats.counts.items() if kind != "pass")  # faults were injected

    db = database_path(desk.path.parent)
    health = check_database(desk)
    assert health.ok, health
    assert not store_problems(db)
    with desk.read() as s:
        event_ids = list(s.scalars(select(OutboxEntry.event_id)))
    assert not server_problems(world.live.db, local_dossiers(db), event_ids)
