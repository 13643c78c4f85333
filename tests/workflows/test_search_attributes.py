"""Assignee and DueDate, as ops filters read them through Temporal: set while a step is open,
cleared once none is, both when the run has ended and while it waits on something else (issue 8).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timezone

import pytest
import pytest_asyncio
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from db.models import Task
from devstack.ports import free_port
from devstack.smtp import SmtpCatcher
from domain import ids
from domain.onboarding import OnboardingInput, Stage
from domain.program import ProgramRules
from domain.tasks import Actor, CompleteTaskInput
from tests.conftest import application
from tests.workflows.conftest import MANAGER, running_harness
from workflows import PartnerOnboardingWorkflow
from workflows.client import DATA_CONVERTER
from workflows.search import ASSIGNEE, DUE_DATE, PROCESS_STAGE
from workflows.start import start_onboarding


async def search_attributes(client: Client, handle: WorkflowHandle) -> dict:
    """What `temporal workflow describe` and the ops filters see of this run.

    Read from the raw description: the time-skipping test server keeps an unset attribute as a
    null value (a real server drops it), which the SDK's typed decoding cannot parse."""
    raw = await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(namespace=client.namespace,
                                         execution=WorkflowExecution(workflow_id=handle.id)))
    fields = raw.workflow_execution_info.search_attributes.indexed_fields

    def value(key):
        if key.name not in fields:
            return None
        decoded = json.loads(fields[key.name].data or b"null")
        decoded = decoded[0] if isinstance(decoded, list) and decoded else decoded
        if decoded in (None, []):
            return None  # unset
        return datetime.fromisoformat(decoded) if key is DUE_DATE else decoded

    return {"status": WorkflowExecutionStatus(raw.workflow_execution_info.status),
            "assignee": value(ASSIGNEE), "due": value(DUE_DATE), "stage": value(PROCESS_STAGE),
            "pending": list(raw.pending_activities)}


async def until(client: Client, handle: WorkflowHandle, predicate, timeout: float = 30) -> dict:
    for _ in range(int(timeout * 10)):
        seen = await search_attributes(client, handle)
        if predicate(seen):
            return seen
        await asyncio.sleep(0.1)
    raise AssertionError(f"search attributes never matched; last seen {seen}")


def same_moment(a: datetime, b: datetime) -> bool:
    return abs((a - b).total_seconds()) < 1


async def test_an_open_review_is_assigned_and_a_finished_run_is_nobodys(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    shown = await until(harness.client, handle, lambda s: s["assignee"] is not None)
    assert shown["assignee"] == "channel_manager" and shown["stage"] == Stage.IN_REVIEW
    assert same_moment(shown["due"], review.due_at)

    await harness.decide(handle, review, MANAGER, {"decision": "reject", "reason": "No coverage"})
    assert (await handle.result()).stage == Stage.REJECTED
    ended = await search_attributes(harness.client, handle)
    assert ended["status"] == WorkflowExecutionStatus.COMPLETED
    assert ended["stage"] == Stage.REJECTED
    assert ended["assignee"] is None and ended["due"] is None


async def test_a_partners_step_names_the_partner_then_an_activated_run_is_nobodys(harness):
    handle, org_id, app = await harness.start()
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    sign = await harness.open_task(handle, "sign_agreement")
    shown = await until(harness.client, handle, lambda s: s["assignee"] == f"partner:{org_id}")
    assert same_moment(shown["due"], sign.due_at)
    await harness.decide(handle, sign, Actor(name="Li Wei", org_id=org_id),
                         {"full_name": "Li Wei", "accept": True})
    await harness.decide(handle, await harness.open_task(handle, "countersign"), MANAGER,
                         {"full_name": "Mia Manager", "accept": True})
    assert (await handle.result()).stage == Stage.ACTIVE
    ended = await search_attributes(harness.client, handle)
    assert ended["stage"] == Stage.ACTIVE
    assert ended["assignee"] is None and ended["due"] is None


# -- while the run waits on the mail server, with no step open --------------------------------

class Outage:
    """A mail server this test can take down and bring back on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server = SmtpCatcher(port=self.port).start()

    def down(self) -> None:
        self.server.stop()

    def up(self) -> SmtpCatcher:
        self.server = SmtpCatcher(port=self.port).start()
        return self.server


@pytest_asyncio.fixture
async def outage(time_env, sqlite_database_url):
    outage = Outage()
    async with running_harness(time_env, sqlite_database_url, outage.server) as h:
        yield h, outage
    if outage.server.started:
        outage.server.stop()


async def waiting_on_mail(client: Client, handle: WorkflowHandle) -> dict:
    """The run still going, its mail activity failed at least once: it is waiting, not done."""
    return await until(client, handle, lambda s: s["status"] == WorkflowExecutionStatus.RUNNING
                       and any(p.attempt >= 2 for p in s["pending"]))


async def test_no_assignee_while_the_rejection_mail_waits_for_the_mail_server(outage):
    harness, smtp = outage
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await until(harness.client, handle, lambda s: s["assignee"] == "channel_manager"
                and not s["pending"])  # the step's notice has gone out

    smtp.down()
    await harness.decide(handle, review, MANAGER, {"decision": "reject", "reason": "No coverage"})
    waiting = await waiting_on_mail(harness.client, handle)
    assert waiting["stage"] == Stage.REJECTED
    assert waiting["assignee"] is None and waiting["due"] is None

    back = smtp.up()
    assert (await handle.result()).stage == Stage.REJECTED
    mail = back.to(app["contact_email"])
    assert len(mail) == 1 and "No coverage" in mail[0].body


async def test_no_assignee_while_the_invitation_waits_for_the_mail_server(outage):
    """Both have signed and no step is open: the countersignature must not stay someone's task
    while activation retries its mail."""
    harness, smtp = outage
    handle, org_id, app = await harness.start()
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    await harness.decide(handle, await harness.open_task(handle, "sign_agreement"),
                         Actor(name="Li Wei", org_id=org_id),
                         {"full_name": "Li Wei", "accept": True})
    countersign = await harness.open_task(handle, "countersign")
    # The reviewer's own (issue 9): it names them, not their group.
    owner = f"user:{harness.user_id(MANAGER)}"
    await until(harness.client, handle, lambda s: s["assignee"] == owner
                and not s["pending"])  # the step's notice has gone out

    smtp.down()
    await harness.decide(handle, countersign, MANAGER, {"full_name": "Mia Manager", "accept": True})
    waiting = await waiting_on_mail(harness.client, handle)
    assert waiting["assignee"] is None and waiting["due"] is None

    back = smtp.up()
    assert (await handle.result()).stage == Stage.ACTIVE
    invitations = [m for m in back.to(app["contact_email"]) if "password" in m.subject.lower()]
    assert len(invitations) == 1
    ended = await search_attributes(harness.client, handle)
    assert ended["stage"] == Stage.ACTIVE and ended["assignee"] is None


# -- the same, through visibility queries on a real Temporal (the dev server) -------------------

async def count(client: Client, query: str, expected: int, timeout: float = 20) -> None:
    """Visibility is eventually consistent: wait for the count an ops filter would show."""
    for _ in range(int(timeout * 10)):
        found = (await client.count_workflows(query)).count
        if found == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{query!r} counts {found}, not {expected}")


@pytest.mark.slow
async def test_ops_filters_on_a_real_server_find_open_work_only(settings, sessions, worker,
                                                                dev_server):
    client = await Client.connect(dev_server.address, data_converter=DATA_CONVERTER)
    org_id = ids.new_org_id()
    handle = await start_onboarding(client, settings.temporal_task_queue, OnboardingInput(
        org_id, ids.application_reference(org_id), application(), ProgramRules(), "en"))
    this = f'WorkflowId = "{handle.id}"'
    review_id = ids.task_id(handle.id, "review", 1)
    for _ in range(300):
        with sessions() as s:
            if s.get(Task, review_id) is not None:
                break
        await asyncio.sleep(0.1)
    await count(client, f"{this} AND Assignee = 'channel_manager' AND DueDate > "
                        f"'{datetime.now(timezone.utc).isoformat()}'", 1)

    request_id = f"{review_id}/{uuid.uuid4().hex}"
    await handle.execute_update(PartnerOnboardingWorkflow.complete_task, CompleteTaskInput(
        review_id, request_id, MANAGER, {"decision": "reject", "reason": "No coverage"}),
        id=request_id)
    assert (await handle.result()).stage == Stage.REJECTED
    await count(client, f"{this} AND ProcessStage = 'rejected'", 1)
    await count(client, f"{this} AND Assignee IS NOT NULL", 0)
    await count(client, f"{this} AND DueDate IS NOT NULL", 0)
