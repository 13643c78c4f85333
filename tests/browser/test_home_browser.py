"""The staff home in Chromium: a channel manager signs in, lands on the home, and a stage's count
takes them to the partners directory filtered by that stage, on the served app."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from db.models import Organisation, Task, User
from domain import ids
from tests.conftest import application

from playwright.sync_api import expect  # the conftest skips this folder without it

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def seed(sessions, tag: str, manager_email: str) -> dict[str, list[str]]:
    """Organisations in three stages (names share `tag`), an overdue review the manager holds
    and one decided yesterday, so the home shows every part. Stage -> names."""
    now = datetime.now(timezone.utc)
    made: dict[str, list[str]] = {}
    with sessions.begin() as s:
        manager_id = s.scalar(select(User.id).where(User.email == manager_email))
        for n, (stage, country) in enumerate([("agreement_out", "CN"), ("agreement_out", "DE"),
                                              ("in_review", "CN"), ("active", "SG")]):
            name = f"{['Atlas', 'Borealis', 'Cirrus', 'Delta'][n]} {tag} Ltd"
            org_id = ids.new_org_id()
            workflow_id = ids.onboarding_workflow_id(org_id)
            s.add(Organisation(id=org_id, reference=ids.application_reference(org_id), name=name,
                               normalised_name=name.lower(), domain=f"d{uuid.uuid4().hex[:8]}.example",
                               country=country, partner_type="reseller", status=stage,
                               workflow_id=workflow_id,
                               application=application(company_name=name, country=country)))
            made.setdefault(stage, []).append(name)
            if stage == "in_review":
                s.add(Task(id=ids.task_id(workflow_id, "review-1"), workflow_id=workflow_id,
                           task_type="review_application", form="review_decision.v1",
                           title=f"Review application: {name}", org_id=org_id, status="claimed",
                           assignee_role="channel_manager", claimed_by_id=manager_id,
                           due_at=now - timedelta(days=1)))
            if stage == "active":
                s.add(Task(id=ids.task_id(workflow_id, "review-1"), workflow_id=workflow_id,
                           task_type="review_application", form="review_decision.v1",
                           title=f"Review application: {name}", org_id=org_id, status="done",
                           assignee_role="channel_manager", due_at=now, decision="approve",
                           completed_by="Ana Silva", completed_at=now - timedelta(days=1)))
    return made


def test_a_manager_lands_on_the_home_and_opens_a_stage_in_the_directory(new_context, live_server,
                                                                       channel_manager, screenshot,
                                                                       readme_screenshot):
    tag = uuid.uuid4().hex[:8]
    made = seed(live_server.sessions, tag, channel_manager.email)

    page = new_context().new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(channel_manager.email)
    page.get_by_label("Password").fill(channel_manager.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/manage/home/$"))
    expect(page.get_by_role("heading", name="Home", exact=True, level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(nav.first).to_have_text("Home")
    expect(nav.first).to_have_attribute("aria-current", "page")
    mine = page.get_by_role("region", name="My tasks")
    expect(mine).to_contain_text(f"Review application · {made['in_review'][0]}")
    decisions = page.get_by_role("region", name="Last week's decisions")
    expect(decisions.get_by_role("row").filter(has_text=made["active"][0])).to_contain_text("Approved")
    screenshot(page, "01-home")
    readme_screenshot(page, "home")

    stages = page.get_by_role("region", name="Partners by stage")
    count = stages.get_by_role("link", name=re.compile(r"^\d+ Agreement sent for signature$"))
    number = int(count.locator(".stat__number").inner_text())
    assert number >= len(made["agreement_out"])
    count.click()

    expect(page).to_have_url(re.compile(r"/manage/partners/\?stage=agreement_out$"))
    expect(page.get_by_role("heading", name="Partners", exact=True)).to_be_visible()
    expect(page.get_by_label("Stage")).to_have_value("agreement_out")
    expect(page.locator("[data-list-range]")).to_have_text(re.compile(rf" of {number}$"))
    # The directory's own search narrows the filtered list to this test's organisations.
    page.get_by_label("Search").fill(tag)
    page.get_by_role("button", name="Search").click()
    names = [n.strip() for n in page.locator("#partners tbody td.title a").all_inner_texts()]
    assert names == made["agreement_out"]
    screenshot(page, "02-directory-by-stage")
    readme_screenshot(page, "directory")
