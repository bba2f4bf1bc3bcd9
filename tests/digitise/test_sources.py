"""Page sources: SANE's own ``test`` backend (a virtual scanner with a 10-sheet feeder, from Debian's
``sane-utils``) through python-sane and the command line; the scan-to-folder watcher."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sanekit import sane_test_conf, sigpipe_ignored

from app.cli.main import main
from app.digitise.sources import FolderWatcher
from app.domain.errors import DomainError


@pytest.fixture
def sane_test_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    conf = sane_test_conf(tmp_path)
    monkeypatch.setenv("SANE_CONFIG_DIR", str(conf))
    yield


def run(data_dir: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--data-dir", str(data_dir)], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("sane_test_backend")
def test_sane_list_and_feeder_scan_through_the_command_line(data_dir: Path) -> None:
    from app.digitise import sources

    names = [d.name for d in sources.list_devices()]
    assert names[:2] == ["test:0", "test:1"]
    code, out, _ = run(data_dir, "scan", "--list", "--json")
    assert code == 0 and [d["name"] for d in json.loads(out)][:2] == ["test:0", "test:1"]
    pages = sources.scan("test:0", feeder=True, resolution=50)
    assert len(pages) == 10  # the test backend's feeder holds ten sheets
    code, out, _ = run(
        data_dir, "receive", "--procedure", "1.001193", "--name", "Lê Thị Mai", "--paper", "1", "--json"
    )
    dossier = json.loads(out)["code"]
    # The operator declared 9 sheets; the feeder gave 10: refused, nothing stored.
    code, out, err = run(
        data_dir,
        "scan",
        dossier,
        "--paper",
        "1",
        "--device",
        "test:0",
        "--feeder",
        "--pages",
        "9",
        "--resolution",
        "50",
    )
    assert code == 1 and "khai báo 9 trang nhưng đã quét 10 trang" in err
    code, out, err = run(
        data_dir,
        "scan",
        dossier,
        "--paper",
        "1",
        "--device",
        "test:0",
        "--feeder",
        "--pages",
        "10",
        "--resolution",
        "50",
    )
    assert code == 0, err
    assert "Khay nạp giấy đã quét 10 trang" in out
    code, out, _ = run(data_dir, "files", dossier, "--json")
    first = json.loads(out)["papers"][0]
    assert (first["pages"], first["declared_pages"], len(first["page_sha256"])) == (10, 10, 10)
    with pytest.raises(DomainError) as err_:
        sources.scan("test:9")
    assert err_.value.problems[0].code == "scanner.failed"


@pytest.mark.usefixtures("sane_test_backend")
def test_flatbed_scan_gives_one_page() -> None:
    from app.digitise import sources

    (page,) = sources.scan("test:1", resolution=50)
    assert page.image.mode == "L" and page.dpi == 50.0


@pytest.mark.usefixtures("sane_test_backend")
def test_scanning_on_a_worker_thread_leaves_sigpipe_ignored() -> None:
    """SANE's scanning sets SIGPIPE back to its default (a write to a closed socket would then kill the
    desk, as it once killed a whole CI run); the scan puts it back, from the digitising lane's thread."""
    from app.digitise import sources

    assert sigpipe_ignored()
    with ThreadPoolExecutor(1) as lane:
        pages = lane.submit(sources.scan, "test:0", feeder=True, resolution=50).result()
    assert pages and sigpipe_ignored()


def test_folder_watcher_takes_files_once_their_size_is_stable(tmp_path: Path) -> None:
    inbox = tmp_path / "scans"
    inbox.mkdir()
    w = FolderWatcher(inbox)
    a = inbox / "scan-001.pdf"
    a.write_bytes(b"%PDF-1.4 part")
    (inbox / "notes.txt").write_text("not a scan")
    assert w.poll() == []  # first sight: maybe still being written
    with a.open("ab") as f:
        f.write(b" more")
    assert w.poll() == []  # it grew
    assert w.poll() == [a]
    moved = w.done(a)
    assert moved == inbox / "done" / "scan-001.pdf" and not a.exists()
    assert w.poll() == []
    a.write_bytes(b"again")
    w.poll()
    (taken,) = w.poll()
    assert w.done(taken).name == "scan-001-1.pdf"
