"""The WIA path (``app.digitise.sources._scan_wia``) against a DOUBLE of the WIA Automation Layer.

There is no Windows and no WIA driver here. The modules ``pythoncom`` and ``win32com.client`` injected below
implement the subset of pywin32 and of the WIA Automation Layer the desk uses, with the semantics of
Microsoft's pages cited in app/digitise/sources.py: ``DeviceManager.DeviceInfos`` (each with ``DeviceID``,
``Type`` from WiaDeviceType, ``Properties`` holding Name 7 and Manufacturer 3, ``Connect()``),
``Device.Items`` and ``Properties`` (``Property.PropertyID`` and ``Value``), ``Item.Formats`` and
``Item.Transfer(FormatID)`` returning an ImageFile "in the format specified in FormatID, if the device
supports that format; otherwise ... the preferred format" (BMP here), ``ImageFile.FileData.BinaryData``,
WIA_ERROR_* HRESULTs (PAPER_EMPTY 0x80210003 when the feeder has no sheet), and pywin32's ``com_error``
with ``hresult`` and ``excepinfo`` (an automation object's error as DISP_E_EXCEPTION with the WIA code in
``excepinfo[5]``, or directly as the hresult: both are exercised). COM's apartment rule is kept: a call on a
thread that has not called ``CoInitialize`` fails with CO_E_NOTINITIALIZED, and every COM object must be
released before ``CoUninitialize``. What this cannot show: that a real driver and the real Automation Layer
behave so (see the NOT CONFIRMED notes in app/digitise/sources.py).
"""

from __future__ import annotations

import io
import json
import sys
import threading
import types
import weakref
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

PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"  # wiaFormatPNG
TIFF = "{B96B3CB1-0728-11D3-9D7B-0000F81EF32E}"  # wiaFormatTIFF
BMP = "{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}"  # wiaFormatBMP
PIL_FORMAT = {PNG: "PNG", TIFF: "TIFF", BMP: "BMP"}

# Property ids and values (see the notes in app/digitise/sources.py).
NAME, MANUFACTURER = 7, 3
SELECT, PAGES = 3088, 3096
INTENT, XRES, YRES = 6146, 6147, 6148
FEEDER, FLATBED = 1, 2
GREY = 2

# HRESULTs.
PAPER_JAM, PAPER_EMPTY, OFFLINE, BUSY, COVER_OPEN = 0x80210002, 0x80210003, 0x80210005, 0x80210006, 0x80210016
DISP_E_EXCEPTION = 0x80020009
E_INVALIDARG = 0x80070057
CO_E_NOTINITIALIZED = 0x800401F0
REGDB_E_CLASSNOTREG = 0x80040154

SCANNER_ID = "{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0000"


def signed(code: int) -> int:
    """pywin32 gives HRESULTs as signed 32-bit ints."""
    return code - (1 << 32) if code & 0x80000000 else code


class com_error(Exception):  # noqa: N801 - pywintypes.com_error, as pywin32 names it
    """pywintypes.com_error: ``hresult``, ``strerror``, ``excepinfo``, ``argerror`` (mhammond.github.io/
    pywin32/com_error.html), also reachable by index."""

    def __init__(self, hresult: int, strerror: str, excepinfo: tuple[Any, ...] | None) -> None:
        super().__init__(hresult, strerror, excepinfo, None)
        self.hresult, self.strerror, self.excepinfo = hresult, strerror, excepinfo


def automation_error(code: int, text: str, *, in_excepinfo: bool = True) -> com_error:
    """An automation object's failure: through IDispatch as DISP_E_EXCEPTION with the code as EXCEPINFO's
    scode, or (``in_excepinfo=False``) as the hresult itself."""
    if in_excepinfo:
        return com_error(
            signed(DISP_E_EXCEPTION), "Exception occurred.", (0, None, text, None, 0, signed(code))
        )
    return com_error(signed(code), text, None)


def pixels(img: Image.Image) -> bytes:
    return img.convert("L").tobytes()


@dataclass
class Scanner:
    """One WIA device of the double; the test sets it up."""

    device_id: str = SCANNER_ID
    name: str = "HP ScanJet Pro 2500 f1"
    manufacturer: str = "HP"
    type: int = 1  # WiaDeviceType: 1 scanner, 2 camera, 3 video
    has_feeder: bool = True
    select_on: str = "device"  # where Document Handling Select and Pages live: "device" (WIA 1.0) or "item"
    flatbed: Image.Image = field(default_factory=lambda: page_image(9))
    sheets: list[Image.Image] = field(default_factory=list)
    formats: tuple[str, ...] = (BMP, PNG, TIFF)
    refused: set[str] = field(default_factory=set)  # listed, but Transfer refuses them
    read_only: set[int] = field(default_factory=set)
    fail_at: dict[int, int] = field(default_factory=dict)  # transfer number (0-based) -> WIA_ERROR_*
    connect_error: int | None = None
    errors_in_excepinfo: bool = True


@dataclass
class World:
    scanners: list[Scanner] = field(default_factory=lambda: [Scanner()])
    manager_error: int | None = None
    # what happened
    sets: list[tuple[str, int, int]] = field(default_factory=list)  # (device | item, property id, value)
    transfers: list[str] = field(default_factory=list)
    inits: list[int] = field(default_factory=list)
    uninits: list[int] = field(default_factory=list)
    used_on: set[int] = field(default_factory=set)
    alive_at_uninit: list[int] = field(default_factory=list)
    objects: list[weakref.ref[Any]] = field(default_factory=list)
    apartments: dict[int, int] = field(default_factory=dict)

    def com(self) -> None:
        """Every COM call: the calling thread must have initialised COM."""
        me = threading.get_ident()
        if not self.apartments.get(me):
            raise com_error(signed(CO_E_NOTINITIALIZED), "CoInitialize has not been called.", None)
        self.used_on.add(me)

    def made(self, obj: Any) -> Any:
        self.objects.append(weakref.ref(obj))
        return obj

    def fail(self, scanner: Scanner, code: int, text: str) -> com_error:
        return automation_error(code, text, in_excepinfo=scanner.errors_in_excepinfo)


class Property:
    def __init__(self, world: World, scanner: Scanner, where: str, pid: int, value: int | str) -> None:
        self._world, self._scanner, self._where = world, scanner, where
        self.PropertyID = pid
        self._value = value

    @property
    def Value(self) -> int | str:  # noqa: N802 - the automation layer's names
        self._world.com()
        return self._value

    @Value.setter
    def Value(self, value: int) -> None:  # noqa: N802
        self._world.com()
        if self.PropertyID in self._scanner.read_only:
            raise self._world.fail(self._scanner, E_INVALIDARG, "The parameter is incorrect.")
        if self.PropertyID == SELECT and value not in (FEEDER, FLATBED):
            raise self._world.fail(self._scanner, E_INVALIDARG, "The parameter is incorrect.")
        self._world.sets.append((self._where, self.PropertyID, value))
        self._value = value


class Properties:
    def __init__(self, world: World, props: list[Property]) -> None:
        self._world, self._props = world, props

    def __iter__(self) -> Iterator[Property]:
        self._world.com()
        return iter(self._props)


class Vector:
    def __init__(self, world: World, data: bytes) -> None:
        self._world, self._data = world, data

    @property
    def BinaryData(self) -> bytes:  # noqa: N802
        self._world.com()
        return self._data


class ImageFile:
    def __init__(self, world: World, data: bytes) -> None:
        self._world = world
        self._data = world.made(Vector(world, data))

    @property
    def FileData(self) -> Vector:  # noqa: N802
        self._world.com()
        return self._data


class Item:
    def __init__(
        self, world: World, scanner: Scanner, props: list[Property], state: dict[int, Property]
    ) -> None:
        self._world, self._scanner, self._state = world, scanner, state
        self.Properties = world.made(Properties(world, props))
        self._done = 0

    @property
    def Formats(self) -> list[str]:  # noqa: N802
        self._world.com()
        return list(self._scanner.formats)

    def Transfer(self, format_id: str) -> ImageFile:  # noqa: N802
        world, scanner = self._world, self._scanner
        world.com()
        world.transfers.append(format_id)
        n = self._done
        if n in scanner.fail_at:
            raise world.fail(scanner, scanner.fail_at[n], "The device reported an error.")
        if format_id in scanner.refused:
            raise world.fail(scanner, E_INVALIDARG, "The parameter is incorrect.")
        out = format_id if format_id in scanner.formats else BMP  # else "the preferred format"
        if self._state[SELECT]._value == FEEDER:
            if not scanner.sheets:  # the sheets leave the feeder as they are read
                raise world.fail(scanner, PAPER_EMPTY, "There are no documents in the document feeder.")
            image = scanner.sheets.pop(0)
        else:
            image = scanner.flatbed
        self._done += 1
        dpi = int(self._state[XRES]._value)
        buf = io.BytesIO()
        image.save(buf, PIL_FORMAT[out], dpi=(dpi, dpi))
        return world.made(ImageFile(world, buf.getvalue()))


class Device:
    def __init__(self, world: World, scanner: Scanner) -> None:
        self._world = world
        state: dict[int, Property] = {}

        def prop(where: str, pid: int, value: int) -> Property:
            state[pid] = world.made(Property(world, scanner, where, pid, value))
            return state[pid]

        root = [prop("device", 4, 0)]  # a device property the desk does not touch
        item = [prop("item", INTENT, 0), prop("item", XRES, 150), prop("item", YRES, 150)]
        select = FLATBED
        if scanner.has_feeder:
            target = root if scanner.select_on == "device" else item
            where = scanner.select_on
            target += [prop(where, SELECT, select), prop(where, PAGES, 1)]
        else:
            state[SELECT] = Property(world, scanner, "none", SELECT, FLATBED)  # the flatbed, always
        self.Properties = world.made(Properties(world, root))
        self._items = [world.made(Item(world, scanner, item, state))]

    @property
    def Items(self) -> list[Item]:  # noqa: N802
        self._world.com()
        return list(self._items)


class DeviceInfo:
    def __init__(self, world: World, scanner: Scanner) -> None:
        self._world, self._scanner = world, scanner
        self.DeviceID = scanner.device_id
        self.Type = scanner.type
        props = [
            world.made(Property(world, scanner, "info", NAME, scanner.name)),
            world.made(Property(world, scanner, "info", MANUFACTURER, scanner.manufacturer)),
        ]
        self.Properties = world.made(Properties(world, props))

    def Connect(self) -> Device:  # noqa: N802
        self._world.com()
        if self._scanner.connect_error is not None:
            raise self._world.fail(self._scanner, self._scanner.connect_error, "The device is busy.")
        return self._world.made(Device(self._world, self._scanner))


class DeviceManager:
    def __init__(self, world: World) -> None:
        self._world = world

    @property
    def DeviceInfos(self) -> list[DeviceInfo]:  # noqa: N802
        self._world.com()
        return [self._world.made(DeviceInfo(self._world, s)) for s in self._world.scanners]


def make_modules(world: World) -> tuple[types.ModuleType, types.ModuleType, types.ModuleType]:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.com_error = com_error  # type: ignore[attr-defined]

    def CoInitialize() -> None:  # noqa: N802
        me = threading.get_ident()
        world.inits.append(me)
        world.apartments[me] = world.apartments.get(me, 0) + 1

    def CoUninitialize() -> None:  # noqa: N802
        me = threading.get_ident()
        world.uninits.append(me)
        world.apartments[me] -= 1
        world.alive_at_uninit.append(sum(1 for ref in world.objects if ref() is not None))

    pythoncom.CoInitialize = CoInitialize  # type: ignore[attr-defined]
    pythoncom.CoUninitialize = CoUninitialize  # type: ignore[attr-defined]

    client = types.ModuleType("win32com.client")

    def Dispatch(prog_id: str) -> DeviceManager:  # noqa: N802
        world.com()
        assert prog_id == "WIA.DeviceManager"  # never WIA.CommonDialog: no dialog
        if world.manager_error is not None:
            raise com_error(signed(world.manager_error), "Class not registered", None)
        return world.made(DeviceManager(world))

    client.Dispatch = Dispatch  # type: ignore[attr-defined]
    package = types.ModuleType("win32com")
    package.client = client  # type: ignore[attr-defined]
    return pythoncom, package, client


def fake_tkinter() -> types.ModuleType:
    """No window for the TWAIN parent here: Tk cannot start (the handle 0, as pytwain allows)."""
    tk = types.ModuleType("tkinter")

    def Tk() -> None:  # noqa: N802
        raise RuntimeError("no display")

    tk.Tk = Tk  # type: ignore[attr-defined]
    return tk


def failing_twain(exc_name: str) -> types.ModuleType:
    """A pytwain whose SourceManager fails as pytwain's does without twaindsm.dll (SMLoadFileFailed)."""
    twain = types.ModuleType("twain")
    error = type(exc_name, (Exception,), {})

    def SourceManager(parent_window: Any = None) -> None:  # noqa: N802
        raise error(OSError("[WinError 126] The specified module could not be found"))

    twain.SourceManager = SourceManager  # type: ignore[attr-defined]
    return twain


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    w = World()
    pythoncom, package, client = make_modules(w)
    monkeypatch.setitem(sys.modules, "pythoncom", pythoncom)
    monkeypatch.setitem(sys.modules, "win32com", package)
    monkeypatch.setitem(sys.modules, "win32com.client", client)
    monkeypatch.setitem(sys.modules, "twain", None)  # pytwain absent unless a test installs a double
    monkeypatch.setitem(sys.modules, "tkinter", fake_tkinter())
    monkeypatch.setattr(sources, "sys", types.SimpleNamespace(platform="win32"))
    yield w
    # CoInitialize and CoUninitialize paired, on the same thread, and nothing of COM alive at the end.
    assert sorted(w.inits) == sorted(w.uninits)
    assert all(n == 0 for n in w.apartments.values())
    assert w.alive_at_uninit == [0] * len(w.uninits), "COM objects outlived CoUninitialize"


def refusal(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str, str]:
    return exc.value.message("vi"), exc.value.message("en")


WIA_DEVICE = sources.WIA_PREFIX + SCANNER_ID

# --- the tests --------------------------------------------------------------------------------------------


def test_listing_gives_scanners_only_with_wia_ids(world: World) -> None:
    world.scanners = [
        Scanner(),
        Scanner(device_id="{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0001", name="Canon EOS", type=2),
        Scanner(
            device_id="{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0002",
            name="Epson DS-530",
            manufacturer="EPSON",
        ),
    ]
    devices = sources.list_devices()  # no pytwain here: the WIA scanners are still listed
    assert [(d.name, d.vendor, d.model, d.kind) for d in devices] == [
        (WIA_DEVICE, "HP", "HP ScanJet Pro 2500 f1", "WIA"),
        ("wia:{6BDD1FC6-810F-11D0-BEC7-08002BE2092F}\\0002", "EPSON", "Epson DS-530", "WIA"),
    ]
    assert world.transfers == [] and world.sets == []
    assert len(world.inits) == 1


def test_twain_failing_does_not_hide_wia_nor_wia_failing_twain(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "twain", failing_twain("SMLoadFileFailed"))
    assert [(d.name, d.kind) for d in sources.list_devices()] == [(WIA_DEVICE, "WIA")]
    # Both failing: each failure told, in both languages.
    world.manager_error = REGDB_E_CLASSNOTREG
    with pytest.raises(DomainError) as e:
        sources.list_devices()
    vi, en = refusal(e)
    assert "chưa cài trình quản lý nguồn TWAIN (twaindsm.dll)" in vi and "twaindsm.dll" in en
    assert "Class not registered (WIA 0x80040154)" in en
    # WIA failing while TWAIN lists its source: that source is given.
    twain = types.ModuleType("twain")

    class SourceManager:
        def __init__(self, parent_window: Any = None) -> None:
            self.source_list = ["Canon DR-C225 TWAIN"]

        def __enter__(self) -> SourceManager:
            return self

        def __exit__(self, *args: object) -> None:
            pass

    twain.SourceManager = SourceManager  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "twain", twain)
    assert [(d.name, d.kind) for d in sources.list_devices()] == [("Canon DR-C225 TWAIN", "TWAIN")]


def test_no_scanner_named_takes_twain_default_else_the_first_wia_scanner(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``scan`` with no device on Windows: TWAIN's default source as before; on a computer whose scanner
    has only a WIA driver (pytwain's data source manager missing), the first WIA scanner."""
    monkeypatch.setitem(sys.modules, "twain", failing_twain("SMLoadFileFailed"))
    pages = sources.scan(None)
    assert [p.origin for p in pages] == ["HP ScanJet Pro 2500 f1#1"] and world.transfers == [PNG]
    # A TWAIN source listed: the TWAIN path is taken (its default source), WIA is not scanned.
    taken: list[str | None] = []

    def twain_scan(device: str | None, *, feeder: bool, resolution: int) -> Iterator[Any]:
        taken.append(device)
        yield from ()

    monkeypatch.setattr(sources, "_twain_sources", lambda: ["Canon DR-C225 TWAIN"])
    monkeypatch.setattr(sources, "_scan_twain", twain_scan)
    assert sources.scan(None) == [] and taken == [None] and world.transfers == [PNG]
    # Neither gives a scanner: the TWAIN path runs and tells its own reason.
    monkeypatch.setattr(sources, "_twain_sources", lambda: [])
    world.scanners = []
    assert sources.scan(None) == [] and taken == [None, None]


def test_pywin32_missing_is_told(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pythoncom", None)
    with pytest.raises(DomainError) as e:
        sources.scan(WIA_DEVICE)
    vi, en = refusal(e)
    assert "chưa cài pywin32" in vi and "pywin32 is not installed" in en
    with pytest.raises(DomainError) as e:
        sources.list_devices()  # neither pytwain nor pywin32: both told
    vi, _ = refusal(e)
    assert "chưa cài pytwain" in vi and "chưa cài pywin32" in vi


def test_flatbed_one_page_grey_at_the_resolution_asked(world: World) -> None:
    pages = sources.scan(WIA_DEVICE, resolution=200)
    assert len(pages) == 1
    assert pixels(pages[0].image) == pixels(page_image(9))
    assert pages[0].dpi == 200.0  # the resolution set on the item is the one the file carries
    assert pages[0].origin == "HP ScanJet Pro 2500 f1#1"
    # The intent first (the driver derives other settings from it), then the resolution; the flatbed chosen.
    assert world.sets == [
        ("item", INTENT, GREY),
        ("item", XRES, 200),
        ("item", YRES, 200),
        ("device", SELECT, FLATBED),
    ]
    assert world.transfers == [PNG]


def test_feeder_of_three_pages_ends_on_paper_empty_and_streams(world: World) -> None:
    originals = [page_image(n) for n in (1, 2, 3)]
    world.scanners[0].sheets = list(originals)
    it = sources.scan_pages(WIA_DEVICE, feeder=True)
    first = next(it)
    assert world.transfers == [PNG]  # sheets 2 and 3 not yet read
    rest = list(it)
    pages = [first, *rest]
    assert [pixels(p.image) for p in pages] == [pixels(i) for i in originals]
    assert [p.origin for p in pages] == [f"HP ScanJet Pro 2500 f1#{n}" for n in (1, 2, 3)]
    assert [p.dpi for p in pages] == [300.0] * 3
    assert world.transfers == [PNG] * 4  # the fourth said "paper empty": the feeder's normal end
    assert world.sets == [
        ("item", INTENT, GREY),
        ("item", XRES, 300),
        ("item", YRES, 300),
        ("device", SELECT, FEEDER),
        ("device", PAGES, 0),
    ]


def test_empty_feeder_is_told_to_the_operator(world: World) -> None:
    with pytest.raises(DomainError) as e:
        sources.scan(WIA_DEVICE, feeder=True)
    vi, en = refusal(e)
    assert "khay nạp giấy trống" in vi and "the feeder is empty" in en
    assert "Traceback" not in vi + en
    assert world.transfers == [PNG]


@pytest.mark.parametrize("in_excepinfo", [True, False])
def test_paper_jam_mid_feed_keeps_the_pages_taken(world: World, in_excepinfo: bool) -> None:
    scanner = world.scanners[0]
    scanner.sheets = [page_image(n) for n in (1, 2, 3)]
    scanner.fail_at = {1: PAPER_JAM}
    scanner.errors_in_excepinfo = in_excepinfo
    got = []
    with pytest.raises(DomainError) as e:
        for page in sources.scan_pages(WIA_DEVICE, feeder=True):
            got.append(page)
    assert [pixels(p.image) for p in got] == [pixels(page_image(1))]
    vi, en = refusal(e)
    assert "HP ScanJet Pro 2500 f1: kẹt giấy trong khay nạp (WIA WIA_ERROR_PAPER_JAM)" in vi
    assert "HP ScanJet Pro 2500 f1: paper jam in the feeder (WIA WIA_ERROR_PAPER_JAM)" in en


@pytest.mark.parametrize(
    ("code", "vi_text", "en_text"),
    [
        (BUSY, "máy quét đang được chương trình khác dùng", "the scanner is in use by another program"),
        (OFFLINE, "máy quét chưa bật hoặc chưa nối", "the scanner is off or not connected"),
        (COVER_OPEN, "nắp máy quét đang mở", "a cover of the scanner is open"),
    ],
)
def test_device_errors_are_told_in_both_languages(
    world: World, code: int, vi_text: str, en_text: str
) -> None:
    world.scanners[0].fail_at = {0: code}
    with pytest.raises(DomainError) as e:
        sources.scan(WIA_DEVICE)
    vi, en = refusal(e)
    assert vi_text in vi and en_text in en
    assert vi.startswith("Không quét được:") and en.startswith("Scanning failed:")


def test_busy_at_connect_and_an_unknown_device(world: World) -> None:
    world.scanners[0].connect_error = BUSY
    with pytest.raises(DomainError) as e:
        sources.scan(WIA_DEVICE)
    assert "máy quét đang được chương trình khác dùng" in refusal(e)[0]
    with pytest.raises(DomainError) as e:
        sources.scan("wia:{gone}\\0009")
    vi, en = refusal(e)
    assert "không tìm thấy máy quét WIA" in vi and "wia:{gone}\\0009: WIA scanner not found" in en


def test_png_refused_falls_back_to_the_next_format(world: World) -> None:
    scanner = world.scanners[0]
    scanner.refused = {PNG}  # listed in Formats, but refused
    (page,) = sources.scan(WIA_DEVICE)
    assert world.transfers == [PNG, TIFF]
    assert pixels(page.image) == pixels(page_image(9)) and page.dpi == 300.0
    # Not offered at all: not asked; BMP, which every device supports, when it is the only one.
    world.transfers.clear()
    scanner.refused, scanner.formats = set(), (BMP,)
    (page,) = sources.scan(WIA_DEVICE)
    assert world.transfers == [BMP] and pixels(page.image) == pixels(page_image(9))


def test_a_device_error_is_not_taken_for_a_refused_format(world: World) -> None:
    world.scanners[0].fail_at = {0: OFFLINE}
    with pytest.raises(DomainError):
        sources.scan(WIA_DEVICE)
    assert world.transfers == [PNG]  # no second format tried on an offline scanner


def test_properties_on_the_item_as_wia2_keeps_them(world: World) -> None:
    scanner = world.scanners[0]
    scanner.select_on = "item"
    scanner.sheets = [page_image(1)]
    assert len(sources.scan(WIA_DEVICE, feeder=True)) == 1
    assert ("item", SELECT, FEEDER) in world.sets and ("item", PAGES, 0) in world.sets


def test_no_feeder_and_refused_settings(world: World) -> None:
    scanner = world.scanners[0]
    scanner.has_feeder = False
    with pytest.raises(DomainError) as e:
        sources.scan(WIA_DEVICE, feeder=True)
    vi, en = refusal(e)
    assert "HP ScanJet Pro 2500 f1 không có khay nạp giấy" in vi and "has no document feeder" in en
    assert world.transfers == []
    # A resolution and intent the driver refuses: the page keeps the dpi its file carries.
    scanner.read_only = {XRES, YRES, INTENT}
    (page,) = sources.scan(WIA_DEVICE, resolution=300)
    assert page.dpi == 150.0


def test_max_feeder_sheets_bounds_a_feeder_that_never_ends(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_FEEDER_SHEETS", 4)
    world.scanners[0].sheets = [page_image(1)] * 6
    assert len(sources.scan(WIA_DEVICE, feeder=True)) == 4
    assert len(world.transfers) == 4


def test_com_is_initialised_on_the_scanning_thread_and_released_even_on_errors(world: World) -> None:
    scanner = world.scanners[0]
    scanner.sheets = [page_image(n) for n in (1, 2, 3)]
    result: dict[str, Any] = {}

    def lane() -> None:  # the digitising lane's worker thread
        result["pages"] = sources.scan(WIA_DEVICE, feeder=True)

    worker = threading.Thread(target=lane)
    worker.start()
    worker.join()
    assert len(result["pages"]) == 3
    assert world.inits == world.uninits == [worker.ident]
    assert world.used_on == {worker.ident}  # every COM call on that thread
    # An error mid-feed, and a caller that stops after one page: still paired, nothing left alive.
    scanner.sheets = [page_image(n) for n in (1, 2, 3)]
    scanner.fail_at = {1: PAPER_JAM}
    with pytest.raises(DomainError):
        sources.scan(WIA_DEVICE, feeder=True)
    scanner.fail_at = {}
    it = sources.scan_pages(WIA_DEVICE, feeder=True)
    next(it)
    it.close()
    assert len(world.inits) == len(world.uninits) == 3
    assert world.alive_at_uninit == [0, 0, 0]


def test_command_line_scan_through_the_wia_double(world: World, data_dir: Path) -> None:
    """``scan --list`` shows the WIA id and ``scan CODE --paper 1 --device wia:… --feeder`` takes it."""

    def run(*argv: str) -> tuple[int, str, str]:
        return run_cli(data_dir, *argv)

    code, out, _ = run("scan", "--list", "--json")
    assert code == 0 and json.loads(out) == [
        {"name": WIA_DEVICE, "vendor": "HP", "model": "HP ScanJet Pro 2500 f1", "kind": "WIA"}
    ]
    code, out, _ = run("scan", "--list")
    assert code == 0 and f"{WIA_DEVICE}  HP HP ScanJet Pro 2500 f1 (WIA)" in out
    code, out, _ = run("receive", "--procedure", "1.001193", "--name", "Lê Thị Mai", "--paper", "1", "--json")
    dossier = json.loads(out)["code"]
    world.scanners[0].sheets = [page_image(n) for n in (1, 2, 3)]
    code, out, err = run("scan", dossier, "--paper", "1", "--device", WIA_DEVICE, "--feeder", "--pages", "3")
    assert code == 0, err
    assert "Khay nạp giấy đã quét 3 trang" in out
    code, out, _ = run("files", dossier, "--json")
    assert json.loads(out)["papers"][0]["pages"] == 3
    code, out, err = run("scan", dossier, "--paper", "1", "--device", WIA_DEVICE, "--feeder")
    assert code == 1 and "khay nạp giấy trống" in err and "Traceback" not in err
