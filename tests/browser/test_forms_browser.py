"""Forms in Chromium: after a failed submit the error summary has the focus (a keyboard or screen
reader user starts at what to correct), a text input with an error is drawn like a select with
one, and the reason a decision requires says "(required)" or "(optional)" as the decision is
chosen, while the server still refuses a rejection without one."""

from __future__ import annotations

import re
import uuid

import pytest

from db.models import Organisation, TimelineEvent
from domain import notes
from tests.web.conftest import make_org, make_task

from playwright.sync_api import expect  # the conftest skips this folder without it

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def border_colour(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).borderTopColor")


def test_after_a_failed_application_the_error_summary_has_focus(new_context, live_server):
    page = new_context().new_page()
    page.goto("/apply")
    page.get_by_label("Company name").fill("Acme Ltd")
    page.get_by_role("button", name="Submit application").click()

    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct the highlighted fields")
    # The text input and the select with an error share one look; a good field keeps its own.
    website, country = page.locator("#website"), page.locator("#country")
    assert border_colour(website) == border_colour(country) == "rgb(180, 35, 24)"  # --bad
    assert border_colour(page.locator("#company_name")) != border_colour(website)
    # The summary's link takes the person to the field.
    summary.get_by_role("link", name="Website").click()
    expect(website).to_be_focused()


def test_the_reason_follows_the_decision_and_a_refused_decision_focuses_the_summary(
        new_context, live_server, channel_manager, readme_screenshot):
    tag = uuid.uuid4().hex[:8]
    org = make_org(live_server.sessions, name=f"Yangtze {tag} Trading Ltd")
    with live_server.sessions.begin() as s:
        s.get(Organisation, org.id).flags = [{"code": "free_mail_domain", "related_org_id": "",
                                              "message": "Contact uses a free-mail domain (qq.com)"}]
        s.add(TimelineEvent(key=f"{org.workflow_id}/submitted-{tag}", org_id=org.id,
                            workflow_id=org.workflow_id, action="submitted",
                            note=notes.SUBMITTED.format(), actor="Li Wei"))
    task = make_task(live_server.sessions, org)

    page = new_context().new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(channel_manager.email)
    page.get_by_label("Password").fill(channel_manager.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/manage/home/$"))
    page.goto(f"/manage/tasks/{task.id}")
    expect(page.get_by_role("heading", name=f"Review application: {org.name}")).to_be_visible()
    readme_screenshot(page, "task", full_page=True)  # down to the decision

    marker = page.locator("#reason-field [data-required-when]")
    expect(marker).to_have_text("(required when you choose “Reject” or “Request more information”)")
    page.get_by_role("radio", name="Approve", exact=True).check()
    expect(marker).to_have_text("(optional)")
    page.get_by_role("radio", name="Reject", exact=True).check()
    expect(marker).to_have_text("(required)")
    expect(page.locator("#reason")).to_have_attribute("aria-required", "true")

    page.get_by_role("button", name="Submit decision").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give a reason the applicant can act on")
    expect(page.get_by_role("radio", name="Reject", exact=True)).to_be_checked()  # kept
    expect(marker).to_have_text("(required)")
    assert border_colour(page.locator("#reason")) == "rgb(180, 35, 24)"
