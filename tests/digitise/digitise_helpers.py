"""Helpers shared by the digitising tests."""

from __future__ import annotations

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
