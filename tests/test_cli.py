"""The command line: stable output, clear errors, no tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli.main import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_version() -> None:
    proc = subprocess.run(
        [sys.executable, "main.py", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"motcua-desk {__version__}"


def test_units_bac_giang_ward(data_dir: Path) -> None:
    code, out, err = run("units", "07210", "--data-dir", str(data_dir))
    assert code == 0, err
    first = out.split("\n\n")[0]
    assert first.startswith("07210  Phường Bắc Giang\n")
    assert "24  Tỉnh Bắc Ninh" in first
    for ward in ["Thọ Xương", "Ngô Quyền", "Hoàng Văn Thụ", "Trần Phú", "Xương Giang", "Dĩnh Kế", "Dĩnh Trì"]:
        assert f"Phường {ward} (Thành phố Bắc Giang, Tỉnh Bắc Giang)" in first
    assert "Hình thành từ 7 đơn vị cũ" in first


def test_units_json_and_counts(data_dir: Path) -> None:
    code, out, _ = run("units", "24", "--json", "--data-dir", str(data_dir))
    assert code == 0
    (province,) = json.loads(out)
    assert province["name"] == "Tỉnh Bắc Ninh"
    assert len(province["units"]) == 99
    code, out, _ = run("units", "--search", "", "--json", "--data-dir", str(data_dir))
    assert code == 0
    assert len(json.loads(out)) == 3321


def test_units_old_code_names_successor(data_dir: Path) -> None:
    code, out, _ = run("units", "07213", "--data-dir", str(data_dir), "--lang", "en")
    assert code == 0
    assert "Phường Trần Phú" in out and "former unit" in out
    assert "Now part of: 07210  Phường Bắc Giang, Tỉnh Bắc Ninh" in out


def test_units_search_without_diacritics(data_dir: Path) -> None:
    code, out, _ = run("units", "--search", "bac giang", "--data-dir", str(data_dir))
    assert code == 0
    assert "07210  Phường Bắc Giang, Tỉnh Bắc Ninh" in out


def test_unknown_unit_is_a_clear_error(data_dir: Path) -> None:
    code, out, err = run("units", "99999", "--data-dir", str(data_dir))
    assert code == 1
    assert out == ""
    assert err.strip() == "Không có đơn vị hành chính mã 99999."
    code, _, err = run("--lang", "en", "units", "99999", "--data-dir", str(data_dir))
    assert err.strip() == "No administrative unit has code 99999."


def test_procedures_list_and_search(data_dir: Path) -> None:
    code, out, _ = run("procedures", "--data-dir", str(data_dir))
    assert code == 0
    assert out.strip().splitlines()[-1].endswith("thủ tục")
    count = int(out.strip().splitlines()[-1].split()[0])
    assert count >= 30
    code, out, _ = run("procedures", "--search", "khai sinh", "--json", "--data-dir", str(data_dir))
    found = json.loads(out)
    assert any(p["code"] == "1.001193" for p in found)
    assert all("khai sinh" in p["name"].lower() or "Khai sinh" in p["name"] for p in found)
    code, out, _ = run("procedures", "--search", "DANG KY KET HON", "--json", "--data-dir", str(data_dir))
    assert any(p["code"] == "1.000894" for p in json.loads(out))


def test_empty_catalogue_says_how_to_get_one(tmp_path: Path) -> None:
    code, out, _ = run("procedures", "--data-dir", str(tmp_path / "fresh"))
    assert code == 0
    assert "--demo" in out


def test_db_check_ok_and_detects_damage(data_dir: Path) -> None:
    code, out, _ = run("db", "check", "--data-dir", str(data_dir))
    assert (code, out.strip()) == (0, "OK")


def test_db_check_on_garbage_file(tmp_path: Path) -> None:
    (tmp_path / "motcua-desk.sqlite3").write_bytes(b"garbage" * 1000)
    code, out, err = run("db", "check", "--data-dir", str(tmp_path))
    assert code == 2
    assert "bị hỏng" in err
    assert "Traceback" not in err + out


@pytest.mark.expect_log("app.cli", "ERROR", "unexpected error in command")
def test_unexpected_error_is_logged_not_shown(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.cli.units as units
    from app.cli.context import Context

    def boom(ctx: Context) -> int:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(units, "cmd_procedures", boom)
    code, out, err = run("procedures", "--data-dir", str(data_dir))
    assert code == 70
    assert "secret internals" not in err and "Traceback" not in err
    assert "nhật ký" in err
    log = (data_dir / "logs" / "motcua-desk.log").read_text(encoding="utf-8")
    assert "secret internals" in log


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).parent / "motcua-desk"
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    for command in ("units", "procedures", "db"):
        assert command in proc.stdout
