"""Ownership sticks (issue 9): the manager who decided a review owns the application's later
staff steps (the review after a more-information round, the countersignature) until they hand it
on; the group sees such a step only once it is escalated. Time-skipping server, real activities,
real SQLite and SMTP; the inbox read as the inbox reads it (web/manage/queries.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from db.models import Organisation, User
from domain import ids
from domain.onboarding import Stage
from domain.program import ProgramRules, ReviewFallback
from domain.tasks import Actor
from tests.workflows.conftest import COLLEAGUE, LEAD, MANAGER
from tests.workflows.test_search_attributes import until
from web.manage.queries import inbox_counts, inbox_page, parse_inbox
from web.security import CurrentUser

MIA, MAX = "mia@vendor.test", "max@vendor.test"


def inbox_ids(harness, actor: Actor, tab: str, org_id: str) -> set[str]:
    """The task ids `actor` sees in one inbox tab, searched for the application's reference as a
    person would (the session's other tests fill more than a page)."""
    with harness.sessions() as s:
        user = s.get(User, harness.user_id(actor))
        me = CurrentUser.of(user, "test")
        counts = inbox_counts(s, me)
        query = parse_inbox({"tab": tab, "q": harness.reference(org_id)})
        return {r.id for r in inbox_page(s, me, query, counts).rows}


def channel_manager_of(harness, org_id: str) -> int | None:
    with harness.sessions() as s:
        return s.get(Organisation, org_id).channel_manager_user_id


def mailed(harness, heading: str, kind: str = "New task") -> set[str]:
    return {r for m in harness.smtp.received if m.subject == f"{kind}: {heading}"
            for r in m.recipients}


async def second_review(harness, program: ProgramRules | None = None):
    """Mia asks for more information, the partner answers: the second review opens."""
    handle, org_id, app = await harness.start(program)
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "more_info", "reason": "Which cities?"})
    await harness.decide(handle, await harness.open_task(handle, "edit_application"),
                         Actor(name="Li Wei", org_id=org_id), {**app, "message": "Shanghai"})
    second = ids.task_id(handle.id, "review", 2)
    for _ in range(400):
        if harness.task(second) is not None:
            return handle, org_id, app, harness.task(second)
        await asyncio.sleep(0.05)
    raise AssertionError("no second review")


async def countersignature(harness, handle, org_id, review, decider: Actor = MANAGER):
    await harness.decide(handle, review, decider, {"decision": "approve"})
    await harness.decide(handle, await harness.open_task(handle, "sign_agreement"),
                         Actor(name="Li Wei", org_id=org_id), {"full_name": "Li Wei", "accept": True})
    return await harness.open_task(handle, "countersign")


async def test_the_review_after_more_information_and_the_countersignature_open_for_the_reviewer(
        harness):
    handle, org_id, app, review = await second_review(harness)
    mia, max_ = harness.user_id(MANAGER), harness.user_id(COLLEAGUE)
    assert (review.assignee_user_id, review.claimed_by_id, review.status) == (mia, mia, "claimed")
    assert review.assignee_role == "channel_manager"  # the group it falls back to
    assert channel_manager_of(harness, org_id) == mia
    assert review.id in inbox_ids(harness, MANAGER, "mine", org_id)
    assert review.id not in inbox_ids(harness, COLLEAGUE, "groups", org_id)  # not the group's yet
    assert review.id not in inbox_ids(harness, COLLEAGUE, "unassigned", org_id)
    # The first review was the group's (a notification for each one's digest); the second is
    # Mia's own: mailed to her at once, and nobody else is told (issue 9).
    first = ids.task_id(handle.id, "review", 1)
    assert harness.notices(first, MIA) == harness.notices(first, MAX) == [("group_task", "digest")]
    assert harness.notices(review.id, MIA) == [("my_task", "each")]
    assert harness.notices(review.id, MAX) == []
    subject = f"New task: Review application {harness.reference(org_id)}: {app['company_name']}"
    await harness.smtp.arrival(lambda m: m.subject == subject and MIA in m.recipients)
    told = [r for m in harness.smtp.received if m.subject == subject for r in m.recipients]
    assert told.count(MIA) == 1 and MAX not in told  # (staff of other tests may mail each task)

    countersign = await countersignature(harness, handle, org_id, review)
    assert (countersign.assignee_user_id, countersign.claimed_by_id) == (mia, mia)
    assert countersign.id not in inbox_ids(harness, COLLEAGUE, "groups", org_id)
    assert max_ != mia
    await harness.decide(handle, countersign, MANAGER, {"full_name": "Mia Manager", "accept": True})
    assert (await handle.result()).stage == Stage.ACTIVE
    assert channel_manager_of(harness, org_id) == mia


async def test_after_the_escalation_the_group_sees_it_and_may_decide(harness):
    handle, org_id, app, review = await second_review(harness)
    countersign = await countersignature(harness, handle, org_id, review)
    heading = f"Countersign the partner agreement: {app['company_name']}"

    await harness.env.sleep(timedelta(days=1, hours=1))  # the reminder: the owner's alone
    await harness.smtp.arrival(lambda m: MIA in mailed(harness, heading, "Reminder"))
    assert MAX not in mailed(harness, heading, "Reminder")
    assert countersign.id not in inbox_ids(harness, COLLEAGUE, "groups", org_id)

    await harness.env.sleep(timedelta(days=1))  # the deadline: escalated, the group's now
    await harness.smtp.arrival(lambda m: "lee@vendor.test" in mailed(harness, heading, "Escalated"))
    row = harness.task(countersign.id)
    assert row.escalated and row.status == "open" and row.claimed_by_id is None
    assert row.assignee_user_id == harness.user_id(MANAGER)  # still on record as the owner's
    assert countersign.id in inbox_ids(harness, COLLEAGUE, "groups", org_id)
    assert countersign.id in inbox_ids(harness, COLLEAGUE, "unassigned", org_id)

    await harness.decide(handle, countersign, COLLEAGUE, {"full_name": "Max Manager",
                                                          "accept": True})
    assert (await handle.result()).stage == Stage.ACTIVE
    assert channel_manager_of(harness, org_id) == harness.user_id(COLLEAGUE)


async def test_a_hand_on_changes_the_owner_of_this_step_and_the_next(harness):
    # A review nobody decides is approved when its grace runs out: only the hand-on, not a
    # decision, can have told the workflow who owns the countersignature then.
    handle, org_id, app, review = await second_review(
        harness, ProgramRules(review_fallback=ReviewFallback.APPROVE))
    max_ = harness.user_id(COLLEAGUE)
    result = await harness.hand_on(handle, review, MANAGER, COLLEAGUE)
    assert (result.owner_id, result.owner_name) == (max_, "Max Manager")
    row = harness.task(review.id)
    assert (row.assignee_user_id, row.claimed_by_id) == (max_, max_)
    assert channel_manager_of(harness, org_id) == max_
    assert review.id in inbox_ids(harness, COLLEAGUE, "mine", org_id)
    assert review.id not in inbox_ids(harness, MANAGER, "mine", org_id)
    await until(harness.client, handle, lambda s: s["assignee"] == f"user:{max_}")  # ops filters

    await harness.env.sleep(timedelta(days=3, hours=1))  # deadline and grace: approved
    await harness.decide(handle, await harness.open_task(handle, "sign_agreement"),
                         Actor(name="Li Wei", org_id=org_id), {"full_name": "Li Wei", "accept": True})
    countersign = await harness.open_task(handle, "countersign")
    assert (countersign.assignee_user_id, countersign.claimed_by_id) == (max_, max_)
    await harness.stop(handle)


async def test_a_hand_on_is_refused_to_someone_without_the_role_and_on_partner_steps(harness):
    handle, org_id, app, review = await second_review(harness)
    partner = Actor(name="Li Wei", org_id=org_id, user_id=10**6)  # a partner user: no staff role
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await harness.hand_on(handle, review, MANAGER, partner)
    assert "does not have the channel_manager role" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await harness.hand_on(handle, review, partner, COLLEAGUE)
    assert "only the channel_manager role" in str(refused.value.cause)
    # A program lead may hand it on: their role covers the channel managers'.
    await harness.hand_on(handle, review, LEAD, COLLEAGUE)
    await harness.stop(handle)
