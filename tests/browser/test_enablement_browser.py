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


# -- the scenario, end to end ---------------------------------------------------------

def mailed_link(smtp, live_server, address: str, marker: str) -> str:
    mail = smtp.wait_for(lambda m: address in m.recipients and marker in m.body)
    found = re.search(rf"{re.escape(live_server.url)}{re.escape(marker)}\S+", mail.body)
    assert found, f"no {marker} link in:\n{mail.body}"
    return found.group(0)


def reload_until(page: Page, target, what: str, timeout: float = 20.0) -> None:
    """Rows appear when the worker's activity has written them, a moment after the click that
    caused them: reload as a person would (bounded, no fixed sleeps)."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        try:
            expect(target).to_be_visible(timeout=500)
            return
        except AssertionError as last:
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not appear within {timeout:.0f}s: "
                                     f"{str(last).splitlines()[0]}") from None
            page.reload()


def active_partner(live_server, manager_email: str):
    """An active reseller whose admin can sign in, its EnablementWorkflow started as activation
    starts it (workflows/start.py), looked after by the signed-in channel manager."""
    from datetime import datetime, timezone

    from db.models import Organisation, User
    from definitions.plans import plan_for_partner_type
    from domain.enablement import EnablementInput
    from sqlalchemy import select
    from tests.browser.conftest import MANAGER_PASSWORD
    from web.passwords import hash_password
    from web.temporal_bridge import TemporalBridge
    from workflows.start import start_enablement

    sessions, tag = live_server.sessions, uuid.uuid4().hex[:8]
    org = make_org(sessions, name=f"Jade {tag} Systems Ltd", status="active")
    admin_email = f"li.wei-{tag}@jade.example"
    with sessions.begin() as s:
        manager = s.scalar(select(User).where(User.email == manager_email))
        row = s.get(Organisation, org.id)
        row.activated_at, row.channel_manager_user_id = datetime.now(timezone.utc), manager.id
        s.add(User(email=admin_email, name=f"Li Wei {tag}", roles=["partner_admin"],
                   org_id=org.id, password_hash=hash_password(MANAGER_PASSWORD), locale="en"))
        activated, manager_id = row.activated_at, manager.id
    inp = EnablementInput(org_id=org.id, reference=org.reference, company=org.name,
                          partner_type="reseller", locale="en",
                          plan=plan_for_partner_type("reseller"), activated_at=activated,
                          channel_manager_user_id=manager_id)
    bridge = TemporalBridge(live_server.settings)
    try:
        bridge.run(lambda client: start_enablement(client, live_server.settings.temporal_task_queue,
                                                   inp))
    finally:
        bridge.close()
    return org, admin_email, tag


def submit_training(page: Page, certificate: Path) -> None:
    """The colleague's evidence: the certificate and the quiz, by the values the form offers."""
    from definitions.plans import load_plan
    page.locator('input[type="file"][name="certificate"]').set_input_files(str(certificate))
    for question in load_plan("standard", 1).item("sales_training").quiz.questions:
        # The test knows the answers from the definition; the page never says which is right.
        page.locator(f'input[name="{question.key}"][value="{question.answer}"]').check()
    page.locator('form.form:not(#assign-form) button[type="submit"]').last.click()


def test_a_colleague_is_invited_assigned_the_training_and_its_evidence_returned_then_accepted(
        new_context, live_server, smtp, channel_manager, screenshot, readme_screenshot, tmp_path):
    from tests.browser.conftest import MANAGER_PASSWORD
    from tests.unit.test_file_store import PDF
    org, admin_email, tag = active_partner(live_server, channel_manager.email)
    certificate = tmp_path / "sales-course-certificate.pdf"
    certificate.write_bytes(PDF)

    # 1. The partner admin invites a colleague, who reads Chinese.
    admin = new_context().new_page()
    sign_in(admin, admin_email, MANAGER_PASSWORD)
    admin.goto("/portal/team")
    colleague_email, colleague_name = f"wang.fang-{tag}@jade.example", f"Wang Fang {tag}"
    admin.get_by_label("Name", exact=True).fill(colleague_name)
    admin.get_by_label("Email", exact=True).fill(colleague_email)
    admin.get_by_label("Language of the invitation").select_option("zh_Hans")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_role("status").filter(has_text="Invitation sent")).to_be_visible()

    colleague = new_context(locale="zh-CN").new_page()
    colleague.goto(mailed_link(smtp, live_server, colleague_email, "/set-password/"))
    colleague.get_by_label("新密码").fill(MANAGER_PASSWORD)
    colleague.get_by_label("再次输入密码").fill(MANAGER_PASSWORD)
    colleague.get_by_role("button", name="设置密码并登录").click()
    expect(colleague).to_have_url(re.compile(r"/portal/$"))

    # 2. The admin assigns the training to them.
    admin.goto("/portal/plan")
    todo = admin.locator("#to-do")
    reload_until(admin, todo.get_by_role("link", name="Complete the sales training"),
                 "the training task")
    todo.get_by_role("link", name="Complete the sales training").click()
    admin.get_by_label("Assign to").select_option(label=colleague_name)
    admin.get_by_role("button", name="Assign", exact=True).click()
    expect(admin.get_by_role("status").filter(has_text=f"{colleague_name} has the task")).to_be_visible()
    screenshot(admin, "01-assigned")

    # 3. The colleague finds it on their home (in Chinese), uploads the evidence, passes the quiz.
    colleague.goto("/portal/")
    next_task = colleague.locator("#next-enablement").get_by_role("link", name="完成销售培训")
    reload_until(colleague, next_task, "the colleague's next enablement task")
    next_task.click()
    expect(colleague.get_by_role("heading", name="完成销售培训", level=1)).to_be_visible()
    expect(colleague.locator("#task-holder")).to_contain_text(colleague_name)
    screenshot(colleague, "02-training-zh")
    submit_training(colleague, certificate)
    expect(colleague).to_have_url(re.compile(r"/portal/$"))

    # 4. The manager returns it once...
    manager = new_context().new_page()
    sign_in(manager, channel_manager.email, channel_manager.password)

    def open_review() -> None:
        manager.goto("/manage/inbox")
        manager.get_by_label("Search", exact=True).fill(org.reference)
        manager.get_by_role("button", name="Search").click()
        link = manager.get_by_role("link", name="Review enablement evidence", exact=True)
        reload_until(manager, link, "the evidence review")
        link.click()

    open_review()
    evidence = manager.locator("#enablement-evidence")
    expect(evidence).to_contain_text("sales-course-certificate.pdf")
    expect(evidence.locator("#quiz-result")).to_have_attribute("data-passed", "yes")
    screenshot(manager, "03-review")
    readme_screenshot(manager, "enablement-review")
    manager.get_by_role("radio", name="Return to the partner").check()
    manager.get_by_role("textbox", name=re.compile("^Comment for the partner")).fill("Please upload the certificate with your name on it.")
    manager.locator('form.form button[type="submit"]').last.click()
    expect(manager).to_have_url(re.compile(r"/manage/inbox$"))

    # ...the colleague sees why and sends it again...
    colleague.goto("/portal/")
    next_task = colleague.locator("#next-enablement").get_by_role("link", name="完成销售培训")
    reload_until(colleague, next_task, "the second round")
    next_task.click()
    reload_until(colleague, colleague.locator("#returned-comment"), "the returned comment")
    expect(colleague.locator("#returned-comment")).to_contain_text(
        "Please upload the certificate with your name on it.")
    screenshot(colleague, "04-returned-zh")
    submit_training(colleague, certificate)

    # ...and the manager accepts the second round.
    open_review()
    expect(manager.locator("#enablement-evidence")).to_contain_text("Round 2")
    manager.get_by_role("radio", name="Accept", exact=True).check()
    manager.locator('form.form button[type="submit"]').last.click()
    expect(manager).to_have_url(re.compile(r"/manage/inbox$"))

    # 5. The board shows the progress, in English and in Chinese.
    manager.goto(f"/manage/enablement?q={org.reference}")
    row = manager.locator(f'#board tr[data-org-id="{org.id}"]')
    from definitions.plans import plan_for_partner_type
    required = sum(1 for i in plan_for_partner_type("reseller").items if i.required)
    reload_until(manager, row.get_by_text(f"1 of {required}"), "the board's progress")
    screenshot(manager, "05-board")
    manager.locator("form.lang").get_by_role("button", name="简体中文").click()
    expect(manager.locator(f'#board tr[data-org-id="{org.id}"]')).to_contain_text(f"1 / {required}")
    screenshot(manager, "06-board-zh")
    colleague.goto("/portal/plan")
    expect(colleague.locator('li[data-item="sales_training"]')).to_have_attribute("data-status", "done")
    screenshot(colleague, "07-plan-zh")
    readme_screenshot(colleague, "enablement-plan-zh")
