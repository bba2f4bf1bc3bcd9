"""Where pages come from: a scanner (SANE on Linux, TWAIN on Windows), files, a watched folder.

- **SANE** (``python-sane``, which builds against ``libsane-dev``): :func:`list_devices`, :func:`scan`.
  With ``feeder=True`` the automatic document feeder is emptied and the number of sheets it gave is the
  page count the operator is asked to confirm (``app.domain.digitise.check_page_count``). Tested against
  SANE's own ``test`` backend (``sane-utils``), which behaves as a scanner with a 10-sheet feeder.
- **TWAIN on Windows** (``pytwain``, package ``twain``): :func:`_scan_twain`. Checked call by call
  against pytwain 2.3.0's source (see the notes above it) and tested against a double of that API
  (tests/digitise/test_sources_twain.py); never run against a real driver (no Windows here). WIA is not
  implemented.
- **Files** (PNG, JPEG, TIFF, PDF; a phone photo): ``app.digitise.imaging.load_file``.
- **Scan to folder** (network scanners): :class:`FolderWatcher` polls a folder (no platform notifier
  needed) and hands over files whose size has stopped changing, then moves them to ``done/``.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
        return [Device(name, "", name, "TWAIN") for name in _twain_sources()]
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
) -> Iterator[RawPage]:
    """As :func:`scan`, each sheet given as soon as the scanner has read it (the caller compresses it
    while the next one is read, and never holds a whole feeder's pixels)."""
    if sys.platform == "win32":
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
    import twain

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
    import io

    import twain
    from PIL import Image

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
                    image = Image.open(io.BytesIO(bmp), formats=["BMP"])
                    image.load()
                    dpi = image.info.get("dpi", (resolution, resolution))[0]
                    count += 1
                    yield RawPage(image, float(round(dpi)) or float(resolution), f"{name}#{count}")
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
