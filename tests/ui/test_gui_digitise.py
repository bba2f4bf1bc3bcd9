"""The digitising panel (issue 19, items 7 and 8) driven as an operator: F8 at intake and on the dossier
screen, SANE's own ``test`` backend as the scanner (a 10-sheet feeder), the page keys (Delete, Ctrl+↑/↓,
R, Shift+F8, Ctrl+F8), a declared count that differs refused in Vietnamese, files, an exemption, Ctrl+S,
the viewer (V, PgDn, Ctrl++), and F12 reusing a paper already digitised for the scanned citizen. What was
stored is read back through the services."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_helpers import PAYLOAD, Keyboard, settle
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sanekit import sane_test_conf

from app.digitise import imaging, samples
from app.services import dossiers as svc
from app.services import files as fsvc
from app.services.audit import Actor
from app.services.search import search
from app.ui.shell.main_window import MainWindow

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
PERSONAL_ID = "024090012345"  # the card of PAYLOAD


@pytest.fixture
def sane_test_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SANE with only its ``test`` backend (as tests/digitise/test_sources.py)."""
    conf = sane_test_conf(tmp_path)
    monkeypatch.setenv("SANE_CONFIG_DIR", str(conf))
    yield


@pytest.fixture(scope="module")
def page_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "page.png"
    samples.scanned(samples.text_page(repeat=1), seed=5).save(out, dpi=(300, 300))
    return out


def lanes_idle(window: MainWindow) -> bool:
    return window.digitise_worker.idle and window.worker.idle and window.print_worker.idle


def wait_lanes(qtbot: QtBot, window: MainWindow, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: lanes_idle(window), timeout=timeout)


def start_intake(window: MainWindow, qtbot: QtBot, keyboard: Keyboard) -> None:
    keyboard.scan(PAYLOAD)
    keyboard.type("khai sinh")
    keyboard.key(K.Key_Return)
    keyboard.key(K.Key_Space)  # the birth declaration (paper 1); the ID card (paper 2) ticks itself
    settle(qtbot, window)
    assert window.intake.papers.ticked() == [0, 5]


@pytest.mark.usefixtures("sane_test_backend")
def test_intake_scans_edits_refuses_a_mismatch_and_stores_with_the_dossier(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard
) -> None:
    intake = desk.intake
    start_intake(desk, qtbot, keyboard)
    keyboard.key(K.Key_F8)
    panel = intake.digitise_panel
    assert panel is not None
    qtbot.waitUntil(panel.isActiveWindow)
    panel.resolution = 50  # the test backend's pages, small and quick
    wait_lanes(qtbot, desk)
    panel.device.setCurrentIndex(panel.device.findData("test:0"))
    assert panel.feeder.isChecked()
    assert [w.name for w in panel.model.papers][0].startswith("Tờ khai")
    keyboard.key(K.Key_F8)  # the whole feeder into paper 1
    qtbot.waitUntil(lambda: panel.progress.isVisible() or panel.tasks == 0)
    wait_lanes(qtbot, desk)
    work = panel.model.papers[0]
    assert len(work.pages) == 10 and work.declared == 10  # the feeder reported ten sheets
    assert panel.pages.count() == 10
    # The operator counted 9 sheets: the panel marks the mismatch, the save refuses it in Vietnamese.
    panel.declared.setFocus()
    keyboard.key(K.Key_A, CTRL)
    keyboard.type("9")
    assert work.declared == 9 and work.mismatch
    assert "10/9" in panel.papers.item(0).text()
    keyboard.key(K.Key_Escape)
    qtbot.waitUntil(lambda: intake.digitise_panel is None and desk.isActiveWindow())
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    assert "khai báo 9 trang nhưng đã quét 10 trang" in intake.general_error.text()
    assert fsvc.reusable_papers(desk.ctx.store, PERSONAL_ID) == []

    # Back in the panel: delete a page, move one, rotate, rescan one, add a sticky-note image.
    keyboard.key(K.Key_F8)
    panel = intake.digitise_panel
    assert panel is not None
    qtbot.waitUntil(panel.isActiveWindow)
    panel.resolution = 50
    wait_lanes(qtbot, desk)
    panel.device.setCurrentIndex(panel.device.findData("test:0"))
    work = panel.model.papers[0]
    assert len(work.pages) == 10  # the pages waited in the intake
    panel.pages.setFocus()
    panel.pages.setCurrentRow(9)
    keyboard.key(K.Key_Delete)
    assert len(work.pages) == 9 and not work.mismatch
    first, second = work.pages.pages[0].image, work.pages.pages[1].image
    panel.pages.setCurrentRow(0)
    keyboard.key(K.Key_Down, CTRL)
    assert [p.image for p in work.pages.pages[:2]] == [second, first]
    assert panel.pages.currentRow() == 1
    keyboard.key(K.Key_R)
    assert work.pages.pages[1].rotation == 1
    keyboard.key(K.Key_Up, CTRL)
    assert work.pages.pages[0].image == first and work.pages.pages[0].rotation == 1
    panel.pages.setCurrentRow(2)
    before = work.pages.pages[2].image
    keyboard.key(K.Key_F8, SHIFT)  # rescan page 3 (one sheet)
    wait_lanes(qtbot, desk)
    assert work.pages.pages[2].image != before and len(work.pages) == 9
    panel.pages.setCurrentRow(3)
    keyboard.key(K.Key_F8, CTRL)  # page 4 with its sticky note
    wait_lanes(qtbot, desk)
    assert work.pages.pages[3].note_image is not None and work.pages.image_count == 10
    assert "Trang 4 + ghi chú" in panel.pages.item(3).text()
    # The panel holds each page cleaned and compressed (never its raw pixels); the rotated page is
    # stored turned, the same bytes as cleaning it with its rotation.
    held = panel.model.images
    assert all(isinstance(p.page, imaging.CleanPage) and p.thumbnail for p in held.values())
    rotated = imaging.rotate_clean(held[first].page, 1)
    (rotated_hash,) = imaging.page_hashes(imaging.pages_pdf([rotated]))
    keyboard.key(K.Key_Escape)
    qtbot.waitUntil(lambda: intake.digitise_panel is None and desk.isActiveWindow())

    with qtbot.waitSignal(intake.saved, timeout=60_000) as saved:
        keyboard.key(K.Key_Return, CTRL)
    wait_lanes(qtbot, desk)
    code = saved.args[0].code
    assert code and "1 giấy tờ đã được số hóa" in intake.scan_banner.text()
    listing = fsvc.dossier_files(desk.ctx.store, code)
    paper = listing.papers[0]
    assert (paper.pages, paper.declared_pages, paper.images) == (9, 9, 10)
    assert paper.sha256 is not None and len(paper.page_hashes) == 10
    assert paper.page_hashes[0] == rotated_hash
    assert fsvc.blob_store(desk.ctx.store).exists(paper.sha256)
    assert listing.papers[1].sha256 is None  # the ID card: nothing scanned, nothing stored
    assert intake.digitise_model.works == {}  # the next citizen starts empty


def test_dossier_screen_files_exemption_viewer_and_reuse_at_intake(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, page_png: Path
) -> None:
    store = desk.ctx.store
    actor = Actor("Trần Văn Trước", "Quầy 2")
    applicant = svc.ApplicantInput(full_name="Đặng Văn Hùng", personal_id=PERSONAL_ID, address="Bắc Giang")
    papers = [
        svc.PaperInput("Tờ khai đăng ký khai sinh", "original"),
        svc.PaperInput("Giấy chứng sinh", "original"),
    ]
    received = svc.receive(store, actor, svc.ReceiveRequest("1.001193", applicant, papers=papers))
    desk.open_dossier(received.dossier_id)
    settle(qtbot, desk)
    keyboard.key(K.Key_F8)
    panel = desk.detail.digitise_panel
    assert panel is not None
    qtbot.waitUntil(panel.isActiveWindow)
    wait_lanes(qtbot, desk)
    assert [w.paper_no for w in panel.model.papers] == [1, 2]
    assert "chưa số hóa" in panel.papers.item(0).text()
    panel.add_files([page_png])  # as chosen with Ctrl+O or dropped
    wait_lanes(qtbot, desk)
    assert len(panel.model.papers[0].pages) == 1
    keyboard.key(K.Key_PageDown, CTRL)
    assert panel.papers.currentRow() == 1
    keyboard.key(K.Key_E)
    assert panel.focusWidget() is panel.exemption
    keyboard.key(K.Key_Down)
    keyboard.key(K.Key_Down)
    assert panel.model.papers[1].exemption == "shown_only"
    keyboard.key(K.Key_S, CTRL)
    wait_lanes(qtbot, desk)
    assert "2 giấy tờ đã được lưu" in panel.message.text()
    listing = fsvc.dossier_files(store, received.dossier_id)
    assert (listing.papers[0].pages, listing.papers[0].ocr_state) == (1, "pending")
    assert listing.papers[1].exemption == "shown_only"
    qtbot.waitUntil(lambda: "đã lưu 1 trang" in panel.papers.item(0).text(), timeout=10_000)
    # The viewer: the stored PDF (encrypted on disk: decrypted into memory, never a path), paged and zoomed.
    on_disk = fsvc.blob_store(store).path(listing.papers[0].sha256 or "").read_bytes()
    assert store.key is not None and b"%PDF" not in on_disk
    panel.papers.setCurrentRow(0)
    panel.papers.setFocus()
    keyboard.key(K.Key_V)
    wait_lanes(qtbot, desk)
    viewer = panel.viewer
    assert viewer is not None
    qtbot.waitUntil(viewer.isActiveWindow)
    assert viewer.pages == 1 and viewer.page == 0  # type: ignore[attr-defined]
    keyboard.key(K.Key_Plus, CTRL)
    assert viewer.zoom > 1.0  # type: ignore[attr-defined]
    keyboard.key(K.Key_Escape)
    qtbot.waitUntil(lambda: panel.viewer is None and panel.isActiveWindow())
    keyboard.key(K.Key_Escape)
    qtbot.waitUntil(lambda: desk.detail.digitise_panel is None and desk.isActiveWindow())
    stored_sha = listing.papers[0].sha256

    # At intake, the same citizen's card: the paper already digitised is offered, F12 reuses it.
    desk.show_intake()
    settle(qtbot, desk)
    intake = desk.intake
    start_intake(desk, qtbot, keyboard)
    assert "F12" in intake.scan_banner.text()
    keyboard.key(K.Key_F12)
    assert "Tờ khai đăng ký khai sinh" in intake.scan_banner.text()
    with qtbot.waitSignal(intake.saved, timeout=60_000) as saved:
        keyboard.key(K.Key_Return, CTRL)
    wait_lanes(qtbot, desk)
    reused = fsvc.dossier_files(store, saved.args[0].code).papers[0]
    assert reused.reused and reused.sha256 == stored_sha and reused.pages == 1
    # Linked, not copied: one file in the store for both dossiers.
    files = [p for p in (fsvc.blob_store(store).root).rglob("*") if p.is_file()]
    assert sum(1 for f in files if f.name.endswith(stored_sha[2:])) == 1


class SaneWithoutDevices:
    """SANE as it answers on a machine with no scanner: no device. (An empty SANE configuration cannot be
    used here: libsane keeps the configuration folder it found first for the whole process, so the other
    tests' ``test`` backend would still answer.) Everything above it — the device list, the scan refused
    with its Vietnamese reason — is the real code."""

    @staticmethod
    def get_devices() -> list[tuple[str, str, str, str]]:
        return []


def test_windows_scanners_are_listed_by_name_and_driver(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One scanner through its TWAIN and its WIA driver: two entries the operator tells apart by the
    driver's kind, never by WIA's GUID; the choice carries the id the scan needs."""
    from app.digitise import sources

    wia_id = "wia:{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0000"
    found = [
        sources.Device("CanoScan LiDE 300", "", "CanoScan LiDE 300", "TWAIN"),
        sources.Device(wia_id, "Canon", "CanoScan LiDE 300", "WIA"),
    ]
    monkeypatch.setattr(sources, "list_devices", lambda: found)
    start_intake(desk, qtbot, keyboard)
    keyboard.key(K.Key_F8)
    panel = desk.intake.digitise_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.device.count() == 2)
    labels = [panel.device.itemText(i) for i in range(2)]
    assert labels == ["CanoScan LiDE 300 (TWAIN)", "CanoScan LiDE 300 — Canon (WIA)"]
    assert [panel.device.itemData(i) for i in range(2)] == ["CanoScan LiDE 300", wia_id]
    keyboard.key(K.Key_Escape)
    settle(qtbot, desk)


@pytest.fixture
def sane_without_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.digitise import sources

    if sys.platform == "win32":
        pytest.skip("SANE is the Linux path")
    monkeypatch.setattr(sources, "_sane", SaneWithoutDevices)


@pytest.mark.usefixtures("sane_without_scanner")
def test_no_scanner_is_said_in_vietnamese_and_files_still_work(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, page_png: Path
) -> None:
    intake = desk.intake
    start_intake(desk, qtbot, keyboard)
    keyboard.key(K.Key_F8)
    panel = intake.digitise_panel
    assert panel is not None
    qtbot.waitUntil(panel.isActiveWindow)
    wait_lanes(qtbot, desk)
    qtbot.waitUntil(lambda: panel.device.count() == 1)
    assert panel.device.itemText(0) == "không tìm thấy máy quét" and panel.device.currentData() is None
    keyboard.key(K.Key_F8)  # scan anyway: refused with the reason, nothing added
    wait_lanes(qtbot, desk)
    qtbot.waitUntil(lambda: panel.tasks == 0)
    assert "Không quét được: không tìm thấy máy quét nào" in panel.message.text()
    assert panel.message.styleSheet() == "color: #b00020;"
    assert len(panel.model.papers[0].pages) == 0 and panel.pages.count() == 0
    assert not panel.progress.isVisible()
    panel.add_files([page_png])  # the counter goes on with files (a phone photo, a network scanner)
    wait_lanes(qtbot, desk)
    assert len(panel.model.papers[0].pages) == 1
    keyboard.key(K.Key_Escape)
    qtbot.waitUntil(lambda: intake.digitise_panel is None)


def test_a_paper_with_pages_that_is_unticked_is_refused_then_kept(
    desk: MainWindow, qtbot: QtBot, keyboard: Keyboard, page_png: Path
) -> None:
    intake = desk.intake
    start_intake(desk, qtbot, keyboard)
    keyboard.key(K.Key_F8)
    panel = intake.digitise_panel
    assert panel is not None
    qtbot.waitUntil(panel.isActiveWindow)
    wait_lanes(qtbot, desk)
    panel.add_files([page_png, page_png])  # the birth declaration, two pages
    wait_lanes(qtbot, desk)
    assert len(panel.model.papers[0].pages) == 2
    keyboard.key(K.Key_Escape)
    qtbot.waitUntil(lambda: intake.digitise_panel is None and desk.isActiveWindow())
    # The operator unticks the birth declaration (its pages stay in the form), then saves.
    intake.papers.setFocus()
    intake.papers.setCurrentRow(0)
    keyboard.key(K.Key_Space)
    assert intake.papers.ticked() == [5]
    keyboard.key(K.Key_Return, CTRL)
    settle(qtbot, desk)
    refusal = intake.errors["papers"].text()
    assert "đã có trang quét nhưng chưa được đánh dấu" in refusal and "Tờ khai" in refusal
    assert desk.preview is None
    assert fsvc.reusable_papers(desk.ctx.store, PERSONAL_ID) == []
    assert search(desk.ctx.store, PERSONAL_ID).total == 0  # nothing recorded
    # Ticked again, the paper has its two pages back and the dossier is saved with them.
    intake.papers.setFocus()
    intake.papers.setCurrentRow(0)
    keyboard.key(K.Key_Space)
    assert intake.papers.ticked() == [0, 5]
    with qtbot.waitSignal(intake.saved, timeout=60_000) as saved:
        keyboard.key(K.Key_Return, CTRL)
    wait_lanes(qtbot, desk)
    paper = fsvc.dossier_files(desk.ctx.store, saved.args[0].code).papers[0]
    assert paper.pages == 2 and paper.sha256 is not None
    assert search(desk.ctx.store, PERSONAL_ID).total == 1
