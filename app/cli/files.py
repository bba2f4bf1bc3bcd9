"""Digitised papers on the command line: ``attach``; ``scan`` (``--list``, a paper from a scanner);
``files`` (list, ``--export``, ``--ocr``, ``--sweep``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.context import EXIT_REFUSED, CommandError, Context
from app.cli.dossiers import actor
from app.domain import digitise as dg
from app.domain.errors import Problem
from app.services import files as svc


def _note(text: str) -> tuple[int, Path]:
    page, sep, path = text.partition("=")
    if not sep or not page.strip().isdigit():
        raise argparse.ArgumentTypeError("expected PAGE=FILE, e.g. 2=page2-with-note.jpg")
    return int(page), Path(path)


def cmd_attach(ctx: Context) -> int:
    a = ctx.args
    a.code, a.files = a.items[0], [Path(x) for x in [*a.items[1:], *a.trailing_args]]
    given = sum(1 for x in (a.files, a.exempt, a.result, a.reuse is not None) if x)
    if given != 1:
        raise CommandError(
            Problem(
                "cli.attach",
                "Hãy cho đúng một trong: các tệp giấy tờ (với --paper), --exempt LÝ_DO, --reuse SỐ, "
                "--result TỆP….",
                "Give exactly one of: the paper's files (with --paper), --exempt REASON, --reuse ID, "
                "--result FILE….",
            )
        )
    if not a.result and a.paper is None:
        raise CommandError(Problem("cli.paper", "Thiếu --paper N.", "--paper N is missing.", "paper"))
    if a.reuse is not None:
        reused = svc.reuse(ctx.store, actor(ctx), a.code, a.paper, a.reuse)
        ctx.print(
            f"{reused.paper_no}. {reused.name}: " + ctx.t("dùng lại", "reused") + f" {reused.sha256} "
            f"({reused.page_count} " + ctx.t("trang", "pages") + ")"
        )
        return 0
    req = svc.AttachRequest(
        ref=a.code,
        paper_no=a.paper or 0,
        files=tuple(a.result or a.files),
        declared_pages=a.pages,
        exemption=a.exempt,
        result=bool(a.result),
        notes=tuple(a.note or ()),
    )
    r = svc.attach(ctx.store, actor(ctx), req)
    if a.json:
        ctx.print_json(
            {
                "code": r.dossier_code,
                "kind": r.kind,
                "paper": r.paper_no,
                "name": r.name,
                "pages": r.page_count,
                "images": r.image_count,
                "bytes": r.size,
                "sha256": r.sha256,
                "exemption": r.exemption,
                "modes": list(r.modes),
                "event_id": r.event_id,
            }
        )
        return 0
    if r.exemption:
        why = dg.Exemption(r.exemption)
        ctx.print(f"{r.paper_no}. {r.name}: " + ctx.t(why.vi, why.en))
        return 0
    label = ctx.t("Kết quả", "Result") if r.kind == "result" else f"{r.paper_no}. {r.name}"
    ctx.print(
        f"{label}: {r.page_count} "
        + ctx.t("trang", "pages")
        + f", {r.image_count} "
        + ctx.t("ảnh", "images")
        + f", {r.size:,} bytes, sha256 {r.sha256}"
    )
    ctx.print(
        ctx.t(
            "Nhận dạng chữ (OCR): sẽ chạy sau (motcua-desk files --ocr).",
            "Text recognition (OCR): later, in the background (motcua-desk files --ocr).",
        )
    )
    return 0


def _state(ctx: Context, p: svc.PaperFiles) -> str:
    if p.exemption:
        return ctx.t("miễn số hóa", "exempt") + f" ({p.exemption})"
    if p.sha256 is None:
        return ctx.t("chưa số hóa", "not digitised")
    return f"OCR {p.ocr_state}, " + ctx.t("tải lên", "upload") + f" {p.upload_state}"


def cmd_files(ctx: Context) -> int:
    a = ctx.args
    if a.reusable:
        offers = svc.reusable_papers(ctx.store, a.reusable)
        if a.json:
            ctx.print_json([vars(o) for o in offers])
            return 0
        for o in offers:
            ctx.print(
                f"{o.file_id}  {o.dossier_code} #{o.paper_no} {o.name}: {o.pages} " + ctx.t("trang", "pages")
            )
        if not offers:
            ctx.print(ctx.t("Không có giấy tờ nào để dùng lại.", "No paper to reuse."))
        return 0
    if a.sweep:
        removed = svc.sweep(ctx.store)
        ctx.print(ctx.t("Đã xóa", "Removed") + f" {len(removed)} " + ctx.t("tệp mồ côi", "orphan files"))
        return 0
    if a.ocr:
        rep = svc.run_ocr(ctx.store, limit=a.limit)
        if rep.unavailable:
            ctx.print(ctx.t("Không chạy được OCR: ", "OCR cannot run: ") + rep.unavailable)
            return EXIT_REFUSED
        ctx.print(
            f"OCR: {rep.done} "
            + ctx.t("xong", "done")
            + f", {rep.failed} "
            + ctx.t("lỗi", "failed")
            + f", {rep.left} "
            + ctx.t("còn lại", "left")
        )
        return 0
    if not a.code:
        raise CommandError(Problem("cli.code", "Thiếu mã hồ sơ.", "The dossier code is missing.", "code"))
    if a.fetch:
        from app.sync import engine
        from app.sync.client import ClockSkew, ServerRefused, SyncClient, TransientError
        from app.sync.files import fetch_files

        url, _device, token = engine.connection(ctx.store)
        try:
            with SyncClient(url, token) as client:
                n = fetch_files(ctx.store, client, a.code)
        except (ServerRefused, ClockSkew, TransientError) as exc:
            raise CommandError(exc.problem) from exc
        ctx.print(ctx.t("Đã tải về", "Fetched") + f" {n} " + ctx.t("tệp", "files"))
        return 0
    if a.export:
        for path in svc.export(ctx.store, a.code, a.export):
            ctx.print(str(path))
        return 0
    listing = svc.dossier_files(ctx.store, a.code)
    if a.json:
        ctx.print_json({"code": listing.code, "papers": [p.as_json() for p in listing.papers]})
        return 0
    ctx.print(ctx.t("Hồ sơ", "Dossier") + f" {listing.code}")
    for p in listing.papers:
        label = ctx.t("Kết quả", "Result") if p.kind == "result" else f"{p.paper_no}. {p.name}"
        declared = "-" if p.declared_pages is None else str(p.declared_pages)
        line = (
            f"  {label}: {p.pages} "
            + ctx.t("trang", "pages")
            + f" ({ctx.t('khai báo', 'declared')} {declared})"
        )
        if p.sha256:
            line += f", {p.size:,} bytes, {p.sha256}"
        ctx.print(line + f"; {_state(ctx, p)}")
    return 0


def cmd_scan(ctx: Context) -> int:
    from app.digitise import sources
    from app.digitise.imaging import clean_page

    a = ctx.args
    if a.list:
        devices = sources.list_devices()
        if a.json:
            ctx.print_json([vars(d) for d in devices])
        for d in [] if a.json else devices:
            ctx.print(f"{d.name}  {d.vendor} {d.model} ({d.kind})")
        if not devices and not a.json:
            ctx.print(ctx.t("Không tìm thấy máy quét.", "No scanner found."))
        return 0
    if not a.code or a.paper is None:
        raise CommandError(
            Problem(
                "cli.scan", "Cần mã hồ sơ và --paper N.", "A dossier code and --paper N are needed.", "code"
            )
        )
    # Each sheet is compressed as soon as it is read: a full feeder never sits in memory as pixels.
    images = {
        str(i): clean_page(p)
        for i, p in enumerate(sources.scan_pages(a.device, feeder=a.feeder, resolution=a.resolution))
    }
    if a.feeder:
        ctx.print(
            ctx.t("Khay nạp giấy đã quét", "The feeder gave") + f" {len(images)} " + ctx.t("trang", "pages")
        )
    r = svc.attach_pages(
        ctx.store,
        actor(ctx),
        a.code,
        a.paper,
        dg.PageSet().add(list(images)),
        images,
        declared=dg.validate_declared(a.pages),
        source="scanner",
    )
    ctx.print(
        f"{r.paper_no}. {r.name}: {r.page_count} "
        + ctx.t("trang", "pages")
        + f", {r.size:,} bytes, sha256 {r.sha256}"
    )
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    op = argparse.ArgumentParser(add_help=False)
    op.add_argument("--operator", help="operator name recorded on the events (default: the OS user)")

    p = sub.add_parser("attach", parents=[common, op], help="digitise a paper (or the result) of a dossier")
    # One positional list (CODE FILE…): argparse cannot take a second positional list after options.
    p.add_argument(
        "items",
        nargs="+",
        metavar="CODE [FILE …]",
        help="dossier code (or id), then PNG, JPEG, TIFF or PDF files: the pages in order",
    )
    p.add_argument("--paper", type=int, help="the paper's number in the dossier's checklist (1, 2, …)")
    p.add_argument("--pages", type=int, help="page count declared (refused when the files differ)")
    p.add_argument(
        "--note",
        type=_note,
        action="append",
        metavar="PAGE=FILE",
        help="second image of a page with a sticky note (the page WITH the note)",
    )
    p.add_argument(
        "--exempt",
        metavar="REASON",
        help="no copy needed (TT 03/2025 Art. 5.2): " + ", ".join(e.value for e in dg.Exemption),
    )
    p.add_argument("--result", type=Path, nargs="+", metavar="FILE", help="attach the electronic result")
    p.add_argument(
        "--reuse",
        type=int,
        metavar="ID",
        help="link a paper digitised earlier for this citizen (an ID from files --reusable)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_attach, trailing=True)

    p = sub.add_parser("scan", parents=[common, op], help="list scanners, or scan a paper of a dossier")
    p.add_argument("code", nargs="?", help="dossier code (or id)")
    p.add_argument("--list", action="store_true", help="list the scanners (SANE; TWAIN and WIA on Windows)")
    p.add_argument("--paper", type=int, help="the paper's number in the dossier's checklist")
    p.add_argument(
        "--device",
        help="scanner name as --list shows it (default: SANE's first scanner; on Windows, TWAIN's default "
        "source, else the first WIA scanner)",
    )
    p.add_argument("--feeder", action="store_true", help="empty the document feeder (its count is shown)")
    p.add_argument("--pages", type=int, help="page count declared (refused when the scan differs)")
    p.add_argument("--resolution", type=int, default=300, help="dpi (default 300)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_scan)

    p = sub.add_parser("files", parents=[common], help="a dossier's digitised papers (or --ocr, --sweep)")
    p.add_argument("code", nargs="?", help="dossier code (or id)")
    p.add_argument("--export", type=Path, metavar="DIR", help="copy the files (hash-checked) into DIR")
    p.add_argument("--fetch", action="store_true", help="fetch from the server the files digitised elsewhere")
    p.add_argument("--ocr", action="store_true", help="recognise the text of files waiting for OCR")
    p.add_argument("--limit", type=int, help="with --ocr: at most this many files")
    p.add_argument("--sweep", action="store_true", help="remove files left unreferenced by a crash")
    p.add_argument("--reusable", metavar="PERSONAL_ID", help="papers already digitised for this citizen")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_files)
