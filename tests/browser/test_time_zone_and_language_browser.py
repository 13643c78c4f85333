"""The reader's clock and language in Chromium, on the served app: a browser in Asia/Shanghai
sees Shanghai times, a UTC browser the same instant in UTC, each zone named; a staff member whose
browser asks for Chinese gets the Chinese staff pages on their first sign-in."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import pytest

from db.models import Organisation, User
from domain import ids
from tests.browser.conftest import MANAGER_PASSWORD
from tests.conftest import application
from web.passwords import hash_password

from playwright.sync_api import expect  # the conftest skips this folder without it

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APPLIED = datetime(2026, 12, 3, 11, 30, tzinfo=timezone.utc)  # 19:30 in Shanghai


def _staff(sessions, *roles: str, tag: str) -> str:
    email = f"{'-'.join(roles)}-{tag}@prm.example"
    with sessions.begin() as s:  # locale "en": the default, not the person's choice
        s.add(User(email=email, name=f"Staff {tag}", roles=list(roles),
                   password_hash=hash_password(MANAGER_PASSWORD), locale="en"))
    return email


def _organisation(sessions, name: str, with_admin: bool = False) -> str:
    org_id = ids.new_org_id()
    with sessions.begin() as s:
        s.add(Organisation(id=org_id, reference=ids.application_reference(org_id), name=name,
                           normalised_name=name.lower(), domain=f"d{uuid.uuid4().hex[:8]}.example",
                           country="CN", partner_type="reseller", status="active",
                           workflow_id=ids.onboarding_workflow_id(org_id), created_at=APPLIED,
                           application=application(company_name=name)))
        if with_admin:
            s.flush()
            s.add(User(email=f"admin-{uuid.uuid4().hex[:8]}@acme.example", name="Li Wei",
                       roles=["partner_admin"], org_id=org_id, locale="zh_Hans",
                       # A member who has signed in: the team lists those; a user who has not
                       # set a password yet is a pending invitation (db/team.py).
                       password_hash=hash_password(MANAGER_PASSWORD)))
    return org_id


def _sign_in(page, email: str, email_label="Email", password_label="Password",
             button="Sign in") -> None:
    page.goto("/login")
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(MANAGER_PASSWORD)
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/manage/home/$"))


def test_a_shanghai_browser_sees_shanghai_times_and_a_utc_browser_the_same_instant_in_utc(
        new_context, live_server, screenshot):
    tag = uuid.uuid4().hex[:8]
    name = f"Zephyr {tag} Trading Ltd"
    _organisation(live_server.sessions, name)
    readers = {"Asia/Shanghai": "3 Dec 2026, 19:30 Shanghai time", "UTC": "3 Dec 2026, 11:30 UTC"}
    for zone, shown in readers.items():
        email = _staff(live_server.sessions, "channel_manager", tag=f"{tag}-{zone.replace('/', '-')}")
        page = new_context(timezone_id=zone).new_page()
        _sign_in(page, email)
        page.goto(f"/manage/partners/?q={tag}")
        row = page.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text(shown)
        with live_server.sessions() as s:  # stored on the account: their mail says it too
            assert s.query(User).filter_by(email=email).one().time_zone == zone
        if zone == "Asia/Shanghai":
            screenshot(page, "directory-shanghai")


def test_a_staff_member_whose_browser_asks_for_chinese_gets_the_chinese_staff_pages(
        new_context, live_server, screenshot):
    tag = uuid.uuid4().hex[:8]
    email = _staff(live_server.sessions, "program_lead", "ops", tag=tag)
    name = f"Yonder {tag} Ltd"
    org_id = _organisation(live_server.sessions, name, with_admin=True)

    page = new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    _sign_in(page, email, email_label="邮箱", password_label="密码", button="登录")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="首页", exact=True, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="各阶段的合作伙伴")).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航").get_by_role("link")
    expect(nav.first).to_have_text("首页")
    expect(page.locator(".user__roles")).to_have_text("计划负责人和运维")  # role names
    screenshot(page, "home-zh")

    page.goto(f"/manage/partners/{org_id}")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("合作伙伴管理员")
    expect(page.get_by_role("main")).to_contain_text("2026年12月3日 19:30 上海时间")
    with live_server.sessions() as s:
        account = s.query(User).filter_by(email=email).one()
        assert (account.locale, account.locale_chosen) == ("zh_Hans", False)

    page.goto(f"/manage/partners/?q={tag}")
    expect(page.get_by_role("columnheader", name="申请时间")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("中国")
    expect(row).to_contain_text("2026年12月3日 19:30 上海时间")
    # Chinese header and cell words stay whole: no "渠" above "道经理" in a narrow column.
    header = page.get_by_role("columnheader", name="渠道经理")
    assert header.evaluate("e => getComputedStyle(e).wordBreak") == "keep-all"
    assert header.evaluate("e => e.getClientRects().length && e.scrollHeight") <= \
        header.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) * 1.5 + "
                        "parseFloat(getComputedStyle(e).paddingTop) * 2")  # one line
    screenshot(page, "directory-zh")
