"""The outbox with the real activities, a migrated SQLite file and a real SMTP server: what the
recipient gets, and what the database keeps (never a link's token)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select, text

from activities.mailer import SmtpMailer
from activities.outbox import Outbox, Recipient, SecretLink
from activities.recruitment import RecruitmentActivities
from activities.steps import StepActivities
from activities.tasks import TaskActivities
from db.migrate import upgrade
from db.models import Invitation, Organisation, OutboxMail
from db.session import make_sessions
from devstack.smtp import SmtpCatcher
from domain import ids
from domain.onboarding import ActivationInput
from domain.steps import OpenStepInput
from domain.tasks import TaskSpec
from domain.tokens import link_token, token_hash
from settings import Settings

SECRET = "outbox-test-secret"


@pytest.fixture
def world(tmp_path, server):
    url = f"sqlite:///{tmp_path / 'prm.db'}"
    upgrade(url)
    sessions = make_sessions(url)
    settings = Settings(database_url=url, smtp_port=server.port, secret_key=SECRET,
                        base_url="http://prm.test", company_name="星辰软件有限公司",
                        brand_color="#c8102e")
    outbox = Outbox(sessions, SmtpMailer(settings), settings)
    tasks = TaskActivities(outbox, settings)
    recruitment = RecruitmentActivities(outbox, settings)
    yield sessions, outbox, tasks, recruitment, StepActivities(outbox, tasks, recruitment)
    sessions.kw["bind"].dispose()


def _organisation(sessions, company: str = "Acme\n\nTrading") -> Organisation:
    org_id = str(uuid.uuid4())
    with sessions.begin() as s:
        org = Organisation(id=org_id, reference=ids.application_reference(org_id), name=company,
                           normalised_name="acme trading", domain="acme.example", country="CN",
                           partner_type="reseller", workflow_id=f"partner-onboarding-{org_id}",
                           application={"contact_name": "李伟"}, locale="zh_Hans")
        s.add(org)
    return org


def _every_value(sessions) -> str:
    """Every column of every row of every table, as text."""
    with sessions() as s:
        tables = inspect(s.get_bind()).get_table_names()
        return "\n".join(str(value) for table in tables
                         for row in s.execute(text(f'SELECT * FROM "{table}"')) for value in row)


def test_the_invitation_and_the_signing_link_reach_the_partner_and_no_row_keeps_a_token(
        world, server):
    sessions, _, _, recruitment, steps = world
    org = _organisation(sessions)
    contact = f"li.wei-{uuid.uuid4().hex[:6]}@acme.example"
    task_id = ids.task_id(org.workflow_id, "sign_agreement")
    spec = TaskSpec(task_id=task_id, workflow_id=org.workflow_id, task_type="sign_agreement",
                    form="sign_agreement.v1", title="Sign the partner agreement", org_id=org.id,
                    due_at=datetime.now(timezone.utc) + timedelta(days=14),
                    assignee_org_id=org.id, assignee_email=contact)

    async def send() -> None:
        await steps.open_step(OpenStepInput(task=spec))
        await recruitment.activate_organisation(ActivationInput(
            org_id=org.id, workflow_id=org.workflow_id, contact_name="李伟", contact_email=contact,
            invitation_ttl_seconds=7 * 86400, locale="zh_Hans"))

    asyncio.run(send())
    signing_token = link_token(SECRET, "task", task_id)
    invitation_token = link_token(SECRET, "invitation", ids.invitation_key(org.workflow_id, contact))
    mails = {m.subject: m for m in server.to(contact)}
    signing, invitation = mails["您的合作伙伴协议已可签署"], mails["设置您的合作伙伴门户密码"]
    assert f"http://prm.test/t/{task_id}/{signing_token}\n" in signing.body
    assert f'href="http://prm.test/t/{task_id}/{signing_token}"' in signing.html
    assert f"http://prm.test/set-password/{invitation_token}\n" in invitation.body
    assert f'href="http://prm.test/set-password/{invitation_token}"' in invitation.html
    # The link works: the web app finds the invitation by the token's hash.
    with sessions() as s:
        assert s.scalar(select(Invitation).where(
            Invitation.token_hash == token_hash(invitation_token))) is not None
    stored = _every_value(sessions)
    assert signing_token not in stored and invitation_token not in stored
    assert "星辰软件有限公司" in invitation.html and "#c8102e" in invitation.html


def test_a_retry_sends_the_same_mail_with_the_same_message_id(world, server):
    sessions, outbox, *_ = world
    key = f"test/{uuid.uuid4()}"
    link = SecretLink("invitation", key, "/set-password/{token}")
    context = {"contact_name": "Li", "company": "Acme", "link": link, "expires": "soon"}

    def enqueue(session):
        return outbox.enqueue(session, key, [Recipient("li@acme.example", "en")],
                              "partner_invitation", context)

    asyncio.run(outbox.enqueue_and_deliver(enqueue))
    with sessions.begin() as s:  # the server took it, the activity died before it was booked
        s.scalar(select(OutboxMail).where(OutboxMail.key == key)).status = "pending"
    asyncio.run(outbox.enqueue_and_deliver(enqueue))
    first, again = server.to("li@acme.example")
    assert first.message_id == again.message_id  # a reader's client shows it once
    assert (first.subject, first.body, first.html) == (again.subject, again.body, again.html)
    assert link_token(SECRET, "invitation", key) in first.body


def test_the_migration_takes_the_tokens_out_of_mail_already_stored(tmp_path, server):
    """Before 0003 every mail's link was stored as sent; after it, only what recomputes it."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    sessions = make_sessions(url)
    invitation_key = "partner-onboarding-1/invitation/li@acme.example"
    invite = link_token(SECRET, "invitation", invitation_key)
    task = link_token(SECRET, "task", "partner-onboarding-1--sign_agreement")
    gone = link_token(SECRET, "invitation", "an invitation deleted since")
    now = datetime.now(timezone.utc)
    with sessions.begin() as s:
        s.execute(text("INSERT INTO user_account (email, name, roles, active, locale, "
                       "session_epoch, created_at) VALUES ('li@acme.example', 'Li', '[]', 1, "
                       "'en', 0, :now)"), {"now": now})
        s.execute(text("INSERT INTO invitation (key, token_hash, user_id, expires_at, created_at) "
                       "VALUES (:key, :hash, 1, :now, :now)"),
                  {"key": invitation_key, "hash": token_hash(invite), "now": now})
        for key, body, status in [
                ("invite", f"Set your password:\n\n  http://old.example/set-password/{invite}\n", "pending"),
                ("sign", f"Sign here: http://old.example/t/partner-onboarding-1--sign_agreement/{task}\n", "sent"),
                ("gone", f"Set it: http://old.example/set-password/{gone}\n", "sent")]:
            s.execute(text("INSERT INTO outbox_mail (key, message_id, recipients, subject, "
                           "body_text, status, attempts, last_error, created_at) VALUES "
                           "(:key, '<m@prm.example>', '[\"li@acme.example\"]', 'Hi', :body, "
                           ":status, 0, '', :now)"),
                      {"key": key, "body": body, "status": status, "now": now})
    sessions.kw["bind"].dispose()
    upgrade(url)
    sessions = make_sessions(url)
    stored = _every_value(sessions)
    assert invite not in stored and task not in stored and gone not in stored
    with sessions() as s:
        assert "Set it: [link removed]" in s.scalar(
            select(OutboxMail.body_text).where(OutboxMail.key == "gone"))
    # The mail still pending goes out with its link, computed again.
    settings = Settings(database_url=url, smtp_port=server.port, secret_key=SECRET,
                        base_url="http://prm.test")
    asyncio.run(Outbox(sessions, SmtpMailer(settings), settings).deliver(["invite"]))
    (sent,) = server.to("li@acme.example")
    assert f"  http://prm.test/set-password/{invite}\n" in sent.body
    sessions.kw["bind"].dispose()
