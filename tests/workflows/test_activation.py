"""Activation: the stage follows what happened, and a contact whose email already has an account
becomes a channel manager's task instead of a failed workflow (issue 8)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Invitation, Organisation, TimelineEvent, User
from domain import notes
from domain.onboarding import Stage
from tests.conftest import unique_email
from tests.workflows.conftest import MANAGER, signed_by_both
from workflows import PartnerOnboardingWorkflow


def invitations_to(harness, address):
    return [m for m in harness.smtp.to(address) if "password" in m.subject.lower()]


async def test_a_taken_contact_email_is_a_managers_decision_not_a_stranded_partner(harness):
    # A first partner is activated with this contact: the address now has an account.
    first, first_org, first_app = await harness.start()
    await signed_by_both(harness, first, first_org, first_app)
    assert (await first.result()).stage == Stage.ACTIVE
    taken = first_app["contact_email"]

    # The same person applies for a second company: screening tells the reviewer.
    handle, org_id, app = await harness.start(contact_email=taken)
    review = await harness.open_task(handle, "review_application")
    flags = {f["code"]: f for f in review.context["flags"]}
    assert flags["contact_has_account"]["related_org_id"] == first_org
    assert taken in flags["contact_has_account"]["message"]
    await signed_by_both(harness, handle, org_id, app)

    # Activation does not happen, and nothing says it did: a manager is asked for a contact.
    choose = await harness.open_task(handle, "invite_contact")
    assert choose.assignee_role == "channel_manager" and choose.form == "partner_contact.v1"
    assert choose.context["taken_email"] == taken
    status = await handle.query(PartnerOnboardingWorkflow.get_status)
    assert status.stage == Stage.AWAITING_CONTACT and status.open_task_id == choose.id
    with harness.sessions() as s:
        org = s.get(Organisation, org_id)
        assert org.status == "awaiting_contact" and org.activated_at is None
        assert [u.email for u in s.scalars(select(User).where(User.org_id == org_id))] == []
        last = s.scalars(select(TimelineEvent).where(TimelineEvent.org_id == org_id)
                         .order_by(TimelineEvent.id.desc())).first()
        assert last.note == notes.CONTACT_HAS_ACCOUNT.format(email=taken)
    # The manager who countersigned owns the step: theirs at once, by mail (issue 9).
    assert harness.notices(choose.id, "mia@vendor.test") == [("my_task", "each")]
    assert len(invitations_to(harness, taken)) == 1  # the first partner's only

    # A staff address is taken too: the manager is asked again, with that address named.
    await harness.decide(handle, choose, MANAGER,
                         {"contact_name": "Lee", "contact_email": "lee@vendor.test"})
    assert (await harness.closed_task(choose.id)).completed_by == "Mia Manager"
    again = await harness.open_task(handle, "invite_contact")
    assert again.id != choose.id and again.context["taken_email"] == "lee@vendor.test"

    fresh = unique_email("wang.fang")
    await harness.decide(handle, again, MANAGER,
                         {"contact_name": "Wang Fang", "contact_email": fresh})
    status = await handle.result()
    assert status.stage == Stage.ACTIVE
    with harness.sessions() as s:
        org = s.get(Organisation, org_id)
        assert org.status == "active" and org.activated_at is not None
        admin = s.scalar(select(User).where(User.email == fresh))
        assert admin.org_id == org_id and admin.name == "Wang Fang"
        assert s.scalar(select(Invitation).where(Invitation.user_id == admin.id)) is not None
        other = s.scalar(select(User).where(User.email == taken))
        assert other.org_id == first_org  # the person stays with their own organisation
    invite = await harness.smtp.arrival(lambda m: fresh in m.recipients
                                        and "password" in m.subject.lower())
    assert "http://prm.test/set-password/" in invite.body
    assert len(invitations_to(harness, taken)) == 1


async def test_activation_sends_the_invitation_and_no_welcome(harness):
    """The welcome belongs after the password is set (web/auth), not beside the link."""
    handle, org_id, app = await harness.start()
    await signed_by_both(harness, handle, org_id, app)
    assert (await handle.result()).stage == Stage.ACTIVE
    subjects = [m.subject for m in harness.smtp.to(app["contact_email"])]
    assert "Set your password for the partner portal" in subjects
    assert not [s for s in subjects if s.startswith("Welcome")]
