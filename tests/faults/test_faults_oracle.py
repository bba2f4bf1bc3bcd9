"""The harness's own checks can fail: each kind of damage a crash could leave is reported by
``store_problems`` (a checker that never fails would make every fault test pass)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from faults.harness import raw_connect, read_ledger, store_problems

from app.models.db import Store
from app.paths import database_path
from app.services import dossiers as svc
from app.services import printing
from app.services.audit import Actor

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")

DAMAGE: dict[str, tuple[str, str]] = {
    # name: (SQL run on the damaged store, words expected in the report)
    "outbox row lost": ("DELETE FROM outbox", "without outbox entry"),
    "event lost": (
        "DELETE FROM dossier_events WHERE action = 'result_ready'",
        "outbox entry without its event",
    ),
    "receipt audit lost": (
        "DELETE FROM audit_entries WHERE action = 'dossier.receive'; "
        "UPDATE settings SET value = (SELECT json_quote(hash) FROM audit_entries ORDER BY id DESC LIMIT 1) "
        "WHERE key = 'audit.head'",
        "receipt without audit entry",
    ),
    "audit entry edited": ("UPDATE audit_entries SET operator_name = 'X' WHERE id = 1", "audit chain"),
    "archived PDF lost": ("DELETE FROM printed_documents", "print audit entry without printed document"),
    "PDF cut short": ("UPDATE printed_documents SET pdf = substr(pdf, 1, 1000)", "not a whole PDF"),
    "search row lost": ("DELETE FROM dossier_search", "missing from the search index"),
    "lease counter rolled back": ("UPDATE number_leases SET next_number = first_number", "lease counter"),
}


@pytest.fixture
def damaged(store: Store, data_dir: Path) -> Callable[[str], list[str]]:
    code = svc.receive(
        store,
        ACTOR,
        svc.ReceiveRequest("2.000815", svc.ApplicantInput(full_name="Lê Văn An"), pages=1, copies=1),
    )
    svc.perform(store, ACTOR, code.code, "result_ready")
    pdf = printing.print_dossier_form(store, ACTOR, code.code, "receipt").pdf
    store.dispose()
    db = database_path(data_dir)
    printed = [(code.code, hashlib.sha256(pdf).hexdigest())]
    assert store_problems(db, received=[code.code], printed=printed, hashes=True) == []

    def damage(sql: str) -> list[str]:
        con = raw_connect(db)
        try:
            con.executescript(sql)
            con.commit()
        finally:
            con.close()
        return store_problems(db, received=[code.code], printed=printed, hashes=True)

    return damage


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damage_is_reported(damaged: Callable[[str], list[str]], name: str) -> None:
    sql, words = DAMAGE[name]
    problems = damaged(sql)
    assert any(words in p for p in problems), problems


def test_missing_dossier_reported_by_the_ledger(store: Store, data_dir: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.txt"
    ledger.write_text(
        "0 open>\n0 ready\n0 receive>\n0 received 000.10.24.H06-260101-0042\n0 print> x\n", encoding="utf-8"
    )
    report = read_ledger(ledger)[0]
    assert report.received == ["000.10.24.H06-260101-0042"] and report.killed_in == "print"
    store.dispose()
    problems = store_problems(database_path(data_dir), received=report.received)
    assert any("not in the store" in p for p in problems)
