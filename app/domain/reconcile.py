"""Reconciliation with the national portal (issue 20 item 5): why a dossier known here differs from what the
portal acknowledged. Pure: the server (``motcua-server portal reconcile``, server/portal.py) and the desks
(``motcua-desk report reconcile``, app/services/reconcile.py) both classify with :func:`classify`.

The reasons, checked in this order (one per dossier):

- ``never_synced``: the portal acknowledged no record of the dossier;
- ``status_differs``: the national status (1–10) the portal holds is not ours;
- ``synced_late``: the first record the portal acknowledged was acknowledged more than ``late_after`` after
  the event it carries happened (the receipt at the counter; for an online dossier its acceptance, refusal
  or supplement request: the portal already holds the submission itself).

**No source found** for a time limit on synchronisation: rules-2026.md §1.5 counts only synced dossiers and
asks to "track sync state per dossier". :data:`LATE_AFTER` (24 hours) is our choice, a parameter of both
commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

__all__ = ["LATE_AFTER", "Difference", "PortalAck", "Reason", "classify"]

#: A first acknowledgement later than this after its event is "synced late" (our choice, see above).
LATE_AFTER: Final = timedelta(hours=24)


class Reason(StrEnum):
    NEVER_SYNCED = "never_synced"
    SYNCED_LATE = "synced_late"
    STATUS_DIFFERS = "status_differs"

    @property
    def label_vi(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]


_LABELS: Final[dict[Reason, tuple[str, str]]] = {
    Reason.NEVER_SYNCED: ("Chưa đồng bộ", "Never synced"),
    Reason.SYNCED_LATE: ("Đồng bộ muộn", "Synced late"),
    Reason.STATUS_DIFFERS: ("Trạng thái khác", "Status differs"),
}


@dataclass(frozen=True, slots=True)
class PortalAck:
    """What the portal acknowledged of one dossier.

    ``status``: the national status the portal holds (the last acknowledged record's ``TrangThaiHoSo``, or
    the portal's own copy when it was asked); ``first_event_at`` / ``first_acked_at``: when the event of the
    first acknowledged record happened and when the portal acknowledged it, both in the same time zone
    (naive UTC on the server and the desks); ``pending``: records not acknowledged yet."""

    status: int | None
    first_event_at: datetime | None = None
    first_acked_at: datetime | None = None
    pending: int = 0


@dataclass(frozen=True, slots=True)
class Difference:
    code: str
    reason: Reason
    ours: int | None
    portal: int | None
    detail_vi: str
    detail_en: str


def classify(
    code: str, ours: int, ack: PortalAck | None, late_after: timedelta = LATE_AFTER
) -> Difference | None:
    """The difference between our national status ``ours`` of dossier ``code`` and what the portal
    acknowledged (``None``: nothing), or None when they agree."""
    if ack is None or ack.status is None:
        return Difference(
            code,
            Reason.NEVER_SYNCED,
            ours,
            None,
            "Cổng chưa xác nhận bản ghi nào của hồ sơ.",
            "The portal acknowledged no record of the dossier.",
        )
    if ack.status != ours:
        waiting_vi = f" ({ack.pending} bản ghi đang chờ gửi)" if ack.pending else ""
        waiting_en = f" ({ack.pending} record(s) waiting to be sent)" if ack.pending else ""
        return Difference(
            code,
            Reason.STATUS_DIFFERS,
            ours,
            ack.status,
            f"Trạng thái ở đây {ours}, trên cổng {ack.status}{waiting_vi}.",
            f"Status here {ours}, on the portal {ack.status}{waiting_en}.",
        )
    if ack.first_event_at is not None and ack.first_acked_at is not None:
        lag = ack.first_acked_at - ack.first_event_at
        if lag > late_after:
            hours = lag.total_seconds() / 3600
            return Difference(
                code,
                Reason.SYNCED_LATE,
                ours,
                ack.status,
                f"Cổng xác nhận bản ghi đầu tiên {hours:.1f} giờ sau sự kiện.",
                f"The portal acknowledged the first record {hours:.1f} hours after its event.",
            )
    return None
