"""``motcua-server report 766|06a|at-risk``: the province's reports (server/reports.py), command line."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app.domain.errors import DomainError, Problem
from app.domain.stats766 import GROUPINGS, INDICATORS
from server import reports
from server.admin import AdminError
from server.db import Database, SetupError, check_schema


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AdminError(
            Problem(
                "cli.day",
                f"Ngày «{text}» (--{name}) không đúng dạng YYYY-MM-DD.",
                f"Day {text!r} (--{name}) is not YYYY-MM-DD.",
                name,
            )
        ) from None


def _period(args: argparse.Namespace) -> tuple[date, date]:
    first, last = _day(args.date_from, "from"), _day(args.date_to, "to")
    if last < first:
        raise AdminError(
            Problem(
                "cli.report.period",
                "Ngày kết thúc (--to) phải không trước ngày bắt đầu (--from).",
                "The end date (--to) cannot be before the start date (--from).",
                "to",
            )
        )
    return first, last


def _dump(out: TextIO, value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str), file=out)


def cmd_766(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    check_schema(db.engine)
    first, last = _period(args)
    try:
        groups = reports.report_766(db, first, last, args.by)
    except DomainError as err:
        raise AdminError(err.problems[0]) from None
    if args.json:
        _dump(
            out,
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "group_by": args.by,
                "groups": [
                    {"group": k, "indicators": {n: f.to_json() for n, f in g.items()}}
                    for k, g in groups.items()
                ],
            },
        )
        return 0
    print(f"Chỉ số 766 / Decision 766 indicators: {first} – {last}", file=out)
    for key, figures in groups.items():
        print(f"\n== {key or '-'}", file=out)
        for code, f in figures.items():
            shown = (
                "không có dữ liệu / no data"
                if f.value is None
                else (
                    f"{f.value:.2f} %  ({len(f.numerator)}/{len(f.denominator)})"
                    if f.unit == "%"
                    else f"{f.value:.2f} h  (n={len(f.denominator)})"
                )
            )
            print(f"{code:<4} {INDICATORS[code][0]}: {shown}", file=out)
    return 0


def _export_06a(args: argparse.Namespace, db: Database, out: TextIO, first: date, last: date) -> int:
    """``--out FILE.xlsx|pdf``: the form as the desk prints it, headed with the province."""
    path: Path = args.out
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "xlsx"):
        raise AdminError(
            Problem(
                "cli.report.format",
                "Tệp xuất phải có đuôi .pdf hoặc .xlsx.",
                "The output file must end in .pdf or .xlsx.",
                "out",
            )
        )
    agency = reports.province_agency(db, args.agency, args.parent)
    data = reports.export_06a(db, first, last, fmt, agency)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise SetupError(
            Problem(
                "cli.report.write",
                f"Không ghi được tệp {path}: {exc.strerror or exc}.",
                f"Cannot write {path}: {exc.strerror or exc}.",
                "out",
            )
        ) from None
    print(f"Đã ghi / written: {path} ({len(data):,} bytes)", file=out)
    return 0


def cmd_06a(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    check_schema(db.engine)
    first, last = _period(args)
    if args.out is not None:
        return _export_06a(args, db, out, first, last)
    report = reports.report_06a(db, first, last)
    rows = (*report.rows, report.total)
    if args.json:
        _dump(
            out,
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "rows": [
                    {
                        "field": r.field,
                        "columns": dict(zip(range(3, 14), r.values(), strict=True)),
                        "codes": {str(c): v for c, v in r.codes.items()},
                    }
                    for r in rows
                ],
            },
        )
        return 0
    print("  ".join(f"({c})" for c in range(3, 14)) + "  Lĩnh vực / field", file=out)
    for r in rows:
        print("  ".join(f"{v:>4}" for v in r.values()) + f"  {r.field or 'Tổng cộng / total'}", file=out)
    return 0


def cmd_at_risk(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    check_schema(db.engine)
    if not 0 < args.hours <= 1920:
        raise AdminError(
            Problem(
                "cli.report.hours",
                "Số giờ làm việc (--hours) phải lớn hơn 0 và không quá 1920.",
                "The working hours (--hours) must be above 0 and at most 1920.",
                "hours",
            )
        )
    rows, have, until = reports.at_risk(db, args.hours)
    if args.json:
        _dump(
            out,
            {
                "until": until.isoformat(),
                "acceptance_deadline_data": have,
                "dossiers": [
                    {
                        "code": r.code,
                        "reason": r.reason,
                        "due_at": r.due_at,
                        "field": r.field,
                        "procedure": r.procedure,
                        "counter": r.counter,
                    }
                    for r in rows
                ],
            },
        )
        return 0
    print(f"Hồ sơ có nguy cơ đến / at risk until {until:%Y-%m-%d %H:%M}: {len(rows)}", file=out)
    for r in rows:
        due = f"{r.due_at:%Y-%m-%d %H:%M}" if r.due_at else "-"
        print(f"  {r.code:<28} {due}  {r.reason}  {r.procedure}", file=out)
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", help="province reports: Decision 766 indicators, form 06a, at risk")
    rsub = p.add_subparsers(dest="report", required=True, metavar="REPORT")
    r = rsub.add_parser("766", parents=[common], help="Decision 766 indicators of a period")
    r.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--by", default="centre", choices=list(GROUPINGS), help="grouping (default: centre)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_766)
    r = rsub.add_parser("06a", parents=[common], help="Biểu II.06a of a period, by field")
    r.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD (included)")
    r.add_argument("--json", action="store_true")
    r.add_argument("--out", type=Path, help="FILE.xlsx or FILE.pdf: the form instead of the table")
    r.add_argument("--agency", help="header: the reporting agency (default: Ủy ban nhân dân + the province)")
    r.add_argument("--parent", help="header: the authority above it (default: none)")
    r.set_defaults(handler=cmd_06a)
    r = rsub.add_parser("at-risk", parents=[common], help="open dossiers at risk of turning late")
    r.add_argument("--hours", type=float, default=8.0)
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_at_risk)
