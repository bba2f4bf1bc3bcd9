"""Dossier commands of the command line: due, receive, show, search, act, print, logbook, transfer."""

from __future__ import annotations

import argparse
import getpass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.cli.context import Context, fmt_dt, parse_date, parse_datetime, status_label
from app.domain.collection import AUTHORISED, Collector, collector_of
from app.domain.errors import DomainError, Problem
from app.domain.i18n import pick
from app.domain.identity import parse_cccd_qr
from app.domain.routing import Scenario
from app.domain.status import Action, Status
from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.desk import read_desk
from app.services.search import search
from app.services.units import due_date


def _scenario_label(code: str, lang: str) -> str:
    scenario = Scenario(code)
    return pick(lang, scenario.label_vi, scenario.label_en)


def actor(ctx: Context) -> Actor:
    desk = read_desk(ctx.store)
    return Actor(ctx.args.operator or f"{getpass.getuser()} (CLI)", desk.workstation_name or "CLI")


def cmd_due(ctx: Context) -> int:
    received = parse_datetime(ctx.args.received, "received") if ctx.args.received else datetime.now()
    due = due_date(ctx.store, ctx.args.procedure, received, ctx.args.channel)
    if ctx.args.json:
        ctx.print_json(
            {
                "procedure": due.procedure_code,
                "channel": due.channel,
                "received_at": due.received_at.isoformat(),
                "due_at": due.due_at.isoformat(),
                "time_value": due.time_value,
                "time_unit": due.time_unit,
                "estimated_years": list(due.estimated_years),
            }
        )
    else:
        ctx.print(fmt_dt(due.due_at))
    if due.estimated_years and not ctx.args.json:
        print(estimated_note(ctx, due.estimated_years), file=ctx.err)
    return 0


def estimated_note(ctx: Context, years: tuple[int, ...]) -> str:
    y = ", ".join(map(str, years))
    return ctx.t(
        f"Lưu ý: chưa nạp văn bản về ngày nghỉ của khu vực công năm {y}; ngày hẹn tính theo lịch ước tính.",
        f"Note: no public-sector calendar notice is loaded for {y}; the due date rests on estimated days.",
    )


def parse_papers(values: list[str] | None) -> list[tuple[int, int]] | None:
    """``--paper N[:count]`` values → (position, count); None when no --paper was given."""
    if not values:
        return None
    out: list[tuple[int, int]] = []
    for v in values:
        n, _, count = v.partition(":")
        try:
            pair = (int(n), int(count) if count else 1)
        except ValueError:
            pair = (0, 0)
        if pair[0] < 1 or pair[1] < 1:
            raise DomainError(
                Problem(
                    "cli.paper",
                    f"«--paper {v}» không hợp lệ: dùng số thứ tự giấy tờ trong danh mục, có thể kèm số "
                    "lượng (ví dụ --paper 2 hoặc --paper 3:2).",
                    f"'--paper {v}' is invalid: give the paper's number in the catalogue list, optionally "
                    "with a count (e.g. --paper 2 or --paper 3:2).",
                    "paper",
                )
            )
        out.append(pair)
    return out


def applicant_fields(ctx: Context, warnings: list[Problem]) -> dict[str, Any]:
    """The applicant's fields from --qr and the explicit options (which win)."""
    a = ctx.args
    fields: dict[str, Any] = {}
    if a.qr:
        qr = parse_cccd_qr(a.qr)
        if not qr.readable:
            raise DomainError(
                qr.problems
                or (
                    Problem("qr.unreadable", "Không đọc được mã QR.", "The QR code could not be read.", "qr"),
                )
            )
        warnings.extend(qr.problems)
        fields = {
            "full_name": qr.full_name,
            "personal_id": qr.personal_id,
            "old_id": qr.old_id,
            "birth_date": qr.birth_date,
            "gender": qr.gender,
            "address": qr.address,
        }
    for key, value in (
        ("full_name", a.name),
        ("personal_id", a.id),
        ("birth_date", a.birth_date),
        ("gender", a.gender),
        ("phone", a.phone),
        ("email", a.email),
        ("address", a.address),
    ):
        if value is not None:
            fields[key] = value
    if not fields.get("full_name"):
        raise DomainError(
            Problem(
                "cli.receive.name",
                "Hãy cho biết họ tên người nộp (--name) hoặc quét mã QR (--qr).",
                "Give the applicant's name (--name) or the ID card QR payload (--qr).",
                "name",
            )
        )
    return fields


def cmd_receive(ctx: Context) -> int:
    a = ctx.args
    warnings: list[Problem] = []
    fields = applicant_fields(ctx, warnings)
    req = svc.ReceiveRequest(
        procedure_code=a.procedure,
        applicant=svc.ApplicantInput(**fields),
        commune_code=a.commune,
        channel=a.channel,
        result_delivery=a.delivery,
        notes=a.notes or "",
        notify=[c.strip() for c in (a.notify or "").split(",") if c.strip()],
        received_at=parse_datetime(a.received, "received") if a.received else None,
        paper_numbers=parse_papers(a.paper),
        pages=a.pages,
        copies=a.copies,
        fee_exemption=a.fee_exempt or "",
        extension=a.extension or "",
        extension_reason=a.extension_reason or "",
    )
    result = svc.receive(ctx.store, actor(ctx), req)
    for w in warnings:
        print(w.message(ctx.lang), file=ctx.err)
    if not a.paper:
        print(
            ctx.t(
                "Chưa ghi giấy tờ nào đã nhận (--paper N[:số lượng]): giấy tiếp nhận không liệt kê giấy tờ.",
                "No paper recorded as received (--paper N[:count]): the receipt lists none.",
            ),
            file=ctx.err,
        )
    if result.estimated_years and not a.json:
        print(estimated_note(ctx, result.estimated_years), file=ctx.err)
    if a.json:
        ctx.print_json(
            {
                "id": result.dossier_id,
                "code": result.code,
                "lookup_secret": result.lookup_secret,
                "received_at": result.received_at.isoformat(),
                "due_at": result.due_at.isoformat(),
                "scenario": result.scenario,
                "status": result.status,
                "explanation": result.route.explanation(ctx.lang),
                "fee_vnd": result.fee_vnd,
                "fee_basis": result.fee_basis,
                "extension": result.extension,
                "estimated_years": list(result.estimated_years),
            }
        )
        return 0
    t = ctx.t
    ctx.print(t("Mã hồ sơ", "Dossier code") + f": {result.code}")
    ctx.print(t("Mã tra cứu", "Look-up secret") + f": {result.lookup_secret}")
    ctx.print(t("Tiếp nhận", "Received") + f": {fmt_dt(result.received_at)}")
    ctx.print(t("Hẹn trả", "Due") + f": {fmt_dt(result.due_at)}")
    ctx.print(t("Trường hợp", "Scenario") + f": ({result.scenario}) {result.route.explanation(ctx.lang)}")
    ctx.print(t("Phí, lệ phí", "Fee") + f": {result.fee_vnd:,} đ".replace(",", "."))
    if result.fee_basis:
        ctx.print(t("Cách tính", "Basis") + f": {result.fee_basis}")
    if result.extension:
        ctx.print(t("Gia hạn", "Extension") + f": {result.extension}")
    return 0


def cmd_refuse(ctx: Context) -> int:
    """Refuse a dossier at intake (Mẫu 03) with its reason, as the window's Ctrl+R does."""
    a = ctx.args
    warnings: list[Problem] = []
    fields = applicant_fields(ctx, warnings)
    req = svc.ReceiveRequest(
        procedure_code=a.procedure,
        applicant=svc.ApplicantInput(**fields),
        channel=a.channel,
        received_at=parse_datetime(a.received, "received") if a.received else None,
        paper_numbers=parse_papers(a.paper),
    )
    dossier_id = svc.refuse_intake(ctx.store, actor(ctx), req, a.reason)
    for w in warnings:
        print(w.message(ctx.lang), file=ctx.err)
    if a.json:
        ctx.print_json({"id": dossier_id, "status": Status.REFUSED.value})
        return 0
    ctx.print(ctx.t("Đã từ chối tiếp nhận, hồ sơ", "Refused at intake, dossier") + f": {dossier_id}")
    ctx.print(
        ctx.t("In phiếu từ chối (Mẫu 03)", "Print the refusal (Mẫu 03)")
        + f": motcua-desk print refusal {dossier_id} --out FILE.pdf"
    )
    return 0


def dossier_json(d: svc.DossierRecord) -> dict[str, Any]:
    a = d.applicant
    return {
        "id": d.id,
        "code": d.code,
        "status": d.status,
        "national_status": Status(d.status).national_code,
        "procedure": {"code": d.procedure_code, "name": d.procedure_name},
        "applicant": {
            "full_name": a.full_name,
            "personal_id": a.personal_id,
            "birth_date": a.birth_date,
            "gender": a.gender,
            "phone": a.phone,
            "email": a.email,
            "address": a.address,
            "unit_code": a.unit_code,
        },
        "scenario": d.scenario,
        "channel": d.channel,
        "receiving_agency": d.receiving_agency,
        "competent_agency": d.competent_agency,
        "handling_agency": d.handling_agency,
        "handling_agency_eid": d.handling_agency_eid,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "original_due_at": d.original_due_at,
        "fee_basis": d.fee_basis,
        "extension": d.extension,
        "pages": d.pages,
        "copies": d.copies,
        "finished_at": d.finished_at,
        "returned_at": d.returned_at,
        "fee_vnd": d.fee_vnd,
        "papers": list(d.papers),
        "notes": d.notes,
        "events": [
            {
                "seq": e.seq,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "at": e.occurred_at,
                "operator": e.operator_name,
                "workstation": e.workstation_name,
                "reason": e.reason,
                "payload": e.payload,
                **({"collector": who.as_payload()} if (who := collector_of(e.payload)) else {}),
            }
            for e in d.events
        ],
    }


def cmd_show(ctx: Context) -> int:
    d = svc.dossier_record(ctx.store, ctx.args.code)
    if ctx.args.json:
        ctx.print_json(dossier_json(d))
        return 0
    t, lang = ctx.t, ctx.lang
    ctx.print(t("Mã hồ sơ", "Dossier code") + f": {d.code or '-'}")
    ctx.print(t("Thủ tục", "Procedure") + f": {d.procedure_code} {d.procedure_name}")
    ctx.print(
        t("Người nộp", "Applicant")
        + f": {d.applicant.full_name}"
        + (f" ({d.applicant.personal_id})" if d.applicant.personal_id else "")
    )
    ctx.print(
        t("Trạng thái", "Status") + f": {status_label(d.status, lang)} ({Status(d.status).national_code})"
    )
    ctx.print(t("Trường hợp", "Scenario") + f": ({d.scenario}) {_scenario_label(d.scenario, lang)}")
    ctx.print(t("Nơi tiếp nhận", "Received at") + f": {d.receiving_agency}")
    ctx.print(t("Cơ quan có thẩm quyền", "Competent agency") + f": {d.competent_agency or '-'}")
    ctx.print(t("Cơ quan đang giải quyết", "Handling agency") + f": {d.handling_agency or '-'}")
    ctx.print(t("Tiếp nhận", "Received") + f": {fmt_dt(d.received_at)}")
    ctx.print(t("Hẹn trả", "Due") + f": {fmt_dt(d.due_at)}")
    if d.original_due_at is not None and d.original_due_at != d.due_at:
        ctx.print(t("Hẹn trả ban đầu", "First promised") + f": {fmt_dt(d.original_due_at)}")
    ctx.print(
        t("Phí, lệ phí", "Fee")
        + f": {d.fee_vnd:,} đ".replace(",", ".")
        + (f" ({d.fee_basis})" if d.fee_basis else "")
    )
    if d.extension:
        ctx.print(t("Gia hạn", "Extension") + f": {d.extension}")
    ctx.print(t("Quá trình xử lý:", "History:"))
    for e in d.events:
        what = f"{Action(e.action).label(lang)} → {status_label(e.to_status, lang)}"
        line = f"  {e.seq}. {fmt_dt(e.occurred_at)}  {what}"
        line += f"  [{e.operator_name}, {e.workstation_name}]"
        if e.reason:
            line += f"  {e.reason}"
        who = collector_of(e.payload) if e.action == Action.HAND_BACK.value else None
        if who is not None:
            line += "  " + ctx.t("Người nhận", "Collected by") + ": " + _collector_line(ctx, who)
        ctx.print(line)
        estimated = e.payload.get("calendar_estimated")
        if estimated:
            ctx.print("     " + estimated_note(ctx, tuple(estimated)))
        if e.payload.get("original_due_at"):
            ctx.print(
                "     "
                + t("Hẹn ban đầu", "First promised")
                + f": {fmt_dt(datetime.fromisoformat(e.payload['original_due_at']))}; "
                + t("hẹn mới", "new")
                + f": {fmt_dt(datetime.fromisoformat(e.payload['new_due_at']))}"
            )
    return 0


def _collector_line(ctx: Context, who: Collector) -> str:
    if who.kind == AUTHORISED:
        return ctx.t(
            f"người được ủy quyền {who.name} (CCCD {who.id_number})",
            f"authorised person {who.name} (ID {who.id_number})",
        )
    return ctx.t(f"người nộp hồ sơ {who.name}", f"the applicant {who.name}")


def cmd_search(ctx: Context) -> int:
    a = ctx.args
    page = search(
        ctx.store,
        a.text,
        statuses=a.status or None,
        received_from=parse_date(a.date_from, "from") if a.date_from else None,
        received_to=parse_date(a.date_to, "to") if a.date_to else None,
        page=a.page,
        page_size=a.page_size,
    )
    if a.json:
        ctx.print_json(
            {
                "total": page.total,
                "page": page.page,
                "page_size": page.page_size,
                "hits": [h.__dict__ for h in page.hits],
            }
        )
        return 0
    for h in page.hits:
        ctx.print(
            f"{h.code or '-':<28} {fmt_dt(h.received_at)}  {status_label(h.status, ctx.lang):<28} "
            f"{h.applicant_name}  ·  {h.procedure_name}"
        )
    ctx.print(ctx.t(f"{page.total} hồ sơ", f"{page.total} dossiers"))
    return 0


def _collector_extra(ctx: Context) -> dict[str, str] | None:
    """``--collected-by NAME --collector-id ID``: the result goes to an authorised person (hand_back)."""
    a = ctx.args
    if a.collected_by is None and a.collector_id is None:
        return None
    if a.action != Action.HAND_BACK.value:
        raise DomainError(
            Problem(
                "cli.collector",
                "--collected-by và --collector-id chỉ dùng với hand_back.",
                "--collected-by and --collector-id go only with hand_back.",
                "collected_by",
            )
        )
    return {
        "collected_by": AUTHORISED,
        "collector_name": a.collected_by or "",
        "collector_id": a.collector_id or "",
    }


def cmd_act(ctx: Context) -> int:
    a = ctx.args
    result = svc.perform(
        ctx.store,
        actor(ctx),
        a.code,
        a.action,
        reason=a.reason or "",
        new_due_at=parse_datetime(a.new_due, "new_due") if a.new_due else None,
        handling_agency_eid=a.to,
        at=parse_datetime(a.at, "at") if a.at else None,
        extra=_collector_extra(ctx),
    )
    ctx.print(
        f"{result.code}: {Action(result.action).label(ctx.lang)} → {status_label(result.status, ctx.lang)}"
    )
    if result.due_at:
        ctx.print(ctx.t("Hẹn trả", "Due") + f": {fmt_dt(result.due_at)}")
    return 0


def cmd_transfer(ctx: Context) -> int:
    result = svc.transfer_dissolved(ctx.store, actor(ctx), ctx.args.from_unit, ctx.args.to_unit)
    if ctx.args.json:
        ctx.print_json(
            {
                "from": result.from_unit,
                "to": result.to_unit,
                "continuing_agency": result.continuing_agency,
                "dossiers": [r.__dict__ for r in result.rows],
            }
        )
        return 0
    ctx.print(
        ctx.t(
            f"Chuyển {len(result.rows)} hồ sơ chưa giải quyết xong của {result.from_name} "
            f"({result.from_unit}) sang {result.continuing_agency}:",
            f"Transferred {len(result.rows)} unfinished dossiers of {result.from_name} "
            f"({result.from_unit}) to {result.continuing_agency}:",
        )
    )
    for r in result.rows:
        ctx.print(
            f"  {r.code or '-'}  {r.applicant}  ·  {r.procedure}  ·  {status_label(r.status, ctx.lang)}"
        )
    return 0


def _write(ctx: Context, out: Path, data: bytes) -> int:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise DomainError(
            Problem(
                "cli.write",
                f"Không ghi được tệp {out}: {exc.strerror or exc}.",
                f"Cannot write {out}: {exc.strerror or exc}.",
                "out",
            )
        ) from exc
    ctx.print(str(out))
    return 0


def cmd_print(ctx: Context) -> int:
    from app.services import printing

    a = ctx.args
    if a.form == "catalogue":
        return _write(ctx, a.out, printing.catalogue(ctx.store))
    if not a.ref:
        raise DomainError(
            Problem(
                "cli.print.ref",
                "Hãy cho biết mã hồ sơ (hoặc mã đơn vị cũ với mẫu handover).",
                "Give the dossier code (or the former unit code for the handover form).",
                "ref",
            )
        )
    if a.form == "handover":
        return _write(ctx, a.out, printing.handover(ctx.store, a.ref))
    printed = printing.print_dossier_form(ctx.store, actor(ctx), a.ref, a.form)
    if printed.is_copy:
        print(ctx.t("Bản in lại, được đánh dấu BẢN SAO.", "A reprint, marked BẢN SAO (copy)."), file=ctx.err)
    return _write(ctx, a.out, printed.pdf)


def cmd_logbook(ctx: Context) -> int:
    from app.services import printing

    a = ctx.args
    fmt = a.out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "xlsx"):
        raise DomainError(
            Problem(
                "cli.logbook.format",
                "Tệp xuất phải có đuôi .pdf hoặc .xlsx.",
                "The output file must end in .pdf or .xlsx.",
                "out",
            )
        )
    return _write(
        ctx,
        a.out,
        printing.logbook(ctx.store, parse_date(a.date_from, "from"), parse_date(a.date_to, "to"), fmt),
    )


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    op = argparse.ArgumentParser(add_help=False)
    op.add_argument("--operator", help="operator name recorded on the events (default: the OS user)")

    p = sub.add_parser("due", parents=[common], help="due date of a procedure received at a given time")
    p.add_argument("--procedure", required=True, help="procedure code")
    p.add_argument("--received", help='receipt time "YYYY-MM-DD HH:MM" (default: now)')
    p.add_argument(
        "--channel", default="direct", choices=list(svc.CHANNELS), help="in person, by post or online"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_due)

    p = sub.add_parser("receive", parents=[common, op], help="receive a dossier and print its code")
    p.add_argument("--procedure", required=True)
    p.add_argument("--qr", help="the ID card's QR payload as the scanner reads it")
    p.add_argument("--name")
    p.add_argument("--id", help="12-digit personal ID")
    p.add_argument("--birth-date")
    p.add_argument("--gender", help="Nam or Nữ")
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--address")
    p.add_argument("--commune", help="commune code chosen by the applicant (where the matter belongs)")
    p.add_argument("--channel", default="direct", choices=list(svc.CHANNELS))
    p.add_argument("--delivery", default="counter", choices=list(svc.DELIVERIES))
    p.add_argument("--notify", help="channels the applicant consents to be notified on: email,sms,zalo")
    p.add_argument("--notes")
    p.add_argument("--received", help='receipt time "YYYY-MM-DD HH:MM" (default: now)')
    paper_help = "a paper received: its number in the procedure's list, optionally :count (repeatable)"
    p.add_argument("--paper", action="append", metavar="N[:COUNT]", help=paper_help)
    p.add_argument("--pages", type=int, default=0, help="pages of the original (per-page fees)")
    p.add_argument("--copies", type=int, default=0, help="copies asked for (per-copy fees)")
    p.add_argument("--fee-exempt", metavar="GROUND", help="exempt from the fee, with the ground")
    p.add_argument("--extension", metavar="ID", help="an extension set by law (catalogue id)")
    p.add_argument("--extension-reason", help="why the extension applies (required with --extension)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_receive)

    p = sub.add_parser(
        "refuse", parents=[common, op], help="refuse a dossier at intake with the reason (Mẫu 03)"
    )
    p.add_argument("--procedure", required=True)
    p.add_argument("--reason", required=True, help="the reason, as the citizen will read it")
    p.add_argument("--qr", help="the ID card's QR payload as the scanner reads it")
    p.add_argument("--name")
    p.add_argument("--id", help="12-digit personal ID")
    p.add_argument("--birth-date")
    p.add_argument("--gender", help="Nam or Nữ")
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--address")
    p.add_argument("--channel", default="direct", choices=list(svc.CHANNELS))
    p.add_argument("--received", help='time "YYYY-MM-DD HH:MM" (default: now)')
    p.add_argument("--paper", action="append", metavar="N[:COUNT]", help=paper_help)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_refuse)

    p = sub.add_parser("show", parents=[common], help="a dossier with its history")
    p.add_argument("code", help="dossier code (or id)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("search", parents=[common], help="find dossiers by code, ID, phone or name")
    p.add_argument("text", nargs="?", default="")
    p.add_argument("--status", action="append", choices=[s.value for s in Status])
    p.add_argument("--from", dest="date_from", help="received on or after YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", help="received on or before YYYY-MM-DD")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("act", parents=[common, op], help="apply an action to a dossier")
    p.add_argument("code")
    p.add_argument(
        "action",
        choices=[
            x.value
            for x in Action
            if x
            not in (
                Action.SUBMIT_ONLINE,
                Action.RECEIVE,
                Action.REFUSE,
                Action.TRANSFER,
                Action.REQUEST_ONLINE_SUPPLEMENT,  # `online supplement` (app/cli/online.py)
                Action.ONLINE_SUPPLEMENTED,  # from the portal only
            )
        ],
    )
    p.add_argument("--reason")
    p.add_argument("--new-due", help='new due time "YYYY-MM-DD HH:MM" (apologise)')
    p.add_argument("--to", help="agency e-ID to forward to (default: the competent agency)")
    p.add_argument("--at", help='when the action took place "YYYY-MM-DD HH:MM" (default: now)')
    p.add_argument(
        "--collected-by",
        metavar="NAME",
        help="hand_back: the result goes to this authorised person (default: the applicant)",
    )
    p.add_argument("--collector-id", metavar="ID", help="hand_back: the authorised person's 12-digit ID")
    p.set_defaults(handler=cmd_act)

    p = sub.add_parser(
        "print", parents=[common, op], help="print a form to a PDF file (archived; reprints say BẢN SAO)"
    )
    p.add_argument(
        "form",
        choices=[
            "receipt",
            "receipt-80mm",
            "supplement",
            "refusal",
            "apology",
            "stop",
            "control",
            "handover",
            "catalogue",
        ],
    )
    p.add_argument(
        "ref",
        nargs="?",
        default="",
        help="dossier code (the id for a dossier refused at intake); for handover the former unit code",
    )
    p.add_argument("--out", type=Path, required=True, help="PDF file to write")
    p.set_defaults(handler=cmd_print)

    p = sub.add_parser("logbook", parents=[common], help="the dossier logbook (Mẫu 07) for a period")
    p.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
    p.add_argument("--out", type=Path, required=True, help="FILE.pdf or FILE.xlsx")
    p.set_defaults(handler=cmd_logbook)

    p = sub.add_parser(
        "transfer", parents=[common, op], help="hand a dissolved unit's unfinished dossiers to its successor"
    )
    p.add_argument("--from", dest="from_unit", required=True, help="former unit code")
    p.add_argument("--to", dest="to_unit", required=True, help="successor unit code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_transfer)
