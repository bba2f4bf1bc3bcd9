"""Operator passwords: slow salted hashes, never the password.

New hashes are Argon2id (``argon2-cffi``) with OWASP's second recommended setting (19 MiB, 2 passes,
parallelism 1: Password Storage Cheat Sheet). Hashes made before (``scrypt$n$r$p$salt$digest``, scrypt with
n=2**14 from the standard library) still verify; :func:`needs_rehash` says when a stored hash should be
replaced (the server does it at the next successful log-in). The desk verifies offline with the hash the
server returned at the last online log-in, of either kind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1
_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)
_SCRYPT = "scrypt"


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``)."""
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (Argon2id, or a legacy scrypt hash); False for garbage."""
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return _verify_scrypt(password, stored)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` is weaker than what :func:`hash_password` makes now (legacy scrypt, or older
    Argon2 parameters)."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        prefix, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if prefix != _SCRYPT:
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)
