"""Half-filled forms kept in the ``settings`` table so they survive a screen change, a log-out or a crash.

A draft is a small JSON object under a key starting with ``draft.`` (e.g. ``draft.intake``). The
intake screen saves it on every change (debounced), restores it at start and clears it after saving.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.errors import DomainError, Problem
from app.models import Setting
from app.models.db import Store
from app.services.reference import get_setting, set_setting

PREFIX = "draft."
INTAKE = "draft.intake"


def _check(key: str) -> None:
    if not key.startswith(PREFIX) or len(key) > 100:
        raise DomainError(
            Problem("draft.key", f"Khóa bản nháp «{key}» không hợp lệ.", f"Invalid draft key {key!r}.")
        )


def save_draft(store: Store, key: str, data: dict[str, Any], *, now: datetime | None = None) -> None:
    """Store ``data`` (JSON-serialisable) as the draft ``key``, replacing any earlier one."""
    _check(key)
    value = {"saved_at": (now or datetime.now()).isoformat(timespec="seconds"), "data": data}
    with store.write() as s:
        set_setting(s, key, value)


def load_draft(store: Store, key: str) -> dict[str, Any] | None:
    """The draft ``key``, or ``None`` if there is none."""
    _check(key)
    with store.read() as s:
        value = get_setting(s, key)
    if not isinstance(value, dict) or not isinstance(value.get("data"), dict):
        return None
    return dict(value["data"])


def clear_draft(store: Store, key: str) -> None:
    _check(key)
    with store.write() as s:
        row = s.get(Setting, key)
        if row is not None:
            s.delete(row)
