"""The counter's hot path takes shortcuts (issue 16, Performance): each must give exactly what the plain
form gives."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import validation as v
from app.domain.address import AddressIndex, NewUnit, Province
from app.domain.canonical import canonical_json


def _plain_bad_control(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cs"} and not ch.isspace()


def test_control_class_is_exactly_the_per_character_rule() -> None:
    every = [chr(c) for c in range(0x110000)]
    assert [ch for ch in every if v._BAD_CONTROL.search(ch)] == [ch for ch in every if _plain_bad_control(ch)]


def test_typographic_classes_are_exactly_the_translation_tables() -> None:
    every = [chr(c) for c in range(0x110000)]
    assert {ch for ch in every if v._HAS_INVISIBLE.search(ch)} == set(map(chr, v._INVISIBLE))
    tables = set(map(chr, v._APOSTROPHES)) | set(map(chr, v._HYPHENS))
    assert {ch for ch in every if v._HAS_TYPOGRAPHIC.search(ch)} == tables


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\x00\x07\t\n\u200b\u2019\u2013\x85")))
def test_validators_refuse_and_normalise_as_before(text: str) -> None:
    assert v._bad_controls(text) == [ch for ch in text if _plain_bad_control(ch)]
    expected = v.nfc(text).translate(v._INVISIBLE)
    assert v._prepare(text) == expected
    name = v.validate_name(text, required=False)
    if name.ok:
        plain = v._SPACES.sub(" ", expected.translate(v._APOSTROPHES).translate(v._HYPHENS)).strip()
        assert name.value == plain


def test_name_with_typographic_marks_is_still_normalised() -> None:
    assert v.validate_name("H\u2019Hen Ni\u00ea\u2013Ksor").value == "H'Hen Niê-Ksor"
    assert v.validate_name("An\u200bh").value == "Anh"


VALUES: list[Any] = [
    {},
    {"b": 1, "a": [1, 2.5, None, True], "ư": "Nguyễn Văn A"},
    ["x", {"z": {"y": "ạ"}}],
    "chuỗi",
    3,
]


def test_canonical_json_is_the_documented_text() -> None:
    for value in VALUES:
        plain = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert canonical_json(value) == plain
    at = {"at": datetime(2026, 1, 2, 3, 4, 5), "d": date(2026, 1, 2)}
    assert canonical_json(at, default=str) == '{"at":"2026-01-02 03:04:05","d":"2026-01-02"}'
    iso = '{"at":"2026-01-02T03:04:05","d":"2026-01-02"}'
    assert canonical_json(at, default=lambda o: o.isoformat()) == iso


def _index() -> AddressIndex:
    return AddressIndex.build(
        [NewUnit("10300", "Phường Bắc Giang", "phuong", "24")],
        [],
        [Province("24", "Tỉnh Bắc Ninh")],
    )


def test_address_answers_are_remembered_per_index_and_bounded() -> None:
    index = _index()
    first = index.match("Số 5, Phường Bắc Giang, Tỉnh Bắc Ninh")
    assert first is not None and first.code == "10300" and first.street == "Số 5"
    assert index.match("Số 5, Phường Bắc Giang, Tỉnh Bắc Ninh") is first
    assert index.match("Tỉnh Khác") is None and index.match("Tỉnh Khác") is None
    # the same answer as a fresh index that has never seen the address
    assert _index().match("Số 5, Phường Bắc Giang, Tỉnh Bắc Ninh") == first
    for i in range(2000):
        index.match(f"Số {i}, Phường Bắc Giang")
    assert len(index._answers) <= 512


def test_lookup_secrets_use_every_letter_in_every_place() -> None:
    from app.services.dossiers import _SECRET_ALPHABET, _lookup_secret

    seen = [Counter[str]() for _ in range(4)]
    for _ in range(3000):
        secret = _lookup_secret()
        assert len(secret) == 4 and set(secret) <= set(_SECRET_ALPHABET)
        for place, ch in enumerate(secret):
            seen[place][ch] += 1
    for counts in seen:
        assert set(counts) == set(_SECRET_ALPHABET)
        assert max(counts.values()) < 3 * min(counts.values())


def test_json_object_check_keeps_its_rules() -> None:
    import pytest

    from app.contract import _check_json

    deep: dict[str, Any] = {}
    node = deep
    for _ in range(31):
        node["k"] = {}
        node = node["k"]
    node["k"] = {}  # an empty container at level 32 is allowed
    assert _check_json(deep) is deep
    node["k"] = {"x": 1}  # a non-empty one is not
    with pytest.raises(ValueError, match="nested too deeply"):
        _check_json(deep)
    with pytest.raises(ValueError, match="NUL"):
        _check_json({"a": [{"b\x00": 1}]})
    with pytest.raises(ValueError, match="surrogate"):
        _check_json({"a": ["ok", ["\ud800"]]})
    assert _check_json({"a": ["ok", {"b": None, "c": 1.5}], "d": True}) == {
        "a": ["ok", {"b": None, "c": 1.5}],
        "d": True,
    }
