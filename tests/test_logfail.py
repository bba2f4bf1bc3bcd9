"""The fail-on-logging fixture of tests/conftest.py fails an undeclared warning and lets a declared one
pass (run in a child pytest so the failing case can be observed)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

BODY = """
import logging
import pytest

log = logging.getLogger("app.demo")

def test_undeclared():
    log.warning("disk nearly full")

@pytest.mark.expect_log("app", "WARNING", "nearly")
def test_declared_marker():
    log.warning("disk nearly full")

def test_declared_fixture(expect_log):
    expect_log("app.demo", "ERROR")
    log.error("boom")

@pytest.mark.expect_log("app.demo", "ERROR")
def test_level_too_low_is_not_covered():
    log.warning("only a warning")

def test_info_is_fine():
    log.info("hello")

def test_other_thread():
    import threading
    t = threading.Thread(target=lambda: logging.getLogger("server.x").error("from a thread"))
    t.start()
    t.join()
"""


def test_fail_on_logging(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    # The copied conftest imports the checkout's modules (tools.memory_keyring, app…): the child pytest runs
    # in a temporary folder, so it needs the checkout on its path.
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(keyed=(Path(__file__).parent / "keyed.py").read_text())  # the conftest imports it
    pytester.makepyfile(test_demo=BODY)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(["*WARNING app.demo: disk nearly full*", "*ERROR server.x: from a thread*"])
