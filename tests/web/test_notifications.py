"""The notification pages: the header's count, the list that marks seen, the settings form, and
that partners reach none of it."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from db.models import Notification, NotificationPreference
from tests.web.conftest import field_block, login, make_org, make_task, make_user


def notify(sessions, user, org, kind: str = "group_task", task_id: str | None = None) -> int:
    with sessions.begin() as s:
        row = Notification(key=f"test/{uuid.uuid4()}/{user.id}", user_id=user.id, kind=kind,
                           delivery="digest", template="task_assigned", org_id=org.id,
                           task_id=task_id or f"task-{uuid.uuid4().hex[:6]}",
                           task_type="review_application", company=org.name,
                           reference=org.reference, link=f"/manage/tasks/{task_id or 'x'}")
        s.add(row)
        s.flush()
        return row.id


def header_count(html: str) -> int | None:
    found = re.search(r'<a class="notices"[^>]*>.*?</a>', html, re.S)
    if found is None:
        return None
    number = re.search(r'data-unseen="(\d+)"', found.group(0))
    return int(number.group(1)) if number else 0


def test_the_header_counts_what_is_new_and_the_list_marks_it_seen(client, sessions):
    manager = make_user(sessions, "channel_manager")
    other = make_user(sessions, "channel_manager")
    org = make_org(sessions)
    first, second = notify(sessions, manager, org), notify(sessions, manager, org, "escalation")
    notify(sessions, other, org)
    login(client, manager)

    page = client.get("/manage/home/").get_data(as_text=True)
    assert header_count(page) == 2
    listing = client.get("/notifications/").get_data(as_text=True)
    assert f"Review application: {org.name}" in listing
    assert listing.count('class="unseen"') == 2 and "A task escalated to my role" in listing

    opened = client.post(f"/notifications/{first}/open")
    assert opened.status_code == 302 and opened.headers["Location"].startswith("/manage/tasks/")
    assert header_count(client.get("/manage/home/").get_data(as_text=True)) == 1
    client.post("/notifications/seen")
    assert header_count(client.get("/notifications/").get_data(as_text=True)) == 0
    with sessions() as s:
        assert s.get(Notification, second).seen_at is not None
        # The colleague's stay new.
        assert s.scalar(select(Notification).where(Notification.user_id == other.id)).seen_at is None


def test_someone_elses_notification_cannot_be_opened(client, sessions):
    manager, other = make_user(sessions, "channel_manager"), make_user(sessions, "channel_manager")
    theirs = notify(sessions, other, make_org(sessions))
    login(client, manager)
    assert client.post(f"/notifications/{theirs}/open").status_code == 404
    with sessions() as s:
        assert s.get(Notification, theirs).seen_at is None


def test_a_partner_has_no_count_and_no_notification_pages(client, sessions):
    org = make_org(sessions, status="active")
    partner = make_user(sessions, "partner_admin", org_id=org.id)
    staff_row = notify(sessions, make_user(sessions, "channel_manager"), org)
    login(client, partner)
    assert header_count(client.get("/portal/").get_data(as_text=True)) is None
    assert client.get("/notifications/").status_code == 404
    assert client.get("/notifications/settings").status_code == 404
    assert client.post(f"/notifications/{staff_row}/open").status_code == 404
    assert client.post("/notifications/seen").status_code == 404


def test_settings_show_the_defaults_and_save_a_choice(client, sessions):
    manager = make_user(sessions, "channel_manager")
    login(client, manager)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'selected value="digest"' in field_block(page, "group_task")
    assert 'selected value="each"' in field_block(page, "my_task")
    assert "/notifications/settings" in client.get("/notifications/").get_data(as_text=True)

    choices = {"group_task": "each", "my_task": "each", "reminder": "digest", "overdue": "each",
               "escalation": "none", "application_closed": "each"}
    saved = client.post("/notifications/settings", data=choices)
    assert saved.status_code == 302
    with sessions() as s:
        stored = dict(s.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                .where(NotificationPreference.user_id == manager.id)).all())
    # Only what differs from the defaults is stored.
    assert stored == {"group_task": "each", "reminder": "digest", "escalation": "none"}
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'selected value="none"' in field_block(page, "escalation")


def test_a_bad_choice_is_refused_on_its_field(client, sessions):
    manager = make_user(sessions, "channel_manager")
    login(client, manager)
    response = client.post("/notifications/settings", data={
        "group_task": "hourly", "my_task": "each", "reminder": "each", "overdue": "each",
        "escalation": "each", "application_closed": "none"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose one of the listed options." in field_block(html, "group_task")
    summary = html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert 'href="#group_task"' in summary and "A new task for my group" in summary
    assert "Choose one of the listed options." not in field_block(html, "my_task")
    assert 'selected value="none"' in field_block(html, "application_closed")  # kept as sent
    with sessions() as s:
        assert s.scalars(select(NotificationPreference).where(
            NotificationPreference.user_id == manager.id)).all() == []


def test_the_settings_form_needs_its_csrf_token(csrf_app, sessions):
    client = csrf_app.test_client()
    manager = make_user(sessions, "channel_manager")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": manager.email, "password": "correct horse battery",
                                "csrf_token": token})
    refused = client.post("/notifications/settings", data={"group_task": "none"})
    assert refused.status_code == 400
    with sessions() as s:
        assert s.scalars(select(NotificationPreference).where(
            NotificationPreference.user_id == manager.id)).all() == []


def test_the_pages_are_in_chinese_for_a_chinese_reader(client, sessions):
    manager = make_user(sessions, "channel_manager", locale="zh_Hans")
    login(client, manager)
    page = client.get("/notifications/settings", headers={"Accept-Language": "zh-CN"})
    html = page.get_data(as_text=True)
    assert "通知设置" in html and "每日摘要" in html


def test_opening_the_task_page_marks_what_was_said_about_it_seen(client, sessions):
    manager = make_user(sessions, "channel_manager")
    org = make_org(sessions)
    task, other = make_task(sessions, org), make_task(sessions, org, step="other")
    about_it = notify(sessions, manager, org, task_id=task.id)
    about_other = notify(sessions, manager, org, task_id=other.id)
    login(client, manager)
    assert client.get(f"/manage/tasks/{task.id}").status_code == 200
    with sessions() as s:
        assert s.get(Notification, about_it).seen_at is not None
        assert s.get(Notification, about_other).seen_at is None
