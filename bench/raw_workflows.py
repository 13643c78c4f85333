"""The engine's own limit: the smallest workflows that do what the product's steps do.

RawWorkflow runs one activity and completes (compared with an application reaching review).
RawUpdateWorkflow is "the same kind of workflow" (issue 3) for the review decision: it waits for
one update, answers it, then, like RawWorkflow and like the product after a decision, runs one
activity and completes. The update is answered when the workflow task that takes it completes,
before that activity runs, as in the product. They run in their own worker process
(bench/raw_worker.py) with the product worker's tuning, so the ratio measures what the product
adds, not a different worker configuration.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

RAW_TASK_QUEUE = "bench-raw"


@activity.defn(name="bench_noop")
async def bench_noop(n: int) -> int:
    return n


@workflow.defn(name="BenchRawWorkflow")
class RawWorkflow:
    @workflow.run
    async def run(self, n: int) -> int:
        return await workflow.execute_activity(
            "bench_noop", n, result_type=int, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn(name="BenchRawUpdateWorkflow")
class RawUpdateWorkflow:
    def __init__(self) -> None:
        self._decision: str | None = None

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self._decision is not None)
        await workflow.execute_activity("bench_noop", 1, result_type=int,
                                        start_to_close_timeout=timedelta(seconds=30))
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._decision or ""

    @workflow.update
    def decide(self, decision: str) -> str:
        self._decision = decision
        return decision
