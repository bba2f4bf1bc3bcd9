"""Bad input everywhere: every parser and validator, the receive use case and the command line, fed random
and near-valid input with Hypothesis. Never a crash; a refusal is always a ``Problem`` with a Vietnamese
sentence (and its English twin); on the command line exit 0 or 1, never 70 ("unexpected"), never a
traceback.

Bounded for CI (≤ 200 examples per property, ``MOTCUA_FAULT_EXAMPLES`` for more) and derandomised (the same
examples every run) unless ``MOTCUA_FAULT_SEED`` is set. The tests at the end pin inputs that once
ended in an unexpected error (years past 9998, pages past 2**63).
"""

from __future__ import annotations

import io
import string
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from faults.harness import fuzz_settings, is_vietnamese
from hypothesis import given
from hypothesis import strategies as st

from app.domain import codes, identity
from app.domain import validation as v
from app.domain.errors import DomainError, Problem
from app.models.db import Store
from app.services import dossiers as svc
from app.services.audit import Actor

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
#: The whole range of dates Python can parse (years beyond 2099 are refused with a message).
MAX_YEAR = 9999
#: Far beyond SQLite's 64-bit integers (search clamps the page).
MAX_PAGE = 2**70

# --- strategies -------------------------------------------------------------------------------------

#: Any code point, lone surrogates and NUL included ("validators never raise on any str input").
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=120)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "\ufeff",
        "\u200b",
        "\u202e",
        "\n\r\t",
        "０９１２３４５６７８",  # fullwidth digits
        "٠١٢٣",  # Arabic-Indic digits
        "e\u0301",  # combining accent
        "Ð",
        "𝟗",
        "ǅ",
        "ﬀ",
        "İ",
        "ß" * 50,
        "9" * 400,
        "-1",
        "+84",
        "0084",
        "@",
        "a@b",
        "..",
        "31/02/2024",
        "00/00/0000",
        "29/02/1900",
        "2024-13-01",
        "99999999",
        "|||||",
        "]Q1",
    ]
)
TEXT = ANY_TEXT | NASTY | st.lists(NASTY, max_size=5).map("".join)
#: Text a process could get in its argv (no NUL, no lone surrogates).
ARG_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)


def check_problems(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for p in problems:
        assert isinstance(p, Problem) and p.code, p
        assert is_vietnamese(p.vi) and p.en, p


def check_result(result: v.Result[Any]) -> None:
    assert isinstance(result, v.Result)
    if result.problems:
        assert result.value is None
        check_problems(result.problems)


# --- the ID card's QR payload ---------------------------------------------------------------------------


@st.composite
def qr_payloads(draw: st.DrawFn) -> str:
    """Near-valid payloads: ID|old ID|name|birth|gender|address|issue, with fields swapped, missing, noisy."""
    digits = st.text(string.digits, min_size=0, max_size=14)
    dates = st.dates(date(1800, 1, 1), date(2200, 12, 31)).map(lambda d: d.strftime("%d%m%Y")) | st.text(
        string.digits + "/.-", max_size=10
    )
    field = st.one_of(
        digits,
        dates,
        st.sampled_from(["Nam", "Nữ", "Nu", "N?", "nam ", "F", ""]),
        st.sampled_from(["Nguyễn Văn Đức", "H'Hen Niê", "NGUYEN VAN A", "Lê  Thị\tHồng"]),
        st.sampled_from(["Phường Bắc Giang, Tỉnh Bắc Ninh", "Thôn 3, xã Ea Kao"]),
        TEXT,
    )
    fields = draw(st.lists(field, min_size=0, max_size=9))
    sep = draw(st.sampled_from(["|", "¦", "│", "｜", " | ", "||"]))
    body = sep.join(fields)
    prefix = draw(st.sampled_from(["", "]Q1", " ", "\ufeff", "noise"]))
    suffix = draw(st.sampled_from(["", "\r", "\n", "\r\n", "\t", "]Q1", body]))
    return prefix + body + suffix


@fuzz_settings(200)
@given(payload=TEXT | qr_payloads(), today=st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_qr_parser_never_fails(payload: str, today: date) -> None:
    # parse_cccd_qr turns any exception of its own into "unreadable"; the internal parser must not need it.
    got = identity._parse(payload, today)
    assert got == identity.parse_cccd_qr(payload, today=today)
    check_problems(got.problems)
    if got.readable:
        assert len(got.personal_id) == 12 and got.personal_id.isascii() and got.personal_id.isdigit()
    else:
        assert got.problems  # nothing read: the operator is told why


# --- validators ----------------------------------------------------------------------------------------


@fuzz_settings(200)
@given(text=TEXT, required=st.booleans(), today=st.dates(date(1950, 1, 1), date(2150, 1, 1)))
def test_text_validators_never_fail(text: str, required: bool, today: date) -> None:
    check_result(v.validate_name(text, required=required))
    check_result(v.validate_phone(text, required=required))
    check_result(v.validate_email(text, required=required))
    check_result(v.validate_text(text, required=required))
    check_result(v.validate_address(text, required=required))
    check_result(v.validate_date(text, required=required, allow_future=False, today=today))
    check_result(v.validate_date(text, allow_past=False, today=today))
    check_result(v.validate_count(text, required=required))
    check_result(v.validate_id_number(text, required=required, allow_old=True))
    phone = v.normalize_phone(text)
    assert phone is None or (phone.isdigit() and v.format_phone(phone))
    assert identity.normalize_gender(text) in (None, identity.MALE, identity.FEMALE)
    assert identity.describe_personal_id(text) is None or len(text.strip()) == 12


@fuzz_settings(200)
@given(
    pid=st.text(string.digits, min_size=12, max_size=12) | TEXT,
    birth=st.none() | st.dates(date(1, 1, 1), date(9999, 12, 31)),
    gender=st.none() | TEXT | st.sampled_from(["Nam", "Nữ"]),
    count=st.integers() | st.booleans() | TEXT,
    today=st.dates(date(1, 1, 1), date(9999, 12, 31)),
)
def test_id_and_count_validators_never_fail(
    pid: str, birth: date | None, gender: str | None, count: Any, today: date
) -> None:
    check_result(v.validate_id_number(pid, birth_date=birth, gender=gender))
    check_problems(identity.validate_personal_id(pid, birth, gender, today=today))
    check_problems(identity.validate_old_id(pid))
    check_result(v.validate_count(count))
    check_result(v.validate_date(birth or pid, today=today, allow_future=False))


# --- dossier codes ---------------------------------------------------------------------------------------


@st.composite
def near_codes(draw: st.DrawFn) -> str:
    eid = draw(st.sampled_from(["000.10.24.H06", "000.17.22.H56", "H56", "", "a.b", "0" * 36]) | ARG_TEXT)
    day = draw(
        st.text(string.digits, min_size=5, max_size=7) | st.sampled_from(["991231", "000000", "240230"])
    )
    number = draw(
        st.text(string.digits, min_size=0, max_size=6) | st.sampled_from(["0000", "00001", "99999"])
    )
    sep = draw(st.sampled_from(["-", "–", " - ", "_", ""]))
    return sep.join((eid, day, number))


@fuzz_settings(200)
@given(code=TEXT | near_codes())
def test_code_parser_never_fails(code: str) -> None:
    try:
        parsed = codes.parse_code(code)
    except DomainError as exc:
        check_problems(exc.problems)
        return
    assert codes.format_code(*parsed) == code  # only the canonical spelling is accepted


@fuzz_settings(200)
@given(eid=TEXT, day=st.dates(), number=st.integers())
def test_code_builder_refuses_with_a_problem(eid: str, day: date, number: int) -> None:
    try:
        code = codes.format_code(eid, day, number)
    except DomainError as exc:
        check_problems(exc.problems)
        return
    assert codes.parse_code(code) == (eid, day, number)


# --- the receive use case ----------------------------------------------------------------------------------


@fuzz_settings(100)
@given(data=st.data())
def test_receive_refuses_bad_input_with_problems(store: Store, data: st.DataObject) -> None:
    text = TEXT | st.sampled_from(["Lê Thị Mai", "0912 345 678", "mai@gmail.com", "024190001234", "Nam"])
    applicant = svc.ApplicantInput(
        full_name=data.draw(text, label="name"),
        personal_id=data.draw(st.none() | text, label="id"),
        old_id=data.draw(st.none() | text, label="old id"),
        birth_date=data.draw(st.none() | text | st.dates(date(1, 1, 1), date(9999, 12, 31)), label="birth"),
        gender=data.draw(st.none() | text, label="gender"),
        phone=data.draw(st.none() | text, label="phone"),
        email=data.draw(st.none() | text, label="email"),
        address=data.draw(text, label="address"),
    )
    req = svc.ReceiveRequest(
        procedure_code=data.draw(
            st.sampled_from(["1.001193", "2.000815", "1.001612", "1.013831"]) | ARG_TEXT
        ),
        applicant=applicant,
        commune_code=data.draw(st.none() | st.sampled_from(["07210", "00004", "99999"]) | ARG_TEXT),
        channel=data.draw(st.sampled_from(svc.CHANNELS) | ARG_TEXT),
        sets_count=data.draw(st.integers(-5, 200)),
        result_delivery=data.draw(st.sampled_from(svc.DELIVERIES) | ARG_TEXT),
        notes=data.draw(text),
        received_at=data.draw(st.none() | st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31))),
    )
    try:
        result = svc.receive(store, ACTOR, req)
    except DomainError as exc:
        check_problems(exc.problems)
        return
    assert codes.parse_code(result.code).agency_eid == "000.10.24.H06"


# --- the command line ----------------------------------------------------------------------------------


@pytest.fixture
def cli_store(store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The CLI on the test's store, without re-opening it for every command (each ``main`` disposes the
    engine's connections at its end; the next command opens new ones). ``--data-dir`` still matters: the
    CLI writes its log file there."""
    import app.bootstrap

    monkeypatch.setattr(app.bootstrap, "open_store", lambda *_a, **_k: store)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(data_dir))  # never the user's own data folder
    yield store


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    from app.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    try:
        code = main(argv, out, err)
    except SystemExit as exc:  # argparse refused the command line (usage and reason on stderr)
        code = exc.code if isinstance(exc.code, int) else 2
        assert code == 2
    return code, out.getvalue(), err.getvalue()


def dates_text(max_year: int = MAX_YEAR) -> st.SearchStrategy[str]:
    formats = st.sampled_from(
        ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y"]
    )
    anywhen = st.datetimes(datetime(1, 1, 1), datetime(max_year, 12, 31, 23, 59))
    plausible = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31, 23, 59))
    return (
        st.builds(lambda m, f: m.strftime(f), plausible, formats)
        | st.builds(lambda m, f: m.strftime(f), anywhen, formats)
        | ARG_TEXT
        | NASTY.filter(lambda s: "\x00" not in s and "\ud800" not in s)
    )


@st.composite
def command_lines(draw: st.DrawFn, tmp: Path, code: str) -> list[str]:
    when = dates_text()
    text = ARG_TEXT | st.sampled_from(["Lê Thị Mai", "0912345678", code, "07210", "24", "mai@gmail.com"])
    ref = st.just(code) | text
    procedure = st.sampled_from(["1.001193", "2.000815", "1.001612"]) | text
    kind = draw(
        st.sampled_from(
            ["due", "search", "logbook", "receive", "act", "show", "print", "units", "procedures"]
        )
    )
    if kind == "due":
        return [
            "due",
            "--procedure",
            draw(st.sampled_from(["1.001193", "2.000815"]) | text),
            f"--received={draw(when)}",
        ]
    if kind == "search":
        argv = ["search", draw(text)]
        for opt in ("--from", "--to"):
            if draw(st.booleans()):
                argv.append(f"{opt}={draw(when)}")
        if draw(st.booleans()):
            argv.append(f"--page={draw(st.integers(-MAX_PAGE, MAX_PAGE))}")
        if draw(st.booleans()):
            argv.append(f"--page-size={draw(st.integers(-MAX_PAGE, MAX_PAGE))}")
        return argv
    if kind == "logbook":
        suffix = draw(st.sampled_from([".pdf", ".xlsx", ".txt", ""]))
        return ["logbook", f"--from={draw(when)}", f"--to={draw(when)}", "--out", str(tmp / f"book{suffix}")]
    if kind == "receive":
        argv = ["receive", "--procedure", draw(procedure)]
        if draw(st.booleans()):
            argv.append(f"--qr={draw(st.text(max_size=0) | ARG_TEXT | st.just('024190001234|||'))}")
        else:
            argv.append(f"--name={draw(text)}")
        for opt in (
            "--id",
            "--birth-date",
            "--gender",
            "--phone",
            "--email",
            "--address",
            "--commune",
            "--notes",
        ):
            if draw(st.booleans()):
                argv.append(f"{opt}={draw(when if opt == '--birth-date' else text)}")
        if draw(st.booleans()):
            argv.append(f"--received={draw(when)}")
        return argv
    if kind == "act":
        action = draw(
            st.sampled_from(
                ["apologise", "request_supplement", "forward", "withdraw", "stop", "result_ready"]
            )
        )
        argv = ["act", draw(ref), action, f"--reason={draw(text)}"]
        if draw(st.booleans()):
            argv.append(f"--new-due={draw(when)}")
        if draw(st.booleans()):
            argv.append(f"--to={draw(text)}")
        return argv
    if kind == "show":
        return ["show", draw(ref)]
    if kind == "print":
        form = draw(
            st.sampled_from(["receipt", "receipt-80mm", "supplement", "refusal", "control", "handover"])
        )
        return ["print", form, draw(ref), "--out", str(tmp / "form.pdf")]
    if kind == "units":
        return ["units", draw(text)] if draw(st.booleans()) else ["units", f"--search={draw(text)}"]
    return ["procedures", f"--search={draw(text)}"]


def test_command_line_never_fails_unexpectedly(cli_store: Store, tmp_path: Path) -> None:
    code = svc.receive(
        cli_store, ACTOR, svc.ReceiveRequest("1.001193", svc.ApplicantInput(full_name="Lê Thị Mai"))
    ).code

    seen: Counter[tuple[str, int]] = Counter()

    @fuzz_settings(150)
    @given(argv=command_lines(tmp_path, code), lang=st.sampled_from(["vi", "en"]))
    def run(argv: list[str], lang: str) -> None:
        status, _out, err = run_cli([*argv, f"--lang={lang}"])
        seen[(argv[0], status)] += 1
        assert status in (0, 1, 2), (status, err)
        assert "Traceback" not in err
        if status == 1:  # refused: the reason, in the chosen language
            assert err.strip() and (lang == "en" or is_vietnamese(err)), err

    run()
    print(f"\ncommand lines (command, exit status): {dict(sorted(seen.items()))}")


# --- inputs that once ended in an unexpected error (found by the properties above) ---------------------


def test_due_date_near_the_end_of_time_is_refused(cli_store: Store) -> None:
    status, _out, err = run_cli(["due", "--procedure", "1.001193", "--received=9999-12-31 23:59"])
    assert status == 1 and is_vietnamese(err), (status, err)


def test_logbook_at_the_end_of_time_is_refused(cli_store: Store, tmp_path: Path) -> None:
    status, _out, err = run_cli(
        ["logbook", "--from=9999-12-31", "--to=9999-12-31", "--out", str(tmp_path / "book.pdf")]
    )
    assert status == 1 and is_vietnamese(err), (status, err)


def test_search_page_beyond_64_bits_is_refused(cli_store: Store) -> None:
    status, _out, err = run_cli(["search", "--page=184467440737095518"])
    assert status in (0, 1) and "Traceback" not in err, (status, err)
