"""``motcua-desk report reconcile``: the centre's dossiers against what the national portal acknowledged
(app/services/reconcile.py; the portal's answers as of the desk's last sync round)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from app.cli.context import Context, parse_date
from app.domain.errors import DomainError, Problem
from app.services import reconcile as svc


def cmd_reconcile(ctx: Context) -> int:
    first = parse_date(ctx.args.date_from, "from")
    last = parse_date(ctx.args.date_to, "to")
    report = svc.reconcile(ctx.store, first, last, late_after=timedelta(hours=_hours(ctx.args.late_hours)))
    as_of = report.as_of.isoformat(sep=" ", timespec="minutes") if report.as_of else None
    if ctx.args.json:
        ctx.print_json(
            {
                "centre": report.centre,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "as_of": as_of,
                "known": report.known,
                "acknowledged": report.acknowledged,
                "differences": [
                    {
                        "code": d.code,
                        "reason": d.reason.value,
                        "ours": d.ours,
                        "portal": d.portal,
                        "detail_vi": d.detail_vi,
                        "detail_en": d.detail_en,
                    }
                    for d in report.differences
                ],
            }
        )
        return 0
    ctx.print(
        ctx.t(
            f"{report.centre} từ {first} đến {last}: ở đây {report.known}, cổng đã xác nhận "
            f"{report.acknowledged}, chênh lệch {len(report.differences)}",
            f"{report.centre} from {first} to {last}: here {report.known}, acknowledged by the portal "
            f"{report.acknowledged}, differences {len(report.differences)}",
        )
    )
    ctx.print(
        ctx.t(f"Theo lần đồng bộ gần nhất: {as_of}", f"As of the last sync round: {as_of}")
        if as_of
        else ctx.t(
            "Chưa đồng bộ lần nào: chưa biết cổng đã nhận gì.",
            "Never synced: what the portal holds is unknown.",
        )
    )
    for d in report.differences:
        ctx.print(
            f"  {d.code}  {ctx.t(d.reason.label_vi, d.reason.label_en)}: {ctx.t(d.detail_vi, d.detail_en)}"
        )
    return 0


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 24 * 365:
        raise DomainError(
            Problem(
                "cli.report.late_hours",
                "Số giờ (--late-hours) phải lớn hơn 0 và không quá 8760.",
                "The hours (--late-hours) must be above 0 and at most 8760.",
                "late_hours",
            )
        )
    return value


def add(rsub: Any, common: argparse.ArgumentParser) -> None:
    r = rsub.add_parser(
        "reconcile",
        parents=[common],
        help="the centre's dossiers against what the national portal acknowledged",
    )
    r.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--late-hours", type=str, default="24", help="first acknowledgement later than this: late")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_reconcile)
