"""The server's HTTP protocol turns Nagle's algorithm off on each connection (uvicorn's multi-worker
socket would otherwise leave it on and add ~40 ms to every response)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from server.http import PROTOCOL, NoDelayH11Protocol


class _Transport(asyncio.Transport):
    """Just enough of a transport for ``connection_made``: the accepted socket, never written to."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "socket":
            return self.sock
        if name == "peername":
            return self.sock.getpeername()
        if name == "sockname":
            return self.sock.getsockname()
        return default

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


async def _app(scope: Any, receive: Any, send: Any) -> None:  # never called
    raise AssertionError


@pytest.fixture
def accepted() -> Iterator[socket.socket]:
    """A TCP connection accepted on 127.0.0.1 from a listening socket made with proto=0, as uvicorn's
    multi-worker mode makes it: Nagle's algorithm on."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    try:
        yield conn
    finally:
        for s in (conn, client, listener):
            s.close()


def test_connection_made_sets_tcp_nodelay(accepted: socket.socket) -> None:
    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
    config = Config(_app, http=PROTOCOL)
    config.load()
    assert config.http_protocol_class is NoDelayH11Protocol
    loop = asyncio.new_event_loop()
    try:
        state = ServerState()
        protocol = NoDelayH11Protocol(config, state, {}, _loop=loop)
        protocol.connection_made(_Transport(accepted))
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert protocol in state.connections  # and uvicorn's own set-up still ran
        assert protocol.client == accepted.getpeername()
        protocol.connection_lost(None)
    finally:
        loop.close()


def test_a_socket_without_tcp_is_left_alone() -> None:
    a, b = socket.socketpair()  # AF_UNIX: no TCP_NODELAY to set
    try:
        config = Config(_app, http=PROTOCOL)
        config.load()
        loop = asyncio.new_event_loop()
        try:
            protocol = NoDelayH11Protocol(config, ServerState(), {}, _loop=loop)
            protocol.connection_made(_Transport(a))
            protocol.connection_lost(None)
        finally:
            loop.close()
    finally:
        a.close()
        b.close()
