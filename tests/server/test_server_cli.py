"""``motcua-server``: the admin commands, their output and their errors (stderr, exit code, no traceback)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from srvkit import A, LiveServer

from server import admin
from server.cli import main
from server.models import AdminUnit, CalendarDay, Centre, Device, Operator, Procedure


def run(server: LiveServer, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*args, "--db", server.db_url], out=out)
    return code, out.getvalue()


def test_setup_commands(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(server, "init") == (
        0,
        "Cơ sở dữ liệu đã ở phiên bản mới nhất.\n(The database is already up to date.)\n",
    )
    code, out = run(server, "import-units")
    assert code == 0 and "34 tỉnh/thành phố" in out
    code, out = run(
        server, "add-centre", "--eid", "000.12.24.H06", "--name", "X", "--kind", "commune_centre",
        "--unit-code", "07216", "--province-code", "24",
    )  # fmt: skip
    assert code == 1 and "Không có xã/phường mã 07216" in capsys.readouterr().err
    code, out = run(server, "add-demo")
    assert code == 0 and "centre 000.10.24.H06" in out and "operator demo" in out
    assert run(server, "add-demo")[1].startswith("Dữ liệu mẫu đã có sẵn.")
    code, out = run(server, "import-catalogue")
    assert (code, out.splitlines()[0]) == (0, "Danh mục: 48 thủ tục, 48 thủ tục mới hoặc thay đổi.")
    assert (
        run(server, "import-catalogue")[1].splitlines()[0]
        == "Danh mục: 48 thủ tục, 0 thủ tục mới hoặc thay đổi."
    )
    code, out = run(
        server,
        "add-centre",
        "--eid",
        "000.12.24.H06",
        "--name",
        "Trung tâm Phục vụ hành chính công xã Thử",
        "--kind",
        "commune_centre",
        "--unit-code",
        "07228",
        "--province-code",
        "24",
    )
    assert code == 0, capsys.readouterr().err
    code, out = run(
        server,
        "add-operator",
        "000.12.24.H06",
        "thu",
        "--full-name",
        "Phạm  Thu",
        "--password",
        "bí-mật-dài-số-1",
    )
    assert code == 0
    code, out = run(server, "holiday", "add", "2026-12-31", "off", "--note", "Nghỉ bù")
    assert code == 0 and "31/12/2026 là ngày nghỉ" in out
    code, out = run(server, "enrol-code", A, "--ttl-hours", "2")
    assert code == 0
    assert len(out.strip()) == 14 and out.count("-") == 2  # only the code on stdout, for scripts
    assert "hết hạn" in capsys.readouterr().err
    with server.db.read() as s:
        assert s.scalar(select(AdminUnit.name).where(AdminUnit.code == "07210")) == "Phường Bắc Giang"
        assert {c.eid for c in s.scalars(select(Centre))} == {
            A,
            "000.11.24.H06",
            "000.00.15.H06",
            "000.12.24.H06",
        }
        op = s.scalar(select(Operator).where(Operator.username == "thu"))
        assert op is not None and op.full_name == "Phạm Thu" and op.password_hash.startswith("$argon2id$")
        assert len(list(s.scalars(select(Procedure)))) == 48
        day = s.scalar(select(CalendarDay))
        assert day is not None and (day.kind, day.note) == ("off", "Nghỉ bù")


def test_status_and_revoke(server: LiveServer) -> None:
    from srvkit import World

    world = World(server)
    try:
        desk = world.desk(A, "Quầy 7")
        desk.client.changes(0, 10)
        code, out = run(server, "status")
        assert code == 0
        assert desk.device_id in out and "Quầy 7" in out and "[slot 0]" in out and "UTC" in out
        assert "Hồ sơ / dossiers: 0" in out
        assert run(server, "revoke-device", desk.device_id)[0] == 0
        code, out = run(server, "status")
        assert "thu hồi / revoked" in out
        with server.db.read() as s:
            device = s.get(Device, desk.device_id)
            assert device is not None and device.revoked_at is not None
    finally:
        world.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("enrol-code", "000.99.99.H99"), "Không có trung tâm nào mã định danh 000.99.99.H99"),
        (("revoke-device", "no-such-device"), "Không có máy trạm mã no-such-device"),
        (("holiday", "add", "31/12/2026", "off"), "không đúng dạng YYYY-MM-DD"),
        (("add-operator", A, "x y", "--full-name", "X", "--password", "123456"), "không có dấu cách"),
        (("add-operator", A, "xy", "--full-name", "X", "--password", "123"), "ít nhất 10 ký tự"),
        (
            (
                "add-centre",
                "--eid",
                "bad eid",
                "--name",
                "X",
                "--kind",
                "commune_centre",
                "--province-code",
                "24",
            ),
            "eid",
        ),
        (("enrol-code", A, "--ttl-hours", "0"), "Thời hạn của mã đăng ký"),
        (("import-catalogue", "/nonexistent/catalogue.json"), "Không đọc được tệp"),
    ],
)
def test_refusals_go_to_stderr_with_exit_1(
    server: LiveServer, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    admin.add_demo(server.db)
    code, out = run(server, *args)
    err = capsys.readouterr().err
    assert code == 1, err
    assert out == ""
    assert err.startswith("Lỗi: ") and "\nError: " in err
    assert message in err
    assert "Traceback" not in err


def test_a_bad_catalogue_is_refused_with_the_place(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": 1, "procedures": [{"code": "1.0", "name": "X"}]}), encoding="utf-8")
    assert run(server, "import-catalogue", str(bad))[0] == 1
    assert "Thủ tục thứ 1" in capsys.readouterr().err


def test_environment_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    """A real process: an unusable database gives a readable message and exit code 2."""
    missing = tmp_path / "no" / "such" / "folder" / "x.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "server.cli", "status", "--db", f"sqlite:///{missing}"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("Lỗi: ") and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "server.cli", "status", "--db", "mysql://x@y/z"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert proc.returncode == 2 and "Không hỗ trợ loại cơ sở dữ liệu" in proc.stderr


@pytest.mark.parametrize("missing", ["uvicorn", "fastapi"])
def test_serve_without_the_server_extra_says_how_to_install_it(
    missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    assert main(["init", "--db", db], out=io.StringIO()) == 0
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed: import raises ModuleNotFoundError
    code = main(["serve", "--db", db, "--port", "0"], out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 2, err
    assert "pip install 'motcua-desk[server]'" in err and missing in err
    assert "Traceback" not in err and "không mong đợi" not in err
