"""Dossier codes ``<agency e-ID>-<yyMMdd>-<NNNN>`` and offline-safe numbering (docs/design.md,
Numbering; domain.md §2).

Code format
-----------
``000.17.22.H56-210531-0001``: the receiving agency's e-ID (Decision 20/2020/QĐ-TTg: groups of digits and
capital letters A–Z separated by ".", at most 35 characters), the receipt date as ``yyMMdd`` and the
day's running number of that agency, zero-padded to 4 digits. Numbers from 10000 are written with 5 digits
(the Thanh Hóa system pads with ``PadLeft(4, '0')``, which never truncates), so codes stay unique; a code
is accepted only in its canonical spelling (``0001``, never ``00001``). A code is derived **once**, when
the dossier is received, and stored; nothing recomputes it (a renamed or merged agency keeps its old
codes, and forwarding or transferring a dossier keeps its code).

Numbering scheme (per receiving agency, per day)
------------------------------------------------
The official counter is per agency per day. Workstations may be offline for days, so numbers are split
into regions that can never collide (:class:`NumberingPlan`, defaults shown):

- **Lease region** ``0001–8999`` then ``10000–89999``: handed out by the server only, as contiguous
  **leases** from the bottom up (:class:`LeaseBook` keeps a high-water mark per agency and day). A lease
  never straddles a fallback region: a request that would is cut short at the region's end, and the next
  lease starts at 10000. Workstations lease numbers for today and the coming working days while online.
- **Fallback region** ``9000–9999`` and ``90000–99999``: split into equal blocks, one per workstation
  **slot** (10 slots → 100 four-digit + 1,000 five-digit numbers per slot per day). The server assigns each
  enrolled workstation of an agency a distinct slot. A workstation uses its block only when it holds no
  unused lease number for that day.

Capacity and limits (honest):
- Per agency and day: 8,999 leased 4-digit numbers, then 80,000 leased 5-digit ones; plus, per slot,
  100 + 1,000 fallback numbers. A commune centre receives tens to a few hundred dossiers a day.
- At most ``slots`` workstations per agency can work offline without leases (10 by default); a further
  workstation gets no slot and can number only from leases. A larger plan (e.g. 20 slots → 50 + 500 per
  slot) trades per-slot capacity for more slots. The plan must be identical on the server and every
  workstation of an agency: changing it while numbers are in use can cause collisions.
- When a workstation has used its last lease and its fallback block for a day, :meth:`next_number`
  refuses (``DomainError``): it must reconnect to obtain a lease. It never guesses.
- A slot must not be given to another workstation until every number issued from it has reached the server.
- Numbers are unique, not consecutive in time: fallback numbers (9xxx) may be issued before leased
  ones; the logbook's running entry number (Sổ theo dõi) is a separate matter.
- If another system (e.g. the provincial TTHC system's online channel) also numbers codes for the same
  agency e-ID, our server must be told its numbers (:meth:`LeaseBook.note_issued`) so leases stay above
  them; a foreign number inside a fallback block cannot be prevented, and the server's rule "reject a code
  already seen for another dossier" remains the last line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final, NamedTuple

from app.domain.errors import DomainError, Problem

__all__ = [
    "DEFAULT_PLAN",
    "MAX_EID_LENGTH",
    "DossierCode",
    "Lease",
    "LeaseBook",
    "NumberAllocator",
    "NumberingPlan",
    "ParsedCode",
    "format_code",
    "parse_code",
    "validate_agency_eid",
]

MAX_EID_LENGTH: Final = 35
MAX_NUMBER: Final = 99_999
_EID_RE: Final = re.compile(r"[0-9A-Z]+(?:\.[0-9A-Z]+)*")
_CODE_RE: Final = re.compile(r"(?P<eid>[0-9A-Z.]+)-(?P<day>\d{6})-(?P<number>\d{4,5})")


def _error(code: str, vi: str, en: str, field: str | None = None) -> DomainError:
    return DomainError(Problem(f"code.{code}", vi, en, field))


def validate_agency_eid(eid: str) -> str:
    """Return ``eid`` if it has the shape of an agency e-ID, else raise :class:`DomainError`."""
    if not isinstance(eid, str) or not eid or len(eid) > MAX_EID_LENGTH or not _EID_RE.fullmatch(eid):
        raise _error(
            "agency_eid",
            f"Mã định danh cơ quan «{eid}» không hợp lệ: gồm các nhóm chữ số và chữ in hoa A–Z, "
            f"cách nhau bằng dấu chấm, tối đa {MAX_EID_LENGTH} ký tự (ví dụ 000.17.22.H56).",
            f"Agency e-ID {eid!r} is invalid: groups of digits and capital letters A–Z separated by "
            f"dots, at most {MAX_EID_LENGTH} characters (e.g. 000.17.22.H56).",
            "agency_eid",
        )
    return eid


def _check_day(day: date) -> None:
    if not isinstance(day, date) or not 2000 <= day.year <= 2099:
        raise _error(
            "day",
            "Ngày tiếp nhận phải nằm trong các năm 2000–2099.",
            "The receipt date must be in the years 2000–2099.",
            "day",
        )


def _check_number(number: int) -> None:
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_NUMBER:
        raise _error(
            "number",
            f"Số thứ tự hồ sơ phải từ 1 đến {MAX_NUMBER}.",
            f"The dossier number must be between 1 and {MAX_NUMBER}.",
            "number",
        )


def format_code(agency_eid: str, day: date, number: int) -> str:
    """``<agency e-ID>-<yyMMdd>-<NNNN>`` (5 digits from 10000)."""
    validate_agency_eid(agency_eid)
    _check_day(day)
    _check_number(number)
    return f"{agency_eid}-{day:%y%m%d}-{number:04d}"


class ParsedCode(NamedTuple):
    agency_eid: str
    day: date
    number: int


def parse_code(code: str) -> ParsedCode:
    """Split a dossier code into (agency e-ID, day, number); only the canonical spelling is accepted."""
    bad = _error(
        "format",
        f"Mã hồ sơ «{code}» không đúng dạng <mã định danh cơ quan>-<yyMMdd>-<số thứ tự> "
        "(ví dụ 000.17.22.H56-210531-0001).",
        f"Dossier code {code!r} does not match <agency e-ID>-<yyMMdd>-<number> "
        "(e.g. 000.17.22.H56-210531-0001).",
        "code",
    )
    m = _CODE_RE.fullmatch(code) if isinstance(code, str) else None
    if m is None:
        raise bad
    eid = validate_agency_eid(m["eid"])
    raw_day = m["day"]
    try:
        day = date(2000 + int(raw_day[:2]), int(raw_day[2:4]), int(raw_day[4:]))
    except ValueError:
        raise bad from None
    number = int(m["number"])
    if number == 0 or f"{number:04d}" != m["number"]:
        raise bad
    return ParsedCode(eid, day, number)


@dataclass(frozen=True, slots=True)
class DossierCode:
    """A dossier code as stored: the text is kept verbatim and never recomputed."""

    text: str

    def __post_init__(self) -> None:
        parse_code(self.text)

    @classmethod
    def issue(cls, agency_eid: str, day: date, number: int) -> DossierCode:
        return cls(format_code(agency_eid, day, number))

    @property
    def parts(self) -> ParsedCode:
        return parse_code(self.text)

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------------------------- plan


@dataclass(frozen=True, slots=True)
class NumberingPlan:
    """How an agency's daily numbers are split into lease and fallback regions (see the module notes)."""

    slots: int = 10
    fallback4_first: int = 9_000
    fallback5_first: int = 90_000

    def __post_init__(self) -> None:
        ok = (
            self.slots >= 1
            and 2 <= self.fallback4_first <= 9_999
            and 10_001 <= self.fallback5_first <= MAX_NUMBER
            and self.block4 >= 1
            and self.block5 >= 1
        )
        if not ok:
            raise _error(
                "plan",
                "Cấu hình dải số dự phòng không hợp lệ.",
                "The fallback numbering plan is invalid.",
            )

    @property
    def block4(self) -> int:
        return (10_000 - self.fallback4_first) // self.slots

    @property
    def block5(self) -> int:
        return (MAX_NUMBER + 1 - self.fallback5_first) // self.slots

    @property
    def lease_regions(self) -> tuple[tuple[int, int], ...]:
        return ((1, self.fallback4_first - 1), (10_000, self.fallback5_first - 1))

    def fallback_ranges(self, slot: int) -> tuple[tuple[int, int], ...]:
        """The numbers reserved for ``slot`` (0-based), four-digit block first."""
        self.check_slot(slot)
        f4 = self.fallback4_first + slot * self.block4
        f5 = self.fallback5_first + slot * self.block5
        return ((f4, f4 + self.block4 - 1), (f5, f5 + self.block5 - 1))

    def check_slot(self, slot: int) -> None:
        if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < self.slots:
            raise _error(
                "slot",
                f"Số hiệu máy trạm {slot} nằm ngoài khoảng 0–{self.slots - 1}.",
                f"Workstation slot {slot} is outside 0–{self.slots - 1}.",
                "slot",
            )

    def lease_region_of(self, number: int) -> int | None:
        """Index of the lease region holding ``number``, or None if it is not a lease number."""
        for i, (lo, hi) in enumerate(self.lease_regions):
            if lo <= number <= hi:
                return i
        return None


DEFAULT_PLAN: Final = NumberingPlan()


@dataclass(frozen=True, slots=True)
class Lease:
    """Numbers ``first``..``last`` (inclusive) of ``agency_eid`` on ``day``, granted by the server."""

    agency_eid: str
    day: date
    first: int
    last: int

    def __post_init__(self) -> None:
        validate_agency_eid(self.agency_eid)
        _check_day(self.day)
        _check_number(self.first)
        _check_number(self.last)
        if self.first > self.last:
            raise _error("lease", "Dải số cấp phát bị ngược.", "The lease range is reversed.")

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def overlaps(self, other: Lease) -> bool:
        return (
            self.agency_eid == other.agency_eid
            and self.day == other.day
            and self.first <= other.last
            and other.first <= self.last
        )


# ---------------------------------------------------------------------------------------------- server


class LeaseBook:
    """Server side: the per agency+day high-water mark of leased numbers, and workstation slots.

    Pure state; the server persists ``high_water`` and the slot table and wraps calls in its transaction.
    """

    def __init__(
        self,
        plan: NumberingPlan = DEFAULT_PLAN,
        *,
        high_water: Mapping[tuple[str, date], int] | None = None,
        slots: Mapping[tuple[str, str], int] | None = None,
        max_lease: int = 1_000,
    ) -> None:
        self.plan = plan
        self.max_lease = max_lease
        self._high: dict[tuple[str, date], int] = dict(high_water or {})
        self._slots: dict[tuple[str, str], int] = dict(slots or {})

    def high_water(self, agency_eid: str, day: date) -> int:
        """The highest lease-region number granted or noted for (agency, day); 0 if none."""
        return self._high.get((agency_eid, day), 0)

    def grant(self, agency_eid: str, day: date, size: int) -> Lease:
        """Lease up to ``size`` numbers above everything granted so far (shorter at a region's end)."""
        validate_agency_eid(agency_eid)
        _check_day(day)
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= self.max_lease:
            raise _error(
                "lease_size",
                f"Số lượng số xin cấp phải từ 1 đến {self.max_lease}.",
                f"A lease must be for 1 to {self.max_lease} numbers.",
            )
        start = self.high_water(agency_eid, day) + 1
        for lo, hi in self.plan.lease_regions:
            if start > hi:
                continue
            first = max(start, lo)
            last = min(first + size - 1, hi)
            self._high[(agency_eid, day)] = last
            return Lease(agency_eid, day, first, last)
        raise _error(
            "lease_exhausted",
            f"Đã hết số để cấp cho {agency_eid} ngày {day:%d/%m/%Y}.",
            f"No numbers left to lease for {agency_eid} on {day:%d/%m/%Y}.",
        )

    def note_issued(self, agency_eid: str, day: date, number: int) -> None:
        """Record a lease-region number issued elsewhere, so later leases stay above it."""
        if self.plan.lease_region_of(number) is not None:
            key = (agency_eid, day)
            self._high[key] = max(self._high.get(key, 0), number)

    def assign_slot(self, agency_eid: str, workstation_id: str) -> int:
        """The workstation's slot for the agency: its existing one, else the lowest free one."""
        key = (agency_eid, workstation_id)
        if key in self._slots:
            return self._slots[key]
        taken = {slot for (eid, _), slot in self._slots.items() if eid == agency_eid}
        for slot in range(self.plan.slots):
            if slot not in taken:
                self._slots[key] = slot
                return slot
        raise _error(
            "no_slot",
            f"Cơ quan {agency_eid} đã dùng hết {self.plan.slots} số hiệu máy trạm: máy này chỉ cấp được "
            "mã hồ sơ khi có kết nối (từ dải số được cấp).",
            f"Agency {agency_eid} has used all {self.plan.slots} workstation slots: this workstation can "
            "number dossiers only from leases obtained online.",
        )


# ---------------------------------------------------------------------------------------------- client


class NumberAllocator:
    """Workstation side: leases held and numbers used, per day; the workstation's fallback slot.

    Pure state, rebuilt at start from the local database (leases, numbers already used).
    """

    def __init__(
        self,
        agency_eid: str,
        slot: int | None,
        plan: NumberingPlan = DEFAULT_PLAN,
        *,
        leases: Iterable[Lease] = (),
        used: Iterable[tuple[date, int]] = (),
    ) -> None:
        self.agency_eid = validate_agency_eid(agency_eid)
        if slot is not None:
            plan.check_slot(slot)
        self.slot = slot
        self.plan = plan
        self._leases: dict[date, list[Lease]] = {}
        self._used: dict[date, set[int]] = {}
        self._cursor: dict[tuple[date, int], int] = {}
        for lease in leases:
            self.add_lease(lease)
        for day, number in used:
            self.mark_used(day, number)

    # -- state

    def add_lease(self, lease: Lease) -> None:
        """Hold a lease from the server; a lease already held is ignored (a retried response)."""
        if lease.agency_eid != self.agency_eid:
            raise _error(
                "lease_agency",
                f"Dải số được cấp cho {lease.agency_eid}, không phải {self.agency_eid}.",
                f"The lease is for {lease.agency_eid}, not {self.agency_eid}.",
            )
        region = self.plan.lease_region_of(lease.first)
        if region is None or region != self.plan.lease_region_of(lease.last):
            raise _error(
                "lease_region",
                "Dải số được cấp lấn vào dải số dự phòng của máy trạm.",
                "The lease overlaps the workstations' fallback numbers.",
            )
        held = self._leases.setdefault(lease.day, [])
        if lease in held:
            return
        if any(lease.overlaps(other) for other in held):
            raise _error(
                "lease_overlap",
                "Dải số được cấp trùng với dải số đã có.",
                "The lease overlaps a lease already held.",
            )
        held.append(lease)
        held.sort(key=lambda x: x.first)

    def mark_used(self, day: date, number: int) -> None:
        """Record ``number`` of ``day`` as used (restoring state, or a number used by this desk)."""
        _check_number(number)
        self._used.setdefault(day, set()).add(number)

    def forget_before(self, day: date) -> None:
        """Drop the state of days before ``day`` (they can no longer receive dossiers)."""
        for store in (self._leases, self._used):
            for d in [d for d in store if d < day]:
                del store[d]
        for key in [k for k in self._cursor if k[0] < day]:
            del self._cursor[key]

    def leases(self, day: date) -> tuple[Lease, ...]:
        return tuple(self._leases.get(day, ()))

    def used(self, day: date) -> frozenset[int]:
        return frozenset(self._used.get(day, ()))

    # -- counting

    def _free_in(self, day: date, lo: int, hi: int) -> int:
        used = self._used.get(day, set())
        n = max(self._cursor.get((day, lo), lo), lo)
        while n <= hi and n in used:
            n += 1
        self._cursor[(day, lo)] = n
        return hi - n + 1 - sum(1 for u in used if n < u <= hi)

    def leased_left(self, day: date) -> int:
        """Unused leased numbers for ``day``."""
        return sum(self._free_in(day, x.first, x.last) for x in self._leases.get(day, ()))

    def fallback_left(self, day: date) -> int:
        """Unused fallback numbers of this workstation's slot for ``day`` (0 without a slot)."""
        if self.slot is None:
            return 0
        return sum(self._free_in(day, lo, hi) for lo, hi in self.plan.fallback_ranges(self.slot))

    def _take(self, day: date, lo: int, hi: int) -> int | None:
        if self._free_in(day, lo, hi) <= 0:
            return None
        n = self._cursor[(day, lo)]
        self._used.setdefault(day, set()).add(n)
        self._cursor[(day, lo)] = n + 1
        return n

    def next_number(self, day: date) -> int:
        """Use and return the next number for ``day``: leases first (lowest first), then the fallback."""
        _check_day(day)
        for lease in self._leases.get(day, ()):
            n = self._take(day, lease.first, lease.last)
            if n is not None:
                return n
        if self.slot is not None:
            for lo, hi in self.plan.fallback_ranges(self.slot):
                n = self._take(day, lo, hi)
                if n is not None:
                    return n
            raise _error(
                "exhausted",
                f"Máy trạm đã dùng hết số được cấp và số dự phòng cho ngày {day:%d/%m/%Y}: "
                "kết nối máy chủ để nhận thêm dải số rồi tiếp nhận tiếp.",
                f"This workstation has used all its leased and fallback numbers for {day:%d/%m/%Y}: "
                "connect to the server to obtain more numbers, then continue.",
            )
        raise _error(
            "no_numbers",
            f"Máy trạm chưa có dải số cho ngày {day:%d/%m/%Y} và không có dải dự phòng: "
            "kết nối máy chủ để nhận dải số.",
            f"This workstation has no numbers for {day:%d/%m/%Y} and no fallback slot: "
            "connect to the server to obtain numbers.",
        )

    def next_code(self, day: date) -> DossierCode:
        """Use the next number and return the dossier's code (to be stored, never recomputed)."""
        return DossierCode.issue(self.agency_eid, day, self.next_number(day))
