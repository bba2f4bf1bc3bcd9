"""Reference-data commands of the command line: ``units`` (an administrative unit and where it came
from) and ``procedures`` (the catalogue)."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CommandError, Context
from app.domain.errors import Problem
from app.services.labels import money, time_label
from app.services.units import (
    CatalogueEntry,
    Succession,
    UnitInfo,
    UnitRecord,
    look_up_unit,
    search_catalogue,
    search_communes,
)

# --- units ------------------------------------------------------------------------------------------


def cmd_units(ctx: Context) -> int:
    args = ctx.args
    if args.search is not None:
        found = search_communes(ctx.store, args.search)
        if args.json:
            ctx.print_json([_unit_json(u) for u in found])
        for u in found if not args.json else []:
            ctx.print(f"{u.code}  {u.name}, {u.province_name}")
        return 0
    code = args.code.strip()
    if not code:
        raise CommandError(Problem("cli.units.missing", "Hãy cho biết mã đơn vị.", "Give a unit code."))
    records = look_up_unit(ctx.store, code)
    if not records:
        raise CommandError(
            Problem(
                "cli.units.not_found",
                f"Không có đơn vị hành chính mã {code}.",
                f"No administrative unit has code {code}.",
            )
        )
    if args.json:
        ctx.print_json([_record_json(r) for r in records])
        return 0
    for i, record in enumerate(records):
        if i:
            ctx.print()
        _print_unit(ctx, record)
    return 0


def _unit_json(u: UnitInfo) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "level": u.level,
        "kind": u.kind,
        "province_code": u.province_code,
        "province_name": u.province_name,
        "district_code": u.district_code,
        "district_name": u.district_name,
        "valid_from": _valid_from(u),
        "valid_to": u.valid_to.isoformat() if u.valid_to else None,
    }


def _valid_from(u: UnitInfo) -> str | None:
    return u.valid_from.isoformat() if u.valid_from and u.current else None


def _succession_json(x: Succession) -> dict[str, Any]:
    return _unit_json(x.unit) | {"note": x.note}


def _record_json(r: UnitRecord) -> dict[str, Any]:
    if not r.unit.current:
        return _unit_json(r.unit) | {
            "successors": [_succession_json(n) for n in r.successors],
            "kept_whole": kept_whole(r),
        }
    if r.unit.level == "province":
        return _unit_json(r.unit) | {"units": [_unit_json(m) for m in r.members]}
    return _unit_json(r.unit) | {"formed_from": [_succession_json(o) for o in r.formed_from]}


def _old_label(u: UnitInfo) -> str:
    where = ", ".join(x for x in (u.district_name, u.province_name) if x and x != u.name)
    return f"{u.code}  {u.name} ({where})"


def kept_whole(record: UnitRecord) -> bool:
    """A former commune that the reorganisation kept whole: its only successor has its code and name."""
    u = record.unit
    return (
        not u.current
        and u.level == "commune"
        and len(record.successors) == 1
        and record.successors[0].unit.code == u.code
        and record.successors[0].unit.name == u.name
    )


def _print_unit(ctx: Context, record: UnitRecord) -> None:
    t, u = ctx.t, record.unit
    if u.current and u.level == "province":
        ctx.print(f"{u.code}  {u.name}")
        ctx.print(
            t(f"Số đơn vị cấp xã: {len(record.members)}", f"Commune-level units: {len(record.members)}")
        )
        for m in record.members:
            ctx.print(f"  {m.code}  {m.name}")
        return
    if u.current:
        ctx.print(f"{u.code}  {u.name}")
        ctx.print(t("Tỉnh/thành phố", "Province") + f": {u.province_code}  {u.province_name}")
        ctx.print(t("Hiệu lực từ", "Valid from") + f": {_valid_from(u)}")
        sources = record.formed_from
        if sources:
            ctx.print(
                t(f"Hình thành từ {len(sources)} đơn vị cũ:", f"Formed from {len(sources)} former units:")
            )
            for o in sources:
                ctx.print(f"  {_old_label(o.unit)}: {o.note}")
        return
    if kept_whole(record):
        # Not rearranged by the 2025 reorganisation (e.g. Xã Tuấn Đạo, NQ 1658/NQ-UBTVQH15): the same
        # commune, still current; only its district went and its province changed (rules-2026.md D11).
        (n,) = record.successors
        ctx.print(_old_label(u) + t(" — trước ngày 01/7/2025", " — before 1 July 2025"))
        ctx.print(
            t("Giữ nguyên, vẫn hiện hành", "Kept whole, still current")
            + f": {n.unit.code}  {n.unit.name}, {n.unit.province_name}"
        )
        return
    ctx.print(_old_label(u) + t(" — đơn vị cũ", " — former unit"))
    ctx.print(t("Hết hiệu lực từ", "Abolished after") + f": {u.valid_to.isoformat() if u.valid_to else None}")
    for n in record.successors:
        ctx.print(
            t("Nay thuộc", "Now part of")
            + f": {n.unit.code}  {n.unit.name}, {n.unit.province_name} ({n.note})"
        )


# --- procedures -------------------------------------------------------------------------------------

LEVELS = {"commune": ("Cấp xã", "commune"), "province": ("Cấp tỉnh", "province")}


def _procedure_json(p: CatalogueEntry) -> dict[str, Any]:
    return {
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


def cmd_procedures(ctx: Context) -> int:
    args = ctx.args
    catalogue = search_catalogue(ctx.store, args.search)
    if args.json:
        ctx.print_json([_procedure_json(p) for p in catalogue.entries])
        return 0
    if not catalogue.total:
        ctx.print(
            ctx.t(
                "Danh mục thủ tục trống. Chạy với --demo để nạp danh mục mẫu.",
                "The procedure catalogue is empty. Run with --demo to load the demo catalogue.",
            )
        )
        return 0
    for p in catalogue.entries:
        level = ctx.t(*LEVELS[p.level])
        extra = ctx.t(", phi địa giới", ", any centre") if p.cross_boundary else ""
        ctx.print(f"{p.code:<10} {p.name}")
        when = time_label(p.time_value, p.time_unit, ctx.lang)
        ctx.print(f"{'':<10} {p.field} · {level}{extra} · {when} · {money(p.fee_vnd, ctx.lang)}")
    ctx.print(ctx.t(f"{len(catalogue.entries)} thủ tục", f"{len(catalogue.entries)} procedures"))
    return 0


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("units", parents=[common], help="show an administrative unit and where it came from")
    p.add_argument("code", nargs="?", default="", help="unit code: commune (5 digits) or province (2 digits)")
    p.add_argument("--search", help="find current communes by name (diacritics optional)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_units)

    p = sub.add_parser("procedures", parents=[common], help="list the procedure catalogue")
    p.add_argument("--search", help="text to find in names or codes (diacritics optional)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_procedures)
