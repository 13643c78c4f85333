"""Staff notifications through the real activities, a real database and a real SMTP server: each
person's preference decides between a mail now, the daily digest and none; a notification row is
written whatever they chose; the digest sends each person one mail listing what waited."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from activities.digest import DigestActivities
from activities.mailer import SmtpMailer
from activities.outbox import Outbox
from activities.recruitment import RecruitmentActivities
from activities.steps import StepActivities
from activities.tasks import TaskActivities
from db.models import Notification, NotificationPreference, Organisation, Task, User
from domain import ids
from domain.deadlines import CheckpointKind
from domain.notifications import DigestInput
from domain.steps import OpenStepInput
from domain.tasks import TaskCheckpointInput, TaskSpec
from settings import Settings
from tests.conftest import application


@pytest.fixture
def mail_settings(database_url, smtp) -> Settings:
    return Settings(database_url=database_url, smtp_port=smtp.port, secret_key="k",
                    base_url="http://prm.test")


@pytest.fixture
def outbox(sessions, mail_settings) -> Outbox:
    return Outbox(sessions, SmtpMailer(mail_settings), mail_settings)


@pytest.fixture
def tasks(outbox, mail_settings) -> TaskActivities:
    return TaskActivities(outbox, mail_settings)


@pytest.fixture
def steps(outbox, tasks, mail_settings) -> StepActivities:
    return StepActivities(outbox, tasks, RecruitmentActivities(outbox, mail_settings))


def staff(sessions, role: str = "channel_manager", locale: str = "en", **chosen: str) -> User:
    with sessions.begin() as s:
        user = User(email=f"staff-{uuid.uuid4().hex[:10]}@vendor.test", name="Staff Member",
                    roles=[role], locale=locale)
        s.add(user)
        s.flush()
        for kind, delivery in chosen.items():
            s.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
    return user


def organisation(sessions) -> Organisation:
    org_id = ids.new_org_id()
    data = application()
    with sessions.begin() as s:
        org = Organisation(id=org_id, reference=ids.application_reference(org_id),
                           name=data["company_name"], normalised_name=data["company_name"].lower(),
                           domain=f"{uuid.uuid4().hex[:8]}.example", country="CN",
                           partner_type="reseller", workflow_id=ids.onboarding_workflow_id(org_id),
                           application=data)
        s.add(org)
    return org


def review_task(org: Organisation, step: str = "review") -> TaskSpec:
    return TaskSpec(ids.task_id(org.workflow_id, f"{step}-{uuid.uuid4().hex[:6]}"),
                    org.workflow_id, "review_application", "review_decision.v1",
                    f"Review application {org.reference}: {org.name}", org.id,
                    datetime.now(timezone.utc) + timedelta(days=2), assignee_role="channel_manager")


def told(sessions, user: User) -> list[Notification]:
    with sessions() as s:
        return list(s.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)))


async def test_a_group_task_is_a_digest_item_not_a_mail_by_default(sessions, smtp, steps):
    member = staff(sessions)
    org = organisation(sessions)
    spec = review_task(org)
    for _ in range(2):  # the activity retried
        await steps.open_step(OpenStepInput(spec))
    assert smtp.to(member.email) == []
    [row] = told(sessions, member)
    assert (row.kind, row.delivery, row.digest_key) == ("group_task", "digest", None)
    assert row.task_id == spec.task_id and row.link == f"/manage/tasks/{spec.task_id}"
    assert (row.company, row.reference, row.seen_at) == (org.name, org.reference, None)


async def test_a_member_who_chose_each_mail_gets_the_group_task_mail(sessions, smtp, steps):
    eager = staff(sessions, group_task="each")
    org = organisation(sessions)
    await steps.open_step(OpenStepInput(review_task(org)))
    [mail] = smtp.to(eager.email)
    assert mail.subject == f"New task: Review application {org.reference}: {org.name}"
    assert [r.delivery for r in told(sessions, eager)] == ["each"]


async def test_a_task_assigned_to_me_is_mailed_though_group_tasks_wait(sessions, smtp, outbox,
                                                                        tasks):
    holder, colleague = staff(sessions), staff(sessions)
    org = organisation(sessions)
    spec = review_task(org)

    def open_for_its_holder(session):
        # How a step opens for the manager who owns the application (the owner's rule): its row
        # written with its holder, then the notice.
        tasks.write_open(session, spec)
        row = session.get(Task, spec.task_id)
        row.claimed_by_id, row.status = holder.id, "claimed"
        return tasks.enqueue_notice(session, spec)

    await outbox.enqueue_and_deliver(open_for_its_holder)
    [mail] = smtp.to(holder.email)
    assert mail.subject.startswith("New task: Review application")
    assert [(r.kind, r.delivery) for r in told(sessions, holder)] == [("my_task", "each")]
    assert smtp.to(colleague.email) == []
    assert [(r.kind, r.delivery) for r in told(sessions, colleague)] == [("group_task", "digest")]


async def test_none_sends_no_mail_and_no_digest_but_keeps_the_notification(sessions, smtp, steps,
                                                                            tasks, outbox,
                                                                            mail_settings):
    quiet = staff(sessions, group_task="none", reminder="none")
    org = organisation(sessions)
    spec = review_task(org)
    await steps.open_step(OpenStepInput(spec))
    await tasks.task_checkpoint(TaskCheckpointInput(spec.task_id, CheckpointKind.REMIND,
                                                    "half time"))
    assert smtp.to(quiet.email) == []
    rows = told(sessions, quiet)
    assert [(r.kind, r.delivery) for r in rows] == [("group_task", "none"), ("reminder", "none")]
    await DigestActivities(outbox, mail_settings).send_digests(DigestInput(f"run-{uuid.uuid4()}"))
    assert smtp.to(quiet.email) == []
    assert all(r.digest_key is None for r in told(sessions, quiet))


async def test_an_escalation_is_mailed_to_the_leads_at_once(sessions, smtp, steps, tasks):
    lead = staff(sessions, role="program_lead")
    org = organisation(sessions)
    spec = review_task(org)
    await steps.open_step(OpenStepInput(spec))
    await tasks.task_checkpoint(TaskCheckpointInput(spec.task_id, CheckpointKind.ESCALATE,
                                                    "deadline", escalate_to_role="program_lead"))
    assert [m.subject.split(":")[0] for m in smtp.to(lead.email)] == ["Escalated"]
    assert [r.kind for r in told(sessions, lead)] == ["group_task", "escalation"]


async def test_the_digest_mails_each_person_one_mail_with_all_their_items(sessions, smtp, steps,
                                                                          outbox, mail_settings):
    member = staff(sessions, locale="zh_Hans")
    first, second = organisation(sessions), organisation(sessions)
    await steps.open_step(OpenStepInput(review_task(first)))
    await steps.open_step(OpenStepInput(review_task(second)))
    assert smtp.to(member.email) == []

    digest = DigestActivities(outbox, mail_settings)
    run = DigestInput(f"run-{uuid.uuid4()}")
    result = await digest.send_digests(run)
    assert result.mails >= 1 and result.items >= 2
    [mail] = smtp.to(member.email)
    assert "每日摘要" in mail.subject and "2" in mail.subject  # in the member's language
    for org in (first, second):
        assert org.reference in mail.body and org.name in mail.body
    assert "http://prm.test/manage/tasks/" in mail.body
    assert {r.digest_key for r in told(sessions, member)} == {f"digest/{run.key}/{member.id}"}

    await digest.send_digests(run)  # the same run retried
    await digest.send_digests(DigestInput(f"run-{uuid.uuid4()}"))  # the next day, nothing new
    assert len(smtp.to(member.email)) == 1


async def test_a_retry_keeps_what_the_first_attempt_chose(sessions, smtp, steps):
    """A setting changed between two attempts of one activity changes nothing for that notice:
    the retry neither mails what the first attempt put in the digest, nor writes a second row."""
    member = staff(sessions)
    spec = review_task(organisation(sessions))
    await steps.open_step(OpenStepInput(spec))
    with sessions.begin() as s:
        s.add(NotificationPreference(user_id=member.id, kind="group_task", delivery="each"))
    await steps.open_step(OpenStepInput(spec))  # Temporal retries the activity
    assert smtp.to(member.email) == []
    assert [r.delivery for r in told(sessions, member)] == ["digest"]
