"""``motcua-server report …``: the desk's 766 / 06a computation over the server's store (SQLite and
PostgreSQL), on dossiers pushed by a desk with chosen times.

Procedure 1.001193 (Hộ tịch), received 4/5/2026 08:30, promised 7/5/2026 08:30 (the snapshot's due date):
- d1: result 5/5 09:00 → early;
- d2: two supplement requests, result 6/5 → late (more than one request);
- d3: still open at the end of May → judged at 1/6 00:00: overdue.
Biểu II.06a for May: (3) 3 = (4) 0 + (5) 3 + (6) 0; (7) 2 = (8) 1 + (9) 0 + (10) 1; (11) 1 = (12) 0 + (13) 1.
2.1 = 1 / 3 for the receiving centre.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from srvkit import A, World, new_id, statuses

from app.contract import DossierSnapshot, Event, TransitionPayload
from app.domain.status import Action, Status
from server import admin
from server.cli import main


@pytest.fixture(autouse=True)
def _desks_enrolled_before_the_dossiers(world: World) -> None:
    """This module's dossiers are dated in the past (spring 2026): its desks were enrolled before them, as
    the server requires since issue 16 (work dated before a device's enrolment is refused)."""
    world.enrolled_at = datetime(2026, 1, 1)


def _t(day: int, hour: int) -> datetime:
    return datetime(2026, 5, day, hour, 0)


def push_may(world: World) -> list[DossierSnapshot]:
    """The three dossiers of the module docstring, pushed by a desk of centre A."""
    admin.import_catalogue(world.db)
    desk = world.desk(A)
    events: list[Event] = []
    snaps = [world.snapshot(A, code=desk.next_code(date(2026, 5, 4))) for _ in range(3)]
    for snap in snaps:
        snap.received_at = datetime(2026, 5, 4, 8, 30)
        snap.due_at = datetime(2026, 5, 7, 8, 30)
        events.append(world.received(desk, snap))

    def step(i: int, action: Action, frm: Status, to: Status, at: datetime) -> None:
        events.append(
            Event.transitioned(
                new_id(),
                snaps[i].id,
                TransitionPayload(action=action, from_status=frm, to_status=to, reason="x"),
                seq=desk.next_seq(snaps[i].id),
                occurred_at=at,
                operator="demo",
                workstation="Quầy 1",
            )
        )

    step(0, Action.RESULT_READY, Status.RECEIVED, Status.RESULT_READY, _t(5, 9))
    sup, got = Action.REQUEST_SUPPLEMENT, Action.SUPPLEMENT_RECEIVED
    step(1, sup, Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, _t(4, 9))
    step(1, got, Status.SUPPLEMENT_REQUESTED, Status.IN_PROCESS, _t(4, 10))
    step(1, sup, Status.IN_PROCESS, Status.SUPPLEMENT_REQUESTED, _t(5, 9))
    step(1, got, Status.SUPPLEMENT_REQUESTED, Status.IN_PROCESS, _t(5, 10))
    step(1, Action.RESULT_READY, Status.IN_PROCESS, Status.RESULT_READY, _t(6, 9))
    r = desk.client.push(events)
    assert statuses(r.results) == ["accepted"] * len(events), r.results
    return snaps


def test_reports_over_the_server_store(world: World) -> None:
    snaps = push_may(world)

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = main(["report", *argv, "--db", world.live.db_url], out=out)
        return code, out.getvalue()

    code, out = run("06a", "--from", "2026-05-01", "--to", "2026-05-31", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [rows[-1]["columns"][str(c)] for c in range(3, 14)] == [3, 0, 3, 0, 2, 1, 0, 1, 1, 0, 1]
    assert rows[0]["field"] == "Hộ tịch"
    assert rows[-1]["codes"]["10"] == [snaps[1].code]

    code, out = run("766", "--from", "2026-05-01", "--to", "2026-05-31", "--json")
    assert code == 0
    (group,) = json.loads(out)["groups"]
    assert group["group"] == world.names[A]
    on_time = group["indicators"]["2.1"]
    assert (on_time["numerator"], on_time["denominator"]) == (1, 3)
    assert on_time["numerator_codes"] == [snaps[0].code]
    assert group["indicators"]["3.6"]["value"] is None  # no payment data on the server either

    code, out = run("766", "--from", "2026-05-31", "--to", "2026-05-01")
    assert code == 1
    code, out = run("at-risk", "--hours", "8", "--json")
    assert code == 0 and json.loads(out)["dossiers"] == []  # all of May's dossiers are long overdue or closed


def test_dashboard_behind_an_admin_login(world: World) -> None:
    snaps = push_may(world)
    admin.add_operator(world.db, A, "tinh.admin", "Quản trị tỉnh", "mật-khẩu-dài-1", role="admin")
    admin.add_operator(world.db, A, "quay1", "Cán bộ quầy", "mật-khẩu-dài-2")
    base = world.live.url + "/dashboard"
    q = {"from": "2026-05-01", "to": "2026-05-31"}
    with httpx.Client(timeout=30) as http:
        assert http.get(base, params=q).status_code == 401
        assert http.get(base, params=q, auth=("quay1", "mật-khẩu-dài-2")).status_code == 401  # not an admin
        assert http.get(base, params=q, auth=("tinh.admin", "sai")).status_code == 401
        auth = ("tinh.admin", "mật-khẩu-dài-1")
        page = http.get(base, params=q, auth=auth)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<svg" in page.text and world.names[A] in page.text
        assert "33.3 %" in page.text  # 2.1 = 1/3
        late = http.get(base + "/drill-06a", params={**q, "field": "Hộ tịch", "column": "10"}, auth=auth)
        assert late.status_code == 200 and snaps[1].code in late.text and snaps[0].code not in late.text
        num = http.get(
            base + "/drill",
            params={**q, "centre": world.names[A], "indicator": "2.1", "part": "numerator"},
            auth=auth,
        )
        assert num.status_code == 200 and snaps[0].code in num.text and snaps[1].code not in num.text
        csv_text = http.get(base + "/export.csv", params=q, auth=auth)
        assert csv_text.status_code == 200 and csv_text.text.lstrip("\ufeff").startswith("Trung tâm,")
        assert "33.33" in csv_text.text
        assert http.get(base, params={"from": "2026-13-01"}, auth=auth).status_code == 422
        assert http.get(base, params={"from": "2026-05-31", "to": "2026-05-01"}, auth=auth).status_code == 422
        assert http.get(base + "/drill", params={**q, "indicator": "9.9"}, auth=auth).status_code == 422


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    return [[c.value for c in row] for row in ws.iter_rows(max_col=13)]


def _pdf_text(data: bytes) -> str:
    import pypdf

    return " ".join(
        " ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages
    )


MAY_TOTALS = [3, 0, 3, 0, 2, 1, 0, 1, 1, 0, 1]


def test_06a_exported_as_xlsx_and_pdf(world: World, tmp_path: Path) -> None:
    """``report 06a --out`` and the dashboard's downloads: the desk's form writer over the province's
    figures, read back with openpyxl and by PDF text extraction."""
    push_may(world)

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = main(
            ["report", "06a", "--from", "2026-05-01", "--to", "2026-05-31", *argv, "--db", world.live.db_url],
            out=out,
        )
        return code, out.getvalue()

    code, _ = run("--out", str(tmp_path / "p.xlsx"), "--agency", "Văn phòng UBND tỉnh Thử")
    assert code == 0
    rows = _xlsx_rows((tmp_path / "p.xlsx").read_bytes())
    assert rows[1][0] == "VĂN PHÒNG UBND TỈNH THỬ"  # the header: --agency
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[2:] == MAY_TOTALS
    assert next(r for r in rows if r[1] == "Hộ tịch")[2:] == MAY_TOTALS
    assert any(r[10] == "Biểu II.06a/VPCP/KSTT" for r in rows)
    code, _ = run("--out", str(tmp_path / "p.pdf"))
    assert code == 0
    text = _pdf_text((tmp_path / "p.pdf").read_bytes())
    assert "Biểu II.06a/VPCP/KSTT" in text and "Hộ tịch" in text
    assert "Kỳ báo cáo: từ ngày 01/05/2026 đến ngày 31/05/2026" in text
    assert "Tổng cộng " + " ".join(map(str, MAY_TOTALS)) in text
    code, _ = run("--out", str(tmp_path / "p.doc"))
    assert code == 1 and not (tmp_path / "p.doc").exists()
    code, _ = run("--out", str(tmp_path / "missing" / "p.pdf"))
    assert code == 2  # the environment's fault

    admin.add_operator(world.db, A, "tinh.admin", "Quản trị tỉnh", "mật-khẩu-dài-1", role="admin")
    base = world.live.url + "/dashboard"
    q = {"from": "2026-05-01", "to": "2026-05-31"}
    auth = ("tinh.admin", "mật-khẩu-dài-1")
    with httpx.Client(timeout=60) as http:
        assert http.get(base + "/bieu-06a.xlsx", params=q).status_code == 401
        page = http.get(base, params=q, auth=auth)
        assert "/dashboard/bieu-06a.xlsx?from=2026-05-01" in page.text
        got = http.get(base + "/bieu-06a.xlsx", params=q, auth=auth)
        assert got.status_code == 200 and got.headers["content-type"].startswith("application/vnd.openxml")
        assert "bieu-06a-20260501-20260531.xlsx" in got.headers["content-disposition"]
        assert next(r for r in _xlsx_rows(got.content) if r[1] == "Tổng cộng")[2:] == MAY_TOTALS
        got = http.get(base + "/bieu-06a.pdf", params=q, auth=auth)
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
        assert "Tổng cộng " + " ".join(map(str, MAY_TOTALS)) in _pdf_text(got.content)
        assert http.get(base + "/bieu-06a.doc", params=q, auth=auth).status_code == 422
