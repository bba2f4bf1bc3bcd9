"""The real window on a real X server: ``python main.py --demo`` on Qt's ``xcb`` platform, as ``make run``
starts it on a desktop. Every other GUI test runs offscreen, which needs none of the X11/xcb system
libraries; this one fails when the set-up left one out (Qt aborts: "Could not load the Qt platform plugin
xcb"). CI runs it under Xvfb (``.ci/run``); without a display it is skipped, except when ``CI`` is set,
where it must run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90.0
#: The main window's title once the desk is open on the demo centre ("Một Cửa Desk — <centre>").
DESK_TITLE = re.compile(r'^\s*(0x[0-9a-f]+) "Một Cửa Desk — [^"]+"', re.MULTILINE)

#: Run on the xcb platform too: grabs the window from the X server and counts its colours.
GRAB = """
import sys
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
assert app.platformName() == "xcb", app.platformName()
image = app.primaryScreen().grabWindow(int(sys.argv[1], 16)).toImage()
step = max(1, image.width() // 64)
colours = {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}
print(image.width(), image.height(), len(colours))
"""


def _require(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-window test: {why}")
    pytest.skip(why)


def _xcb_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "xcb"  # the test process itself runs offscreen (Makefile, tests/conftest.py)
    return env


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)


def _desk_window(env: dict[str, str]) -> str | None:
    """The id of the main window once it is mapped with the desk open, or None."""
    env = {**env, "LC_ALL": "C.UTF-8"}  # in the C locale xwininfo prints no title it cannot convert
    found = DESK_TITLE.search(_run(["xwininfo", "-root", "-tree"], env).stdout)
    if found is None:
        return None
    wid = found.group(1)
    return wid if "Map State: IsViewable" in _run(["xwininfo", "-id", wid], env).stdout else None


def test_the_app_opens_its_window_on_xcb(tmp_path: Path) -> None:
    _require(bool(os.environ.get("DISPLAY")), "no X display (DISPLAY is not set): the real window not tried")
    _require(shutil.which("xwininfo") is not None, "xwininfo (x11-utils) is not installed")
    env = _xcb_env()
    log = tmp_path / "app.log"
    with log.open("w") as out:
        app = subprocess.Popen(
            [sys.executable, "main.py", "--demo", "--data-dir", str(tmp_path / "data")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wid = None
        deadline = time.monotonic() + START_TIMEOUT_S
        while wid is None and app.poll() is None and time.monotonic() < deadline:
            time.sleep(0.25)
            wid = _desk_window(env)
        assert app.poll() is None, f"the app exited with {app.returncode}:\n{log.read_text()}"
        assert wid is not None, f"no desk window after {START_TIMEOUT_S:.0f} s:\n{log.read_text()}"
        grab = _run([sys.executable, "-c", GRAB, wid], env)
        assert grab.returncode == 0, grab.stderr
        width, height, colours = map(int, grab.stdout.split())
        assert width >= 400 and height >= 300, grab.stdout
        assert colours >= 3, f"the window is blank ({colours} colour(s)): it did not paint"
        assert app.poll() is None, f"the app exited with {app.returncode}:\n{log.read_text()}"
    finally:
        app.terminate()
        try:
            app.wait(timeout=15)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
