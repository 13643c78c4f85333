"""Mail shows its dates in the recipient's time zone and language, the zone named, with the
pages' format (domain/dates.py): a staff user's own zone; an address without an account gets the
program's default zone (DEFAULT_TIME_ZONE). Real activities, a migrated SQLite file, real SMTP."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

import pytest

from activities.mail_render import render_mail
from activities.mailer import SmtpMailer
from activities.outbox import Outbox
from activities.tasks import TaskActivities
from db.migrate import upgrade
from db.models import NotificationPreference, Organisation, User
from db.session import make_sessions
from devstack.smtp import SmtpCatcher
from domain import ids
from domain.tasks import TaskSpec
from settings import Settings

DUE = datetime(2026, 12, 3, 11, 30, tzinfo=timezone.utc)  # 19:30 in Shanghai, 06:30 in New York


@pytest.fixture
def world(tmp_path, server):
    url = f"sqlite:///{tmp_path / 'prm.db'}"
    upgrade(url)
    sessions = make_sessions(url)
    settings = Settings(database_url=url, smtp_port=server.port, secret_key="tz-mail-secret",
                        base_url="http://prm.test", default_time_zone="America/New_York")
    outbox = Outbox(sessions, SmtpMailer(settings), settings)
    yield sessions, outbox, TaskActivities(outbox, settings)
    sessions.kw["bind"].dispose()


def _org(sessions) -> Organisation:
    org_id = str(uuid.uuid4())
    with sessions.begin() as s:
        org = Organisation(id=org_id, reference=ids.application_reference(org_id), name="Acme Ltd",
                           normalised_name="acme", domain="acme.example", country="CN",
                           partner_type="reseller", workflow_id=f"partner-onboarding-{org_id}",
                           application={"contact_name": "Li Wei"}, locale="en")
        s.add(org)
    return org


def _open(sessions, tasks, spec: TaskSpec) -> None:
    def write(s):
        tasks.write_open(s, spec)
        return tasks.enqueue_notice(s, spec)
    asyncio.run(tasks._outbox.enqueue_and_deliver(write))


def test_each_manager_reads_the_due_time_in_their_own_zone_and_language(world, server):
    sessions, _, tasks = world
    org = _org(sessions)
    shanghai, unset = f"wang-{uuid.uuid4().hex[:6]}@prm.example", f"ann-{uuid.uuid4().hex[:6]}@prm.example"
    with sessions.begin() as s:
        s.add(User(email=shanghai, name="Wang Fang", roles=["channel_manager"], locale="zh_Hans",
                   time_zone="Asia/Shanghai"))
        s.add(User(email=unset, name="Ann", roles=["channel_manager"], locale="en"))
    with sessions.begin() as s:  # a group task is mailed, not left for the digest
        for user in s.query(User).filter(User.email.in_([shanghai, unset])):
            s.add(NotificationPreference(user_id=user.id, kind="group_task", delivery="each"))
    spec = TaskSpec(task_id=ids.task_id(org.workflow_id, "review"), workflow_id=org.workflow_id,
                    task_type="review_application", form="review_decision.v1",
                    title="Review application", org_id=org.id, due_at=DUE,
                    assignee_role="channel_manager")
    _open(sessions, tasks, spec)

    (chinese,) = server.to(shanghai)
    assert "截止时间：2026年12月3日 19:30 上海时间" in chinese.body
    assert "2026年12月3日 19:30 上海时间" in chinese.html
    (english,) = server.to(unset)  # no zone of her own yet: the program's default
    assert "Due: 3 Dec 2026, 06:30 New York time" in english.body


def test_a_partner_address_without_an_account_gets_the_programs_default_zone(world, server):
    sessions, _, tasks = world
    org = _org(sessions)
    contact = f"li.wei-{uuid.uuid4().hex[:6]}@acme.example"
    spec = TaskSpec(task_id=ids.task_id(org.workflow_id, "sign"), workflow_id=org.workflow_id,
                    task_type="sign_agreement", form="sign_agreement.v1",
                    title="Sign the partner agreement", org_id=org.id, due_at=DUE,
                    assignee_org_id=org.id, assignee_email=contact)
    _open(sessions, tasks, spec)
    (mail,) = server.to(contact)
    assert "3 Dec 2026, 06:30 New York time" in mail.body


def test_without_a_default_zone_mail_is_in_utc_and_old_text_values_pass_unchanged():
    fresh = render_mail("partner_invitation", {"contact_name": "Li", "company": "Acme",
                                               "link": "http://x", "expires": DUE.isoformat()})
    assert "expires on 3 Dec 2026, 11:30 UTC" in fresh.text
    # An account mail asked for before the filter existed carried words, not a time.
    old = render_mail("partner_invitation", {"contact_name": "Li", "company": "Acme",
                                             "link": "http://x", "expires": "2026-12-03 11:30 UTC"})
    assert "expires on 2026-12-03 11:30 UTC" in old.text


def test_a_partner_with_an_account_reads_their_task_mail_in_their_own_zone(world, server):
    sessions, _, tasks = world
    org = _org(sessions)
    contact = f"li.wei-{uuid.uuid4().hex[:6]}@acme.example"
    with sessions.begin() as s:
        s.add(User(email=contact, name="Li Wei", roles=["partner_admin"], org_id=org.id,
                   locale="en", time_zone="Asia/Shanghai"))
    spec = TaskSpec(task_id=ids.task_id(org.workflow_id, "edit"), workflow_id=org.workflow_id,
                    task_type="edit_application", form="edit_application.v1",
                    title="Add information", org_id=org.id, due_at=DUE,
                    assignee_org_id=org.id, assignee_email=contact.upper())
    _open(sessions, tasks, spec)
    (mail,) = server.to(contact.upper())
    assert "3 Dec 2026, 19:30 Shanghai time" in mail.body
