"""Rate limits and lockouts of operator log-in and device enrolment (issue 16, item 6: D11–D14), and the
bounded pool that runs the slow password hash off the event loop.

Limits (per server process; with ``serve --workers N`` each worker counts on its own, so a client gets
at most N times these):

- **Attempts** per key in a sliding window: log-in per device (:data:`LOGIN_PER_DEVICE`) and per source
  address (:data:`LOGIN_PER_SOURCE`); enrolment per source address (:data:`ENROL_PER_SOURCE`).
- **Lockout** after consecutive failures: :data:`LOGIN_FAILURES` wrong passwords for one account through
  one device, or :data:`ENROL_FAILURES` wrong enrolment codes from one address, lock that key for
  :data:`LOCKOUT` (a success clears the count).

Beyond a limit the answer is 429 with ``Retry-After`` (seconds) and a reason in Vietnamese and English,
before any password is hashed: a flood costs the server a dictionary lookup per request.

Hashing pool. Verifying an Argon2id hash takes tens of milliseconds of CPU. The log-in endpoint is
``async`` and runs the verification in :data:`HASH_POOL` (its own threads, not the endpoints' pool), and at
most :data:`HASHES_PER_CENTRE` of them at a time for one centre: a log-in flood from one centre queues
behind its own limiter and cannot take the threads that serve another centre's push.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import anyio

from app.domain.errors import Problem
from server.errors import ApiError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Limit:
    attempts: int
    per_seconds: float


#: Environment variables raising the per-address limits (per minute) for a network where many workstations
#: share one address (a NAT); the load benchmark, whose simulated desks all come from 127.0.0.1, too.
LOGIN_PER_MINUTE_ENV = "MOTCUA_LOGIN_PER_MINUTE"
ENROL_PER_MINUTE_ENV = "MOTCUA_ENROL_PER_MINUTE"
LOGIN_PER_DEVICE = Limit(20, 60)
LOGIN_PER_SOURCE = Limit(int(os.environ.get(LOGIN_PER_MINUTE_ENV) or 60), 60)
ENROL_PER_SOURCE = Limit(int(os.environ.get(ENROL_PER_MINUTE_ENV) or 10), 60)
LOGIN_FAILURES = 5
ENROL_FAILURES = 10
LOCKOUT = 15 * 60.0
#: Keys remembered at most per table (the oldest forgotten first): bounds memory under a spoofing flood.
MAX_KEYS = 100_000


class Throttle:
    """Sliding-window attempt counts and failure lockouts, keyed by strings; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._attempts: dict[str, deque[float]] = {}
        self._failures: dict[str, int] = {}
        self._locked: dict[str, float] = {}

    def hit(self, key: str, limit: Limit) -> float | None:
        """Count an attempt of ``key``; the seconds to wait if it is over ``limit`` or locked out."""
        now = self.clock()
        with self._lock:
            until = self._locked.get(key)
            if until is not None:
                if until > now:
                    return until - now
                del self._locked[key]
            q = self._attempts.get(key)
            if q is None:
                if len(self._attempts) >= MAX_KEYS:
                    self._attempts.pop(next(iter(self._attempts)))
                q = self._attempts[key] = deque()
            while q and q[0] <= now - limit.per_seconds:
                q.popleft()
            if len(q) >= limit.attempts:
                return q[0] + limit.per_seconds - now
            q.append(now)
            return None

    def locked(self, key: str) -> float | None:
        """The seconds ``key`` stays locked out, if it is."""
        now = self.clock()
        with self._lock:
            until = self._locked.get(key)
            return until - now if until is not None and until > now else None

    def failed(self, key: str, threshold: int, lockout: float = LOCKOUT) -> bool:
        """Count a failure of ``key``; True when this one locks it out."""
        with self._lock:
            n = self._failures.get(key, 0) + 1
            if n >= threshold:
                self._failures.pop(key, None)
                if len(self._locked) >= MAX_KEYS:
                    self._locked.pop(next(iter(self._locked)))
                self._locked[key] = self.clock() + lockout
                return True
            if len(self._failures) >= MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))
            self._failures[key] = n
            return False

    def reset(self) -> None:
        """Forget every count and lockout (tests)."""
        with self._lock:
            self._attempts.clear()
            self._failures.clear()
            self._locked.clear()

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def too_many(wait: float, what_vi: str, what_en: str) -> ApiError:
    seconds = max(1, math.ceil(wait))
    minutes = max(1, math.ceil(seconds / 60))
    return ApiError(
        429,
        Problem(
            "auth.throttled",
            f"Quá nhiều lần {what_vi}: hãy thử lại sau khoảng {minutes} phút.",
            f"Too many {what_en}: try again in about {minutes} minute(s).",
        ),
        {"Retry-After": str(seconds)},
    )


#: Threads that run password hashes (shared by every centre, each centre bounded below).
HASH_THREADS = 4
HASHES_PER_CENTRE = 2
HASH_POOL = ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="motcua-hash")
#: (event loop, centre id) → the centre's limiter (a limiter belongs to one event loop).
_centre_limits: dict[tuple[int, int], anyio.CapacityLimiter] = {}


async def run_hash(centre_id: int, fn: Callable[[], T]) -> T:
    """Run ``fn`` (a password hash or verification) in :data:`HASH_POOL`, at most
    :data:`HASHES_PER_CENTRE` at a time for the centre."""
    key = (id(asyncio.get_running_loop()), centre_id)
    limiter = _centre_limits.get(key)
    if limiter is None:
        limiter = _centre_limits.setdefault(key, anyio.CapacityLimiter(HASHES_PER_CENTRE))
    async with limiter:
        return await asyncio.wrap_future(HASH_POOL.submit(fn))
