"""A fault-injecting TCP proxy on 127.0.0.1, for the sync fault tests and for trying the desk by hand.

It listens on 127.0.0.1 (a free port by default) in front of an upstream on 127.0.0.1 (the provincial
server of a test, or one started by hand) and, per HTTP request (or per TCP connection with ``--raw``),
does what its *plan* says:

=============== ========================================================================================
``pass``        forward the request and relay the whole answer
``drop``        close the client connection (FIN) without forwarding anything
``reset``       abort the client connection (RST: ``SO_LINGER`` 0) without forwarding anything
``delay``       wait ``delay`` seconds, then forward as ``pass``
``status``      answer a raw ``status`` (500, 502, 503 …) with an HTML body, as a broken gateway would,
                without forwarding (200 with HTML: a captive portal)
``drop_after``  forward (the server acts on the request), then close without answering
``reset_after`` forward, then abort with RST
``delay_after`` forward, then wait ``delay`` seconds before relaying the answer (the client may time out)
``status_after`` forward, then answer a raw ``status`` instead of the server's answer
``truncate``    forward, then relay only the first ``keep`` fraction of the answer and close
``restart``     simulate a server restart: abort every open connection and refuse new ones (the port is
                closed) for ``down`` seconds; the request that triggered it is aborted unanswered
=============== ========================================================================================

The ``*_after`` faults, ``truncate`` and ``restart`` are the "unknown outcome" cases: the server may have
stored a push whose answer never arrives, so the client must resend the same events.

HTTP mode forwards each request on its own upstream connection with ``Connection: close`` (the answer ends
where the server closes), and so serves one request per client connection. Raw mode (``--raw``) relays
bytes both ways and applies the plan once per connection (``truncate`` then keeps ``keep × 1024`` bytes of
the answer; the ``*_after`` faults act after the first answer bytes arrive).

Plans are callables ``plan(Request) -> Fault``: :class:`RandomFaults` (seeded: the same seed and the same
sequence of requests give the same faults), :class:`Scripted` (a fixed list, then ``pass``), or any
function. :meth:`FaultProxy.refuse`, :meth:`FaultProxy.heal` and :meth:`FaultProxy.restart` switch the
port off and on from outside (the port stays reserved by the proxy while it is off).

Only loopback addresses: the proxy refuses to listen on, or forward to, anything but 127.0.0.1.

By hand::

    python tools/faultproxy.py --upstream 8765 --seed 7 --drop 0.1 --reset 0.05 --truncate 0.1 \\
        --status 0.05 --restart 0.01 --down 5
    motcua-desk enrol --server http://127.0.0.1:PORT --code CODE   # PORT as printed
"""

from __future__ import annotations

import argparse
import contextlib
import random
import select
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType

__all__ = [
    "FAULT_KINDS",
    "PASS",
    "Fault",
    "FaultProxy",
    "RandomFaults",
    "Request",
    "Scripted",
]

LOOPBACK = "127.0.0.1"
FAULT_KINDS = (
    "pass",
    "drop",
    "reset",
    "delay",
    "status",
    "drop_after",
    "reset_after",
    "delay_after",
    "status_after",
    "truncate",
    "restart",
)
_REASONS = {
    200: "OK",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_MAX_HEAD = 64 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fault:
    """What to do with one request (or connection)."""

    kind: str = "pass"
    #: Seconds to wait (``delay``, ``delay_after``).
    delay: float = 0.0
    #: HTTP status of a raw answer (``status``, ``status_after``).
    status: int = 503
    #: Fraction of the answer relayed by ``truncate`` (at least one byte, never all of it).
    keep: float = 0.5
    #: Seconds the port stays closed after a ``restart``.
    down: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (known: {', '.join(FAULT_KINDS)})")


PASS = Fault()


@dataclass(frozen=True)
class Request:
    """What a plan is told about a request: its running number (from 1), method and path, and the number
    of the client connection it came on. In raw mode ``method`` and ``path`` are empty."""

    number: int
    method: str
    path: str
    connection: int


Plan = Callable[[Request], Fault]


class RandomFaults:
    """Faults drawn at random with fixed ``rates`` (kind → probability, summing to at most 1; the rest
    passes). Seeded: the same seed and the same sequence of requests give the same faults. ``paths``
    limits the faults to requests whose path starts with one of them (others pass, without drawing)."""

    def __init__(
        self,
        seed: int,
        rates: Mapping[str, float],
        *,
        delays: tuple[float, float] = (0.1, 1.0),
        statuses: Sequence[int] = (500, 502, 503),
        downs: tuple[float, float] = (0.1, 0.5),
        paths: Sequence[str] | None = None,
    ) -> None:
        for kind, rate in rates.items():
            Fault(kind)  # validates the kind
            if rate < 0:
                raise ValueError(f"negative rate for {kind}")
        if sum(rates.values()) > 1.0 + 1e-9:
            raise ValueError("fault rates add up to more than 1")
        self.rng = random.Random(seed)
        self.rates = dict(rates)
        self.delays = delays
        self.statuses = tuple(statuses)
        self.downs = downs
        self.paths = tuple(paths) if paths else None
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Fault:
        if self.paths is not None and not request.path.startswith(self.paths):
            return PASS
        with self._lock:
            x = self.rng.random()
            acc = 0.0
            for kind, rate in self.rates.items():
                acc += rate
                if x < acc:
                    return Fault(
                        kind,
                        delay=self.rng.uniform(*self.delays),
                        status=self.rng.choice(self.statuses),
                        keep=self.rng.uniform(0.0, 1.0),
                        down=self.rng.uniform(*self.downs),
                    )
        return PASS


class Scripted:
    """The given faults for the first requests, in order, then ``then`` (default: pass)."""

    def __init__(self, faults: Iterable[Fault | str], then: Fault = PASS) -> None:
        self.faults = [f if isinstance(f, Fault) else Fault(f) for f in faults]
        self.then = then
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Fault:
        with self._lock:
            return self.faults.pop(0) if self.faults else self.then


def always(fault: Fault | str) -> Plan:
    """A plan that applies the same fault to every request."""
    chosen = fault if isinstance(fault, Fault) else Fault(fault)
    return lambda _request: chosen


def first_on(path_suffix: str, fault: Fault, times: int = 1) -> Plan:
    """A plan that applies ``fault`` to the first ``times`` requests whose path ends with ``path_suffix``
    (e.g. ``"/sync/push"``) and lets everything else pass."""
    left = [times]

    def plan(request: Request) -> Fault:
        if request.path.endswith(path_suffix) and left[0] > 0:
            left[0] -= 1
            return fault
        return PASS

    return plan


def _check_loopback(host: str) -> str:
    if host not in (LOOPBACK, "localhost"):
        raise ValueError(f"faultproxy only works on {LOOPBACK}, not {host!r}")
    return LOOPBACK


def _reuse_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s


def _abort(sock: socket.socket) -> None:
    """Close with RST instead of FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _raw_status(status: int) -> bytes:
    reason = _REASONS.get(status, "Error")
    body = f"<html><body><h1>{status} {reason}</h1><p>faultproxy</p></body></html>\n".encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head + body


@dataclass
class _Stats:
    counts: Counter[str] = field(default_factory=Counter)
    log: list[tuple[int, str, str, str]] = field(default_factory=list)


class FaultProxy:
    """The proxy: ``FaultProxy(upstream_port, plan=...)``, then :meth:`start` (or ``with``), :attr:`url`."""

    def __init__(
        self,
        upstream_port: int,
        *,
        upstream_host: str = LOOPBACK,
        plan: Plan | None = None,
        raw: bool = False,
        port: int = 0,
        timeout: float = 60.0,
        verbose: bool = False,
    ) -> None:
        self.upstream = (_check_loopback(upstream_host), int(upstream_port))
        self.plan: Plan = plan or always(PASS)
        self.raw = raw
        self.timeout = timeout
        self.verbose = verbose
        # The port stays bound by this placeholder (never listening) for the proxy's whole life, so that it
        # can be closed ("connection refused") and opened again without another program taking it.
        self._hold = _reuse_socket()
        self._hold.bind((LOOPBACK, port))
        self.port: int = self._hold.getsockname()[1]
        self._listener: socket.socket | None = None
        self._want_listen = True
        self._reconciled = threading.Condition()
        self._generation = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._accept_thread: threading.Thread | None = None
        self._heal_timer: threading.Timer | None = None
        self._requests = 0
        self._connections = 0
        self.stats = _Stats()

    # -- lifecycle

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> FaultProxy:
        if self._accept_thread is None:
            self._accept_thread = threading.Thread(target=self._accept_loop, name="faultproxy", daemon=True)
            self._accept_thread.start()
            self._wait_reconciled()
        return self

    def stop(self) -> None:
        if self._heal_timer is not None:
            self._heal_timer.cancel()
        self._stop.set()
        if self._accept_thread is not None:
            self._accept_thread.join(10)
            self._accept_thread = None
        self.kill_connections()
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(10)
        with contextlib.suppress(OSError):
            self._hold.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- switching the port off and on

    def refuse(self) -> None:
        """Close the port: new connections are refused until :meth:`heal`. Open connections go on."""
        self._set_listening(False)

    def heal(self) -> None:
        """Open the port again (cancels a pending restart's timer)."""
        timer, self._heal_timer = self._heal_timer, None
        if timer is not None:
            timer.cancel()
        self._set_listening(True)

    def restart(self, down: float) -> None:
        """A server restart: abort every open connection and refuse new ones for ``down`` seconds."""
        self.refuse()
        self.kill_connections()
        if self._heal_timer is not None:
            self._heal_timer.cancel()
        self._heal_timer = threading.Timer(down, self._set_listening, args=(True,))
        self._heal_timer.daemon = True
        self._heal_timer.start()

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def kill_connections(self) -> None:
        """Abort (RST) every open connection, both client and upstream sides."""
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            # Not closed here (its thread owns the descriptor): make the next close send RST, and wake the
            # thread blocked on it.
            with contextlib.suppress(OSError):
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)

    def _set_listening(self, on: bool) -> None:
        with self._reconciled:
            self._want_listen = on
        if self._accept_thread is not None:
            self._wait_reconciled()

    def _wait_reconciled(self) -> None:
        with self._reconciled:
            self._reconciled.wait_for(
                lambda: self._stop.is_set() or (self._listener is not None) == self._want_listen, timeout=10
            )

    # -- accepting

    def _accept_loop(self) -> None:
        try:
            while not self._stop.is_set():
                with self._reconciled:
                    want = self._want_listen
                    if want and self._listener is None:
                        listener = _reuse_socket()
                        listener.bind((LOOPBACK, self.port))
                        listener.listen(128)
                        self._listener = listener
                        self._reconciled.notify_all()
                    elif not want and self._listener is not None:
                        self._listener.close()
                        self._listener = None
                        self._reconciled.notify_all()
                    listener_now = self._listener
                if listener_now is None:
                    self._stop.wait(0.02)
                    continue
                ready, _, _ = select.select([listener_now], [], [], 0.05)
                if not ready:
                    continue
                try:
                    conn, _addr = listener_now.accept()
                except OSError:
                    continue
                with self._lock:
                    self._connections += 1
                    number = self._connections
                    self._conns.add(conn)
                t = threading.Thread(target=self._serve, args=(conn, number), name=f"faultproxy-{number}")
                t.daemon = True
                with self._lock:
                    self._threads.add(t)
                t.start()
        finally:
            with self._reconciled:
                if self._listener is not None:
                    self._listener.close()
                    self._listener = None
                self._reconciled.notify_all()

    # -- serving one connection

    def _serve(self, client: socket.socket, number: int) -> None:
        client.settimeout(self.timeout)
        try:
            if self.raw:
                self._serve_raw(client, number)
            else:
                self._serve_http(client, number)
        except OSError:
            pass
        finally:
            with self._lock:
                self._conns.discard(client)
                self._threads.discard(threading.current_thread())
            with contextlib.suppress(OSError):
                client.close()

    def _decide(self, method: str, path: str, connection: int) -> Fault:
        with self._lock:
            self._requests += 1
            req = Request(self._requests, method, path, connection)
        fault = self.plan(req)
        with self._lock:
            self.stats.counts[fault.kind] += 1
            self.stats.log.append((req.number, method, path, fault.kind))
        if self.verbose:
            print(f"faultproxy: #{req.number} {method} {path} -> {fault}", file=sys.stderr, flush=True)
        return fault

    def _upstream(self) -> socket.socket | None:
        try:
            up = socket.create_connection(self.upstream, timeout=self.timeout)
        except OSError:
            return None
        with self._lock:
            self._conns.add(up)
        return up

    def _release(self, up: socket.socket) -> None:
        with self._lock:
            self._conns.discard(up)
        with contextlib.suppress(OSError):
            up.close()

    def _before(self, client: socket.socket, fault: Fault) -> bool:
        """Apply a fault that acts before forwarding; False when the connection is finished with."""
        if fault.kind == "drop":
            client.close()
            return False
        if fault.kind == "reset":
            _abort(client)
            return False
        if fault.kind == "status":
            client.sendall(_raw_status(fault.status))
            return False
        if fault.kind == "restart":
            self.restart(fault.down)
            _abort(client)
            return False
        if fault.kind == "delay":
            self._stop.wait(fault.delay)
        return True

    def _serve_http(self, client: socket.socket, number: int) -> None:
        request = _read_request(client)
        if request is None:
            return
        head, body, method, path = request
        fault = self._decide(method, path, number)
        if not self._before(client, fault):
            return
        up = self._upstream()
        if up is None:  # like a reverse proxy whose upstream is down
            client.sendall(_raw_status(502))
            return
        try:
            up.sendall(_with_connection_close(head) + body)
            answer = _read_all(up)
        finally:
            self._release(up)
        if fault.kind == "drop_after":
            client.close()
        elif fault.kind == "reset_after":
            _abort(client)
        elif fault.kind == "status_after":
            client.sendall(_raw_status(fault.status))
        elif fault.kind == "truncate":
            cut = min(max(1, int(len(answer) * fault.keep)), max(1, len(answer) - 1))
            client.sendall(answer[:cut])
        else:
            if fault.kind == "delay_after":
                self._stop.wait(fault.delay)
            client.sendall(answer)

    def _serve_raw(self, client: socket.socket, number: int) -> None:
        fault = self._decide("", "", number)
        if not self._before(client, fault):
            return
        up = self._upstream()
        if up is None:
            _abort(client)
            return
        try:
            self._relay(client, up, fault)
        finally:
            self._release(up)

    def _relay(self, client: socket.socket, up: socket.socket, fault: Fault) -> None:
        budget = max(1, int(fault.keep * 1024)) if fault.kind == "truncate" else None
        open_ends = {client, up}
        while open_ends and not self._stop.is_set():
            ready, _, _ = select.select(list(open_ends), [], [], self.timeout)
            if not ready:
                return
            for src in ready:
                dst = up if src is client else client
                data = src.recv(_CHUNK)
                if not data:
                    open_ends.discard(src)
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)
                    continue
                if src is up and fault.kind in ("drop_after", "reset_after", "status_after"):
                    if fault.kind == "reset_after":
                        _abort(client)
                    elif fault.kind == "status_after":
                        client.sendall(_raw_status(fault.status))
                    return
                if src is up and budget is not None:
                    data = data[:budget]
                    budget -= len(data)
                    client.sendall(data)
                    if budget <= 0:
                        return
                    continue
                if src is up and fault.kind == "delay_after":
                    self._stop.wait(fault.delay)
                    fault = replace(fault, kind="pass")
                dst.sendall(data)


# --- HTTP/1.1 framing (just enough for a proxy) -------------------------------------------------------


def _read_request(sock: socket.socket) -> tuple[bytes, bytes, str, str] | None:
    """(head with its blank line, body, method, path) of the next request, or None at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(_CHUNK)
        if not chunk:
            return None
        data += chunk
        if len(data) > _MAX_HEAD:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].decode("latin-1").split(" ")
    method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or b"0")
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            raise OSError("chunked request bodies are not supported by faultproxy")
    body = rest
    while len(body) < length:
        chunk = sock.recv(min(_CHUNK, length - len(body)))
        if not chunk:
            return None
        body += chunk
    return head + b"\r\n\r\n", body[:length], method, path


def _with_connection_close(head: bytes) -> bytes:
    lines = head.rstrip(b"\r\n").split(b"\r\n")
    kept = [
        line
        for line in lines[1:]
        if line.partition(b":")[0].strip().lower() not in (b"connection", b"keep-alive")
    ]
    return b"\r\n".join([lines[0], *kept, b"Connection: close"]) + b"\r\n\r\n"


def _read_all(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        try:
            chunk = sock.recv(_CHUNK)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


# --- command line -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="faultproxy",
        description="A fault-injecting TCP proxy on 127.0.0.1 in front of a server on 127.0.0.1.",
    )
    p.add_argument("--upstream", type=int, required=True, help="upstream port on 127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random faults")
    p.add_argument("--raw", action="store_true", help="faults per TCP connection, not per HTTP request")
    p.add_argument("--paths", nargs="*", help="only requests whose path starts with one of these")
    for kind in FAULT_KINDS[1:]:
        p.add_argument(f"--{kind.replace('_', '-')}", type=float, default=0.0, metavar="RATE")
    p.add_argument("--delays", type=float, nargs=2, default=(0.5, 3.0), metavar=("MIN", "MAX"))
    p.add_argument("--down", type=float, default=5.0, help="seconds a restart keeps the port closed")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    rates = {kind: getattr(args, kind) for kind in FAULT_KINDS[1:] if getattr(args, kind)}
    plan = RandomFaults(
        args.seed, rates, delays=tuple(args.delays), downs=(args.down, args.down), paths=args.paths
    )
    proxy = FaultProxy(args.upstream, plan=plan, raw=args.raw, port=args.port, verbose=not args.quiet)
    proxy.start()
    print(
        f"faultproxy: {proxy.url} -> http://{LOOPBACK}:{args.upstream} (seed {args.seed}, "
        f"{', '.join(f'{k} {v:g}' for k, v in rates.items()) or 'no faults'}); Ctrl-C to stop",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
        print(f"faultproxy: {dict(proxy.stats.counts)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
