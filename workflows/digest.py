"""DigestWorkflow: today's digest mails, one run a day, started by the schedule in schedules.py.

Small on purpose: one remote activity does the reading, the mailing and the marking (activities/
digest.py), retried with backoff through an SMTP outage. The run's key is its workflow id, which
the schedule makes unique per scheduled time, so a retried activity sends the same digests, not
new ones.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.notifications import DigestInput, DigestResult
    from workflows.calls import remote


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self, inp: DigestInput) -> DigestResult:
        key = inp.key or workflow.info().workflow_id
        workflow.set_current_details(f"mailing the digests of run {key}")
        result = await remote("send_digests", DigestInput(key), DigestResult)
        workflow.set_current_details(f"mailed {result.mails} digests listing {result.items} "
                                     "notifications")
        return result
