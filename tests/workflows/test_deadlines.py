"""Review escalation and expiry, more-information rounds and signature expiry, with days skipped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import Organisation, Task, TimelineEvent
from domain.onboarding import Stage
from domain.program import ProgramRules, ReviewFallback
from domain.tasks import Actor
from tests.workflows.conftest import MANAGER
from workflows import PartnerOnboardingWorkflow


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
    status = await handle.result()
    assert status.stage == Stage.REJECTED
    assert list(status.decisions) == ["review 1: reject by Lee Lead"]
    assert (await harness.closed_task(review.id)).completed_by == "Lee Lead"
    mail = await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                      and "Reason given by the reviewer" in m.body)
    assert "Out of scope" in mail.body


async def test_fallback_from_the_definition_can_reject_automatically(harness):
    program = ProgramRules(review_fallback=ReviewFallback.REJECT)
    handle, org_id, app = await harness.start(program)
    review = await harness.open_task(handle, "review_application")
    status = await handle.result()
    assert status.stage == Stage.REJECTED
    assert status.details == "The application could not be reviewed in time."
    assert harness.task(review.id).status == "expired"
    # The applicant is told, with the stock reason (nobody typed one).
    mail = await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                      and "Reason given by the reviewer" in m.body)
    assert "The application could not be reviewed in time." in mail.body
    with harness.sessions() as s:
        last = s.scalars(select(TimelineEvent).where(TimelineEvent.org_id == org_id)
                         .order_by(TimelineEvent.id.desc())).first()
        assert (last.action, last.actor) == ("rejected", "system")


async def test_fallback_approve_sends_the_agreement_when_nobody_reviewed_in_time(harness):
    """A low-risk program approves what nobody reviewed: the applicant is asked to sign, nobody
    is told the application closed, and the timeline says who approved it (the deadline)."""
    handle, org_id, app = await harness.start(ProgramRules(review_fallback=ReviewFallback.APPROVE))
    review = await harness.open_task(handle, "review_application")
    await harness.env.sleep(timedelta(days=2, hours=1))  # escalated first, as any review
    await harness.smtp.arrival(lambda m: "lee@vendor.test" in m.recipients
                               and m.subject.startswith("Escalated:") and app["company_name"]
                               in m.subject)

    await harness.env.sleep(timedelta(days=1))  # the escalation's grace runs out: approved
    sign = await harness.open_task(handle, "sign_agreement")
    assert sign.assignee_org_id == org_id and sign.assignee_email == app["contact_email"]
    ask = await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                     and m.subject == "Your partner agreement is ready to sign")
    assert "has been approved" in ask.body and f"http://prm.test/t/{sign.id}/" in ask.body

    status = await handle.query(PartnerOnboardingWorkflow.get_status)
    assert status.stage == Stage.AGREEMENT_OUT and status.open_task_id == sign.id
    assert list(status.decisions) == ["review 1: approve by system (review deadline)"]
    closed = harness.task(review.id)
    assert closed.status == "expired" and closed.completed_by is None
    with harness.sessions() as s:
        org = s.get(Organisation, org_id)
        assert org.status == "agreement_out"
        approved = s.scalar(select(TimelineEvent).where(TimelineEvent.org_id == org_id,
                                                        TimelineEvent.action == "approved"))
        assert approved.actor == "system (review deadline)"
        assert approved.note == "Approved by system (review deadline)"
    assert not [s for s in _subjects(harness, app["contact_email"]) if "closed" in s]
    assert not [m for m in harness.smtp.to("lee@vendor.test")
                if "expired without a review decision" in m.subject and app["company_name"] in m.body]
    await harness.stop(handle)


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
    edit = await harness.open_task(handle, "edit_application")
    status = await handle.result()
    assert status.stage == Stage.EXPIRED
    assert status.details == "The requested information did not arrive in time"
    assert harness.task(edit.id).status == "expired"
    closed = await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                        and "has closed" in m.subject)
    assert "not completed before its deadline" in closed.body
    with harness.sessions() as s:
        last = s.scalars(select(TimelineEvent).where(TimelineEvent.org_id == org_id)
                         .order_by(TimelineEvent.id.desc())).first()
        assert (last.action, last.note) == ("expired", status.details)


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
