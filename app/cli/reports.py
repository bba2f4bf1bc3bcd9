"""Report commands: ``report 766``, ``report 06a``, ``report at-risk``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli import reconcile
from app.cli.context import Context, fmt_dt, parse_date
from app.cli.dossiers import _write
from app.domain.errors import DomainError, Problem
from app.domain.stats766 import GROUPINGS, INDICATORS
from app.services import reports as svc

_REASONS = {
    "turning_late": ("Sắp quá hạn", "Turning late"),
    "second_supplement": ("Yêu cầu bổ sung lần 2", "Second supplement request"),
    "acceptance_deadline": ("Sắp hết hạn tiếp nhận trực tuyến", "Online acceptance deadline near"),
}


def _dates(ctx: Context) -> tuple[Any, Any]:
    first = parse_date(ctx.args.date_from, "from")
    last = parse_date(ctx.args.date_to, "to")
    if last < first:
        raise DomainError(
            Problem(
                "cli.report.period",
                "Ngày kết thúc (--to) phải không trước ngày bắt đầu (--from).",
                "The end date (--to) cannot be before the start date (--from).",
                "to",
            )
        )
    return first, last


def cmd_766(ctx: Context) -> int:
    first, last = _dates(ctx)
    groups = svc.report_766(ctx.store, first, last, ctx.args.by)
    if ctx.args.json:
        ctx.print_json(
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "group_by": ctx.args.by,
                "groups": [
                    {"group": key, "indicators": {k: f.to_json() for k, f in figures.items()}}
                    for key, figures in groups.items()
                ],
            }
        )
        return 0
    ctx.print(ctx.t(f"Chỉ số 766 từ {first} đến {last}", f"Decision 766 indicators from {first} to {last}"))
    if not groups:
        ctx.print(ctx.t("Không có hồ sơ trong kỳ.", "No dossier in the period."))
    for key, figures in groups.items():
        if ctx.args.by != "all":
            ctx.print(f"\n== {key or '-'}")
        for code, f in figures.items():
            name = ctx.t(*INDICATORS[code])
            if f.value is None:
                why = f.reason.message(ctx.lang) if f.reason is not None else ""
                shown = ctx.t("không có dữ liệu", "no data") + f" ({why})"
            elif f.unit == "%":
                shown = f"{f.value:.2f} %  ({len(f.numerator)}/{len(f.denominator)})"
            else:
                shown = f"{f.value:.2f} {ctx.t('giờ', 'h')}  (n={len(f.denominator)})"
            ctx.print(f"{code:<4} {name}: {shown}")
    return 0


def cmd_06a(ctx: Context) -> int:
    first, last = _dates(ctx)
    out: Path | None = ctx.args.out
    if out is None:
        report = svc.report_06a(ctx.store, first, last)
        if ctx.args.json:
            ctx.print_json(
                {
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "rows": [
                        {
                            "field": r.field,
                            "columns": dict(zip(range(3, 14), r.values(), strict=True)),
                            "codes": {str(c): v for c, v in r.codes.items()},
                        }
                        for r in (*report.rows, report.total)
                    ],
                }
            )
            return 0
        ctx.print("  ".join(f"({c})" for c in range(3, 14)) + "  " + ctx.t("Lĩnh vực", "Field"))
        for r in (*report.rows, report.total):
            name = r.field or ctx.t("Tổng cộng", "Total")
            ctx.print("  ".join(f"{v:>4}" for v in r.values()) + f"  {name}")
        return 0
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "xlsx"):
        raise DomainError(
            Problem(
                "cli.report.format",
                "Tệp xuất phải có đuôi .pdf hoặc .xlsx.",
                "The output file must end in .pdf or .xlsx.",
                "out",
            )
        )
    return _write(ctx, out, svc.export_06a(ctx.store, first, last, fmt))


def cmd_at_risk(ctx: Context) -> int:
    hours = ctx.args.hours
    if not 0 < hours <= 24 * 8 * 10:
        raise DomainError(
            Problem(
                "cli.report.hours",
                "Số giờ làm việc (--hours) phải lớn hơn 0 và không quá 1920.",
                "The working hours (--hours) must be above 0 and at most 1920.",
                "hours",
            )
        )
    if ctx.args.out is not None:
        if ctx.args.out.suffix.lower() != ".pdf":
            raise DomainError(
                Problem(
                    "cli.report.format",
                    "Tệp xuất phải có đuôi .pdf.",
                    "The output file must end in .pdf.",
                    "out",
                )
            )
        return _write(ctx, ctx.args.out, svc.at_risk_sheet(ctx.store, hours))
    result = svc.at_risk(ctx.store, hours)
    if ctx.args.json:
        ctx.print_json(
            {
                "until": result.until.isoformat(),
                "acceptance_deadline_data": result.acceptance_data,
                "dossiers": [
                    {
                        "code": r.code,
                        "reason": r.reason,
                        "due_at": r.due_at.isoformat() if r.due_at else None,
                        "field": r.field,
                        "procedure": r.procedure,
                        "counter": r.counter,
                    }
                    for r in result.rows
                ],
            }
        )
        return 0
    ctx.print(
        ctx.t(
            f"Hồ sơ có nguy cơ đến {fmt_dt(result.until)}:", f"Dossiers at risk until {fmt_dt(result.until)}:"
        )
    )
    for r in result.rows:
        ctx.print(f"  {r.code:<28} {fmt_dt(r.due_at)}  {ctx.t(*_REASONS[r.reason])}  ·  {r.procedure}")
    if not result.rows:
        ctx.print(ctx.t("  (không có)", "  (none)"))
    if not result.acceptance_data:
        ctx.print(
            ctx.t(
                "Hạn tiếp nhận hồ sơ trực tuyến: không có dữ liệu (kho chưa ghi hạn tiếp nhận).",
                "Online acceptance deadlines: no data (the store records none).",
            )
        )
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="reports: Decision 766 indicators, form 06a, at risk")
    rsub = p.add_subparsers(dest="report", metavar="REPORT", required=True)

    r = rsub.add_parser("766", parents=[common], help="the Decision 766/QĐ-TTg indicators of a period")
    r.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--by", default="all", choices=list(GROUPINGS), help="grouping (default: all)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_766)

    r = rsub.add_parser("06a", parents=[common], help="Biểu II.06a/VPCP/KSTT of a period, by field")
    r.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--out", type=Path, help="FILE.xlsx or FILE.pdf (default: print the table)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_06a)

    r = rsub.add_parser("at-risk", parents=[common], help="open dossiers at risk of turning late")
    r.add_argument("--hours", type=float, default=8.0, help="working hours ahead (default 8)")
    r.add_argument("--out", type=Path, help="FILE.pdf: the printable sheet instead of the list")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_at_risk)

    reconcile.add(rsub, common)  # report reconcile (issue 20): app/cli/reconcile.py
