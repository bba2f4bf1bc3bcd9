"""Mapping a free-text address (often with pre-2025 unit names) to the current commune-level unit.

An ID card issued before 1 July 2025 carries a three-level address: "Tổ 5, Phường Trần Phú,
TP Bắc Giang, Tỉnh Bắc Giang". Since the reorganisation there are two levels (commune and province):
the same place is now "Phường Bắc Giang, Tỉnh Bắc Ninh". :class:`AddressIndex` reads an address from the
end (province, then district, then ward), on folded text (no diacritics, đ → d, any case), tolerant of
the usual abbreviations ("P.", "P1", "Q.", "H.", "TX", "TP", "Tp.", "TT", "Thành phố", "Tỉnh") and of a
house number and street first. It tries both readings, a post-2025 address (commune, province) and a
pre-2025 one (ward, district, province) mapped through the official conversion table, and keeps the
reading that explains most of the address.

The index is pure: the caller gives it the rows of ``resources/reference/`` (``units-2025.csv``,
``provinces-2025.csv``, ``old-to-new.csv``). ``*.from_row`` build the row types from CSV dictionaries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from app.domain.text import fold, nfc

# --------------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Province:
    """A province-level unit from 1 July 2025 (``provinces-2025.csv``)."""

    code: str
    name: str
    kind: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> Province:
        return cls(code=row["code"].strip(), name=nfc(row["name"].strip()), kind=row.get("kind", "").strip())


@dataclass(frozen=True, slots=True)
class NewUnit:
    """A commune-level unit from 1 July 2025 (``units-2025.csv``): kind ``xa``, ``phuong`` or ``dac_khu``."""

    code: str
    name: str
    kind: str
    province_code: str

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> NewUnit:
        return cls(
            code=row["code"].strip(),
            name=nfc(row["name"].strip()),
            kind=row["kind"].strip(),
            province_code=row["province_code"].strip(),
        )


@dataclass(frozen=True, slots=True)
class OldUnit:
    """One (old unit → new unit) pair of the official conversion table (``old-to-new.csv``).

    An old unit split across several new units has one row per new unit. A few rows have no
    ``old_code``: a whole district without communes (e.g. an island district) became one new unit.
    """

    old_code: str
    old_name: str
    old_district_code: str
    old_district_name: str
    old_province_code: str
    old_province_name: str
    new_code: str
    note: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> OldUnit:
        return cls(**{name: nfc(row.get(name, "").strip()) for name in _OLD_COLUMNS})


_OLD_COLUMNS = (
    "old_code",
    "old_name",
    "old_district_code",
    "old_district_name",
    "old_province_code",
    "old_province_name",
    "new_code",
    "note",
)


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddressMatch:
    """The current commune-level unit an address designates.

    ``unit`` is ``None`` when the address is ambiguous (an old ward split across several new units, or a
    name found in several places): ``candidates`` then lists every possible new unit for the operator to
    choose from. ``confidence`` (0–1) says how much of the address was recognised: 1.0 when every level
    (province, district for an old address, ward) matched, less when a level was missing or only a
    ward name was recognised, less again when a unit type did not match (e.g. "Huyện" for a unit that
    had become a "Thị xã").
    """

    unit: NewUnit | None
    province: Province | None
    candidates: tuple[NewUnit, ...]
    #: True when the address used pre-2025 names (mapped through the conversion table).
    from_old: bool
    confidence: float
    #: The part of the address before the recognised units: house number, street, hamlet ("Tổ 5").
    street: str = ""
    #: The old unit as recognised, e.g. "Phường Trần Phú, Thành phố Bắc Giang, Tỉnh Bắc Giang".
    old_name: str = ""
    old_code: str | None = None
    #: The conversion note(s) of the official table ("Nhập toàn bộ", "Nhập một phần", …).
    note: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.unit is None

    @property
    def code(self) -> str | None:
        return self.unit.code if self.unit else None

    @property
    def name(self) -> str | None:
        return self.unit.name if self.unit else None

    @property
    def current_address(self) -> str | None:
        """The address written with current names: "Tổ 5, Phường Bắc Giang, Tỉnh Bắc Ninh"."""
        if self.unit is None or self.province is None:
            return None
        return ", ".join(part for part in (self.street, self.unit.name, self.province.name) if part)


# --------------------------------------------------------------------------------------------------
# Tokens and keys
# --------------------------------------------------------------------------------------------------

PROVINCE, DISTRICT, WARD = "province", "district", "ward"

# Unit-type words (folded) → kind. Multi-word forms first.
_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("thanh", "pho"), "thanh_pho"),
    (("thi", "xa"), "thi_xa"),
    (("thi", "tran"), "thi_tran"),
    (("dac", "khu"), "dac_khu"),
    (("tinh",), "tinh"),
    (("tp",), "thanh_pho"),
    (("quan",), "quan"),
    (("q",), "quan"),
    (("huyen",), "huyen"),
    (("h",), "huyen"),
    (("tx",), "thi_xa"),
    (("phuong",), "phuong"),
    (("p",), "phuong"),
    (("f",), "phuong"),
    (("xa",), "xa"),
    (("x",), "xa"),
    (("tt",), "thi_tran"),
)
# The same, by first word (multi-word forms first), and as a set: look-ups run for every span.
_KEYWORDS_BY_FIRST: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    first: tuple(k for k in _KEYWORDS if k[0][0] == first) for first in {kw[0] for kw, _ in _KEYWORDS}
}
_KEYWORD_SET = frozenset(kw for kw, _ in _KEYWORDS)
_LEVEL_KINDS: dict[str, frozenset[str]] = {
    PROVINCE: frozenset({"tinh", "thanh_pho"}),
    DISTRICT: frozenset({"quan", "huyen", "thi_xa", "thanh_pho"}),
    WARD: frozenset({"phuong", "xa", "thi_tran", "dac_khu"}),
}
# Abbreviations glued to a number: "P1", "F12", "Q10", "P.01" (after the dot becomes a space).
_GLUED = ("phuong", "quan", "p", "q", "f")
# Other names and spellings of provinces (keys, see _key).
_PROVINCE_ALIASES: dict[str, str] = {
    "hcm": "hochiminh",
    "tphcm": "hochiminh",
    "saigon": "hochiminh",
    "hn": "hanoi",
    "tphn": "hanoi",
    "thuathienhue": "hue",
    "tthue": "hue",
    "brvt": "bariavungtau",
    "daclac": "daklak",
    "dacnong": "daknong",
    "baccan": "backan",
}
_COUNTRY = {("viet", "nam"), ("vietnam",), ("vn",)}
_MAX_SPAN = 8
# A loose name (no comma, no type word before it) is a last resort: an old address read with one loose
# level (32 - 11) ranks below a clean post-2025 reading (22).
_LOOSE_COST = 11.0
_MAX_CANDIDATES = 12
_ANSWERS_KEPT = 512  # addresses whose match an index remembers


class _Tok(NamedTuple):
    text: str
    start: int  # offset of the token in the NFC address
    seg: int  # index of the hard segment (between commas, semicolons, …)
    first: bool  # first token after a boundary (hard, or a spaced dash)
    raw: str  # the token as written (lower case, with its diacritics), to break ties between namesakes


_HARD = frozenset(",;|\n\r()[]{}")
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")
_APOSTROPHES = frozenset("'\u2019\u2018\u02bc\u02bb`\u00b4")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


_HARD_SPLIT = re.compile("[" + re.escape("".join(sorted(_HARD))) + "]")


def _tokens(text: str) -> list[_Tok]:
    """Folded tokens of an address, with their offsets in ``text`` and segment information.

    Worked out per hard segment (what lies between two commas, semicolons, …), each remembered: the
    tokens of a segment do not depend on the text around it (every hard character ends a word and starts
    the next segment afresh), and addresses typed at one counter share most of their segments."""
    return _segmented(text)[0]


def _segmented(text: str) -> tuple[list[_Tok], list[tuple[str, int]]]:
    """:func:`_tokens`, and for each hard segment its text and the index of its first token."""
    tokens: list[_Tok] = []
    segments: list[tuple[str, int]] = []
    offset = 0
    for seg, piece in enumerate(_HARD_SPLIT.split(text)):
        segments.append((piece, len(tokens)))
        for word, start, first, raw in _segment_tokens(piece):
            tokens.append(_Tok(word, offset + start, seg, first, raw))
        offset += len(piece) + 1
    return tokens, segments


@lru_cache(maxsize=4096)
def _segment_tokens(text: str) -> tuple[tuple[str, int, bool, str], ...]:
    """The tokens of one hard segment (``text`` holds no hard character): word, offset, first, raw."""
    return tuple((t.text, t.start, t.first, t.raw) for t in _scan(text))


def _scan(text: str) -> list[_Tok]:
    """Folded tokens of ``text``, character by character (:func:`_tokens` gives it one segment)."""
    tokens: list[_Tok] = []
    buf: list[str] = []
    raw: list[str] = []
    buf_start = 0
    seg = 0
    first = True

    def flush() -> None:
        nonlocal buf, raw, first
        if buf:
            word = "".join(buf)
            parts = _split_glued(word)
            for part in parts:
                tokens.append(_Tok(part, buf_start, seg, first, "".join(raw) if len(parts) == 1 else part))
                first = False
            buf, raw = [], []

    n = len(text)
    for i, ch in enumerate(text):
        if ch in _HARD:
            flush()
            seg += 1
            first = True
        elif ch in _DASHES:
            spaced = (i > 0 and text[i - 1].isspace()) or (i + 1 < n and text[i + 1].isspace())
            flush()
            if spaced:
                first = True
        elif ch in _APOSTROPHES:
            continue  # "H'Leo" and "Hleo" are the same name
        elif ch == "." and buf == ["t"] and i + 1 < n and text[i + 1].lower() in "pxt":
            continue  # "T.P", "T.X", "T.T"
        else:
            folded = _fold_char(ch) if not ch.isspace() else ""
            if folded and folded.isalnum():
                if not buf:
                    buf_start = i
                buf.append(folded)
                raw.append(ch.lower())
            else:
                flush()
    flush()
    return tokens


def _split_glued(word: str) -> list[str]:
    for prefix in _GLUED:
        if word.startswith(prefix) and len(word) > len(prefix) and word[len(prefix) :].isdigit():
            return [prefix, word[len(prefix) :]]
    if word == "tphcm":
        return ["tp", "hcm"]
    return [word]


def _key(words: Iterable[str]) -> str:
    """The look-up key of a unit name without its type word: letters and digits only, "y" → "i" (Quý /
    Quí, Kỳ / Kì), numbers without leading zeros ("Phường 01" = "Phường 1")."""
    key = "".join(words).replace("y", "i")
    return str(int(key)) if key.isascii() and key.isdigit() and len(key) < 10 else key


def _keyword(words: tuple[str, ...] | list[str]) -> tuple[str | None, int]:
    """The unit kind a name starts with and how many words it takes."""
    if not words:
        return None, 0
    for kw, kind in _KEYWORDS_BY_FIRST.get(words[0], ()):
        if tuple(words[: len(kw)]) == kw:
            return kind, len(kw)
    return None, 0


def _name_key(name: str) -> tuple[str | None, str, str]:
    """Kind (from the type word), key and exact spelling of a unit name from the reference data."""
    tokens = _tokens(nfc(name))
    words = [t.text for t in tokens]
    kind, n = _keyword(words)
    if kind is None or n == len(words):
        kind, n = None, 0
    return kind, _key(words[n:]), " ".join(t.raw for t in tokens[n:])


def _norm_kind(kind: str) -> str | None:
    k = fold(kind).replace(" ", "_")
    return k or None


# --------------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------------


class _Entry(NamedTuple):
    code: str
    kind: str | None
    exact: str = ""


class _Span(NamedTuple):
    start: int
    kind: str | None
    key: str
    #: Neither after a boundary nor after a type word: "… Lạng Giang Bắc Giang" with no commas.
    loose: bool
    #: The name as written (lower case, with diacritics).
    exact: str


class _Look(NamedTuple):
    """Units found for a span, and what the span adds to a reading's score and confidence."""

    entries: list[_Entry]
    score: float
    confidence: float


_NOTHING = _Look([], 0.0, 0.0)


def _look(entries: list[_Entry] | None, span: _Span) -> _Look:
    """Entries matching the span's type word: +1 to the score when the type word matches; when only
    another kind has this name (the unit changed type: Huyện → Thị xã, Xã → Phường), all of them at -1.
    Among namesakes, the exact spelling wins. A loose span costs much and lowers the confidence."""
    if not entries:
        return _NOTHING
    score = confidence = 0.0
    if span.kind is not None:
        same = [e for e in entries if e.kind == span.kind or e.kind is None]
        if same:
            entries, score = same, 1.0
        else:
            score, confidence = -1.0, -0.05
    if len(entries) > 1 and span.exact:  # namesakes once folded (Minh Quân / Minh Quán): the spelling decides
        spelled = [e for e in entries if e.exact == span.exact]
        if spelled:
            entries = spelled
    if span.loose:
        score, confidence = score - _LOOSE_COST, confidence - 0.15
    return _Look(entries, score, confidence)


@dataclass(slots=True)
class _Reading:
    """One way of reading the address: the new units it leads to and how well it explains the text."""

    new_codes: frozenset[str]
    score: float
    confidence: float
    start: int  # token index where the recognised part begins
    from_old: bool
    old_codes: tuple[str, ...] = ()
    district: str = ""  # old district code, for district-only rows


@dataclass(slots=True)
class AddressIndex:
    """Look-up tables from unit names (folded keys) to units, for :meth:`match`."""

    provinces: dict[str, Province] = field(default_factory=dict)
    units: dict[str, NewUnit] = field(default_factory=dict)
    _new_prov: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _new_unit: dict[tuple[str, str], list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _new_unit_any: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _old_prov: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _old_dist: dict[tuple[str, str], list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _old_dist_any: dict[str, list[tuple[str, _Entry]]] = field(default_factory=lambda: defaultdict(list))
    _old_ward: dict[tuple[str, str], list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _old_ward_prov: dict[tuple[str, str], list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _old_ward_any: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    _old_rows: dict[str, list[OldUnit]] = field(default_factory=lambda: defaultdict(list))
    _district_rows: dict[str, list[OldUnit]] = field(default_factory=lambda: defaultdict(list))
    #: Answers already given, by address text (an index never changes once built; the intake screen
    #: routes the address as it is typed, and receiving the dossier then asks again for the same text).
    _answers: dict[str, AddressMatch | None] = field(default_factory=dict, compare=False, repr=False)
    #: Matches without their street, by the tail of segments the readings looked at (:meth:`_judged`).
    _judgements: dict[tuple[bool, int, int, tuple[str, ...]], tuple[AddressMatch, int] | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    # ---------------------------------------------------------------------------------------- build

    @classmethod
    def build(
        cls, new_units: Iterable[NewUnit], old_units: Iterable[OldUnit], provinces: Iterable[Province]
    ) -> AddressIndex:
        """Index the reference rows. Rows naming a new unit or province that is not given are kept
        out (with no exception): the index only ever answers with units it knows."""
        index = cls()
        keys: dict[str, tuple[str | None, str, str]] = {}

        def name_key(name: str) -> tuple[str | None, str, str]:
            found = keys.get(name)
            if found is None:
                found = keys[name] = _name_key(name)
            return found

        def add(table: dict[Any, list[Any]], key: Any, entry: Any) -> None:
            bucket = table[key]
            if entry not in bucket:
                bucket.append(entry)

        for p in provinces:
            index.provinces[p.code] = p
            kind, key, exact = name_key(p.name)
            if key:
                add(index._new_prov, key, _Entry(p.code, _norm_kind(p.kind) or kind, exact))
        short_names: list[tuple[NewUnit, str]] = []
        for u in new_units:
            if u.province_code not in index.provinces:
                continue
            index.units[u.code] = u
            kind, key, exact = name_key(u.name)
            if key:
                entry = _Entry(u.code, _norm_kind(u.kind) or kind, exact)
                add(index._new_unit, (u.province_code, key), entry)
                add(index._new_unit_any, key, entry)
            if " - " in u.name:
                short_names.append((u, u.name.split(" - ")[0]))
        # "Phường Xuân Hương - Đà Lạt" is also written "Phường Xuân Hương", unless that is another unit.
        for u, short in short_names:
            kind, key, exact = name_key(short)
            if key and (u.province_code, key) not in index._new_unit:
                entry = _Entry(u.code, _norm_kind(u.kind) or kind, exact)
                add(index._new_unit, (u.province_code, key), entry)
        for r in old_units:
            if r.new_code not in index.units:
                continue
            pkind, pkey, pexact = name_key(r.old_province_name)
            dkind, dkey, dexact = name_key(r.old_district_name)
            prov, dist = r.old_province_code, r.old_district_code
            if pkey:
                add(index._old_prov, pkey, _Entry(prov, pkind, pexact))
            if dkey:
                add(index._old_dist, (prov, dkey), _Entry(dist, dkind, dexact))
                add(index._old_dist_any, dkey, (prov, _Entry(dist, dkind, dexact)))
            if not r.old_code:
                index._district_rows[dist].append(r)
                continue
            index._old_rows[r.old_code].append(r)
            wkind, wkey, wexact = name_key(r.old_name)
            if wkey:
                entry = _Entry(r.old_code, wkind, wexact)
                add(index._old_ward, (dist, wkey), entry)
                add(index._old_ward_prov, (prov, wkey), entry)
                add(index._old_ward_any, wkey, entry)
        return index

    # ---------------------------------------------------------------------------------------- match

    def match(self, address: str) -> AddressMatch | None:
        """The current commune-level unit of ``address``, or ``None`` when no unit is recognised (or
        the recognised name is found in too many places to be of use)."""
        if not isinstance(address, str):
            return None
        answers = self._answers
        try:  # one look-up: another thread may clear the memo meanwhile
            return answers[address]
        except KeyError:
            pass
        found = self._match(address)
        if len(answers) >= _ANSWERS_KEPT:
            answers.clear()
        answers[address] = found
        return found

    def _match(self, address: str) -> AddressMatch | None:
        text = nfc(address)
        tokens, segments = _segmented(text)
        plain = text.isascii()
        if plain:  # typed without diacritics: "Nga Thanh" may as well be "Nga Thành"
            tokens = [t._replace(raw="") for t in tokens]
        end = len(tokens)
        # Drop a trailing country name.
        for country in _COUNTRY:
            n = len(country)
            if end >= n and tuple(t.text for t in tokens[end - n : end]) == country and tokens[end - n].first:
                end -= n
                break
        if end == 0:
            return None
        judged = self._judged(tokens, segments, plain, end)
        if judged is None:
            return None
        m, first_start = judged
        street = _street(text, tokens, first_start)
        # (the fields one by one: dataclasses.replace looks them up each time)
        return AddressMatch(
            m.unit, m.province, m.candidates, m.from_old, m.confidence, street, m.old_name, m.old_code, m.note
        )

    def _judged(
        self, tokens: list[_Tok], segments: list[tuple[str, int]], plain: bool, end: int
    ) -> tuple[AddressMatch, int] | None:
        """The match of the tokens before ``end`` with a blank street, and the first token of the
        recognised units (the street is the text before it).

        Remembered by the segments the readings looked at: every candidate name lies within one hard
        segment and depends on nothing else (:class:`_SpanMemo`), so when the readings asked for no
        name ending before segment ``j``, any address with the same segments from ``j`` on (the same
        text, starting at the same token, with the same diacritics flag and the same end) has the same
        readings — whatever its house number and street before them."""
        memo = self._judgements
        first_tokens = [first for _piece, first in segments]
        for j in range(len(segments) - 1, -1, -1):
            key = (plain, first_tokens[j], end, tuple(piece for piece, _first in segments[j:]))
            try:
                return memo[key]
            except KeyError:
                continue
        spans = _SpanMemo(tokens, segments, plain)
        judged = self._judge(spans, end)
        lowest = spans.lowest
        j = tokens[lowest - 1].seg if 0 < lowest <= len(tokens) else 0
        if len(memo) >= _ANSWERS_KEPT:
            memo.clear()
        memo[(plain, first_tokens[j], end, tuple(piece for piece, _first in segments[j:]))] = judged
        return judged

    def _judge(self, spans: _SpanMemo, end: int) -> tuple[AddressMatch, int] | None:
        readings = self._readings(spans, end)
        if not readings:
            return None
        best = max(r.score for r in readings)
        top = [r for r in readings if r.score == best]
        codes = sorted(set().union(*(r.new_codes for r in top)))
        if not codes or len(codes) > _MAX_CANDIDATES:
            return None
        candidates = tuple(self.units[c] for c in codes)
        unit = candidates[0] if len(candidates) == 1 else None
        provinces = {c.province_code for c in candidates}
        province = self.provinces.get(next(iter(provinces))) if len(provinces) == 1 else None
        first = min(top, key=lambda r: r.start)
        from_old = all(r.from_old for r in top)
        old_codes = sorted({c for r in top for c in r.old_codes})
        rows = [row for c in old_codes for row in self._old_rows.get(c, ())]
        if not rows:
            rows = [row for r in top if r.district for row in self._district_rows.get(r.district, ())]
        old_name = ""
        if from_old and rows:
            names = {
                ", ".join(p for p in (row.old_name, row.old_district_name, row.old_province_name) if p)
                for row in rows
            }
            old_name = "; ".join(sorted(names))
        notes = sorted({row.note for row in rows if row.note and row.new_code in codes})
        found = AddressMatch(
            unit=unit,
            province=province,
            candidates=candidates,
            from_old=from_old,
            confidence=round(min(r.confidence for r in top), 2),
            old_name=old_name,
            old_code=old_codes[0] if from_old and len(old_codes) == 1 else None,
            note="; ".join(notes),
        )
        return found, first.start

    def _readings(self, spans: _SpanMemo, end: int) -> list[_Reading]:
        readings: list[_Reading] = []
        province_named = False
        # 1. With a province (new or old) at the end.
        for p in spans(end, PROVINCE):
            pkey = _PROVINCE_ALIASES.get(p.key, p.key)
            if not p.loose and (pkey in self._new_prov or pkey in self._old_prov):
                province_named = True
            pl = _look(self._new_prov.get(pkey), p)
            for prov in pl.entries:
                for w in spans(p.start, WARD):
                    wl = _look(self._new_unit.get((prov.code, w.key)), w)
                    if wl.entries:
                        codes = frozenset(u.code for u in wl.entries)
                        readings.append(
                            _Reading(
                                codes,
                                22 + pl.score + wl.score,
                                1.0 + pl.confidence + wl.confidence,
                                w.start,
                                False,
                            )
                        )
            pl = _look(self._old_prov.get(pkey), p)
            for prov in pl.entries:
                readings.extend(self._old_below_province(spans, p.start, prov.code, pl))
        # 2. Without a province: an old district and ward, or a ward alone.
        for d in spans(end, DISTRICT):
            dl = _look([e for _, e in self._old_dist_any.get(d.key, [])], d)
            for dist in dl.entries:
                for w in spans(d.start, WARD):
                    wl = _look(self._old_ward.get((dist.code, w.key)), w)
                    if wl.entries:
                        readings.append(
                            self._old_reading(
                                wl.entries,
                                19 + dl.score + wl.score,
                                0.75 + dl.confidence + wl.confidence,
                                w.start,
                            )
                        )
        for w in spans(end, WARD):
            # A ward name alone must be set apart by a comma or a type word, and not be a province's
            # name ("…, Vĩnh Long" names the province, not one of the wards called Vĩnh Long).
            if w.loose or province_named:
                continue
            wl = _look(self._new_unit_any.get(w.key), w)
            if wl.entries:
                readings.append(
                    _Reading(
                        frozenset(u.code for u in wl.entries),
                        10 + wl.score,
                        0.5 + wl.confidence,
                        w.start,
                        False,
                    )
                )
            wl = _look(self._old_ward_any.get(w.key), w)
            if wl.entries:
                readings.append(self._old_reading(wl.entries, 9 + wl.score, 0.4 + wl.confidence, w.start))
        return [r for r in readings if r.new_codes]

    def _old_below_province(self, spans: _SpanMemo, end: int, prov: str, pl: _Look) -> list[_Reading]:
        readings: list[_Reading] = []
        for d in spans(end, DISTRICT):
            dl = _look(self._old_dist.get((prov, d.key)), d)
            for dist in dl.entries:
                found = False
                for w in spans(d.start, WARD):
                    wl = _look(self._old_ward.get((dist.code, w.key)), w)
                    if wl.entries:
                        found = True
                        readings.append(
                            self._old_reading(
                                wl.entries,
                                32 + pl.score + dl.score + wl.score,
                                1.0 + pl.confidence + dl.confidence + wl.confidence,
                                w.start,
                            )
                        )
                rows = self._district_rows.get(dist.code)
                if rows and not found:  # a district without communes that became one new unit
                    readings.append(
                        _Reading(
                            frozenset(r.new_code for r in rows),
                            25 + pl.score + dl.score,
                            0.95 + pl.confidence + dl.confidence,
                            d.start,
                            True,
                            district=dist.code,
                        )
                    )
        for w in spans(end, WARD):
            wl = _look(self._old_ward_prov.get((prov, w.key)), w)
            if wl.entries:
                readings.append(
                    self._old_reading(
                        wl.entries, 20 + pl.score + wl.score, 0.85 + pl.confidence + wl.confidence, w.start
                    )
                )
        return readings

    def _old_reading(self, wards: list[_Entry], score: float, confidence: float, start: int) -> _Reading:
        codes = frozenset(row.new_code for w in wards for row in self._old_rows.get(w.code, ()))
        return _Reading(codes, score, confidence, start, True, tuple(w.code for w in wards))


class _Run(NamedTuple):
    """What a run of tokens ``start … end - 1`` is, whatever the level asked for (see :func:`_spans`)."""

    start: int
    kind: str | None  # the type word it starts with
    named: bool  # a type word followed by a name
    key_after: str  # the name after the type word (when ``named``)
    exact_after: str
    key: str  # the whole run
    exact: str
    number: bool  # the whole run is a number (a house number, never "Phường 1")
    bare: bool  # no type word, or nothing but one
    #: Loose (not after a boundary) and right after a type word: that word's name ("Tỉnh Bắc Giang" is
    #: no ward), no bare name of its own.
    owned: bool
    first: bool


def _runs(tokens: list[_Tok], end: int) -> list[_Run]:
    """The runs of tokens ending just before ``end``, within one segment, longest last."""
    runs: list[_Run] = []
    if end <= 0:
        return runs
    seg = tokens[end - 1].seg
    for start in range(end - 1, max(end - _MAX_SPAN, 0) - 1, -1):
        tok = tokens[start]
        if tok.seg != seg:
            break
        words = [t.text for t in tokens[start:end]]
        kind, n = _keyword(words)
        named = kind is not None and n < len(words)
        key = _key(words)
        first = tok.first
        bare = kind is None or n == len(words)
        runs.append(
            _Run(
                start,
                kind,
                named,
                _key(words[n:]) if named else "",
                _exact(tokens[start + n : end]) if named else "",
                key,
                _exact(tokens[start:end]),
                key.isascii() and key.isdigit(),
                bare,
                bare and not first and _after_keyword(tokens, start),
                first,
            )
        )
    return runs


def _spans(tokens: list[_Tok], end: int, level: str, runs: list[_Run] | None = None) -> list[_Span]:
    """Candidate unit names ending just before token ``end``, within one segment: runs of tokens that
    start with a type word of this level, or that start the segment (a bare name: "Bắc Giang"), or
    (loose) any other run. ``runs``: :func:`_runs` of the same tokens and end, when already known."""
    spans: list[_Span] = []
    kinds = _LEVEL_KINDS[level]
    for r in _runs(tokens, end) if runs is None else runs:
        if r.named and r.kind in kinds:
            spans.append(_Span(r.start, r.kind, r.key_after, False, r.exact_after))
        if r.number:
            continue  # a bare number is a house number, not "Phường 1"
        if r.bare:
            if not r.owned:
                spans.append(_Span(r.start, None, r.key, not r.first, r.exact))
        elif r.first:
            spans.append(_Span(r.start, None, r.key, False, r.exact))
    return spans


#: :func:`_spans` by segment text, diacritics flag, index of the segment's first token, end within the
#: segment and level, across addresses (bounded): see :class:`_SpanMemo`.
_SPANS_BY_SEGMENT: dict[tuple[str, bool, int, int, str], list[_Span]] = {}
_SPANS_KEPT = 8192


class _SpanMemo:
    """:func:`_spans` of one address's tokens, each (end, level) worked out once: the readings ask for
    the same ones many times (every province candidate asks for the wards before it).

    The spans ending at token ``end`` lie within the hard segment of token ``end - 1`` (:func:`_runs`
    stops at its first token and :func:`_after_keyword` looks no further): they depend only on that
    segment's text, on whether the whole address is without diacritics (``plain``: the tokens' ``raw``
    is then blank), on the index of the segment's first token (their ``start``) and on ``end`` within
    the segment. So they are also remembered across addresses under those (``segments``: each
    segment's text and first token, from :func:`_segmented`): a new address at a counter usually
    differs from the last ones only in its house number and street."""

    __slots__ = ("tokens", "segments", "plain", "lowest", "_runs", "_spans")

    def __init__(
        self, tokens: list[_Tok], segments: list[tuple[str, int]] | None = None, plain: bool = False
    ) -> None:
        self.tokens = tokens
        self.segments = segments
        self.plain = plain
        #: The lowest ``end`` asked for: no token before that end's segment was looked at.
        self.lowest = len(tokens)
        self._runs: dict[int, list[_Run]] = {}
        self._spans: dict[tuple[int, str], list[_Span]] = {}

    def __call__(self, end: int, level: str) -> list[_Span]:
        if end < self.lowest:
            self.lowest = end
        found = self._spans.get((end, level))
        if found is None:
            key = None
            if self.segments is not None and end > 0:
                piece, first = self.segments[self.tokens[end - 1].seg]
                key = (piece, self.plain, first, end - first, level)
                found = _SPANS_BY_SEGMENT.get(key)
            if found is None:
                runs = self._runs.get(end)
                if runs is None:
                    runs = self._runs[end] = _runs(self.tokens, end)
                found = _spans(self.tokens, end, level, runs)
                if key is not None:
                    if len(_SPANS_BY_SEGMENT) >= _SPANS_KEPT:
                        _SPANS_BY_SEGMENT.clear()
                    _SPANS_BY_SEGMENT[key] = found
            self._spans[(end, level)] = found
        return found


def _exact(tokens: list[_Tok]) -> str:
    return " ".join(t.raw for t in tokens)


def _after_keyword(tokens: list[_Tok], start: int) -> bool:
    """Whether the tokens just before ``start`` (in the same segment) are a unit-type word."""
    seg = tokens[start].seg
    for n in (1, 2):
        if start - n >= 0 and tokens[start - n].seg == seg:
            words = tuple(t.text for t in tokens[start - n : start])
            if words in _KEYWORD_SET:
                return True
    return False


def _street(text: str, tokens: list[_Tok], start: int) -> str:
    """The address text before token ``start``, without trailing separators."""
    if start <= 0 or start > len(tokens):
        return ""
    head = text[: tokens[start].start] if start < len(tokens) else text
    return " ".join(head.split()).rstrip(" ,;-–—|").strip()
