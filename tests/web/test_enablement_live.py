"""Enablement through the web app against the real stack: the Temporal dev server, a real
worker running EnablementWorkflow, the database and SMTP (tests/conftest.py). A manager's
changes from the partner page are real Updates (a validator's refusal a 409 with nothing lost),
a partner user claims a task and an admin assigns it on through the shared hand-on, and the
board shows what the workflow wrote."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from db.models import EnablementItem, EnablementPlan, Organisation, Task
from definitions.plans import load_plan
from domain import ids
from domain.enablement import EnablementInput
from tests.waiting import wait_until
from tests.web.conftest import login, make_org, make_user, tag
from workflows.start import start_enablement

pytestmark = pytest.mark.slow
NONCE = re.compile(r'name="([a-z0-9_-]*form_nonce)" type="hidden" value="([^"]+)"')


def started_partner(app, sessions, settings, *, manager_id: int | None = None):
    """An active partner with an admin and two users, and its EnablementWorkflow running."""
    org = make_org(sessions, name=f"Live {tag()} Ltd", status="active")
    activated = datetime.now(timezone.utc) - timedelta(days=1)
    with sessions.begin() as s:
        row = s.get(Organisation, org.id)
        row.activated_at, row.channel_manager_user_id = activated, manager_id
    people = {role: make_user(sessions, role, org_id=org.id, name=f"{name} {tag()}")
              for role, name in (("partner_admin", "Li Wei"), ("partner_user", "Wang Fang"))}
    people["other"] = make_user(sessions, "partner_user", org_id=org.id, name=f"Zhao Min {tag()}")
    inp = EnablementInput(org_id=org.id, reference=org.reference, company=org.name,
                          partner_type="reseller", locale="en", plan=load_plan("standard", 1),
                          activated_at=activated, channel_manager_user_id=manager_id)
    app.extensions["prm.temporal"].run(
        lambda client: start_enablement(client, settings.temporal_task_queue, inp))
    wait_until(lambda: (i := _item(sessions, org, "sales_training", "open")) and i.task_id,
               "the training's step to open", 30)
    return org, people


def _item(sessions, org, key: str, status: str | None = None) -> EnablementItem | None:
    with sessions() as s:
        row = s.scalar(select(EnablementItem).where(EnablementItem.org_id == org.id,
                                                    EnablementItem.item_key == key))
        return row if row is not None and (status is None or row.status == status) else None


def _nonces(html: str) -> dict[str, str]:
    return dict(NONCE.findall(html))


@pytest.fixture
def manager(live_app, sessions):
    user = make_user(sessions, "channel_manager", name=f"Mia Chen {tag()}")
    client = live_app.test_client()
    login(client, user)
    return client, user


def test_a_managers_changes_reach_the_workflow_and_a_refusal_keeps_the_form(live_app, sessions,
                                                                           settings, manager):
    client, user = manager
    org, _people = started_partner(live_app, sessions, settings, manager_id=user.id)
    page = f"/manage/partners/{org.id}"
    nonces = _nonces(client.get(page).get_data(as_text=True))

    waived = client.post(f"{page}/enablement/items/logo/waive", data={
        "waive-logo-reason": "Logo already on file from the distributor",
        "waive-logo-form_nonce": nonces["waive-logo-form_nonce"]})
    assert waived.status_code == 302
    row = wait_until(lambda: _item(sessions, org, "logo", "waived"), "the logo waived", 30)
    assert row.note == "Logo already on file from the distributor"

    # Waived already: the workflow's validator refuses a second waiver, and says so (409).
    again = client.post(f"{page}/enablement/items/logo/waive", data={
        "waive-logo-reason": "Second try", "waive-logo-form_nonce": "x" * 24})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "That task is not open any more" in html and "Second try" in html

    day = date.today() + timedelta(days=40)
    moved = client.post(f"{page}/enablement/items/sales_training/due", data={
        "due-sales_training-due": day.isoformat(), "due-sales_training-reason": "Course moved",
        "due-sales_training-form_nonce": nonces["due-sales_training-form_nonce"]})
    assert moved.status_code == 302
    wait_until(lambda: (r := _item(sessions, org, "sales_training")) and r.due_at
               and r.due_at.date() >= day - timedelta(days=1), "the new due date", 30)

    added = client.post(f"{page}/enablement/tasks", data={
        "add-title": "Send the signed NDA", "add-owner": "partner_admin", "add-stage": "enabled",
        "add-due": (date.today() + timedelta(days=10)).isoformat(), "add-review": "y",
        "add-form_nonce": nonces["add-form_nonce"]})
    assert added.status_code == 302
    wait_until(lambda: _item(sessions, org, "adhoc-1"), "the ad-hoc task", 30)

    # The version move: the preview first, then the move itself.
    preview = client.get(f"{page}/enablement/version").get_data(as_text=True)
    assert 'data-item="product_demo"' in preview
    nonce = _nonces(preview)["form_nonce"]
    confirmed = client.post(f"{page}/enablement/version",
                            data={"version": "2", "confirm": "1", "form_nonce": nonce})
    assert confirmed.status_code == 302
    wait_until(lambda: (p := _plan(sessions, org)) and p.plan_version == 2, "version 2", 30)
    section = client.get(page).get_data(as_text=True)
    assert "Standard enablement, version 2" in section and "Send the signed NDA" in section
    assert "Moved to another plan version" in section  # the enablement timeline

    board = client.get("/manage/enablement", query_string={"q": org.reference})
    row_html = re.search(rf'<tr data-org-id="{org.id}".*?</tr>', board.get_data(as_text=True),
                         re.S).group(0)
    assert "Onboarding" in row_html and user.name in row_html


def _plan(sessions, org) -> EnablementPlan | None:
    with sessions() as s:
        return s.get(EnablementPlan, org.id)


def test_a_user_claims_a_task_and_an_admin_assigns_it_on(live_app, sessions, settings):
    org, people = started_partner(live_app, sessions, settings)
    task_id = _item(sessions, org, "sales_training").task_id
    user_client, admin_client = live_app.test_client(), live_app.test_client()
    login(user_client, people["partner_user"])
    login(admin_client, people["partner_admin"])

    response = user_client.get(f"/portal/tasks/{task_id}")
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    page = response.get_data(as_text=True)
    claimed = user_client.post(f"/portal/tasks/{task_id}/claim",
                               data={"form_nonce": _nonces(page)["form_nonce"]},
                               follow_redirects=True)
    assert "is yours now" in claimed.get_data(as_text=True)
    with sessions() as s:
        assert s.get(Task, task_id).assignee_user_id == people["partner_user"].id
    wait_until(lambda: (r := _item(sessions, org, "sales_training"))
               and r.assignee_user_id == people["partner_user"].id, "the item's assignee", 30)
    home = user_client.get("/portal/").get_data(as_text=True)
    assert "Assigned to you" in home

    # Someone else of the organisation may not take it from them...
    other = live_app.test_client()
    login(other, people["other"])
    html = other.get(f"/portal/tasks/{task_id}").get_data(as_text=True)
    assert "Claim this task" not in html and people["partner_user"].name in html
    # ...but an admin may give it to them.
    page = admin_client.get(f"/portal/tasks/{task_id}").get_data(as_text=True)
    assigned = admin_client.post(f"/portal/tasks/{task_id}/assign", data={
        "person": str(people["other"].id), "form_nonce": _nonces(page)["form_nonce"]},
        follow_redirects=True)
    assert f"{people['other'].name} has the task" in assigned.get_data(as_text=True)
    with sessions() as s:
        assert s.get(Task, task_id).assignee_user_id == people["other"].id
    plan = user_client.get("/portal/plan").get_data(as_text=True)
    assert people["other"].name in re.search(r'id="team".*?</section>', plan, re.S).group(0)


def _quiz_answers(key: str, wrong: bool = False) -> dict:
    """The plan's own answers: the test knows them, the page never sends them."""
    quiz = load_plan("standard", 1).item(key).quiz
    return {q.key: ("tier_at_signing" if wrong and q.key == "q_discount" else q.answer)
            for q in quiz.questions}


def _open_task(sessions, org, task_type: str, key: str) -> Task:
    def probe():
        with sessions() as s:
            return s.scalar(select(Task).where(
                Task.org_id == org.id, Task.task_type == task_type,
                Task.status.in_(("open", "claimed")),
                Task.context["item_key"].as_string() == key))
    return wait_until(probe, f"an open {task_type} for {key}", 30)


def test_evidence_is_returned_once_then_accepted_and_the_board_shows_it(live_app, sessions,
                                                                        settings, manager):
    from tests.unit.test_file_store import PDF
    from tests.web.test_files import multipart
    from werkzeug.datastructures import FileStorage
    import io

    manager_client, manager_user = manager
    org, people = started_partner(live_app, sessions, settings, manager_id=manager_user.id)
    colleague = live_app.test_client()
    login(colleague, people["partner_user"])

    def send_evidence(name: str):
        training = _open_task(sessions, org, "enablement_training", "sales_training").id
        page = colleague.get(f"/portal/tasks/{training}").get_data(as_text=True)
        assert "Which discount applies to an order?" in page
        data = {**_quiz_answers("sales_training"), "form_nonce": _nonces(page)["form_nonce"],
                "certificate": FileStorage(io.BytesIO(PDF), filename=name,
                                           content_type="application/pdf")}
        response = colleague.post(f"/portal/tasks/{training}", **multipart(data))
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    send_evidence("certificate-scan.pdf")
    review = _open_task(sessions, org, "evidence_review", "sales_training")
    html = manager_client.get(f"/manage/tasks/{review.id}").get_data(as_text=True)
    assert "certificate-scan.pdf" in html and 'data-passed="yes"' in html
    returned = manager_client.post(f"/manage/tasks/{review.id}", data={
        "decision": "return", "comment": "The scan is unreadable: upload the PDF itself.",
        "form_nonce": _nonces(html)["form_nonce"]})
    assert returned.status_code == 302
    wait_until(lambda: _item(sessions, org, "sales_training", "returned"), "the return", 30)

    # The partner sees the comment on the next round's task page, and sends it again.
    training = _open_task(sessions, org, "enablement_training", "sales_training").id
    page = colleague.get(f"/portal/tasks/{training}").get_data(as_text=True)
    assert "The scan is unreadable: upload the PDF itself." in page
    send_evidence("certificate.pdf")
    review = _open_task(sessions, org, "evidence_review", "sales_training")
    html = manager_client.get(f"/manage/tasks/{review.id}").get_data(as_text=True)
    assert "certificate.pdf" in html and "Round 2" in html
    accepted = manager_client.post(f"/manage/tasks/{review.id}", data={
        "decision": "accept", "form_nonce": _nonces(html)["form_nonce"]})
    assert accepted.status_code == 302
    wait_until(lambda: _item(sessions, org, "sales_training", "done"), "the acceptance", 30)
    wait_until(lambda: (p := _plan(sessions, org)) and p.required_done >= 1, "the board row", 30)
    board = manager_client.get("/manage/enablement", query_string={"q": org.reference})
    row = re.search(rf'<tr data-org-id="{org.id}".*?</tr>', board.get_data(as_text=True),
                    re.S).group(0)
    assert "1 of 7" in row
    timeline = manager_client.get(f"/manage/partners/{org.id}").get_data(as_text=True)
    assert "Evidence returned for changes" in timeline
