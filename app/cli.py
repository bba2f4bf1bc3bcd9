"""``motcua-desk``: the GUI launcher and the command line beside it (for IT support and scripting).

Without a command it opens the window. Commands print plain, stable text (or JSON with ``--json``);
errors go to stderr in the operator's language with a non-zero exit, never a traceback:
1 = refused (bad input, not found, check failed), 2 = environment (data folder, database),
70 = unexpected (details in the log file).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, or_, select

from app import __version__
from app.domain.errors import DomainError, Problem
from app.domain.text import fold
from app.models import AdminUnit, Procedure, UnitSuccession
from app.models.db import Store, StoreError, integrity_check
from app.paths import default_data_dir, log_dir
from app.services.labels import money, time_label

log = logging.getLogger(__name__)

EXIT_REFUSED = 1
EXIT_ENVIRONMENT = 2
EXIT_UNEXPECTED = 70


class CommandError(Exception):
    """A command refused its input: printed to stderr, exit 1."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)


class Context:
    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO | None = None) -> None:
        self.args = args
        self.out = out
        self.err = err or sys.stderr
        self.lang: str = args.lang or "vi"
        self.data_dir: Path = args.data_dir or default_data_dir()
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from app.bootstrap import open_store

            self._store = open_store(self.data_dir, demo=self.args.demo)
        return self._store

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def print_json(self, value: Any) -> None:
        print(json.dumps(value, ensure_ascii=False, indent=2, default=str), file=self.out)

    def t(self, vi: str, en: str) -> str:
        return en if self.lang == "en" else vi

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


Handler = Callable[[Context], int]
COMMANDS: dict[str, Handler] = {}


# --- units ------------------------------------------------------------------------------------------


def cmd_units(ctx: Context) -> int:
    args = ctx.args
    with ctx.store.read() as s:
        if args.search is not None:
            q = f"%{fold(args.search)}%"
            rows = s.scalars(
                select(AdminUnit)
                .where(
                    AdminUnit.level == "commune", AdminUnit.valid_to.is_(None), AdminUnit.name_folded.like(q)
                )
                .order_by(AdminUnit.province_code, AdminUnit.code)
            ).all()
            if args.json:
                ctx.print_json([_unit_json(u) for u in rows])
            for u in rows if not args.json else []:
                ctx.print(f"{u.code}  {u.name}, {u.province_name}")
            return 0
        code = args.code.strip()
        if not code:
            raise CommandError(Problem("cli.units.missing", "Hãy cho biết mã đơn vị.", "Give a unit code."))
        current = s.scalars(
            select(AdminUnit).where(AdminUnit.code == code, AdminUnit.valid_to.is_(None))
        ).all()
        old = s.scalars(
            select(AdminUnit).where(
                AdminUnit.code == code, AdminUnit.valid_to.is_not(None), AdminUnit.level == "commune"
            )
        ).all()
        if not current and not old:
            raise CommandError(
                Problem(
                    "cli.units.not_found",
                    f"Không có đơn vị hành chính mã {code}.",
                    f"No administrative unit has code {code}.",
                )
            )
        result: list[dict[str, Any]] = []
        for u in current:
            if u.level == "province":
                members = s.scalars(
                    select(AdminUnit)
                    .where(
                        AdminUnit.province_code == u.code,
                        AdminUnit.level == "commune",
                        AdminUnit.valid_to.is_(None),
                    )
                    .order_by(AdminUnit.code)
                ).all()
                result.append(_unit_json(u) | {"units": [_unit_json(m) for m in members]})
            else:
                sources = s.execute(
                    select(AdminUnit, UnitSuccession.note)
                    .join(UnitSuccession, UnitSuccession.old_unit_id == AdminUnit.id)
                    .join(
                        NewUnit := AdminUnit.__table__.alias("new_unit"),
                        NewUnit.c.id == UnitSuccession.new_unit_id,
                    )
                    .where(NewUnit.c.id == u.id)
                    .order_by(AdminUnit.code)
                ).all()
                result.append(
                    _unit_json(u) | {"formed_from": [_unit_json(o) | {"note": note} for o, note in sources]}
                )
        for u in old:
            successors = s.execute(
                select(AdminUnit, UnitSuccession.note)
                .join(UnitSuccession, UnitSuccession.new_unit_id == AdminUnit.id)
                .where(UnitSuccession.old_unit_id == u.id)
                .order_by(AdminUnit.code)
            ).all()
            result.append(
                _unit_json(u) | {"successors": [_unit_json(n) | {"note": note} for n, note in successors]}
            )
    if args.json:
        ctx.print_json(result)
        return 0
    for i, item in enumerate(result):
        if i:
            ctx.print()
        _print_unit(ctx, item)
    return 0


def _unit_json(u: AdminUnit) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "level": u.level,
        "kind": u.kind,
        "province_code": u.province_code,
        "province_name": u.province_name,
        "district_code": u.district_code,
        "district_name": u.district_name,
        "valid_from": u.valid_from.isoformat() if u.valid_from and u.valid_to is None else None,
        "valid_to": u.valid_to.isoformat() if u.valid_to else None,
    }


def _old_label(o: dict[str, Any]) -> str:
    where = ", ".join(x for x in (o["district_name"], o["province_name"]) if x and x != o["name"])
    return f"{o['code']}  {o['name']} ({where})"


def _print_unit(ctx: Context, item: dict[str, Any]) -> None:
    t = ctx.t
    if item["level"] == "province":
        ctx.print(f"{item['code']}  {item['name']}")
        ctx.print(t(f"Số đơn vị cấp xã: {len(item['units'])}", f"Commune-level units: {len(item['units'])}"))
        for m in item["units"]:
            ctx.print(f"  {m['code']}  {m['name']}")
        return
    if item["valid_to"] is None:
        ctx.print(f"{item['code']}  {item['name']}")
        ctx.print(t("Tỉnh/thành phố", "Province") + f": {item['province_code']}  {item['province_name']}")
        ctx.print(t("Hiệu lực từ", "Valid from") + f": {item['valid_from']}")
        sources = item["formed_from"]
        if sources:
            ctx.print(
                t(f"Hình thành từ {len(sources)} đơn vị cũ:", f"Formed from {len(sources)} former units:")
            )
            for o in sources:
                ctx.print(f"  {_old_label(o)}: {o['note']}")
        return
    ctx.print(_old_label(item) + t(" — đơn vị cũ", " — former unit"))
    ctx.print(t("Hết hiệu lực từ", "Abolished after") + f": {item['valid_to']}")
    for n in item["successors"]:
        ctx.print(
            t("Nay thuộc", "Now part of") + f": {n['code']}  {n['name']}, {n['province_name']} ({n['note']})"
        )


# --- procedures -------------------------------------------------------------------------------------

LEVELS = {"commune": ("Cấp xã", "commune"), "province": ("Cấp tỉnh", "province")}


def cmd_procedures(ctx: Context) -> int:
    args = ctx.args
    with ctx.store.read() as s:
        stmt = select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.field, Procedure.code)
        if args.search:
            q = f"%{fold(args.search)}%"
            stmt = stmt.where(or_(Procedure.name_folded.like(q), Procedure.code.like(q)))
        procs = s.scalars(stmt).all()
        total = s.scalar(select(func.count()).select_from(Procedure))
        items = [
            {
                "code": p.code,
                "name": p.name,
                "field": p.field,
                "level": p.level,
                "competent_agency": p.competent_agency,
                "time_value": p.time_value,
                "time_unit": p.time_unit,
                "fee_vnd": p.fee_vnd,
                "cross_boundary": p.cross_boundary,
                "papers": [{"name": x.name, "form": x.form, "count": x.count} for x in p.papers],
            }
            for p in procs
        ]
    if args.json:
        ctx.print_json(items)
        return 0
    if not total:
        ctx.print(
            ctx.t(
                "Danh mục thủ tục trống. Chạy với --demo để nạp danh mục mẫu.",
                "The procedure catalogue is empty. Run with --demo to load the demo catalogue.",
            )
        )
        return 0
    for p in items:
        level = LEVELS[p["level"]][1 if ctx.lang == "en" else 0]
        extra = ctx.t(", phi địa giới", ", any centre") if p["cross_boundary"] else ""
        ctx.print(f"{p['code']:<10} {p['name']}")
        when = time_label(p["time_value"], p["time_unit"], ctx.lang)
        ctx.print(f"{'':<10} {p['field']} · {level}{extra} · {when} · {money(p['fee_vnd'], ctx.lang)}")
    ctx.print(ctx.t(f"{len(items)} thủ tục", f"{len(items)} procedures"))
    return 0


# --- db ---------------------------------------------------------------------------------------------


def cmd_db(ctx: Context) -> int:
    action = ctx.args.db_action
    if action == "check":
        problems = integrity_check(ctx.store.engine)
        problems += _extra_checks(ctx)
        if problems:
            ctx.print(ctx.t("CÓ LỖI:", "PROBLEMS:"))
            for p in problems:
                ctx.print(f"  {p}")
            return EXIT_REFUSED
        ctx.print("OK")
        return 0
    if action == "path":
        ctx.print(str(ctx.store.path))
        return 0
    from app.services import backup

    if action == "backup":
        path = backup.backup_now(ctx.store, ctx.data_dir)
        if ctx.args.out:
            ctx.args.out.parent.mkdir(parents=True, exist_ok=True)
            path = Path(shutil.copyfile(path, ctx.args.out))
        ctx.print(str(path))
        return 0
    if action == "backups":
        for b in backup.list_backups(ctx.data_dir):
            ctx.print(f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {b.kind:<17} {b.size:>12,}  {b.path}")
        return 0
    if action == "restore":
        # Works on a damaged store too: it never opens the database it replaces.
        kept = backup.restore(ctx.data_dir, ctx.args.file)
        ctx.print(ctx.t("Đã khôi phục từ", "Restored from") + f" {ctx.args.file}")
        if kept is not None:
            ctx.print(ctx.t("Cơ sở dữ liệu cũ được giữ tại", "The replaced database is kept at") + f" {kept}")
        return 0
    raise AssertionError(action)


def _extra_checks(ctx: Context) -> list[str]:
    from app.services import audit

    with ctx.store.read() as s:
        report = audit.verify(s)
    if report.ok:
        return []
    return [ctx.t("Chuỗi nhật ký kiểm tra bị phá vỡ: ", "Audit chain broken: ") + report.reason]


# --- parser -----------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="data folder (default: the per-user data folder, or $MOTCUA_DATA_DIR)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="install the demo centre and catalogue if the store has no centre",
    )
    common.add_argument(
        "--lang", choices=["vi", "en"], default=argparse.SUPPRESS, help="language of messages (default vi)"
    )

    parser = argparse.ArgumentParser(
        prog="motcua-desk",
        parents=[common],
        description="Một Cửa Desk — phần mềm tiếp nhận hồ sơ một cửa cấp xã. "
        "Without a command: open the window.",
    )
    parser.add_argument("--version", action="version", version=f"motcua-desk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("units", parents=[common], help="show an administrative unit and where it came from")
    p.add_argument("code", nargs="?", default="", help="unit code: commune (5 digits) or province (2 digits)")
    p.add_argument("--search", help="find current communes by name (diacritics optional)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_units)

    p = sub.add_parser("procedures", parents=[common], help="list the procedure catalogue")
    p.add_argument("--search", help="text to find in names or codes (diacritics optional)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_procedures)

    p = sub.add_parser("db", parents=[common], help="database maintenance")
    dbsub = p.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    dbsub.add_parser("check", parents=[common], help="integrity check of the database")
    dbsub.add_parser("path", parents=[common], help="print the database file path")
    b = dbsub.add_parser("backup", parents=[common], help="online backup into the backups folder")
    b.add_argument("--out", type=Path, help="also copy the backup to this file")
    dbsub.add_parser("backups", parents=[common], help="list the backups, newest first")
    r = dbsub.add_parser("restore", parents=[common], help="replace the database with a backup (desk closed)")
    r.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_db)

    from app import cli_dossiers, cli_sync

    cli_dossiers.register(sub, common)
    cli_sync.register(sub, common)
    return parser


def _defaults(args: argparse.Namespace) -> argparse.Namespace:
    # --lang stays None when not given: the GUI then uses the language saved in Settings.
    for name, value in (("data_dir", None), ("demo", False), ("lang", None)):
        if not hasattr(args, name):
            setattr(args, name, value)
    return args


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = _defaults(parser.parse_args(argv))
    if args.command is None:
        from app.ui.shell.application import run_gui

        return run_gui(args)
    ctx = Context(args, out, err)
    try:
        from app.bootstrap import setup_logging

        setup_logging(ctx.data_dir)
    except OSError:
        pass  # an unwritable folder is reported by the command that needs it
    try:
        return int(args.handler(ctx))
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours. Silence the final flush too
        # (the recipe of the Python documentation, "Note on SIGPIPE").
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CommandError as exc:
        print(exc.problem.message(ctx.lang), file=err)
        return EXIT_REFUSED
    except DomainError as exc:
        print(exc.message(ctx.lang), file=err)
        return EXIT_REFUSED
    except StoreError as exc:
        print(exc.problem.message(ctx.lang), file=err)
        return EXIT_ENVIRONMENT
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        print(
            ctx.t(
                f"Lỗi không mong đợi. Chi tiết đã ghi vào nhật ký trong {log_dir(ctx.data_dir)}.",
                f"Unexpected error. Details were written to the log in {log_dir(ctx.data_dir)}.",
            ),
            file=err,
        )
        return EXIT_UNEXPECTED
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
