"""The outermost guard of the API: a bug answers 500 with a fixed message (never a traceback), and a flood
of one identical error does not flood the log.

:class:`CatchAll` sits inside Starlette's ``ServerErrorMiddleware`` and catches every exception the app
lets through: it answers ``server.error`` (if the answer has not started) and logs the exception itself,
so ``ServerErrorMiddleware`` never sees it and never re-raises it to uvicorn (which would log
"Exception in ASGI application" with the whole stack a second time and drop the connection).

:class:`Deduplicate` is a logging filter: the first record of a kind (logger, level, message template,
exception type and the line that raised it) passes; the same kind again within :data:`WINDOW` seconds is
only counted, and the first record after the window passes with the count of those left out. A client
hammering one failing request therefore costs one log record per minute, not one traceback per request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.errors import Problem
from server.errors import error_body

log = logging.getLogger(__name__)

#: Seconds during which records of one kind after the first are only counted.
WINDOW = 60.0
#: Kinds remembered at most (the oldest are forgotten first): bounds the filter's memory.
MAX_KINDS = 1000


def _kind(record: logging.LogRecord) -> tuple[Any, ...]:
    where: tuple[str, int] | None = None
    exc_type: str | None = None
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        exc_type = type(exc).__name__
        frames = traceback.extract_tb(exc.__traceback__)
        if frames:
            where = (frames[-1].filename, frames[-1].lineno or 0)
    return (record.name, record.levelno, str(record.msg), exc_type, where)


class Deduplicate(logging.Filter):
    """Let the first record of a kind through, count its repeats for :data:`WINDOW` seconds."""

    def __init__(self, window: float = WINDOW, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        #: kind → (when it last passed, repeats left out since)
        self._seen: dict[tuple[Any, ...], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = _kind(record)
        now = self.clock()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[0] < self.window:
                self._seen[key] = (seen[0], seen[1] + 1)
                return False
            self._seen.pop(key, None)
            if len(self._seen) >= MAX_KINDS:
                self._seen.pop(next(iter(self._seen)))
            self._seen[key] = (now, 0)
        left_out = seen[1] if seen is not None else 0
        if left_out and isinstance(record.args, tuple):
            record.msg = f"{record.msg} (and %d more like it in the last %d s, not logged)"
            record.args = (*record.args, left_out, round(self.window))
        return True


#: The filter of the server's loggers that report request errors (one instance: one memory of kinds).
DEDUPLICATE = Deduplicate()


def deduplicate(logger: logging.Logger) -> logging.Logger:
    """Attach :data:`DEDUPLICATE` to ``logger`` (once) and return it."""
    if DEDUPLICATE not in logger.filters:
        logger.addFilter(DEDUPLICATE)
    return logger


deduplicate(log)

_BUG = Problem(
    "server.error",
    "Máy chủ gặp lỗi không mong đợi: báo bộ phận kỹ thuật (chi tiết trong nhật ký máy chủ).",
    "The server hit an unexpected error: tell IT support (details in the server log).",
)


class CatchAll:
    """Answer 500 ``server.error`` for any exception the app lets through, and log it (deduplicated)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            log.error("unexpected error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
            if started:
                return  # the answer is under way: nothing more can be said to this client
            body = json.dumps(error_body(_BUG), ensure_ascii=False).encode("utf-8")
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
