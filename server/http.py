"""The HTTP protocol the server runs under uvicorn: h11, with ``TCP_NODELAY`` on every connection.

asyncio sets ``TCP_NODELAY`` on an accepted connection only when the listening socket was made with
``proto=IPPROTO_TCP``; uvicorn's multi-worker mode (``serve --workers N``) binds it with ``proto=0``, so
Nagle's algorithm met the client's delayed ACK and added ~40 ms to every response. Named to uvicorn as
``http=`` by its import string (:data:`PROTOCOL`), which each worker process imports.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Final

from uvicorn.protocols.http.h11_impl import H11Protocol

#: The import string given to ``uvicorn.run(http=...)``.
PROTOCOL: Final = "server.http:NoDelayH11Protocol"


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on the transport's TCP socket (anything else is left alone)."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    with contextlib.suppress(OSError):  # e.g. a connection already reset by the peer
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with ``TCP_NODELAY`` set as each connection is made."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)
