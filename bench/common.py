"""Shared helpers of the benchmarks: timing statistics and the results file."""

from __future__ import annotations

import json
import platform
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def stats_ms(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(x * 1000 for x in samples_s)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return {"median_ms": round(statistics.median(ms), 4), "p95_ms": round(p95, 4), "n": len(ms)}


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
