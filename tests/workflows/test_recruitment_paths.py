"""The recruitment lifecycle's main paths, with real activities, database and SMTP."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Agreement, Invitation, Organisation, Signature, Task, User
from domain.onboarding import Stage
from domain.program import Countersign, ProgramRules
from domain.tasks import Actor
from tests.workflows.conftest import MANAGER


async def test_approved_application_is_signed_countersigned_and_activated(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    assert await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                 and "received" in m.subject)

    outcome = await harness.decide(handle, review, MANAGER, {"decision": "approve"})
    assert outcome.decided_by == "Mia Manager"

    sign = await harness.open_task(handle, "sign_agreement")
    partner = Actor(name=app["contact_name"], org_id=org_id, ip="203.0.113.7", user_agent="UA/1.0")
    await harness.decide(handle, sign, partner, {"full_name": "Li Wei", "accept": True})
    countersign = await harness.open_task(handle, "countersign")
    await harness.decide(handle, countersign, MANAGER, {"full_name": "Mia Manager", "accept": True})

    status = await handle.result()
    assert status.stage == Stage.ACTIVE
    with harness.sessions() as s:
        org = s.get(Organisation, org_id)
        assert org.status == "active" and org.activated_at is not None
        agreement = s.scalar(select(Agreement).where(Agreement.org_id == org_id))
        sigs = {x.party: x for x in s.scalars(select(Signature).where(
            Signature.agreement_id == agreement.id))}
        assert sigs["partner"].ip == "203.0.113.7" and sigs["partner"].user_agent == "UA/1.0"
        assert sigs["partner"].sha256 == agreement.sha256 == sigs["company"].sha256
        admin = s.scalar(select(User).where(User.email == app["contact_email"]))
        assert admin.org_id == org_id and admin.roles == ["partner_admin"]
        assert admin.password_hash is None
        assert s.scalar(select(Invitation).where(Invitation.user_id == admin.id)).used_at is None
    invite = await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                   and "password" in m.subject.lower())
    assert "http://prm.test/set-password/" in invite.body


async def test_rejection_emails_the_applicant_with_the_reason(harness):
    handle, org_id, app = await harness.start()
    review = await harness.open_task(handle, "review_application")
    await harness.decide(handle, review, MANAGER,
                         {"decision": "reject", "reason": "We already cover your region."})
    assert (await handle.result()).stage == Stage.REJECTED
    mail = await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                                 and "received" not in m.subject)
    assert "We already cover your region." in mail.body


async def test_automatic_countersignature(harness):
    handle, org_id, app = await harness.start(ProgramRules(countersign=Countersign.AUTOMATIC))
    await harness.decide(handle, await harness.open_task(handle, "review_application"), MANAGER,
                         {"decision": "approve"})
    sign = await harness.open_task(handle, "sign_agreement")
    await harness.decide(handle, sign, Actor(name="Li Wei", org_id=org_id),
                         {"full_name": "Li Wei", "accept": True})
    assert (await handle.result()).stage == Stage.ACTIVE
    with harness.sessions() as s:
        assert s.scalar(select(Task.id).where(Task.workflow_id == handle.id,
                                              Task.task_type == "countersign")) is None
        agreement = s.scalar(select(Agreement).where(Agreement.org_id == org_id))
        company = s.scalar(select(Signature).where(Signature.agreement_id == agreement.id,
                                                   Signature.party == "company"))
        assert company.full_name == "Partner program (automatic)"
        assert agreement.status == "countersigned"
    await harness.smtp.arrival(lambda m: app["contact_email"] in m.recipients
                               and "password" in m.subject.lower())
