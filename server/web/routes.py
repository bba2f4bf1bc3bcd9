"""The citizen pages: server-rendered HTML in Vietnamese, no JavaScript, phone first.

- ``GET /tra-cuu?ma=<code>&k=<secret>`` — the look-up page, the address the receipt's QR code encodes
  (each centre's ``lookup_url`` is ``<public address>/tra-cuu``, set by ``motcua-server public-url``).
- ``POST /danh-gia`` — a satisfaction rating (from the look-up page or the counter tablet page).
- ``GET /quay/<e-ID>/danh-gia`` — the counter tablet page: the citizen types the receipt's code and secret.
- ``GET /trung-tam`` — the province's centres; ``GET /trung-tam/<e-ID>?q=…`` — a centre's page and its
  procedures, searched without diacritics.

A miss (unknown code, wrong or missing secret) answers only "Không tìm thấy hồ sơ" after the same work as a
hit: the same reads, a constant-time compare, the dossier page rendered (then dropped), one write of the
limits' counters (:mod:`server.web.limits`). The rating form is CSRF-safe without
JavaScript: a random token in a ``SameSite=Strict`` cookie must equal the form's hidden field, a foreign
``Origin`` is refused, and the form carries the dossier's secret anyway.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.contract import utc_now
from server.db import Database
from server.web import catalogue, limits
from server.web.lookup import Found, find, normalise_code
from server.web.ratings import LEVELS, Outcome, rate

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
CSRF_COOKIE = "mc_csrf"
MAX_FORM_BYTES = 8 * 1024
NOT_FOUND = "Không tìm thấy hồ sơ"
LOOKUP_TITLE = "Tình trạng hồ sơ"

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

web_router = APIRouter(include_in_schema=False)

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def render(
    template: str, status: int = 200, headers: dict[str, str] | None = None, **values: Any
) -> HTMLResponse:
    html = _env.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status, headers={**_SECURITY_HEADERS, **(headers or {})})


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _now() -> datetime:
    return utc_now().replace(tzinfo=None)


def _local_now() -> datetime:
    """The centre's wall-clock time (dossier times are Vietnam local time, UTC+7, no daylight saving)."""
    return _now() + timedelta(hours=7)


def _locked(locked_until: datetime) -> HTMLResponse:
    minutes = max(1, int((locked_until - _now()).total_seconds() // 60) + 1)
    return render(
        "message.html",
        429,
        {"Retry-After": str(minutes * 60)},
        title="Tạm khoá tra cứu",
        message=(
            f"Đã nhập sai mã tra cứu quá nhiều lần. Việc tra cứu hồ sơ này tạm khoá khoảng {minutes} phút. "
            "Nếu cần, ông/bà hãy gọi đường dây nóng của Bộ phận Một cửa in trên giấy tiếp nhận."
        ),
    )


def _check(request: Request, raw_code: str | None, raw_secret: str | None) -> Found | HTMLResponse:
    """The secret check with its limits: the dossier found, or the page to answer instead."""
    db = _db(request)
    code = normalise_code(raw_code)
    keys = {limits.code_key(code): limits.CODE_RULE, limits.ip_key(_source(request)): limits.IP_RULE}
    until = limits.locked_until(db, list(keys), _now())
    if until is not None:
        return _locked(until)
    found = find(db, raw_code, raw_secret, _local_now())
    # Both ways render the dossier page: a miss costs what a hit costs.
    page = render("lookup.html", title=LOOKUP_TITLE, view=found.view, csrf="", levels=LEVELS, secret="")
    limits.record(db, keys, _now(), success=found.hit)
    if not found.hit:
        return render("lookup_form.html", 404, title=NOT_FOUND, error=NOT_FOUND, code=code)
    del page
    return found


@web_router.get("/tra-cuu", response_class=HTMLResponse)
def lookup(
    request: Request,
    ma: Annotated[str | None, Query(max_length=200)] = None,
    k: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if not ma and not k:
        return render("lookup_form.html", title="Tra cứu hồ sơ", error="", code="")
    checked = _check(request, ma, k)
    if isinstance(checked, Response):
        return checked
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    if len(token) > 64:
        token = secrets.token_urlsafe(24)
    response = render(
        "lookup.html",
        title=LOOKUP_TITLE,
        view=checked.view,
        csrf=token,
        levels=LEVELS,
        secret=(k or "").strip().upper()[:16],
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/", max_age=3600)
    return response


@web_router.get("/quay/{eid}/danh-gia", response_class=HTMLResponse)
def tablet(request: Request, eid: str) -> Response:
    card = catalogue.centre(_db(request), eid)
    if card is None:
        return render(
            "message.html", 404, title="Không tìm thấy trung tâm", message="Không có trung tâm này."
        )
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    if len(token) > 64:
        token = secrets.token_urlsafe(24)
    response = render(
        "tablet.html", title="Đánh giá mức độ hài lòng", centre=card, csrf=token, levels=LEVELS, error=""
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/", max_age=3600)
    return response


def _field(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[0]


def _same_origin(request: Request) -> bool:
    """False only for a foreign ``Origin``: the pages' ``Referrer-Policy: no-referrer`` (the look-up URL
    carries the secret) makes browsers send ``Origin: null`` on their own forms; the cookie does the rest."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


@web_router.post("/danh-gia", response_class=HTMLResponse)
async def rating(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return render("message.html", 413, title="Dữ liệu quá lớn", message="Ý kiến quá dài.")
    try:
        form = parse_qs(body.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        form = {}
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = _field(form, "csrf")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()) or not _same_origin(request):
        return render(
            "message.html",
            403,
            title="Phiên làm việc đã hết hạn",
            message="Trang đánh giá đã hết hạn. Hãy mở lại đường dẫn trên giấy tiếp nhận và đánh giá lại.",
        )
    score_text = _field(form, "diem")
    score = int(score_text) if score_text in ("1", "2", "3", "4", "5") else 0
    comment = _field(form, "y_kien")
    source = "tablet" if _field(form, "nguon") == "tablet" else "qr"
    code, secret = _field(form, "ma"), _field(form, "k")
    return await run_in_threadpool(_rate_sync, request, code, secret, score, comment, source)


def _rate_sync(request: Request, code: str, secret: str, score: int, comment: str, source: str) -> Response:
    checked = _check(request, code, secret)
    if isinstance(checked, Response):
        return checked
    if score == 0:
        return render(
            "message.html", 422, title="Chưa chọn mức đánh giá", message="Hãy chọn một trong năm mức."
        )
    outcome = rate(_db(request), checked.dossier_id, score, comment, source, _now())
    if outcome is Outcome.SAVED:
        return render("message.html", title="Cảm ơn ông/bà", message="Đánh giá của ông/bà đã được ghi nhận.")
    if outcome is Outcome.ALREADY:
        return render("message.html", 409, title="Đã đánh giá", message="Hồ sơ này đã được đánh giá.")
    return render(
        "message.html", 409, title="Chưa thể đánh giá", message="Chỉ đánh giá được sau khi đã nhận kết quả."
    )


@web_router.get("/trung-tam", response_class=HTMLResponse)
def centres(request: Request) -> Response:
    return render(
        "centres.html", title="Các trung tâm phục vụ hành chính công", centres=catalogue.centres(_db(request))
    )


@web_router.get("/trung-tam/{eid}", response_class=HTMLResponse)
def centre_page(
    request: Request, eid: str, q: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    db = _db(request)
    card = catalogue.centre(db, eid)
    if card is None:
        return render(
            "message.html", 404, title="Không tìm thấy trung tâm", message="Không có trung tâm này."
        )
    found = catalogue.procedures(db, card, q or "")
    return render("centre.html", title=card.name, centre=card, procedures=found, q=q or "")


@web_router.get("/static/citizen.css")
def stylesheet() -> Response:
    return Response(
        (STATIC_DIR / "citizen.css").read_bytes(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
