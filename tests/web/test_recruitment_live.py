"""Recruitment through the web app against the real stack: Temporal dev server, a real worker,
the database and an SMTP server (fixtures in tests/conftest.py). No mocks: every decision is a
real workflow update, every link comes from a real email."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import pytest
from sqlalchemy import select

from db.models import Organisation, Signature, Task
from domain import ids
from domain.onboarding import OnboardingStatus
from tests.conftest import application
from tests.web.conftest import field_block, login, make_org, make_task, make_user, nonce_of, tag

pytestmark = pytest.mark.slow
BROWSER = "PRM-Test-Browser/1.0"


def wait_for(probe, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def open_task(sessions, task_id: str, status: str = "open") -> Task:
    """The task once it has opened: "claimed" for a step that opens held by its owner."""
    def probe():
        with sessions() as s:
            row = s.get(Task, task_id)
            return row if row is not None and row.status == status else None
    return wait_for(probe, f"task {task_id} to open")


def apply(app, sessions, **overrides) -> tuple[Organisation, dict]:
    data = application(**overrides)
    client = app.test_client()
    nonce = nonce_of(client.get("/apply").get_data(as_text=True))
    response = client.post("/apply", data={**data, "form_nonce": nonce})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    reference = response.headers["Location"].rsplit("/", 1)[1]
    assert reference in client.get(response.headers["Location"]).get_data(as_text=True)

    def probe():
        with sessions() as s:
            return s.scalar(select(Organisation).where(Organisation.reference == reference))
    return wait_for(probe, f"organisation {reference}"), data


def workflow_status(app, org: Organisation) -> OnboardingStatus:
    async def query(client):
        return await client.get_workflow_handle(org.workflow_id).query(
            "get_status", result_type=OnboardingStatus)
    return app.extensions["prm.temporal"].run(query)


def recorded_decisions(app, org: Organisation) -> tuple[str, ...]:
    """The workflow's decisions once it has taken one in: the update answers when the decision
    is accepted, a moment before the workflow's main line records it."""
    return wait_for(lambda: workflow_status(app, org).decisions, "the workflow to record the decision")


def manager(app, sessions, first_name: str):
    user = make_user(sessions, "channel_manager", name=f"{first_name} {tag()}")
    client = app.test_client()
    login(client, user)
    return client, user


def emailed_path(smtp, address: str, marker: str) -> str:
    mail = smtp.wait_for(lambda m: address in m.recipients and marker in m.body)
    return re.search(rf"https?://[^/\s]+({re.escape(marker)}\S+)", mail.body).group(1)


def timeline(html: str) -> list[tuple[str, str, str]]:
    """(what happened, note, who) of each line of a page's timeline card, as a reader sees them."""
    card = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    lines = []
    for item in re.findall(r"<li>(.*?)</li>", card, re.S):
        note = re.search(r"<span>(.*?)</span>", item, re.S)
        lines.append((unescape(re.search(r"<strong>(.*?)</strong>", item, re.S).group(1)).strip(),
                      unescape(note.group(1)).strip() if note else "",
                      unescape(re.search(r'<span class="when">[^<]*· ([^<]*)</span>', item).group(1)).strip()))
    return lines


def mails_to(smtp, address: str, subject_starts: str) -> list:
    return [m for m in smtp.to(address) if m.subject.startswith(subject_starts)]


REJECTED_SUBJECT = "Your partner application "  # application_rejected.jinja
SIGN_SUBJECT = "Your partner agreement is ready to sign"  # task_sign_agreement.jinja


def decide_together(requests):
    """Send the POSTs at the same moment, each from its own browser."""
    barrier = threading.Barrier(len(requests))

    def send(client, url, data):
        barrier.wait()
        return client.post(url, data=data)
    with ThreadPoolExecutor(len(requests)) as pool:
        return [f.result() for f in [pool.submit(send, *r) for r in requests]]


def test_two_managers_deciding_at_once_exactly_one_decision_counts(live_app, sessions, smtp):
    org, data = apply(live_app, sessions)
    task = open_task(sessions, ids.task_id(org.workflow_id, "review", 1))
    (alice_client, alice), (bob_client, bob) = manager(live_app, sessions, "Alice"), manager(live_app, sessions, "Bob")
    url = f"/manage/tasks/{task.id}"
    alice_nonce = nonce_of(alice_client.get(url).get_data(as_text=True))
    bob_nonce = nonce_of(bob_client.get(url).get_data(as_text=True))

    responses = decide_together([
        (alice_client, url, {"decision": "approve", "form_nonce": alice_nonce}),
        (bob_client, url, {"decision": "reject", "reason": "Outside our target markets", "form_nonce": bob_nonce}),
    ])

    assert sorted(r.status_code for r in responses) == [302, 409]
    won = 0 if responses[0].status_code == 302 else 1
    winner, loser_response = (alice, bob)[won], responses[1 - won]
    html = loser_response.get_data(as_text=True)
    assert f"Already decided by {winner.name}." in html
    # The loser's own input is still on the page: the choice, and a typed reason.
    lost_choice = ("reject", "approve")[won]
    assert "checked" in html.split(f'value="{lost_choice}"')[0].rsplit("<input", 1)[1]
    if won == 0:
        assert "Outside our target markets" in field_block(html, "reason")
    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.status, row.completed_by) == ("done", winner.name)
        assert row.decision == ("approve", "reject")[won]
    assert recorded_decisions(live_app, org) == (f"review 1: {row.decision} by {winner.name}",)

    # What the applicant gets is what the winner decided, and nothing of the other decision.
    contact = data["contact_email"]
    if won == 0:
        smtp.wait_for(lambda m: contact in m.recipients and m.subject == SIGN_SUBJECT)
        wait_for(lambda: workflow_status(live_app, org).stage == "agreement_out", "the agreement stage")
    else:
        rejection = smtp.wait_for(lambda m: contact in m.recipients and m.subject.startswith(REJECTED_SUBJECT))
        assert "Outside our target markets" in rejection.body
    time.sleep(1.0)  # the losing decision's mail, were it to go, would have arrived by now
    assert len(mails_to(smtp, contact, SIGN_SUBJECT)) == (1 if won == 0 else 0)
    assert len(mails_to(smtp, contact, REJECTED_SUBJECT)) == (0 if won == 0 else 1)


def test_a_manager_whose_page_is_stale_is_told_who_decided_and_keeps_what_they_typed(
        live_app, sessions, smtp):
    """Bob opened the task, Alice approved it meanwhile; Bob's rejection then changes nothing."""
    org, data = apply(live_app, sessions)
    task = open_task(sessions, ids.task_id(org.workflow_id, "review", 1))
    (alice_client, alice), (bob_client, _bob) = manager(live_app, sessions, "Alice"), manager(live_app, sessions, "Bob")
    url = f"/manage/tasks/{task.id}"
    bob_nonce = nonce_of(bob_client.get(url).get_data(as_text=True))
    approved = alice_client.post(url, data={"decision": "approve",
                                            "form_nonce": nonce_of(alice_client.get(url).get_data(as_text=True))})
    assert approved.status_code == 302

    late = bob_client.post(url, data={"decision": "reject", "reason": "Not a fit for our markets",
                                      "form_nonce": bob_nonce})

    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert f"Already decided by {alice.name}." in html
    assert "Not a fit for our markets" in field_block(html, "reason")
    assert "checked" in html.split('value="reject"')[0].rsplit("<input", 1)[1]
    assert recorded_decisions(live_app, org) == (f"review 1: approve by {alice.name}",)
    smtp.wait_for(lambda m: data["contact_email"] in m.recipients and m.subject == SIGN_SUBJECT)
    assert mails_to(smtp, data["contact_email"], REJECTED_SUBJECT) == []


def test_a_double_submit_returns_the_first_result(live_app, sessions, smtp):
    org, data = apply(live_app, sessions)
    task = open_task(sessions, ids.task_id(org.workflow_id, "review", 1))
    client, user = manager(live_app, sessions, "Carol")
    other_tab = live_app.test_client()
    other_tab.set_cookie("prm_session", client.get_cookie("prm_session").value)
    url = f"/manage/tasks/{task.id}"
    nonce = nonce_of(client.get(url).get_data(as_text=True))
    reason = "We already cover this region"
    form = {"decision": "reject", "reason": reason, "form_nonce": nonce}

    first, second = decide_together([(client, url, form), (other_tab, url, form)])  # a double click
    third = client.post(url, data=form)  # and a browser retry after the fact

    for response in (first, second, third):
        assert response.status_code == 302 and response.headers["Location"] == "/manage/inbox"
    with sessions() as s:
        row = s.get(Task, task.id)
        assert (row.decision, row.completed_request_id) == ("reject", f"{task.id}/{nonce}")
    assert recorded_decisions(live_app, org) == (f"review 1: reject by {user.name}",)
    wait_for(lambda: workflow_status(live_app, org).stage == "rejected", "the rejection")

    # The applicant is told once, with the reason; the timeline says who rejected it and why.
    contact = data["contact_email"]
    rejection = smtp.wait_for(lambda m: contact in m.recipients and m.subject.startswith(REJECTED_SUBJECT))
    assert rejection.subject == f"{REJECTED_SUBJECT}{org.reference}"
    assert reason in rejection.body and reason in rejection.html
    assert ("Rejected", reason, user.name) in timeline(client.get(url).get_data(as_text=True))

    # A retry once the workflow has ended (a rejection ends it) is still the first result.
    def ended():
        async def describe(c):
            return (await c.get_workflow_handle(org.workflow_id).describe()).status.name
        return live_app.extensions["prm.temporal"].run(describe) == "COMPLETED"
    wait_for(ended, "the workflow to end")
    late = client.post(url, data=form)
    assert late.status_code == 302 and late.headers["Location"] == "/manage/inbox"
    assert "Recorded: Rejected" in client.get("/manage/inbox").get_data(as_text=True)
    time.sleep(1.0)
    assert len(mails_to(smtp, contact, REJECTED_SUBJECT)) == 1


def test_recruitment_from_application_to_portal(live_app, sessions, smtp):
    org, data = apply(live_app, sessions)
    contact = data["contact_email"]
    manager_client, _ = manager(live_app, sessions, "Dana")
    partner = live_app.test_client()  # no account yet: emailed links only

    # Review asks a question; the partner answers through the emailed link.
    review = open_task(sessions, ids.task_id(org.workflow_id, "review", 1))
    page = manager_client.get(f"/manage/tasks/{review.id}").get_data(as_text=True)
    asked = manager_client.post(f"/manage/tasks/{review.id}", data={
        "decision": "more_info", "reason": "Which regions do you cover?", "form_nonce": nonce_of(page)})
    assert asked.status_code == 302
    edit_link = emailed_path(smtp, contact, "/t/")
    page = partner.get(edit_link).get_data(as_text=True)
    assert "Which regions do you cover?" in page and data["company_name"] in field_block(page, "company_name")
    answered = partner.post(edit_link, data={**data, "region": "Jiangsu and Zhejiang", "form_nonce": nonce_of(page)})
    assert answered.status_code == 302
    assert "Thank you — we have your answer" in partner.get(edit_link).get_data(as_text=True)

    # Second review round sees the new answer; approval sends the agreement.
    # Dana decided the first round, so the second opens held by her (ownership sticks), as does
    # the countersignature after it.
    review2 = open_task(sessions, ids.task_id(org.workflow_id, "review", 2), "claimed")
    page = manager_client.get(f"/manage/tasks/{review2.id}").get_data(as_text=True)
    assert "Jiangsu and Zhejiang" in page
    assert manager_client.post(f"/manage/tasks/{review2.id}", data={
        "decision": "approve", "form_nonce": nonce_of(page)}).status_code == 302

    sign = open_task(sessions, ids.task_id(org.workflow_id, "sign", 1))
    sign_link = emailed_path(smtp, contact, f"/t/{sign.id}/")
    page = partner.get(sign_link).get_data(as_text=True)
    assert "PARTNER AGREEMENT" in page and sign.context["sha256"] in page
    refused = partner.post(sign_link, data={"full_name": "Li Wei", "form_nonce": nonce_of(page)})
    assert refused.status_code == 400 and "You must accept the agreement to sign it" in refused.get_data(as_text=True)
    signed = partner.post(sign_link, data={"full_name": "Li Wei", "accept": "y", "form_nonce": nonce_of(page)},
                          headers={"User-Agent": BROWSER})
    assert signed.status_code == 302
    # The link now says the step is done, and shows neither the agreement nor its form.
    main = partner.get(sign_link).get_data(as_text=True).split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert "Thank you — the agreement is signed" in main
    assert "PARTNER AGREEMENT" not in main and sign.context["sha256"] not in main and "<form" not in main
    forwarded = partner.post(sign_link, data={"full_name": "Mallory", "accept": "y", "form_nonce": "f" * 24})
    assert forwarded.status_code == 409 and "Already decided by Li Wei." in forwarded.get_data(as_text=True)

    # The manager countersigns, seeing the partner's signature.
    countersign = open_task(sessions, ids.task_id(org.workflow_id, "countersign", 1), "claimed")
    page = manager_client.get(f"/manage/tasks/{countersign.id}").get_data(as_text=True)
    assert "Li Wei" in page and BROWSER in page and "127.0.0.1" in page
    assert manager_client.post(f"/manage/tasks/{countersign.id}", data={
        "full_name": "Dana Manager", "accept": "y", "form_nonce": nonce_of(page)}).status_code == 302

    # Activation: the invitation link sets a password and opens the portal.
    invite = emailed_path(smtp, contact, "/set-password/")
    done = partner.post(invite, data={"password": "a long password", "confirm": "a long password"})
    assert done.status_code == 302 and done.headers["Location"] == "/portal/"
    # The mail goes out a moment before the workflow records the stage (activate, then set_stage).
    wait_for(lambda: "Active partner" in partner.get("/portal/").get_data(as_text=True), "the active stage")
    assert org.reference in partner.get("/portal/").get_data(as_text=True)
    profile = partner.get("/portal/organisation", follow_redirects=True).get_data(as_text=True)
    assert "Signed by Li Wei" in profile and "Signed by Dana Manager" in profile
    with sessions() as s:
        signature = s.scalar(select(Signature).where(Signature.party == "partner",
                                                     Signature.full_name == "Li Wei",
                                                     Signature.sha256 == sign.context["sha256"]))
        assert (signature.ip, signature.user_agent) == ("127.0.0.1", BROWSER)


def test_the_same_application_sent_twice_is_one_application(live_app, sessions):
    data = application()
    client = live_app.test_client()
    form = {**data, "form_nonce": nonce_of(client.get("/apply").get_data(as_text=True))}
    first, second = decide_together([(client, "/apply", form), (live_app.test_client(), "/apply", form)])
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    reference = first.headers["Location"].rsplit("/", 1)[1]

    def probe():
        with sessions() as s:
            return s.scalars(select(Organisation).where(
                Organisation.name == data["company_name"])).all()
    orgs = wait_for(probe, "the organisation")
    assert [o.reference for o in orgs] == [reference]


def test_a_task_whose_workflow_is_gone_is_reported_closed(live_app, sessions):
    task = make_task(sessions, make_org(sessions))  # a row whose workflow never ran
    client, _ = manager(live_app, sessions, "Erin")
    response = client.post(f"/manage/tasks/{task.id}", data={
        "decision": "reject", "reason": "Duplicate of an existing partner", "form_nonce": "q" * 24})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This task is closed." in html and "Duplicate of an existing partner" in html
