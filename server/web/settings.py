"""Each centre's look-up address: a server setting that the desks pull through the change feed.

``public-url`` sets the centres' ``lookup_url`` to ``<this server's public address>/tra-cuu`` (the page
of :mod:`server.web.routes`) and appends one ``centre`` change per centre changed; a desk applies it to its
centre row (``app.sync.engine``), and the receipts it prints from then on encode that address in their QR
code. Also sets the opening hours shown on the centres' public pages.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from app.contract import CentreInfo
from app.domain.errors import Problem
from server.admin import AdminError, now_utc
from server.db import Database
from server.models import Centre
from server.sync import append_change

LOOKUP_PATH = "/tra-cuu"


def centre_info(c: Centre) -> CentreInfo:
    return CentreInfo(
        eid=c.eid,
        name=c.name,
        kind=c.kind,  # type: ignore[arg-type]
        unit_code=c.unit_code,
        province_code=c.province_code,
        parent_name=c.parent_name,
        place_name=c.place_name,
        address=c.address,
        hotline=c.hotline,
        lookup_url=c.lookup_url,
    )


def lookup_base(public_url: str) -> str:
    """``http(s)://host[:port][/prefix]`` → the look-up page's address; refuses anything else."""
    url = public_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise AdminError(
            Problem(
                "admin.public_url",
                f"Địa chỉ công khai «{public_url}» không hợp lệ: cần dạng https://tên-máy[:cổng][/đường-dẫn].",
                f"The public address {public_url!r} is invalid: use https://host[:port][/path].",
            )
        )
    return url + LOOKUP_PATH


def set_public_url(
    db: Database, public_url: str, eids: list[str] | None = None, opening_hours: str | None = None
) -> list[str]:
    """Point the centres (all, or ``eids``) at this server's look-up page; returns the e-IDs changed."""
    lookup = lookup_base(public_url)
    now = now_utc()
    changed: list[str] = []
    with db.write() as s:
        query = select(Centre).order_by(Centre.eid)
        if eids:
            query = query.where(Centre.eid.in_(eids))
        rows = list(s.scalars(query))
        missing = sorted(set(eids or []) - {c.eid for c in rows})
        if missing:
            raise AdminError(
                Problem(
                    "admin.centre_unknown",
                    f"Không có trung tâm mã định danh {', '.join(missing)}.",
                    f"No centre has e-ID {', '.join(missing)}.",
                )
            )
        for c in rows:
            hours_changed = opening_hours is not None and c.opening_hours != opening_hours
            if hours_changed and opening_hours is not None:
                c.opening_hours = opening_hours
            if c.lookup_url != lookup:
                c.lookup_url = lookup
                changed.append(c.eid)
            elif hours_changed:
                changed.append(c.eid)
        s.flush()
        for c in rows:
            if c.eid in changed:
                append_change(s, "centre", centre_info(c).model_dump(mode="json"), now)
    return changed
