"""Sync commands of the command line: enrol, sync (one round), sync --parked."""

from __future__ import annotations

import argparse
import socket
from typing import Any

from app.cli.context import Context
from app.domain.errors import DomainError
from app.sync import engine
from app.sync import files as sync_files
from app.sync.client import ClockSkew, ServerRefused, SyncClient, TransientError


def cmd_enrol(ctx: Context) -> int:
    a = ctx.args
    try:
        response = engine.enrol(ctx.store, a.server, a.code, a.name or socket.gethostname())
    except (ServerRefused, ClockSkew, TransientError) as exc:
        raise DomainError(exc.problem) from exc
    ctx.print(ctx.t("Đã đăng ký máy trạm", "Workstation enrolled") + f": {response.device_id}")
    ctx.print(ctx.t("Trung tâm", "Centre") + f": {response.centre.name} ({response.centre.eid})")
    ctx.print(
        ctx.t("Số hiệu máy trạm (dải số dự phòng)", "Workstation slot (fallback numbers)")
        + f": {response.slot}"
    )
    return 0


def cmd_sync(ctx: Context) -> int:
    if ctx.args.parked:
        parked = engine.parked_events(ctx.store)
        if ctx.args.json:
            ctx.print_json(parked)
        for p in parked if not ctx.args.json else []:
            ctx.print(f"{p['created_at']:%Y-%m-%d %H:%M}  {p['type']:<20} {p['dossier_id']}  {p['reason']}")
        if not ctx.args.json:
            ctx.print(
                ctx.t(
                    f"{len(parked)} sự kiện bị máy chủ từ chối hoặc thay đổi bị cách ly",
                    f"{len(parked)} events refused by the server or changes quarantined",
                )
            )
        return 0
    url, _device, token = engine.connection(ctx.store)
    try:
        with SyncClient(url, token) as client:
            report = engine.SyncEngine(ctx.store, client).run_round()
    except (ServerRefused, ClockSkew, TransientError) as exc:
        raise DomainError(exc.problem) from exc
    pending, parked_count = engine.outbox_counts(ctx.store)
    files_pending, bytes_pending = sync_files.pending_files(ctx.store)
    files_parked = sync_files.parked_files(ctx.store)
    summary: dict[str, int] = {
        "pushed": report.pushed,
        "accepted": report.accepted,
        "duplicate": report.duplicate,
        "rejected": report.rejected,
        "pulled": report.pulled,
        "quarantined": report.quarantined,
        "leased": report.leased,
        "pending": pending,
        "parked": parked_count,
        "files_sent": report.files_sent,
        "file_bytes_sent": report.file_bytes_sent,
        "files_pending": files_pending,
        "file_bytes_pending": bytes_pending,
        "files_parked": files_parked,
    }
    if ctx.args.json:
        ctx.print_json(summary)
        return 0
    t = ctx.t
    ctx.print(
        t("Đã gửi", "Pushed") + f": {report.pushed} ({t('nhận', 'accepted')} {report.accepted}, "
        f"{t('trùng', 'duplicate')} {report.duplicate}, {t('từ chối', 'rejected')} {report.rejected})"
    )
    ctx.print(t("Đã nhận thay đổi", "Changes pulled") + f": {report.pulled}")
    if report.quarantined:
        ctx.print(
            t("Thay đổi không áp dụng được, đã cách ly", "Changes not applied, quarantined")
            + f": {report.quarantined} (motcua-desk sync --parked)"
        )
    ctx.print(t("Số hồ sơ được cấp thêm", "Numbers leased") + f": {report.leased}")
    ctx.print(
        t("Còn chờ gửi", "Still pending") + f": {pending}; " + t("bị từ chối", "parked") + f": {parked_count}"
    )
    ctx.print(
        t("Tệp số hóa: đã gửi", "Digitised files: sent")
        + f" {report.files_sent} ({report.file_bytes_sent:,} bytes); "
        + t("còn chờ", "pending")
        + f" {files_pending} ({bytes_pending:,} bytes); "
        + t("bị từ chối", "parked")
        + f" {files_parked}"
    )
    for event_id, reason in report.parked:
        ctx.print(f"  {event_id}: {reason}")
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("enrol", parents=[common], help="enrol this workstation with the provincial server")
    p.add_argument(
        "--server",
        required=True,
        help="server address, e.g. https://motcua-sync.example.gov.vn (http:// only on loopback)",
    )
    p.add_argument("--code", required=True, help="one-time enrolment code from the administrator")
    p.add_argument("--name", help="workstation name (default: the host name)")
    p.set_defaults(handler=cmd_enrol)

    p = sub.add_parser("sync", parents=[common], help="one sync round with the server (push, pull, lease)")
    p.add_argument("--parked", action="store_true", help="list the events the server refused")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_sync)
