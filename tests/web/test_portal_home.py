"""The portal's home: what is the partner's to do next, and who their channel manager is and how
to reach them. A partner of another organisation never sees ours."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from db.channel_manager import channel_manager_of
from db.models import Organisation, User
from tests.web.conftest import login, make_org, make_task, make_user, tag


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section [^>]*id="{section_id}">(.*?)</section>', html, re.S)
    assert found, f"no section {section_id}"
    return found.group(1)


def _partner(app, sessions, org, locale="en"):
    client = app.test_client()
    login(client, make_user(sessions, "partner_admin", org_id=org.id, locale=locale))
    return client


def _managed(sessions, org, manager):
    """`manager` owns the organisation, as the review they decided leaves it (activities/tasks.py)."""
    make_task(sessions, org, status="done", decision="approve", completed_by=manager.name,
              completed_at=datetime.now(timezone.utc) - timedelta(days=1))
    with sessions.begin() as s:
        s.get(Organisation, org.id).channel_manager_user_id = manager.id


def test_a_partner_sees_their_channel_manager_and_how_to_reach_them(app, sessions):
    mine, theirs = make_org(sessions, status="active"), make_org(sessions, status="active")
    ours = make_user(sessions, "channel_manager", name=f"Mia Chen {tag()}")
    other = make_user(sessions, "channel_manager", name=f"Otto Other {tag()}")
    _managed(sessions, mine, ours)
    _managed(sessions, theirs, other)

    html = _partner(app, sessions, mine).get("/portal/").get_data(as_text=True)
    card = _section(html, "channel-manager")
    assert ours.name in card and f'<a href="mailto:{ours.email}">{ours.email}</a>' in card
    assert '<a href="/portal/#channel-manager">Questions? Contact your channel manager.</a>' in html
    # The other organisation's manager, and the other organisation, appear nowhere.
    assert other.name not in html and other.email not in html and theirs.name not in html

    theirs_html = _partner(app, sessions, theirs).get("/portal/").get_data(as_text=True)
    assert other.email in _section(theirs_html, "channel-manager")
    assert ours.email not in theirs_html and mine.name not in theirs_html


def test_the_channel_manager_is_the_organisations_owner_while_they_are_active_staff(app, sessions):
    org = make_org(sessions, status="active")
    with sessions() as s:
        assert channel_manager_of(s, org.id) is None  # nobody has reviewed it yet
    owner = make_user(sessions, "channel_manager", name=f"Owner {tag()}")
    _managed(sessions, org, owner)
    with sessions() as s:
        assert channel_manager_of(s, org.id).id == owner.id
    with sessions.begin() as s:  # they leave: the partner is not sent to a closed mailbox
        s.get(User, owner.id).active = False
    with sessions() as s:
        assert channel_manager_of(s, org.id) is None


def test_with_an_open_task_the_home_calls_the_partner_to_it(app, sessions):
    org = make_org(sessions, status="active", name=f"Todo {tag()} Ltd")
    task = make_task(sessions, org, partner=True, task_type="sign_agreement", form="sign_agreement.v1")
    stranger = make_org(sessions, status="active")
    their_task = make_task(sessions, stranger, partner=True, task_type="sign_agreement",
                           form="sign_agreement.v1")

    html = _partner(app, sessions, org).get("/portal/").get_data(as_text=True)
    step = _section(html, "next-step")
    assert "Your next step" in step and f"Sign the partner agreement: {org.name}" in step
    assert f'<a class="button" href="/portal/tasks/{task.id}">Open the task</a>' in step
    assert their_task.id not in html and stranger.name not in html


def test_without_a_task_the_home_says_what_the_partner_waits_for(app, sessions):
    org = make_org(sessions, status="in_review")
    html = _partner(app, sessions, org).get("/portal/").get_data(as_text=True)
    step = _section(html, "next-step")
    assert "What happens next" in step and "Your application is in review" in step
    assert "<a " not in step  # nothing to open
    assert "No channel manager is assigned to you yet" in _section(html, "channel-manager")

    chinese = _partner(app, sessions, org, locale="zh_Hans").get("/portal/").get_data(as_text=True)
    assert "您的申请正在审核中" in _section(chinese, "next-step")
