"""Shared helpers of the benchmarks: timing statistics and the results file."""

from __future__ import annotations

import json
import platform
import statistics
from datetime import datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


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
