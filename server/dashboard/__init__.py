"""The province's dashboard: a web page for provincial staff, behind an administrator login.

Pages (server-rendered HTML from Jinja2 templates in ``templates/``; charts are inline SVG, no JavaScript):

- ``GET /dashboard?from=YYYY-MM-DD&to=YYYY-MM-DD`` — the Decision 766 indicators per centre (a table and a
  bar chart of indicator 2.1) and the province's Biểu II.06a by field;
- ``GET /dashboard/drill?…&centre=NAME&indicator=2.1&part=numerator|denominator`` — the dossier codes behind
  a figure; ``GET /dashboard/drill-06a?…&field=NAME&column=3..13`` — behind a 06a cell;
- ``GET /dashboard/export.csv?…`` — the per-centre table as CSV (UTF-8 with BOM, opens in Excel);
- ``GET /dashboard/bieu-06a.xlsx?…`` / ``bieu-06a.pdf?…`` — the province's Biểu II.06a, written by the
  desk's own form writer (:mod:`app.print.report06a`).

Login: HTTP Basic against the server's operator accounts with role ``admin`` (``motcua-server
add-operator … --role admin``); serve it behind TLS (the reverse proxy) as the sync API is. The figures
are :mod:`app.domain.stats766` over the server's store (:mod:`server.reports`), as the command line prints.
"""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from app.domain.errors import Problem
from app.domain.passwords import verify_password
from app.domain.stats766 import INDICATORS, Figure
from server import reports
from server.db import Database
from server.errors import ApiError
from server.models import Operator

router = APIRouter(prefix="/dashboard", include_in_schema=False)
_templates = Environment(
    loader=FileSystemLoader(FilePath(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
#: A dummy hash checked when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 43 + "="


def _db(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database)
    return db


def _credentials(request: Request) -> tuple[str, str] | None:
    """HTTP Basic credentials decoded as UTF-8 (RFC 7617 ``charset="UTF-8"``; FastAPI's HTTPBasic reads
    ASCII only, which would lock out a Vietnamese password)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > 1000:
        return None
    try:
        user, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _admin(request: Request) -> str:
    refused = ApiError(
        401,
        Problem(
            "dashboard.login",
            "Cần đăng nhập bằng tài khoản quản trị của máy chủ tỉnh.",
            "Log in with an administrator account of the provincial server.",
        ),
        {"WWW-Authenticate": 'Basic realm="motcua-dashboard", charset="UTF-8"'},
    )
    creds = _credentials(request)
    if creds is None:
        raise refused
    username, password = creds
    with _db(request).read() as s:
        hashes = list(
            s.scalars(
                select(Operator.password_hash).where(
                    Operator.username == username, Operator.role == "admin", Operator.active.is_(True)
                )
            )
        )
    ok = False
    for stored in hashes or [_DUMMY]:
        ok = verify_password(password, stored) or ok
    if not (ok and hashes):
        raise refused
    return username


def _period(first: str | None, last: str | None) -> tuple[date, date]:
    today = date.today()
    try:
        start = date.fromisoformat(first) if first else today.replace(day=1)
        end = date.fromisoformat(last) if last else today
    except ValueError:
        raise ApiError(
            422,
            Problem(
                "dashboard.period",
                "Ngày không đúng dạng YYYY-MM-DD.",
                "A date is not YYYY-MM-DD.",
                "from",
            ),
        ) from None
    if end < start or end - start > timedelta(days=3700):
        raise ApiError(
            422,
            Problem(
                "dashboard.period",
                "Kỳ báo cáo không hợp lệ (ngày kết thúc trước ngày bắt đầu, hoặc dài quá 10 năm).",
                "Invalid period (the end before the start, or longer than 10 years).",
                "to",
            ),
        )
    return start, end


Admin = Annotated[str, Depends(_admin)]
From = Annotated[str | None, Query(alias="from", max_length=10)]
To = Annotated[str | None, Query(alias="to", max_length=10)]


def _shown(f: Figure) -> str:
    if f.value is None:
        return (
            "không có dữ liệu" if f.reason is not None and f.reason.code.startswith("stats.no_data") else "—"
        )
    return f"{f.value:.1f} %" if f.unit == "%" else f"{f.value:.1f} giờ"


def bar_chart_svg(rows: list[tuple[str, float | None]], width: int = 640) -> str:
    """Horizontal bars (0–100 %), one per row, as an SVG document (escaped by the template)."""
    bar_h, gap, label_w = 22, 8, 260
    height = max(1, len(rows)) * (bar_h + gap) + gap
    scale = (width - label_w - 70) / 100
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        'aria-label="Tỷ lệ đúng hạn theo trung tâm">'
    ]
    from html import escape

    for i, (name, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h * 0.7:.0f}" text-anchor="end" font-size="12">'
            f"{escape(name[:40])}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{label_w}" y="{y + bar_h * 0.7:.0f}" font-size="12">không có dữ liệu</text>'
            )
            continue
        w = max(0.0, min(100.0, value)) * scale
        colour = "#2e7d32" if value >= 90 else "#f9a825" if value >= 70 else "#c62828"
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        parts.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h * 0.7:.0f}" font-size="12">{value:.1f} %</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@router.get("", response_class=HTMLResponse)
def dashboard_page(request: Request, _user: Admin, first: From = None, last: To = None) -> HTMLResponse:
    start, end = _period(first, last)
    db = _db(request)
    groups = reports.report_766(db, start, end, "centre")
    report = reports.report_06a(db, start, end)
    chart = bar_chart_svg([(k or "—", g["2.1"].value) for k, g in groups.items()])
    html = _templates.get_template("dashboard.html").render(
        start=start,
        end=end,
        groups=groups,
        indicators=INDICATORS,
        shown=_shown,
        chart=chart,
        report=report,
    )
    return HTMLResponse(html)


@router.get("/drill", response_class=HTMLResponse)
def drill(
    request: Request,
    _user: Admin,
    first: From = None,
    last: To = None,
    centre: Annotated[str, Query(max_length=300)] = "",
    indicator: Annotated[str, Query(max_length=5)] = "2.1",
    part: Annotated[str, Query(pattern="^(numerator|denominator)$")] = "denominator",
) -> HTMLResponse:
    start, end = _period(first, last)
    if indicator not in INDICATORS:
        raise ApiError(
            422,
            Problem("dashboard.indicator", "Không có chỉ số này.", "No such indicator.", "indicator"),
        )
    groups = reports.report_766(_db(request), start, end, "centre")
    figure = groups.get(centre, {}).get(indicator)
    codes: list[str] = []
    if figure is not None:
        codes = list(figure.numerator if part == "numerator" else figure.denominator)
    title = f"{indicator} {INDICATORS[indicator][0]} — {centre or '—'} — " + (
        "tử số" if part == "numerator" else "mẫu số"
    )
    return _codes_page(title, start, end, codes)


@router.get("/drill-06a", response_class=HTMLResponse)
def drill_06a(
    request: Request,
    _user: Admin,
    first: From = None,
    last: To = None,
    field: Annotated[str, Query(max_length=300)] = "",
    column: Annotated[int, Query(ge=3, le=13)] = 3,
) -> HTMLResponse:
    start, end = _period(first, last)
    report = reports.report_06a(_db(request), start, end)
    row = next((r for r in report.rows if r.field == field), report.total if not field else None)
    codes = list(row.codes[column]) if row is not None else []
    return _codes_page(f"Biểu II.06a — {field or 'Tổng cộng'} — cột ({column})", start, end, codes)


def _codes_page(title: str, start: date, end: date, codes: list[str]) -> HTMLResponse:
    html = _templates.get_template("codes.html").render(
        title=title, start=start, end=end, codes=sorted(codes)
    )
    return HTMLResponse(html)


@router.get("/export.csv")
def export_csv(request: Request, _user: Admin, first: From = None, last: To = None) -> Response:
    start, end = _period(first, last)
    groups = reports.report_766(_db(request), start, end, "centre")
    buf = io.StringIO()
    w = csv.writer(buf)
    names = list(INDICATORS)
    w.writerow(["Trung tâm", *(f"{n} {INDICATORS[n][0]}" for n in names), "Số hồ sơ (2.1, mẫu số)"])
    for key, figures in groups.items():
        row: list[Any] = [key]
        for n in names:
            f = figures[n]
            row.append("" if f.value is None else round(f.value, 2))
        row.append(len(figures["2.1"].denominator))
        w.writerow(row)
    name = f"chi-so-766-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@router.get("/bieu-06a.{fmt}")
def export_06a(
    request: Request,
    _user: Admin,
    fmt: Annotated[str, Path(pattern="^(xlsx|pdf)$")],
    first: From = None,
    last: To = None,
) -> Response:
    """The province's Biểu II.06a of the period as the desk prints it (XLSX or PDF)."""
    start, end = _period(first, last)
    data = reports.export_06a(_db(request), start, end, fmt)
    name = f"bieu-06a-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    return Response(
        data, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


__all__ = ["bar_chart_svg", "router"]
