"""Alternating rounds: what each one measured, and the median and spread over them.

On a shared machine the load drifts while the bench runs. A raw round and a product round taken
back to back see nearly the same machine, so each product round is compared with the raw round
just before it, and the rounds alternate (raw, product, raw, product, ...): a machine getting
busier, or quieter, moves both halves of a pair alike instead of only one side of the ratio.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path


def _cpu_ticks() -> tuple[int, int]:
    """(all, idle) jiffies of every CPU since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # idle + iowait


@dataclass
class BusyMeter:
    """How busy the machine's CPUs were between start() and share(), all processes together,
    and how much of that was the bench's own processes (`ours_s`, CPU seconds they spent)."""

    began: float = 0.0
    ticks: tuple[int, int] = (0, 0)

    def start(self) -> "BusyMeter":
        self.began, self.ticks = time.perf_counter(), _cpu_ticks()
        return self

    def share(self, ours_s: float) -> dict[str, float]:
        total, idle = _cpu_ticks()
        wall = time.perf_counter() - self.began
        busy = 1 - (idle - self.ticks[1]) / max(1, total - self.ticks[0])
        ours = ours_s / max(1e-9, wall * (os.cpu_count() or 1))
        return {"cpu_busy": round(busy, 2), "cpu_busy_others": round(max(0.0, busy - ours), 2),
                "load_avg_1min": round(os.getloadavg()[0], 2)}


def spread(values: list[float], digits: int = 2) -> dict[str, float]:
    """The median and the min-max of the rounds' values."""
    return {"median": round(statistics.median(values), digits),
            "min": round(min(values), digits), "max": round(max(values), digits)}


def summary(raw_rounds: list[dict], product_rounds: list[dict]) -> dict:
    """Product round i against raw round i (the one just before it): the ratio of each pair, and
    the median and spread of the ratio and of the figures a reader looks at."""
    ratios = [p["per_s"] / r["per_s"] for r, p in zip(raw_rounds, product_rounds)]
    pick = lambda key, rounds=product_rounds: [x[key] for x in rounds]  # noqa: E731
    return {
        "ratio": spread(ratios),
        "raw_per_s": spread(pick("per_s", raw_rounds), 1),
        "http_per_s": spread(pick("per_s"), 1),
        "posts_done_s": spread(pick("posts_done_s"), 1),
        "last_review_row_s": spread(pick("last_review_row_s"), 1),
        "worker_cpu_ms_per_application": spread(pick("worker_cpu_ms_per_application"), 1),
        "pair_ratios": [round(x, 2) for x in ratios],
    }
