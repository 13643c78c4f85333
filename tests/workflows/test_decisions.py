"""The complete_task update: double submits, rival decisions, and who may decide."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from db.models import Task
from domain.tasks import Actor
from tests.workflows.conftest import MANAGER
from workflows import PartnerOnboardingWorkflow


async def test_a_double_submit_returns_the_first_result(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    request_id = f"{review.id}/{uuid.uuid4().hex}"
    first = await harness.decide(handle, review, MANAGER, {"decision": "approve"}, request_id)
    again = await harness.decide(handle, review, MANAGER, {"decision": "approve"}, request_id)
    assert again == first
    await harness.open_task(handle, "sign_agreement")
    history = await handle.fetch_history()
    accepted = [e for e in history.events if e.HasField("workflow_execution_update_accepted_event_attributes")]
    assert len(accepted) == 1
    await handle.terminate("test done")


async def test_rival_decisions_exactly_one_counts(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    other = Actor(name="Olga Other", roles=("channel_manager",), user_id=3)
    results = await asyncio.gather(
        harness.decide(handle, review, MANAGER, {"decision": "approve"}),
        harness.decide(handle, review, other, {"decision": "reject", "reason": "No coverage"}),
        return_exceptions=True)
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, WorkflowUpdateFailedError)]
    assert len(wins) == 1 and len(losses) == 1
    assert f"already decided by {wins[0].decided_by}" in str(losses[0].cause)
    assert (await harness.closed_task(review.id)).completed_by == wins[0].decided_by
    await harness.stop(handle)


async def test_validator_turns_away_wrong_role_and_wrong_organisation(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    partner = Actor(name="Mallory", roles=("partner_admin",), org_id=org_id)
    with pytest.raises(WorkflowUpdateFailedError) as role_error:
        await harness.decide(handle, review, partner, {"decision": "approve"})
    assert "channel_manager" in str(role_error.value.cause)

    await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    sign = await harness.open_task(handle, "sign_agreement")
    stranger = Actor(name="Eve", roles=("partner_admin",), org_id=str(uuid.uuid4()))
    with pytest.raises(WorkflowUpdateFailedError) as org_error:
        await harness.decide(handle, sign, stranger, {"full_name": "Eve", "accept": True})
    assert "another organisation" in str(org_error.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as closed_error:
        await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    assert "already decided" in str(closed_error.value.cause)
    history = await handle.fetch_history()
    rejected = [e for e in history.events
                if e.HasField("workflow_execution_update_accepted_event_attributes")]
    assert len(rejected) == 1  # validator rejections leave no trace in history
    await handle.terminate("test done")


@pytest.mark.parametrize("payload", [{"decision": "maybe", "reason": "Hm"}, {"decision": ""},
                                     {"reason": "no decision at all"}, {"decision": "APPROVE"}],
                         ids=["unknown", "empty", "missing", "wrong-case"])
async def test_an_unknown_decision_is_refused_and_the_review_stays_open(harness, payload):
    """Refused by the validator with a message naming the choices; before issue 8 it fell
    through to "more information" and asked the applicant a question nobody had asked."""
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    before = await handle.query(PartnerOnboardingWorkflow.get_status)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await harness.decide(handle, review, MANAGER, payload)
    message = str(refused.value.cause)
    assert "unknown decision" in message
    assert "this task takes one of approve, reject, more_info" in message

    after = await handle.query(PartnerOnboardingWorkflow.get_status)
    assert after == before and after.open_task_id == review.id and after.decisions == ()
    assert harness.task(review.id).status == "open"
    history = await handle.fetch_history()
    assert not [e for e in history.events
                if e.HasField("workflow_execution_update_accepted_event_attributes")]

    # The task is still the manager's to decide, with a decision it knows.
    await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    await harness.open_task(handle, "sign_agreement")
    with harness.sessions() as s:
        assert s.scalar(select(Task.id).where(Task.workflow_id == handle.id,
                                              Task.task_type == "edit_application")) is None
    assert not [m for m in harness.smtp.to(app["contact_email"])
                if m.subject.startswith("More information")]
    await harness.stop(handle)


async def test_screening_flags_a_duplicate_domain_and_free_mail(harness):
    first, _, app = await harness.start()
    await harness.open_task(first, "review_application")
    second, org_id, _ = await harness.start(
        company_name="ACME-Holdings", website=app["website"].replace("https://www.", "http://"),
        contact_email="boss@gmail.com")
    review = await harness.open_task(second, "review_application")
    codes = {f["code"] for f in review.context["flags"]}
    assert codes == {"duplicate_domain", "free_mail_domain"}
    # The row is written inside the activity; the workflow learns the flags when it completes.
    for _ in range(100):
        status = await second.query(PartnerOnboardingWorkflow.get_status)
        if status.flags:
            break
        await asyncio.sleep(0.05)
    assert {f.code for f in status.flags} == codes
    await first.terminate("test done")
    await second.terminate("test done")
