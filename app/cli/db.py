"""Database maintenance commands of the command line: ``db check|path|backup|backups|restore|key``."""

from __future__ import annotations

import argparse
import getpass
import shutil
import sys
from pathlib import Path
from typing import Any

from app.cli.context import EXIT_REFUSED, Context
from app.services.health import check_database


def cmd_key(ctx: Context) -> int:
    """``db key export`` prints the store key for a paper/USB recovery copy; ``db key import`` reads one from
    standard input (never from the command line: it would stay in the shell's history and process list)."""
    from app.services import storekey

    if ctx.args.key_action == "export":
        ctx.print(storekey.export_text(ctx.data_dir))
        print(
            ctx.t(
                "Khóa này mở được dữ liệu công dân và mọi bản sao lưu: ghi ra giấy hoặc "
                "USB, cất trong tủ khóa; "
                "không gửi qua thư điện tử hay tin nhắn.",
                "This key opens the citizens' data and every backup: write it on paper or a USB stick kept "
                "locked away; never send it by e-mail or chat.",
            ),
            file=ctx.err,
        )
        return 0
    if sys.stdin.isatty():
        text = getpass.getpass(ctx.t("Khóa (64 chữ số thập lục phân): ", "Key (64 hexadecimal digits): "))
    else:
        text = sys.stdin.read()
    storekey.import_text(ctx.data_dir, text)
    ctx.print(ctx.t("Đã lưu khóa vào kho khóa của hệ điều hành.", "The key is saved in the OS keyring."))
    return 0


def cmd_db(ctx: Context) -> int:
    action = ctx.args.db_action
    if action == "key":
        return cmd_key(ctx)
    if action == "check":
        report = check_database(ctx.store)
        problems = list(report.integrity)
        if report.audit.reason:
            problems.append(
                ctx.t("Chuỗi nhật ký kiểm tra bị phá vỡ: ", "Audit chain broken: ") + report.audit.reason
            )
        problems.extend(
            ctx.t("Nhật ký kiểm tra: ", "Audit trail: ") + ctx.t(finding.vi, finding.en)
            for finding in report.audit.findings
        )
        for f in report.files:
            what = (
                ctx.t("thiếu tệp", "missing file")
                if f.problem == "missing"
                else ctx.t("tệp hỏng", "damaged file")
            )
            problems.append(f"{what} {f.sha256}: " + "; ".join(f.where))
        if ctx.store.unencrypted is not None:  # a warning, not a problem: the exit code stays
            w = ctx.store.unencrypted
            ctx.print(ctx.t("CẢNH BÁO: ", "WARNING: ") + ctx.t(w.vi, w.en))
        if problems:
            ctx.print(ctx.t("CÓ LỖI:", "PROBLEMS:"))
            for p in problems:
                ctx.print(f"  {p}")
            from app.services.backup import check_file, list_backups

            sound = next(
                (
                    b
                    for b in list_backups(ctx.data_dir)
                    if b.kind != "replaced" and not check_file(b.path, data_dir=ctx.data_dir)
                ),
                None,
            )
            if sound is not None:
                ctx.print(
                    ctx.t("Bản sao lưu gần nhất", "Latest backup")
                    + f' ({sound.taken_at:%Y-%m-%d %H:%M}): motcua-desk db restore "{sound.path}"'
                )
            return EXIT_REFUSED
        for note in report.audit.notes:
            print(ctx.t("Lưu ý: ", "Note: ") + ctx.t(note.vi, note.en), file=ctx.err)
        ctx.print("OK")
        return 0
    if action == "path":
        ctx.print(str(ctx.store.path))
        return 0
    from app.services import backup

    if action == "backup":
        from app.services import backup_files

        path = backup.backup_now(ctx.store, ctx.data_dir, all_files=ctx.args.files == "all")
        if ctx.args.out:
            ctx.args.out.parent.mkdir(parents=True, exist_ok=True)
            out = Path(shutil.copyfile(path, ctx.args.out))
            files = backup_files.folder_of(path)
            if files.is_dir():  # the digitised files go with it (a full copy: another disk)
                shutil.rmtree(backup_files.folder_of(out), ignore_errors=True)
                shutil.copytree(files, backup_files.folder_of(out))
            path = out
        ctx.print(str(path))
        manifest = backup_files.read_manifest(path)
        if manifest is not None:
            ctx.print(
                ctx.t("Tệp số hóa", "Digitised files")
                + f": {len(manifest.files)} ({sum(manifest.files.values()):,} bytes)"
                + f" {backup_files.folder_of(path)}"
            )
            for digest in (*manifest.missing, *manifest.damaged):
                ctx.print(
                    ctx.t("  thiếu hoặc hỏng, không sao lưu: ", "  missing or damaged, not backed up: ")
                    + digest
                )
        return 0
    if action == "backups":
        for b in backup.list_backups(ctx.data_dir):
            fsize = "-" if b.files_size is None else f"{b.files_size:,}"
            ctx.print(f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {b.kind:<17} {b.size:>12,} {fsize:>14}  {b.path}")
        return 0
    if action == "restore":
        # Works on a damaged store too: it never opens the database it replaces.
        kept, put = backup.restore_with_files(ctx.data_dir, ctx.args.file)
        ctx.print(ctx.t("Đã khôi phục từ", "Restored from") + f" {ctx.args.file}")
        if kept is not None:
            ctx.print(ctx.t("Cơ sở dữ liệu cũ được giữ tại", "The replaced database is kept at") + f" {kept}")
        if not put.has_files:
            ctx.print(
                ctx.t(
                    "Bản sao lưu này không có tệp số hóa kèm theo; thư mục files/ được giữ nguyên.",
                    "This backup holds no digitised files; the files/ folder was left as it was.",
                )
            )
            return 0
        ctx.print(
            ctx.t(
                f"Tệp số hóa: {put.restored} tệp được chép lại, {put.present} tệp đã có sẵn; "
                "mọi tệp đã kiểm tra SHA-256.",
                f"Digitised files: {put.restored} put back, {put.present} already there; "
                "every SHA-256 checked.",
            )
        )
        if put.not_in_backup:
            ctx.print(
                ctx.t(
                    f"CẢNH BÁO: {len(put.not_in_backup)} tệp đã thiếu hoặc hỏng từ khi sao lưu "
                    "(db check sẽ báo).",
                    f"WARNING: {len(put.not_in_backup)} files were already missing or damaged when the "
                    "backup was taken (db check reports them).",
                )
            )
        if put.bad:
            ctx.print(
                ctx.t("CÓ LỖI: tệp trong bản sao lưu bị hỏng:", "PROBLEMS: damaged files in the backup:")
            )
            for digest in put.bad:
                ctx.print(f"  {digest}")
            return EXIT_REFUSED
        return 0
    raise AssertionError(action)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("db", parents=[common], help="database maintenance")
    dbsub = p.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    dbsub.add_parser("check", parents=[common], help="integrity check of the database")
    dbsub.add_parser("path", parents=[common], help="print the database file path")
    b = dbsub.add_parser("backup", parents=[common], help="online backup into the backups folder")
    b.add_argument("--out", type=Path, help="also copy the backup (and its files folder) to this file")
    b.add_argument(
        "--files",
        choices=("referenced", "all"),
        default="referenced",
        help="digitised files kept with it: those the database references (default) or all of files/",
    )
    dbsub.add_parser("backups", parents=[common], help="list the backups, newest first")
    r = dbsub.add_parser("restore", parents=[common], help="replace the database with a backup (desk closed)")
    r.add_argument("file", type=Path)
    k = dbsub.add_parser("key", parents=[common], help="the store's encryption key: recovery copy")
    ksub = k.add_subparsers(dest="key_action", metavar="ACTION", required=True)
    ksub.add_parser("export", parents=[common], help="print the key for a paper/USB copy kept locked away")
    ksub.add_parser(
        "import", parents=[common], help="put a saved key (read from standard input) in the keyring"
    )
    p.set_defaults(handler=cmd_db)
