"""Recruitment in a real browser: what tests/web/test_recruitment_live.py does with the Flask test
client, done here the way people do it: Chromium, the served app (CSRF on), a real worker on the
Temporal dev server, real mail. Every step goes through labels and buttons a person can see;
every link a person follows is read out of an email.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid

import pytest

from playwright.sync_api import Locator, Page, expect  # the conftest skips this folder without it

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REFERENCE = re.compile(r"^PA-[A-Z2-9]{8}$")
PARTNER_PASSWORD = "a long partner password"


def new_applicant() -> dict:
    """Unique company, domain and email, so a rerun on the same database never meets itself.
    The contact's email is on the company's domain: screening then has nothing to flag."""
    tag = uuid.uuid4().hex[:8]
    return {"company": f"Browser Trading {tag} Ltd", "website": f"browser-{tag}.example.com",
            "email": f"li.wei@browser-{tag}.example.com"}


def fill_application(page: Page, applicant: dict, *, company: str | None = None,
                     email: str | None = None) -> None:
    """Every field of the public form, through its visible label (selects, checkboxes, text)."""
    page.get_by_label("Company name", exact=True).fill(applicant["company"] if company is None else company)
    page.get_by_label("Website or domain").fill(applicant["website"])
    page.get_by_label("Country", exact=True).select_option(label="China")
    page.get_by_label("Region or province").fill("Shanghai")
    page.get_by_label("Partner type").select_option(label="Reseller")
    page.get_by_label("Contact name").fill("Li Wei")
    page.get_by_label("Contact email").fill(applicant["email"] if email is None else email)
    page.get_by_label("Contact phone").fill("+86 21 5555 0100")
    page.get_by_label("Employees").fill("40")
    page.get_by_label("Annual revenue").select_option(label="1 to 10 million USD")
    # Checkbox groups are fieldsets: find the option inside its group, as a reader would.
    page.get_by_role("group", name="Industries you serve").get_by_label("Manufacturing").check()
    page.get_by_role("group", name="Industries you serve").get_by_label("Logistics").check()
    page.get_by_role("group", name="Products of interest").get_by_label("Core platform").check()
    page.get_by_label("Message").fill("We resell industrial software in the Yangtze River Delta.")


def reload_until(page: Page, target: Locator, what: str, timeout: float = 20.0) -> None:
    """Reload until `target` shows. Tasks appear when the worker's activity has written them, a
    moment after the click that caused them: a person would press F5, so does the test (bounded,
    no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            expect(target).to_be_visible(timeout=500)
            return
        except AssertionError as last:
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not appear within {timeout:.0f}s; last check: "
                                     f"{str(last).splitlines()[0]}") from None
            page.reload()


def mailed_link(smtp, live_server, address: str, path_marker: str) -> str:
    """The link a mail to `address` carries. It must point at this server (base_url), or the
    person following it would land somewhere else."""
    mail = smtp.wait_for(lambda m: address in m.recipients and path_marker in m.body)
    found = re.search(rf"{re.escape(live_server.url)}{re.escape(path_marker)}\S+", mail.body)
    assert found, f"no {live_server.url}{path_marker}… link in:\n{mail.body}"
    return found.group(0)


def find_in_inbox(page: Page, reference: str, task_label: str) -> None:
    """Narrow the inbox to one partner by reference (its search), wait for the task's row, open it."""
    page.get_by_label("Search", exact=True).fill(reference)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=reference).filter(
        has=page.get_by_role("link", name=task_label, exact=True))
    reload_until(page, row, f"the “{task_label}” task for {reference}")
    row.get_by_role("link", name=task_label, exact=True).click()


def test_a_new_partner_is_recruited_in_the_browser(new_context, live_server, smtp, channel_manager,
                                                     screenshot):
    applicant = new_applicant()
    company = applicant["company"]
    started = time.monotonic()

    # 1. Apply: the public form, no account.
    applicant_page = new_context().new_page()
    applicant_page.goto("/apply")
    expect(applicant_page.get_by_role("heading", name="Apply to become a partner")).to_be_visible()
    fill_application(applicant_page, applicant)
    screenshot(applicant_page, "01-apply-filled")
    applicant_page.get_by_role("button", name="Submit application").click()
    expect(applicant_page.get_by_role("heading", name="Thank you — your application is in")).to_be_visible()
    reference = applicant_page.locator(".reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    screenshot(applicant_page, "02-submitted")
    confirmation = smtp.wait_for(lambda m: applicant["email"] in m.recipients and reference in m.subject)
    assert company in confirmation.body

    # 2. Review: a channel manager signs in, finds the application by its reference, approves.
    manager = new_context().new_page()
    manager.goto("/login")
    manager.get_by_label("Email").fill(channel_manager.email)
    manager.get_by_label("Password").fill(channel_manager.password)
    manager.get_by_role("button", name="Sign in").click()
    expect(manager).to_have_url(re.compile(r"/manage/home/$"))  # staff land on their home
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    expect(manager.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    find_in_inbox(manager, reference, "Review application")
    expect(manager.get_by_role("heading", name=f"Review application: {company}")).to_be_visible()
    screening = manager.get_by_role("region", name="Screening")
    expect(screening).to_contain_text("No screening flags")
    expect(manager.get_by_role("main")).to_contain_text("Yangtze River Delta")  # what they applied with
    manager.get_by_role("radio", name="Approve", exact=True).check()
    screenshot(manager, "03-review")
    manager.get_by_role("button", name="Submit decision").click()
    expect(manager).to_have_url(re.compile(r"/manage/inbox$"))
    expect(manager.get_by_role("status").filter(has_text="Recorded: Approved")).to_be_visible()

    # 3. Signature: the partner follows the mailed link in a browser that has never seen the app.
    sign_link = mailed_link(smtp, live_server, applicant["email"], "/t/")
    partner = new_context().new_page()
    partner.goto(sign_link)
    expect(partner.get_by_role("heading", level=1, name="Sign the partner agreement", exact=True)).to_be_visible()
    document = partner.get_by_label("Agreement text")
    expect(document).to_contain_text("PARTNER AGREEMENT")
    expect(document).to_contain_text(company)
    shown = re.search(r"\b[0-9a-f]{64}\b", partner.get_by_text("SHA-256 of this document:").inner_text())
    assert shown, "no SHA-256 on the signing page"
    # The fingerprint on the page is the fingerprint of the text on the page: what you see is
    # what you sign.
    assert hashlib.sha256(document.text_content().encode("utf-8")).hexdigest() == shown.group(0)
    partner.get_by_label("Your full name").fill("Li Wei")
    partner.get_by_label("I have read the agreement and accept it").check()
    screenshot(partner, "04-sign")
    partner.get_by_role("button", name="Sign the agreement").click()
    expect(partner.get_by_role("heading", name="Thank you — the agreement is signed")).to_be_visible()
    expect(partner.get_by_role("main")).to_contain_text(reference)
    screenshot(partner, "05-signed")

    # 4. Countersignature: back in the inbox, the manager sees the partner's signature and signs.
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    find_in_inbox(manager, reference, "Countersign the agreement")
    expect(manager.get_by_role("heading", name=f"Countersign the agreement: {company}")).to_be_visible()
    expect(manager.get_by_role("main")).to_contain_text(re.compile(r"Li Wei · .* · IP 127\.0\.0\.1"))
    expect(manager.get_by_role("main")).to_contain_text(shown.group(0))  # the same document
    manager.get_by_label("Your full name").fill(channel_manager.name)
    manager.get_by_label("I countersign this agreement on behalf of the company").check()
    screenshot(manager, "06-countersign")
    manager.get_by_role("button", name="Countersign", exact=True).click()
    expect(manager).to_have_url(re.compile(r"/manage/inbox$"))
    expect(manager.get_by_role("status").filter(has_text="Recorded: Completed")).to_be_visible()

    # 5. Activation: the invitation mail's link sets a password and opens the portal.
    invite_link = mailed_link(smtp, live_server, applicant["email"], "/set-password/")
    partner.goto(invite_link)
    expect(partner.get_by_role("heading", name="Set your password")).to_be_visible()
    partner.get_by_label("New password").fill(PARTNER_PASSWORD)
    partner.get_by_label("Repeat the password").fill(PARTNER_PASSWORD)
    screenshot(partner, "07-set-password")
    partner.get_by_role("button", name="Set password and sign in").click()
    expect(partner).to_have_url(re.compile(r"/portal/$"))
    expect(partner.get_by_role("status").filter(
        has_text="Your password is set and you are signed in.")).to_be_visible()
    expect(partner.get_by_role("heading", level=1)).to_have_text(company)
    # The invitation goes out a moment before the workflow records the stage (activate, then
    # set_stage): reload until the portal says so.
    status = partner.locator("section").filter(has=partner.get_by_role("heading", name="Status", exact=True))
    reload_until(partner, status.get_by_text("Active partner", exact=True), "the active status")
    expect(partner.get_by_role("main")).to_contain_text(reference)
    screenshot(partner, "08-portal")
    print(f"\nrecruitment in the browser: {time.monotonic() - started:.1f}s")


def test_an_invalid_application_shows_errors_beside_the_fields_and_keeps_the_typing(new_context,
                                                                                    screenshot):
    applicant = new_applicant()
    page = new_context().new_page()
    page.goto("/apply")
    fill_application(page, applicant, company="", email="li.wei at browser")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/apply")) as sent:
        page.get_by_role("button", name="Submit application").click()
    assert sent.value.status == 400

    summary = page.get_by_role("alert").filter(has_text="Please correct the highlighted fields")
    expect(summary.get_by_role("listitem")).to_have_count(2)
    # Beside the right field: inside its block, and announced as the field's description.
    company = page.get_by_label("Company name", exact=True)
    expect(page.locator("#company_name-field .field__error")).to_have_text("This field is required.")
    expect(company).to_have_attribute("aria-invalid", "true")
    expect(company).to_have_accessible_description("This field is required.")
    email = page.get_by_label("Contact email")
    expect(page.locator("#contact_email-field .field__error")).to_have_text("Enter a valid email address.")
    expect(email).to_have_accessible_description("Enter a valid email address.")
    expect(email).to_have_value("li.wei at browser")  # the mistake stays, to be corrected
    expect(page.locator(".field__error")).to_have_count(2)  # and no other field complains

    # Everything else typed, chosen and ticked is still there.
    expect(page.get_by_label("Website or domain")).to_have_value(applicant["website"])
    expect(page.get_by_label("Country", exact=True)).to_have_value("CN")
    expect(page.get_by_label("Region or province")).to_have_value("Shanghai")
    expect(page.get_by_label("Partner type")).to_have_value("reseller")
    expect(page.get_by_label("Contact name")).to_have_value("Li Wei")
    expect(page.get_by_label("Contact phone")).to_have_value("+86 21 5555 0100")
    expect(page.get_by_label("Employees")).to_have_value("40")
    expect(page.get_by_label("Annual revenue")).to_have_value("1m_10m")
    industries = page.get_by_role("group", name="Industries you serve")
    expect(industries.get_by_label("Manufacturing")).to_be_checked()
    expect(industries.get_by_label("Logistics")).to_be_checked()
    expect(industries.get_by_label("Retail")).not_to_be_checked()
    expect(page.get_by_role("group", name="Products of interest").get_by_label("Core platform")).to_be_checked()
    expect(page.get_by_label("Message")).to_have_value("We resell industrial software in the Yangtze River Delta.")
    screenshot(page, "errors")

    # Corrected, the same form goes through.
    company.fill(applicant["company"])
    email.fill(applicant["email"])
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Thank you — your application is in")).to_be_visible()


def test_the_application_form_reads_in_chinese(new_context, screenshot):
    page = new_context().new_page()
    page.goto("/apply?lang=zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    heading = page.get_by_role("heading", name="申请成为合作伙伴")
    expect(heading).to_be_visible()
    expect(page.get_by_label("公司名称")).to_be_visible()
    expect(page.get_by_label("国家/地区")).to_contain_text("中国")
    expect(page.get_by_role("button", name="提交申请")).to_be_visible()
    # Rendered, not only served: Chromium reports which fonts drew the heading's glyphs. Without a
    # CJK font they come out as empty boxes and a screenshot is useless to a Chinese reader.
    fonts = fonts_drawing(page, "h1")
    assert any(f["glyphCount"] > 0 and "CJK" in f["familyName"] for f in fonts), \
        f"no CJK font drew the heading (install fonts-noto-cjk): {fonts}"
    screenshot(page, "zh_Hans")


def fonts_drawing(page: Page, selector: str) -> list[dict]:
    """The platform fonts Chromium used for an element's text (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
