"""Where pages come from: a scanner (SANE on Linux, TWAIN or WIA on Windows), files, a watched folder.

- **SANE** (``python-sane``, which builds against ``libsane-dev``): :func:`list_devices`, :func:`scan`.
  With ``feeder=True`` the automatic document feeder is emptied and the number of sheets it gave is the
  page count the operator is asked to confirm (``app.domain.digitise.check_page_count``). Tested against
  SANE's own ``test`` backend (``sane-utils``), which behaves as a scanner with a 10-sheet feeder.
- **TWAIN on Windows** (``pytwain``, package ``twain``): :func:`_scan_twain`. Checked call by call
  against pytwain 2.3.0's source (see the notes above it) and tested against a double of that API
  (tests/digitise/test_sources_twain.py); never run against a real driver (no Windows here).
- **WIA on Windows** (the WIA Automation Layer through ``pywin32``'s ``win32com.client``): :func:`_scan_wia`,
  chosen by a device id ``wia:<DeviceID>`` as :func:`list_devices` gives it. Checked against Microsoft's
  documentation (cited above it) and tested against a double of that API (tests/digitise/
  test_sources_wia.py); never run against a real WIA driver either.
- **Files** (PNG, JPEG, TIFF, PDF; a phone photo): ``app.digitise.imaging.load_file``.
- **Scan to folder** (network scanners): :class:`FolderWatcher` polls a folder (no platform notifier
  needed) and hands over files whose size has stopped changing, then moves them to ``done/``.
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import signal
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from app.digitise.imaging import SUFFIXES, RawPage
from app.domain.errors import DomainError, Problem

DEFAULT_DPI = 300
FEEDER_NAMES = ("Automatic Document Feeder", "ADF", "ADF Front", "ADF Duplex")
#: A feeder that never says "empty" must not scan forever.
MAX_FEEDER_SHEETS = 500


@dataclass(frozen=True)
class Device:
    name: str
    vendor: str
    model: str
    kind: str


def _problem(detail: str, vi_detail: str | None = None) -> DomainError:
    """The scanner's refusal; ``detail`` in English (a driver's own message has no Vietnamese: it is
    shown as it is in both languages), ``vi_detail`` its Vietnamese where this module wrote it."""
    return DomainError(
        Problem(
            "scanner.failed",
            f"Không quét được: {vi_detail or detail}. Hãy kiểm tra máy quét (nguồn, cáp, giấy trong khay).",
            f"Scanning failed: {detail}. Check the scanner (power, cable, paper in the tray).",
            "device",
        )
    )


def _sane() -> Any:
    if sys.platform == "win32":
        raise _problem("SANE is not available on Windows (TWAIN is used there)")
    try:
        import sane
    except ImportError:
        raise _problem("python-sane is not installed", "chưa cài python-sane") from None
    sane.init()
    return sane


def list_devices() -> list[Device]:
    if sys.platform == "win32":
        return _windows_devices()
    sane = _sane()
    try:
        return [Device(str(n), str(v), str(m), str(t)) for n, v, m, t in sane.get_devices()]
    finally:
        _ignore_sigpipe_again()


def _ignore_sigpipe_again() -> None:
    """SANE's scanning (seen with its ``test`` backend's reader) sets SIGPIPE back to its default action,
    under which a write to a socket whose peer has gone (the provincial server restarting during a sync)
    would kill the whole desk; Python ignores SIGPIPE and raises BrokenPipeError instead. Ignore it again,
    for the whole process, through libc: ``signal.signal`` may be called from the main thread only, and
    scanning runs on the digitising lane (tests/digitise/test_sources.py checks it)."""
    try:
        libc = ctypes.CDLL(None)
        libc.signal.restype = ctypes.c_void_p
        libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
        libc.signal(signal.SIGPIPE, ctypes.c_void_p(1))  # SIG_IGN
    except (OSError, AttributeError):  # no libc signal() to call: nothing SANE could have changed either
        pass


def scan(
    device: str | None = None,
    *,
    feeder: bool = False,
    resolution: int = DEFAULT_DPI,
    options: dict[str, Any] | None = None,
) -> list[RawPage]:
    """Scan one page (flatbed) or every sheet in the feeder, in grey at ``resolution`` dpi."""
    return list(scan_pages(device, feeder=feeder, resolution=resolution, options=options))


def scan_pages(
    device: str | None = None,
    *,
    feeder: bool = False,
    resolution: int = DEFAULT_DPI,
    options: dict[str, Any] | None = None,
) -> Generator[RawPage, None, None]:
    """As :func:`scan`, each sheet given as soon as the scanner has read it (the caller compresses it
    while the next one is read, and never holds a whole feeder's pixels)."""
    if sys.platform == "win32":
        if device is None:
            device = _default_windows_device()
        if device is not None and device.startswith(WIA_PREFIX):
            yield from _scan_wia(device[len(WIA_PREFIX) :], feeder=feeder, resolution=resolution)
        else:
            yield from _scan_twain(device, feeder=feeder, resolution=resolution)
        return
    sane = _sane()
    if device is None:
        devices = sane.get_devices()
        if not devices:
            raise _problem("no scanner found", "không tìm thấy máy quét nào")
        device = str(devices[0][0])
    try:
        dev = sane.open(device)
    except Exception as exc:  # python-sane raises _sane.error (a RuntimeError subclass) or others
        raise _problem(f"{device}: {exc}") from None
    try:
        _set(dev, "mode", "Gray")
        _set(dev, "resolution", resolution)
        for key, value in (options or {}).items():
            _set(dev, key, value)
        if feeder:
            names = _option_values(dev, "source")
            adf = next((n for n in names if n in FEEDER_NAMES), None)
            if adf is None:
                raise _problem(f"{device} has no document feeder", f"{device} không có khay nạp giấy")
            _set(dev, "source", adf)
            count = 0
            for n, img in enumerate(dev.multi_scan()):
                if n >= MAX_FEEDER_SHEETS:
                    break
                count += 1
                _ignore_sigpipe_again()
                yield RawPage(img, float(resolution), f"{device}#{n + 1}")
            if not count:
                raise _problem("the feeder is empty", "khay nạp giấy trống")
        else:
            image = dev.scan()
            _ignore_sigpipe_again()
            yield RawPage(image, float(resolution), f"{device}#1")
    except DomainError:
        raise
    except Exception as exc:  # the driver's error, whatever its type, is told to the operator
        raise _problem(str(exc)) from None
    finally:
        dev.close()
        _ignore_sigpipe_again()


def _option_values(dev: Any, name: str) -> list[str]:
    for opt in dev.get_options():
        if opt[1] == name and isinstance(opt[8], list):
            return [str(v) for v in opt[8]]
    return []


def _set(dev: Any, name: str, value: Any) -> None:
    attr = name.replace("-", "_")
    if attr in dev.optlist:
        setattr(dev, attr, value)


# --- Windows: TWAIN through pytwain ----------------------------------------------------------------------
#
# Checked against pytwain's source (github.com/denisenkom/pytwain, commit 3dda4f1 of 2024-03-09, version
# 2.3.0; PyPI project ``pytwain``, import name ``twain``); "pytwain <file>:<line>" below cites that commit.
# Never run against a real TWAIN driver (no Windows here): tests/digitise/test_sources_twain.py drives this
# code against a double of the subset of pytwain's API used here, written from that source.
#
# - ``SourceManager(parent_window)`` loads the data source manager (twain_32.dll for a 32-bit process,
#   else twaindsm.dll, which Windows does not ship: SMLoadFileFailed) and opens it with DAT_PARENT/
#   MSG_OPENDSM on the parent's window handle (src/twain/__init__.py:1142-1269, _get_dsm at 1098-1126).
#   ``None`` gives the handle 0 (1196-1197); pytwain's own ``acquire()`` creates a Tk window when it is
#   given none (1532-1535), and its README and tests pass a Tk window: the desk does the same
#   (:func:`_twain_parent_window`), falling back to no window when Tk cannot start.
# - ``source_list`` is a property: product names; none (not an error) when there is no source (1416-1445).
# - ``open_source(name)`` opens by product name, or shows the DSM's selection dialog when ``name`` is None
#   and returns None when the operator cancels it (1381-1405).
# - ``set_capability(cap, type_id, value)`` sets a TW_ONEVALUE; it raises ``exceptions.CheckStatus`` when
#   the source accepted a rounded value (382-442) and a TwainError subclass (CapUnsupported, BadCapability,
#   BadValue -> ValueError...) when it refused (_call, 1301-1336; _exc_mapping, 23-44).
# - ``request_acquire(show_ui, modal_ui)`` only enables the source (state 5, 783-793). pytwain's README,
#   tests/test_integ.py:37-70 and manual_tests/test_cancellation.py call ``xfer_image_natively`` right
#   after it, without running ``modal_loop()`` (which waits for MSG_XFERREADY from a Windows message loop,
#   599-623, 795-801): the desk follows that documented pattern. A driver that insists on its message
#   loop would raise SequenceError, told to the operator as a scanner failure.
# - ``xfer_image_natively()`` returns ``(handle, more)``: ``more`` is TW_PENDINGXFERS.Count: 0 no more,
#   -1 more but unknown how many, >0 how many (751-769, 812-832); it raises ``exceptions.
#   DSTransferCancelled`` when the transfer was cancelled (after ending it).
# - ``dib_to_bm_file(handle)`` returns the BMP file's bytes when no path is given; ``global_handle_free
#   (handle)`` frees the DIB (src/twain/windows.py:58-80, 173-185), as tests/test_integ.py:64-70 does.
# - ``Source.close()`` resets pending transfers (state 6), disables (state 5) and closes the source
#   (215-229); ``SourceManager.close()`` (its ``with`` exit) closes every open source, then the DSM
#   (1291-1299).

#: pytwain exception class names -> (English, Vietnamese) for the operator (pytwain src/twain/exceptions.py).
_TWAIN_ERRORS = {
    "SMLoadFileFailed": (
        "no TWAIN data source manager is installed (twaindsm.dll)",
        "chưa cài trình quản lý nguồn TWAIN (twaindsm.dll)",
    ),
    "NoDataSourceError": ("no TWAIN scanner driver found", "không tìm thấy trình điều khiển máy quét TWAIN"),
    "PaperJam": ("paper jam in the feeder", "kẹt giấy trong khay nạp"),
    "PaperDoubleFeedError": ("two sheets fed at once", "khay nạp kéo hai tờ một lúc"),
    "CheckDeviceOnlineError": ("the scanner is off or not connected", "máy quét chưa bật hoặc chưa nối"),
    "MaxConnectionsError": (
        "the scanner is in use by another program",
        "máy quét đang được chương trình khác dùng",
    ),
    "SequenceError": (
        "the driver refused the order of operations",
        "trình điều khiển từ chối thứ tự thao tác",
    ),
}


def _twain_problem(exc: BaseException, device: str | None) -> DomainError:
    """A pytwain or driver exception told to the operator (many of pytwain's carry no message)."""
    name = type(exc).__name__
    en, vi = _TWAIN_ERRORS.get(name, (str(exc) or name, None))
    where = f"{device}: " if device else ""
    return _problem(f"{where}{en} (TWAIN {name})", f"{where}{vi} (TWAIN {name})" if vi else None)


def _twain_parent_window() -> Any:
    """A hidden Tk window as the TWAIN parent, as pytwain's ``acquire()`` makes one when given none
    (pytwain src/twain/__init__.py:1532-1535); None (window handle 0) when Tk cannot start."""
    try:
        import tkinter

        root = tkinter.Tk()
    except Exception:  # no tkinter, or tkinter.TclError (no display): the handle 0, as pytwain allows
        return None
    root.withdraw()
    return root


def _close_parent_window(root: Any) -> None:
    if root is not None:
        root.destroy()


def _twain_sources() -> list[str]:
    try:
        import twain
    except ImportError:  # so that the WIA scanners are still listed (see _windows_devices)
        raise _problem("pytwain is not installed", "chưa cài pytwain") from None

    root = _twain_parent_window()
    try:
        with twain.SourceManager(root) as sm:
            return [str(s) for s in sm.source_list]
    except DomainError:
        raise
    except Exception as exc:  # pytwain's TwainError subclasses, OSError from ctypes, ...
        raise _twain_problem(exc, None) from None
    finally:
        _close_parent_window(root)


def _twain_set(src: Any, cap: int, type_id: int, value: int | float | bool, *, required: bool) -> None:
    """Set one capability; a rounded value (CheckStatus) is accepted, a refusal only matters if
    ``required``."""
    import twain

    try:
        src.set_capability(cap, type_id, value)
    except twain.exceptions.CheckStatus:
        pass
    except (twain.exceptions.TwainError, ValueError):
        if required:
            raise


def _twain_feeder_loaded(src: Any) -> bool:
    """CAP_FEEDERLOADED, read before acquiring; True when the source cannot tell. pytwain's
    ``get_capability_current`` gives a TW_ONEVALUE as ``(type_id, value)``, a TWTY_BOOL as a bool
    (src/twain/__init__.py:241-275, 334-348)."""
    import twain

    try:
        answer = src.get_capability_current(twain.CAP_FEEDERLOADED)
    except (twain.exceptions.TwainError, ValueError):
        return True
    if isinstance(answer, tuple) and len(answer) == 2 and answer[0] == twain.TWTY_BOOL:
        return bool(answer[1])
    return True


def _scan_twain(device: str | None, *, feeder: bool, resolution: int) -> Iterator[RawPage]:
    """Scan through TWAIN, each page given as soon as it is transferred (see the notes above)."""

    import twain

    root = _twain_parent_window()
    count = 0
    try:
        with twain.SourceManager(root) as sm:
            src = sm.open_source(device) if device else sm.open_source()
            if src is None:  # the operator cancelled the selection dialog
                raise _problem("no TWAIN scanner was chosen", "chưa chọn máy quét TWAIN nào")
            name = device or str(src.name)
            try:
                # The order of pytwain's acquire() (1542-1553): pixel type, units, then resolution.
                _twain_set(src, twain.ICAP_PIXELTYPE, twain.TWTY_UINT16, twain.TWPT_GRAY, required=False)
                _twain_set(src, twain.ICAP_UNITS, twain.TWTY_UINT16, twain.TWUN_INCHES, required=False)
                _twain_set(src, twain.ICAP_XRESOLUTION, twain.TWTY_FIX32, float(resolution), required=False)
                _twain_set(src, twain.ICAP_YRESOLUTION, twain.TWTY_FIX32, float(resolution), required=False)
                _twain_set(src, twain.ICAP_XFERMECH, twain.TWTY_UINT16, twain.TWSX_NATIVE, required=True)
                if feeder:
                    try:
                        _twain_set(src, twain.CAP_FEEDERENABLED, twain.TWTY_BOOL, True, required=True)
                    except (twain.exceptions.TwainError, ValueError):
                        raise _problem(
                            f"{name} has no document feeder", f"{name} không có khay nạp giấy"
                        ) from None
                    _twain_set(src, twain.CAP_AUTOFEED, twain.TWTY_BOOL, True, required=False)
                    if not _twain_feeder_loaded(src):
                        raise _problem("the feeder is empty", "khay nạp giấy trống")
                # -1: every sheet the feeder holds; 1: one page (TWAIN's CAP_XFERCOUNT).
                _twain_set(src, twain.CAP_XFERCOUNT, twain.TWTY_INT16, -1 if feeder else 1, required=False)
                src.request_acquire(show_ui=False, modal_ui=False)
                more, most = 1, MAX_FEEDER_SHEETS if feeder else 1
                while more != 0 and count < most:
                    try:
                        handle, more = src.xfer_image_natively()
                    except twain.exceptions.DSTransferCancelled:
                        if count == 0:
                            raise _problem(
                                f"{name}: the scan was cancelled", f"{name}: đã huỷ lượt quét"
                            ) from None
                        break  # cancelled after some sheets: those stand, the count check tells the rest
                    try:
                        bmp = twain.dib_to_bm_file(handle)
                    finally:
                        twain.global_handle_free(handle)
                    page = _transferred_page(bmp, ["BMP"], resolution, f"{name}#{count + 1}")
                    count += 1
                    yield page
                if feeder and count == 0:
                    raise _problem("the feeder is empty", "khay nạp giấy trống")
            finally:
                src.close()
    except DomainError:
        raise
    except Exception as exc:  # the driver's error, whatever its type, is told to the operator
        raise _twain_problem(exc, device) from None
    finally:
        _close_parent_window(root)


# --- Windows: WIA through the WIA Automation Layer (pywin32) ----------------------------------------------
#
# The WIA Automation Layer (ProgID "WIA.DeviceManager", Windows Vista and later) through pywin32's
# ``win32com.client``, without any of its dialogs (``WIA.CommonDialog`` is not used). Never run on Windows nor
# against a WIA driver: tests/digitise/test_sources_wia.py drives this code against a double of the subset
# used here, written from the documents below. "MS wiaaut/<page>" is learn.microsoft.com/en-us/previous-
# versions/windows/desktop/wiaaut/<page>; "MS image/<page>" is learn.microsoft.com/en-us/windows-hardware/
# drivers/image/<page>; "windows-sys" is the Windows SDK metadata as docs.rs/windows-sys (0.34-0.48) and
# microsoft.github.io/windows-docs-rs publish it (Win32::Devices::ImageAcquisition), read for the numbers
# that Microsoft's pages name without giving; "wiadef.h" is a copy of the SDK's own header ("Copyright (c)
# Microsoft Corporation ... File: wiadef.h, Version: 4.0") kept in a public repository, read in session 18
# for the three values neither of the others gave. What none of these showed is marked NOT CONFIRMED.
#
# - DeviceManager (MS wiaaut/-wiaaut-devicemanager): created by its ProgID "WIA.DeviceManager"; its
#   ``DeviceInfos`` property lists the devices. DeviceInfo (MS wiaaut/-wiaaut-deviceinfo): ``Connect``
#   "establishes a connection with a device"; ``DeviceID``, ``Type``, ``Properties`` (those "applicable when
#   the device is not connected"). Its Name and Manufacturer are the device information properties 7 and 3
#   (learn.microsoft.com/windows/win32/wia/-wia-iwiadeviceinfo-getpropbyid, the older WIA scripting
#   model's page: "const Manufacturer = 3 ... const Name = 7", the WIA_DIP_* ids).
# - WiaDeviceType (MS wiaaut/-wiaaut-wiadevicetype): ScannerDeviceType = 1 (0 unspecified, 2 camera, 3 video);
#   only type 1 is listed.
# - Device.Items (MS wiaaut/-wiaaut-idevice-items): the device's items. The desk scans from the first: WIA
#   1.0, which the Automation Layer's objects follow, describes a scanner as "a single IWiaItem object that
#   represents the data collecting functionality of the device, the Scan Item" (learn.microsoft.com/en-us/
#   previous-versions/windows/desktop/wia/-wia-wia-scanner-devices). Whether a WIA 2.0 driver with separate
#   flatbed and feeder items shows them so to the Automation Layer is NOT CONFIRMED without one.
# - Property (MS wiaaut/-wiaaut-property): ``PropertyID``, ``Value`` (read/write). A property is found by
#   walking ``Properties`` and comparing ``PropertyID``: how the collection's ``Item`` takes an id was not
#   in the pages read, so it is not used.
# - Item.Transfer(FormatID) (MS wiaaut/-wiaaut-iitem-transfer): "Retrieves an ImageFile object", "a version
#   of ShowTransfer that does not display a UI"; it "Returns an ImageFile object in the format specified in
#   FormatID, if the device supports that format; otherwise this method uses the preferred format". Formats
#   (MS wiaaut/-wiaaut-formats): the FormatIDs an item transfers; "all imaging devices must support
#   wiaFormatBMP". FormatID constants (MS wiaaut/-wiaaut-consts-formatid): wiaFormatBMP {B96B3CAB-0728-11D3-
#   9D7B-0000F81EF32E}, wiaFormatPNG {B96B3CAF-...}, wiaFormatTIFF {B96B3CB1-...}. The desk asks for PNG,
#   else TIFF, else BMP among the item's Formats, and tries the next one if a transfer is refused with an
#   error that is not a device error (that a driver refuses a listed format so is NOT CONFIRMED); the bytes
#   are decoded by their content, whatever format came.
# - ImageFile.FileData (MS wiaaut/-wiaaut-iimagefile-filedata): "the raw image file as a Vector of bytes";
#   Vector.BinaryData (MS wiaaut/-wiaaut-ivector-binarydata): "the Vector of bytes as an array of bytes".
#   The Python type pywin32 makes of that array (bytes) is NOT CONFIRMED from a document: ``bytes()`` of it
#   is taken, which also takes a memoryview or a sequence of ints.
# - WIA_IPS_CUR_INTENT 6146 (MS image/wia-ips-cur-intent; number: windows-sys): "The driver chooses the bit
#   depth, in dots per inch, and other settings that it determines are appropriate for the selected
#   intent", so it is set before the resolution. Grey: WIA_INTENT_IMAGE_TYPE_GRAYSCALE, 2 as the Automation
#   Layer's WiaImageIntent.GrayscaleIntent (MS wiaaut/-wiaaut-wiaimageintent) and as the C constant
#   (wiadef.h: WIA_INTENT_IMAGE_TYPE_GRAYSCALE 0x00000002).
# - WIA_IPS_XRES 6147, WIA_IPS_YRES (MS image/wia-ips-xres, wia-ips-yres): pixels per inch, VT_I4, "Read/
#   write or read-only". XRES 6147 from windows-sys; YRES 6148 from wiadef.h ("#define WIA_IPS_YRES 6148
#   // 0x1804", between XRES 6147 and XPOS 6149). A refused resolution is not an error: the page keeps the
#   dpi its file carries.
# - WIA_DPS_DOCUMENT_HANDLING_SELECT 3088 (MS image/wia-dps-document-handling-select; number: windows-sys):
#   FEEDER and FLATBED are "valid with Microsoft Windows XP but are obsolete with Windows Vista and later",
#   where WIA 2.0 has WIA_IPS_DOCUMENT_HANDLING_SELECT (also 3088) on the item; for WIA 1.0 the feeder's
#   properties "are located on the root item" (MS image/adding-document-feeder-support-for-windows-me-and-
#   windows-xp). The desk sets it on the device, else on the item. FEEDER = 1 (windows-sys); FLATBED = 2
#   (wiadef.h's WIA_DPS_DOCUMENT_HANDLING_SELECT flags: FEEDER 0x001, FLATBED 0x002; also Kodak Alaris'
#   "WIA Standard Properties" driver notes), ALL_PAGES 0 (wiadef.h).
# - WIA_DPS_PAGES 3096 (MS image/wia-dps-pages; number: windows-sys): "set to zero [0] to scan
#   continuously", ALL_PAGES. Set to 0 where present (device, else item); a refusal is not an error, since
#   each Transfer gives one page and the desk calls it until the feeder is empty (at most MAX_FEEDER_SHEETS).
# - Errors (learn.microsoft.com/windows/win32/wia/-wia-error-codes; the values read on its English,
#   Japanese and Korean versions): WIA_ERROR_PAPER_EMPTY 0x80210003 (no document in the feeder), PAPER_JAM
#   0x80210002, OFFLINE 0x80210005, BUSY 0x80210006, ITEM_DELETED 0x80210009, DEVICE_COMMUNICATION
#   0x8021000A, DEVICE_LOCKED 0x8021000D, COVER_OPEN 0x80210016, LAMP_OFF 0x80210017, MULTI_FEED 0x80210020;
#   PAPER_PROBLEM 0x80210004 from windows-sys. PAPER_EMPTY from a transfer after at least one page is the
#   feeder's normal end; before any page it tells the operator the feeder is empty. That every driver ends
#   a feeder so (and not with another code) is NOT CONFIRMED without one.
# - pywin32's com_error (mhammond.github.io/pywin32/com_error.html; ``pythoncom.com_error`` is
#   ``pywintypes.com_error``): ``hresult``, ``strerror``, ``excepinfo`` (None or an EXCEPINFO tuple),
#   ``argerror``. An automation object's own error arrives through IDispatch as DISP_E_EXCEPTION with its code
#   in ``excepinfo[5]`` (as pywin32 users' reports show it); which of the two carries WIA_ERROR_* from the
#   WIA Automation Layer is NOT CONFIRMED, so the scode is read first, then the hresult.
# - COM is initialised on the calling thread (``pythoncom.CoInitialize``, paired with ``CoUninitialize`` in a
#   ``finally``): scanning runs on the digitising lane's thread, never the GUI's. The COM objects are dropped
#   before ``CoUninitialize``. The page generator must be run to its end (or closed) on the thread that
#   started it, as the digitising lane does.

#: The device id prefix that sends :func:`scan_pages` to WIA: ``wia:`` + the WIA DeviceID.
WIA_PREFIX = "wia:"
_WIA_SCANNER_TYPE = 1  # WiaDeviceType.ScannerDeviceType
_WIA_DIP_VEND_DESC = 3  # DeviceInfo property "Manufacturer"
_WIA_DIP_DEV_NAME = 7  # DeviceInfo property "Name"
_WIA_DOCUMENT_HANDLING_SELECT = 3088
_WIA_PAGES = 3096
_WIA_IPS_CUR_INTENT = 6146
_WIA_IPS_XRES = 6147
_WIA_IPS_YRES = 6148
_WIA_FEEDER = 0x1
_WIA_FLATBED = 0x2
_WIA_INTENT_GRAYSCALE = 2
_WIA_ALL_PAGES = 0
WIA_FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
WIA_FORMAT_TIFF = "{B96B3CB1-0728-11D3-9D7B-0000F81EF32E}"
WIA_FORMAT_BMP = "{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}"
_WIA_ERROR_PAPER_EMPTY = 0x80210003
#: The facility of WIA's own HRESULTs (0x8021xxxx): a device's error, not a refused call.
_WIA_FACILITY = 0x80210000

#: WIA_ERROR_* HRESULT -> (name, English, Vietnamese) for the operator (MS -wia-error-codes, see above).
_WIA_ERRORS = {
    0x80210002: ("WIA_ERROR_PAPER_JAM", "paper jam in the feeder", "kẹt giấy trong khay nạp"),
    _WIA_ERROR_PAPER_EMPTY: ("WIA_ERROR_PAPER_EMPTY", "the feeder is empty", "khay nạp giấy trống"),
    0x80210004: (
        "WIA_ERROR_PAPER_PROBLEM",
        "a problem with the paper in the feeder",
        "giấy trong khay nạp có vấn đề",
    ),
    0x80210005: (
        "WIA_ERROR_OFFLINE",
        "the scanner is off or not connected",
        "máy quét chưa bật hoặc chưa nối",
    ),
    0x80210006: (
        "WIA_ERROR_BUSY",
        "the scanner is in use by another program",
        "máy quét đang được chương trình khác dùng",
    ),
    0x80210009: (
        "WIA_ERROR_ITEM_DELETED",
        "the scanner is no longer available",
        "máy quét không còn kết nối",
    ),
    0x8021000A: (
        "WIA_ERROR_DEVICE_COMMUNICATION",
        "the computer cannot communicate with the scanner",
        "máy tính không liên lạc được với máy quét",
    ),
    0x8021000D: (
        "WIA_ERROR_DEVICE_LOCKED",
        "the scanner is locked (by its lock switch or another program)",
        "máy quét đang bị khoá (công tắc khoá hoặc chương trình khác)",
    ),
    0x80210016: ("WIA_ERROR_COVER_OPEN", "a cover of the scanner is open", "nắp máy quét đang mở"),
    0x80210017: ("WIA_ERROR_LAMP_OFF", "the scanner's lamp is off", "đèn máy quét đang tắt"),
    0x80210020: ("WIA_ERROR_MULTI_FEED", "two sheets fed at once", "khay nạp kéo hai tờ một lúc"),
}


def _wia_hresult(exc: BaseException) -> int | None:
    """The WIA code of a pywin32 com_error: EXCEPINFO's scode when set, else the hresult (unsigned)."""
    info = getattr(exc, "excepinfo", None)
    if isinstance(info, tuple) and len(info) >= 6 and isinstance(info[5], int) and info[5]:
        return info[5] & 0xFFFFFFFF
    hresult = getattr(exc, "hresult", None)
    return hresult & 0xFFFFFFFF if isinstance(hresult, int) else None


def _wia_device_error(exc: BaseException) -> bool:
    code = _wia_hresult(exc)
    return code is not None and code & 0xFFFF0000 == _WIA_FACILITY


def _wia_problem(exc: BaseException, device: str | None) -> DomainError:
    """A WIA or driver error told to the operator (a com_error's text is Windows', in its own language)."""
    where = f"{device}: " if device else ""
    code = _wia_hresult(exc)
    known = _WIA_ERRORS.get(code) if code is not None else None
    if known is not None:
        name, en, vi = known
        return _problem(f"{where}{en} (WIA {name})", f"{where}{vi} (WIA {name})")
    info = getattr(exc, "excepinfo", None)
    text = info[2] if isinstance(info, tuple) and len(info) > 2 and info[2] else None
    text = text or getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    tag = f"WIA 0x{code:08X}" if code is not None else f"WIA {type(exc).__name__}"
    return _problem(f"{where}{text} ({tag})")


def _wia_modules() -> tuple[Any, Any]:
    """pywin32's ``pythoncom`` and ``win32com.client`` (installed on Windows only, by its marker)."""
    try:
        import pythoncom
        import win32com.client
    except ImportError:
        raise _problem(
            "pywin32 is not installed (needed for WIA)", "chưa cài pywin32 (cần cho WIA)"
        ) from None
    return pythoncom, win32com.client


def _wia_property(props: Any, pid: int) -> Any:
    """The Property with this PropertyID in a Properties collection, or None."""
    for prop in props:
        if int(prop.PropertyID) == pid:
            return prop
    return None


def _wia_value(props: Any, pid: int) -> str:
    prop = _wia_property(props, pid)
    return "" if prop is None or prop.Value is None else str(prop.Value)


def _wia_set(com_error: type[BaseException], where: list[Any], pid: int, value: int) -> bool:
    """Set a property on the first of ``where`` (Properties collections) that has it; False when none has it
    or the driver refused the value. A device error (WIA_ERROR_*: offline, busy...) is raised."""
    for props in where:
        prop = _wia_property(props, pid)
        if prop is None:
            continue
        try:
            prop.Value = value
        except com_error as exc:
            if _wia_device_error(exc):
                raise
            return False
        return True
    return False


def _wia_formats(com_error: type[BaseException], item: Any) -> list[str]:
    """PNG, else TIFF, else BMP among the item's Formats (all three when the item cannot tell)."""
    wanted = [WIA_FORMAT_PNG, WIA_FORMAT_TIFF, WIA_FORMAT_BMP]
    try:
        offered = {str(f).upper() for f in item.Formats}
    except com_error:
        return wanted
    return [f for f in wanted if f in offered] or wanted


def _wia_devices() -> list[Device]:
    """WIA scanners (Type 1), each as ``wia:<DeviceID>`` with kind "WIA"."""
    pythoncom, client = _wia_modules()
    pythoncom.CoInitialize()
    found: list[Device] = []
    problem: DomainError | None = None
    manager: Any = None
    info: Any = None
    try:
        manager = client.Dispatch("WIA.DeviceManager")
        for info in manager.DeviceInfos:
            if int(info.Type) != _WIA_SCANNER_TYPE:
                continue
            device_id = str(info.DeviceID)
            name = _wia_value(info.Properties, _WIA_DIP_DEV_NAME) or device_id
            vendor = _wia_value(info.Properties, _WIA_DIP_VEND_DESC)
            found.append(Device(WIA_PREFIX + device_id, vendor, name, "WIA"))
    except Exception as exc:  # com_error, or whatever the automation layer raised
        problem = _wia_problem(exc, None)
    finally:
        manager = info = None  # released before COM is uninitialised
        pythoncom.CoUninitialize()
    if problem is not None:
        raise problem
    return found


def _default_windows_device() -> str | None:
    """No scanner named: TWAIN's default source (None), as before WIA was written, unless TWAIN gives no
    source and WIA a scanner (a computer whose scanner has only a WIA driver): then the first of those.
    When neither gives one, the TWAIN path runs and tells its own reason."""
    try:
        found = _windows_devices()
    except DomainError:
        return None
    if any(d.kind == "TWAIN" for d in found):
        return None
    return next((d.name for d in found if d.kind == "WIA"), None)


def _windows_devices() -> list[Device]:
    """TWAIN sources and WIA scanners; one failing does not hide the other's devices. When neither gives a
    device, each failure is told."""
    found: list[Device] = []
    failures: list[DomainError] = []
    try:
        found += [Device(name, "", name, "TWAIN") for name in _twain_sources()]
    except DomainError as exc:
        failures.append(exc)
    try:
        found += _wia_devices()
    except DomainError as exc:
        failures.append(exc)
    if not found and failures:
        raise DomainError([p for f in failures for p in f.problems])
    return found


def _transferred_page(data: bytes, formats: list[str], resolution: int, origin: str) -> RawPage:
    """A page a driver transferred as a file (TWAIN's BMP, WIA's PNG, TIFF or BMP), decoded, with the dpi
    it carries (else the one asked)."""
    image = Image.open(io.BytesIO(data), formats=formats)
    image.load()
    dpi = image.info.get("dpi", (resolution, resolution))[0]
    return RawPage(image, float(round(dpi)) or float(resolution), origin)


def _scan_wia(device_id: str, *, feeder: bool, resolution: int) -> Iterator[RawPage]:
    """Scan through the WIA Automation Layer, each page given as soon as it is transferred (see the notes
    above); COM is initialised on this thread for the whole scan."""
    pythoncom, client = _wia_modules()
    pythoncom.CoInitialize()
    try:
        yield from _wia_pages(pythoncom.com_error, client, device_id, feeder=feeder, resolution=resolution)
    finally:
        pythoncom.CoUninitialize()


def _wia_pages(
    com_error: type[BaseException], client: Any, device_id: str, *, feeder: bool, resolution: int
) -> Iterator[RawPage]:
    name = f"{WIA_PREFIX}{device_id}"
    count = 0
    problem: DomainError | None = None
    manager: Any = None
    info: Any = None
    dev: Any = None
    item: Any = None
    image_file: Any = None
    places: Any = None
    try:
        manager = client.Dispatch("WIA.DeviceManager")
        info = next((i for i in manager.DeviceInfos if str(i.DeviceID) == device_id), None)
        if info is None:
            raise _problem(f"{name}: WIA scanner not found", f"{name}: không tìm thấy máy quét WIA")
        name = _wia_value(info.Properties, _WIA_DIP_DEV_NAME) or name
        dev = info.Connect()
        item = next(iter(dev.Items), None)
        if item is None:
            raise _problem(
                f"{name}: the WIA scanner offers nothing to scan", f"{name}: máy quét WIA không có mục quét"
            )
        places = [dev.Properties, item.Properties]
        # The intent first: the driver may change other properties (resolution included) from it.
        _wia_set(com_error, [item.Properties], _WIA_IPS_CUR_INTENT, _WIA_INTENT_GRAYSCALE)
        _wia_set(com_error, [item.Properties], _WIA_IPS_XRES, resolution)
        _wia_set(com_error, [item.Properties], _WIA_IPS_YRES, resolution)
        if feeder:
            if not _wia_set(com_error, places, _WIA_DOCUMENT_HANDLING_SELECT, _WIA_FEEDER):
                raise _problem(f"{name} has no document feeder", f"{name} không có khay nạp giấy")
            _wia_set(com_error, places, _WIA_PAGES, _WIA_ALL_PAGES)
        else:
            _wia_set(com_error, places, _WIA_DOCUMENT_HANDLING_SELECT, _WIA_FLATBED)
        formats = _wia_formats(com_error, item)
        most = MAX_FEEDER_SHEETS if feeder else 1
        while count < most:
            try:
                image_file = item.Transfer(formats[0])
            except com_error as exc:
                if feeder and _wia_hresult(exc) == _WIA_ERROR_PAPER_EMPTY:
                    if count == 0:
                        raise _problem("the feeder is empty", "khay nạp giấy trống") from None
                    break  # the feeder's normal end
                if count == 0 and len(formats) > 1 and not _wia_device_error(exc):
                    formats.pop(0)  # this format refused: the next one
                    continue
                raise
            data = bytes(image_file.FileData.BinaryData)
            image_file = None
            page = _transferred_page(data, ["PNG", "TIFF", "BMP", "JPEG"], resolution, f"{name}#{count + 1}")
            count += 1
            yield page
    except DomainError as exc:
        problem = exc.with_traceback(None)
        problem.__context__ = None  # nothing of the COM objects outlives this frame through it
    except Exception as exc:  # com_error or the driver's, whatever its type, is told to the operator
        problem = _wia_problem(exc, name)
    finally:
        manager = info = dev = item = image_file = places = None  # released before COM is uninitialised
    if problem is not None:
        raise problem


# --- scan to folder ------------------------------------------------------------------------------------


@dataclass
class FolderWatcher:
    """New files in ``folder`` from a network scanner's "scan to folder", each handed over once."""

    folder: Path
    #: Sizes seen at the last poll: a file is taken when its size is the same two polls running.
    _seen: dict[Path, int] = field(default_factory=dict)

    def poll(self) -> list[Path]:
        ready: list[Path] = []
        if not self.folder.is_dir():
            return ready
        sizes: dict[Path, int] = {}
        for f in sorted(self.folder.iterdir()):
            if not f.is_file() or f.suffix.lower() not in SUFFIXES or f.name.startswith("."):
                continue
            sizes[f] = f.stat().st_size
            if sizes[f] > 0 and self._seen.get(f) == sizes[f]:
                ready.append(f)
        self._seen = {f: s for f, s in sizes.items() if f not in ready}
        return sorted(ready, key=lambda p: (p.stat().st_mtime, p.name))

    def done(self, path: Path) -> Path:
        """Move a file that was stored into ``done/`` (kept, never deleted by the desk)."""
        dest_dir = self.folder / "done"
        dest_dir.mkdir(exist_ok=True)
        dest = dest_dir / path.name
        n = 1
        while dest.exists():
            dest = dest_dir / f"{path.stem}-{n}{path.suffix}"
            n += 1
        shutil.move(os.fspath(path), dest)
        return dest
