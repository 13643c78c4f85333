"""The review-round cap: the last round's question closes the application, the applicant and the
channel managers are told why by mail, and the timeline says it (issue 8)."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import Organisation, OutboxMail, Task, TimelineEvent
from domain import ids, notes
from domain.onboarding import Stage
from domain.program import ProgramRules
from domain.tasks import Actor
from tests.workflows.conftest import MANAGER, asked_until_the_round_limit
from workflows import PartnerOnboardingWorkflow


async def test_the_round_limit_tells_the_applicant_and_the_managers_why_it_closed(harness):
    handle, org_id, app, last = await asked_until_the_round_limit(harness)
    status = await handle.result()
    reference = ids.application_reference(org_id)
    why = notes.ROUND_LIMIT_REACHED.format(rounds="2")
    assert status.stage == Stage.EXPIRED and status.details == why

    # The applicant: closed, why, the question nobody will read the answer to, and what next.
    to_applicant = await harness.smtp.arrival(
        lambda m: app["contact_email"] in m.recipients
        and m.subject == f"Your partner application {reference} has closed")
    assert "went through 2 rounds of questions without a decision" in to_applicant.body
    assert "What is your VAT number?" in to_applicant.body
    assert "apply again" in to_applicant.body
    assert "not completed before its deadline" not in to_applicant.body  # not the expiry mail

    # The channel manager: the same facts, and who asked the last question.
    to_manager = await harness.smtp.arrival(
        lambda m: "mia@vendor.test" in m.recipients
        and m.subject == f"Application {reference} closed after 2 rounds of questions")
    assert "reached 2 rounds of questions" in to_manager.body
    assert "The applicant has been told" in to_manager.body
    assert "asked by Mia Manager" in to_manager.body
    assert "What is your VAT number?" in to_manager.body

    # No third step: the applicant is not asked a question whose answer nobody would read.
    with harness.sessions() as s:
        edits = s.scalar(select(func.count()).select_from(Task).where(
            Task.workflow_id == handle.id, Task.task_type == "edit_application"))
        assert edits == 1
        assert s.get(Task, last.id).status == "done"
        asks = s.scalars(select(OutboxMail.subject).where(
            OutboxMail.org_id == org_id, OutboxMail.subject.like("More information%"))).all()
        assert len(asks) == 1
        # The application's timeline, as the manager's and the applicant's pages list it.
        timeline = s.scalars(select(TimelineEvent).where(TimelineEvent.org_id == org_id)
                             .order_by(TimelineEvent.at, TimelineEvent.id)).all()
        assert (timeline[-1].action, timeline[-1].note) == ("expired", why)
        assert "2 rounds of questions" in timeline[-1].note
        org = s.get(Organisation, org_id)
        assert org.status == "expired"
    assert status.open_task_id is None
    assert list(status.decisions) == ["review 1: more_info by Mia Manager",
                                      "review 2: more_info by Mia Manager"]


async def test_a_decision_in_the_last_round_still_counts(harness):
    """The cap ends only a last round that asks again: approving in it goes on as usual."""
    handle, org_id, app = await harness.start(ProgramRules(max_review_rounds=2))
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "more_info", "reason": "Which cities do you cover?"})
    await harness.decide(handle, await harness.open_task(handle, "edit_application"),
                         Actor(name="Li Wei", org_id=org_id), {**app, "message": "Shanghai"})
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    await harness.open_task(handle, "sign_agreement")
    status = await handle.query(PartnerOnboardingWorkflow.get_status)
    assert status.stage == Stage.AGREEMENT_OUT
    await harness.stop(handle)
