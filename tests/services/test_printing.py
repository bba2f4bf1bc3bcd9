"""Printing dossiers: the forms carry the dossier's data, reprints are marked copies, all archived."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.domain.errors import DomainError
from app.domain.text import nfc
from app.models import AuditEntry
from app.models.db import Store
from app.services import dossiers as svc
from app.services import printing
from app.services.audit import Actor

ACTOR = Actor("Nguyễn Thị Minh Anh", "Quầy 1")
AT = datetime(2026, 11, 30, 9, 15)


def text_of(pdf: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces folded (narrow columns wrap words)."""
    return " ".join(nfc("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)).split())


def squashed(pdf: bytes) -> str:
    """The text without any white space: a code wrapped inside a narrow table cell is found whole."""
    return "".join(text_of(pdf).split())


def received(store: Store) -> svc.ReceiveResult:
    return svc.receive(
        store,
        ACTOR,
        svc.ReceiveRequest(
            "1.004873",
            svc.ApplicantInput(
                full_name="Đặng Thị Hoa",
                personal_id="024190012345",
                birth_date="01/02/1990",
                gender="Nữ",
                phone="0912345678",
                address="Tổ 5, Phường Trần Phú, TP Bắc Giang, Tỉnh Bắc Giang",
            ),
            received_at=AT,
        ),
    )


def test_receipt_has_the_dossier_fields(store: Store) -> None:
    r = received(store)
    printed = printing.print_dossier_form(store, ACTOR, r.code, "receipt")
    assert not printed.is_copy
    text = text_of(printed.pdf)
    for expected in (
        r.code,
        "Đặng Thị Hoa",
        "024190012345",
        "0912345678",
        "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "Trung tâm Phục vụ hành chính công",
        "09 giờ 15 phút, ngày 30 tháng 11 năm 2026",
        "09 giờ 15 phút, ngày 03 tháng 12 năm 2026",
        "Liên 1",
        "Liên 2",
        "3 ngày làm việc",
    ):
        assert expected in text, expected
    assert "BẢN SAO" not in text


def test_reprint_is_marked_and_audited(store: Store) -> None:
    r = received(store)
    first = printing.print_dossier_form(store, ACTOR, r.code, "receipt")
    again = printing.print_dossier_form(store, ACTOR, r.code, "receipt")
    assert again.is_copy and "BẢN SAO" in text_of(again.pdf)
    archive = printing.archived(store, r.code)
    assert [(f, c) for f, _, c, _ in archive] == [("receipt", False), ("receipt", True)]
    with store.read() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["audit.keyed", "dossier.receive", "print", "print.reprint"]  # keyed: issue 16, D10
    assert first.document_id != again.document_id


def test_supplement_apology_stop_control(store: Store) -> None:
    r = received(store)
    svc.perform(
        store,
        ACTOR,
        r.code,
        "request_supplement",
        reason="Hồ sơ thiếu giấy tờ",
        extra={"missing": [{"name": "Bản sao trích lục khai tử của vợ/chồng", "reason": "Đã kết hôn"}]},
        at=datetime(2026, 11, 30, 10, 0),
    )
    text = text_of(printing.print_dossier_form(store, ACTOR, r.code, "supplement").pdf)
    assert "Bản sao trích lục khai tử của vợ/chồng" in text and r.code in text
    svc.perform(store, ACTOR, r.code, "supplement_received", at=datetime(2026, 12, 1, 8, 0))
    svc.perform(
        store,
        ACTOR,
        r.code,
        "apologise",
        reason="Cần xác minh tại nơi cư trú trước",
        new_due_at=datetime(2026, 12, 10, 17, 0),
        at=datetime(2026, 12, 3, 9, 0),
    )
    text = text_of(printing.print_dossier_form(store, ACTOR, r.code, "apology").pdf)
    assert "Cần xác minh tại nơi cư trú trước" in text and "10 tháng 12 năm 2026" in text
    svc.perform(store, ACTOR, r.code, "stop", reason="Người nộp đề nghị dừng", at=datetime(2026, 12, 4, 9, 0))
    assert "Người nộp đề nghị dừng" in text_of(printing.print_dossier_form(store, ACTOR, r.code, "stop").pdf)
    assert r.code in text_of(printing.print_dossier_form(store, ACTOR, r.code, "control").pdf)


def test_refusal_slip(store: Store) -> None:
    dossier_id = svc.refuse_intake(
        store,
        ACTOR,
        svc.ReceiveRequest("1.001193", svc.ApplicantInput(full_name="Lê Văn Tám")),
        "Thủ tục thuộc thẩm quyền của xã khác",
    )
    text = text_of(printing.print_dossier_form(store, ACTOR, dossier_id, "refusal").pdf)
    assert "Lê Văn Tám" in text and "Thủ tục thuộc thẩm quyền của xã khác" in text
    with pytest.raises(DomainError):
        printing.print_dossier_form(store, ACTOR, dossier_id, "receipt")


def test_form_without_its_step_is_explained(store: Store) -> None:
    r = received(store)
    with pytest.raises(DomainError) as err:
        printing.print_dossier_form(store, ACTOR, r.code, "apology")
    assert "chưa in được" in err.value.problems[0].vi


def test_logbook_and_catalogue(store: Store) -> None:
    r = received(store)
    pdf = printing.logbook(store, date(2026, 11, 1), date(2026, 11, 30))
    assert r.code in squashed(pdf) and "Đặng Thị Hoa" in text_of(pdf)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(printing.logbook(store, date(2026, 11, 1), date(2026, 11, 30), "xlsx")))
    cells = [str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert r.code in cells
    assert "Thủ tục đăng ký khai sinh" in text_of(printing.catalogue(store))


def test_print_command_in_a_fresh_process(data_dir: Path, tmp_path: Path) -> None:
    """The CLI prints an 80 mm slip first thing in a new interpreter (fonts registered on first use)."""
    exe = Path(sys.executable).parent / "motcua-desk"
    common = ["--data-dir", str(data_dir)]
    code = (
        subprocess.run(
            [str(exe), "receive", "--procedure", "1.001193", "--name", "Ngô Thị Lan", *common],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.split("\n")[0]
        .split(": ")[1]
    )
    out = tmp_path / "slip.pdf"
    proc = subprocess.run(
        [str(exe), "print", "receipt-80mm", code, "--out", str(out), *common],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert code in text_of(out.read_bytes())


def test_logbook_numbering_setting(store: Store) -> None:
    """Mẫu 01's book and entry number: the year and the place in the year by default; blank with "none"."""
    from app.services.settings import load_settings, save_settings

    r = received(store)
    year = r.received_at.year
    text = " ".join(text_of(printing.print_dossier_form(store, ACTOR, r.code, "receipt").pdf).split())
    assert f"Quyển số: {year}, Số thứ tự: 1" in text
    save_settings(store, ACTOR, replace(load_settings(store), logbook_numbering="none"))
    text = " ".join(text_of(printing.print_dossier_form(store, ACTOR, r.code, "receipt").pdf).split())
    assert "Quyển số: ......, Số thứ tự: ......" in text
    with pytest.raises(DomainError):
        save_settings(store, ACTOR, replace(load_settings(store), logbook_numbering="month"))
