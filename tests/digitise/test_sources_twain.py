"""The TWAIN path (``app.digitise.sources._scan_twain``) against a DOUBLE of pytwain's API, not a real driver.

There is no Windows and no TWAIN driver here. The module ``twain`` injected below implements exactly the
subset of pytwain's API the desk calls, with the semantics read in pytwain's source (github.com/denisenkom/
pytwain, commit 3dda4f1, version 2.3.0; "pytwain <file>:<line>" cites it): state checks (capabilities only
in state 4, transfers only after ``request_acquire``), ``xfer_image_natively`` returning ``(handle, more)``
with TW_PENDINGXFERS.Count semantics (0 / -1 unknown / n), ``DSTransferCancelled`` after ending a cancelled
transfer, ``CheckStatus`` for a rounded value, ``dib_to_bm_file`` prepending the BMP file header exactly as
pytwain's ``convert_dib_to_bmp`` does, and global memory that must be freed once. What this cannot show:
that a real driver behaves as pytwain's source says, nor whether a driver needs its Windows message loop
(see the notes in app/digitise/sources.py).
"""

from __future__ import annotations

import io
import json
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from digitise_helpers import page_image, run_cli
from PIL import Image

from app.digitise import sources
from app.domain.errors import DomainError

# --- the double -------------------------------------------------------------------------------------------

# pytwain src/twain/lowlevel/constants.py (values as there).
CONSTANTS = {
    "CAP_XFERCOUNT": 1,
    "ICAP_PIXELTYPE": 257,
    "ICAP_UNITS": 258,
    "ICAP_XFERMECH": 259,
    "CAP_FEEDERENABLED": 4098,
    "CAP_FEEDERLOADED": 4099,
    "CAP_AUTOFEED": 4103,
    "ICAP_XRESOLUTION": 4376,
    "ICAP_YRESOLUTION": 4377,
    "TWTY_INT16": 1,
    "TWTY_UINT16": 4,
    "TWTY_BOOL": 6,
    "TWTY_FIX32": 7,
    "TWPT_GRAY": 1,
    "TWUN_INCHES": 0,
    "TWSX_NATIVE": 0,
}
#: The TWTY_* pytwain's set_capability knows (its _mapping, src/twain/__init__.py:55-69), among them these.
KNOWN_TYPES = {1, 4, 6, 7} | {0, 2, 3, 5, 8, 9, 10, 11, 12}


def _exceptions_module() -> types.ModuleType:
    """pytwain src/twain/exceptions.py: the classes the desk may meet."""
    mod = types.ModuleType("twain.exceptions")

    class TwainError(Exception):
        pass

    mod.TwainError = TwainError  # type: ignore[attr-defined]
    for name in (
        "CapabilityFormatNotSupported",
        "DSTransferCancelled",
        "SMLoadFileFailed",
        "NoDataSourceError",
        "PaperJam",
        "CapUnsupported",
        "SequenceError",
        "OperationError",
    ):
        setattr(mod, name, type(name, (TwainError,), {}))
    mod.CheckStatus = type("CheckStatus", (Exception,), {})  # type: ignore[attr-defined]
    return mod


def dib_of(image: Image.Image, *, clr_used_zero: bool = False) -> bytes:
    """A Windows DIB (what a TWAIN native transfer hands over): a BMP file without its 14-byte header."""
    buf = io.BytesIO()
    image.save(buf, "BMP", dpi=(300, 300))
    dib = bytearray(buf.getvalue()[14:])
    if clr_used_zero:  # biClrUsed = 0: "the maximum for the bit depth", as many drivers write it
        dib[32:36] = (0).to_bytes(4, "little")
    return bytes(dib)


@dataclass
class Driver:
    """What the double's one data source does; the test sets it up."""

    names: list[str] = field(default_factory=lambda: ["Canon DR-C225 TWAIN"])
    feeder_sheets: list[bytes] = field(default_factory=list)
    flatbed: bytes = b""
    has_feeder: bool = True
    ignores_xfercount: bool = False  # a flatbed driver that offers 3 images although 1 was asked
    unknown_count: bool = False  # TW_PENDINGXFERS.Count = -1 while sheets remain
    cancel_at: int | None = None
    fail_at: int | None = None
    no_dsm: bool = False
    user_choice: str | None = "Canon DR-C225 TWAIN"  # the selection dialog's answer (None: cancelled)
    rounded: set[int] = field(default_factory=set)  # capabilities accepted with a rounded value
    # what happened
    parents: list[Any] = field(default_factory=list)
    caps: list[tuple[int, int, Any]] = field(default_factory=list)
    acquires: list[tuple[bool, bool]] = field(default_factory=list)
    memory: dict[int, bytes] = field(default_factory=dict)
    freed: list[int] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


def make_twain(driver: Driver) -> types.ModuleType:
    twain = types.ModuleType("twain")
    exc = _exceptions_module()
    twain.exceptions = exc  # type: ignore[attr-defined]
    for k, v in CONSTANTS.items():
        setattr(twain, k, v)
    next_handle = [0x1000]

    class Source:
        def __init__(self, name: str) -> None:
            self._name, self._state = name, "open"
            self._values: dict[int, Any] = {}
            self._sheets: list[bytes] = []

        @property
        def name(self) -> str:  # src/twain/__init__.py:366-371
            return self._name

        def set_capability(self, cap: int, type_id: int, value: Any) -> None:  # 382-442
            if type_id not in KNOWN_TYPES:
                raise exc.CapabilityFormatNotSupported(f"Capability Code = {cap}, Format Code = {type_id}")
            if self._state != "open":  # negotiation happens in state 4 (TWAIN)
                raise exc.SequenceError()
            driver.caps.append((cap, type_id, value))
            if cap == CONSTANTS["CAP_FEEDERENABLED"] and not driver.has_feeder:
                raise exc.CapUnsupported()
            self._values[cap] = value
            if cap in driver.rounded:
                raise exc.CheckStatus()

        def get_capability_current(self, cap: int) -> Any:  # 334-348 -> _get_capability 241-316
            if self._state == "closed":
                raise exc.SequenceError()
            if cap == CONSTANTS["CAP_FEEDERLOADED"] and driver.has_feeder:
                return CONSTANTS["TWTY_BOOL"], bool(driver.feeder_sheets)  # TW_ONEVALUE of a TWTY_BOOL
            raise exc.CapUnsupported()

        def request_acquire(self, show_ui: bool, modal_ui: bool) -> None:  # 783-793 (state 4 -> 5)
            if self._state != "open":
                raise exc.SequenceError()
            driver.acquires.append((show_ui, modal_ui))
            if self._values.get(CONSTANTS["CAP_FEEDERENABLED"]):
                self._sheets = list(driver.feeder_sheets)
            else:
                self._sheets = [driver.flatbed] * (3 if driver.ignores_xfercount else 1)
            count = self._values.get(CONSTANTS["CAP_XFERCOUNT"], -1)
            if count > 0 and not driver.ignores_xfercount:
                self._sheets = self._sheets[:count]
            self._state = "ready" if self._sheets else "enabled"
            self._done = 0

        def xfer_image_natively(self) -> tuple[Any, int]:  # 812-832
            if self._state != "ready":
                raise exc.SequenceError()
            n = self._done
            if driver.fail_at == n:
                raise exc.PaperJam()
            dib = self._sheets.pop(0)
            self._done += 1
            more = (-1 if driver.unknown_count else len(self._sheets)) if self._sheets else 0
            if not self._sheets:
                self._state = "enabled"  # _end_xfer: Count 0 -> state 5 (751-769)
            if driver.cancel_at == n:
                raise exc.DSTransferCancelled()  # after _end_xfer, as pytwain does
            next_handle[0] += 16
            driver.memory[next_handle[0]] = dib
            return next_handle[0], more

        def close(self) -> None:  # 215-229
            if self._state == "ready":
                driver.events.append("reset pending transfers")
                self._state = "enabled"
            if self._state == "enabled":
                driver.events.append("disable")
                self._state = "open"
            if self._state == "open":
                driver.events.append(f"close source {self._name}")
                self._state = "closed"

    class SourceManager:
        def __init__(self, parent_window: Any = None) -> None:  # 1142-1269
            driver.parents.append(parent_window)
            if driver.no_dsm:
                raise exc.SMLoadFileFailed(OSError("[WinError 126] The specified module could not be found"))
            self._sources: list[Source] = []
            self._open = True

        def __enter__(self) -> SourceManager:
            return self

        def __exit__(self, *args: object) -> None:
            self.close()

        def close(self) -> None:  # 1291-1299
            while self._sources:
                self._sources.pop().close()
            if self._open:
                driver.events.append("close DSM")
                self._open = False

        @property
        def source_list(self) -> list[str]:  # 1416-1445
            return list(driver.names)

        def open_source(self, product_name: str | None = None) -> Source | None:  # 1381-1405
            if not product_name:
                if driver.user_choice is None:
                    return None
                product_name = driver.user_choice
            if product_name not in driver.names:
                raise exc.NoDataSourceError()
            src = Source(product_name)
            self._sources.append(src)
            return src

    def dib_to_bm_file(handle: Any, path: str | None = None) -> bytes | None:  # windows.py:58-80
        assert path is None
        dib = driver.memory[handle]  # GlobalLock on a freed handle fails
        # utils.py:32-46, convert_dib_to_bmp
        bi_size = int.from_bytes(dib[0:4], "little")
        clr_used = int.from_bytes(dib[32:36], "little")
        offset = 14 + bi_size + clr_used * 4
        header = b"BM" + (len(dib) + 14).to_bytes(4, "little") + bytes(4) + offset.to_bytes(4, "little")
        return header + dib

    def global_handle_free(handle: Any) -> None:  # windows.py:173-184
        if handle not in driver.memory:
            raise OSError("GlobalFree: invalid handle")
        del driver.memory[handle]
        driver.freed.append(handle)

    twain.SourceManager = SourceManager  # type: ignore[attr-defined]
    twain.dib_to_bm_file = dib_to_bm_file  # type: ignore[attr-defined]
    twain.global_handle_free = global_handle_free  # type: ignore[attr-defined]
    return twain


@pytest.fixture
def driver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Driver]:
    d = Driver()
    monkeypatch.setitem(sys.modules, "twain", make_twain(d))
    # No display here: Tk cannot start; a fake tkinter checks the hidden parent window is made and destroyed.
    tk = types.ModuleType("tkinter")
    windows: list[Any] = []

    class Tk:
        def __init__(self) -> None:
            self.withdrawn = self.destroyed = False
            windows.append(self)

        def withdraw(self) -> None:
            self.withdrawn = True

        def destroy(self) -> None:
            self.destroyed = True

    tk.Tk = Tk  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tkinter", tk)
    monkeypatch.setattr(sources, "sys", types.SimpleNamespace(platform="win32"))
    yield d
    assert d.memory == {}, "a DIB handle was not freed"
    assert all(w.withdrawn and w.destroyed for w in windows) and len(windows) == len(d.parents)
    assert all(p in windows for p in d.parents)


def pixels(img: Image.Image) -> bytes:
    return img.convert("L").tobytes()


# --- the tests --------------------------------------------------------------------------------------------


def test_feeder_of_three_sheets_streamed_in_order_with_the_capabilities_asked(driver: Driver) -> None:
    originals = [page_image(n) for n in (1, 2, 3)]
    driver.feeder_sheets = [dib_of(img) for img in originals]
    pages = sources.scan("Canon DR-C225 TWAIN", feeder=True, resolution=300)
    assert [pixels(p.image) for p in pages] == [pixels(i) for i in originals]
    assert [p.origin for p in pages] == [f"Canon DR-C225 TWAIN#{n}" for n in (1, 2, 3)]
    assert [p.dpi for p in pages] == [300.0, 300.0, 300.0]  # from the BMP's pixels per metre
    c = CONSTANTS
    assert driver.caps == [
        (c["ICAP_PIXELTYPE"], c["TWTY_UINT16"], c["TWPT_GRAY"]),
        (c["ICAP_UNITS"], c["TWTY_UINT16"], c["TWUN_INCHES"]),
        (c["ICAP_XRESOLUTION"], c["TWTY_FIX32"], 300.0),
        (c["ICAP_YRESOLUTION"], c["TWTY_FIX32"], 300.0),
        (c["ICAP_XFERMECH"], c["TWTY_UINT16"], c["TWSX_NATIVE"]),
        (c["CAP_FEEDERENABLED"], c["TWTY_BOOL"], True),
        (c["CAP_AUTOFEED"], c["TWTY_BOOL"], True),
        (c["CAP_XFERCOUNT"], c["TWTY_INT16"], -1),
    ]
    assert driver.acquires == [(False, False)]
    assert len(driver.freed) == 3
    assert driver.events == ["disable", "close source Canon DR-C225 TWAIN", "close DSM"]


def test_pages_are_given_as_soon_as_transferred(driver: Driver) -> None:
    driver.feeder_sheets = [dib_of(page_image(n)) for n in (1, 2, 3)]
    it = sources.scan_pages("Canon DR-C225 TWAIN", feeder=True)
    first = next(it)
    assert first.origin.endswith("#1") and len(driver.freed) == 1  # sheets 2 and 3 not yet transferred
    it.close()  # the caller stops (e.g. the operator closed the dialog): pending transfers reset, closed
    assert driver.events == [
        "reset pending transfers",
        "disable",
        "close source Canon DR-C225 TWAIN",
        "close DSM",
    ]


def test_unknown_pending_count_and_palette_dib_without_colour_count(driver: Driver) -> None:
    """Count -1 ("more, unknown how many") keeps transferring. An 8-bit DIB with biClrUsed 0 gets from
    pytwain's convert_dib_to_bmp a pixel offset that leaves out its 1,024-byte palette; Pillow's BMP reader
    corrects exactly that case (PIL/BmpImagePlugin.py, "offset == 14 + header_size and bits <= 8"), so the
    pixels come out right: checked here, since a shifted page would still "scan"."""
    originals = [page_image(n) for n in (1, 2)]
    driver.feeder_sheets = [dib_of(img, clr_used_zero=True) for img in originals]
    driver.unknown_count = True
    pages = sources.scan(None, feeder=True)  # no device: the DSM's selection dialog chooses
    assert [pixels(p.image) for p in pages] == [pixels(i) for i in originals]


def test_flatbed_one_page_and_list_devices(driver: Driver) -> None:
    driver.names = ["Canon DR-C225 TWAIN", "WIA-HP LaserJet"]
    driver.flatbed = dib_of(page_image(4))
    driver.feeder_sheets = [dib_of(page_image(1))]  # not used without --feeder
    assert [(d.name, d.kind) for d in sources.list_devices()] == [
        ("Canon DR-C225 TWAIN", "TWAIN"),
        ("WIA-HP LaserJet", "TWAIN"),
    ]
    pages = sources.scan("Canon DR-C225 TWAIN")
    assert [pixels(p.image) for p in pages] == [pixels(page_image(4))]
    assert (CONSTANTS["CAP_XFERCOUNT"], CONSTANTS["TWTY_INT16"], 1) in driver.caps
    assert CONSTANTS["CAP_FEEDERENABLED"] not in [c for c, _, _ in driver.caps]
    driver.ignores_xfercount = True
    driver.events.clear()
    assert len(sources.scan("Canon DR-C225 TWAIN")) == 1  # still one page: the rest reset on closing
    assert driver.events[0] == "reset pending transfers"


def test_rounded_resolution_is_accepted_and_the_real_dpi_kept(driver: Driver) -> None:
    driver.rounded = {CONSTANTS["ICAP_XRESOLUTION"], CONSTANTS["ICAP_YRESOLUTION"]}
    driver.flatbed = dib_of(page_image(1))  # the driver scanned at 300 although 301 was asked
    (page,) = sources.scan("Canon DR-C225 TWAIN", resolution=301)
    assert page.dpi == 300.0


def test_max_feeder_sheets_bounds_a_feeder_that_never_ends(
    driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_FEEDER_SHEETS", 4)
    driver.feeder_sheets = [dib_of(page_image(1))] * 6
    pages = sources.scan("Canon DR-C225 TWAIN", feeder=True)
    assert len(pages) == 4
    assert driver.events[0] == "reset pending transfers"  # the two left are dropped by closing the source


def refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str, str]:
    return exc.value.message("vi"), exc.value.message("en")


def test_selection_cancelled_and_cancelled_first_transfer(driver: Driver) -> None:
    driver.user_choice = None
    with pytest.raises(DomainError) as e:
        sources.scan(None)
    vi, en = refusal(e)
    assert "chưa chọn máy quét TWAIN nào" in vi and "no TWAIN scanner was chosen" in en
    driver.user_choice = "Canon DR-C225 TWAIN"
    driver.feeder_sheets = [dib_of(page_image(1))] * 3
    driver.cancel_at = 0
    with pytest.raises(DomainError) as e:
        sources.scan(None, feeder=True)
    vi, en = refusal(e)
    assert "đã huỷ lượt quét" in vi and "the scan was cancelled" in en


def test_cancel_after_two_sheets_keeps_them(driver: Driver) -> None:
    driver.feeder_sheets = [dib_of(page_image(n)) for n in (1, 2, 3)]
    driver.cancel_at = 2
    pages = sources.scan("Canon DR-C225 TWAIN", feeder=True)
    assert len(pages) == 2  # the page count check (declared vs scanned) tells the operator the rest


def test_paper_jam_mid_feed_is_a_clear_refusal(driver: Driver) -> None:
    driver.feeder_sheets = [dib_of(page_image(n)) for n in (1, 2, 3)]
    driver.fail_at = 1
    got = []
    with pytest.raises(DomainError) as e:
        for page in sources.scan_pages("Canon DR-C225 TWAIN", feeder=True):
            got.append(page)
    assert len(got) == 1
    vi, en = refusal(e)
    assert "kẹt giấy trong khay nạp" in vi and "paper jam in the feeder (TWAIN PaperJam)" in en
    assert "Traceback" not in vi + en
    assert driver.events[-1] == "close DSM"


def test_no_feeder_unknown_device_no_dsm_empty_feeder(driver: Driver) -> None:
    driver.has_feeder = False
    with pytest.raises(DomainError) as e:
        sources.scan("Canon DR-C225 TWAIN", feeder=True)
    assert "không có khay nạp giấy" in refusal(e)[0]
    driver.has_feeder = True
    with pytest.raises(DomainError) as e:
        sources.scan("Canon DR-C225 TWAIN", feeder=True)  # nothing in the feeder
    assert "khay nạp giấy trống" in refusal(e)[0]
    with pytest.raises(DomainError) as e:
        sources.scan("Epson (gone)")
    vi, en = refusal(e)
    assert "không tìm thấy trình điều khiển máy quét TWAIN" in vi and "Epson (gone)" in en
    driver.no_dsm = True
    for call in (sources.list_devices, lambda: sources.scan("x")):
        with pytest.raises(DomainError) as e:
            call()
        vi, en = refusal(e)
        assert "chưa cài trình quản lý nguồn TWAIN (twaindsm.dll)" in vi and "twaindsm.dll" in en


def test_command_line_scan_through_the_twain_double(driver: Driver, data_dir: Path) -> None:
    """``scan --list`` and ``scan CODE --paper 1 --feeder --pages N`` take the TWAIN path on Windows."""

    def run(*argv: str) -> tuple[int, str, str]:
        return run_cli(data_dir, *argv)

    code, out, _ = run("scan", "--list", "--json")
    assert code == 0 and json.loads(out) == [
        {"name": "Canon DR-C225 TWAIN", "vendor": "", "model": "Canon DR-C225 TWAIN", "kind": "TWAIN"}
    ]
    code, out, _ = run("receive", "--procedure", "1.001193", "--name", "Lê Thị Mai", "--paper", "1", "--json")
    dossier = json.loads(out)["code"]
    driver.feeder_sheets = [dib_of(page_image(n)) for n in (1, 2, 3)]
    args = ("scan", dossier, "--paper", "1", "--device", "Canon DR-C225 TWAIN", "--feeder", "--pages")
    code, out, err = run(*args, "2")
    assert code == 1 and "khai báo 2 trang nhưng đã quét 3 trang" in err
    code, out, err = run(*args, "3")
    assert code == 0, err
    assert "Khay nạp giấy đã quét 3 trang" in out
    code, out, _ = run("files", dossier, "--json")
    assert json.loads(out)["papers"][0]["pages"] == 3
    driver.no_dsm = True
    code, out, err = run("scan", "--list")
    assert code == 1 and "chưa cài trình quản lý nguồn TWAIN (twaindsm.dll)" in err and "Traceback" not in err
