"""The desk's lists, the instant search as rows, one dossier in detail, drafts and desk settings."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.errors import DomainError
from app.domain.status import Action
from app.models.db import Store
from app.services import desk_lists as dl
from app.services import dossiers as svc
from app.services.audit import Actor
from app.services.drafts import INTAKE, clear_draft, load_draft, save_draft
from app.services.settings import DeskSettings, load_settings, save_settings

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
MONDAY = datetime(2026, 11, 30, 9, 15)
BAC_GIANG_OLD = "Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang"


def receive(store: Store, code: str, at: datetime, name: str = "Đặng Văn Hùng", **kw: object) -> str:
    applicant = svc.ApplicantInput(
        full_name=name,
        personal_id="024090012345",
        birth_date="01/02/1990",
        gender="Nam",
        phone="0912345678",
        address=str(kw.pop("address", BAC_GIANG_OLD)),
    )
    r = svc.receive(store, ACTOR, svc.ReceiveRequest(code, applicant, received_at=at, **kw))  # type: ignore[arg-type]
    return r.code


def test_summary_and_catalogue(store: Store) -> None:
    s = dl.desk_summary(store)
    assert s.centre_name == "Trung tâm Phục vụ hành chính công phường Bắc Giang"
    assert s.unit_label == "Phường Bắc Giang, Tỉnh Bắc Ninh"
    assert (s.workstation_name, s.workstation_slot, s.procedures) == ("Quầy 1", 0, 48)
    procs = dl.catalogue(store)
    assert len(procs) == 48
    first = procs[0]
    assert first.code == "1.001193" and "khai sinh" in first.folded and len(first.papers) == 7


def test_lists_colour_and_count(store: Store) -> None:
    same_day = receive(store, "1.001193", MONDAY)  # due Monday 17:00
    three_days = receive(store, "1.004873", MONDAY, name="Lê Thị Hoa")  # due 3 working days later
    old = receive(store, "1.004873", MONDAY - timedelta(days=14), name="Trần Văn Nam")  # overdue
    waiting = receive(store, "1.004873", MONDAY - timedelta(days=1), name="Phạm Thu")
    svc.perform(store, ACTOR, waiting, Action.REQUEST_SUPPLEMENT, reason="Thiếu tờ khai", at=MONDAY)
    ready = receive(store, "2.000908", MONDAY - timedelta(days=1), name="Vũ Minh")
    svc.perform(store, ACTOR, ready, Action.RESULT_READY, at=MONDAY)
    land = receive(store, "1.013831", MONDAY, name="Hoàng Đất")  # province level: scenario b
    now = MONDAY + timedelta(hours=1)

    def codes(kind: str) -> list[str | None]:
        return [r.code for r in dl.desk_list(store, kind, now=now)]

    assert set(codes("today")) == {same_day, three_days, land}
    assert codes("overdue") == [old]
    assert same_day in codes("due_soon") and three_days not in codes("due_soon")
    assert codes("supplement") == [waiting]
    assert codes("results") == [ready]
    assert codes("forwarded_out") == []  # routed to the province, not forwarded yet
    assert codes("to_forward") == [land]
    assert codes("forwarded_in") == []
    svc.perform(store, ACTOR, land, Action.FORWARD, at=MONDAY)
    assert codes("forwarded_out") == [land] and codes("to_forward") == []
    rows = {r.code: r for r in dl.desk_list(store, "today", now=now)}
    assert rows[same_day].urgency == "due_soon" and rows[three_days].urgency == ""
    assert dl.desk_list(store, "overdue", now=now)[0].urgency == "overdue"
    counts = dl.desk_counts(store, now=now)
    assert counts["today"] == 3 and counts["overdue"] == 1 and counts["results"] == 1
    with pytest.raises(ValueError):
        dl.desk_list(store, "nonsense")


def test_search_rows_and_pending_count(store: Store) -> None:
    code = receive(store, "1.001193", MONDAY)
    assert dl.pending_sync_count(store) == 1
    for query in ("dang van", "024090012345", "0912345678", code):
        rows = dl.find_rows(store, query, now=MONDAY)
        assert [r.code for r in rows] == [code], query
    assert dl.find_rows(store, "khong co ai", now=MONDAY) == []


def test_detail(store: Store) -> None:
    applicant = svc.ApplicantInput(
        full_name="Đặng Văn Hùng", personal_id="024090012345", address=BAC_GIANG_OLD
    )
    papers = [svc.PaperInput("Tờ khai đăng ký khai sinh", "original", 1)]
    r = svc.receive(
        store, ACTOR, svc.ReceiveRequest("1.001193", applicant, papers=papers, received_at=MONDAY)
    )
    d = dl.dossier_detail(store, r.code, now=MONDAY)
    assert d.code == r.code and d.status == "received" and d.applicant_name == "Đặng Văn Hùng"
    assert [p.name for p in d.papers] == ["Tờ khai đăng ký khai sinh"]
    assert len(d.papers_missing) == 6
    assert d.scenario == "a" and d.competent_agency == d.handling_agency
    assert [e.action for e in d.events] == ["receive"] and d.events[0].operator_name == ACTOR.operator
    assert d.printed_forms == ()
    with pytest.raises(DomainError):
        dl.dossier_detail(store, "nope")
    assert {a.agency_eid for a in dl.agencies(store)} == {"000.11.24.H06", "000.00.15.H06"}


def test_drafts(store: Store) -> None:
    assert load_draft(store, INTAKE) is None
    save_draft(store, INTAKE, {"full_name": "Đặng Văn Hùng", "papers": [0, 1]})
    assert load_draft(store, INTAKE) == {"full_name": "Đặng Văn Hùng", "papers": [0, 1]}
    clear_draft(store, INTAKE)
    assert load_draft(store, INTAKE) is None
    with pytest.raises(DomainError):
        save_draft(store, "audit.head", {})


def test_settings(store: Store) -> None:
    s = load_settings(store)
    assert s == DeskSettings(workstation_name="Quầy 1", workstation_slot=0)
    new = DeskSettings("Quầy 2", 3, "https://motcua.example.vn/", "receipt-80mm", "", "en", 12)
    saved = save_settings(store, ACTOR, new)
    assert saved.server_url == "https://motcua.example.vn"
    assert load_settings(store) == saved
    with pytest.raises(DomainError) as info:
        save_settings(store, ACTOR, DeskSettings("", 99, "ftp://x", "a5", "", "fr", 3))
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "workstation_name",
        "workstation_slot",
        "server_url",
        "receipt_format",
        "language",
        "font_size",
    }
    assert load_settings(store) == saved  # nothing half-written
