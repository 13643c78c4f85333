"""The countersignature under time skipping: a reminder at half time, the escalation to program
leads at the deadline with a new deadline, then, once that passes too, an overdue notice to
everyone who may decide. It never expires: the partner has signed (issue 8)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import NotificationPreference, TimelineEvent, User
from domain.dates import format_when
from domain.onboarding import Stage
from domain.tasks import Actor
from tests.workflows.conftest import LEAD, MANAGER
from workflows import PartnerOnboardingWorkflow

MIA, LEE = "mia@vendor.test", "lee@vendor.test"  # channel manager, program lead (seed_staff)


async def awaiting_countersignature(harness):
    handle, org_id, app = await harness.start()  # countersign SLA 2 days, 1 day's grace
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    await harness.decide(handle, await harness.open_task(handle, "sign_agreement"),
                         Actor(name="Li Wei", org_id=org_id),
                         {"full_name": "Li Wei", "accept": True})
    return handle, org_id, app, await harness.open_task(handle, "countersign")


def program_leads(harness) -> set[str]:
    """Active program leads who get escalations by mail in English, as `about` reads subjects
    (the session's other tests may have chosen the digest, nothing, or Chinese for theirs)."""
    with harness.sessions() as s:
        staff = s.scalars(select(User).where(User.active.is_(True), User.org_id.is_(None))).all()
        quiet = set(s.scalars(select(NotificationPreference.user_id).where(
            NotificationPreference.kind == "escalation", NotificationPreference.delivery != "each")))
        return {u.email for u in staff if "program_lead" in u.roles and u.id not in quiet
                and (u.locale or "en") == "en"}


def about(harness, heading: str, kind: str) -> dict[str, list]:
    """This task's mails of one kind ('Reminder', 'Escalated'), by recipient."""
    found: dict[str, list] = {}
    for m in harness.smtp.received:
        if m.subject == f"{kind}: {heading}":
            for r in m.recipients:
                found.setdefault(r, []).append(m)
    return found


async def test_countersign_reminds_escalates_then_tells_everyone_it_is_overdue(harness):
    handle, org_id, app, task = await awaiting_countersignature(harness)
    heading = f"Countersign the partner agreement: {app['company_name']}"
    first_due = task.due_at
    # Mia decided the review, so she owns the countersignature: held by her and mailed to her
    # alone at once (a task of her own), the group told nothing before the escalation (issue 9).
    assert harness.task(task.id).claimed_by_id == harness.user_id(MANAGER)
    assert harness.notices(task.id, MIA) == [("my_task", "each")]
    assert set(about(harness, heading, "New task")) == {MIA}

    # Half time (1 day): a reminder to whoever may countersign; nothing escalated yet.
    await harness.env.sleep(timedelta(days=1, hours=1))
    await harness.smtp.arrival(lambda m: MIA in about(harness, heading, "Reminder"))
    reminders = about(harness, heading, "Reminder")
    assert "half of the time allowed has passed" in reminders[MIA][0].body
    assert f"/manage/tasks/{task.id}" in reminders[MIA][0].body
    assert harness.task(task.id).reminders_sent == 1 and not harness.task(task.id).escalated
    assert about(harness, heading, "Escalated") == {}

    # The deadline (2 days): escalated to program leads, with a new deadline a day later.
    await harness.env.sleep(timedelta(days=1))
    leads = program_leads(harness)
    # One message per language and zone of its readers: wait for every lead's, not the first.
    await harness.smtp.arrival(lambda m: leads <= set(about(harness, heading, "Escalated")))
    escalated = about(harness, heading, "Escalated")
    # Program leads only (others of the session's tests add theirs), not the manager who let it pass.
    assert set(escalated) == leads and LEE in escalated and MIA not in escalated
    row = harness.task(task.id)
    assert row.escalated and row.context["escalated_to"] == "program_lead"
    assert row.due_at == first_due + timedelta(days=1)
    assert f"New deadline: {format_when(row.due_at, 'en', 'UTC')}" in escalated[LEE][0].body
    assert not [m for ms in about(harness, heading, "Reminder").values() for m in ms
                if "overdue" in m.body]  # the new deadline has not passed yet

    # The new deadline (3 days): the overdue notice, to the manager and the leads alike.
    await harness.env.sleep(timedelta(days=1))
    await harness.smtp.arrival(lambda m: {MIA, LEE} <= {
        r for r, ms in about(harness, heading, "Reminder").items()
        if any("overdue" in x.body for x in ms)})
    overdue = {r: [m for m in ms if "overdue" in m.body]
               for r, ms in about(harness, heading, "Reminder").items()}
    assert len(overdue[MIA]) == 1 and len(overdue[LEE]) == 1
    assert "its new deadline has passed without a decision" in overdue[MIA][0].body
    assert harness.task(task.id).reminders_sent == 2
    assert len(about(harness, heading, "Escalated")[LEE]) == 1  # escalated once, not again

    # Then it waits, open, however long it takes, and tells nobody again: the partner has signed.
    def notices() -> int:
        return sum(len(ms) for ms in about(harness, heading, "Reminder").values()) + \
            sum(len(ms) for ms in about(harness, heading, "Escalated").values())
    told = notices()
    await harness.env.sleep(timedelta(days=30))
    assert harness.task(task.id).status == "open"
    status = await handle.query(PartnerOnboardingWorkflow.get_status)
    assert status.stage == Stage.COUNTERSIGN and status.open_task_id == task.id
    assert notices() == told

    await harness.decide(handle, task, LEAD, {"full_name": "Lee Lead", "accept": True})
    assert (await handle.result()).stage == Stage.ACTIVE
    with harness.sessions() as s:
        signers = s.scalars(select(TimelineEvent.actor).where(
            TimelineEvent.org_id == org_id, TimelineEvent.action == "signed_by_company")).all()
        assert signers == ["Lee Lead"]
