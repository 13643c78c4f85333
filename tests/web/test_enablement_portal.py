"""The partner's side of enablement, from the rows the workflow writes: /portal/plan, the portal
inbox's order, the enablement task page (description, returned comment, quiz questions but
never their answers, who holds it), assign / claim controls, and 404s for anything of another
organisation or an admin-only task shown to a partner user. Assignments reaching a real
workflow: tests/web/test_enablement_live.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.web.conftest import login, make_org, make_user, tag
from tests.web.enablement_rows import seed_certification, seed_plan, seed_task


@pytest.fixture
def org(sessions):
    org = make_org(sessions, name=f"Portal {tag()} Ltd", status="active")
    seed_plan(sessions, org, statuses={"profile": "open", "sales_training": "open",
                                       "logo": "done"})
    return org


@pytest.fixture
def admin(sessions, org):
    return make_user(sessions, "partner_admin", org_id=org.id, name=f"Li Wei {tag()}")


@pytest.fixture
def colleague(sessions, org):
    return make_user(sessions, "partner_user", org_id=org.id, name=f"Wang Fang {tag()}")


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_the_plan_page_shows_stages_what_is_next_the_team_and_certifications(app, sessions, org,
                                                                              admin, colleague):
    training = seed_task(sessions, org, "sales_training", assignee_user_id=colleague.id)
    profile = seed_task(sessions, org, "profile", task_type="enablement_profile",
                        form="partner_profile.v1", admin_only=True)
    seed_certification(sessions, org, colleague.id, days_left=90)
    html = _get(_client(app, colleague), "/portal/plan")
    assert "Standard enablement" in html and 'data-stage="enabled"' in html
    # Mine first; the admin-only profile task is not a partner user's to see.
    todo = re.search(r'id="to-do".*?</section>', html, re.S).group(0)
    assert training.id in todo and profile.id not in todo
    team = re.search(r'id="team".*?</section>', html, re.S).group(0)
    assert colleague.name in team and admin.name in team and "Sales Associate" in team
    admin_html = _get(_client(app, admin), "/portal/plan")
    todo = re.search(r'id="to-do".*?</section>', admin_html, re.S).group(0)
    # The admin sees the unassigned admin task, and what the colleague holds.
    assert profile.id in todo and training.id in todo and "Held by your colleagues" in todo


def test_the_home_names_the_next_enablement_task_and_lists_mine_first(app, sessions, org,
                                                                      colleague):
    later = seed_task(sessions, org, "profile", task_type="enablement_profile",
                      form="partner_profile.v1", due_in=timedelta(days=1))
    mine = seed_task(sessions, org, "sales_training", assignee_user_id=colleague.id,
                     due_in=timedelta(days=9))
    html = _get(_client(app, colleague), "/portal/")
    section = re.search(r'id="next-enablement".*?</section>', html, re.S).group(0)
    assert "Complete the sales training" in section and mine.id in section
    assert html.index(f"/portal/tasks/{mine.id}") < html.index(f"/portal/tasks/{later.id}")


def test_the_task_page_shows_the_item_the_returned_comment_and_the_quiz_without_answers(
        app, sessions, org, colleague):
    task = seed_task(sessions, org, "sales_training",
                     context={"round": 2, "returned_comment": "The certificate is unreadable."})
    html = _get(_client(app, colleague), f"/portal/tasks/{task.id}")
    assert "<h1>Complete the sales training</h1>" in html
    assert "Take the online sales course" in html
    assert "The certificate is unreadable." in html
    assert "Which discount applies to an order?" in html
    # Every choice offered alike, none ticked: the answers stay in the plan definition.
    options = re.findall(r'<input[^>]*name="q_discount"[^>]*>', html)
    assert len(options) == 3 and not any("checked" in o for o in options)
    assert "Claim this task" in html and 'id="assign-form"' not in html


def test_a_failed_quiz_round_says_how_many_were_right_and_not_which(app, sessions, org, colleague):
    task = seed_task(sessions, org, "sales_training", context={
        "round": 2, "quiz_result": {"correct": 2, "total": 4, "percent": 50, "pass_percent": 75,
                                    "passed": False, "wrong": ["q_discount", "q_brand"]}})
    html = _get(_client(app, colleague), f"/portal/tasks/{task.id}")
    note = re.search(r'id="last-quiz".*?</div>', html, re.S).group(0)
    assert "2 of 4 answers right, 75% needed" in note and "q_discount" not in note


def test_an_admin_gets_the_assign_control_with_the_organisations_people(app, sessions, org, admin,
                                                                        colleague):
    other_org = make_org(sessions, status="active")
    stranger = make_user(sessions, "partner_user", org_id=other_org.id)
    task = seed_task(sessions, org, "sales_training")
    html = _get(_client(app, admin), f"/portal/tasks/{task.id}")
    form = re.search(r'id="assign-form".*?</form>', html, re.S).group(0)
    assert colleague.name in form and admin.name in form and stranger.name not in form
    # Assigning someone of another organisation is refused before the workflow is asked.
    response = _client(app, admin).post(f"/portal/tasks/{task.id}/assign",
                                        data={"person": str(stranger.id), "form_nonce": "n" * 24})
    assert response.status_code == 302


def test_a_task_held_by_a_colleague_cannot_be_completed_by_someone_else(app, sessions, org, admin,
                                                                         colleague):
    task = seed_task(sessions, org, "sales_training", assignee_user_id=colleague.id,
                     status="claimed")
    other = make_user(sessions, "partner_user", org_id=org.id)
    response = _client(app, other).post(f"/portal/tasks/{task.id}", data={"form_nonce": "n" * 24})
    assert response.status_code == 409
    html = _get(_client(app, other), f"/portal/tasks/{task.id}")
    assert f"{colleague.name} holds this task" in html and "Claim this task" not in html


def test_another_organisations_plan_tasks_and_people_are_not_found(app, sessions, org, admin):
    other = make_org(sessions, status="active")
    seed_plan(sessions, other, statuses={"sales_training": "open"})
    theirs = seed_task(sessions, other, "sales_training")
    client = _client(app, admin)
    assert client.get(f"/portal/tasks/{theirs.id}").status_code == 404
    assert client.post(f"/portal/tasks/{theirs.id}/claim", data={}).status_code == 404
    assert client.post(f"/portal/tasks/{theirs.id}/assign", data={}).status_code == 404
    assert client.get(f"/portal/organisations/{other.id}").status_code == 404
    # Their plan never shows on mine.
    assert theirs.id not in _get(client, "/portal/plan")


def test_an_admin_only_task_is_not_found_for_a_partner_user(app, sessions, org, colleague):
    task = seed_task(sessions, org, "profile", task_type="enablement_profile",
                     form="partner_profile.v1", admin_only=True)
    client = _client(app, colleague)
    assert client.get(f"/portal/tasks/{task.id}").status_code == 404
    assert client.post(f"/portal/tasks/{task.id}/claim", data={}).status_code == 404


def test_a_claim_without_temporal_changes_nothing(app, sessions, org, colleague):
    task = seed_task(sessions, org, "sales_training")
    client = _client(app, colleague)
    response = client.post(f"/portal/tasks/{task.id}/claim", data={"form_nonce": "n" * 24},
                           follow_redirects=True)
    assert "could not reach the workflow service" in response.get_data(as_text=True)
    with sessions() as s:
        from db.models import Task
        assert s.get(Task, task.id).assignee_user_id is None
