"""The long steps of opening the store, on stderr (issue 16, item 10: the first start after an upgrade).

One line when a step starts (what :data:`app.domain.progress.LABELS` says, in the reader's language), on
any stderr: a step happens once after an upgrade, and a log of a scheduled ``motcua-desk db backup`` should
say why that run took a minute. Percentages only when stderr is a terminal, at most every
:data:`EVERY_S` seconds: a log or a pipe gets no stream of numbers. Nothing at all on an everyday start
(no step reported). Standard output stays the command's own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from app.domain.i18n import pick
from app.domain.progress import LABELS, Step, percent

#: Least time between two percentage lines of one step on a terminal.
EVERY_S = 3.0


class StderrProgress:
    """A :data:`app.domain.progress.Progress` callback printing to ``err``."""

    def __init__(self, err: TextIO, lang: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._err = err
        self._lang = lang
        self._clock = clock
        self._step: Step | None = None
        self._last = 0.0
        isatty = getattr(err, "isatty", None)
        self._tty = bool(isatty and isatty())

    def __call__(self, step: Step, done: int, total: int) -> None:
        now = self._clock()
        if step != self._step:
            self._step, self._last = step, now
            vi, en = LABELS[step]
            print(pick(self._lang, vi, en), file=self._err, flush=True)
            return
        share = percent(done, total)
        if self._tty and share is not None and share < 100 and now - self._last >= EVERY_S:
            self._last = now
            print(f"  … {share}%", file=self._err, flush=True)
