"""Thin entry point: ``python main.py [--data-dir D] [--demo] [--lang vi|en] [COMMAND …]`` (see
:mod:`app.launch`, also the ``motcua-desk`` script)."""

import sys

from app.launch import main

if __name__ == "__main__":
    sys.exit(main())
