"""``motcua-desk calendar``: which public-sector calendar notices this desk has loaded, per year."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from app.cli.context import Context
from app.services.calendar_notices import loaded_calendar


def cmd_calendar(ctx: Context) -> int:
    cal = loaded_calendar(ctx.store, date.today(), ctx.args.year)
    if ctx.args.json:
        ctx.print_json(
            {
                "years_with_notices": sorted(cal.years),
                "missing_next_year": cal.missing_year,
                "notices": [
                    {
                        "number": n.number,
                        "date": n.notice_date.isoformat() if n.notice_date else None,
                        "source": cal.sources.get(n.number, ""),
                        "days": [
                            {"day": d.day.isoformat(), "kind": d.kind.value, "note": d.note} for d in n.days
                        ],
                    }
                    for n in cal.notices
                ],
            }
        )
        return 0
    t = ctx.t
    for n in cal.notices:
        when = f" ({n.notice_date:%d/%m/%Y})" if n.notice_date else ""
        name = n.number or t("(ngày điều chỉnh không kèm số văn bản)", "(days without a notice number)")
        ctx.print(f"{name}{when}  [{cal.sources.get(n.number, '')}]")
        for d in n.days:
            kind = t("nghỉ", "off") if d.kind.value == "off" else t("làm việc", "working")
            ctx.print(f"  {d.day:%d/%m/%Y}  {kind:<9} {d.note}")
    years = ", ".join(map(str, sorted(cal.years))) or "-"
    ctx.print(t("Năm đã có văn bản", "Years with notices") + f": {years}")
    if ctx.args.year is not None and ctx.args.year not in cal.years:
        ctx.print(
            t(
                f"Năm {ctx.args.year} chưa có văn bản nào: ngày nghỉ được ước tính theo Bộ luật Lao động.",
                f"No notice loaded for {ctx.args.year}: its days off are estimated from the Labour Code.",
            )
        )
    if cal.missing_year is not None:
        print(
            t(
                f"Cảnh báo: chưa nạp văn bản về ngày nghỉ năm {cal.missing_year} của khu vực công; ngày hẹn "
                "rơi vào năm đó sẽ được tính theo lịch ước tính.",
                f"Warning: the public-sector notices for {cal.missing_year} are not loaded yet; due dates in "
                "that year will rest on estimated days.",
            ),
            file=ctx.err,
        )
    return 0


def cmd_rules(ctx: Context) -> int:
    """Show or set the province's readings where the sources could not be read (README, Rules)."""
    from app.cli.dossiers import actor
    from app.services import dossiers as svc

    if ctx.args.supplement_time:
        svc.set_supplement_rule(ctx.store, actor(ctx), ctx.args.supplement_time)
    ctx.print(f"supplement-time: {svc.supplement_rule(ctx.store)}")
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "calendar", parents=[common], help="public-sector calendar notices loaded on this desk, per year"
    )
    p.add_argument("--year", type=int, help="only the notices of this year")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_calendar)

    p = sub.add_parser(
        "rules", parents=[common], help="show or set the province's readings of rules marked unsure"
    )
    p.add_argument(
        "--supplement-time",
        choices=["extend", "restart"],
        help="after a supplement: extend the due date by the wait (default) or restart the time limit",
    )
    p.add_argument("--operator", help="operator name recorded in the audit trail")
    p.set_defaults(handler=cmd_rules)
