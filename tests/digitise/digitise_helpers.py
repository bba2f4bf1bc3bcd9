"""Helpers shared by the digitising tests."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from app.cli.main import main
from app.models.db import Store
from app.services import dossiers as dsvc
from app.services.audit import Actor

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
#: Every paper of 1.001193's checklist handed in, one copy each (only the papers named are recorded).
ALL_PAPERS = [(n, 1) for n in range(1, 8)]


def receive(store: Store) -> str:
    """A dossier of the birth-registration procedure (seven papers in its checklist); its code."""
    r = dsvc.receive(
        store,
        ACTOR,
        dsvc.ReceiveRequest(
            "1.001193",
            dsvc.ApplicantInput(full_name="Đặng Văn Hùng", address="Phường Bắc Giang"),
            paper_numbers=ALL_PAPERS,
        ),
    )
    return r.code


def page_image(n: int) -> Image.Image:
    """A small grey page numbered ``n``, told apart from the others by its text and a bar of its own
    width and shade (what a scanner double hands over)."""
    img = Image.new("L", (240, 340), 255)
    draw = ImageDraw.Draw(img)
    draw.text((20, 20 + 10 * n), f"Trang {n}", fill=0)
    draw.rectangle((20, 200, 60 + 30 * n, 220), fill=40 * n)
    return img


def run_cli(data_dir: Path, *argv: str) -> tuple[int, str, str]:
    """``motcua-desk *argv --data-dir data_dir`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--data-dir", str(data_dir)], out=out, err=err)
    return code, out.getvalue(), err.getvalue()
