# Một Cửa Desk — set-up and everyday commands. `make run` and `make test` do all the set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
export QT_QPA_PLATFORM ?= offscreen

# System libraries Qt needs on a bare Debian/Ubuntu before pip (see ../shared/stack-notes.md), and the PDF
# tools, and Chromium with its WebDriver for the citizen pages' browser tests (tests/server/test_citizen_browser.py).
# The libraries of Qt's xcb plugin (the real window) are not listed here: once pip has installed
# PySide6, tools/xcbdeps.sh derives them from what the plugin links (ldd) and installs them.
# Citizen pages in a real browser (issue 22): chromium and its driver. Digitising (issue 19): Tesseract and its Vietnamese model (OCR through ocrmypdf), SANE's tools and test
# backend (scanimage, python-sane), and what pip needs to build python-sane (no wheel on PyPI): its SANE
# headers, a C compiler and Python's headers.
APT_PACKAGES := libgl1 libegl1 libxkbcommon0 libglib2.0-0 libdbus-1-3 libfontconfig1 poppler-utils \
	chromium chromium-driver \
	tesseract-ocr tesseract-ocr-vie sane-utils libsane-dev gcc libc6-dev python3-dev

.PHONY: run test sysdeps xcbdeps venv lint translations screenshots forms bench soak clean help

help:
	@echo "make run    - set up .venv and start the app on the demo centre"
	@echo "make test   - set up .venv with test extras and run the whole suite offscreen"
	@echo "make soak   - fault harness, long: 500 crash runs, 1000 examples/property, new seed"
	@echo "make lint | translations | screenshots | forms | bench | xcbdeps | clean"

sysdeps:
	@bash tools/sysdeps.sh $(APT_PACKAGES)

# What the set-up would install for Qt's xcb plugin, derived from the PySide6 in .venv (installs nothing).
xcbdeps: $(STAMP)
	@bash tools/xcbdeps.sh --dry-run $(PY)

$(STAMP): pyproject.toml tools/xcbdeps.sh
	@$(MAKE) --no-print-directory sysdeps
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@# Qt is pinned to 6.11.3 with QtPdf from PySide6-Addons (see pyproject.toml): drop a 6.12 PySide6-Pdf
	@# an older checkout installed, whose files the Addons package also ships.
	$(PIP) uninstall --quiet --yes PySide6-Pdf 2>/dev/null || true
	$(PIP) install --quiet -e .
	@bash tools/xcbdeps.sh $(PY)
	@touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	env -u QT_QPA_PLATFORM $(PY) main.py --demo

test: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture
	$(VENV)/bin/pytest

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check app server tests tools bench main.py

translations: $(STAMP)
	$(PY) tools/i18n.py update

screenshots: $(TEST_STAMP)
	$(PY) tools/screenshots.py

forms: $(TEST_STAMP)
	$(PY) tools/render_forms.py

soak: $(TEST_STAMP)
	$(PY) tools/soak.py
	MOTCUA_PORTAL_SEQUENCES=10000 $(PY) -m pytest tests/server/test_portal_connector.py -k random -q -s -p no:cacheprovider

bench: $(TEST_STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
