"""`python -m bench --trace`: when a round's applications ran, read from their histories.

For every application of the round: the workflow's start (the POST's answer follows it), its
first workflow task, and its one activity (accept_application: record, screen, open the review
task row, send its mail) scheduled, started and completed. Printed as a timeline in 2 s steps:
how many had started, how many activities were waiting in Temporal's task queue (scheduled, not
started), how many were running in the worker, how many done. A diagnosis, not a figure of the
bench's table.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text
from temporalio.api.enums.v1 import EventType

from bench.appdb import AppDb
from settings import Settings
from workflows.client import connect

STEP_S = 2.0


def _schedstat(pid: int) -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) of a process's main thread."""
    on_cpu, waiting, _ = Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()
    return int(on_cpu) / 1e9, int(waiting) / 1e9


class CpuSampler:
    """Every STEP_S: each process's CPU (cpu_by_component), the machine's busy share, and how
    the worker's main thread (its event loop: every workflow activation, every activity's
    coroutine) spent the step: running, waiting for a CPU, or asleep (nothing to do)."""

    def __init__(self, cpu: Callable[[], dict[str, float]], worker_pid: int) -> None:
        from bench.rounds import _cpu_ticks

        self._ticks = _cpu_ticks
        self._cpu = lambda: {**cpu(), **dict(zip(("loop_run", "loop_wait"),
                                                 _schedstat(worker_pid)))}
        self.samples: list[tuple[float, dict[str, float], tuple[int, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "CpuSampler":
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            self.samples.append((time.time(), self._cpu(), self._ticks()))
            if self._stop.wait(STEP_S):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def steps(self, t0: float) -> list[dict]:
        """Per step: seconds since t0 at its end, each process's share of one core, and the
        machine's busy share (all cores)."""
        out = []
        for (ta, ca, ka), (tb, cb, kb) in zip(self.samples, self.samples[1:]):
            wall = tb - ta
            step = {k: round((cb[k] - ca[k]) / wall, 2) for k in cb}
            step["loop_sleep"] = round(1 - step["loop_run"] - step["loop_wait"], 2)
            step["machine_busy"] = round(1 - (kb[1] - ka[1]) / max(1, kb[0] - ka[0]), 2)
            out.append({"t": round(tb - t0, 1), **step})
        return out


def _s(ts, t0: float) -> float:
    return ts.ToDatetime(tzinfo=timezone.utc).timestamp() - t0


async def _read(settings: Settings, workflow_ids: list[str], t0: float) -> list[dict]:
    client = await connect(settings)
    gate = asyncio.Semaphore(8)

    async def one(wf_id: str) -> dict:
        async with gate:
            history = await client.get_workflow_handle(wf_id).fetch_history()
        row: dict = {}
        for e in history.events:
            t = _s(e.event_time, t0)
            kind = e.event_type
            if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                row["started"] = t
            elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED and "wft_started" not in row:
                row["wft_started"] = t
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED and "act_scheduled" not in row:
                row["act_scheduled"] = t
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED and "act_started" not in row:
                row["act_started"] = t
            elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED and "act_done" not in row:
                row["act_done"] = t
        return row

    return await asyncio.gather(*(one(w) for w in workflow_ids))


def _count(rows: list[dict], key: str, t: float) -> int:
    return sum(1 for r in rows if r.get(key, float("inf")) <= t)


def trace_round(settings: Settings, db: AppDb, began_wall: float, sampler: CpuSampler) -> dict:
    since = datetime.fromtimestamp(began_wall - 1, timezone.utc).replace(tzinfo=None)
    with db._engine.connect() as conn:
        found = conn.execute(text(
            "SELECT workflow_id, created_at FROM task WHERE task_type = 'review_application' "
            "AND created_at >= :since"), {"since": since}).all()
    rows = asyncio.run(_read(settings, [w for w, _ in found], began_wall))
    for r, (_, created) in zip(rows, found):
        if isinstance(created, str):  # SQLite, through text(): the stored ISO string
            created = datetime.fromisoformat(created)
        r["row"] = created.replace(tzinfo=timezone.utc).timestamp() - began_wall
    end = max(r.get("act_done", 0) for r in rows)
    cpu = {round(c["t"] / STEP_S): c for c in sampler.steps(began_wall)}
    timeline = []
    t = 0.0
    print("      t s | started | wft run | act queued | act running | act done | rows "
          "| cores: worker server web clients | machine busy | worker loop: run wait sleep")
    while t < end + STEP_S:
        started = _count(rows, "started", t)
        sched, run, done = (_count(rows, k, t) for k in ("act_scheduled", "act_started", "act_done"))
        step = {"t": t, "started": started, "wft_started": _count(rows, "wft_started", t),
                "act_queued": sched - run, "act_running": run - done, "act_done": done,
                "rows": _count(rows, "row", t)}
        c = cpu.get(round(t / STEP_S), {})
        step["cpu"] = c
        timeline.append(step)
        print(f"    {t:5.0f} | {started:7d} | {step['wft_started']:7d} | {step['act_queued']:10d} | "
              f"{step['act_running']:11d} | {done:8d} | {step['rows']:4d} | "
              f"{c.get('worker', 0):.2f} {c.get('temporal_server', 0):.2f} {c.get('web', 0):.2f} "
              f"{c.get('bench_clients_and_smtp', 0):.2f} | {c.get('machine_busy', 0):.0%} | "
              f"{c.get('loop_run', 0):.2f} {c.get('loop_wait', 0):.2f} {c.get('loop_sleep', 0):.2f}")
        t += STEP_S

    def mean(key_a: str, key_b: str) -> float:
        xs = [r[key_b] - r[key_a] for r in rows if key_a in r and key_b in r]
        return round(sum(xs) / max(1, len(xs)), 2)

    waits = {"start_to_first_wft_s": mean("started", "wft_started"),
             "act_scheduled_to_started_s": mean("act_scheduled", "act_started"),
             "act_started_to_done_s": mean("act_started", "act_done"),
             "act_started_to_row_s": mean("act_started", "row")}
    print(f"    means over {len(rows)} applications: {waits}")
    return {"applications": len(rows), "means": waits, "timeline": timeline}
