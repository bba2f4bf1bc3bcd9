"""Status machine, national codes, labels, replay; and Decision 766 timeliness."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import WorkingCalendar
from app.domain.errors import DomainError
from app.domain.status import (
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
    can,
    is_final,
    is_open,
    replay,
    transition,
)
from app.domain.timeliness import (
    SupplementPeriod,
    Timeliness,
    classify_timeliness,
    counts_for_index,
    processing_end,
)

D = datetime

# ---------------------------------------------------------------------------------------------- statuses


def test_national_codes_cover_1_to_10() -> None:
    assert sorted(s.national_code for s in Status) == list(range(1, 11))
    assert Status.RECEIVED.national_code == 2
    assert Status.REFUSED.national_code == 3
    assert Status.IN_PROCESS.national_code == 4
    assert Status.SUPPLEMENT_REQUESTED.national_code == 5
    assert Status.FEES_REQUESTED.national_code == 6
    assert Status.WITHDRAWN.national_code == 7
    assert Status.STOPPED.national_code == 8
    assert Status.RESULT_READY.national_code == 9
    assert Status.RETURNED.national_code == 10
    for s in Status:
        assert Status.from_national_code(s.national_code) is s
    with pytest.raises(DomainError):
        Status.from_national_code(11)


def test_labels_exist_in_both_languages() -> None:
    for s in Status:
        assert s.label_vi and s.label_en and s.national_label_vi
        assert s.label("en") == s.label_en
    for a in Action:
        assert a.label_vi and a.label_en
    assert Status.RETURNED.national_label_vi == "Đã trả kết quả"
    assert Action.HAND_BACK.label_vi == "Trả kết quả"


def test_final_and_open() -> None:
    assert {s for s in Status if is_final(s)} == {
        Status.REFUSED,
        Status.WITHDRAWN,
        Status.STOPPED,
        Status.RETURNED,
    }
    assert is_open(Status.RESULT_READY)
    assert is_open("in_process")
    for s in Status:
        assert is_open(s) != is_final(s)
        if is_final(s):
            assert allowed_actions(s) == []


def test_happy_paths() -> None:
    assert replay(["receive", "start_processing", "result_ready", "hand_back"]) is Status.RETURNED
    assert (
        replay(
            [
                Action.SUBMIT_ONLINE,
                Action.RECEIVE,
                Action.FORWARD,
                Action.REQUEST_SUPPLEMENT,
                Action.SUPPLEMENT_RECEIVED,
                Action.REQUEST_FEES,
                Action.FEES_PAID,
                Action.APOLOGISE,
                Action.TRANSFER,
                Action.FORWARD,
                Action.RESULT_READY,
                Action.TRANSFER,
                Action.HAND_BACK,
            ]
        )
        is Status.RETURNED
    )
    # Decided at the counter (chứng thực): no forwarding.
    assert replay(["receive", "result_ready"]) is Status.RESULT_READY
    assert replay(["refuse"]) is Status.REFUSED
    assert replay(["submit_online", "refuse"]) is Status.REFUSED
    assert replay(["receive", "request_supplement", "withdraw"]) is Status.WITHDRAWN
    assert replay(["receive", "start_processing", "request_supplement", "stop"]) is Status.STOPPED
    assert replay(["hand_back"], start=Status.RESULT_READY) is Status.RETURNED


def test_apologise_and_transfer_keep_status() -> None:
    for s in (Status.RECEIVED, Status.IN_PROCESS, Status.SUPPLEMENT_REQUESTED, Status.FEES_REQUESTED):
        assert transition(s, Action.APOLOGISE) is s
        assert transition(s, Action.TRANSFER) is s
    assert transition(Status.RESULT_READY, Action.TRANSFER) is Status.RESULT_READY
    assert not can(Status.RESULT_READY, Action.APOLOGISE)


def test_hand_back_without_result_is_refused_with_reason() -> None:
    with pytest.raises(DomainError) as err:
        transition(Status.IN_PROCESS, Action.HAND_BACK)
    vi = err.value.message("vi")
    en = err.value.message("en")
    assert vi.startswith("Không thể trả kết quả: hồ sơ chưa có kết quả")
    assert "Đang xử lý" in vi
    assert en.startswith("Cannot hand back the result: the dossier has no result yet")
    assert err.value.problems[0].code == "status.illegal.hand_back"


@pytest.mark.parametrize(
    ("status", "action", "fragment"),
    [
        (Status.RETURNED, Action.HAND_BACK, "đã kết thúc"),
        (Status.RECEIVED, Action.REFUSE, "Dừng giải quyết"),
        (Status.IN_PROCESS, Action.SUPPLEMENT_RECEIVED, "không ở trạng thái chờ bổ sung"),
        (Status.RESULT_READY, Action.WITHDRAW, "đã có kết quả"),
        (Status.FEES_REQUESTED, Action.RESULT_READY, "chờ nghĩa vụ tài chính"),
        (None, Action.START_PROCESSING, "chưa có hồ sơ"),
        (Status.RECEIVED, Action.RECEIVE, "đã được tiếp nhận"),
    ],
)
def test_illegal_transitions(status: Status | None, action: Action, fragment: str) -> None:
    with pytest.raises(DomainError) as err:
        transition(status, action)
    assert fragment in err.value.message("vi")
    assert err.value.message("en").startswith("Cannot ")


def test_unknown_names_are_domain_errors() -> None:
    with pytest.raises(DomainError):
        transition("received", "teleport")
    with pytest.raises(DomainError):
        transition("lost", "receive")


def test_replay_names_the_bad_event() -> None:
    with pytest.raises(DomainError) as err:
        replay(["receive", "start_processing", "hand_back"])
    assert err.value.message("vi").startswith("Sự kiện thứ 3: Không thể trả kết quả")
    assert err.value.message("en").startswith("Event 3: Cannot hand back")
    with pytest.raises(DomainError):
        replay([])


def test_allowed_actions_agree_with_transition() -> None:
    for s in [None, *Status]:
        allowed = allowed_actions(s)
        for a in Action:
            if a in allowed:
                transition(s, a)
            else:
                with pytest.raises(DomainError):
                    transition(s, a)
    assert allowed_actions(None) == [Action.SUBMIT_ONLINE, Action.RECEIVE, Action.REFUSE]
    assert Action.HAND_BACK in allowed_actions(Status.RESULT_READY)


def test_every_status_is_reachable_and_every_open_one_can_end() -> None:
    reachable: set[Status] = set()
    frontier: list[Status | None] = [None]
    while frontier:
        s = frontier.pop()
        for a in allowed_actions(s):
            nxt = TRANSITIONS[(s, a)]
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(Status)
    for s in Status:
        if is_open(s):
            assert any(is_final(TRANSITIONS[(s, a)]) for a in allowed_actions(s)), s


@settings(deadline=None, max_examples=200)
@given(st.lists(st.sampled_from(list(Action)), max_size=12))
def test_replay_is_a_fold_of_transition(actions: list[Action]) -> None:
    current: Status | None = None
    legal = True
    for a in actions:
        if (current, a) not in TRANSITIONS:
            legal = False
            break
        current = TRANSITIONS[(current, a)]
    if not legal or current is None:
        with pytest.raises(DomainError):
            replay(actions)
    else:
        assert replay(actions) is current
        # Nothing leaves a final status.
        if is_final(current):
            assert allowed_actions(current) == []


# ---------------------------------------------------------------------------------------------- timeliness

RECEIVED = D(2026, 3, 2, 8, 0)  # Monday
DUE = D(2026, 3, 4, 17, 0)  # Wednesday closing


def test_timeliness_basic() -> None:
    assert classify_timeliness(RECEIVED, DUE, [], D(2026, 3, 3, 10, 0)) is Timeliness.EARLY
    assert classify_timeliness(RECEIVED, DUE, [], D(2026, 3, 4, 9, 0)) is Timeliness.ON_TIME
    assert classify_timeliness(RECEIVED, DUE, [], DUE) is Timeliness.ON_TIME
    assert classify_timeliness(RECEIVED, DUE, [], DUE + timedelta(minutes=1)) is Timeliness.LATE
    assert Timeliness.EARLY.label_vi == "Trước hạn"
    assert Timeliness.ON_TIME.label_vi == "Đúng hạn"
    assert Timeliness.LATE.label_vi == "Quá hạn"
    assert Timeliness.LATE.label("en") == "Late"


def test_supplement_wait_is_excluded() -> None:
    # Asked Tuesday 08:00, supplied Friday 08:00, finished Friday 10:00.
    sup = [SupplementPeriod(D(2026, 3, 3, 8, 0), D(2026, 3, 6, 8, 0))]
    end = D(2026, 3, 6, 10, 0)
    assert classify_timeliness(RECEIVED, DUE, [], end) is Timeliness.LATE
    # Literal 766 formula (wall clock): end − 72 h = Tuesday 10:00 → before the due day.
    assert classify_timeliness(RECEIVED, DUE, sup, end) is Timeliness.EARLY
    # Working-time form: due + 24 working hours = Monday 9/3 17:00 → early too.
    cal = WorkingCalendar()
    assert classify_timeliness(RECEIVED, DUE, sup, end, calendar=cal) is Timeliness.EARLY
    # Finished Monday 9/3 16:00: on the extended due day.
    assert classify_timeliness(RECEIVED, DUE, sup, D(2026, 3, 9, 16, 0), calendar=cal) is Timeliness.ON_TIME
    assert classify_timeliness(RECEIVED, DUE, sup, D(2026, 3, 10, 8, 0), calendar=cal) is Timeliness.LATE


def test_calendar_form_ignores_weekend_waits() -> None:
    # Asked Friday 16:00, supplied Monday 08:00: wall clock 64 h, working time 2 h.
    received = D(2026, 3, 4, 8, 0)
    due = D(2026, 3, 9, 17, 0)
    sup = [SupplementPeriod(D(2026, 3, 6, 16, 0), D(2026, 3, 9, 8, 0))]
    end = D(2026, 3, 10, 10, 0)
    assert classify_timeliness(received, due, sup, end, calendar=WorkingCalendar()) is Timeliness.LATE
    assert classify_timeliness(received, due, sup, end) is Timeliness.EARLY


def test_more_than_one_supplement_is_late() -> None:
    sups = [
        SupplementPeriod(D(2026, 3, 2, 9, 0), D(2026, 3, 2, 10, 0)),
        SupplementPeriod(D(2026, 3, 2, 11, 0), D(2026, 3, 2, 14, 0)),
    ]
    assert classify_timeliness(RECEIVED, DUE, sups, D(2026, 3, 2, 15, 0)) is Timeliness.LATE


def test_pending_supplement_stops_the_clock() -> None:
    sup = [SupplementPeriod(D(2026, 3, 4, 9, 0))]
    # Period end long after the due date, but the clock stopped Wednesday 09:00.
    assert classify_timeliness(RECEIVED, DUE, sup, D(2026, 3, 31, 17, 0)) is Timeliness.ON_TIME
    late = [SupplementPeriod(D(2026, 3, 5, 9, 0))]
    assert classify_timeliness(RECEIVED, DUE, late, D(2026, 3, 31, 17, 0)) is Timeliness.LATE
    # Completed only after the period end: still pending at the period end.
    after = [SupplementPeriod(D(2026, 3, 3, 9, 0), D(2026, 4, 2, 9, 0))]
    assert classify_timeliness(RECEIVED, DUE, after, D(2026, 3, 31, 17, 0)) is Timeliness.EARLY


def test_open_dossier_uses_period_end() -> None:
    end = processing_end(period_end=D(2026, 3, 3, 17, 0))
    assert classify_timeliness(RECEIVED, DUE, [], end) is Timeliness.EARLY
    end2 = processing_end(period_end=D(2026, 3, 31, 17, 0))
    assert classify_timeliness(RECEIVED, DUE, [], end2) is Timeliness.LATE


def test_processing_end_priority() -> None:
    t1, t2, t3 = D(2026, 3, 3, 9, 0), D(2026, 3, 4, 9, 0), D(2026, 3, 5, 9, 0)
    assert processing_end(result_ready_at=t2, returned_at=t3, period_end=t3) == t2
    assert processing_end(returned_at=t3, stopped_at=t1) == t3
    assert processing_end(withdrawn_at=t1, period_end=t3) == t1
    with pytest.raises(DomainError):
        processing_end()


def test_no_due_date_uses_statutory_maximum() -> None:
    cal = WorkingCalendar()
    # 16 working hours from Monday 08:00 → Wednesday 08:00.
    kwargs = {"calendar": cal, "max_duration": timedelta(hours=16)}
    assert classify_timeliness(RECEIVED, None, [], D(2026, 3, 4, 8, 0), **kwargs) is Timeliness.ON_TIME
    assert classify_timeliness(RECEIVED, None, [], D(2026, 3, 4, 8, 1), **kwargs) is Timeliness.LATE
    with pytest.raises(DomainError):
        classify_timeliness(RECEIVED, None, [], D(2026, 3, 4, 8, 0))


def test_timeliness_rejects_inconsistent_times() -> None:
    with pytest.raises(DomainError):
        classify_timeliness(RECEIVED, DUE, [], RECEIVED - timedelta(hours=1))
    with pytest.raises(DomainError):
        classify_timeliness(
            RECEIVED, DUE, [SupplementPeriod(D(2026, 3, 3, 9, 0), D(2026, 3, 3, 8, 0))], D(2026, 3, 4, 9, 0)
        )


def test_only_accepted_dossiers_count() -> None:
    assert not counts_for_index(Status.NEW)
    assert not counts_for_index("refused")
    assert counts_for_index(Status.WITHDRAWN)
    assert counts_for_index(Status.RETURNED)
