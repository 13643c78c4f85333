"""Choosing a language: a GET shows it, only the switcher's POST (with its CSRF token) stores it."""

from __future__ import annotations

import re

from db.models import User
from tests.web.conftest import login, make_org, make_user


def _locale(sessions, user) -> str:
    with sessions() as s:
        return s.get(User, user.id).locale


def test_a_get_with_lang_shows_the_language_but_never_writes_the_account(app, sessions):
    org = make_org(sessions)
    user = make_user(sessions, "partner_admin", org_id=org.id)
    client = app.test_client()
    login(client, user)
    html = client.get("/portal/?lang=zh_Hans").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    assert _locale(sessions, user) == "en"  # a link someone sent cannot change the account


def test_the_switcher_posts_and_stores_a_signed_in_persons_choice(app, sessions):
    org = make_org(sessions)
    user = make_user(sessions, "partner_admin", org_id=org.id)
    client = app.test_client()
    login(client, user)
    page = client.get("/portal/?tab=x&lang=en").get_data(as_text=True)
    switcher = re.search(r'<form class="lang" method="post" action="/language".*?</form>', page, re.S)
    assert switcher, "the language switcher is a POST form"
    assert 'name="csrf_token"' in switcher.group(0)
    assert 'name="next" value="/portal/?tab=x"' in switcher.group(0)  # back here, without ?lang=

    response = client.post("/language", data={"lang": "zh_Hans", "next": "/portal/?tab=x"})
    assert response.status_code == 302 and response.headers["Location"] == "/portal/?tab=x"
    assert _locale(sessions, user) == "zh_Hans"
    assert '<html lang="zh-Hans">' in client.get("/portal/").get_data(as_text=True)


def test_choosing_a_language_signed_out_and_a_foreign_next(client):
    response = client.post("/language", data={"lang": "zh-CN", "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert '<html lang="zh-Hans">' in client.get("/").get_data(as_text=True)
    assert client.post("/language", data={"lang": "klingon"}).status_code == 400
    assert client.get("/language").status_code == 405


def test_a_forged_language_post_changes_nothing(csrf_app, sessions):
    org = make_org(sessions)
    user = make_user(sessions, "partner_admin", org_id=org.id)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                "csrf_token": token})
    assert client.get("/portal/").status_code == 200  # signed in
    forged = client.post("/language", data={"lang": "zh_Hans"})
    assert forged.status_code == 400
    assert _locale(sessions, user) == "en"
