"""Thin entry point: ``python main.py [--data-dir D] [--demo] [--lang vi|en] [COMMAND …]``."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
