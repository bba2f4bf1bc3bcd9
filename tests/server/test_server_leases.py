"""Number leases: never overlapping (also under concurrent requests), never in the fallback regions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from srvkit import A, B, World, today

from app.contract import LeaseInfo
from app.domain.codes import DEFAULT_PLAN, NumberAllocator
from app.sync.client import ServerRefused
from server.models import NumberCounter


def test_leases_never_overlap_under_concurrent_requests(world: World) -> None:
    desks = [world.desk(A, f"Quầy {i}") for i in range(4)]
    day = today()
    got: list[LeaseInfo] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        client = world.client(desks[i % len(desks)].client.token)
        try:
            for j in range(12):
                lease = client.lease(A, day, 37 + (i * 7 + j) % 60).lease
                with lock:
                    got.append(lease)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == 96
    spans = sorted((x.first, x.last) for x in got)
    for (_, last), (first, _) in zip(spans, spans[1:], strict=False):
        assert first > last, spans
    for first, last in spans:
        region = DEFAULT_PLAN.lease_region_of(first)
        assert region is not None and region == DEFAULT_PLAN.lease_region_of(last)
    # Contiguous from 1: the high-water mark is the sum of the sizes (no region end crossed here).
    assert spans[0][0] == 1
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:], strict=False))
    # Each desk can hold its leases beside its fallback slot without any clash.
    alloc = NumberAllocator(A, desks[0].slot, leases=[x.to_domain() for x in got])
    assert alloc.leased_left(day) == sum(x.last - x.first + 1 for x in got)


def test_a_lease_stops_at_the_fallback_region_and_continues_above(world: World) -> None:
    desk = world.desk(A)
    day = today()
    with world.db.write() as s:
        s.add(NumberCounter(agency_eid=A, day=day, high_water=8_995))
    first = desk.client.lease(A, day, 50)
    assert (first.lease.first, first.lease.last) == (8_996, 8_999)
    assert first.slot == desk.slot
    second = desk.client.lease(A, day, 50).lease
    assert (second.first, second.last) == (10_000, 10_049)
    with world.db.write() as s:
        counter = s.get(NumberCounter, (A, day))
        assert counter is not None
        counter.high_water = 89_998
    last = desk.client.lease(A, day, 10).lease
    assert (last.first, last.last) == (89_999, 89_999)
    with pytest.raises(ServerRefused) as err:
        desk.client.lease(A, day, 10)
    assert (err.value.status_code, err.value.problem.code) == (409, "code.lease_exhausted")


def test_leases_are_per_agency_and_day(world: World) -> None:
    a, b = world.desk(A), world.desk(B)
    day = today()
    assert a.client.lease(A, day, 5).lease.first == 1
    assert b.client.lease(B, day, 5).lease.first == 1
    assert a.client.lease(A, day + timedelta(days=1), 5).lease.first == 1
    assert a.client.lease(A, day, 5).lease.first == 6


def test_only_the_devices_own_agency(world: World) -> None:
    a = world.desk(A)
    with pytest.raises(ServerRefused) as err:
        a.client.lease(B, today(), 5)
    assert (err.value.status_code, err.value.problem.code) == (403, "scope.forbidden")


@pytest.mark.parametrize("offset", [-3, 61, 3650])
def test_days_far_from_today_are_refused(world: World, offset: int) -> None:
    a = world.desk(A)
    with pytest.raises(ServerRefused) as err:
        a.client.lease(A, today() + timedelta(days=offset), 5)
    assert (err.value.status_code, err.value.problem.code) == (422, "lease.day")


def test_one_device_cannot_take_a_whole_day_s_numbers(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """D14: a per-device cap per agency and day; beyond it a clear 409; a second desk still gets a lease."""
    from server import numbering

    monkeypatch.setattr(numbering, "LEASE_PER_DEVICE_DAY", 250)
    greedy, other = world.desk(A, "Quầy 1"), world.desk(A, "Quầy 2")
    day = today()
    got = [greedy.client.lease(A, day, 100).lease for _ in range(2)]
    last = greedy.client.lease(A, day, 100).lease  # what is left under the cap
    assert last.last - last.first + 1 == 50
    with pytest.raises(ServerRefused) as err:
        greedy.client.lease(A, day, 100)
    assert err.value.status_code == 409 and err.value.problem.code == "lease.device_cap"
    assert "250" in err.value.problem.vi and "MOTCUA_LEASE_PER_DEVICE_DAY" in err.value.problem.en
    assert sum(x.last - x.first + 1 for x in got) == 200
    second = other.client.lease(A, day, 100).lease
    assert second.last - second.first + 1 == 100 and second.first > last.last
    # Another day is another budget.
    assert greedy.client.lease(A, day + timedelta(days=1), 100).lease.first == 1
