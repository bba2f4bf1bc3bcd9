"""Canonical JSON: the one text form of a JSON value that is stored, compared and hashed.

Compact separators, keys sorted, non-ASCII characters written as they are (UTF-8, not ``\\uXXXX``
escapes). The desk's ``JSONText`` columns, the audit chain's hashes and the server's stored events,
snapshots and changes (whose SHA-256 makes a push idempotent) all use this exact form: changing it
changes every hash, so it must stay byte-for-byte what it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def _encoder(default: Callable[[Any], Any] | None) -> json.JSONEncoder:
    return json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=default)


# ``json.dumps`` with any option builds a new encoder on every call, which costs more than encoding the
# small values of the hot paths; ``encode`` of one built once gives the very same text.
_ENCODERS: dict[Callable[[Any], Any] | None, json.JSONEncoder] = {None: _encoder(None), str: _encoder(str)}


def canonical_json(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """``value`` as canonical JSON text; ``default`` converts what JSON cannot hold (as in ``json.dumps``,
    ``None``: raise ``TypeError``)."""
    encoder = _ENCODERS.get(default)
    if encoder is None:
        encoder = _encoder(default)
    return encoder.encode(value)
