"""Render the main screens to ``docs/screenshots/`` in Vietnamese and in English (offscreen), on a screen
of a common counter PC: 1366×768, the window maximised as at a first start, dialogs as they fit it.

Screens: log-in, intake (filled from a scanned ID card; also ``main-window``), the desk, a dossier, the
settings dialog, the receipt preview, the digitising panel (F8 at intake, with pages the project renders:
Vietnamese text at 300 dpi with skew and noise, as ``app.digitise.samples`` makes them for the tests) and
the viewer of the stored paper (V in the dossier screen's panel). Each language runs on its own temporary
demo data folder with a few sample dossiers.

Usage: python tools/screenshots.py   (or ``make screenshots``)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

SCREEN = (1366, 768)
# The offscreen platform with one screen of that size (its ``configfile`` option: a JSON list of screens).
_SCREEN_FILE = Path(tempfile.gettempdir()) / f"motcua-screen-{SCREEN[0]}x{SCREEN[1]}.json"
_SCREEN_FILE.write_text(
    json.dumps(
        {
            "screens": [
                {
                    "name": "Counter",
                    "x": 0,
                    "y": 0,
                    "width": SCREEN[0],
                    "height": SCREEN[1],
                    "logicalDpi": 96,
                    "logicalBaseDpi": 96,
                    "dpr": 1,
                }
            ]
        }
    ),
    encoding="utf-8",
)
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN_FILE}")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

from app.domain.status import Action  # noqa: E402
from app.models.db import Store  # noqa: E402
from app.services import dossiers as svc  # noqa: E402
from app.services.audit import Actor  # noqa: E402
from app.ui.shell.application import start  # noqa: E402
from app.ui.shell.main_window import MainWindow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAYLOAD = (
    "024090012345||Đặng Văn Hùng|01021990|Nam|Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang|15042021"
)
OTHERS = Actor("Trần Văn Trước", "Quầy 2")


def pump(seconds: float = 0.0, until: Callable[[], bool] | None = None, limit: float = 15.0) -> None:
    """Run the event loop for ``seconds``, or until ``until()`` holds."""
    end = time.monotonic() + (limit if until else seconds)
    while time.monotonic() < end:
        QApplication.processEvents()
        if until is not None and until():
            QApplication.processEvents()
            return
        time.sleep(0.01)


def settle(window: MainWindow) -> None:
    timers = (window.intake._autosave, window.intake._preview_timer, window.desk._search_timer)
    pump(
        until=lambda: (
            window.worker.idle and window.print_worker.idle and not any(t.isActive() for t in timers)
        )
    )


def save(widget: QWidget, name: str) -> None:
    """A PNG with a 256-colour palette (the screens are flat: small files, no visible loss)."""
    flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Indexed8, flags)
    path = OUT / name
    image.save(str(path), "PNG", 9)
    print(path.relative_to(ROOT), f"{path.stat().st_size // 1024} KiB")


def lanes_idle(window: MainWindow) -> bool:
    return window.worker.idle and window.print_worker.idle and window.digitise_worker.idle


def sample_pages(folder: Path) -> list[Path]:
    """Three scanned-looking A4 text pages as PNG files, as chosen with Ctrl+O."""
    from app.digitise import samples

    pages = [
        samples.scanned(samples.text_page(), seed=1),
        samples.scanned(samples.text_page(repeat=1, font_pt=14), skew_deg=-1.0, seed=2),
        samples.scanned(samples.text_page(repeat=1, font_pt=11), skew_deg=0.8, seed=3),
    ]
    out = []
    for n, img in enumerate(pages, start=1):
        path = folder / f"page-{n}.png"
        img.save(path, dpi=(300, 300))
        out.append(path)
    return out


def digitise_panel(window: MainWindow, folder: Path, lang: str) -> None:
    """F8 at intake (the scanner: SANE's ``test`` backend when installed): three pages in the first paper,
    one in the second (declared 2: marked), the ID card exempt (shown only); the first page selected."""
    intake = window.intake
    panel = intake.open_digitise()
    assert panel is not None
    pump(until=lambda: lanes_idle(window) and panel.device.count() > 0)
    (folder / "pages").mkdir(exist_ok=True)
    pages = sample_pages(folder / "pages")
    panel.add_files(pages)
    pump(until=lambda: lanes_idle(window) and panel.pages.count() == 3, limit=60)
    panel.declared.setValue(3)
    panel.papers.setCurrentRow(1)
    panel.add_files(pages[:1])
    pump(until=lambda: lanes_idle(window) and panel.pages.count() == 1, limit=60)
    panel.declared.setValue(2)
    panel.papers.setCurrentRow(panel.papers.count() - 1)
    panel.exemption.setCurrentIndex(panel.exemption.findData("shown_only"))
    panel.papers.setCurrentRow(0)
    panel.pages.setCurrentRow(0)
    pump(0.3)
    save(panel, f"digitise-panel-{lang}.png")
    # The second paper's count is set right, so that the intake saved below stores the papers.
    panel.papers.setCurrentRow(1)
    panel.declared.setValue(1)
    panel.reject()
    pump(until=lambda: intake.digitise_panel is None)


def file_viewer(window: MainWindow, dossier_id: str, lang: str) -> None:
    """The dossier saved with its papers: F8 in the dossier screen, V on the first paper."""
    window.open_dossier(dossier_id)
    settle(window)
    panel = window.detail.open_digitise()
    assert panel is not None
    pump(
        until=lambda: (
            lanes_idle(window) and panel.papers.count() > 0 and panel.model.papers[0].stored is not None
        )
    )
    panel.papers.setCurrentRow(0)
    panel.view_file()
    pump(until=lambda: panel.viewer is not None)
    viewer = panel.viewer
    assert viewer is not None, panel.message.text()
    pump(0.5)
    viewer.fit()  # the page as it fits the shown dialog
    pump(1.5)  # QPdfView renders its pages in the background
    save(viewer, f"file-viewer-{lang}.png")
    viewer.reject()
    pump(until=lambda: panel.viewer is None)
    panel.reject()


def sample_dossiers(store: Store) -> str:
    """A few dossiers in different states; returns the id of one with a history."""
    now = datetime.now().replace(microsecond=0)
    people = [
        ("Trần Thị Lan", "1.004873", now - timedelta(days=20), (Action.START_PROCESSING,)),
        ("Phạm Văn Đức", "1.004873", now - timedelta(days=2), (Action.REQUEST_SUPPLEMENT,)),
        ("Vũ Thị Mai", "2.000908", now - timedelta(days=1), (Action.RESULT_READY,)),
        ("Hoàng Văn Đất", "1.013831", now - timedelta(days=3), (Action.FORWARD,)),
        ("Nguyễn Văn An", "1.001193", now - timedelta(hours=2), ()),
        ("Lê Thị Hoa", "1.004873", now - timedelta(hours=1), (Action.START_PROCESSING,)),
    ]
    history = ""
    for name, code, at, actions in people:
        applicant = svc.ApplicantInput(
            full_name=name,
            personal_id="024190012345" if "Thị" in name else "024090012345",
            phone="0912345678",
            address="Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang",
        )
        r = svc.receive(store, OTHERS, svc.ReceiveRequest(code, applicant, received_at=at))
        for action in actions:
            reason = "Thiếu bản sao giấy chứng nhận" if action is Action.REQUEST_SUPPLEMENT else ""
            svc.perform(store, OTHERS, r.dossier_id, action, reason=reason, at=at + timedelta(hours=1))
        if name == "Lê Thị Hoa":
            history = r.dossier_id
    return history


def sample_online(store: Store) -> None:
    """Three online dossiers as the server's change feed brings them: overdue, due soon, in time."""
    import uuid

    from app.contract import ApplicantInfo, DossierState
    from app.domain.status import Status
    from app.services.desk import load_calendar, load_desk
    from app.sync import engine

    now = datetime.now().replace(microsecond=0)
    with store.write() as s:
        desk = load_desk(s)
        cal = load_calendar(s)
        people = [  # by the working calendar: overdue, due within the hour, in time
            ("Lê Thị Hoa", now - timedelta(hours=1)),
            ("Trần Văn Nam", cal.add_working_hours(now, 1)),
            ("Phạm Thị Thu", cal.add_working_hours(now, 7)),
        ]
        for n, (name, due) in enumerate(people, start=1):
            state = DossierState(
                id=str(uuid.uuid4()),
                procedure_code="1.004873",
                procedure_name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
                applicant=ApplicantInfo(id=str(uuid.uuid4()), full_name=name),
                receiving_agency_eid=desk.agency_eid,
                receiving_agency=desk.centre_name,
                competent_agency=desk.centre_name,
                competent_agency_eid=desk.agency_eid,
                handling_agency=desk.centre_name,
                handling_agency_eid=desk.agency_eid,
                scenario="a",
                channel="online",
                received_at=now - timedelta(hours=9 - 2 * n),
                status=Status.NEW,
                papers_received=[
                    {
                        "name": "To khai xac nhan tinh trang hon nhan.pdf",
                        "form": "copy",
                        "count": 1,
                        "file_url": f"https://dichvucong.gov.vn/tep/{n}.pdf",
                    }
                ],
                portal_id=f"G24{n:08d}",
                acceptance_due_at=due,
                events=[],
            )
            engine.apply_dossiers(s, [state])


def sane_test_backend(folder: Path) -> None:
    """SANE with only its ``test`` backend (Debian's sane-utils), as the GUI tests drive it, so that the
    panel names a scanner; nothing changes when SANE is not installed."""
    import shutil

    etc = Path("/etc/sane.d")
    if (etc / "test.conf").exists():
        conf = folder / "sane.d"
        shutil.copytree(etc, conf)
        (conf / "dll.conf").write_text("test\n")
        shutil.rmtree(conf / "dll.d", ignore_errors=True)
        os.environ["SANE_CONFIG_DIR"] = str(conf)


def render(lang: str, folder: Path) -> None:
    args = argparse.Namespace(data_dir=folder, demo=True, lang=lang)
    _app, window, store = start(args)
    assert window is not None and store is not None
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox):
            box.close()  # e.g. "no OS keyring" on a headless machine
    pump(until=window.isMaximized)
    settle(window)
    window.login_page.username.setText("demo")
    save(window, f"login-{lang}.png")

    history = sample_dossiers(store)
    window.login_page.password.setText("motcua")
    window.login_page.submit()
    settle(window)

    intake = window.intake
    intake.apply_scan(PAYLOAD)
    intake.picker.set_code("1.001193")
    intake._procedure_chosen(intake.picker.current)
    intake.papers.set_ticked({0: 1, 1: 1, 5: 1})
    intake.edits["phone"].setText("0912 345 678")
    settle(window)
    save(window, f"main-window-{lang}.png")
    digitise_panel(window, folder, lang)

    window.show_desk()
    settle(window)
    save(window, f"desk-{lang}.png")

    sample_online(store)
    window.tabs.setCurrentWidget(window.online)
    settle(window)
    window.online.table.selectRow(1)  # the overdue row's red stays visible
    save(window, f"online-{lang}.png")

    window.open_dossier(history)
    settle(window)
    save(window, f"detail-{lang}.png")

    dialog = window.open_settings()
    assert dialog is not None
    pump(0.3)
    save(dialog, f"settings-{lang}.png")
    dialog.reject()

    window.show_intake()
    saved: list[str] = []
    intake.saved.connect(lambda outcome: saved.append(outcome.dossier_id))
    intake.save()  # the papers digitised above are stored with it: the receipt marks them
    pump(until=lambda: bool(saved) and lanes_idle(window) and window.preview is not None, limit=60)
    settle(window)
    preview = window.preview
    assert preview is not None, intake.general_error.text()
    pump(1.5)  # QPdfView renders its pages in the background
    save(preview, f"receipt-preview-{lang}.png")
    preview.reject()
    file_viewer(window, saved[0], lang)
    window.close()
    store.dispose()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as sane_dir:
        sane_test_backend(Path(sane_dir))
        for lang in ("vi", "en"):
            with tempfile.TemporaryDirectory() as tmp:
                render(lang, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
