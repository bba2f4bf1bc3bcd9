"""``motcua-desk online``: the "Hồ sơ trực tuyến" inbox as a support surface (list, accept, refuse, ask for
a supplement before acceptance)."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CommandError, Context, fmt_dt
from app.cli.dossiers import actor
from app.domain.errors import Problem
from app.services import online

_LEVEL = {
    "ok": ("trong hạn", "in time"),
    "near": ("sắp hết hạn", "due soon"),
    "late": ("quá hạn", "overdue"),
    "waiting": ("chờ công dân bổ sung, dừng tính giờ", "waiting for the citizen's supplement, clock stopped"),
}


def cmd_online(ctx: Context) -> int:
    a = ctx.args
    if a.action in ("accept", "refuse", "supplement") and not a.ref:
        raise CommandError(
            Problem(
                "cli.online_ref",
                "Hãy cho biết mã hồ sơ hoặc mã hồ sơ trên cổng cần tiếp nhận, từ chối hoặc yêu cầu bổ sung.",
                "Give the dossier id or portal id to accept, refuse or ask a supplement for.",
                "ref",
            )
        )
    if a.action == "supplement":
        r = online.ask_supplement(ctx.store, actor(ctx), a.ref, a.missing or [], a.reason or "")
        ctx.print(
            ctx.t("Đã yêu cầu bổ sung hồ sơ trực tuyến", "Supplement asked for the online dossier")
            + f": {r.dossier_id}"
        )
        return 0
    if a.action == "accept":
        r = online.accept(ctx.store, actor(ctx), a.ref)
        ctx.print(ctx.t("Đã tiếp nhận hồ sơ trực tuyến", "Online dossier accepted") + f": {r.code}")
        ctx.print(ctx.t("Hẹn trả", "Due") + f": {fmt_dt(r.due_at)}")
        return 0
    if a.action == "refuse":
        r = online.refuse(ctx.store, actor(ctx), a.ref, a.reason or "")
        ctx.print(ctx.t("Đã từ chối hồ sơ trực tuyến", "Online dossier refused") + f": {r.dossier_id}")
        return 0
    items = online.inbox(ctx.store)
    if a.json:
        ctx.print_json(
            [
                {
                    "dossier_id": i.dossier_id,
                    "portal_id": i.portal_id,
                    "procedure": i.procedure_code,
                    "applicant": i.applicant,
                    "submitted_at": i.submitted_at.isoformat(),
                    "acceptance_due_at": i.acceptance_due_at.isoformat() if i.acceptance_due_at else None,
                    "level": i.level,
                    "papers": [p.get("name") for p in i.papers],
                    "missing": list(i.missing),
                    "supplement_reason": i.supplement_reason,
                }
                for i in items
            ]
        )
        return 0
    for i in items:
        vi, en = _LEVEL[i.level]
        ctx.print(
            f"{i.dossier_id}  {i.portal_id}  {i.procedure_code}  {i.applicant}  "
            f"{ctx.t('hạn tiếp nhận', 'accept by')} {fmt_dt(i.acceptance_due_at)} [{ctx.t(vi, en)}]"
        )
    ctx.print(ctx.t(f"{len(items)} hồ sơ trực tuyến chờ tiếp nhận", f"{len(items)} online dossiers waiting"))
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("online", parents=[common], help="online dossiers from the national portal")
    p.add_argument("action", nargs="?", choices=("list", "accept", "refuse", "supplement"), default="list")
    p.add_argument("ref", nargs="?", help="dossier id or portal id (accept, refuse, supplement)")
    p.add_argument("--reason", help="reason of a refusal or a supplement request (required for both)")
    p.add_argument(
        "--missing",
        action="append",
        metavar="PAPER",
        help="a paper the citizen must supply (supplement; repeat for each)",
    )
    p.add_argument("--operator", help="operator name for the record (default: the OS user)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_online)
