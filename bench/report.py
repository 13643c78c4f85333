"""Percentiles, the issue's targets, the printed table and var/bench.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

# Issue 3's targets.
MIN_RATIO = 0.6
C1_P50_SLACK_MS = 20.0
C1_P99_MAX_MS = 150.0
C16_FACTOR = 1.25
WORKER_MAX_MB = 300.0
WEB_MAX_MB = 150.0


def percentile(samples: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(samples)
    k = (len(xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def latency_block(http: list[float], raw: list[float]) -> dict:
    r = lambda x: round(x, 1)  # noqa: E731
    return {"p50_ms": r(percentile(http, 50)), "p99_ms": r(percentile(http, 99)),
            "raw_p50_ms": r(percentile(raw, 50)), "raw_p99_ms": r(percentile(raw, 99))}


def checks(result: dict) -> list[tuple[str, str, str, bool]]:
    """(what, figure, target, met) for every target."""
    t, c1, c16, m = result["throughput"], result["decision"]["c1"], result["decision"]["c16"], \
        result["memory"]
    ok = []
    ok.append(("ratio http/raw", f"{t['ratio']:.2f}", f">= {MIN_RATIO}", t["ratio"] >= MIN_RATIO))
    lim = c1["raw_p50_ms"] + C1_P50_SLACK_MS
    ok.append(("decision c1 p50 ms", f"{c1['p50_ms']:.0f}", f"<= raw+20 = {lim:.0f}", c1["p50_ms"] <= lim))
    ok.append(("decision c1 p99 ms", f"{c1['p99_ms']:.0f}", f"< {C1_P99_MAX_MS:.0f}",
               c1["p99_ms"] < C1_P99_MAX_MS))
    for key in ("p50", "p99"):
        lim = c16[f"raw_{key}_ms"] * C16_FACTOR
        ok.append((f"decision c16 {key} ms", f"{c16[f'{key}_ms']:.0f}",
                   f"<= 1.25 x raw = {lim:.0f}", c16[f"{key}_ms"] <= lim))
    ok.append(("worker RSS MB", f"{m['worker_rss_mb']:.0f}", f"<= {WORKER_MAX_MB:.0f}",
               m["worker_rss_mb"] <= WORKER_MAX_MB))
    ok.append(("web RSS MB", f"{m['web_rss_mb']:.0f}", f"<= {WEB_MAX_MB:.0f}",
               m["web_rss_mb"] <= WEB_MAX_MB))
    return ok


def table(result: dict) -> str:
    mach, t, d, m, x = (result["machine"], result["throughput"], result["decision"],
                        result["memory"], result["details"])
    c = x["concurrency"]
    lines = [
        f"Machine: {mach['cpu_model']}, {mach['cores']} cores, {mach['memory_gb']} GB RAM, "
        f"Python {mach['python']}, temporalio {mach['temporalio']}, {mach['dev_server']}; "
        f"app database {x.get('app_database', 'sqlite')}",
        "",
        "| Measure | Product (HTTP) | Raw SDK |",
        "|---|---|---|",
        f"| (a)/(b) workflows per second, {c} concurrent | {t['http_per_s']:.1f} applications/s "
        f"| {t['raw_per_s']:.1f} workflows/s |",
        f"| (c) decision latency, 1 client: p50 / p99 ms | {d['c1']['p50_ms']:.0f} / "
        f"{d['c1']['p99_ms']:.0f} | {d['c1']['raw_p50_ms']:.0f} / {d['c1']['raw_p99_ms']:.0f} |",
        f"| (c) decision latency, 16 clients: p50 / p99 ms | {d['c16']['p50_ms']:.0f} / "
        f"{d['c16']['p99_ms']:.0f} | {d['c16']['raw_p50_ms']:.0f} / {d['c16']['raw_p99_ms']:.0f} |",
        f"| (d) RSS with {m['waiting_workflows']} applications waiting on review | worker "
        f"{m['worker_rss_mb']:.0f} MB, web {m['web_rss_mb']:.0f} MB "
        f"({x['web_processes']} gunicorn processes summed) | |",
        "",
        "| Target | Figure | Goal | |",
        "|---|---|---|---|",
    ]
    lines += [f"| {what} | {fig} | {goal} | {'pass' if met else 'MISS'} |"
              for what, fig, goal, met in checks(result)]
    lines += ["", f"Run took {x['total_s']:.0f} s; applications: all POSTs answered after "
              f"{x['apply_posts_done_s']:.1f} s, last review task row after {x['apply_seconds']:.1f} s, "
              f"every mail of theirs sent after {x['apply_mail_drained_s']:.1f} s."]
    if "c16_followups_done_s" in x:
        lines.append(
            f"16 clients: every decision answered after {x['c16_decisions_answered_s']:.1f} s; "
            f"the agreements and signing mail they started all done after "
            f"{x['c16_followups_done_s']:.1f} s (raw: every update's activity done after "
            f"{x['c16_raw_all_done_s']:.1f} s).")
    busy = mach["cpu_busy_before_start"]
    lines.append(f"CPU busy before the start (2 s, nothing of the bench running): {busy:.0%}.")
    if busy > 0.15:
        lines.append("Other work was running on this machine: these figures are not clean.")
    return "\n".join(lines)


def write(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
