"""`python -m bench.raw_worker`: a worker process for bench/raw_workflows.py only."""

from __future__ import annotations

import asyncio
import signal

from temporalio.worker import Worker

from bench.raw_workflows import RAW_TASK_QUEUE, RawUpdateWorkflow, RawWorkflow, bench_noop
from settings import Settings
from worker import WORKER_TUNING
from workflows.client import connect


async def main() -> None:
    client = await connect(Settings.from_env())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Worker(client, task_queue=RAW_TASK_QUEUE, workflows=[RawWorkflow, RawUpdateWorkflow],
                      activities=[bench_noop], **WORKER_TUNING):
        print("raw worker ready", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
