"""Validation of what the operator types at the counter.

Every validator takes the raw text (or value) and returns a :class:`Result`: the normalised value when
the input is acceptable, the problems (Vietnamese and English) otherwise. Validators never raise on
any ``str`` input. The rule of the counter is that **valid input is never refused**: a name in any
script, with hyphens and apostrophes; a phone number written with +84, spaces, dots or dashes; a date
as 05/07/2025, 5/7/2025, 2025-07-05 or 05072025.

Blank optional input is accepted: strings normalise to ``""``, dates and counts to ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from app.domain.errors import DomainError, Problem
from app.domain.identity import validate_old_id, validate_personal_id
from app.domain.text import nfc

T = TypeVar("T")

NAME_MAX_LENGTH = 100
ADDRESS_MAX_LENGTH = 500
NOTES_MAX_LENGTH = 2000
EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True, slots=True)
class Result(Generic[T]):
    """The normalised value (``None`` when refused) and the problems found."""

    value: T | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def value_or_raise(self) -> T | None:
        """The value, or :class:`DomainError` with the problems."""
        if self.problems:
            raise DomainError(self.problems)
        return self.value


def _ok(value: T | None) -> Result[T]:
    return Result(value, ())


def _fail(*problems: Problem) -> Result[T]:
    return Result(None, tuple(problems))


# Characters that carry nothing and arrive with pasted text: BOM, zero-width space/joiners, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"))
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u02bb`\u00b4\u2032", "'"))
_HYPHENS = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
# ``str.translate`` with a table looks every character up in Python: run it only on text that has one.
_HAS_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
_HAS_TYPOGRAPHIC = re.compile("[\u2019\u2018\u02bc\u02bb`\u00b4\u2032\u2010\u2011\u2012\u2013\u2014\u2212]")
_SPACES = re.compile(r"\s+")


def _prepare(text: object) -> str:
    """NFC, without invisible characters. Non-``str`` input becomes ``""`` (the UI always gives str)."""
    if not isinstance(text, str):
        return ""
    text = nfc(text)
    return text.translate(_INVISIBLE) if _HAS_INVISIBLE.search(text) else text


def _is_bad_control(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cs"} and not ch.isspace()


# Cc (U+0000–U+001F, U+007F–U+009F) and Cs (U+D800–U+DFFF) are closed sets by Unicode's stability
# policy, so one character class finds them in C; a Python step per character cost ~5 µs a field.
_BAD_CONTROL = re.compile(
    "["
    + "".join(
        re.escape(chr(c))
        for c in (*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000))
        if _is_bad_control(chr(c))
    )
    + "]"
)


def _bad_controls(text: str) -> list[str]:
    """Control characters (other than white space) and lone surrogates in ``text``."""
    if _BAD_CONTROL.search(text) is None:
        return []
    return [ch for ch in text if _is_bad_control(ch)]


def _show(chars: list[str]) -> str:
    """List offending characters for a message: printable ones quoted, others as U+XXXX."""
    seen: list[str] = []
    for ch in chars:
        shown = f"\u201c{ch}\u201d" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
        if shown not in seen:
            seen.append(shown)
    return ", ".join(seen[:5])


def _missing(prefix: str, field: str, vi_what: str, en_what: str) -> Problem:
    return Problem(f"{prefix}.missing", f"Chưa nhập {vi_what}.", f"The {en_what} is missing.", field)


def _control_problem(prefix: str, field: str, vi_what: str, en_what: str, bad: list[str]) -> Problem:
    return Problem(
        f"{prefix}.control",
        f"{vi_what.capitalize()} có ký tự điều khiển không hợp lệ ({_show(bad)}).",
        f"The {en_what} contains invalid control characters ({_show(bad)}).",
        field,
    )


# --------------------------------------------------------------------------------------------------
# Person names
# --------------------------------------------------------------------------------------------------

_NAME_PUNCTUATION = frozenset(" -'.")


def validate_name(
    text: str, *, field: str = "full_name", required: bool = True, max_length: int = NAME_MAX_LENGTH
) -> Result[str]:
    """A person's name: any letters of any script (all Vietnamese letters and tone marks, ethnic-minority
    names such as "H'Hen Niê" or "Ksor H'Bla", foreign names), spaces, hyphens, apostrophes and dots.

    Normalised to NFC with single spaces; typographic apostrophes and dashes become ``'`` and ``-``.
    The case is kept as typed. Digits, control characters and other symbols are refused.
    """
    raw = _prepare(text)
    bad = _bad_controls(raw)
    if bad:
        return _fail(_control_problem("name", field, "họ tên", "name", bad))
    if _HAS_TYPOGRAPHIC.search(raw):
        raw = raw.translate(_APOSTROPHES).translate(_HYPHENS)
    name = _SPACES.sub(" ", raw).strip()
    if not name:
        return _fail(_missing("name", field, "họ tên", "name")) if required else _ok("")
    problems: list[Problem] = []
    if len(name) > max_length:
        problems.append(
            Problem(
                "name.too_long",
                f"Họ tên quá dài ({len(name)} ký tự, tối đa {max_length}).",
                f"The name is too long ({len(name)} characters, at most {max_length}).",
                field,
            )
        )
    digits = [ch for ch in name if unicodedata.category(ch) == "Nd"]
    if digits:
        problems.append(
            Problem("name.digits", "Họ tên không được có chữ số.", "A name may not contain digits.", field)
        )
    others = [
        ch
        for ch in name
        if ch not in _NAME_PUNCTUATION
        and unicodedata.category(ch)[0] not in "LM"
        and unicodedata.category(ch) != "Nd"
    ]
    if others:
        problems.append(
            Problem(
                "name.bad_chars",
                f"Họ tên có ký tự không hợp lệ: {_show(others)}.",
                f"The name contains characters not allowed in a name: {_show(others)}.",
                field,
            )
        )
    if not any(unicodedata.category(ch)[0] == "L" for ch in name):
        problems.append(
            Problem("name.no_letter", "Họ tên phải có chữ cái.", "A name must contain letters.", field)
        )
    return _fail(*problems) if problems else _ok(name)


# --------------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s.\-()/\u00b7]+")
MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
LANDLINE_PREFIX = "02"


def normalize_phone(text: str) -> str | None:
    """The national form ``0xxxxxxxxx`` (mobile, 10 digits) or ``02xxxxxxxxx`` (landline, 11 digits) of
    a Vietnamese phone number, or ``None`` when ``text`` is not one."""
    result = validate_phone(text, required=True)
    return result.value if result.ok else None


def validate_phone(text: str, *, field: str = "phone", required: bool = False) -> Result[str]:
    """A Vietnamese phone number, normalised to its national form without separators.

    Mobiles have 10 digits and start with 03, 05, 07, 08 or 09; landlines have 11 digits and start
    with 02 (area code, e.g. 0204 for Bắc Giang, 024 for Hà Nội). Accepted: a +84, 84 or 0084 prefix
    (with an optional "(0)"), spaces, dots, dashes and brackets, and a mobile number missing its
    leading 0 (9 digits).
    """
    raw = _prepare(text)
    bad = _bad_controls(raw)
    if bad:
        return _fail(_control_problem("phone", field, "số điện thoại", "phone number", bad))
    s = unicodedata.normalize("NFKC", raw).strip()
    if not s:
        return _fail(_missing("phone", field, "số điện thoại", "phone number")) if required else _ok("")
    compact = _PHONE_SEPARATORS.sub("", s)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits or not all(ch in "0123456789" for ch in digits):
        return _fail(
            Problem(
                "phone.bad_chars",
                f"Số điện thoại chỉ gồm chữ số (có thể có +84, dấu cách, dấu chấm, gạch ngang): "
                f"\u201c{s}\u201d.",
                f"A phone number has only digits (optionally +84, spaces, dots, dashes): \u201c{s}\u201d.",
                field,
            )
        )
    if plus or digits.startswith("0084"):
        rest = digits[2:] if digits.startswith("0084") else digits
        if not rest.startswith("84"):
            return _fail(
                Problem(
                    "phone.foreign",
                    "Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84).",
                    "Only Vietnamese phone numbers (country code +84) are accepted.",
                    field,
                )
            )
        national = "0" + rest[2:].removeprefix("0")
    elif digits.startswith("84") and len(digits) in (11, 12):
        national = "0" + digits[2:]
    elif not digits.startswith("0") and (len(digits) == 9 or (len(digits) == 10 and digits[0] == "2")):
        national = "0" + digits
    else:
        national = digits
    if national.startswith(LANDLINE_PREFIX):
        if len(national) == 11:
            return _ok(national)
        return _fail(
            Problem(
                "phone.length",
                f"Số máy bàn phải có 11 chữ số kể cả mã vùng (đang có {len(national)}), ví dụ 0204 3855 123.",
                f"A landline number has 11 digits including the area code ({len(national)} "
                "given), e.g. 0204 3855 123.",
                field,
            )
        )
    if national.startswith(MOBILE_PREFIXES):
        if len(national) == 10:
            return _ok(national)
        return _fail(
            Problem(
                "phone.length",
                f"Số di động phải có 10 chữ số (đang có {len(national)}), ví dụ 0912 345 678.",
                f"A mobile number has 10 digits ({len(national)} given), e.g. 0912 345 678.",
                field,
            )
        )
    return _fail(
        Problem(
            "phone.prefix",
            "Số điện thoại phải bắt đầu bằng 03, 05, 07, 08, 09 (di động) hoặc 02 (máy bàn).",
            "A phone number starts with 03, 05, 07, 08, 09 (mobile) or 02 (landline).",
            field,
        )
    )


def format_phone(national: str) -> str:
    """Group a normalised number for display and printing: "0912 345 678", "024 3825 1234",
    "0204 3855 123". Anything else is returned unchanged."""
    if len(national) == 10 and national.startswith(MOBILE_PREFIXES):
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    if len(national) == 11 and national.startswith(LANDLINE_PREFIX):
        if national[:3] in {"024", "028"}:
            return f"{national[:3]} {national[3:7]} {national[7:]}"
        return f"{national[:4]} {national[4:8]} {national[8:]}"
    return national


# --------------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------------

_LOCAL_FORBIDDEN = frozenset('()<>[]\\,;:"@')


def validate_email(text: str, *, field: str = "email", required: bool = False) -> Result[str]:
    """An e-mail address, checked pragmatically: one "@", a plausible local part, a domain with at least
    two labels of letters (any script: internationalised domains are fine), digits and hyphens.
    The domain is lower-cased; the local part is kept as typed."""
    raw = _prepare(text)
    bad = _bad_controls(raw)
    if bad:
        return _fail(_control_problem("email", field, "địa chỉ email", "e-mail address", bad))
    s = raw.strip()
    if not s:
        return _fail(_missing("email", field, "địa chỉ email", "e-mail address")) if required else _ok("")

    def invalid(vi_why: str, en_why: str) -> Result[str]:
        return _fail(
            Problem(
                "email.invalid",
                f"Địa chỉ email \u201c{s}\u201d không hợp lệ: {vi_why}.",
                f"The e-mail address \u201c{s}\u201d is not valid: {en_why}.",
                field,
            )
        )

    if any(ch.isspace() for ch in s):
        return invalid("có dấu cách", "it contains spaces")
    if len(s) > EMAIL_MAX_LENGTH:
        return invalid(
            f"dài quá {EMAIL_MAX_LENGTH} ký tự", f"it is longer than {EMAIL_MAX_LENGTH} characters"
        )
    if s.count("@") != 1:
        return invalid("phải có đúng một dấu @", "it must contain exactly one @")
    local, domain = s.split("@")
    if (
        not local
        or len(local) > 64
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or any(ch in _LOCAL_FORBIDDEN for ch in local)
    ):
        return invalid("phần trước dấu @ không đúng", "the part before the @ is wrong")
    domain = domain.removesuffix(".").lower()
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253:
        return invalid(
            "tên miền sau dấu @ không đúng (ví dụ gmail.com)",
            "the domain after the @ is wrong (e.g. gmail.com)",
        )
    for label in labels:
        if (
            not label
            or len(label) > 63
            or label.startswith("-")
            or label.endswith("-")
            or not all(ch.isalnum() or ch == "-" for ch in label)
        ):
            return invalid(
                "tên miền sau dấu @ không đúng (ví dụ gmail.com)",
                "the domain after the @ is wrong (e.g. gmail.com)",
            )
    if labels[-1].isdigit():
        return invalid(
            "tên miền sau dấu @ không đúng (ví dụ gmail.com)",
            "the domain after the @ is wrong (e.g. gmail.com)",
        )
    return _ok(f"{local}@{domain}")


# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------

_DMY = re.compile(r"([0-9]{1,2})[/.\- ]([0-9]{1,2})[/.\- ]([0-9]{4})")
_YMD = re.compile(r"([0-9]{4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,2})")
_DMY_SHORT = re.compile(r"[0-9]{1,2}[/.\- ][0-9]{1,2}[/.\- ][0-9]{2}")
_DDMMYYYY = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")
_AROUND_SEPARATORS = re.compile(r"\s*([/.\-])\s*")

MIN_YEAR = 1900
MAX_YEAR = 2100


def validate_date(
    text: str | date,
    *,
    field: str = "date",
    required: bool = True,
    allow_future: bool = True,
    allow_past: bool = True,
    min_year: int = MIN_YEAR,
    max_year: int = MAX_YEAR,
    today: date | None = None,
) -> Result[date]:
    """A calendar date written dd/mm/yyyy, d/m/yyyy (also with "-", "." or spaces), yyyy-mm-dd or
    ddmmyyyy. ``allow_future=False`` refuses dates after ``today`` (a birth date, an issue date),
    ``allow_past=False`` dates before it (an appointment). Years outside ``min_year``–``max_year`` are
    refused as implausible."""
    today = today or date.today()
    if isinstance(text, date):
        return _check_date(text, field, allow_future, allow_past, min_year, max_year, today)
    raw = _prepare(text)
    s = _AROUND_SEPARATORS.sub(r"\1", _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip())
    if not s:
        return _fail(_missing("date", field, "ngày", "date")) if required else _ok(None)
    parts: tuple[int, int, int] | None = None
    if m := _DMY.fullmatch(s):
        parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
    elif m := _YMD.fullmatch(s):
        parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _DDMMYYYY.fullmatch(s):
        parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
    elif _DMY_SHORT.fullmatch(s):
        return _fail(
            Problem(
                "date.short_year",
                f"Hãy ghi năm đủ 4 chữ số: \u201c{s}\u201d.",
                f"Write the year with 4 digits: \u201c{s}\u201d.",
                field,
            )
        )
    if parts is None:
        return _fail(
            Problem(
                "date.format",
                f"Không hiểu ngày \u201c{s}\u201d. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/07/2025.",
                f"Cannot read the date \u201c{s}\u201d. Enter it as day/month/year, e.g. 05/07/2025.",
                field,
            )
        )
    try:
        value = date(*parts)
    except ValueError:
        year, month, day = parts
        return _fail(
            Problem(
                "date.invalid",
                f"Ngày {day:02d}/{month:02d}/{year} không có trong lịch.",
                f"The date {day:02d}/{month:02d}/{year} does not exist.",
                field,
            )
        )
    return _check_date(value, field, allow_future, allow_past, min_year, max_year, today)


def _check_date(
    value: date, field: str, allow_future: bool, allow_past: bool, min_year: int, max_year: int, today: date
) -> Result[date]:
    shown = f"{value.day:02d}/{value.month:02d}/{value.year}"
    if not min_year <= value.year <= max_year:
        return _fail(
            Problem(
                "date.implausible",
                f"Năm {value.year} không hợp lý (phải từ {min_year} đến {max_year}).",
                f"The year {value.year} is not plausible (must be {min_year}–{max_year}).",
                field,
            )
        )
    if not allow_future and value > today:
        return _fail(
            Problem("date.future", f"Ngày {shown} ở tương lai.", f"The date {shown} is in the future.", field)
        )
    if not allow_past and value < today:
        return _fail(
            Problem("date.past", f"Ngày {shown} đã qua.", f"The date {shown} is in the past.", field)
        )
    return _ok(value)


# --------------------------------------------------------------------------------------------------
# Counts
# --------------------------------------------------------------------------------------------------


def validate_count(
    value: str | int, *, field: str = "count", minimum: int = 1, maximum: int = 99, required: bool = True
) -> Result[int]:
    """A whole number within ``minimum``–``maximum`` (a number of copies, of dossier sets, …)."""
    if isinstance(value, bool):
        number: int | None = None
    elif isinstance(value, int):
        number = value
    else:
        s = unicodedata.normalize("NFKC", _prepare(value)).strip()
        if not s:
            return _fail(_missing("count", field, "số lượng", "number")) if required else _ok(None)
        number = int(s) if s.isascii() and s.isdigit() and len(s) <= 9 else None
    if number is None:
        return _fail(
            Problem(
                "count.not_number",
                "Số lượng phải là số nguyên, ví dụ 1, 2, 3.",
                "The number must be a whole number, e.g. 1, 2, 3.",
                field,
            )
        )
    if not minimum <= number <= maximum:
        return _fail(
            Problem(
                "count.range",
                f"Số lượng phải từ {minimum} đến {maximum} (đang là {number}).",
                f"The number must be between {minimum} and {maximum} ({number} given).",
                field,
            )
        )
    return _ok(number)


# --------------------------------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------------------------------

_OTHER_SPACES = re.compile(r"[^\S\n]+")  # white space except newline
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def validate_text(
    text: str,
    *,
    field: str = "notes",
    max_length: int = NOTES_MAX_LENGTH,
    required: bool = False,
    multiline: bool = True,
) -> Result[str]:
    """Free text (notes, a request's summary): NFC, no control characters, at most ``max_length``
    characters. Runs of spaces and tabs collapse to one space; line breaks are kept in ``multiline``
    text (at most one blank line in a row) and otherwise joined with ", "."""
    return _text(text, field, max_length, required, multiline, "text", "nội dung", "text")


def validate_address(
    text: str, *, field: str = "address", required: bool = False, max_length: int = ADDRESS_MAX_LENGTH
) -> Result[str]:
    """A postal address on one line (line breaks become ", "), otherwise as :func:`validate_text`."""
    return _text(text, field, max_length, required, False, "address", "địa chỉ", "address")


def _text(
    text: str,
    field: str,
    max_length: int,
    required: bool,
    multiline: bool,
    prefix: str,
    vi_what: str,
    en_what: str,
) -> Result[str]:
    if text == "":  # what the steps below make of it, without them (three empty fields per receive)
        return _fail(_missing(prefix, field, vi_what, en_what)) if required else _ok("")
    raw = _prepare(text).replace("\r\n", "\n").replace("\r", "\n")
    raw = raw.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    raw = raw.replace("\x0b", " ").replace("\x0c", " ")
    bad = _bad_controls(raw)
    if bad:
        return _fail(_control_problem(prefix, field, vi_what, en_what, bad))
    lines = [_OTHER_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    if multiline:
        value = _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    else:
        value = ", ".join(part for line in lines if (part := line.rstrip(",; ").strip()))
    if not value:
        return _fail(_missing(prefix, field, vi_what, en_what)) if required else _ok("")
    if len(value) > max_length:
        return _fail(
            Problem(
                f"{prefix}.too_long",
                f"{vi_what.capitalize()} quá dài ({len(value)} ký tự, tối đa {max_length}).",
                f"The {en_what} is too long ({len(value)} characters, at most {max_length}).",
                field,
            )
        )
    return _ok(value)


# --------------------------------------------------------------------------------------------------
# Identity numbers typed by hand
# --------------------------------------------------------------------------------------------------

_ID_SEPARATORS = re.compile(r"[\s.\-]+")


def validate_id_number(
    text: str,
    *,
    field: str = "personal_id",
    required: bool = True,
    allow_old: bool = False,
    birth_date: date | None = None,
    gender: str | None = None,
) -> Result[str]:
    """A personal ID number typed by hand (12 digits; spaces, dots and dashes are dropped), checked with
    :func:`~app.domain.identity.validate_personal_id`. With ``allow_old`` a 9-digit old ID (CMND) is
    accepted too."""
    raw = _prepare(text)
    bad = _bad_controls(raw)
    if bad:
        return _fail(_control_problem("id", field, "số định danh", "ID number", bad))
    s = _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    if not s:
        if required:
            return _fail(*validate_personal_id("", field=field))
        return _ok("")
    if allow_old and len(s) == 9:
        problems = validate_old_id(s, field=field)
    else:
        problems = validate_personal_id(s, birth_date, gender, field=field)
    return _fail(*problems) if problems else _ok(s)
