"""Rate limits and lockout of the look-up page: guessing a dossier's secret must be infeasible.

The secret printed on the receipt is 4 characters from a 32-letter alphabet (``app.services.dossiers``):
32⁴ = 1,048,576 values (20 bits). Failed look-ups are counted under two keys, kept in the database
(table ``lookup_limits``) so that they hold across worker processes and restarts:

- ``code:<dossier code>`` — :data:`CODE_RULE`: 5 failures within 15 minutes lock the code for 15 minutes,
  and each further lockout without a success in between doubles (30 min, 1 h, 2 h … capped at 24 h).
- ``ip:<source address>`` — :data:`IP_RULE`: 20 failures within an hour lock the address for an hour,
  doubling the same way up to 24 h.

While a key is locked every look-up under it is refused, right secret or not (otherwise the lockout would
not slow guessing), and the page says so whether or not the code exists (the lockout reveals nothing).

Arithmetic, per dossier: after the first lockouts the code settles at 5 guesses per 24 h, 1,825 a year;
finding a given secret takes on average 2¹⁹ = 524,288 guesses, **about 287 years**. Every look-up, hit or
miss, is counted in one write transaction before the answer (the same work either way); the lock is
checked in an earlier read, so a burst of parallel requests can slip at most as many extra guesses past
a check as requests run at once (the thread pool, 8 per worker): 13 a day instead of 5 still means about
110 years. Sequential guesses get exactly 5. Per address:
at most 20 guesses a day once the cap is reached, whatever codes they aim at. What this does not stop: a
botnet of many addresses aiming at *any* of many dossiers (each address × 20 a day, each dossier × 5 a
day) finds some dossier's page now and then (10,000 addresses: ~0.2 a day); that page shows only what
the receipt's holder may see (status, dates, masked name: no ID number, address, phone or e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from server.db import Database
from server.models import LookupLimit

KEY_LEN = 200


@dataclass(frozen=True, slots=True)
class Rule:
    max_failures: int
    window: timedelta
    lockout: timedelta
    max_lockout: timedelta = timedelta(hours=24)

    def lockout_for(self, strikes: int) -> timedelta:
        """The lockout after ``strikes`` lockouts in a row (1 = the first)."""
        doubled: timedelta = self.lockout * (2 ** min(max(strikes - 1, 0), 16))
        return min(doubled, self.max_lockout)


CODE_RULE = Rule(5, timedelta(minutes=15), timedelta(minutes=15))
IP_RULE = Rule(20, timedelta(hours=1), timedelta(hours=1))


def code_key(code: str) -> str:
    return ("code:" + code)[:KEY_LEN]


def ip_key(address: str) -> str:
    return ("ip:" + address)[:KEY_LEN]


def locked_until(db: Database, keys: list[str], now: datetime) -> datetime | None:
    """The latest end of a lockout among ``keys`` still running at ``now``, else None."""
    with db.read() as s:
        ends = s.scalars(select(LookupLimit.locked_until).where(LookupLimit.key.in_(keys))).all()
    running = [e for e in ends if e is not None and e > now]
    return max(running) if running else None


def record(db: Database, rules: dict[str, Rule], now: datetime, *, success: bool) -> None:
    """Count one look-up under each key (``key -> rule``), in one write transaction whether it failed
    or not (a hit and a miss do the same work, so they take the same time).

    A failure adds one under every key, and a key over its rule's limit gets locked. A success resets
    only the dossier code's key (its lockouts start from the first again); an address is never reset: its
    owner's own dossier must not reset the count of his guesses at others."""
    with db.write() as s:
        for key, rule in rules.items():
            row = s.get(LookupLimit, key, with_for_update=True)
            if row is None:
                row = LookupLimit(key=key, failures=0, window_start=now, locked_until=None, strikes=0)
                s.add(row)
            if now - row.window_start > rule.window:
                row.window_start, row.failures = now, 0
            if success:
                if key.startswith("code:"):
                    row.failures, row.strikes = 0, 0
                continue
            row.failures += 1
            if row.failures >= rule.max_failures:
                row.strikes += 1
                row.locked_until = now + rule.lockout_for(row.strikes)
                row.window_start, row.failures = now, 0
