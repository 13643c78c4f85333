"""The partner page's enablement section for staff, from the rows the workflow writes: the plan by
stage with each item's status, owner and due date, certifications, the enablement timeline, and
a manager's forms: bad input is shown again as typed (400), Temporal away is a 503 with nothing
lost, ops read the section without the forms, the version move shows what would change before
anything is sent. (The changes reaching a real workflow: tests/web/test_enablement_live.py.)"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from db.models import TimelineEvent
from tests.web.conftest import login, make_org, make_user, tag
from tests.web.enablement_rows import seed_certification, seed_plan, seed_task


@pytest.fixture
def manager(client, sessions):
    user = make_user(sessions, "channel_manager", name=f"Mia Chen {tag()}")
    login(client, user)
    return user


@pytest.fixture
def partner(sessions, manager):
    org = make_org(sessions, name=f"Section {tag()} Ltd", status="active")
    seed_plan(sessions, org, statuses={"profile": "done", "logo": "waived", "addendum": "open",
                                       "sales_training": "returned", "kickoff": "open"},
              due={"addendum": timedelta(days=-1)}, manager_id=manager.id)
    return org


def _page(client, org) -> str:
    response = client.get(f"/manage/partners/{org.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _item(html: str, key: str) -> str:
    found = re.search(rf'<li data-item="{key}".*?</li>', html, re.S)
    assert found, key
    return found.group(0)


def test_the_section_shows_the_plan_by_stage_with_status_owner_and_due(client, sessions, partner):
    person = make_user(sessions, "partner_user", org_id=partner.id, name=f"Wang Fang {tag()}")
    seed_certification(sessions, partner, person.id, days_left=120)
    with sessions.begin() as s:
        s.add(TimelineEvent(key=f"t-{tag()}", org_id=partner.id, workflow_id="x",
                            action="enablement_stage", note="", actor="system"))
    html = _page(client, partner)
    assert 'id="enablement"' in html and "Standard enablement, version 1" in html
    assert 'data-stage="onboarding"' in html and "Current stage" in html
    assert "Done" in _item(html, "profile") and "Waived" in _item(html, "logo")
    addendum = _item(html, "addendum")
    assert "Overdue" in addendum and "partner administrator" in addendum
    assert "Returned for changes" in _item(html, "sales_training")
    assert "Waiting for an earlier task" in _item(html, "sales_certification")
    assert person.name in html and "Sales Associate" in html and "Valid" in html
    assert "Enablement timeline" in html
    # Managers get the forms: add a task, and per open item waive / move the due date.
    assert 'data-form="add"' in html and 'data-form="waive"' in _item(html, "addendum")
    assert 'data-form="due"' not in _item(html, "profile")  # done: nothing to change
    assert "Move to a newer version" in html  # standard has a version 2


def test_ops_read_the_section_without_the_forms(app, sessions, partner):
    client = app.test_client()
    login(client, make_user(sessions, "ops"))
    html = _page(client, partner)
    assert 'id="enablement"' in html and 'data-form="add"' not in html
    assert client.post(f"/manage/partners/{partner.id}/enablement/tasks",
                       data={"add-title": "x"}).status_code == 403


def test_bad_input_is_shown_again_as_typed(client, partner):
    response = client.post(f"/manage/partners/{partner.id}/enablement/tasks", data={
        "add-title": "Send the signed NDA", "add-owner": "partner_admin", "add-stage": "enabled",
        "add-due": (date.today() - timedelta(days=3)).isoformat(), "add-form_nonce": "n" * 24})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Send the signed NDA"' in html and "Choose a day after today." in html
    waive = client.post(f"/manage/partners/{partner.id}/enablement/items/addendum/waive",
                        data={"waive-addendum-reason": "   ", "waive-addendum-form_nonce": "n" * 24})
    assert waive.status_code == 400 and "Say why." in waive.get_data(as_text=True)


def test_temporal_away_is_a_503_and_keeps_what_was_typed(client, partner):
    day = (date.today() + timedelta(days=20)).isoformat()
    response = client.post(f"/manage/partners/{partner.id}/enablement/items/addendum/due", data={
        "due-addendum-due": day, "due-addendum-reason": "Legal needs a week more",
        "due-addendum-form_nonce": "n" * 24})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "could not reach the workflow service" in html
    assert f'value="{day}"' in html and "Legal needs a week more" in html


def test_moving_to_a_newer_version_shows_what_changes_first(client, partner):
    response = client.get(f"/manage/partners/{partner.id}/enablement/version")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # standard v2 drops the optional product overview (not done: it goes) and adds a demo.
    assert re.search(r'data-change="added">.*data-item="product_demo"', html, re.S)
    assert re.search(r'data-change="removed">.*data-item="product_overview"', html, re.S)
    assert "Move the partner to this version" in html


def test_an_unknown_partner_or_item_is_not_found(client, partner):
    assert client.get(f"/manage/partners/{partner.id}x/enablement/version").status_code == 404
    assert client.post(f"/manage/partners/{partner.id}/enablement/items/nope/waive",
                       data={}).status_code == 404


def test_the_enablement_timeline_reads_in_chinese_plan_words_included(app, sessions, partner):
    from domain import enablement_notes
    with sessions.begin() as s:
        s.add(TimelineEvent(key=f"t-{tag()}", org_id=partner.id, workflow_id="x",
                            action="enablement_returned", actor="Mia Chen",
                            note=enablement_notes.RETURNED.format(
                                title="Complete the sales training", round="2",
                                comment="Upload the PDF itself")))
        s.add(TimelineEvent(key=f"t-{tag()}", org_id=partner.id, workflow_id="x",
                            action="enablement_stage", actor="system",
                            note=enablement_notes.STAGE_REACHED.format(stage="Enabled")))
    task = seed_task(sessions, partner, "sales_training")
    client = app.test_client()
    login(client, make_user(sessions, "channel_manager", locale="zh_Hans"))
    html = _page(client, partner)
    # The open step in the page's task list, by its plan item's title in Chinese.
    open_tasks = re.search(r'aria-labelledby="open-tasks-title".*?</section>', html, re.S).group(0)
    assert re.search(rf'data-task-id="{re.escape(task.id)}">\s*完成销售培训', open_tasks)
    assert "“完成销售培训”已退回，进入第 2 轮：Upload the PDF itself" in html
    assert "已达到赋能阶段：已赋能" in html and "完成凭证已退回修改" in html


def test_partners_never_reach_the_managers_plan_pages_or_actions(app, sessions, partner):
    """Even their own organisation's: these are staff pages, and a partner is told they do
    not exist."""
    client = app.test_client()
    login(client, make_user(sessions, "partner_admin", org_id=partner.id))
    base = f"/manage/partners/{partner.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/enablement/version").status_code == 404
    for path in ("/enablement/tasks", "/enablement/items/addendum/waive",
                 "/enablement/items/addendum/due"):
        assert client.post(base + path, data={}).status_code == 404
