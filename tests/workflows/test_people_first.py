"""People first, in a real worker: while managers decide, the steps their decisions start wait
in Temporal's task queue, and are never held back for good."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest_asyncio
from temporalio.worker import PollerBehaviorSimpleMaximum
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.people_first import PeopleFirst
from db.session import make_sessions
from settings import Settings
from tests.workflows.conftest import MANAGER, Harness
from worker import build_worker


@pytest_asyncio.fixture
async def make_harness(time_env, sqlite_database_url, smtp):
    """A harness whose worker yields to decisions by the given policy (sandboxed, as in
    tests/workflows/conftest.py: the update's note leaves the sandbox by an extern function).
    One activity poller: the worker reserves a slot or two ahead of its polls, and those take
    a task at once, whatever the policy says."""
    workers = []

    async def make(people_first: PeopleFirst) -> Harness:
        settings = Settings(database_url=sqlite_database_url, smtp_port=smtp.port,
                            temporal_task_queue=f"pf-{uuid.uuid4().hex[:8]}",
                            secret_key="test-secret", base_url="http://prm.test", mailbox_dir="")
        sessions = make_sessions(sqlite_database_url)
        h = Harness(time_env, time_env.client, settings, sessions, smtp)
        h.seed_staff()
        worker = build_worker(time_env.client, settings, sessions, people_first=people_first,
                              workflow_runner=SandboxedWorkflowRunner(),
                              activity_task_poller_behavior=PollerBehaviorSimpleMaximum(1))
        await worker.__aenter__()
        workers.append(worker)
        return h

    yield make
    for worker in workers:
        await worker.__aexit__(None, None, None)


async def in_review(harness: Harness, n: int = 5):
    started = [await harness.start() for _ in range(n)]
    return [(handle, await harness.open_task(handle, "review_application"))
            for handle, _, _ in started]


async def test_agreements_wait_for_the_managers_quiet_then_are_issued(make_harness):
    # A quiet of 5 s: longer than an agreement's activity takes on a busy test machine, so the
    # work after the first one or two (their slots reserved before the decisions) must wait.
    first = PeopleFirst(max_wait_s=30, quiet_s=5.0)
    harness = await make_harness(first)
    reviews = await in_review(harness)
    assert first.policy.held == 0  # applications are not decisions: their steps went at once

    for handle, review in reviews:  # a manager works through the inbox
        before_last = datetime.now(timezone.utc)
        await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    signs = [await harness.open_task(handle, "sign_agreement") for handle, _ in reviews]
    assert first.policy.held >= 1
    # Beyond the slots reserved before the decisions began, agreements waited for the quiet
    # after the last decision, which the worker noted after `before_last`.
    last = max(sign.created_at.replace(tzinfo=timezone.utc) for sign in signs)
    assert last - before_last >= timedelta(seconds=4.95)
    for (handle, _), sign in zip(reviews, signs):
        await harness.smtp.arrival(lambda m, s=sign: s.assignee_email in m.recipients
                                   and f"/t/{s.id}/" in m.body)
        await harness.stop(handle)


async def test_decisions_that_never_pause_delay_the_agreements_by_max_wait_only(make_harness):
    # Decisions would need a minute of quiet; the work goes five seconds into the burst anyway
    # (five, not less: on a busy machine the decisions alone can take two, and work reserved
    # after the limit is not held).
    first = PeopleFirst(max_wait_s=5, quiet_s=60)
    harness = await make_harness(first)
    reviews = await in_review(harness)
    began = datetime.now(timezone.utc)
    for handle, review in reviews:
        await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    signs = [await harness.open_task(handle, "sign_agreement", timeout=30)
             for handle, _ in reviews]
    last = max(sign.created_at.replace(tzinfo=timezone.utc) for sign in signs)
    assert last - began < timedelta(seconds=15)  # not the minute the quiet would take
    assert first.policy.held >= 1
    for handle, _ in reviews:
        await harness.stop(handle)
