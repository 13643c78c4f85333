"""The database layer on SQLite and PostgreSQL: schema = models, UTC times, idempotent writes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from activities.mailer import SmtpMailer
from activities.outbox import Outbox, Recipient
from activities.recruitment import RecruitmentActivities
from activities.steps import StepActivities
from activities.tasks import TaskActivities
from db.migrate import downgrade, upgrade
from db.models import Base, declared_in_models, OutboxMail, Task, TimelineEvent
from db.session import make_engine
from domain import ids
from domain.onboarding import AgreementInput, MailInput, RecordApplicationInput, Stage, StageChange
from domain.program import ProgramRules
from domain.steps import AcceptApplicationInput, CloseStepInput, IssueAgreementInput, OpenStepInput
from domain.tasks import CloseTaskInput, TaskOutcome, TaskSpec, TaskStatus
from settings import Settings
from tests.conftest import application


def test_migrations_create_exactly_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        # Indexes only a migration can create (a PostgreSQL expression index) are not in the models.
        context = MigrationContext.configure(conn, opts={"include_name": declared_in_models})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_go_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)


@pytest.fixture
def mail_settings(database_url, smtp) -> Settings:
    return Settings(database_url=database_url, smtp_port=smtp.port, secret_key="k",
                    base_url="http://prm.test")


@pytest.fixture
def outbox(sessions, mail_settings) -> Outbox:
    return Outbox(sessions, SmtpMailer(mail_settings), mail_settings)


async def test_a_retried_mail_is_sent_once(outbox, sessions, smtp):
    key = f"test/{uuid.uuid4()}"
    address = f"once-{uuid.uuid4().hex[:6]}@example.com"
    for _ in range(3):  # three activity attempts
        with sessions.begin() as s:
            keys = outbox.enqueue(s, key, [Recipient(address, "en")], "application_received",
                                  {"reference": "PA-1", "company": "Acme", "contact_name": "Li"})
        await outbox.deliver(keys)
    received = await smtp.arrival(lambda m: address in m.recipients)
    assert len(smtp.to(address)) == 1
    with sessions() as s:
        row = s.scalar(select(OutboxMail).where(OutboxMail.key == key))
        assert row.status == "sent" and received.message_id == row.message_id


async def mail_application_received(outbox, sessions, address: str, reference: str) -> int:
    """One confirmation mail to `address` in Chinese, through the outbox; how many went out."""
    with sessions.begin() as s:
        keys = outbox.enqueue(s, f"test/{uuid.uuid4()}", [Recipient(address, "zh_Hans")],
                              "application_received",
                              {"reference": reference, "company": "星辰", "contact_name": "李伟"})
    return await outbox.deliver(keys)


async def test_mail_reaches_an_address_in_chinese(outbox, sessions, smtp):
    address = f"李伟-{uuid.uuid4().hex[:6]}@例子.中国"
    assert await mail_application_received(outbox, sessions, address, "PA-3") == 1
    mail = await smtp.arrival(lambda m: address in m.recipients)
    assert str(mail.message["To"]) == address and "PA-3" in mail.subject


async def test_mail_renders_in_the_recipients_language(outbox, sessions, smtp):
    address = f"zh-{uuid.uuid4().hex[:6]}@example.com"
    await mail_application_received(outbox, sessions, address, "PA-2")
    mail = await smtp.arrival(lambda m: address in m.recipients)
    assert "PA-2" in mail.subject and any("\u4e00" <= c <= "\u9fff" for c in mail.subject)


async def test_activities_are_idempotent_under_retries(sessions, mail_settings, outbox):
    tasks = TaskActivities(outbox, mail_settings)
    steps = StepActivities(outbox, tasks, RecruitmentActivities(outbox, mail_settings))
    org_id = ids.new_org_id()
    wf = ids.onboarding_workflow_id(org_id)
    record = RecordApplicationInput(org_id, ids.application_reference(org_id), wf, application())
    in_review = StageChange(f"{wf}/stage/1", org_id, Stage.IN_REVIEW, "Awaiting review")
    approved = StageChange(f"{wf}/stage/2", org_id, Stage.AGREEMENT_OUT, "Approved", "Mia",
                           action="approved")
    awaiting = StageChange(f"{wf}/stage/3", org_id, Stage.AGREEMENT_OUT, "Awaiting signature")
    due = datetime.now(timezone.utc) + timedelta(days=2)
    review = TaskSpec(ids.task_id(wf, "review"), wf, "review_application", "review_decision.v1",
                      "Review", org_id, due, assignee_role="channel_manager")
    sign = TaskSpec(ids.task_id(wf, "sign"), wf, "sign_agreement", "sign_agreement.v1", "Sign",
                    org_id, due, assignee_org_id=org_id,
                    assignee_email=record.application["contact_email"])
    outcome = TaskOutcome(review.task_id, "approve", "Mia", "req-1", datetime.now(timezone.utc))
    review_closed = CloseStepInput(CloseTaskInput(review.task_id, TaskStatus.DONE, outcome), approved)
    confirmation = MailInput(key=f"{wf}/received", to=record.application["contact_email"],
                             template="application_received",
                             context={"reference": record.reference, "company": "Acme",
                                      "contact_name": "Li", "org_id": org_id})
    rules = ProgramRules()
    agreement = AgreementInput(org_id, wf, rules.agreement_template, rules.name, record.application)
    documents = []
    for _ in range(2):  # every step activity the workflow calls, each retried once
        await steps.accept_application(AcceptApplicationInput(
            record, confirmation, OpenStepInput(review, in_review)))
        documents.append(await steps.issue_agreement(IssueAgreementInput(
            agreement, OpenStepInput(sign, awaiting, (review_closed,)))))
        await steps.close_step(review_closed)
    assert documents[0] == documents[1]
    with sessions() as s:
        lines = s.scalars(select(TimelineEvent.action).where(TimelineEvent.org_id == org_id)
                          .order_by(TimelineEvent.id)).all()
        assert lines == ["submitted", "in_review", "approved", "agreement_out"]
        task = s.get(Task, review.task_id)
        assert task.status == "done" and task.completed_by == "Mia"
        assert task.due_at.tzinfo is not None
        assert abs(task.due_at - due) < timedelta(seconds=1)
        signing = s.get(Task, sign.task_id)
        assert signing.status == "open" and signing.context["sha256"] == documents[0].sha256
        assert s.scalar(select(func.count()).select_from(OutboxMail)
                        .where(OutboxMail.org_id == org_id)) == 2  # confirmation + sign link


def test_one_signature_per_party(sessions):
    from db.models import Agreement, Organisation, Signature
    org_id = ids.new_org_id()
    with sessions.begin() as s:
        s.add(Organisation(id=org_id, reference=ids.application_reference(org_id), name="X",
                           normalised_name="x", domain="x.com", country="CN", partner_type="agent",
                           workflow_id=ids.onboarding_workflow_id(org_id)))
        s.flush()
        s.add(Agreement(id=f"a-{org_id}", org_id=org_id, workflow_id="w", template="t", title="t",
                        body="b", sha256="0" * 64))
    now = datetime.now(timezone.utc)
    with pytest.raises(IntegrityError):
        with sessions.begin() as s:
            for _ in range(2):
                s.add(Signature(agreement_id=f"a-{org_id}", party="partner", full_name="Li",
                                signed_at=now, sha256="0" * 64))
                s.flush()
