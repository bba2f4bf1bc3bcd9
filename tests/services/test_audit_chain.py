"""The keyed audit chain (issue 16, item 9, D10): every tamper edit of the probe is found by ``db check``.

Each edit is made as the probe made it: with ``sqlite3`` on the closed store (and, for the recomputed
chain, with this module's own hashing code, but not the key held in the OS keyring)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from auditkit import ENTRY_COLUMNS, make_unkeyed
from keyed import connect_raw
from sqlalchemy import select

from app.bootstrap import open_store
from app.cli.main import main
from app.models import AuditEntry
from app.services import audit
from app.services import dossiers as svc
from app.services.audit import Actor
from tools.memory_keyring import MemoryKeyring

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
MONDAY = datetime(2026, 11, 30, 9, 15)
NAMES = ("Hùng", "Minh", "Lan", "Tuấn", "Hoa")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def check(data_dir: Path, lang: str = "en") -> tuple[int, str]:
    code, out, err = run("db", "check", "--data-dir", str(data_dir), "--lang", lang)
    return code, out + err


def _applicant(name: str, pid: str) -> svc.ApplicantInput:
    return svc.ApplicantInput(
        full_name=name,
        personal_id=pid,
        birth_date="01/02/1990",
        phone="0912345678",
        address="Phường Bắc Giang",
    )


def filled(data_dir: Path, n: int = 4) -> list[str]:
    """``n`` dossiers received (one of them then processed), the store closed; their codes."""
    store = open_store(data_dir)
    try:
        codes = []
        for i in range(n):
            r = svc.receive(
                store,
                ACTOR,
                svc.ReceiveRequest(
                    "1.001193",
                    _applicant(f"Đặng Văn {NAMES[i]}", f"02409001234{i}"),
                    received_at=MONDAY + timedelta(minutes=i),
                ),
            )
            codes.append(r.code)
        svc.perform(store, ACTOR, codes[0], "start_processing", at=MONDAY + timedelta(hours=1))
    finally:
        store.dispose()
    return codes


def sql(data_dir: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    con = connect_raw(data_dir)
    try:
        for st in statements:
            con.execute(st, params if "?" in st else ())
        con.commit()
    finally:
        con.close()


def test_an_untouched_store_checks_ok(data_dir: Path) -> None:
    filled(data_dir)
    code, out = check(data_dir)
    assert code == 0, out
    assert out.strip() == "OK"
    assert check(data_dir, "vi") == (0, "OK\n")


def test_an_audit_row_edited_in_place_is_found(data_dir: Path) -> None:
    filled(data_dir)
    sql(data_dir, "UPDATE audit_entries SET operator_name = 'Kẻ giả mạo' WHERE action = 'dossier.receive'")
    code, out = check(data_dir)
    assert code == 1 and "PROBLEMS" in out and "does not match its MAC" in out


def test_the_last_entry_deleted_and_the_head_moved_is_found(data_dir: Path) -> None:
    filled(data_dir)
    con = connect_raw(data_dir)
    last_id, prev = con.execute("SELECT id, prev_hash FROM audit_entries ORDER BY id DESC LIMIT 1").fetchone()
    count = con.execute("SELECT count(*) FROM audit_entries").fetchone()[0]
    con.execute("DELETE FROM audit_entries WHERE id = ?", (last_id,))
    con.execute("UPDATE settings SET value = ? WHERE key = 'audit.head'", (json.dumps([count - 1, prev]),))
    con.commit()
    con.close()
    code, out = check(data_dir)
    # The deleted entry recorded the processed dossier's new state: the row no longer matches the chain.
    assert code == 1 and "changed outside the app" in out, out


def test_a_chain_recomputed_without_the_key_is_found(data_dir: Path) -> None:
    """The probe's 20 lines: edit an entry, then recompute every link with the app's own hash function."""
    filled(data_dir)
    con = connect_raw(data_dir)
    con.execute("UPDATE audit_entries SET operator_name = 'Kẻ giả mạo' WHERE action = 'dossier.receive'")
    prev = audit.GENESIS
    rows = con.execute(f"SELECT {ENTRY_COLUMNS} FROM audit_entries ORDER BY id").fetchall()
    n = 0
    for ident, at, op, ws, action, entity, entity_id, details in rows:
        n += 1
        digest = audit._entry_hash(
            prev, datetime.fromisoformat(at), Actor(op, ws), action, entity, entity_id, json.loads(details)
        )
        con.execute("UPDATE audit_entries SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, ident))
        prev = digest
    con.execute("UPDATE settings SET value = ? WHERE key = 'audit.head'", (json.dumps([n, prev]),))
    con.commit()
    con.close()
    code, out = check(data_dir)
    assert code == 1 and "PROBLEMS" in out and "MAC" in out, out


def test_a_chain_rewritten_without_its_keyed_part_is_found(data_dir: Path) -> None:
    """Dropping the marker and recomputing everything unkeyed: this folder's store is known to be keyed."""
    filled(data_dir)
    con = connect_raw(data_dir)
    con.execute("DELETE FROM audit_entries WHERE action = 'audit.keyed'")
    prev, n = audit.GENESIS, 0
    for ident, at, op, ws, action, entity, entity_id, details in con.execute(
        f"SELECT {ENTRY_COLUMNS} FROM audit_entries ORDER BY id"
    ).fetchall():
        n += 1
        digest = audit._entry_hash(
            prev, datetime.fromisoformat(at), Actor(op, ws), action, entity, entity_id, json.loads(details)
        )
        con.execute("UPDATE audit_entries SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, ident))
        prev = digest
    con.execute("UPDATE settings SET value = ? WHERE key = 'audit.head'", (json.dumps([n, prev]),))
    con.commit()
    con.close()
    store = open_store(data_dir)  # the next start must not quietly key the rewritten chain afresh
    store.dispose()
    code, out = check(data_dir)
    assert code == 1 and "PROBLEMS" in out, out


@pytest.mark.parametrize(
    ("statement", "what"),
    [
        ("UPDATE dossiers SET status = 'returned' WHERE code = ?", "dossier"),
        ("UPDATE dossiers SET received_at = '2026-11-01 08:00:00.000000' WHERE code = ?", "dossier"),
        (
            "UPDATE applicants SET full_name = 'Nguyễn Văn Khác' "
            "WHERE id = (SELECT applicant_id FROM dossiers WHERE code = ?)",
            "applicant",
        ),
    ],
)
def test_a_direct_edit_of_a_dossier_or_applicant_is_found(data_dir: Path, statement: str, what: str) -> None:
    codes = filled(data_dir)
    sql(data_dir, statement, params=(codes[2],))
    code, out = check(data_dir)
    assert code == 1 and f"{what} row(s) changed outside the app" in out, out
    code, out = check(data_dir, "vi")  # the operator's language
    assert code == 1 and "CÓ LỖI" in out and "bị sửa ngoài ứng dụng" in out, out
    if what == "dossier":
        assert codes[2] in out  # named by its code


def test_a_dossier_inserted_outside_the_app_is_found(data_dir: Path) -> None:
    codes = filled(data_dir)
    con = connect_raw(data_dir)
    cols = [r[1] for r in con.execute("PRAGMA table_info(dossiers)")]
    row = dict(
        zip(cols, con.execute("SELECT * FROM dossiers WHERE code = ?", (codes[1],)).fetchone(), strict=True)
    )
    row |= {"id": "00000000-0000-4000-8000-000000000001", "code": codes[1] + "9"}
    con.execute(
        f"INSERT INTO dossiers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", tuple(row.values())
    )
    con.commit()
    con.close()
    code, out = check(data_dir)
    assert code == 1 and "not recorded in the audit chain" in out and codes[1] + "9" in out, out


def test_a_deleted_outbox_row_never_pushed_is_found(data_dir: Path) -> None:
    filled(data_dir)
    con = connect_raw(data_dir)
    gone = [r[0] for r in con.execute("SELECT event_id FROM outbox WHERE state = 'pending' LIMIT 2")]
    con.execute("DELETE FROM outbox WHERE event_id IN (?, ?)", tuple(gone))
    con.commit()
    con.close()
    code, out = check(data_dir)
    assert code == 1 and "missing from the outbox" in out and all(g in out for g in gone), out


def forget_audit_keys(backend: MemoryKeyring) -> None:
    """Remove the audit chain's secrets from the test keyring (through the backend, which also keeps them
    in its file for the desk processes a test starts)."""
    for service, user in [k for k in backend.secrets if k[1].startswith("audit-")]:
        backend.delete_password(service, user)


def test_an_unkeyed_store_is_verified_once_then_continued_keyed(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """An existing store of the earlier version (unkeyed chain, rows not sealed): keyed at the next start,
    every row kept and sealed, the old part verified and still checked."""
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    store = open_store(data_dir, demo=True)
    store.dispose()
    codes = filled(data_dir, 3)
    # Make it what the earlier version left: entries chained by sha256 only, no marker, no seals.
    con = connect_raw(data_dir)
    make_unkeyed(con)
    dossiers = con.execute("SELECT count(*) FROM dossiers").fetchone()[0]
    con.close()
    forget_audit_keys(
        memory_keyring
    )  # the earlier version kept no key (the store key stays: issue 16 item 10)

    store = open_store(data_dir)
    try:
        with store.read() as s:
            markers = s.scalars(select(AuditEntry).where(AuditEntry.action == "audit.keyed")).all()
            assert len(markers) == 1
            assert markers[0].details["previous"]["ok"] is True, markers[0].details
            assert markers[0].details["previous"]["entries"] >= 4
        assert memory_keyring.get_password("motcua-desk", f"audit-key:{markers[0].details['key_id']}")
    finally:
        store.dispose()
    con = connect_raw(data_dir)
    assert con.execute("SELECT count(*) FROM dossiers").fetchone()[0] == dossiers
    con.close()
    code, out = check(data_dir)
    assert code == 0, out
    # An edit of the rows sealed at the upgrade is found like any other.
    sql(data_dir, "UPDATE dossiers SET status = 'returned' WHERE code = ?", params=(codes[1],))
    code, out = check(data_dir)
    assert code == 1 and codes[1] in out, out


def test_a_store_whose_key_is_lost_says_its_older_part_cannot_be_verified(
    data_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    filled(data_dir)
    forget_audit_keys(memory_keyring)
    code, out = check(data_dir)  # the start keys a new part; the older one is reported, not trusted
    assert code == 1 and "cannot be verified" in out, out


def test_receive_seals_without_extra_queries(data_dir: Path) -> None:
    """The digest recorded at intake is the row as stored (computed from the values in hand)."""
    codes = filled(data_dir, 1)
    store = open_store(data_dir)
    try:
        with store.read() as s:
            report = audit.verify(s, data_dir=data_dir)
            assert report.ok, report
            entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "dossier.receive"))
            assert entry is not None
            seal = entry.details["seal"]
            assert {k.split(":")[0] for k in seal["rows"]} == {"dossier", "applicant"}
            assert len(seal["outbox"]) == 1
        assert codes
    finally:
        store.dispose()
