"""A partner admin invites a colleague in the browser; the colleague sets a password from the link
the real SMTP catcher received and signs in; the admin's team page shows them. Once in English,
once in Chinese (the admin's portal and the colleague's mail and pages)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from db.models import Organisation, User
from domain import ids
from tests.browser.test_recruitment_browser import mailed_link
from web.passwords import hash_password

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "team admin browser password"
COLLEAGUE_PASSWORD = "colleague browser password"

TEXT = {
    "en": {"team": "Team", "invite": "Invite a colleague", "name": "Name", "email": "Email",
           "admin_role": "partner administrator", "send": "Send the invitation",
           "sent": "Invitation sent to", "new": "New password", "repeat": "Repeat the password",
           "set": "Set password and sign in", "signed_in": "Your password is set and you are signed in.",
           "pending": "Pending invitations", "password": "Password", "sign_in": "Sign in",
           "subject": "invited you to the partner portal of", "active": "Active"},
    "zh_Hans": {"team": "团队", "invite": "邀请同事", "name": "姓名", "email": "邮箱",
                "admin_role": "合作伙伴管理员", "send": "发送邀请", "sent": "发送邀请。",
                "new": "新密码", "repeat": "再次输入密码", "set": "设置密码并登录",
                "signed_in": "密码已设置，您已登录。", "pending": "待接受的邀请", "password": "密码",
                "sign_in": "登录", "subject": "邀请您加入", "active": "已启用"},
}


def _partner_admin(live_server, locale: str) -> tuple[Organisation, User]:
    tag = uuid.uuid4().hex[:8]
    org_id = ids.new_org_id()
    with live_server.sessions.begin() as s:
        org = Organisation(id=org_id, reference=ids.application_reference(org_id),
                           name=f"Huadong {tag} Ltd", normalised_name=f"huadong {tag} ltd",
                           domain=f"huadong-{tag}.example", country="CN", partner_type="reseller",
                           status="active", workflow_id=ids.onboarding_workflow_id(org_id),
                           application={})
        s.add(org)
        s.flush()  # the organisation first: the user's row points at it
        admin = User(email=f"admin-{tag}@huadong-{tag}.example", name=f"Chen Jing {tag}",
                     password_hash=hash_password(ADMIN_PASSWORD), roles=["partner_admin"],
                     org_id=org_id, locale=locale)
        s.add(admin)
    return org, admin


def _sign_in(page, email: str, password: str, t: dict) -> None:
    page.goto("/login")
    page.get_by_label(t["email"]).fill(email)
    page.get_by_label(t["password"], exact=True).fill(password)
    page.get_by_role("button", name=t["sign_in"]).click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


@pytest.mark.parametrize("locale,browser_locale", [("en", "en-GB"), ("zh_Hans", "zh-CN")])
def test_an_admin_invites_a_colleague_who_signs_in(new_context, live_server, smtp, screenshot,
                                                   locale, browser_locale):
    t = TEXT[locale]
    org, admin = _partner_admin(live_server, locale)
    page = new_context(locale=browser_locale).new_page()
    _sign_in(page, admin.email, ADMIN_PASSWORD, t)
    page.get_by_role("navigation").get_by_role("link", name=t["team"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["team"])

    colleague_email = f"zhang.min-{uuid.uuid4().hex[:8]}@example.com"
    invite = page.locator("#invite-form")
    invite.get_by_label(t["name"], exact=True).fill("Zhang Min")
    invite.get_by_label(t["email"], exact=True).fill(colleague_email)
    invite.get_by_label(t["admin_role"]).check()
    screenshot(page, f"01-invite-{locale}")
    invite.get_by_role("button", name=t["send"]).click()
    expect(page.get_by_role("status").filter(has_text=colleague_email)).to_contain_text(t["sent"])
    pending = page.locator("section").filter(has=page.get_by_role("heading", name=t["pending"]))
    expect(pending.get_by_role("row").filter(has_text=colleague_email)).to_contain_text(admin.name)

    link = mailed_link(smtp, live_server, colleague_email, "/set-password/")
    mail = smtp.wait_for(lambda m: colleague_email in m.recipients)
    assert t["subject"] in mail.subject and admin.name in mail.subject and org.name in mail.subject

    colleague = new_context(locale=browser_locale).new_page()
    colleague.goto(link)
    colleague.get_by_label(t["new"]).fill(COLLEAGUE_PASSWORD)
    colleague.get_by_label(t["repeat"]).fill(COLLEAGUE_PASSWORD)
    screenshot(colleague, f"02-set-password-{locale}")
    colleague.get_by_role("button", name=t["set"]).click()
    expect(colleague).to_have_url(re.compile(r"/portal/$"))
    expect(colleague.get_by_role("status").filter(has_text=t["signed_in"])).to_be_visible()
    expect(colleague.locator("html")).to_have_attribute("lang", "zh-Hans" if locale == "zh_Hans" else "en")

    # Signed out and in again with the new password: the account is theirs now.
    again = new_context(locale=browser_locale).new_page()
    _sign_in(again, colleague_email, COLLEAGUE_PASSWORD, t)

    page.reload()
    member = page.locator('[data-team="members"]').get_by_role("row").filter(has_text=colleague_email)
    expect(member).to_contain_text(t["active"])
    screenshot(page, f"03-team-{locale}")
