"""Whose clock and whose language a page follows (web/time_zone.py, web/i18n.py): the browser's
zone (its script's cookie) until the account has one, stored the first time the person is signed
in; the settings page changes it, validated against the IANA database. Staff pages follow the
browser's language until the person chooses one."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from db.models import Organisation, User
from tests.web.conftest import login, make_org, make_user

CREATED = datetime(2026, 12, 3, 11, 30, tzinfo=timezone.utc)  # 19:30 in Shanghai


def _user(sessions, user) -> User:
    with sessions() as s:
        return s.get(User, user.id)


def _org_created_at(sessions, created=CREATED) -> Organisation:
    org = make_org(sessions)
    with sessions.begin() as s:
        s.get(Organisation, org.id).created_at = created
    return org


def test_a_browsers_zone_shows_on_pages_before_anyone_signs_in(app):
    from web.i18n import when
    with app.test_request_context("/", headers={"Cookie": "prm_tz=Asia%2FShanghai"}):
        assert when(CREATED) == "3 Dec 2026, 19:30 Shanghai time"
    with app.test_request_context("/", headers={"Cookie": "prm_tz=Mars%2FOlympus"}):
        assert when(CREATED) == "3 Dec 2026, 11:30 UTC"  # not a zone: the default, named
    with app.test_request_context("/"):
        assert when(CREATED) == "3 Dec 2026, 11:30 UTC"


def test_the_zone_is_stored_on_the_first_signed_in_request_and_then_wins(app, sessions):
    org = _org_created_at(sessions)
    manager = make_user(sessions, "channel_manager")
    client = app.test_client()
    client.set_cookie("prm_tz", "Asia%2FShanghai")
    login(client, manager)
    page = client.get(f"/manage/partners/{org.id}").get_data(as_text=True)
    assert "<dt>Applied</dt><dd>3 Dec 2026, 19:30 Shanghai time</dd>" in page
    assert _user(sessions, manager).time_zone == "Asia/Shanghai"

    client.set_cookie("prm_tz", "UTC")  # travelling: the account's zone stays until changed
    page = client.get(f"/manage/partners/{org.id}").get_data(as_text=True)
    assert "3 Dec 2026, 19:30 Shanghai time" in page
    assert _user(sessions, manager).time_zone == "Asia/Shanghai"


def test_the_settings_page_changes_the_zone_and_refuses_one_that_does_not_exist(app, sessions):
    org = _org_created_at(sessions)
    manager = make_user(sessions, "channel_manager")
    client = app.test_client()
    login(client, manager)
    page = client.get("/account/settings").get_data(as_text=True)
    assert '<option selected value="UTC">UTC</option>' in page  # no zone yet: the default
    assert '<option value="Asia/Shanghai">Asia/Shanghai · Shanghai time (GMT+08:00)</option>' in page

    bad = client.post("/account/settings", data={"time_zone": "Mars/Olympus", "language": ""})
    assert bad.status_code == 400
    block = re.search(r'<div class="field[^"]*" id="time_zone-field">(.*?)</div>',
                      bad.get_data(as_text=True), re.S).group(1)
    assert "Choose a time zone from the list." in block and "field__error" in block
    assert _user(sessions, manager).time_zone is None

    done = client.post("/account/settings", data={"time_zone": "America/Chicago", "language": ""})
    assert done.status_code == 302
    assert _user(sessions, manager).time_zone == "America/Chicago"
    page = client.get(f"/manage/partners/{org.id}").get_data(as_text=True)
    assert "3 Dec 2026, 05:30 Chicago time" in page


def test_staff_pages_follow_the_browsers_language_until_the_person_chooses(app, sessions):
    manager = make_user(sessions, "channel_manager")  # locale "en": the default, not a choice
    client = app.test_client()
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    response = client.post("/login", data={"email": manager.email, "password": "correct horse battery"},
                           headers=chinese)
    assert response.status_code == 302
    home = client.get("/manage/home/", headers=chinese).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in home and "<h1>首页</h1>" in home
    assert _user(sessions, manager).locale == "zh_Hans"  # their mail follows the browser too
    assert not _user(sessions, manager).locale_chosen

    client.post("/language", data={"lang": "en", "next": "/manage/home/"})  # a choice
    fresh = app.test_client()  # another device: the account's choice wins over the browser
    fresh.post("/login", data={"email": manager.email, "password": "correct horse battery"},
               headers=chinese)
    home = fresh.get("/manage/home/", headers=chinese).get_data(as_text=True)
    assert '<html lang="en">' in home and "<h1>Home</h1>" in home
    assert _user(sessions, manager).locale_chosen

    fresh.post("/account/settings", data={"time_zone": "UTC", "language": ""})  # browser again
    home = fresh.get("/manage/home/", headers=chinese).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in home


def test_a_partners_account_language_still_wins_over_the_browser(app, sessions):
    org = make_org(sessions)
    partner = make_user(sessions, "partner_admin", org_id=org.id, locale="en")
    client = app.test_client()
    login(client, partner)
    page = client.get("/portal/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page
