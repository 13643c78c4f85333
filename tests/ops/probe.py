"""A small workflow that leaves every trace the ops pages show: search attributes, current details,
an activity, a failing activity, a timer and a decision update. Runs on its own task queue so the
ops tests do not depend on the recruitment workflow's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.search import PROCESS_STAGE

TASK_QUEUE = "ops-probe"
FAILURE_MESSAGE = "SMTP relay refused the message (554, ops probe)"
BUG_MESSAGE = "ops probe bug: KeyError in the review step"


@dataclass
class ProbeInput:
    org_id: str
    company: str
    fail_activity: bool = False
    wedge: bool = False       # a bug in workflow code: its workflow task fails again and again


@dataclass
class ProbeDecision:
    task_id: str
    request_id: str
    actor: dict = field(default_factory=dict)
    payload: dict = field(default_factory=dict)


@activity.defn
async def prepare_probe(inp: ProbeInput) -> str:
    return f"prepared {inp.company}"


@activity.defn
async def send_probe_mail(inp: ProbeInput) -> str:
    raise ApplicationError(FAILURE_MESSAGE)  # retryable: the attempts pile up like an SMTP outage


@workflow.defn
class OpsProbeWorkflow:
    def __init__(self) -> None:
        self._decision: ProbeDecision | None = None

    @workflow.run
    async def run(self, inp: ProbeInput) -> str:
        workflow.upsert_search_attributes([PROCESS_STAGE.value_set("in_review")])
        workflow.set_current_details("in_review: Awaiting review by a channel manager")
        await workflow.execute_activity(prepare_probe, inp, start_to_close_timeout=timedelta(seconds=10))
        if inp.wedge:
            raise RuntimeError(BUG_MESSAGE)  # not an ApplicationError: the task fails, not the workflow
        if inp.fail_activity:
            await workflow.execute_activity(
                send_probe_mail, inp, start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1),
                                         backoff_coefficient=1.0))
        await workflow.wait_condition(lambda: self._decision is not None, timeout=timedelta(hours=36))
        workflow.upsert_search_attributes([PROCESS_STAGE.value_set("approved")])
        return "done"

    @workflow.update
    async def decide(self, decision: ProbeDecision) -> str:
        self._decision = decision
        workflow.set_current_details(f"approved: by {decision.actor.get('name')}")
        return decision.payload.get("decision", "")
