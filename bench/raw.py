"""(a) and the raw half of (c): the Python SDK straight at the dev server, no web app."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from bench.raw_workflows import RAW_TASK_QUEUE, RawUpdateWorkflow, RawWorkflow
from settings import Settings
from workflows.client import connect


async def _throughput(settings: Settings, total: int, concurrency: int, warmup: int) -> float:
    client = await connect(settings)
    run = uuid.uuid4().hex[:8]

    async def one(i: int) -> None:
        await client.execute_workflow(RawWorkflow.run, i, id=f"bench-raw-{run}-{i}",
                                      task_queue=RAW_TASK_QUEUE)

    async def caller(numbers: list[int]) -> None:
        for i in numbers:
            await one(i)

    await asyncio.gather(*(one(-1 - i) for i in range(warmup)))
    started = time.perf_counter()
    await asyncio.gather(*(caller(list(range(c, total, concurrency))) for c in range(concurrency)))
    return total / (time.perf_counter() - started)


def throughput(settings: Settings, total: int, concurrency: int, warmup: int = 16) -> float:
    """Workflows per second, start to completion, `concurrency` callers each waiting for its own."""
    return asyncio.run(_throughput(settings, total, concurrency, warmup))


async def _update_latency(settings: Settings, per_caller: int, concurrency: int,
                          on_start: Callable[[], None]) -> tuple[list[float], float]:
    client = await connect(settings)
    run = uuid.uuid4().hex[:8]
    total = per_caller * concurrency
    handles = await asyncio.gather(*(
        client.start_workflow(RawUpdateWorkflow.run, id=f"bench-upd-{run}-{i}",
                              task_queue=RAW_TASK_QUEUE) for i in range(total)))
    # Like a review task, each workflow has run its first task and sits waiting before the clock.
    await asyncio.gather(*(h.query("__stack_trace") for h in handles[-concurrency:]))
    await asyncio.sleep(1.0)
    on_start()
    began = time.perf_counter()
    latencies: list[float] = []

    async def caller(mine) -> None:
        for handle in mine:
            began = time.perf_counter()
            await handle.execute_update(RawUpdateWorkflow.decide, "approve",
                                        id=f"decide-{handle.id}")
            latencies.append((time.perf_counter() - began) * 1000)

    await asyncio.gather(*(caller(handles[c::concurrency]) for c in range(concurrency)))
    await asyncio.gather(*(h.result() for h in handles))  # the activity each update starts
    return latencies, time.perf_counter() - began


def update_latency(settings: Settings, per_caller: int, concurrency: int,
                   on_start: Callable[[], None] = lambda: None) -> tuple[list[float], float]:
    """Milliseconds per update round trip (sent to accepted and completed), one sample per call,
    and the seconds from the first update until every workflow has run its activity and
    completed. `on_start()` runs once every workflow is waiting, just before the first update."""
    return asyncio.run(_update_latency(settings, per_caller, concurrency, on_start))
