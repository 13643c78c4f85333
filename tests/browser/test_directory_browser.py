"""The partners directory in Chromium: a channel manager searches, sorts, filters and downloads
the CSV through what the page shows (labels, headers, buttons), on the served app."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from db.models import Organisation
from domain import ids
from tests.conftest import application

from playwright.sync_api import Page, expect  # the conftest skips this folder without it

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def seed(sessions, tag: str) -> dict[str, str]:
    """Three organisations sharing `tag`: names in A-Z order, applied in another order, one with
    a formula for a name and a screening flag. Name -> reference."""
    now = datetime.now(timezone.utc)
    rows = [(f"Atlas {tag} Ltd", "active", "DE", 3, []),
            (f"Borealis {tag} GmbH", "in_review", "CN", 1, []),
            (f'=HYPERLINK("http://evil.example","{tag}")', "in_review", "CN", 2,
             [{"code": "free_mail_domain", "message": "Contact uses a free-mail domain (qq.com)",
               "related_org_id": ""}])]
    made = {}
    with sessions.begin() as s:
        for name, status, country, days_ago, flags in rows:
            org_id = ids.new_org_id()
            data = application(company_name=name, country=country)
            s.add(Organisation(id=org_id, reference=ids.application_reference(org_id), name=name,
                               normalised_name=name.lower(), domain=f"d{uuid.uuid4().hex[:8]}.example",
                               country=country, partner_type="reseller", status=status,
                               workflow_id=ids.onboarding_workflow_id(org_id), application=data,
                               flags=flags, created_at=now - timedelta(days=days_ago)))
            made[name] = ids.application_reference(org_id)
    return made


def names_shown(page: Page) -> list[str]:
    return [n.strip() for n in page.locator("#partners tbody td.title a").all_inner_texts()]


def test_a_manager_searches_sorts_filters_and_exports_the_directory(new_context, live_server,
                                                                      channel_manager, screenshot):
    tag = uuid.uuid4().hex[:8]
    made = seed(live_server.sessions, tag)
    atlas, borealis, formula = list(made)

    page = new_context().new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(channel_manager.email)
    page.get_by_label("Password").fill(channel_manager.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partners").click()
    expect(page.get_by_role("heading", name="Partners", exact=True)).to_be_visible()

    # Search: a piece from the middle of the names, in capitals.
    page.get_by_label("Search").fill(tag.upper())
    page.get_by_role("button", name="Search").click()
    expect(page.locator("[data-list-range]")).to_have_text("Partners 1–3 of 3")
    assert names_shown(page) == [formula, atlas, borealis]  # by name: "=" before letters
    screenshot(page, "01-directory")

    # Sort: applied, newest first; a second click, oldest first.
    page.get_by_role("columnheader", name="Applied").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Applied")).to_have_attribute("aria-sort", "descending")
    assert names_shown(page) == [borealis, formula, atlas]
    page.get_by_role("columnheader", name="Applied").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Applied")).to_have_attribute("aria-sort", "ascending")
    assert names_shown(page) == [atlas, formula, borealis]

    # Filter: China only, then flagged only; the search and the order stay.
    page.get_by_label("Country").select_option(label="China")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("[data-list-range]")).to_have_text("Partners 1–2 of 2")
    assert names_shown(page) == [formula, borealis]
    expect(page.get_by_label("Search")).to_have_value(tag.upper())
    page.get_by_label("Screening flags").select_option(label="With screening flags")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("[data-list-range]")).to_have_text("Partners 1–1 of 1")  # the new page
    assert names_shown(page) == [formula]
    expect(page.locator("#partners tbody")).to_contain_text("Free-mail address")

    # Export: what the list shows, as a file whose formula cell a spreadsheet will not run.
    page.get_by_label("Screening flags").select_option(label="With or without")
    page.get_by_role("button", name="Search").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert re.fullmatch(r"partners-\d{8}-\d{4}\.csv", download.value.suggested_filename)
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Partner", "Reference", "Stage"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        (f"'{formula}", made[formula], "China"), (borealis, made[borealis], "China")]

    # And a row opens the partner's page.
    page.get_by_role("link", name=borealis).click()
    expect(page.get_by_role("heading", name=borealis, level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(made[borealis])
    screenshot(page, "02-partner")
