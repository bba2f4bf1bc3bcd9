"""Shared helpers of the benchmarks: timing statistics and the results file."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def centre_today() -> date:
    """Today in Vietnam, the day the server leases numbers for (from yesterday on): on a machine whose clock
    is set to UTC, ``date.today()`` is a day behind from 17:00 UTC."""
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0–1) of ``values``; 0.0 for none."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def stats_ms(samples_s: list[float]) -> dict[str, float]:
    ms = [x * 1000 for x in samples_s]
    return {
        "median_ms": round(statistics.median(ms), 4),
        "p95_ms": round(percentile(ms, 0.95), 4),
        "n": len(ms),
    }


def proc_cpu(pid: int) -> tuple[float, float, float, float]:
    """CPU seconds of process ``pid`` from Linux's ``/proc/<pid>/stat`` (ticks of ``SC_CLK_TCK``): its own
    user and system time, then those of its children it has reaped (utime, stime, cutime, cstime; fields
    14-17 of man 5 proc, counted after the command name, which may hold spaces or parentheses)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    utime, stime, cutime, cstime = (int(f) / tick for f in fields[11:15])
    return utime, stime, cutime, cstime


def save(key: str, figures: dict[str, Any]) -> None:
    """Merge ``figures`` under ``key`` into bench/results/latest.json."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    figures = {
        **figures,
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
    }
    data[key] = figures
    RESULTS.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def raw_connect(path: Path | str) -> Any:
    """A DB-API connection below the app on a desk store: plain ``sqlite3`` on a plain file, SQLCipher with
    the data folder's key from the keyring on an encrypted one (issue 16: the store is encrypted wherever an
    OS keyring exists), for the benches' bulk fills and raw baselines."""
    from app.models import cipher
    from app.services import storekey

    path = Path(path)
    key = None if cipher.is_plain(path) else storekey.load(path.parent)
    return cipher.connect(path, key)
