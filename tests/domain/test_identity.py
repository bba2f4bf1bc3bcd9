"""ID-card QR payloads and 12-digit personal ID numbers."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from domain.vn_names import syllables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import Problem
from app.domain.identity import (
    BIRTH_PROVINCES,
    FEMALE,
    MALE,
    QrIdentity,
    _parse,
    describe_personal_id,
    normalize_gender,
    parse_cccd_qr,
    validate_old_id,
    validate_personal_id,
)

TODAY = date(2026, 6, 1)
ADDRESS = "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
SAMPLE = f"001090123456|012345678|NGUYEN VAN A|01011990|Nam|{ADDRESS}|15042021"


def parse(payload: str) -> QrIdentity:
    return parse_cccd_qr(payload, today=TODAY)


def codes(problems: tuple[Problem, ...] | list[Problem]) -> set[str]:
    return {p.code for p in problems}


def assert_sample(r: QrIdentity, *, old_id: str | None = "012345678", name: str = "NGUYEN VAN A") -> None:
    assert r.personal_id == "001090123456"
    assert r.old_id == old_id
    assert r.full_name == name
    assert r.birth_date == date(1990, 1, 1)
    assert r.birth_year == 1990
    assert r.gender == MALE
    assert r.address == ADDRESS
    assert r.issue_date == date(2021, 4, 15)
    assert r.problems == ()
    assert r.ok


# ------------------------------------------------------------------------------------------ QR payload


def test_seven_field_payload() -> None:
    assert_sample(parse(SAMPLE))


def test_six_field_payload_without_old_id() -> None:
    assert_sample(parse(f"001090123456|NGUYEN VAN A|01011990|Nam|{ADDRESS}|15042021"), old_id=None)


def test_empty_old_id_field() -> None:
    assert_sample(parse(f"001090123456||NGUYEN VAN A|01011990|Nam|{ADDRESS}|15042021"), old_id=None)


@pytest.mark.parametrize(
    "payload",
    [
        SAMPLE + "\r\n",
        SAMPLE + "\n\n",
        SAMPLE + "\r\n\r\n",
        SAMPLE + "   ",
        SAMPLE + "\t",
        "\r\n" + SAMPLE,
        "]Q1" + SAMPLE,
        "]Q1" + SAMPLE + "\r\n",
        "  ]Q3" + SAMPLE,
        "~" + SAMPLE,
        "x" + SAMPLE + "~",
        "\x02" + SAMPLE + "\x03",
        "\ufeff" + SAMPLE,
        SAMPLE + "\n" + SAMPLE,
        SAMPLE + "\r\n" + SAMPLE + "\r\n",
        SAMPLE + SAMPLE,
        SAMPLE + " " + SAMPLE,
        "]Q1" + SAMPLE + "]Q1" + SAMPLE,
        "garbage line\n" + SAMPLE,
        SAMPLE.replace("|", " | "),
    ],
)
def test_scanner_noise_is_tolerated(payload: str) -> None:
    assert_sample(parse(payload))


def test_nfd_input_gives_nfc_fields() -> None:
    payload = "037153000257||Trần Thị Bích Ngọc|01011953|Nữ|Xã Gia Sinh, Huyện Gia Viễn, Ninh Bình|01012022"
    r = parse(unicodedata.normalize("NFD", payload))
    assert r.ok, r.problems
    assert r.full_name == "Trần Thị Bích Ngọc"
    assert unicodedata.is_normalized("NFC", r.full_name)
    assert r.address == "Xã Gia Sinh, Huyện Gia Viễn, Ninh Bình"
    assert r.gender == FEMALE


@pytest.mark.parametrize(
    "gender", ["Nữ", "nữ", "NỮ", "Nu", "NU", "nu", "N\u1eef", "Nu\u0303\u031b", "N?", "N\ufffd"]
)
def test_female_spellings(gender: str) -> None:
    r = parse(f"037153000257||Trần Thị B|01011953|{gender}|Xã X, Ninh Bình|01012022")
    assert r.gender == FEMALE
    assert r.ok, r.problems


@pytest.mark.parametrize("gender", ["Nam", "NAM", "nam", " Nam "])
def test_male_spellings(gender: str) -> None:
    assert normalize_gender(gender) == MALE


@pytest.mark.parametrize("text", ["", "X", "Nam Định", "Nữa", None])
def test_not_a_gender(text: str | None) -> None:
    assert normalize_gender(text) is None


def test_name_case_is_kept_and_spaces_cleaned() -> None:
    r = parse(f"001090123456||  Nguyễn   văn  AN |01011990|Nam|{ADDRESS}|15042021")
    assert r.full_name == "Nguyễn văn AN"


def test_fields_recognised_by_pattern_when_out_of_place() -> None:
    # The old ID after the name: still recognised as the old ID, not as the name.
    r = parse(f"001090123456|NGUYEN VAN A|012345678|01011990|Nam|{ADDRESS}|15042021")
    assert r.old_id == "012345678"
    assert r.full_name == "NGUYEN VAN A"
    assert r.ok


def test_twelve_digit_old_id() -> None:
    r = parse(f"001090123456|001090654321|NGUYEN VAN A|01011990|Nam|{ADDRESS}|15042021")
    assert r.personal_id == "001090123456"
    assert r.old_id == "001090654321"
    assert r.full_name == "NGUYEN VAN A"


def test_line_break_inside_the_payload() -> None:
    assert_sample(parse(SAMPLE.replace("Nghé, ", "Nghé,\r\n")))


def test_extra_trailing_fields_are_ignored() -> None:
    r = parse(SAMPLE + "|NGUYEN VAN B|TRAN THI C|")
    assert_sample(r)


def test_address_with_pipe_inside_is_joined() -> None:
    r = parse("001090123456||NGUYEN VAN A|01011990|Nam|Tổ 5|Phường Trần Phú, Bắc Giang|15042021")
    assert r.address == "Tổ 5, Phường Trần Phú, Bắc Giang"
    assert r.issue_date == date(2021, 4, 15)


def test_birth_date_with_only_the_year() -> None:
    r = parse("037153000257||Trần Thị B|00001953|Nữ|Xã X|01012022")
    assert r.birth_date is None
    assert r.birth_year == 1953
    assert codes(r.problems) == {"qr.birth_year_only"}
    assert not r.ok and r.readable


def test_invalid_dates_are_reported() -> None:
    r = parse(f"001090123456||NGUYEN VAN A|32131990|Nam|{ADDRESS}|31022021")
    assert r.birth_date is None and r.issue_date is None
    assert {"qr.bad_birth_date", "qr.bad_issue_date"} <= codes(r.problems)
    assert all(p.field in {"birth_date", "issue_date"} for p in r.problems)


def test_implausible_dates_are_reported() -> None:
    r = parse(f"001090123456||NGUYEN VAN A|01011990|Nam|{ADDRESS}|01011980")
    assert "qr.implausible_issue_date" in codes(r.problems)
    r = parse(f"001290123456||NGUYEN VAN A|01012090|Nam|{ADDRESS}|01012021")
    assert "qr.implausible_birth_date" in codes(r.problems)


def test_garbled_name_from_a_scanner_without_unicode() -> None:
    r = parse(f"001090123456||Nguy?n V?n A|01011990|Nam|{ADDRESS}|15042021")
    assert r.full_name == "Nguy?n V?n A"
    assert codes(r.problems) == {"qr.name_garbled"}
    assert r.problems[0].field == "full_name"


def test_inconsistent_id_is_reported() -> None:
    # Digit 4 says female, the card says Nam; digits 5-6 say 1991.
    r = parse(f"001191123456||NGUYEN VAN A|01011990|Nam|{ADDRESS}|15042021")
    assert {"id.gender_mismatch", "id.birth_year_mismatch"} <= codes(r.problems)
    assert r.personal_id == "001191123456"


def test_missing_fields_are_reported() -> None:
    r = parse("001090123456||NGUYEN VAN A|01011990")
    assert r.personal_id == "001090123456"
    assert r.full_name == "NGUYEN VAN A"
    assert {"qr.no_gender", "qr.no_address", "qr.no_issue_date"} <= codes(r.problems)


def test_id_unreadable_but_rest_readable() -> None:
    r = parse(f"00109012345|012345678|NGUYEN VAN A|01011990|Nam|{ADDRESS}|15042021")
    assert r.personal_id == ""
    assert r.full_name == "NGUYEN VAN A"
    problem = next(p for p in r.problems if p.code == "qr.no_personal_id")
    assert problem.field == "personal_id"
    assert problem.vi.startswith("Không đọc được")


def test_bare_id_number() -> None:
    r = parse("001090123456\r\n")
    assert r.personal_id == "001090123456"
    assert codes(r.problems) == {"qr.only_id"}


@pytest.mark.parametrize("payload", ["", "   ", "\r\n\r\n", "hello", "a|b|c", "|||||||", "]Q1", "12|34|56"])
def test_hopeless_payload(payload: str) -> None:
    r = parse(payload)
    assert r == QrIdentity(problems=r.problems)
    assert len(r.problems) == 1
    assert r.problems[0].code in {"qr.empty", "qr.unreadable"}
    assert r.problems[0].vi and r.problems[0].en
    assert not r.ok and not r.readable


def test_non_str_payload_does_not_raise() -> None:
    r = parse_cccd_qr(None)  # type: ignore[arg-type]
    assert not r.ok


# --- property tests

# As printed on a card: NFC text.
names = st.lists(syllables(), min_size=2, max_size=5).map(
    lambda words: unicodedata.normalize("NFC", " ".join(words))
)


@st.composite
def identities(draw: st.DrawFn) -> tuple[str, date, str, str, date, str | None]:
    birth = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2024, 12, 31)))
    gender = draw(st.sampled_from([MALE, FEMALE]))
    province = draw(st.sampled_from(sorted(BIRTH_PROVINCES)))
    digit = (birth.year // 100 - 19) * 2 + (gender == FEMALE)
    serial = draw(st.text("0123456789", min_size=6, max_size=6))
    pid = f"{province}{digit}{birth.year % 100:02d}{serial}"
    issue = draw(st.dates(min_value=max(birth, date(2016, 1, 1)), max_value=TODAY))
    old_id = draw(st.none() | st.text("0123456789", min_size=9, max_size=9))
    return pid, birth, gender, draw(names), issue, old_id


_NOISE = st.sampled_from(["", "]Q1", "]Q0", "~", "\x02", "\ufeff", "  "])
_ENDS = st.sampled_from(["", "\r", "\n", "\r\n", "\r\n\r\n", "\t", "  ", "\x03"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    identities(),
    _NOISE,
    _ENDS,
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "\n", "\r\n"]),
)
def test_valid_payloads_are_read_whatever_the_noise(
    ident: tuple[str, date, str, str, date, str | None],
    prefix: str,
    end: str,
    six_fields: bool,
    nfd: bool,
    twice: bool,
    between: str,
) -> None:
    pid, birth, gender, name, issue, old_id = ident
    fields = [pid] + ([] if six_fields else [old_id or ""])
    address = "Thôn Đông, Xã Tân Dĩnh, Lạng Giang, Bắc Giang"
    fields += [name, f"{birth:%d%m%Y}", gender, address, f"{issue:%d%m%Y}"]
    payload = prefix + "|".join(fields) + end
    if twice:
        payload = payload + between + payload
    if nfd:
        payload = unicodedata.normalize("NFD", payload)
    r = parse(payload)
    assert r.problems == (), r.problems
    assert r.personal_id == pid
    assert r.old_id == (None if six_fields else old_id)
    assert r.full_name == unicodedata.normalize("NFC", name)
    assert r.birth_date == birth
    assert r.gender == gender
    assert r.address == address
    assert r.issue_date == issue


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    r = _parse(text, TODAY)  # without the safety net of parse_cccd_qr
    assert isinstance(r, QrIdentity)
    assert r.ok or r.problems
    for p in r.problems:
        assert p.vi and p.en


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "001090123456",
                "012345678",
                "01011990",
                "Nam",
                "Nữ",
                "",
                "x",
                "Tổ 5",
                "31022021",
                "00001950",
                "|",
                "]Q1",
                "\r\n",
            ]
        ),
        max_size=12,
    ).map("|".join)
)
def test_pipe_soup_never_raises(text: str) -> None:
    r = _parse(text, TODAY)
    assert isinstance(r, QrIdentity)


# ------------------------------------------------------------------------------------------ personal ID


def test_birth_provinces_table() -> None:
    assert len(BIRTH_PROVINCES) == 63
    assert all(len(c) == 3 and c.isdigit() and c.startswith("0") for c in BIRTH_PROVINCES)
    assert BIRTH_PROVINCES["001"] == "Hà Nội"
    assert BIRTH_PROVINCES["024"] == "Bắc Giang"
    assert BIRTH_PROVINCES["027"] == "Bắc Ninh"
    assert BIRTH_PROVINCES["096"] == "Cà Mau"
    assert all(unicodedata.is_normalized("NFC", n) for n in BIRTH_PROVINCES.values())


@pytest.mark.parametrize(
    ("pid", "province", "century", "gender", "year"),
    [
        ("001087123456", "Hà Nội", 1900, MALE, 1987),
        ("037153000257", "Ninh Bình", 1900, FEMALE, 1953),
        ("024205000001", "Bắc Giang", 2000, MALE, 2005),
        ("027318999999", "Bắc Ninh", 2000, FEMALE, 2018),
    ],
)
def test_describe_personal_id(pid: str, province: str, century: int, gender: str, year: int) -> None:
    info = describe_personal_id(pid)
    assert info is not None
    assert (info.province_name, info.century) == (province, century)
    assert (info.gender, info.birth_year) == (gender, year)
    assert info.province_code == pid[:3] and info.serial == pid[6:]
    assert validate_personal_id(pid, today=TODAY) == []


@pytest.mark.parametrize(
    "pid", ["", "00108712345", "0010871234567", "00108712345a", "００１０８７１２３４５６"]
)
def test_describe_refuses_malformed(pid: str) -> None:
    assert describe_personal_id(pid) is None


def test_describe_unknown_province() -> None:
    info = describe_personal_id("003087123456")
    assert info is not None and info.province_name is None


@pytest.mark.parametrize(
    ("pid", "code"),
    [
        ("", "id.missing"),
        ("   ", "id.missing"),
        ("00108712345", "id.length"),
        ("0010871234567", "id.length"),
        ("001 087 123 456", "id.not_digits"),
        ("00108712345O", "id.not_digits"),
        ("００１０８７１２３４５６", "id.not_digits"),
        ("١٢٣٤٥٦٧٨٩٠١٢", "id.not_digits"),
        ("003087123456", "id.province_unknown"),
        ("099087123456", "id.province_unknown"),
        ("001487123456", "id.birth_year_future"),
        ("001299123456", "id.birth_year_future"),
    ],
)
def test_malformed_personal_ids(pid: str, code: str) -> None:
    problems = validate_personal_id(pid, today=TODAY)
    assert code in codes(problems)
    for p in problems:
        assert p.field == "personal_id"
        assert p.vi and p.en and p.vi != p.en


def test_id_agrees_with_birth_date_and_gender() -> None:
    assert validate_personal_id("001087123456", date(1987, 5, 6), "Nam", today=TODAY) == []
    assert validate_personal_id("037153000257", date(1953, 1, 1), "nu", today=TODAY) == []
    assert validate_personal_id("001205123456", date(2005, 1, 1), MALE, today=TODAY) == []
    assert validate_personal_id("001087123456", None, None, birth_year=1987, today=TODAY) == []


def test_id_disagreements() -> None:
    pid = "001087123456"
    assert codes(validate_personal_id(pid, date(1988, 1, 1), today=TODAY)) == {"id.birth_year_mismatch"}
    assert codes(validate_personal_id(pid, date(2087, 1, 1), today=TODAY)) == {"id.century_mismatch"}
    assert codes(validate_personal_id("001087123456", gender="Nữ", today=TODAY)) == {"id.gender_mismatch"}
    assert codes(validate_personal_id("001187123456", gender="Nam", today=TODAY)) == {"id.gender_mismatch"}
    assert codes(validate_personal_id("001087123456", None, None, birth_year=1986, today=TODAY)) == {
        "id.birth_year_mismatch"
    }
    # An unknown gender spelling is not a disagreement.
    assert validate_personal_id("001087123456", gender="?", today=TODAY) == []


def test_field_name_can_be_chosen() -> None:
    (p,) = validate_personal_id("1", field="applicant_id")
    assert p.field == "applicant_id"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_validate_personal_id_never_raises(text: str) -> None:
    for p in validate_personal_id(text, date(1990, 1, 1), text):
        assert isinstance(p, Problem)
    describe_personal_id(text)
    validate_old_id(text)


@pytest.mark.parametrize(
    ("old_id", "code"),
    [
        ("", "old_id.missing"),
        ("12345678", "old_id.length"),
        ("1234567890", "old_id.length"),
        ("12345678x", "old_id.not_digits"),
    ],
)
def test_old_id(old_id: str, code: str) -> None:
    (p,) = validate_old_id(old_id)
    assert p.code == code and p.field == "old_id"


def test_old_id_ok() -> None:
    assert validate_old_id("012345678") == []
    assert validate_old_id(" 012345678 ") == []
