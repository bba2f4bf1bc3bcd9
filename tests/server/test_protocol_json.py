"""The JSON-value check of the sync protocol (``app.contract._check_json``, run on every event payload
pushed and every change pulled; it gathers the strings in one walk and scans them at once) against a
naive check of every string and every level: the same verdict for any value, including texts with NUL,
lone surrogates, backslashes, quotes and brackets, keys as well as values, and any depth."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.contract import _check_json

TEXT = st.text(
    st.sampled_from(["a", "ư", '"', "\\", "[", "]", "{", "}", "u", "0", "\x00", "\ud800", "\udfff", " "]),
    max_size=8,
)
SCALAR = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | TEXT
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)


def too_deep(value: Any, depth: int = 0) -> bool:
    """A non-empty container 32 levels below the top (an empty one there is still allowed)."""
    if isinstance(value, dict | list) and value and depth >= 32:
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(too_deep(v, depth + 1) for v in items)


def texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (k, *texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


def oracle(value: Any) -> bool:
    clean = all("\x00" not in t and not any("\ud800" <= c <= "\udfff" for c in t) for t in texts(value))
    return clean and not too_deep(value)


def verdict(value: Any) -> bool:
    try:
        _check_json(value)
    except ValueError:
        return False
    return True


@given(VALUE, st.integers(0, 40))
def test_same_verdict_as_a_walk(value: Any, wrap: int) -> None:
    for i in range(wrap):
        value = {"k": value} if i % 2 else [value]
    value = {"payload": value}
    assert verdict(value) == oracle(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ({"a": "b\\u0000c"}, True),  # a backslash, then "u0000": text, not a NUL
        ({"a": "\\\x00"}, False),
        ({"k\x00": 1}, False),
        ({"a": ["x\udc00"]}, False),
        ({"a": 'x"y\\"z[{'}, True),
    ],
)
def test_examples(value: dict[str, Any], ok: bool) -> None:
    assert verdict(value) is ok
