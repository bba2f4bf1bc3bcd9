"""The reference look-ups behind the command line (``units``, ``procedures``, ``due``), the database
check and one dossier as recorded: plain records, no ORM objects."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.errors import DomainError
from app.models.db import Store
from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.desk import read_desk
from app.services.health import check_database
from app.services.units import due_date, look_up_unit, search_catalogue, search_communes


def test_a_current_commune_and_what_it_was_formed_from(store: Store) -> None:
    (record,) = [r for r in look_up_unit(store, "07210") if r.unit.current]
    assert (record.unit.name, record.unit.province_code, record.unit.valid_from) == (
        "Phường Bắc Giang",
        "24",
        date(2025, 7, 1),
    )
    assert "07213" in [x.unit.code for x in record.formed_from]
    assert all(not x.unit.current and x.note for x in record.formed_from)


def test_a_former_commune_and_its_successor(store: Store) -> None:
    (record,) = look_up_unit(store, "07213")
    assert not record.unit.current and record.unit.valid_to == date(2025, 6, 30)
    assert [(n.unit.code, n.unit.name) for n in record.successors] == [("07210", "Phường Bắc Giang")]


def test_a_province_lists_its_communes_and_an_unknown_code_nothing(store: Store) -> None:
    (record,) = look_up_unit(store, "24")
    assert record.unit.level == "province" and len(record.members) == 99
    assert all(m.level == "commune" and m.current for m in record.members)
    assert look_up_unit(store, "99999") == []


def test_communes_found_without_diacritics(store: Store) -> None:
    found = search_communes(store, "bac giang")
    assert ("07210", "Phường Bắc Giang") in [(u.code, u.name) for u in found]
    assert all(u.current and u.level == "commune" for u in found)


def test_catalogue_search_and_total(store: Store) -> None:
    everything = search_catalogue(store)
    assert everything.total == len(everything.entries) == 48
    found = search_catalogue(store, "khai sinh")
    assert found.entries and all("khai sinh" in e.name.lower() for e in found.entries)
    assert found.total == 48
    assert search_catalogue(store, "").entries == everything.entries


def test_due_date_and_unknown_procedure(store: Store) -> None:
    due = due_date(store, "1.001193", datetime(2026, 2, 13, 16, 0))
    assert due.due_at == datetime(2026, 2, 23, 17, 0)  # after 15:00 on the Friday before the Tết break
    with pytest.raises(DomainError) as caught:
        due_date(store, "nope", datetime(2026, 2, 13, 16, 0))
    assert caught.value.problems[0].code == "procedure.unknown"


def test_database_check_of_a_sound_store(store: Store) -> None:
    report = check_database(store)
    assert report.ok and report.integrity == () and report.audit.ok


def test_dossier_record(store: Store) -> None:
    applicant = svc.ApplicantInput(full_name="Đặng Văn Hùng", personal_id="024090012345", phone="0912345678")
    req = svc.ReceiveRequest(
        "1.001193", applicant, received_at=datetime(2026, 11, 30, 9, 0), paper_numbers=[(1, 1), (6, 1)]
    )
    code = svc.receive(store, Actor("Nguyễn Thị Minh Anh", read_desk(store).workstation_name), req).code
    d = svc.dossier_record(store, code)
    assert (d.code, d.procedure_code, d.applicant.full_name, d.applicant.personal_id) == (
        code,
        "1.001193",
        "Đặng Văn Hùng",
        "024090012345",
    )
    assert [(e.seq, e.action, e.workstation_name) for e in d.events] == [(1, "receive", "Quầy 1")]
    assert [p["name"] for p in d.papers][0] == "Tờ khai đăng ký khai sinh" and len(d.papers) == 2
    assert all({"name", "form", "count"} <= set(p) for p in d.papers)
    with pytest.raises(DomainError):
        svc.dossier_record(store, "no-such-dossier")
