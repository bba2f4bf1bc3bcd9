"""Dossier codes, leases, fallback slots: uniqueness across offline workstations."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.codes import (
    DEFAULT_PLAN,
    DossierCode,
    Lease,
    LeaseBook,
    NumberAllocator,
    NumberingPlan,
    format_code,
    parse_code,
    validate_agency_eid,
)
from app.domain.errors import DomainError
from app.domain.status import Action, replay

EID = "000.17.22.H56"
DAY = date(2026, 3, 2)

# ---------------------------------------------------------------------------------------------- format


def test_format_and_parse_the_real_example() -> None:
    assert format_code(EID, date(2021, 5, 31), 1) == "000.17.22.H56-210531-0001"
    assert parse_code("000.17.22.H56-210531-0001") == (EID, date(2021, 5, 31), 1)
    assert parse_code("000.00.06.H56-231027-0361").number == 361
    assert format_code(EID, DAY, 9999) == "000.17.22.H56-260302-9999"
    assert format_code(EID, DAY, 10000) == "000.17.22.H56-260302-10000"
    assert parse_code("000.17.22.H56-260302-10000").number == 10000


@pytest.mark.parametrize(
    "code",
    [
        "000.17.22.H56-210531-00001",  # non-canonical padding
        "000.17.22.H56-210531-0000",  # zero
        "000.17.22.H56-210531-001",  # too short
        "000.17.22.H56-210531-100000",  # too long
        "000.17.22.h56-210531-0001",  # lower case
        "000..22.H56-210531-0001",  # empty group
        ".000.22.H56-210531-0001",
        "000.17.22.H56-210231-0001",  # 31 February
        "000.17.22.H56-21053-0001",
        "000.17.22.H56 210531 0001",
        "A" * 36 + "-210531-0001",  # e-ID longer than 35
        "",
    ],
)
def test_parse_rejects(code: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_code(code)
    assert err.value.message("vi")


def test_eid_validation() -> None:
    assert validate_agency_eid("000.00.04.G14") == "000.00.04.G14"
    assert validate_agency_eid("A" * 35) == "A" * 35
    for bad in ("", "A" * 36, "000-17", "000.17.", "H56 ", "Đ56"):
        with pytest.raises(DomainError):
            validate_agency_eid(bad)
    with pytest.raises(DomainError):
        format_code(EID, DAY, 0)
    with pytest.raises(DomainError):
        format_code(EID, DAY, 100_000)
    with pytest.raises(DomainError):
        format_code(EID, date(1999, 12, 31), 1)


eids = (
    st.lists(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=5), min_size=1, max_size=5)
    .map(".".join)
    .filter(lambda s: len(s) <= 35)
)


@settings(deadline=None, max_examples=200)
@given(
    eid=eids,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    number=st.integers(1, 99_999),
)
def test_format_parse_round_trip(eid: str, day: date, number: int) -> None:
    code = format_code(eid, day, number)
    assert parse_code(code) == (eid, day, number)
    assert DossierCode(code).parts == (eid, day, number)


# ---------------------------------------------------------------------------------------------- plan


def test_default_plan_regions() -> None:
    plan = DEFAULT_PLAN
    assert plan.lease_regions == ((1, 8999), (10000, 89999))
    assert plan.block4 == 100 and plan.block5 == 1000
    assert plan.fallback_ranges(0) == ((9000, 9099), (90000, 90999))
    assert plan.fallback_ranges(9) == ((9900, 9999), (99000, 99999))
    with pytest.raises(DomainError):
        plan.fallback_ranges(10)
    # Fallback blocks of different slots and lease regions are pairwise disjoint.
    spans = list(plan.lease_regions) + [r for s in range(plan.slots) for r in plan.fallback_ranges(s)]
    spans.sort()
    for (_, hi), (lo, _) in zip(spans, spans[1:], strict=False):
        assert hi < lo
    with pytest.raises(DomainError):
        NumberingPlan(slots=2000)


# ---------------------------------------------------------------------------------------------- lease book


def test_lease_book_grants_from_the_bottom_without_overlap() -> None:
    book = LeaseBook()
    a = book.grant(EID, DAY, 20)
    b = book.grant(EID, DAY, 5)
    assert (a.first, a.last, b.first, b.last) == (1, 20, 21, 25)
    other_day = book.grant(EID, DAY + timedelta(days=1), 3)
    assert (other_day.first, other_day.last) == (1, 3)
    other_agency = book.grant("000.18.22.H56", DAY, 3)
    assert other_agency.first == 1
    assert book.high_water(EID, DAY) == 25


def test_lease_book_skips_the_fallback_region_and_goes_to_five_digits() -> None:
    book = LeaseBook(high_water={(EID, DAY): 8990})
    short = book.grant(EID, DAY, 20)
    assert (short.first, short.last) == (8991, 8999)  # cut at the region end
    nxt = book.grant(EID, DAY, 20)
    assert (nxt.first, nxt.last) == (10000, 10019)
    code = format_code(EID, DAY, nxt.first)
    assert code.endswith("-10000") and parse_code(code).number == 10000
    full = LeaseBook(high_water={(EID, DAY): 89_999})
    with pytest.raises(DomainError):
        full.grant(EID, DAY, 1)
    with pytest.raises(DomainError):
        book.grant(EID, DAY, 0)
    with pytest.raises(DomainError):
        book.grant(EID, DAY, 100_000)


def test_note_issued_keeps_leases_above_foreign_numbers() -> None:
    book = LeaseBook()
    book.note_issued(EID, DAY, 40)
    book.note_issued(EID, DAY, 9050)  # a fallback number: does not move the mark
    assert book.grant(EID, DAY, 1).first == 41


def test_slots_are_distinct_and_limited() -> None:
    book = LeaseBook(NumberingPlan(slots=2, fallback4_first=9990, fallback5_first=99990))
    assert book.assign_slot(EID, "ws-a") == 0
    assert book.assign_slot(EID, "ws-b") == 1
    assert book.assign_slot(EID, "ws-a") == 0
    assert book.assign_slot("000.18.22.H56", "ws-c") == 0  # per agency
    with pytest.raises(DomainError) as err:
        book.assign_slot(EID, "ws-c")
    assert "máy trạm" in err.value.message("vi")


# ---------------------------------------------------------------------------------------------- allocator


def test_allocator_spends_leases_then_fallback_then_refuses() -> None:
    plan = NumberingPlan(slots=5, fallback4_first=9990, fallback5_first=99990)  # 2 + 2 per slot
    alloc = NumberAllocator(EID, 1, plan, leases=[Lease(EID, DAY, 5, 6)])
    assert alloc.leased_left(DAY) == 2 and alloc.fallback_left(DAY) == 4
    assert [alloc.next_number(DAY) for _ in range(6)] == [5, 6, 9992, 9993, 99992, 99993]
    assert alloc.fallback_left(DAY) == 0
    with pytest.raises(DomainError) as err:
        alloc.next_number(DAY)
    assert "kết nối máy chủ" in err.value.message("vi")
    # A new lease for the day makes it work again.
    alloc.add_lease(Lease(EID, DAY, 7, 7))
    assert alloc.next_number(DAY) == 7


def test_allocator_without_slot_needs_a_lease() -> None:
    alloc = NumberAllocator(EID, None)
    with pytest.raises(DomainError) as err:
        alloc.next_number(DAY)
    assert "không có dải dự phòng" in err.value.message("vi")


def test_allocator_rejects_bad_leases() -> None:
    alloc = NumberAllocator(EID, 0, leases=[Lease(EID, DAY, 1, 10)])
    alloc.add_lease(Lease(EID, DAY, 1, 10))  # a retried response: ignored
    assert alloc.leases(DAY) == (Lease(EID, DAY, 1, 10),)
    with pytest.raises(DomainError):
        alloc.add_lease(Lease(EID, DAY, 5, 15))  # overlap
    with pytest.raises(DomainError):
        alloc.add_lease(Lease("000.18.22.H56", DAY, 20, 30))  # other agency
    with pytest.raises(DomainError):
        alloc.add_lease(Lease(EID, DAY, 8990, 9010))  # into the fallback region
    with pytest.raises(DomainError):
        Lease(EID, DAY, 10, 5)


def test_allocator_forgets_old_days() -> None:
    alloc = NumberAllocator(EID, 0, leases=[Lease(EID, DAY, 1, 3)])
    alloc.next_number(DAY)
    alloc.forget_before(DAY + timedelta(days=1))
    assert alloc.leases(DAY) == () and alloc.used(DAY) == frozenset()


# ------------------------------------------------------------------------------------- codes never change


def test_a_code_never_changes() -> None:
    alloc = NumberAllocator(EID, 0, leases=[Lease(EID, DAY, 1, 2)])
    code = alloc.next_code(DAY)
    stored = code.text
    assert stored == "000.17.22.H56-260302-0001"
    # The value is immutable.
    with pytest.raises(dataclasses.FrozenInstanceError):
        code.text = "000.17.22.H56-260302-0002"  # type: ignore[misc]
    # A stored code is read back verbatim, even after its agency was renamed or merged (the parts are read
    # from the text, never from the agency's current e-ID).
    assert str(DossierCode(stored)) == stored
    assert DossierCode(stored).parts.agency_eid == EID
    # Forwarding, transfers, supplements… are status events; the code is not an input to any of them.
    replay(["receive", "forward", "transfer", "request_supplement", "supplement_received", "result_ready"])
    assert DossierCode(stored) == code
    # A restarted workstation rebuilt from its stored state never hands out the same number again.
    restarted = NumberAllocator(EID, 0, leases=alloc.leases(DAY), used=[(DAY, n) for n in alloc.used(DAY)])
    assert restarted.next_code(DAY).text != stored
    assert restarted.next_number(DAY) not in {1, 2}
    assert Action.TRANSFER.value == "transfer"


# ---------------------------------------------------------------------------------------------- simulation

SMALL_PLAN = NumberingPlan(slots=4, fallback4_first=9992, fallback5_first=99992)  # 2 + 2 per slot

step = st.tuples(
    st.integers(0, 5),  # workstation (modulo the count)
    st.sampled_from(["toggle", "issue", "issue", "issue", "prefetch", "restart"]),
    st.integers(0, 3),  # day index
    st.integers(1, 4),  # lease size
)


@settings(deadline=None, max_examples=150)
@given(
    n_ws=st.integers(2, 5),
    initially_online=st.lists(st.booleans(), min_size=5, max_size=5),
    steps=st.lists(step, min_size=1, max_size=120),
)
def test_offline_workstations_never_collide(
    n_ws: int, initially_online: list[bool], steps: list[tuple[int, str, int, int]]
) -> None:
    book = LeaseBook(SMALL_PLAN)
    days = [date(2026, 2, 27) + timedelta(days=i) for i in range(4)]
    # Five workstations but only four slots: the fifth numbers from leases only.
    allocs = [NumberAllocator(EID, _slot(book, f"ws-{i}"), SMALL_PLAN) for i in range(n_ws)]
    online = initially_online[:n_ws]
    issued: dict[str, int] = {}
    for ws, op, day_index, size in steps:
        i = ws % n_ws
        alloc = allocs[i]
        day = days[day_index]
        if op == "toggle":
            online[i] = not online[i]
        elif op == "prefetch":
            if online[i]:
                alloc.add_lease(book.grant(EID, day, size))
        elif op == "restart":
            allocs[i] = NumberAllocator(
                EID,
                alloc.slot,
                SMALL_PLAN,
                leases=[x for d in days for x in alloc.leases(d)],
                used=[(d, n) for d in days for n in alloc.used(d)],
            )
        else:
            if online[i] and alloc.leased_left(day) == 0:
                alloc.add_lease(book.grant(EID, day, size))
            try:
                code = alloc.next_code(day)
            except DomainError:
                # Only allowed when the desk is offline with nothing left for that day.
                assert not online[i]
                assert alloc.leased_left(day) == 0 and alloc.fallback_left(day) == 0
                continue
            assert code.text not in issued, f"{code.text} issued twice"
            issued[code.text] = i
            eid, parsed_day, number = parse_code(code.text)
            assert (eid, parsed_day) == (EID, day)
            if SMALL_PLAN.lease_region_of(number) is not None:
                assert number <= book.high_water(EID, day)  # a leased number the server knows
            else:
                slot = alloc.slot
                assert slot is not None
                assert any(lo <= number <= hi for lo, hi in SMALL_PLAN.fallback_ranges(slot))


def _slot(book: LeaseBook, ws: str) -> int | None:
    try:
        return book.assign_slot(EID, ws)
    except DomainError:
        return None
