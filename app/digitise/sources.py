"""Where pages come from: a scanner (SANE on Linux, TWAIN on Windows), files, a watched folder.

- **SANE** (``python-sane``, which builds against ``libsane-dev``): :func:`list_devices`, :func:`scan`.
  With ``feeder=True`` the automatic document feeder is emptied and the number of sheets it gave is the
  page count the operator is asked to confirm (``app.domain.digitise.check_page_count``). Tested against
  SANE's own ``test`` backend (``sane-utils``), which behaves as a scanner with a 10-sheet feeder.
- **TWAIN on Windows** (``pytwain``, package ``twain``): :func:`_scan_twain`. It follows pytwain's
  documented API (``SourceManager``, ``open_source``, ``request_acquire``, ``xfer_image_natively``), but
  could not be run here (no Windows, no TWAIN driver): it is untested. WIA is not implemented.
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


# --- Windows: TWAIN (untested here) ---------------------------------------------------------------------


def _twain_sources() -> list[str]:  # pragma: no cover - Windows only
    import twain

    with twain.SourceManager(0) as sm:
        return [str(s) for s in sm.source_list]


def _scan_twain(  # pragma: no cover - Windows only
    device: str | None, *, feeder: bool, resolution: int
) -> list[RawPage]:
    import io

    import twain
    from PIL import Image

    pages: list[RawPage] = []
    with twain.SourceManager(0) as sm:
        src = sm.open_source(device) if device else sm.open_source()
        if src is None:
            raise _problem("no TWAIN source chosen")
        try:
            src.set_capability(twain.ICAP_XRESOLUTION, twain.TWTY_FIX32, float(resolution))
            src.set_capability(twain.ICAP_YRESOLUTION, twain.TWTY_FIX32, float(resolution))
            src.set_capability(twain.ICAP_PIXELTYPE, twain.TWTY_UINT16, twain.TWPT_GRAY)
            if feeder:
                src.set_capability(twain.CAP_FEEDERENABLED, twain.TWTY_BOOL, True)
            src.request_acquire(show_ui=False, modal_ui=False)
            more = 1
            while more and len(pages) < MAX_FEEDER_SHEETS:
                handle, more = src.xfer_image_natively()
                bmp = twain.dib_to_bm_file(handle)
                twain.global_handle_free(handle)
                image = Image.open(io.BytesIO(bmp))
                pages.append(RawPage(image, float(resolution), f"TWAIN#{len(pages) + 1}"))
        finally:
            src.close()
    return pages


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
