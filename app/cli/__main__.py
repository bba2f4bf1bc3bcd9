"""``python -m app.cli [--data-dir D] [--demo] [--lang vi|en] COMMAND …``: the command line alone."""

import sys

from app.cli.main import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
