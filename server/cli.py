"""``motcua-server``: the provincial server's admin command line.

Every command takes ``--db URL`` (default ``sqlite:///motcua-server.sqlite3`` in the current folder, or
``postgresql+psycopg://USER@HOST/DB``). Errors go to stderr in Vietnamese with the English twin and a
non-zero exit, never a traceback: 1 = refused (bad input, not found), 2 = environment (database), 70 =
unexpected.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from app.contract import CentreInfo
from app.domain.errors import Problem
from server import __version__, admin
from server.admin import AdminError
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


def cmd_revoke_device(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    done = admin.revoke_device(db, args.device_id)
    if done:
        _say(out, f"Đã thu hồi máy trạm {args.device_id}.", f"Device {args.device_id} revoked.")
    else:
        _say(out, "Máy trạm này đã bị thu hồi trước đó.", "This device was already revoked.")
    return 0


def cmd_holiday(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    _ready(db)
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise AdminError(
            Problem(
                "cli.day",
                f"Ngày «{args.day}» không đúng dạng YYYY-MM-DD.",
                f"Day {args.day!r} is not YYYY-MM-DD.",
            )
        ) from None
    changed = admin.set_calendar_day(db, day, args.kind, args.note)
    vi, en = ("ngày nghỉ", "a day off") if args.kind == "off" else ("ngày làm việc", "a working day")
    if changed:
        _say(out, f"Đã ghi {day:%d/%m/%Y} là {vi}.", f"Recorded {day:%Y-%m-%d} as {en}.")
    else:
        _say(out, "Không có gì thay đổi.", "Nothing changed.")
    return 0


def _fmt(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "chưa đồng bộ / never"


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
    return 0


def cmd_files(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    from server import blobs

    _ready(db)
    store = blobs.BlobStore(Path(args.blobs) if args.blobs else blobs.default_dir())
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


def cmd_serve(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    import uvicorn

    from server.http import PROTOCOL

    _ready(db)
    url = db.url
    db.dispose()
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
        )
        return 0
    from server.app import create_app

    uvicorn.run(create_app(url), host=args.host, port=args.port, http=PROTOCOL)  # files: $MOTCUA_BLOB_DIR
    return 0


# --- parser ------------------------------------------------------------------------------------------


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
    p = add("revoke-device", cmd_revoke_device, "revoke a workstation (its token stops working)")
    p.add_argument("device_id")
    p = sub.add_parser("holiday", help="province-wide calendar exceptions")
    hsub = p.add_subparsers(dest="holiday_command", required=True, metavar="ACTION")
    h = hsub.add_parser("add", parents=[common], help="add or change a day off or a make-up working day")
    h.add_argument("day", help="YYYY-MM-DD")
    h.add_argument("kind", choices=("off", "working"))
    h.add_argument("--note", default="")
    h.set_defaults(handler=cmd_holiday)
    p = add(
        "files", cmd_files, "the digitised files a dossier's events name, with SHA-256, size, held or not"
    )
    p.add_argument("code", help="dossier code")
    p.add_argument("--blobs", help="the file store folder (default $MOTCUA_BLOB_DIR or ./motcua-blobs)")
    p.add_argument("--json", action="store_true")
    p = add("serve", cmd_serve, "run the HTTP API (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=1)
    add("status", cmd_status, "devices, last sync times and table sizes")
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
