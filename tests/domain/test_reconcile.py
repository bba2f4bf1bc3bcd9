"""The reasons of a reconciliation difference (app/domain/reconcile.py), shared by server and desks."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.reconcile import LATE_AFTER, PortalAck, Reason, classify

AT = datetime(2026, 3, 2, 1, 0)


def test_never_synced_when_nothing_was_acknowledged() -> None:
    for ack in (None, PortalAck(None, AT, None, pending=2)):
        diff = classify("C", 2, ack)
        assert diff is not None and diff.reason is Reason.NEVER_SYNCED and diff.portal is None


def test_status_differs_wins_over_late_and_says_what_waits() -> None:
    diff = classify("C", 4, PortalAck(2, AT, AT + timedelta(days=3), pending=1))
    assert diff is not None and diff.reason is Reason.STATUS_DIFFERS
    assert (
        (diff.ours, diff.portal) == (4, 2) and "1 record" in diff.detail_en and "1 bản ghi" in diff.detail_vi
    )


def test_late_only_beyond_the_threshold() -> None:
    assert classify("C", 2, PortalAck(2, AT, AT + LATE_AFTER)) is None
    diff = classify("C", 2, PortalAck(2, AT, AT + LATE_AFTER + timedelta(seconds=1)))
    assert diff is not None and diff.reason is Reason.SYNCED_LATE and "24.0" in diff.detail_en
    shorter = classify("C", 2, PortalAck(2, AT, AT + timedelta(hours=2)), late_after=timedelta(hours=1))
    assert shorter is not None and shorter.reason is Reason.SYNCED_LATE
    assert classify("C", 2, PortalAck(2, None, AT + timedelta(days=9))) is None  # event time unknown


def test_reason_labels_are_pairs() -> None:
    assert {r.label_vi for r in Reason} == {"Chưa đồng bộ", "Đồng bộ muộn", "Trạng thái khác"}
    assert all(r.label_en for r in Reason)
