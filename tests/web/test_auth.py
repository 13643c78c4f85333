"""Sign-in, sign-out and set-password links, against the real login_session and invitation rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import Invitation, LoginSession, PasswordReset, User, utcnow
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
    assert response.headers["Location"] == "/manage/home/"  # the staff home, not the other site


def _invite(sessions, expires_in=timedelta(days=7)) -> tuple[User, str]:
    org = make_org(sessions, status="active")
    user = make_user(sessions, "partner_admin", org_id=org.id, password="")
    key = f"test/invitation/{tag()}"
    token = link_token("web-test-secret", "invitation", key)
    with sessions.begin() as s:
        s.add(Invitation(key=key, token_hash=token_hash(token), user_id=user.id,
                         expires_at=utcnow() + expires_in))
    return user, token


def test_set_password_rules_and_a_temporal_outage_leave_the_link_usable(app, sessions):
    """The welcome mail is handed to the worker before the password is stored: with Temporal
    away the page says so (503) and nothing is half-done, the link still works afterwards.
    The happy path runs against the real stack: tests/web/test_accounts_live.py."""
    user, token = _invite(sessions)
    client = app.test_client()
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)

    short = client.post(f"/set-password/{token}", data={"password": "short", "confirm": "short"})
    assert short.status_code == 400
    assert "Use at least 10 characters." in short.get_data(as_text=True)
    differ = client.post(f"/set-password/{token}", data={"password": "a long password", "confirm": "another one"})
    assert "The two passwords differ." in differ.get_data(as_text=True)

    away = client.post(f"/set-password/{token}", data={"password": "a long password", "confirm": "a long password"})
    assert away.status_code == 503
    with sessions() as s:
        assert s.get(User, user.id).password_hash is None
        assert s.scalar(select(Invitation.used_at).where(Invitation.user_id == user.id)) is None
    assert client.get(f"/set-password/{token}").status_code == 200


def test_expired_and_unknown_set_password_links_say_so(client, sessions):
    _user, token = _invite(sessions, expires_in=timedelta(seconds=-1))
    expired = client.get(f"/set-password/{token}")
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    # It offers a new link (a POST form), instead of telling the partner to ask someone.
    html = expired.get_data(as_text=True)
    assert f'action="/set-password/{token}/renew"' in html and 'method="post"' in html
    assert "Send me a new link" in html
    posted = client.post(f"/set-password/{token}", data={"password": "a long password", "confirm": "a long password"})
    assert posted.status_code == 410
    unknown = client.get("/set-password/not-a-real-token")
    assert unknown.status_code == 404 and "This link is not valid" in unknown.get_data(as_text=True)


def test_a_new_link_is_asked_for_by_post_with_its_csrf_token(csrf_app, sessions):
    _user, token = _invite(sessions, expires_in=timedelta(seconds=-1))
    client = csrf_app.test_client()
    assert client.get(f"/set-password/{token}/renew").status_code == 405  # never on a GET
    forged = client.post(f"/set-password/{token}/renew")
    assert forged.status_code == 400 and "Please send the form again" in forged.get_data(as_text=True)
    with sessions() as s:  # nothing was issued
        assert len(s.scalars(select(Invitation).where(Invitation.user_id == _user.id)).all()) == 1


def test_the_login_page_offers_a_password_reset(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in html and "Forgot password?" in html
    form = client.get("/forgot-password")
    assert form.status_code == 200 and 'name="email"' in form.get_data(as_text=True)


def _signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, sessions):
    user = make_user(sessions, "channel_manager")
    here, elsewhere = _signed_in(app, user), _signed_in(app, user)
    assert elsewhere.get("/manage/inbox").status_code == 200

    page = here.get("/account/password")
    assert page.status_code == 200 and 'name="current"' in page.get_data(as_text=True)
    wrong = here.post("/account/password", data={"current": "not it", "password": "a new long password",
                                                 "confirm": "a new long password"})
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    short = here.post("/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"})
    assert "Use at least 10 characters." in short.get_data(as_text=True)

    done = here.post("/account/password", data={"current": PASSWORD, "password": "a new long password",
                                                "confirm": "a new long password"})
    assert done.status_code == 302
    assert here.get("/manage/inbox").status_code == 200  # this browser goes on
    gone = elsewhere.get("/manage/inbox")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    with sessions() as s:
        assert verify_password(s.get(User, user.id).password_hash, "a new long password")
        assert len(s.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()) == 1


def test_a_session_from_before_the_epoch_moved_on_no_longer_works(app, sessions):
    """The check reads session_epoch: another process moving it on (a reset in another web
    process) ends this browser's session, whatever rows are left."""
    user = make_user(sessions, "channel_manager")
    client = _signed_in(app, user)
    assert client.get("/manage/inbox").status_code == 200
    with sessions.begin() as s:
        s.get(User, user.id).session_epoch += 1
    response = client.get("/manage/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _reset_link(sessions, user, expires_in=timedelta(hours=1)) -> str:
    key = f"reset/{user.id}/{tag()}"
    token = link_token("web-test-secret", "password_reset", key)
    with sessions.begin() as s:
        s.add(PasswordReset(key=key, token_hash=token_hash(token), user_id=user.id,
                            expires_at=utcnow() + expires_in))
    return token


def test_a_reset_link_sets_a_new_password_once_and_ends_the_old_sessions(app, sessions):
    org = make_org(sessions, status="active")
    user = make_user(sessions, "partner_admin", org_id=org.id)
    old_browser = _signed_in(app, user)
    token = _reset_link(sessions, user)

    client = app.test_client()
    page = client.get(f"/reset-password/{token}")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    short = client.post(f"/reset-password/{token}", data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "Use at least 10 characters." in short.get_data(as_text=True)
    done = client.post(f"/reset-password/{token}", data={"password": "reset long password",
                                                         "confirm": "reset long password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/")
    assert client.get("/portal/").status_code == 200  # signed in after the reset
    assert old_browser.get("/portal/").status_code == 302  # the cookie from before is dead

    again = app.test_client().post(f"/reset-password/{token}", data={"password": "attacker password",
                                                                     "confirm": "attacker password"})
    assert again.status_code == 410 and "This link has already been used" in again.get_data(as_text=True)
    with sessions() as s:
        assert verify_password(s.get(User, user.id).password_hash, "reset long password")
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400


def test_expired_and_unknown_reset_links_offer_a_new_one(client, sessions):
    user = make_user(sessions, "channel_manager")
    expired = client.get(f"/reset-password/{_reset_link(sessions, user, timedelta(seconds=-1))}")
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    assert 'href="/forgot-password"' in expired.get_data(as_text=True)
    unknown = client.get("/reset-password/not-a-real-token")
    assert unknown.status_code == 404 and 'href="/forgot-password"' in unknown.get_data(as_text=True)
    with sessions() as s:
        assert verify_password(s.get(User, user.id).password_hash, PASSWORD)

