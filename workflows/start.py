"""Starting a partner's onboarding: one place for its id, reuse policy, summary and attributes.

The web app's /apply, the tests and the benchmarks all start the workflow through here, so what
ops sees in listings (summary, PartnerOrg, PartnerName) is the same whoever started it.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (SearchAttributePair, TypedSearchAttributes,
                               WorkflowIDConflictPolicy, WorkflowIDReusePolicy)
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain import ids
from domain.enablement import EnablementInput
from domain.onboarding import OnboardingInput
from workflows.enablement import EnablementWorkflow
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


async def start_enablement(client: Client, task_queue: str, inp: EnablementInput) -> WorkflowHandle:
    """One per partner, for good: a second start (a retried activation) finds the first,
    running or not (DESIGN.md section 4: the id policy chosen on purpose)."""
    workflow_id = ids.enablement_workflow_id(inp.org_id)
    try:
        return await client.start_workflow(
            EnablementWorkflow.run, inp, id=workflow_id, task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary=f"Enablement of {inp.company} ({inp.reference}) on plan "
                           f"{inp.plan.plan_id} v{inp.plan.version}",
            search_attributes=TypedSearchAttributes([
                SearchAttributePair(PARTNER_ORG, inp.org_id),
                SearchAttributePair(PARTNER_NAME, inp.company[:200])]))
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(workflow_id)
