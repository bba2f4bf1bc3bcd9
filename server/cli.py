"""``motcua-server``: the provincial server's admin command line.

Every command takes ``--db URL`` (default ``sqlite:///motcua-server.sqlite3`` in the current folder, or
``postgresql+psycopg://USER@HOST/DB``). Errors go to stderr in Vietnamese with the English twin and a
non-zero exit, never a traceback: 1 = refused (bad input, not found), 2 = environment (database), 70 =
unexpected.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError

from app.contract import CentreInfo
from app.domain.errors import Problem
from server import __version__, admin, portal, portal_cli, quarantine
from server.admin import AdminError
from server.blobs import BLOB_STORE_ENV, STORE_KINDS
from server.db import DEFAULT_DB_URL, Database, SetupError, check_schema, upgrade

log = logging.getLogger(__name__)

EXIT_REFUSED = 1
EXIT_ENVIRONMENT = 2
EXIT_UNEXPECTED = 70

Handler = Callable[[argparse.Namespace, Database, TextIO], int]


def _problem_text(problem: Problem) -> str:
    return f"Lỗi: {problem.vi}\nError: {problem.en}"


def _say(out: TextIO, vi: str, en: str) -> None:
    """A result line for the administrator: Vietnamese, then its English twin."""
    print(f"{vi}\n({en})", file=out)


def _db(args: argparse.Namespace) -> Database:
    return Database(args.db)


def _ready(db: Database) -> None:
    check_schema(db.engine)


# --- commands ----------------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    changed = upgrade(db.engine)
    if changed:
        _say(out, "Đã khởi tạo/nâng cấp cơ sở dữ liệu.", "The database was created/upgraded.")
    else:
        _say(out, "Cơ sở dữ liệu đã ở phiên bản mới nhất.", "The database is already up to date.")
    return 0


def cmd_import_units(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    provinces, communes = admin.import_units(db, Path(args.folder) if args.folder else None)
    _say(
        out,
        f"Đã nạp {provinces} tỉnh/thành phố và {communes} xã/phường/đặc khu.",
        f"Loaded {provinces} provinces and {communes} communes.",
    )
    return 0


def cmd_import_catalogue(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    total, changed = admin.import_catalogue(db, Path(args.file) if args.file else None)
    _say(
        out,
        f"Danh mục: {total} thủ tục, {changed} thủ tục mới hoặc thay đổi.",
        f"Catalogue: {total} procedures, {changed} new or changed.",
    )
    return 0


def cmd_add_centre(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    try:
        info = CentreInfo(
            eid=args.eid.strip(),
            name=args.name.strip(),
            kind=args.kind,
            unit_code=args.unit_code or None,
            province_code=args.province_code,
            parent_name=args.parent_name,
            place_name=args.place_name,
            address=args.address,
            hotline=args.hotline,
            lookup_url=args.lookup_url,
        )
    except ValueError as exc:
        first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": (), "msg": str(exc)}
        where = ".".join(str(x) for x in first["loc"])
        raise AdminError(
            Problem(
                "cli.centre_invalid",
                f"Thông tin trung tâm không hợp lệ ở «{where}»: {first['msg']}.",
                f"Invalid centre data at {where!r}: {first['msg']}.",
            )
        ) from None
    admin.add_centre(db, info)
    _say(out, f"Đã thêm trung tâm {info.eid} — {info.name}.", f"Added centre {info.eid} — {info.name}.")
    return 0


def cmd_add_demo(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    added = admin.add_demo(db)
    if added:
        _say(out, "Đã thêm: " + ", ".join(added), "Added: " + ", ".join(added))
    else:
        _say(out, "Dữ liệu mẫu đã có sẵn.", "The demo data is already there.")
    return 0


def cmd_add_operator(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    password = args.password
    if password is None:
        password = os.environ.get("MOTCUA_OPERATOR_PASSWORD")
    if not password:
        raise AdminError(
            Problem(
                "cli.password_missing",
                "Hãy cho mật khẩu bằng --password hoặc biến môi trường MOTCUA_OPERATOR_PASSWORD.",
                "Give the password with --password or the MOTCUA_OPERATOR_PASSWORD environment variable.",
            )
        )
    admin.add_operator(db, args.centre_eid, args.username, args.full_name, password, args.role)
    user = args.username.strip()
    _say(
        out, f"Đã thêm tài khoản {user} cho {args.centre_eid}.", f"Added account {user} to {args.centre_eid}."
    )
    return 0


def cmd_enrol_code(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    issued = admin.issue_enrolment_code(db, args.centre_eid, args.ttl_hours)
    print(issued.code, file=out)
    print(
        f"Mã đăng ký một lần cho {issued.centre_name}, hết hạn {issued.expires_at:%Y-%m-%d %H:%M} UTC.\n"
        f"One-time enrolment code for {issued.centre_name}, expires {issued.expires_at:%Y-%m-%d %H:%M} UTC.",
        file=sys.stderr,
    )
    return 0


def cmd_revoke_code(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    centre = admin.revoke_code(db, args.code)
    _say(
        out,
        f"Đã thu hồi mã đăng ký của {centre}: không máy nào dùng được mã này nữa.",
        f"Enrolment code of {centre} revoked: no workstation can use it any more.",
    )
    return 0


def cmd_revoke_device(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    done = admin.revoke_device(db, args.device_id)
    if done:
        _say(out, f"Đã thu hồi máy trạm {args.device_id}.", f"Device {args.device_id} revoked.")
    else:
        _say(out, "Máy trạm này đã bị thu hồi trước đó.", "This device was already revoked.")
    return 0


def audit_kinds() -> list[str]:
    """The kinds ``audit --kind`` takes: each kind, and each family (``login`` for ``login.*``)."""
    from server.audit import KINDS

    return sorted(set(KINDS) | {k.split(".")[0] for k in KINDS})


def cmd_audit(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    """The security audit log, newest first (server.audit)."""
    from server import audit

    _ready(db)
    rows = audit.entries(db, limit=args.limit, kind=args.kind)
    if not rows:
        _say(out, "Nhật ký an ninh trống.", "The security audit log is empty.")
        return 0
    for e in rows:
        parts = [
            f"{e.at:%Y-%m-%d %H:%M:%S}Z",
            f"{e.kind:<13}",
            e.centre_eid or "-",
            e.device_id or "-",
            e.username or "-",
            e.source or "-",
            e.detail,
        ]
        print("  ".join(parts).rstrip(), file=out)
    return 0


def _iso_day(text: str, what: str = "") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AdminError(
            Problem(
                "cli.day",
                f"Ngày «{text}»{what} không đúng dạng YYYY-MM-DD.",
                f"Day {text!r}{what} is not YYYY-MM-DD.",
            )
        ) from None


def cmd_holiday(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    day = _iso_day(args.day)
    notice_date = _iso_day(args.notice_date, " (--notice-date)") if args.notice_date else None
    changed = admin.set_calendar_day(db, day, args.kind, args.note, args.notice or "", notice_date)
    vi, en = ("ngày nghỉ", "a day off") if args.kind == "off" else ("ngày làm việc", "a working day")
    by_vi = f" theo {args.notice}" if args.notice else ""
    by_en = f" per {args.notice}" if args.notice else ""
    if changed:
        _say(out, f"Đã ghi {day:%d/%m/%Y} là {vi}{by_vi}.", f"Recorded {day:%Y-%m-%d} as {en}{by_en}.")
    else:
        _say(out, "Không có gì thay đổi.", "Nothing changed.")
    return 0


def cmd_holiday_remove(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    day = _iso_day(args.day)
    if admin.remove_calendar_day(db, day):
        _say(out, f"Đã xóa ngày {day:%d/%m/%Y} khỏi lịch.", f"Removed {day:%Y-%m-%d} from the calendar.")
        return 0
    raise AdminError(
        Problem(
            "cli.holiday_unknown",
            f"Ngày {day:%d/%m/%Y} không có trong lịch của tỉnh.",
            f"{day:%Y-%m-%d} is not in the province's calendar.",
        )
    )


def cmd_holiday_list(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    rows = admin.list_calendar_days(db, args.year)
    for r in rows:
        nd = f" ({r.notice_date:%d/%m/%Y})" if r.notice_date else ""
        print(f"{r.day:%Y-%m-%d}  {r.kind:<7}  {r.notice or '-'}{nd}  {r.note}", file=out)
    years = sorted({r.day.year for r in rows if r.notice})
    _say(
        out,
        f"{len(rows)} ngày; năm có văn bản: {', '.join(map(str, years)) or '-'}",
        f"{len(rows)} days; years with notices: {', '.join(map(str, years)) or '-'}",
    )
    return 0


def _fmt(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "chưa đồng bộ / never"


def cmd_quarantined(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    rows = quarantine.listing(db)
    for r in rows:
        print(
            f"{r.reported_at:%Y-%m-%d %H:%M:%S} UTC  {r.centre_eid}  {r.device_name} ({r.device_id})  "
            f"seq {r.change_seq}  {r.code or '-'}  {r.reason}",
            file=out,
        )
    print(f"Thay đổi bị máy trạm cách ly / changes quarantined by desks: {len(rows)}", file=out)
    return 0


def cmd_status(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    devices, totals = admin.status(db)
    print(f"Máy trạm / devices: {len(devices)}", file=out)
    for d in devices:
        state = f"thu hồi / revoked {d.revoked_at:%Y-%m-%d}" if d.revoked_at else f"slot {d.slot}"
        print(
            f"  {d.device_id}  {d.centre_eid}  {d.name}  [{state}]  lần đồng bộ cuối / last sync: "
            f"{_fmt(d.last_sync_at)}",
            file=out,
        )
    print(
        f"Trung tâm / centres: {totals['centres']}  Thủ tục / procedures: {totals['procedures']}\n"
        f"Hồ sơ / dossiers: {totals['dossiers']}  Sự kiện / events: {totals['events']}  "
        f"Thay đổi / changes: {totals['changes']} (seq cuối / last seq {totals['last_seq']})",
        file=out,
    )
    for eid, names in admin.username_clashes(db):  # accounts from before the username rules (D12)
        shown = ", ".join(ascii(n) for n in names)
        print(f"Tên đăng nhập cần sửa / usernames to fix: {eid}  {shown}", file=out)
    held = len(quarantine.listing(db))
    if held:
        print(
            f"Thay đổi bị máy trạm cách ly / quarantined by desks: {held} (xem / see: quarantined)", file=out
        )
    return 0


def cmd_files(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    from server import blobs

    _ready(db)
    store = blobs.open_store(db, args.blob_store, Path(args.blobs) if args.blobs else None)
    held = blobs.dossier_files(db, args.code, store)
    if held is None:
        raise AdminError(
            Problem("dossier.unknown", f"Không có hồ sơ «{args.code}».", f"No dossier {args.code!r}.", "code")
        )
    if args.json:
        print(json.dumps([vars(h) for h in held], ensure_ascii=False, indent=2), file=out)
        return 0
    for h in held:
        label = "Kết quả / result" if h.kind == "result" else f"{h.paper_no}. {h.name}"
        if h.exemption:
            print(f"{label}: miễn / exempt ({h.exemption})", file=out)
            continue
        state = "có / held" if h.held else "chưa nhận / not received"
        print(f"{label}: {h.pages} trang / pages, {h.size:,} bytes, {h.sha256}  [{state}]", file=out)
    return 0


SERVER_EXTRA_INSTALL = "pip install 'motcua-desk[server]'"


def cmd_serve(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    try:
        import fastapi  # noqa: F401  (the HTTP API's framework, imported by server.app)
        import uvicorn

        from server.http import PROTOCOL
    except ModuleNotFoundError as exc:  # installed without the server extra: say how to add it
        raise SetupError(
            Problem(
                "cli.server_extra",
                f"Thiếu thư viện «{exc.name}» để chạy máy chủ HTTP. Cài phần máy chủ bằng lệnh: "
                f"{SERVER_EXTRA_INSTALL} (trong thư mục mã nguồn: pip install -e '.[server]').",
                f"The library {exc.name!r} needed to run the HTTP server is missing. Install the server "
                f"part with: {SERVER_EXTRA_INSTALL} (in a source checkout: pip install -e '.[server]').",
            )
        ) from exc
    from server.app import create_app

    _ready(db)
    from server.blobs import open_store

    open_store(db, args.blob_store)  # a store that cannot be used is refused here, not in each worker
    demo = ", ".join(admin.demo_operators_active(db))
    if demo:  # the well-known demo password of add-demo still opens an account
        print(
            f"CẢNH BÁO: tài khoản demo ({demo}) với mật khẩu công khai đang hoạt động: chỉ dùng máy chủ này "
            "để trình diễn, không dùng thật.\n"
            f"WARNING: the demo account(s) ({demo}) with their published password are active: use this "
            "server for demonstrations only, never in production.",
            file=sys.stderr,
        )
    url = db.url
    db.dispose()
    from server.app import DOCS_ENV

    if args.docs:
        os.environ[DOCS_ENV] = "1"
    if args.blob_store:  # read by create_app, in this process and in each worker
        os.environ[BLOB_STORE_ENV] = args.blob_store
    proxies = _trusted_proxies(args)
    # X-Forwarded-For/-Proto are believed only from the configured proxies (none by default: uvicorn would
    # otherwise trust 127.0.0.1, so anything on the server itself could forge a client address).
    forwarding: dict[str, Any] = {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}
    loop = _portal_loop(url)  # one connector thread, in this process (also beside several workers)
    try:
        if args.workers > 1:
            # The h11 protocol with TCP_NODELAY (server/http.py): the workers' shared socket is bound with
            # proto=0, so asyncio would leave Nagle's algorithm on (+40 ms a response with delayed ACKs).
            os.environ["MOTCUA_SERVER_DB"] = url
            uvicorn.run(
                "server.app:app_from_env",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                http=PROTOCOL,
                **forwarding,
            )
        else:
            uvicorn.run(
                create_app(url, freeze=True), host=args.host, port=args.port, http=PROTOCOL, **forwarding
            )
    finally:
        if loop is not None:
            loop.stop()
    return 0


#: Environment variable listing the trusted reverse proxies (comma-separated addresses or networks).
TRUSTED_PROXIES_ENV = "MOTCUA_TRUSTED_PROXIES"


def _trusted_proxies(args: argparse.Namespace) -> list[str]:
    """The addresses whose X-Forwarded-For is believed: ``--trusted-proxy`` (repeatable), else
    ``$MOTCUA_TRUSTED_PROXIES``; each must be an IP address or network."""
    raw = list(args.trusted_proxy or []) or [
        p for p in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if p.strip()
    ]
    out = []
    for item in raw:
        try:
            out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise AdminError(
                Problem(
                    "serve.proxy",
                    f"«{item}» không phải địa chỉ IP hay dải mạng (--trusted-proxy).",
                    f"{item!r} is not an IP address or network (--trusted-proxy).",
                )
            ) from None
    return out


def _portal_loop(url: str) -> portal.PortalLoop | None:
    """The portal connector's thread, when a portal URL is configured (server/portal.py)."""
    probe = Database(url)
    try:
        cfg = portal.load_config(probe)
    finally:
        probe.dispose()
    return portal.PortalLoop(url, cfg).start() if cfg.active else None


def cmd_public_url(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    from server.web.settings import lookup_base, set_public_url

    _ready(db)
    changed = set_public_url(db, args.url, args.centre or None, args.opening_hours)
    where = lookup_base(args.url)
    _say(
        out,
        f"Địa chỉ tra cứu {where}: đã đổi cho {len(changed)} trung tâm; máy trạm nhận khi đồng bộ.",
        f"Look-up address {where}: changed for {len(changed)} centre(s); workstations get it on sync.",
    )
    return 0


def cmd_rating(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    from server.web.ratings import rating_of

    _ready(db)
    found = rating_of(db, args.code)
    if found is None:
        _say(out, f"Hồ sơ {args.code}: chưa có đánh giá.", f"Dossier {args.code}: no rating yet.")
    else:
        _say(
            out,
            f"Hồ sơ {args.code}: đánh giá {found[0]}/5 ({found[1]}).",
            f"Dossier {args.code}: rated {found[0]}/5 ({found[1]}).",
        )
    return 0


def cmd_notices(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    from server.notices.outbox import states

    _ready(db)
    rows = states(db, args.code)
    if not rows:
        _say(out, f"Hồ sơ {args.code}: chưa có thông báo nào.", f"Dossier {args.code}: no notices.")
        return 0
    for n in rows:
        when = _fmt(n.sent_at)
        error = f"  ({n.last_error})" if n.last_error and n.state != "sent" else ""
        out.write(f"{n.kind:<13} {n.channel:<6} {n.recipient:<24} {n.state:<8} {n.attempts}  {when}{error}\n")
    return 0


def cmd_send_notices(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    import time

    from server.notices.outbox import enqueue_new, send_due
    from server.notices.providers import senders_from_env

    _ready(db)
    senders = senders_from_env()
    while True:
        queued = enqueue_new(db, admin.now_utc())
        report = send_due(db, senders, admin.now_utc())
        _say(
            out,
            f"Thông báo: xếp hàng {queued}, đã gửi {report.sent}, gửi lại sau {report.retried}, "
            f"lỗi {report.failed}, không rõ kết quả {report.unknown}, chưa cấu hình kênh {report.skipped}.",
            f"Notices: queued {queued}, sent {report.sent}, to retry {report.retried}, failed "
            f"{report.failed}, outcome unknown {report.unknown}, channel not configured {report.skipped}.",
        )
        if not args.every:
            return 0
        time.sleep(args.every)


# --- parser ------------------------------------------------------------------------------------------


def _blob_store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--blob-store",
        choices=STORE_KINDS,
        help="where the digitised files are kept: fs (a folder, the default), postgres (the server's "
        "PostgreSQL database) or s3 (an S3-compatible bucket: $MOTCUA_S3_BUCKET, $MOTCUA_S3_ENDPOINT); "
        "default $MOTCUA_BLOB_STORE or fs",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=os.environ.get("MOTCUA_SERVER_DB", DEFAULT_DB_URL),
        help=f"database URL (default {DEFAULT_DB_URL}, or $MOTCUA_SERVER_DB)",
    )
    parser = argparse.ArgumentParser(
        prog="motcua-server", description="Một Cửa Desk provincial sync server: administration and serving."
    )
    parser.add_argument("--version", action="version", version=f"motcua-server {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    add("init", cmd_init, "create or upgrade the database schema")
    p = add("import-units", cmd_import_units, "load the current provinces and communes")
    p.add_argument("--folder", help="folder with provinces-2025.csv and units-2025.csv")
    p = add("import-catalogue", cmd_import_catalogue, "upsert procedures from a catalogue JSON file")
    p.add_argument("file", nargs="?", help="catalogue file (default: the demo catalogue)")
    p = add("add-centre", cmd_add_centre, "add a commune centre or a provincial agency")
    p.add_argument("--eid", required=True, help="agency e-ID, e.g. 000.10.24.H06")
    p.add_argument("--name", required=True)
    p.add_argument("--kind", required=True, choices=admin.CENTRE_KINDS)
    p.add_argument("--unit-code", default=None, help="commune code (none for a provincial agency)")
    p.add_argument("--province-code", required=True)
    p.add_argument("--parent-name", default="")
    p.add_argument("--place-name", default="")
    p.add_argument("--address", default="")
    p.add_argument("--hotline", default="")
    p.add_argument("--lookup-url", default="")
    add("add-demo", cmd_add_demo, "add the demo centres and the demo operator")
    p = add("add-operator", cmd_add_operator, "add an operator account to a centre")
    p.add_argument("centre_eid")
    p.add_argument("username")
    p.add_argument("--full-name", required=True)
    p.add_argument("--password", help="(or $MOTCUA_OPERATOR_PASSWORD)")
    p.add_argument("--role", default="operator", choices=("operator", "supervisor", "admin"))
    p = add("enrol-code", cmd_enrol_code, "issue a one-time enrolment code for a centre's workstation")
    p.add_argument("centre_eid")
    p.add_argument("--ttl-hours", type=float, default=24.0)
    p = add("revoke-code", cmd_revoke_code, "revoke an unused enrolment code before it expires")
    p.add_argument("code")
    p = add("revoke-device", cmd_revoke_device, "revoke a workstation (its token stops working)")
    p.add_argument("device_id")
    p = sub.add_parser("holiday", help="province-wide calendar exceptions")
    hsub = p.add_subparsers(dest="holiday_command", required=True, metavar="ACTION")
    h = hsub.add_parser("add", parents=[common], help="add or change a day off or a make-up working day")
    h.add_argument("day", help="YYYY-MM-DD")
    h.add_argument("kind", choices=("off", "working"))
    h.add_argument("--note", default="")
    h.add_argument("--notice", help='number of the notice that sets the day, e.g. "12729/VPCP-KGVX"')
    h.add_argument("--notice-date", help="date of the notice, YYYY-MM-DD")
    h.set_defaults(handler=cmd_holiday)
    h = hsub.add_parser("remove", parents=[common], help="remove a day from the province's calendar")
    h.add_argument("day", help="YYYY-MM-DD")
    h.set_defaults(handler=cmd_holiday_remove)
    h = hsub.add_parser("list", parents=[common], help="the province's calendar days with their notices")
    h.add_argument("--year", type=int)
    h.set_defaults(handler=cmd_holiday_list)
    p = add(
        "files", cmd_files, "the digitised files a dossier's events name, with SHA-256, size, held or not"
    )
    p.add_argument("code", help="dossier code")
    p.add_argument("--blobs", help="the file store folder (default $MOTCUA_BLOB_DIR or ./motcua-blobs)")
    _blob_store_option(p)
    p.add_argument("--json", action="store_true")
    p = add("serve", cmd_serve, "run the HTTP API (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--docs", action="store_true", help="serve /docs, /redoc, /openapi.json (off by default)")
    _blob_store_option(p)
    p.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="IP",
        help="a reverse proxy whose X-Forwarded-For is believed (repeatable; or $MOTCUA_TRUSTED_PROXIES)",
    )
    add("status", cmd_status, "devices, last sync times and table sizes")
    add("quarantined", cmd_quarantined, "changes desks could not apply and keep in quarantine")
    portal_cli.add_commands(sub, common)
    p = add("public-url", cmd_public_url, "point the centres' look-up address at this server's citizen pages")
    p.add_argument("url", help="this server's public address, e.g. https://tracuu.example.vn")
    p.add_argument("--centre", action="append", help="only this centre's e-ID (repeatable)")
    p.add_argument("--opening-hours", default=None, help="opening hours shown on the centres' pages")
    p = add("rating", cmd_rating, "a dossier's satisfaction rating, if any")
    p.add_argument("code")
    p = add("notices", cmd_notices, "a dossier's notices to the applicant and their delivery states")
    p.add_argument("code")
    p = add("send-notices", cmd_send_notices, "queue the new events' notices and send the due ones")
    p.add_argument("--every", type=float, default=0, help="repeat every N seconds (default: once)")
    from server import report_cli

    report_cli.register(sub, common)
    p = add("audit", cmd_audit, "the security audit log: enrolments, log-ins, revocations, failures")
    p.add_argument("--limit", type=int, default=100, help="entries to show, newest first (default 100)")
    p.add_argument(
        "--kind", choices=audit_kinds(), help="only this kind ('login' includes login.failed, login.locked)"
    )
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    db: Database | None = None
    try:
        db = _db(args)
        return int(args.handler(args, db, out))
    except AdminError as err:
        print(_problem_text(err.problem), file=sys.stderr)
        return EXIT_REFUSED
    except SetupError as err:
        print(_problem_text(err.problem), file=sys.stderr)
        return EXIT_ENVIRONMENT
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(
            _problem_text(
                Problem(
                    "cli.database",
                    f"Không làm việc được với cơ sở dữ liệu {args.db}: {detail}",
                    f"Cannot work with database {args.db}: {detail}",
                )
            ),
            file=sys.stderr,
        )
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for the administrator; the log has it
        log.debug("unexpected error", exc_info=exc)
        print(
            _problem_text(
                Problem(
                    "cli.unexpected",
                    f"Lỗi không mong đợi: {type(exc).__name__}: {exc}",
                    f"Unexpected error: {type(exc).__name__}: {exc}",
                )
            ),
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED
    finally:
        if db is not None:
            db.dispose()


if __name__ == "__main__":
    sys.exit(main())
