"""The counted pause of the cyclic garbage collector (app/services/gcpause.py)."""

from __future__ import annotations

import gc
import threading

from app.services.gcpause import paused_gc


def test_pause_is_counted_and_restores_the_collector() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still on
    assert gc.isenabled()


def test_pause_of_another_thread_keeps_the_collector_off_until_both_end() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with paused_gc():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other)
    with paused_gc():
        t.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other thread's burst is still running
    release.set()
    t.join(5)
    assert gc.isenabled()


def test_collector_left_off_stays_off() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pause_ends_on_error() -> None:
    try:
        with paused_gc():
            raise ValueError("x")
    except ValueError:
        pass
    assert gc.isenabled()


def _cyclic_garbage(finalised_in: list[str]) -> None:
    """An object in a reference cycle, dropped: only the cyclic collector frees it."""
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    weakref.finalize(a, lambda: finalised_in.append(threading.current_thread().name))


def _allocate(n: int = 50_000) -> list[list[int]]:
    return [[i] for i in range(n)]  # containers, alive: each counts towards a young collection


def test_a_pinned_collector_collects_only_in_its_thread() -> None:
    from app.services.gcpause import collect_due, pin_collector, pinned, unpin_collector

    finalised_in: list[str] = []
    pin_collector()
    try:
        assert pinned() and not gc.isenabled()
        _cyclic_garbage(finalised_in)
        worker = threading.Thread(target=lambda: (_allocate(), collect_due()), name="worker")
        worker.start()
        worker.join(10)
        assert finalised_in == []  # the worker's allocations started no collection, its call did nothing
        with paused_gc():
            alive = _allocate()
            assert collect_due() == 0  # a burst is running somewhere: the youngest generation only
            del alive
        assert not gc.isenabled()  # the pause ended, the pin holds
        alive = _allocate()
        assert collect_due() >= 0
        del alive
        assert finalised_in == [threading.current_thread().name]
        assert collect_due() == -1  # nothing due right after a collection
    finally:
        unpin_collector()
    assert gc.isenabled() and not pinned()


def test_without_the_pin_a_worker_thread_collects() -> None:
    """What the pin is for: the automatic collector runs in the thread whose allocation crossed the
    threshold (if this ever stops being true, the pin is no longer needed)."""
    finalised_in: list[str] = []
    gc.collect()
    _cyclic_garbage(finalised_in)
    worker = threading.Thread(target=_allocate, name="worker")
    worker.start()
    worker.join(10)
    assert finalised_in == ["worker"]
