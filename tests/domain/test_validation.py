"""Validation of operator input: valid input is never refused, and no input makes a validator raise."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from domain.vn_names import syllables
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.validation import (
    Result,
    format_phone,
    normalize_phone,
    validate_address,
    validate_count,
    validate_date,
    validate_email,
    validate_id_number,
    validate_name,
    validate_phone,
    validate_text,
)

TODAY = date(2026, 6, 1)


def code(result: Result[Any]) -> str:
    assert not result.ok and result.value is None
    assert len(result.problems) >= 1
    for p in result.problems:
        assert p.vi and p.en and p.vi != p.en
    return result.problems[0].code


# ------------------------------------------------------------------------------------------ Result


def test_result() -> None:
    ok = validate_count("2")
    assert ok.ok and ok.value == 2 and ok.value_or_raise() == 2
    bad = validate_count("x")
    with pytest.raises(DomainError) as info:
        bad.value_or_raise()
    assert info.value.problems == bad.problems


# ------------------------------------------------------------------------------------------ names

ETHNIC_AND_RARE_NAMES = [
    "H'Hen Niê",
    "Ksor H'Bla",
    "Y-Moan Êban",
    "Nay Y Blang",
    "Rơ Mah Phin",
    "Đinh Thị H'Nga",
    "Lò Văn Pó",
    "Thào A Tủa",
    "Siu H'Luyn",
    "A Páo",
    "Ma Seo Chứ",
    "Mlô Y Đức",
    "H'Zăm Byă",
    "Nguyễn Thị Ỷ",
    "Lê Văn Ỹ",
    "Trần Ỵ",
    "Phạm Thị Ửa",
    "ĐOÀN THỊ ĐỮ",
    "Nguyễn Lê-Khánh Vy",
    "Jean-Pierre O'Neil",
    "Mary J. Smith",
    "Nguyễn",
    "李小龍",
    "Ежов Пётр",
]


@pytest.mark.parametrize("name", ETHNIC_AND_RARE_NAMES)
def test_valid_names_are_accepted(name: str) -> None:
    r = validate_name(name)
    assert r.ok, r.problems
    assert r.value == name


def test_name_normalisation() -> None:
    assert validate_name("  nguyễn   văn\u00a0 An ").value == "nguyễn văn An"
    assert validate_name(unicodedata.normalize("NFD", "Trần Thị Bích Ngọc")).value == "Trần Thị Bích Ngọc"
    assert validate_name("H\u2019Hen Ni\u00ea").value == "H'Hen Niê"
    assert validate_name("Y\u2010Moan").value == "Y-Moan"
    assert validate_name("Ngô\u200b Bảo").value == "Ngô Bảo"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "name.missing"),
        ("   ", "name.missing"),
        ("Nguyễn Văn 2", "name.digits"),
        ("Nguyễn\x00Văn", "name.control"),
        ("Nguyễn\x07", "name.control"),
        ("Nguyễn <b>An</b>", "name.bad_chars"),
        ("Nguyễn @An", "name.bad_chars"),
        ("'-.", "name.no_letter"),
        ("A" * 101, "name.too_long"),
    ],
)
def test_invalid_names(name: str, expected: str) -> None:
    assert code(validate_name(name)) == expected


def test_name_optional_and_field() -> None:
    assert validate_name("", required=False) == Result("", ())
    assert validate_name("1", field="representative").problems[0].field == "representative"


@st.composite
def names(draw: st.DrawFn) -> str:
    words = draw(st.lists(syllables(), min_size=1, max_size=6))
    joiners = [draw(st.sampled_from([" ", " ", " ", "-"])) for _ in words[1:]]
    return words[0] + "".join(j + w for j, w in zip(joiners, words[1:], strict=True))


@settings(max_examples=400, deadline=None)
@given(names(), st.sampled_from(["NFC", "NFD"]), st.sampled_from(["", " ", "  ", "\t"]))
def test_generated_vietnamese_names_are_never_refused(name: str, form: str, pad: str) -> None:
    typed = pad + unicodedata.normalize(form, name).replace(" ", " " + pad) + pad
    r = validate_name(typed)
    assert r.ok, (name, r.problems)
    assert r.value == unicodedata.normalize("NFC", " ".join(name.split()))


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(categories=["Lu", "Ll", "Lt", "Lo", "Lm"]), min_size=1, max_size=30))
def test_any_letters_make_a_name(name: str) -> None:
    r = validate_name(name)
    assert r.ok, r.problems
    assert r.value == unicodedata.normalize("NFC", name)


# ------------------------------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    ("typed", "national"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("(+84) 912-345-678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("912345678", "0912345678"),
        ("0321234567", "0321234567"),
        ("0561234567", "0561234567"),
        ("0701234567", "0701234567"),
        ("0849123456", "0849123456"),
        ("０９１２３４５６７８", "0912345678"),
        ("0204 3855 123", "02043855123"),
        ("0204.3855.123", "02043855123"),
        ("+84 204 3855 123", "02043855123"),
        ("024 3825 1234", "02438251234"),
        ("(024) 38251234", "02438251234"),
        ("2438251234", "02438251234"),
    ],
)
def test_valid_phones(typed: str, national: str) -> None:
    r = validate_phone(typed)
    assert r.ok, r.problems
    assert r.value == national
    assert normalize_phone(typed) == national


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("091234567", "phone.length"),
        ("09123456789", "phone.length"),
        ("0204385512", "phone.length"),
        ("1900 1234", "phone.prefix"),
        ("0112345678", "phone.prefix"),
        ("0612345678", "phone.prefix"),
        ("+1 202 555 0100", "phone.foreign"),
        ("0912 abc 678", "phone.bad_chars"),
        ("0912345678 / 0987654321", "phone.length"),
        ("+", "phone.bad_chars"),
        ("09123\x00", "phone.control"),
    ],
)
def test_invalid_phones(typed: str, expected: str) -> None:
    assert code(validate_phone(typed)) == expected
    assert normalize_phone(typed) is None


def test_phone_blank() -> None:
    assert validate_phone("  ") == Result("", ())
    assert code(validate_phone("", required=True)) == "phone.missing"


def test_format_phone() -> None:
    assert format_phone("0912345678") == "0912 345 678"
    assert format_phone("02438251234") == "024 3825 1234"
    assert format_phone("02043855123") == "0204 3855 123"
    assert format_phone("123") == "123"


_MOBILE = st.builds(
    lambda p, d: p + d,
    st.sampled_from(["03", "05", "07", "08", "09"]),
    st.text("0123456789", min_size=8, max_size=8),
)
_LANDLINE = st.builds(
    lambda a, d: "02" + a + d,
    st.text("0123456789", min_size=1, max_size=1),
    st.text("0123456789", min_size=8, max_size=8),
)


@st.composite
def written_phones(draw: st.DrawFn) -> tuple[str, str]:
    """A valid national number and one of the ways people write it."""
    national = draw(_MOBILE | _LANDLINE)
    body = national[1:]
    prefix = draw(st.sampled_from(["0", "+84", "84", "0084", "+84 ", "(+84) ", "+84 (0) ", "+84(0)"]))
    if prefix == "84" and len(body) not in (9, 10):
        prefix = "0"
    sep = draw(st.sampled_from(["", " ", ".", "-", "  "]))
    cuts = sorted(draw(st.sets(st.integers(1, len(body) - 1), max_size=3)))
    pieces = [body[i:j] for i, j in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    pad = draw(st.sampled_from(["", " ", "\t"]))
    return national, pad + prefix + sep.join(pieces) + pad


@settings(max_examples=400, deadline=None)
@given(written_phones())
def test_valid_phones_in_all_formats_are_never_refused(case: tuple[str, str]) -> None:
    national, typed = case
    r = validate_phone(typed)
    assert r.ok, (typed, r.problems)
    assert r.value == national


# ------------------------------------------------------------------------------------------ e-mail


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("an.nguyen@gmail.com", "an.nguyen@gmail.com"),
        ("  An.Nguyen@Gmail.COM ", "An.Nguyen@gmail.com"),
        ("mot.cua+ho.so@ubnd.bacninh.gov.vn", "mot.cua+ho.so@ubnd.bacninh.gov.vn"),
        ("x@xn--bcher-kva.de", "x@xn--bcher-kva.de"),
        ("user@bücher.de", "user@bücher.de"),
        ("liên.hệ@ví-dụ.việtnam", "liên.hệ@ví-dụ.việtnam"),
        ("a_b-c@sub-domain.example.vn.", "a_b-c@sub-domain.example.vn"),
    ],
)
def test_valid_emails(typed: str, expected: str) -> None:
    r = validate_email(typed)
    assert r.ok, r.problems
    assert r.value == expected


@pytest.mark.parametrize(
    "typed",
    [
        "plainaddress",
        "a@b",
        "a@@b.com",
        "a@b@c.com",
        "@gmail.com",
        "an@",
        "an nguyen@gmail.com",
        ".a@b.com",
        "a.@b.com",
        "a..b@c.com",
        "a@-b.com",
        "a@b-.com",
        "a@b..com",
        "a@b.123",
        "a(b)@c.com",
        "a@b_c.com",
        "x" * 65 + "@gmail.com",
    ],
)
def test_invalid_emails(typed: str) -> None:
    assert code(validate_email(typed)) == "email.invalid"


def test_email_blank_and_control() -> None:
    assert validate_email("") == Result("", ())
    assert code(validate_email("", required=True)) == "email.missing"
    assert code(validate_email("a\x00@b.com")) == "email.control"


_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
_IDN_LABEL = st.text("abcdđêơưàáảãạéèíóúýỹ0123456789", min_size=1, max_size=10)


@settings(max_examples=300, deadline=None)
@given(
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-", min_size=1, max_size=20),
    st.lists(_LABEL | _IDN_LABEL, min_size=1, max_size=3),
    st.sampled_from(["com", "vn", "gov.vn", "edu.vn", "việtnam", "org"]),
)
def test_generated_emails_are_never_refused(local: str, labels: list[str], tld: str) -> None:
    address = f"{local}@{'.'.join(labels)}.{tld}"
    r = validate_email(address)
    assert r.ok, (address, r.problems)
    assert r.value == address


# ------------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    "typed",
    [
        "05/07/2025",
        "5/7/2025",
        "05-07-2025",
        "5.7.2025",
        "05 07 2025",
        "05 / 07 / 2025",
        "2025-07-05",
        "2025/7/5",
        "05072025",
        " 05/07/2025 ",
        "０５/０７/２０２５",
    ],
)
def test_valid_dates(typed: str) -> None:
    r = validate_date(typed, today=TODAY)
    assert r.ok, r.problems
    assert r.value == date(2025, 7, 5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/02/2025", "date.invalid"),
        ("00/01/2025", "date.invalid"),
        ("5/7/25", "date.short_year"),
        ("hôm qua", "date.format"),
        ("2025", "date.format"),
        ("1/1/1850", "date.implausible"),
        ("1/1/2200", "date.implausible"),
        ("", "date.missing"),
    ],
)
def test_invalid_dates(typed: str, expected: str) -> None:
    assert code(validate_date(typed, today=TODAY)) == expected


def test_future_and_past() -> None:
    assert code(validate_date("02/06/2026", allow_future=False, today=TODAY)) == "date.future"
    assert validate_date("01/06/2026", allow_future=False, today=TODAY).value == TODAY
    assert code(validate_date("31/05/2026", allow_past=False, today=TODAY)) == "date.past"
    assert code(validate_date(date(2030, 1, 1), allow_future=False, today=TODAY)) == "date.future"
    assert validate_date(date(2020, 1, 1), today=TODAY).value == date(2020, 1, 1)
    assert validate_date(" ", required=False) == Result(None, ())
    assert code(validate_date("1/1/1950", min_year=1960, today=TODAY)) == "date.implausible"


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(
        [
            "{d:02d}/{m:02d}/{y}",
            "{d}/{m}/{y}",
            "{d:02d}-{m:02d}-{y}",
            "{d}.{m}.{y}",
            "{y}-{m:02d}-{d:02d}",
            "{y}-{m}-{d}",
            "{d:02d}{m:02d}{y}",
            "{d:02d} / {m:02d} / {y}",
        ]
    ),
)
def test_dates_in_all_formats_are_never_refused(value: date, pattern: str) -> None:
    typed = pattern.format(d=value.day, m=value.month, y=value.year)
    r = validate_date(typed, today=TODAY)
    assert r.ok, (typed, r.problems)
    assert r.value == value


# ------------------------------------------------------------------------------------------ counts


@pytest.mark.parametrize(("typed", "value"), [("1", 1), (" 03 ", 3), (99, 99), ("２", 2)])
def test_valid_counts(typed: str | int, value: int) -> None:
    assert validate_count(typed).value == value


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0", "count.range"),
        ("100", "count.range"),
        (-1, "count.range"),
        ("1.5", "count.not_number"),
        ("abc", "count.not_number"),
        ("-2", "count.not_number"),
        (True, "count.not_number"),
        ("", "count.missing"),
        ("9" * 50, "count.not_number"),
    ],
)
def test_invalid_counts(typed: str | int, expected: str) -> None:
    assert code(validate_count(typed)) == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 1000), st.sampled_from(["{}", " {} ", "{:03d}"]))
def test_counts_within_bounds_are_never_refused(n: int, pattern: str) -> None:
    assert validate_count(pattern.format(n), maximum=1000).value == n


def test_count_optional() -> None:
    assert validate_count("", required=False) == Result(None, ())


# ------------------------------------------------------------------------------------------ free text


def test_text_normalisation() -> None:
    assert validate_text("  Ghi   chú\r\ndòng 2\r\n\r\n\r\n\r\ndòng 3 ").value == "Ghi chú\ndòng 2\n\ndòng 3"
    assert validate_text("a\tb\x0bc").value == "a b c"
    assert validate_text(unicodedata.normalize("NFD", "Hồ sơ")).value == "Hồ sơ"
    assert validate_text("") == Result("", ())
    assert code(validate_text("", required=True)) == "text.missing"
    assert code(validate_text("a\x00b")) == "text.control"
    assert code(validate_text("a\x1bb")) == "text.control"
    assert code(validate_text("x" * 11, max_length=10)) == "text.too_long"


def test_address() -> None:
    typed = "Tổ 5,\r\nPhường Trần Phú\nTP Bắc Giang"
    assert validate_address(typed).value == "Tổ 5, Phường Trần Phú, TP Bắc Giang"
    assert validate_address("  Số 12,   ngõ 3 ").value == "Số 12, ngõ 3"
    assert code(validate_address("x" * 501)) == "address.too_long"
    assert code(validate_address("", required=True)) == "address.missing"
    assert validate_address("a\x00").problems[0].vi.startswith("Địa chỉ")


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=200))
def test_text_without_controls_is_never_refused(text: str) -> None:
    r = validate_text(text, max_length=10_000)
    assert r.ok, r.problems
    assert r.value is not None
    assert unicodedata.is_normalized("NFC", r.value)


# ------------------------------------------------------------------------------------------ ID numbers


def test_id_number_typed_by_hand() -> None:
    assert validate_id_number(" 001 087 123 456 ").value == "001087123456"
    assert validate_id_number("001.087.123.456").value == "001087123456"
    assert code(validate_id_number("012345678")) == "id.length"
    assert validate_id_number("012345678", allow_old=True).value == "012345678"
    assert code(validate_id_number("")) == "id.missing"
    assert validate_id_number("", required=False) == Result("", ())
    assert code(validate_id_number("001087123456", birth_date=date(1990, 1, 1))) == "id.birth_year_mismatch"


# ------------------------------------------------------------------------------------------ robustness

VALIDATORS: list[Callable[[str], Result[Any]]] = [
    validate_name,
    validate_phone,
    validate_email,
    lambda s: validate_date(s, today=TODAY),
    validate_count,
    validate_text,
    validate_address,
    validate_id_number,
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    for validate in VALIDATORS:
        r = validate(text)
        assert isinstance(r, Result)
        assert r.ok == (not r.problems)
        if r.ok and isinstance(r.value, str):
            assert unicodedata.is_normalized("NFC", r.value)
        for p in r.problems:
            assert p.vi and p.en


@pytest.mark.parametrize("validate", VALIDATORS)
def test_non_str_input_does_not_raise(validate: Callable[[Any], Result[Any]]) -> None:
    assert isinstance(validate(None), Result)
