"""``motcua-server portal …``: configure, push once, status, reconcile, retry (server/portal.py).

The connector has been tested against the project's simulator only (tools/portal_sim.py).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from typing import Any, TextIO

from app.domain.errors import Problem
from server import portal
from server.admin import AdminError
from server.db import Database, check_schema


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AdminError(
            Problem(
                "cli.date",
                f"Ngày «{text}» không hợp lệ: dùng YYYY-MM-DD.",
                f"Invalid date {text!r}: use YYYY-MM-DD.",
            )
        ) from None


def _guard(fn: Any) -> Any:
    def run(args: argparse.Namespace, db: Database, out: TextIO) -> int:
        check_schema(db.engine)
        try:
            return int(fn(args, db, out))
        except portal.PortalError as err:
            raise AdminError(err.problem) from None

    return run


@_guard
def cmd_configure(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    values: dict[str, Any] = {}
    if args.url is not None:
        values["url"] = args.url
    if args.disable:
        values["enabled"] = False
    if args.enable:
        values["enabled"] = True
    for key in ("timeout", "acceptance_hours", "interval", "concurrency", "acceptance_after_supplement"):
        if getattr(args, key) is not None:
            values[key] = getattr(args, key)
    cfg = portal.configure(db, **values)
    state = "bật / on" if cfg.active else "tắt / off"
    print(
        f"Cổng / portal: {cfg.url or '—'} [{state}] timeout {cfg.timeout}s, "
        f"hạn tiếp nhận / acceptance {cfg.acceptance_hours} giờ làm việc / working hours, "
        f"sau bổ sung / after a supplement: {cfg.acceptance_after_supplement}",
        file=out,
    )
    return 0


@_guard
def cmd_push_once(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    cfg = portal.load_config(db)
    if not cfg.url:
        raise portal.PortalError(
            Problem(
                "portal.not_configured",
                "Chưa cấu hình địa chỉ cổng: chạy «motcua-server portal configure --url …».",
                "No portal URL is configured: run 'motcua-server portal configure --url …'.",
            )
        )
    r = portal.sync_until_idle(db, cfg)
    print(
        f"Đã xác nhận / acknowledged: {r.acked}  bị từ chối / refused: {r.refused}  "
        f"thử lại sau / to retry: {r.retried}",
        file=out,
    )
    return 0 if r.refused == 0 else 1


@_guard
def cmd_status(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    st = portal.status(db)
    if args.json:
        print(portal.dump(st.as_json()), file=out)
        return 0
    lag = f"{st.lag_seconds:.0f} s" if st.lag_seconds is not None else "0"
    print(
        f"Cổng / portal: {st.url or '—'} ({'bật / on' if st.enabled and st.url else 'tắt / off'})", file=out
    )
    print(
        f"Tồn đọng / backlog: {st.backlog}  lỗi / failed: {st.failed}  "
        f"đang thử lại / retrying: {st.retrying}  sự kiện / events {st.events_cursor}/{st.events_total}  "
        f"độ trễ / lag: {lag}",
        file=out,
    )
    if st.recent_lag_seconds is not None:
        print(
            f"Độ trễ trung bình 100 bản ghi gần nhất / recent mean lag: {st.recent_lag_seconds:.1f} s",
            file=out,
        )
    print("Hồ sơ / dossiers: " + ", ".join(f"{k} {v}" for k, v in sorted(st.dossiers.items())), file=out)
    for f in st.failures:
        print(f"  {f['code']} #{f['seq']}: {f['error']}", file=out)
    return 0


@_guard
def cmd_reconcile(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    start, end = _day(args.date_from), _day(args.date_to)
    known, acked, diffs = portal.reconcile(db, args.centre, start, end)
    if args.json:
        print(
            json.dumps(
                {
                    "centre": args.centre,
                    "from": str(start),
                    "to": str(end),
                    "known": known,
                    "acknowledged": acked,
                    "differences": [asdict(d) for d in diffs],
                },
                ensure_ascii=False,
                indent=2,
            ),
            file=out,
        )
        return 0
    print(
        f"{args.centre} {start}…{end}: ở đây / here {known}, cổng đã nhận / acknowledged {acked}, "
        f"chênh lệch / differences {len(diffs)}",
        file=out,
    )
    for d in diffs:
        print(f"  {d.code}  {d.reason}: {d.detail_vi} ({d.detail_en})", file=out)
    return 0


@_guard
def cmd_retry(args: argparse.Namespace, db: Database, out: TextIO) -> int:
    n = portal.retry_failed(db, args.code)
    print(f"Đưa lại vào hàng đợi / re-queued: {n}", file=out)
    return 0


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("portal", help="the national portal connector (tested against the simulator only)")
    psub = p.add_subparsers(dest="portal_command", required=True, metavar="ACTION")
    c = psub.add_parser("configure", parents=[common], help="set the portal URL and options")
    c.add_argument("--url")
    c.add_argument("--enable", action="store_true")
    c.add_argument("--disable", action="store_true")
    c.add_argument("--timeout", type=float)
    c.add_argument("--acceptance-hours", type=float, help="online intake deadline, working hours (default 8)")
    c.add_argument(
        "--acceptance-after-supplement",
        choices=("restart", "resume"),
        help="acceptance clock once the citizen supplements: count again (default) or continue",
    )
    c.add_argument("--interval", type=float, help="seconds between connector passes")
    c.add_argument("--concurrency", type=int)
    c.set_defaults(handler=cmd_configure)
    c = psub.add_parser("push-once", parents=[common], help="send everything due now, then stop")
    c.set_defaults(handler=cmd_push_once)
    c = psub.add_parser("status", parents=[common], help="backlog, failures and lag")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_status)
    c = psub.add_parser("reconcile", parents=[common], help="dossiers here vs acknowledged by the portal")
    c.add_argument("--centre", required=True, help="centre e-ID")
    c.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
    c.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
    c.add_argument("--json", action="store_true")
    c.set_defaults(handler=cmd_reconcile)
    c = psub.add_parser("retry", parents=[common], help="re-queue records the portal refused")
    c.add_argument("--code", help="only this dossier")
    c.set_defaults(handler=cmd_retry)
