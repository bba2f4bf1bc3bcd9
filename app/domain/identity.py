"""Chip-based ID card (CCCD / thẻ căn cước): the QR payload and the 12-digit personal ID number.

The QR code on the back of the card is read by a keyboard-wedge scanner, which types it into a text
field. Its payload is pipe-separated (``domain.md`` §4.1)::

    CCCD12|CMND9 or empty|Họ và tên|ddMMyyyy birth|Nam/Nữ|address|ddMMyyyy issue date

Some cards (and some documentation) omit the old-ID field. Scanners add their own noise: an AIM
symbology prefix such as ``]Q1``, stray characters, a second Enter, or the whole payload twice. So
:func:`parse_cccd_qr` recognises fields by their pattern (12 digits, 9 digits, 8-digit dates, Nam/Nữ)
rather than only by position, and never raises: whatever it cannot read is reported as a
:class:`~app.domain.errors.Problem`.

The 12-digit number (``domain.md`` §4.2) is: 3 digits birth-registration province code ("0" + the
pre-2025 GSO province code), 1 digit century and gender, 2 digits birth year, 6 random digits.
There is no check digit, so a number that passes :func:`validate_personal_id` is well-formed, not proven.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from app.domain.errors import Problem
from app.domain.text import clean_spaces, fold, nfc

MALE = "Nam"
FEMALE = "Nữ"

#: Birth-registration province codes (the first 3 digits of a personal ID): "0" + the pre-2025 GSO
#: province code → the province name at the time (domain.md §4.2). Provinces merged in 2025 keep
#: their old code here; map through the old→new unit table when a current province is needed.
BIRTH_PROVINCES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

_PID = re.compile(r"[0-9]{12}")
_OLD_ID = re.compile(r"[0-9]{9}")


# --------------------------------------------------------------------------------------------------
# Gender
# --------------------------------------------------------------------------------------------------


def normalize_gender(text: str | None) -> str | None:
    """``"Nam"`` or ``"Nữ"`` for the spellings a card, a scanner or an operator produces, else ``None``.

    Accepts any case and NFC/NFD, "Nu"/"NU" without the diacritic, English "male"/"female", and "N?"
    (a scanner that cannot type "ữ" turns it into "?" or U+FFFD: "Nam" is pure ASCII, so it survives).
    """
    if not text:
        return None
    folded = fold(text).strip(" .:;,")
    if folded in {"nam", "male", "m", "trai"}:
        return MALE
    if folded in {"nu", "female", "f", "gai"}:
        return FEMALE
    if len(folded) == 2 and folded[0] == "n" and not folded[1].isascii():
        return FEMALE
    if folded in {"n?", "n\ufffd"}:
        return FEMALE
    return None


# --------------------------------------------------------------------------------------------------
# Personal ID number
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonalIdInfo:
    """What the digits of a well-formed 12-digit personal ID say about its holder."""

    province_code: str
    #: Name of the birth-registration province (pre-2025 list), ``None`` for an unknown code.
    province_name: str | None
    #: First year of the birth century: 1900, 2000, 2100, …
    century: int
    gender: str
    birth_year: int
    serial: str


def describe_personal_id(pid: str) -> PersonalIdInfo | None:
    """Decode a 12-digit personal ID, or ``None`` when it is not 12 ASCII digits."""
    pid = pid.strip() if isinstance(pid, str) else ""
    if not _PID.fullmatch(pid):
        return None
    digit = int(pid[3])
    century = 1900 + (digit // 2) * 100
    return PersonalIdInfo(
        province_code=pid[:3],
        province_name=BIRTH_PROVINCES.get(pid[:3]),
        century=century,
        gender=MALE if digit % 2 == 0 else FEMALE,
        birth_year=century + int(pid[4:6]),
        serial=pid[6:],
    )


def validate_personal_id(
    pid: str,
    birth_date: date | None = None,
    gender: str | None = None,
    *,
    birth_year: int | None = None,
    today: date | None = None,
    field: str = "personal_id",
) -> list[Problem]:
    """Problems with a 12-digit personal ID number; an empty list when it is well-formed.

    Checks the format (12 ASCII digits), the birth-province code (digits 1–3), and, when known, that
    digit 4 (century + gender) and digits 5–6 (birth year mod 100) agree with ``birth_date`` (or
    ``birth_year`` when only the year is known) and ``gender`` ("Nam"/"Nữ" in any spelling).
    """
    pid = pid.strip() if isinstance(pid, str) else ""
    if not pid:
        return [
            Problem(
                "id.missing",
                "Chưa có số định danh cá nhân (số CCCD).",
                "The personal ID number (CCCD number) is missing.",
                field,
            )
        ]
    if not all(ch in "0123456789" for ch in pid):
        return [
            Problem(
                "id.not_digits",
                "Số định danh cá nhân chỉ được gồm các chữ số 0–9.",
                "The personal ID number may contain only the digits 0–9.",
                field,
            )
        ]
    if len(pid) != 12:
        return [
            Problem(
                "id.length",
                f"Số định danh cá nhân phải có đúng 12 chữ số (đang có {len(pid)}).",
                f"The personal ID number must have exactly 12 digits ({len(pid)} given).",
                field,
            )
        ]
    info = describe_personal_id(pid)
    assert info is not None
    problems: list[Problem] = []
    if info.province_name is None:
        problems.append(
            Problem(
                "id.province_unknown",
                f"Ba chữ số đầu của số định danh ({info.province_code}) không phải "
                "mã tỉnh nơi đăng ký khai sinh.",
                f"The first three digits of the personal ID ({info.province_code}) are not a "
                "birth-registration province code.",
                field,
            )
        )
    this_year = (today or date.today()).year
    year = birth_date.year if birth_date is not None else birth_year
    if year is None and info.birth_year > this_year:
        problems.append(
            Problem(
                "id.birth_year_future",
                f"Chữ số thứ 4–6 của số định danh ({pid[3:6]}) cho năm sinh {info.birth_year}, "
                "là năm tương lai.",
                f"Digits 4–6 of the personal ID ({pid[3:6]}) give birth year {info.birth_year}, "
                "which is in the future.",
                field,
            )
        )
    if year is not None:
        expected_century = (year // 100) * 100
        if expected_century != info.century:
            problems.append(
                Problem(
                    "id.century_mismatch",
                    f"Chữ số thứ 4 của số định danh ({pid[3]}) dành cho người sinh năm {info.century}–"
                    f"{info.century + 99}, nhưng năm sinh là {year}.",
                    f"Digit 4 of the personal ID ({pid[3]}) is for people born {info.century}–"
                    f"{info.century + 99}, but the birth year is {year}.",
                    field,
                )
            )
        if int(pid[4:6]) != year % 100:
            problems.append(
                Problem(
                    "id.birth_year_mismatch",
                    f"Chữ số thứ 5–6 của số định danh ({pid[4:6]}) không khớp năm sinh {year}.",
                    f"Digits 5–6 of the personal ID ({pid[4:6]}) do not match the birth year {year}.",
                    field,
                )
            )
    if gender is not None:
        given = normalize_gender(gender)
        if given is not None and given != info.gender:
            problems.append(
                Problem(
                    "id.gender_mismatch",
                    f"Chữ số thứ 4 của số định danh ({pid[3]}) dành cho giới tính {info.gender}, "
                    f"nhưng giới tính là {given}.",
                    f"Digit 4 of the personal ID ({pid[3]}) is for gender {_gender_en(info.gender)}, "
                    f"but the gender is {_gender_en(given)}.",
                    field,
                )
            )
    return problems


def validate_old_id(old_id: str, *, field: str = "old_id") -> list[Problem]:
    """Problems with an old 9-digit ID-card number (CMND); an empty list when it is well-formed."""
    old_id = old_id.strip() if isinstance(old_id, str) else ""
    if not old_id:
        return [
            Problem(
                "old_id.missing",
                "Chưa có số chứng minh nhân dân (CMND) cũ.",
                "The old ID-card number (CMND) is missing.",
                field,
            )
        ]
    if not all(ch in "0123456789" for ch in old_id):
        return [
            Problem(
                "old_id.not_digits",
                "Số CMND cũ chỉ được gồm các chữ số 0–9.",
                "The old ID-card number (CMND) may contain only the digits 0–9.",
                field,
            )
        ]
    if len(old_id) != 9:
        return [
            Problem(
                "old_id.length",
                f"Số CMND cũ phải có đúng 9 chữ số (đang có {len(old_id)}).",
                f"The old ID-card number (CMND) must have exactly 9 digits ({len(old_id)} given).",
                field,
            )
        ]
    return []


def _gender_en(gender: str) -> str:
    return "male" if gender == MALE else "female"


# --------------------------------------------------------------------------------------------------
# QR payload
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QrIdentity:
    """What was read from an ID card's QR payload. Fields that could not be read are empty/``None``
    and explained in ``problems``."""

    personal_id: str = ""
    old_id: str | None = None
    full_name: str = ""
    birth_date: date | None = None
    gender: str | None = None
    address: str = ""
    issue_date: date | None = None
    problems: tuple[Problem, ...] = ()
    #: Birth year, also when the card gives only the year (day and month "00").
    birth_year: int | None = None

    @property
    def ok(self) -> bool:
        """Everything was read and is consistent."""
        return not self.problems and bool(self.personal_id)

    @property
    def readable(self) -> bool:
        """At least the personal ID was read: worth filling the form with."""
        return bool(self.personal_id)


# Characters that carry nothing: BOM, zero-width space/joiners, soft hyphen, word joiner.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"))
# Scanners end a read with CR, LF, CR LF or Tab; GS/RS appear in some symbologies.
_LINE_BREAKS = re.compile(r"[\r\n\t\x1d\x1e\x85\u2028\u2029]+")
# AIM symbology identifier sent before the data by some scanners: "]Q1" for QR, "]d2", …
_AIM_PREFIX = re.compile(r"^\s*\][A-Za-z][0-9A-Za-z]")
_AIM_SUFFIX = re.compile(r"\][A-Za-z][0-9A-Za-z]\s*$")
# The 12-digit ID as the first field: the last 12 digits before the first pipe-like separator.
_ID_FIELD = re.compile(r"[0-9]{12}(?=\s*\|)")
_DATE8 = re.compile(r"[0-9]{8}")
_DATE_SEP = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_DATE_NOISE = re.compile(r"[^0-9A-Za-z]*([0-9]{8})[^0-9A-Za-z]*")


def _problem(code: str, vi: str, en: str, field: str | None) -> Problem:
    return Problem(f"qr.{code}", vi, en, field)


def _bad_date(code: str, vi_name: str, en_name: str, text: str, field: str) -> Problem:
    return _problem(
        code,
        f"Không đọc được {vi_name} (\u201c{text}\u201d không phải ngày hợp lệ).",
        f"Could not read the {en_name} (\u201c{text}\u201d is not a valid date).",
        field,
    )


def _unreadable() -> Problem:
    return _problem(
        "unreadable",
        "Không đọc được dữ liệu mã QR trên thẻ căn cước. Hãy quét lại hoặc nhập tay.",
        "Could not read the QR data of the ID card. Scan it again or type the details in.",
        None,
    )


@dataclass(slots=True)
class _DateField:
    text: str
    day: int
    month: int
    year: int


def _date_field(text: str) -> _DateField | None:
    """An 8-digit ``ddMMyyyy`` (or ``dd/MM/yyyy``) field, possibly with stray punctuation around."""
    m = _DATE_NOISE.fullmatch(text)
    if m:
        digits = m.group(1)
        return _DateField(digits, int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    m = _DATE_SEP.fullmatch(text.strip())
    if m:
        return _DateField(m.group(0), int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _to_date(f: _DateField) -> date | None:
    try:
        return date(f.year, f.month, f.day)
    except ValueError:
        return None


def _control_free(text: str) -> str:
    """Drop control and format characters a scanner may emit (keeping line breaks and tabs)."""
    return "".join(
        ch
        for ch in text
        if ch in "\r\n\t\x1d\x1e" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )


def parse_cccd_qr(payload: str, *, today: date | None = None) -> QrIdentity:
    """Read the QR payload of a chip-based ID card, as typed by a keyboard-wedge scanner.

    Never raises: unreadable or inconsistent parts are reported in ``QrIdentity.problems``.
    ``today`` is for tests (dates in the future are reported).
    """
    try:
        return _parse(payload, today or date.today())
    except Exception:  # a bug must not lose the operator's scan; report it as unreadable
        return QrIdentity(problems=(_unreadable(),))


def _parse(payload: object, today: date) -> QrIdentity:
    if not isinstance(payload, str) or not payload.strip():
        return QrIdentity(
            problems=(
                _problem(
                    "empty", "Chưa có dữ liệu quét từ mã QR.", "Nothing was scanned from the QR code.", None
                ),
            )
        )
    text = _control_free(nfc(payload).translate(_INVISIBLE))
    # Some wedge set-ups type the pipe with the wrong keyboard layout; "¦" and "│" are close enough.
    text = text.replace("¦", "|").replace("│", "|").replace("｜", "|")
    lines = [line for line in _LINE_BREAKS.split(text) if line.strip()]
    if not lines:
        return QrIdentity(problems=(_unreadable(),))
    candidates = list(lines)
    if len(lines) > 1:
        candidates.append(" ".join(lines))  # a line break inside the payload
    best: QrIdentity | None = None
    best_score = -1.0
    for line in candidates:
        result = _parse_line(line, today)
        score = _score(result)
        if score > best_score:
            best, best_score = result, score
    assert best is not None
    return best


def _score(r: QrIdentity) -> float:
    score = 3.0 * bool(r.personal_id) + 2.0 * bool(r.full_name) + 2.0 * (r.birth_year is not None)
    score += 1.0 * (r.gender is not None) + 1.0 * bool(r.address) + 1.0 * (r.issue_date is not None)
    return score - 0.1 * len(r.problems)


def _parse_line(line: str, today: date) -> QrIdentity:
    line = _AIM_PREFIX.sub("", line.strip(), count=1)
    m = _ID_FIELD.search(line)
    if m:
        # Noise before the ID is dropped; a second copy of the payload (scanned twice, no Enter) too.
        again = re.compile(re.escape(m.group()) + r"\s*\|").search(line, m.end())
        line = line[m.start() : again.start() if again else len(line)]
        line = _AIM_SUFFIX.sub("", line)  # the second copy's own "]Q1"
    fields = [clean_spaces(f) for f in line.split("|")]
    if len(fields) < 3:
        return _too_short(fields, today)
    return _assign(fields, today)


def _too_short(fields: list[str], today: date) -> QrIdentity:
    """No pipe-separated layout. A bare 12-digit number is still worth having (the operator may have
    typed the number, or the scanner sent only the first field)."""
    digits = "".join(ch for ch in "".join(fields) if ch in "0123456789")
    whole = "".join(fields).strip()
    if _PID.fullmatch(digits) and len(digits) >= len(whole.replace(" ", "")) - 4:
        problems = [_unreadable_fields_problem()]
        problems.extend(validate_personal_id(digits, today=today))
        return QrIdentity(personal_id=digits, problems=tuple(problems))
    return QrIdentity(problems=(_unreadable(),))


def _unreadable_fields_problem() -> Problem:
    return _problem(
        "only_id",
        "Chỉ đọc được số định danh; không đọc được họ tên, ngày sinh và các thông tin khác.",
        "Only the ID number could be read; the name, birth date and other details could not.",
        None,
    )


def _kind(field: str) -> str:
    if not field:
        return "empty"
    if _PID.fullmatch(field):
        return "id12"
    if _OLD_ID.fullmatch(field):
        return "id9"
    if _date_field(field) is not None:
        return "date"
    if normalize_gender(field) is not None:
        return "gender"
    if not any(ch.isalpha() for ch in field):
        return "noise"
    return "text"


def _assign(fields: list[str], today: date) -> QrIdentity:
    kinds = [_kind(f) for f in fields]
    problems: list[Problem] = []

    def first(kind: str, start: int = 0, stop: int | None = None) -> int | None:
        for i in range(start, len(fields) if stop is None else stop):
            if kinds[i] == kind:
                return i
        return None

    pid_idx = first("id12")
    personal_id = fields[pid_idx] if pid_idx is not None else ""

    old_id: str | None = None
    old_idx = first("id9")
    if old_idx is not None:
        old_id = fields[old_idx]
    elif pid_idx is not None and pid_idx + 1 < len(fields) and kinds[pid_idx + 1] == "id12":
        old_idx = pid_idx + 1  # a 12-digit CMND (issued 2012–2016) in the old-ID field
        old_id = fields[old_idx]

    gender_idx = first("gender")
    dates = [i for i, k in enumerate(kinds) if k == "date"]
    birth_idx: int | None = None
    if gender_idx is not None:
        before = [i for i in dates if i < gender_idx]
        birth_idx = before[-1] if before else None
    if birth_idx is None and dates:
        birth_idx = dates[0]
    after = max(i for i in (birth_idx, gender_idx, -1) if i is not None)
    later = [i for i in dates if i > after]
    issue_idx = later[-1] if later else None
    # A second date before the address and no gender field: the last one is the issue date.
    if issue_idx is None and birth_idx is not None and gender_idx is None:
        rest = [i for i in dates if i > birth_idx]
        issue_idx = rest[-1] if rest else None

    texts = [i for i, k in enumerate(kinds) if k == "text"]
    name_stop = min(i for i in (birth_idx, gender_idx, len(fields)) if i is not None)
    name_idx = next((i for i in texts if i < name_stop), None)
    if name_idx is None and texts and birth_idx is None and gender_idx is None:
        name_idx = texts[0]
    addr_start = max(i for i in (name_idx, birth_idx, gender_idx, -1) if i is not None)
    addr_stop = issue_idx if issue_idx is not None else len(fields)
    address_parts = [fields[i] for i in texts if addr_start < i < addr_stop]

    if pid_idx is None and (name_idx is None or birth_idx is None):
        return QrIdentity(problems=(_unreadable(),))

    # --- personal ID
    if pid_idx is None:
        seen = fields[0] if fields[0] and kinds[0] in {"noise", "id9"} else ""
        vi_seen = f" (đọc được \u201c{seen}\u201d)" if seen else ""
        en_seen = f" (read \u201c{seen}\u201d)" if seen else ""
        problems.append(
            _problem(
                "no_personal_id",
                f"Không đọc được số định danh cá nhân 12 chữ số{vi_seen}.",
                f"Could not read the 12-digit personal ID number{en_seen}.",
                "personal_id",
            )
        )

    # --- name
    full_name = fields[name_idx] if name_idx is not None else ""
    if not full_name:
        problems.append(
            _problem("no_name", "Không đọc được họ và tên.", "Could not read the full name.", "full_name")
        )
    elif "?" in full_name or "\ufffd" in full_name:
        problems.append(
            _problem(
                "name_garbled",
                "Họ tên có ký tự không đọc được (máy quét có thể chưa được đặt để gõ tiếng Việt có dấu). "
                "Hãy kiểm tra và sửa lại họ tên.",
                "The name has unreadable characters (the scanner may not be set up to type Vietnamese "
                "letters). Check and correct the name.",
                "full_name",
            )
        )
    elif any(ch.isdigit() for ch in full_name):
        problems.append(
            _problem(
                "name_digits",
                "Họ tên đọc được có chữ số; hãy kiểm tra lại.",
                "The name read contains digits; check it.",
                "full_name",
            )
        )

    # --- birth date
    birth_date: date | None = None
    birth_year: int | None = None
    if birth_idx is None:
        problems.append(
            _problem(
                "no_birth_date", "Không đọc được ngày sinh.", "Could not read the birth date.", "birth_date"
            )
        )
    else:
        raw = _date_field(fields[birth_idx])
        assert raw is not None
        birth_date = _to_date(raw)
        if birth_date is not None:
            birth_year = birth_date.year
        elif raw.day == 0 and 1800 < raw.year <= today.year and raw.month in range(13):
            birth_year = raw.year
            problems.append(
                _problem(
                    "birth_year_only",
                    f"Thẻ chỉ ghi năm sinh ({raw.year}), không có ngày và tháng sinh.",
                    f"The card gives only the birth year ({raw.year}), no day or month.",
                    "birth_date",
                )
            )
        else:
            problems.append(_bad_date("bad_birth_date", "ngày sinh", "birth date", raw.text, "birth_date"))
        if birth_date is not None and (birth_date > today or birth_date.year < 1880):
            problems.append(
                _problem(
                    "implausible_birth_date",
                    f"Ngày sinh {birth_date:%d/%m/%Y} không hợp lý.",
                    f"The birth date {birth_date:%d/%m/%Y} is not plausible.",
                    "birth_date",
                )
            )

    # --- gender
    gender = normalize_gender(fields[gender_idx]) if gender_idx is not None else None
    if gender is None:
        problems.append(
            _problem("no_gender", "Không đọc được giới tính.", "Could not read the gender.", "gender")
        )

    # --- address
    address = clean_spaces(", ".join(address_parts))
    if not address:
        problems.append(
            _problem(
                "no_address",
                "Không đọc được nơi thường trú.",
                "Could not read the permanent address.",
                "address",
            )
        )

    # --- issue date
    issue_date: date | None = None
    if issue_idx is None:
        problems.append(
            _problem(
                "no_issue_date",
                "Không đọc được ngày cấp thẻ.",
                "Could not read the card's issue date.",
                "issue_date",
            )
        )
    else:
        raw = _date_field(fields[issue_idx])
        assert raw is not None
        issue_date = _to_date(raw)
        if issue_date is None:
            problems.append(_bad_date("bad_issue_date", "ngày cấp", "issue date", raw.text, "issue_date"))
        elif issue_date > today or (birth_date is not None and issue_date < birth_date):
            problems.append(
                _problem(
                    "implausible_issue_date",
                    f"Ngày cấp {issue_date:%d/%m/%Y} không hợp lý.",
                    f"The issue date {issue_date:%d/%m/%Y} is not plausible.",
                    "issue_date",
                )
            )

    # --- consistency of the number with the other fields
    if personal_id:
        problems.extend(
            validate_personal_id(personal_id, birth_date, gender, birth_year=birth_year, today=today)
        )
    if old_id is not None and len(old_id) == 9:
        problems.extend(validate_old_id(old_id))

    return QrIdentity(
        personal_id=personal_id,
        old_id=old_id,
        full_name=full_name,
        birth_date=birth_date,
        gender=gender,
        address=address,
        issue_date=issue_date,
        problems=tuple(problems),
        birth_year=birth_year,
    )
