"""ASGI middleware: a request body size limit (independent of the FastAPI version)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.errors import Problem
from server.errors import error_body

#: Largest request body accepted (a push of 500 events with their snapshots is well under this).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: How much of an oversized body is read and dropped before answering 413 (then the connection closes).
DRAIN_LIMIT = 64 * 1024 * 1024


class BodyLimit:
    """Read the whole request body up to ``max_bytes`` before the app sees it; 413 beyond."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    await self._drain(receive)
                    await self._too_large(send)
                    return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.max_bytes:
                if message.get("more_body", False):
                    await self._drain(receive)
                await self._too_large(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _drain(self, receive: Receive) -> None:
        """Read and drop the rest of the body (up to a bound), so the client gets to read our answer."""
        dropped = 0
        while dropped <= DRAIN_LIMIT:
            message = await receive()
            if message["type"] != "http.request":
                return
            dropped += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    async def _too_large(self, send: Send) -> None:
        limit_mib = self.max_bytes // (1024 * 1024)
        problem = Problem(
            "request.too_large",
            f"Dữ liệu gửi lên quá lớn (tối đa {limit_mib} MiB): hãy gửi thành nhiều lần nhỏ hơn.",
            f"The request is too large (at most {limit_mib} MiB): send it in smaller parts.",
        )
        body = json.dumps(error_body(problem), ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
