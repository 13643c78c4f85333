"""Task pages driven by the task row: what they show, and every way a submission can end
before it reaches Temporal (this app's Temporal address refuses connections).

A decision someone else made first, and the same submission sent twice, are made for real
against the running stack: tests/web/test_recruitment_live.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from db.models import Task, TimelineEvent
from tests.web.conftest import field_block, login, make_org, make_task, make_user, nonce_of, tag
from tests.web.test_portal import _agreement


def _manager(app, sessions, name=None):
    user = make_user(sessions, "channel_manager", name=name or f"Manager {tag()}")
    client = app.test_client()
    login(client, user)
    return client, user


def test_review_page_shows_flags_application_and_timeline(app, sessions):
    org = make_org(sessions, contact_email="someone@gmail.com")
    with sessions.begin() as s:
        s.get(type(org), org.id).flags = [{"code": "free_mail_domain", "related_org_id": "",
                                           "message": "Contact uses a free-mail domain (gmail.com)"}]
        s.add(TimelineEvent(key=f"{org.workflow_id}/submitted-{tag()}", org_id=org.id, action="submitted",
                            note="Application submitted", actor="Li Wei"))
    task = make_task(sessions, org)
    client, _ = _manager(app, sessions)
    html = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    assert "Free-mail address" in html and "Contact uses a free-mail domain (gmail.com)" in html
    assert "someone@gmail.com" in html and "Manufacturing" in html and "China" in html
    assert "Application submitted" in html and "Li Wei" in html
    assert 'name="decision"' in html and nonce_of(html)


def test_reject_without_reason_is_refused_on_the_reason_field(app, sessions):
    task = make_task(sessions, make_org(sessions))
    client, _ = _manager(app, sessions)
    nonce = nonce_of(client.get(f"/manage/tasks/{task.id}").get_data(as_text=True))
    response = client.post(f"/manage/tasks/{task.id}", data={"decision": "reject", "reason": "", "form_nonce": nonce})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give a reason the applicant can act on" in field_block(html, "reason")
    assert "checked" in html.split('value="reject"')[0].rsplit("<input", 1)[1]  # choice kept
    assert nonce_of(html) == nonce  # the same submission, still recognisable as a retry
    more = client.post(f"/manage/tasks/{task.id}", data={"decision": "more_info", "reason": "ok", "form_nonce": nonce})
    assert "Give a reason the applicant can act on" in field_block(more.get_data(as_text=True), "reason")


def test_countersign_page_shows_agreement_hash_and_partner_signature(app, sessions):
    org = make_org(sessions, status="countersign")
    agreement = _agreement(sessions, org, signed_by="Li Wei")
    task = make_task(sessions, org, step="countersign", task_type="countersign", form="countersign.v1",
                     context={"agreement_id": agreement.id, "sha256": agreement.sha256})
    client, _ = _manager(app, sessions)
    html = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    assert "1. Appointment." in html and agreement.sha256 in html
    assert "Li Wei" in html and "203.0.113.7" in html and "Firefox/140" in html
    assert "I countersign this agreement on behalf of the company" in html


def test_an_expired_task_answers_409(app, sessions):
    task = make_task(sessions, make_org(sessions), status="expired", due_in=timedelta(days=-1))
    client, _ = _manager(app, sessions)
    response = client.post(f"/manage/tasks/{task.id}", data={"decision": "approve", "form_nonce": "y" * 24})
    assert response.status_code == 409 and "This task expired" in response.get_data(as_text=True)


def test_temporal_unreachable_answers_503_and_keeps_the_input(app, sessions):
    task = make_task(sessions, make_org(sessions))
    client, _ = _manager(app, sessions)
    response = client.post(f"/manage/tasks/{task.id}", data={
        "decision": "more_info", "reason": "Which regions?", "form_nonce": "z" * 24})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Nothing was lost" in html and "Which regions?" in field_block(html, "reason")
    with sessions() as s:
        assert s.get(Task, task.id).status == "open"


def test_other_groups_and_partner_tasks_are_not_found_for_managers(app, sessions):
    org = make_org(sessions)
    partner_task = make_task(sessions, org, partner=True, task_type="sign_agreement", form="sign_agreement.v1")
    lead_task = make_task(sessions, org, role="program_lead")
    client, _ = _manager(app, sessions)
    assert client.get(f"/manage/tasks/{partner_task.id}").status_code == 404
    assert client.get(f"/manage/tasks/{lead_task.id}").status_code == 404
    lead = app.test_client()
    login(lead, make_user(sessions, "program_lead"))
    assert lead.get(f"/manage/tasks/{lead_task.id}").status_code == 200


def test_the_task_heading_joins_type_and_company_as_each_language_writes_it(app, sessions):
    # Chinese joins them with a full-width colon, as the mail headings do; English with ": ".
    org = make_org(sessions, name=f"Acme {tag()} 有限公司", status="active")
    review = make_task(sessions, org)
    make_task(sessions, org, step="edit", task_type="edit_application", form="partner_application.v1",
              partner=True)
    manager = app.test_client()
    login(manager, make_user(sessions, "channel_manager", locale="zh_Hans"))
    html = manager.get(f"/manage/tasks/{review.id}").get_data(as_text=True)
    assert f"<h1>审核申请：{org.name}</h1>" in html and f"审核申请: {org.name}" not in html
    partner = app.test_client()
    login(partner, make_user(sessions, "partner_admin", org_id=org.id, locale="zh_Hans"))
    assert f"补充申请信息：{org.name}</a>" in partner.get("/portal/").get_data(as_text=True)
    english, _ = _manager(app, sessions)
    assert f"<h1>Review application: {org.name}</h1>" in english.get(
        f"/manage/tasks/{review.id}").get_data(as_text=True)


def test_an_emailed_link_with_a_non_ascii_token_is_not_found(app, sessions):
    task = make_task(sessions, make_org(sessions), partner=True, task_type="sign_agreement",
                     form="sign_agreement.v1")
    client = app.test_client()
    for token in ("tökén", "令牌", "%C3%A9" * 10, "%ED%A0%80"):  # the last: a lone surrogate's bytes
        response = client.get(f"/t/{task.id}/{token}")
        assert response.status_code == 404, token
        assert "Page not found" in response.get_data(as_text=True)


# -- an emailed link after its step closed -------------------------------------------------------

def _link(task) -> str:
    from domain.tokens import link_token

    return f"/t/{task.id}/{link_token('web-test-secret', 'task', task.id)}"


def _close(sessions, task, status: str, by: str | None = None) -> None:
    with sessions.begin() as s:
        row = s.get(Task, task.id)
        row.status, row.completed_at = status, datetime(2026, 3, 4, 9, 30, tzinfo=timezone.utc)
        if by:
            row.decision, row.completed_by, row.completed_request_id = "signed", by, f"{task.id}/first"


def _sign_task(sessions):
    org = make_org(sessions, status="agreement_out")
    agreement = _agreement(sessions, org, signed_by="Li Wei")
    task = make_task(sessions, org, partner=True, step="sign", task_type="sign_agreement",
                     form="sign_agreement.v1", context={"agreement_id": agreement.id,
                                                        "question": "Please sign by Friday"})
    return org, agreement, task


def _shows_nothing_of(html: str, org, agreement=None) -> None:
    html = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]  # the page, not its header
    for private in (org.application["contact_email"], org.application["website"], "Please sign by Friday",
                    "203.0.113.7", "Firefox/140", "<form", 'name="full_name"'):
        assert private not in html, private
    if agreement is not None:
        assert "1. Appointment." not in html and agreement.sha256 not in html


def test_an_open_link_shows_the_agreement_and_the_form(app, sessions):
    org, agreement, task = _sign_task(sessions)
    html = app.test_client().get(_link(task)).get_data(as_text=True)
    assert "1. Appointment." in html and agreement.sha256 in html and 'name="full_name"' in html
    assert "Please sign by Friday" in html


def test_a_link_to_a_signed_agreement_says_the_step_is_done_and_shows_nothing_else(app, sessions):
    org, agreement, task = _sign_task(sessions)
    _close(sessions, task, "done", by="Li Wei")
    client = app.test_client()
    response = client.get(_link(task))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "This step is done: Li Wei completed it on 4 Mar 2026" in html
    _shows_nothing_of(html, org, agreement)
    # Sending the form again (an old tab, a forwarded link): refused, and still nothing else.
    again = client.post(_link(task), data={"full_name": "Mallory", "accept": "y", "form_nonce": "n" * 24})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "Already decided by Li Wei." in html and "Mallory" not in html
    _shows_nothing_of(html, org, agreement)


def test_a_link_to_an_expired_step_says_so_and_shows_nothing_else(app, sessions):
    org, agreement, task = _sign_task(sessions)
    _close(sessions, task, "expired")
    html = app.test_client().get(_link(task)).get_data(as_text=True)
    assert "This step is closed" in html and "It expired on 4 Mar 2026" in html and "without an answer" in html
    _shows_nothing_of(html, org, agreement)


def test_a_link_to_an_answered_question_no_longer_shows_the_application(app, sessions):
    org = make_org(sessions)
    task = make_task(sessions, org, partner=True, step="edit", task_type="edit_application",
                     form="partner_application.v1", context={"question": "Please sign by Friday"})
    assert org.application["website"] in app.test_client().get(_link(task)).get_data(as_text=True)
    _close(sessions, task, "done", by="Li Wei")
    client = app.test_client()
    html = client.get(_link(task)).get_data(as_text=True)
    assert "Thank you — we have your answer" in html
    _shows_nothing_of(html, org)
    again = client.post(_link(task), data={**org.application, "form_nonce": "m" * 24})
    assert again.status_code == 409 and "Already decided by Li Wei." in again.get_data(as_text=True)
    _shows_nothing_of(again.get_data(as_text=True), org)
