"""The partner portal shows one organisation: its own. Everything else is 'not found'."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from db.models import Agreement, Signature, TimelineEvent
from domain.tokens import link_token
from tests.web.conftest import login, make_org, make_task, make_user, tag

AGREEMENT_TEXT = "PARTNER AGREEMENT\n\n1. Appointment. The Company appoints the Partner.\n"


def _agreement(sessions, org, signed_by: str | None = None) -> Agreement:
    sha = hashlib.sha256(AGREEMENT_TEXT.encode()).hexdigest()
    with sessions.begin() as s:
        agreement = Agreement(id=f"{org.workflow_id}--agreement-{tag()}", org_id=org.id,
                              workflow_id=org.workflow_id, template="partner_agreement.v1",
                              title=f"Partner agreement: {org.name}", body=AGREEMENT_TEXT, sha256=sha)
        s.add(agreement)
        s.flush()
        if signed_by:
            s.add(Signature(agreement_id=agreement.id, party="partner", full_name=signed_by,
                            signed_at=datetime.now(timezone.utc), ip="203.0.113.7",
                            user_agent="Firefox/140", sha256=sha))
    return agreement


def _two_partners(app, sessions):
    mine, theirs = make_org(sessions, status="active"), make_org(sessions, status="active")
    client = app.test_client()
    login(client, make_user(sessions, "partner_admin", org_id=mine.id))
    return client, mine, theirs


def test_a_partner_gets_404_for_another_organisations_task_agreement_and_profile(app, sessions):
    client, mine, theirs = _two_partners(app, sessions)
    my_task = make_task(sessions, mine, partner=True, task_type="sign_agreement", form="sign_agreement.v1")
    their_task = make_task(sessions, theirs, partner=True, task_type="sign_agreement", form="sign_agreement.v1")
    my_agreement, their_agreement = _agreement(sessions, mine), _agreement(sessions, theirs)

    # Their pages: not found, with the same answer a missing page gets.
    assert client.get(f"/portal/tasks/{their_task.id}").status_code == 404
    assert client.post(f"/portal/tasks/{their_task.id}",
                       data={"full_name": "Mallory", "accept": "y", "form_nonce": "n" * 24}).status_code == 404
    assert client.get(f"/portal/agreements/{their_agreement.id}").status_code == 404
    assert client.get(f"/portal/organisations/{theirs.id}").status_code == 404
    assert theirs.name not in client.get("/portal/").get_data(as_text=True)
    # Their emailed link with a token made for a different task: not found either.
    wrong_token = link_token("web-test-secret", "task", my_task.id)
    assert client.get(f"/t/{their_task.id}/{wrong_token}").status_code == 404

    # My own pages work, so the 404s above are about ownership.
    assert client.get(f"/portal/tasks/{my_task.id}").status_code == 200
    assert client.get(f"/portal/agreements/{my_agreement.id}").status_code == 200
    own = client.get(f"/portal/organisations/{mine.id}")
    assert mine.name in own.get_data(as_text=True)
    assert own.headers["Cache-Control"] == "no-store"  # private pages never sit in a shared cache


def test_portal_home_shows_status_timeline_and_my_tasks(app, sessions):
    client, mine, _ = _two_partners(app, sessions)
    task = make_task(sessions, mine, partner=True, task_type="edit_application", form="partner_application.v1",
                     context={"question": "Which regions do you cover?"})
    with sessions.begin() as s:
        s.add(TimelineEvent(key=f"{mine.workflow_id}/t/{tag()}", org_id=mine.id, action="in_review",
                            note="Awaiting review by channel managers", actor="system"))
    html = client.get("/portal/").get_data(as_text=True)
    assert "Active partner" in html
    assert "Awaiting review by channel managers" in html
    assert f"/portal/tasks/{task.id}" in html

    page = client.get(f"/portal/tasks/{task.id}").get_data(as_text=True)
    assert "Which regions do you cover?" in page
    assert f'value="{mine.application["company_name"]}"' in page  # the application, prefilled


def test_organisation_profile_lists_application_agreement_signatures_and_users(app, sessions):
    client, mine, _ = _two_partners(app, sessions)
    colleague = make_user(sessions, "partner_user", org_id=mine.id, name=f"Colleague {tag()}")
    agreement = _agreement(sessions, mine, signed_by="Li Wei")
    html = client.get("/portal/organisation", follow_redirects=True).get_data(as_text=True)
    assert mine.application["contact_email"] in html and "Reseller" in html
    assert agreement.title in html and "Signed by Li Wei" in html
    assert colleague.name in html and "partner user" in html
    page = client.get(f"/portal/agreements/{agreement.id}").get_data(as_text=True)
    assert "1. Appointment." in page and agreement.sha256 in page and "203.0.113.7" in page


def test_staff_have_no_portal(app, sessions):
    client = app.test_client()
    login(client, make_user(sessions, "channel_manager"))
    assert client.get("/portal/").status_code == 403


def test_the_contact_your_channel_manager_line_is_for_partners_and_applicants_only(app, sessions):
    line = "Questions? Contact your channel manager."
    partner, _, _ = _two_partners(app, sessions)
    assert line in partner.get("/portal/").get_data(as_text=True)
    assert line in app.test_client().get("/apply").get_data(as_text=True)
    staff = app.test_client()
    login(staff, make_user(sessions, "channel_manager"))
    assert line not in staff.get("/manage/inbox").get_data(as_text=True)
