"""Starting a partner's onboarding: one place for its id, reuse policy, summary and attributes.

The web app's /apply, the tests and the benchmarks all start the workflow through here, so what
ops sees in listings (summary, PartnerOrg, PartnerName) is the same whoever started it.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy

from domain import ids
from domain.onboarding import OnboardingInput
from workflows.onboarding import PartnerOnboardingWorkflow
from workflows.search import PARTNER_NAME, PARTNER_ORG


async def start_onboarding(client: Client, task_queue: str, inp: OnboardingInput) -> WorkflowHandle:
    """Raises WorkflowAlreadyStartedError for an organisation that already applied: an org id
    is used once, so a resubmitted form cannot open a second application."""
    company = inp.application["company_name"]
    return await client.start_workflow(
        PartnerOnboardingWorkflow.run, inp, id=ids.onboarding_workflow_id(inp.org_id),
        task_queue=task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        static_summary=f"Partner application {inp.reference} from {company}",
        search_attributes=TypedSearchAttributes([
            SearchAttributePair(PARTNER_ORG, inp.org_id),
            SearchAttributePair(PARTNER_NAME, company[:200])]))
