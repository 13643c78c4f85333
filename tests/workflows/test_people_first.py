"""People first, in a real worker: the step a decision starts waits while decisions come, and
is never held back for good."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest_asyncio
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.people_first import PeopleFirst
from db.session import make_sessions
from settings import Settings
from tests.workflows.conftest import MANAGER, Harness
from worker import build_worker


@pytest_asyncio.fixture
async def make_harness(time_env, sqlite_database_url, smtp):
    """A harness whose worker yields to decisions by the given policy (sandboxed, as in
    tests/workflows/conftest.py: the update's note leaves the sandbox by an extern function)."""
    workers = []

    async def make(people_first: PeopleFirst) -> Harness:
        settings = Settings(database_url=sqlite_database_url, smtp_port=smtp.port,
                            temporal_task_queue=f"pf-{uuid.uuid4().hex[:8]}",
                            secret_key="test-secret", base_url="http://prm.test", mailbox_dir="")
        sessions = make_sessions(sqlite_database_url)
        h = Harness(time_env, time_env.client, settings, sessions, smtp)
        h.seed_staff()
        worker = build_worker(time_env.client, settings, sessions, people_first=people_first,
                              workflow_runner=SandboxedWorkflowRunner())
        await worker.__aenter__()
        workers.append(worker)
        return h

    yield make
    for worker in workers:
        await worker.__aexit__(None, None, None)


async def test_the_agreement_waits_for_the_managers_quiet_then_is_issued(make_harness):
    first = PeopleFirst(max_wait_s=30, quiet_s=2.0)
    harness = await make_harness(first)
    handle, _, _ = await harness.start()
    review = await harness.open_task(handle, "review_application")
    assert first.policy.held == 0  # an application is not a decision: its step went at once

    await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    decided = datetime.now(timezone.utc)
    sign = await harness.open_task(handle, "sign_agreement")
    assert first.policy.held == 1  # issue_agreement waited for the quiet after the approval
    waited = sign.created_at.replace(tzinfo=timezone.utc) - decided
    assert waited >= timedelta(seconds=1.5)  # the 2 s quiet, less the update's way back
    assert sign.context["agreement_id"]
    # The signing link follows the row (mail goes after the commit), held back by nothing more.
    await harness.smtp.arrival(lambda m: sign.assignee_email in m.recipients
                               and f"/t/{sign.id}/" in m.body)
    await harness.stop(handle)


async def test_decisions_that_never_pause_delay_the_agreement_by_max_wait_only(make_harness):
    # Decisions would need a minute of quiet; the step goes after half a second all the same.
    first = PeopleFirst(max_wait_s=0.5, quiet_s=60)
    harness = await make_harness(first)
    handle, _, _ = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    await harness.open_task(handle, "sign_agreement", timeout=15)
    assert first.policy.held == 1
    await harness.stop(handle)
