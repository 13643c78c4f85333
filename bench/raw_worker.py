"""`python -m bench.raw_worker`: a worker process for bench/raw_workflows.py only.

Started, tuned and stopped as the product's worker is (worker.py: WORKER_TUNING, serve, run), so
the bench compares the workflows, not two ways of running a worker."""

from __future__ import annotations

from temporalio.worker import Worker

import worker
from bench.raw_workflows import RAW_TASK_QUEUE, RawUpdateWorkflow, RawWorkflow, bench_noop
from settings import Settings
from workflows.client import connect


async def main() -> None:
    client = await connect(Settings.from_env())
    raw = Worker(client, task_queue=RAW_TASK_QUEUE, workflows=[RawWorkflow, RawUpdateWorkflow],
                 activities=[bench_noop], **worker.WORKER_TUNING)
    # bench/stack.py waits for this line
    await worker.serve(raw, polling=lambda: print("raw worker ready", flush=True))


if __name__ == "__main__":
    worker.run(main)
