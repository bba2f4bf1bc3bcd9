"""What autogenerate and the no-drift test compare: everything but the hand-made FTS5 index."""

from __future__ import annotations

from app.models.entities import UNMAPPED_TABLE_PREFIXES


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(UNMAPPED_TABLE_PREFIXES))
