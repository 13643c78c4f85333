"""Review escalation and expiry, more-information rounds and signature expiry, with days skipped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import Organisation, Task, TimelineEvent
from domain.onboarding import Stage
from domain.program import ProgramRules, ReviewFallback
from domain.tasks import Actor
from tests.workflows.conftest import MANAGER


def _subjects(harness, address):
    return [m.subject for m in harness.smtp.to(address)]


async def test_review_reminds_at_half_time_escalates_then_expires(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")

    await harness.env.sleep(timedelta(days=1, hours=1))  # past half of the 2-day SLA
    await harness.smtp.arrival(lambda m: "mia@vendor.test" in m.recipients
                          and m.subject.startswith("Reminder:"))
    assert harness.task(review.id).reminders_sent == 1
    assert not harness.task(review.id).escalated

    await harness.env.sleep(timedelta(days=1))  # past the deadline: escalated to program leads
    await harness.smtp.arrival(lambda m: "lee@vendor.test" in m.recipients
                          and m.subject.startswith("Escalated:"))
    task = harness.task(review.id)
    assert task.escalated and task.context["escalated_to"] == "program_lead"
    assert task.due_at > review.due_at

    status = await handle.result()  # the escalation's grace runs out: the definition's fallback
    assert status.stage == Stage.EXPIRED
    assert harness.task(review.id).status == "expired"
    assert any("closed" in s for s in _subjects(harness, app["contact_email"]))
    assert any("expired without a review decision" in m.subject
               for m in harness.smtp.to("lee@vendor.test"))


async def test_a_program_lead_decides_an_escalated_review(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.env.sleep(timedelta(days=2, hours=1))
    lead = Actor(name="Lee Lead", roles=("program_lead",))
    await harness.decide(handle, review, lead, {"decision": "reject", "reason": "Out of scope"})
    assert (await handle.result()).stage == Stage.REJECTED


async def test_fallback_from_the_definition_can_reject_automatically(harness):
    program = ProgramRules(review_fallback=ReviewFallback.REJECT)
    handle, org_id, app = await harness.start(program)
    await harness.open_task(handle, "review_application")
    assert (await handle.result()).stage == Stage.REJECTED


async def test_more_information_round_then_approval(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review, MANAGER,
                         {"decision": "more_info", "reason": "Which cities do you cover?"})

    edit = await harness.open_task(handle, "edit_application")
    assert edit.assignee_org_id == org_id and edit.assignee_email == app["contact_email"]
    assert edit.context["question"] == "Which cities do you cover?"
    ask = await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                and "More information" in m.subject)
    assert "Which cities do you cover?" in ask.body and f"/t/{edit.id}/" in ask.body

    changed = {**app, "message": "Shanghai, Suzhou and Hangzhou", "employees": 55}
    await harness.decide(handle, edit, Actor(name="Li Wei", org_id=org_id), changed)

    second = await harness.open_task(handle, "review_application")
    assert second.id != review.id
    with harness.sessions() as s:
        org = s.get(Organisation, org_id)
        assert org.application["employees"] == 55 and org.status == "in_review"
    await harness.decide(handle, second, MANAGER, {"decision": "approve"})
    await harness.open_task(handle, "sign_agreement")
    await handle.terminate("test done")


async def test_unanswered_question_expires_the_application(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review, MANAGER, {"decision": "more_info", "reason": "VAT number?"})
    await harness.open_task(handle, "edit_application")
    assert (await handle.result()).stage == Stage.EXPIRED


async def test_signature_reminders_at_7_3_1_days_then_expiry_tells_a_manager(harness):
    handle, org_id, app = await harness.start()
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    sign = await harness.open_task(handle, "sign_agreement")

    await harness.env.sleep(timedelta(days=23, hours=1))  # 7 days before the 30-day expiry
    await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients and "7 days left" in m.body)
    assert harness.task(sign.id).reminders_sent == 1
    assert not any("3 days left" in m.body for m in harness.smtp.to(app["contact_email"]))

    status = await handle.result()
    assert status.stage == Stage.EXPIRED
    bodies = [m.body for m in harness.smtp.to(app["contact_email"])]
    assert sum("days left" in b or "day left" in b for b in bodies) == 3
    assert harness.task(sign.id).reminders_sent == 3
    assert harness.task(sign.id).status == "expired"
    await harness.smtp.arrival(lambda m: "mia@vendor.test" in m.recipients
                          and "expired unsigned" in m.subject)
    with harness.sessions() as s:
        actions = [e.action for e in s.scalars(select(TimelineEvent).where(
            TimelineEvent.org_id == org_id).order_by(TimelineEvent.id))]
        assert actions[-1] == "expired"
        assert s.scalar(select(Task.status).where(Task.id == sign.id)) == "expired"
