"""Enablement in Chromium, on the served app: the manager's board (filter, sort, the CSV, in
English and Chinese) on rows as the workflow writes them, and the issue's scenario end to end on
the real stack (a partner admin invites a colleague, assigns them the training, the colleague
uploads the evidence and passes the quiz, the manager returns it once and then accepts, the
board shows the progress)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from tests.web.conftest import make_org
from tests.web.enablement_rows import seed_plan

from playwright.sync_api import Page, expect  # the conftest skips this folder without it

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(page: Page, email: str, password: str, email_label: str = "Email",
            password_label: str = "Password", button: str = "Sign in") -> None:
    page.goto("/login")
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(password)
    page.get_by_role("button", name=button).click()


def board_names(page: Page) -> list[str]:
    return [n.strip() for n in page.locator("#board tbody td.title a").all_inner_texts()]


def test_a_manager_filters_sorts_and_exports_the_board_in_english_and_chinese(
        new_context, live_server, channel_manager, screenshot, readme_screenshot):
    tag = uuid.uuid4().hex[:8]
    sessions = live_server.sessions
    behind = make_org(sessions, name=f"Atlas {tag} Ltd", status="active", country="DE")
    seed_plan(sessions, behind, statuses={"profile": "open", "logo": "open"},
              due={"profile": timedelta(days=-3)})
    ahead = make_org(sessions, name=f"Borealis {tag} GmbH", status="active", country="CN")
    seed_plan(sessions, ahead, statuses={"profile": "done", "logo": "done", "addendum": "done",
                                         "sales_training": "open"}, days_ago=3)
    formula = make_org(sessions, name=f'=HYPERLINK("http://evil.example","{tag}")',
                       status="active", country="CN", partner_type="referral")
    seed_plan(sessions, formula, plan_id="referral", statuses={"profile": "open"}, days_ago=1)

    page = new_context().new_page()
    sign_in(page, channel_manager.email, channel_manager.password)
    page.get_by_role("link", name="Enablement").click()
    expect(page.get_by_role("heading", name="Enablement", level=1)).to_be_visible()
    page.get_by_label("Search").fill(tag)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#board tbody tr")).to_have_count(3)
    row = page.locator(f'#board tr[data-org-id="{ahead.id}"]')
    expect(row).to_contain_text("Complete the sales training")
    expect(row).to_contain_text("3 of 7")

    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Search").click()
    assert board_names(page) == [f"Atlas {tag} Ltd"]
    page.get_by_label("Overdue only").uncheck()
    page.get_by_role("button", name="Search").click()
    page.locator("#board thead").get_by_role("link", name="Required tasks done").click()
    expect(page.locator('#board th[data-column="percent"]')).to_have_attribute("aria-sort",
                                                                                "ascending")
    assert board_names(page)[-1] == f"Borealis {tag} GmbH"
    screenshot(page, "01-board")
    readme_screenshot(page, "enablement-board")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    names = [r[0] for r in list(csv.reader(io.StringIO(text)))[1:]]
    assert f"'=HYPERLINK(\"http://evil.example\",\"{tag}\")" in names

    page.locator("form.lang").get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="合作伙伴赋能", level=1)).to_be_visible()
    expect(page.locator(f'#board tr[data-org-id="{ahead.id}"]')).to_contain_text("完成销售培训")
    expect(page.locator(f'#board tr[data-org-id="{behind.id}"]')).to_contain_text("入驻")
    screenshot(page, "02-board-zh")
    page.get_by_role("link", name=re.compile(f"Borealis {tag}")).click()
    expect(page.locator("#enablement")).to_contain_text("标准入驻计划")
    screenshot(page, "03-partner-zh")
