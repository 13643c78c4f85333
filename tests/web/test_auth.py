"""Sign-in, sign-out and set-password links, against the real login_session and invitation rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import Invitation, LoginSession, User, utcnow
from domain.tokens import link_token, token_hash
from tests.web.conftest import PASSWORD, login, make_org, make_user, tag
from web.passwords import verify_password
from web.security import IDLE_LIMIT, SEEN_RESOLUTION


def _cookie(client) -> str:
    return client.get_cookie("prm_session").value


def test_sign_in_starts_a_new_session_and_sign_out_ends_it_everywhere(app, sessions):
    org = make_org(sessions)
    user = make_user(sessions, "partner_admin", org_id=org.id)
    client = app.test_client()
    with client.session_transaction() as s:
        s["planted_before_login"] = "attacker-chosen"
    anonymous_cookie = _cookie(client)

    response = login(client, user)

    assert response.headers["Location"].endswith("/portal/")
    with client.session_transaction() as s:
        assert "planted_before_login" not in s  # nothing from before sign-in survives
        login_session_id = s["_user_id"].split(":", 1)[1]
    assert _cookie(client) != anonymous_cookie
    with sessions() as s:
        assert s.get(LoginSession, login_session_id).user_id == user.id
    assert client.get("/portal/").status_code == 200
    signed_in_cookie = _cookie(client)

    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302  # this browser is signed out
    with sessions() as s:
        assert s.get(LoginSession, login_session_id) is None

    # A copy of the signed-in cookie (kept by an attacker, or another tab) no longer works.
    copy = app.test_client()
    copy.set_cookie("prm_session", signed_in_cookie)
    response = copy.get("/portal/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_same_cookie_works_until_sign_out(app, sessions):
    org = make_org(sessions)
    user = make_user(sessions, "partner_user", org_id=org.id)
    client = app.test_client()
    login(client, user)
    copy = app.test_client()
    copy.set_cookie("prm_session", _cookie(client))
    assert copy.get("/portal/").status_code == 200  # so the test above can fail


def _signed_in_manager(app, sessions):
    user = make_user(sessions, "channel_manager")
    client = app.test_client()
    login(client, user)
    with client.session_transaction() as s:
        return user, client, s["_user_id"].split(":", 1)[1]


def _last_seen(sessions, login_session_id, set_ago: timedelta | None = None):
    with sessions.begin() as s:
        record = s.get(LoginSession, login_session_id)
        if set_ago is not None:
            record.last_seen_at = utcnow() - set_ago
        return record.last_seen_at


def test_a_browser_idle_past_the_limit_must_sign_in_again_and_its_session_row_goes(app, sessions):
    _user, client, login_session_id = _signed_in_manager(app, sessions)
    _last_seen(sessions, login_session_id, set_ago=IDLE_LIMIT + timedelta(minutes=1))
    response = client.get("/manage/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with sessions() as s:
        assert s.get(LoginSession, login_session_id) is None


def test_last_seen_is_written_at_most_once_per_interval_not_on_every_request(app, sessions):
    _user, client, login_session_id = _signed_in_manager(app, sessions)
    recently = _last_seen(sessions, login_session_id, set_ago=SEEN_RESOLUTION / 2)
    assert client.get("/manage/inbox").status_code == 200
    assert _last_seen(sessions, login_session_id) == recently  # no write

    _last_seen(sessions, login_session_id, set_ago=SEEN_RESOLUTION + timedelta(minutes=1))
    assert client.get("/manage/inbox").status_code == 200
    assert utcnow() - _last_seen(sessions, login_session_id) < timedelta(minutes=1)  # touched


def test_a_deactivated_user_is_signed_out_on_their_next_request(app, sessions):
    user, client, _login_session_id = _signed_in_manager(app, sessions)
    assert client.get("/manage/inbox").status_code == 200
    with sessions.begin() as s:
        s.get(User, user.id).active = False
    response = client.get("/manage/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_and_unknown_email_get_the_same_generic_message(client, sessions):
    user = make_user(sessions, "channel_manager")
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": f"nobody-{tag()}@example.com", "password": PASSWORD})
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/manage/inbox").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, sessions):
    user = make_user(sessions, "channel_manager")
    response = client.post("/login?next=/manage/inbox?tab=mine",
                           data={"email": user.email.upper(), "password": PASSWORD})
    assert response.headers["Location"] == "/manage/inbox?tab=mine"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/manage/inbox"


def _invite(sessions, expires_in=timedelta(days=7)) -> tuple[User, str]:
    org = make_org(sessions, status="active")
    user = make_user(sessions, "partner_admin", org_id=org.id, password="")
    key = f"test/invitation/{tag()}"
    token = link_token("web-test-secret", "invitation", key)
    with sessions.begin() as s:
        s.add(Invitation(key=key, token_hash=token_hash(token), user_id=user.id,
                         expires_at=utcnow() + expires_in))
    return user, token


def test_set_password_link_works_once(app, sessions):
    user, token = _invite(sessions)
    client = app.test_client()
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)

    short = client.post(f"/set-password/{token}", data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    assert "Use at least 10 characters." in short.get_data(as_text=True)
    differ = client.post(f"/set-password/{token}", data={"password": "a long password", "confirm": "another one"})
    assert "The two passwords differ." in differ.get_data(as_text=True)

    done = client.post(f"/set-password/{token}", data={"password": "a long password", "confirm": "a long password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/")
    assert client.get("/portal/").status_code == 200  # signed in straight away
    with sessions() as s:
        assert verify_password(s.get(User, user.id).password_hash, "a long password")
        assert s.scalar(select(Invitation.used_at).where(Invitation.user_id == user.id)) is not None

    again = app.test_client().post(f"/set-password/{token}",
                                   data={"password": "attacker password", "confirm": "attacker password"})
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)
    with sessions() as s:
        assert verify_password(s.get(User, user.id).password_hash, "a long password")


def test_expired_and_unknown_set_password_links_say_so(client, sessions):
    _user, token = _invite(sessions, expires_in=timedelta(seconds=-1))
    expired = client.get(f"/set-password/{token}")
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    posted = client.post(f"/set-password/{token}", data={"password": "a long password", "confirm": "a long password"})
    assert posted.status_code == 410
    unknown = client.get("/set-password/not-a-real-token")
    assert unknown.status_code == 404 and "This link is not valid" in unknown.get_data(as_text=True)
