"""Partner teams (web/portal/team.py): a partner admin invites colleagues, changes roles,
deactivates and reactivates users, resends and withdraws invitations; partner users read; no one
reaches another organisation's people. Invitation mail goes through the real stack (dev server,
worker, SMTP catcher) and every link a test follows comes out of a received mail."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import Invitation, LoginSession, TimelineEvent, User, utcnow
from db.team import team_members
from domain.tokens import link_token, token_hash
from tests.web.conftest import PASSWORD, login, make_org, make_user, tag
from web import create_app

NEW_PASSWORD = "a long new password"


def _team(sessions, admins: int = 1, users: int = 1):
    org = make_org(sessions, status="active")
    people = [make_user(sessions, "partner_admin", org_id=org.id, name=f"Admin {i} {tag()}")
              for i in range(admins)]
    people += [make_user(sessions, "partner_user", org_id=org.id, name=f"User {i} {tag()}")
               for i in range(users)]
    return org, people


def _invited(settings_or_secret: str, sessions, org, by: User | None = None) -> tuple[User, Invitation]:
    """A colleague invited but not in yet (a user without a password and an open link)."""
    user = make_user(sessions, "partner_user", org_id=org.id, password="", name=f"New {tag()}")
    key = f"test/team/{tag()}"
    with sessions.begin() as s:
        invitation = Invitation(key=key, user_id=user.id, expires_at=utcnow() + timedelta(days=7),
                                token_hash=token_hash(link_token(settings_or_secret, "invitation", key)),
                                invited_by_id=by.id if by else None)
        s.add(invitation)
    return user, invitation


def _user(sessions, user_id: int) -> User:
    with sessions() as s:
        return s.get(User, user_id)


def _events(sessions, org_id: str, action: str) -> list[TimelineEvent]:
    with sessions() as s:
        return list(s.scalars(select(TimelineEvent).where(TimelineEvent.org_id == org_id,
                                                          TimelineEvent.action == action)
                              .order_by(TimelineEvent.at, TimelineEvent.id)))  # PostgreSQL keeps no order


# -- reading ------------------------------------------------------------------------------------

def test_the_team_page_lists_people_and_invitations_and_a_partner_user_reads_only(client, sessions):
    org, (admin, member) = _team(sessions)
    invited, _ = _invited("web-test-secret", sessions, org, by=admin)
    login(client, member)
    page = client.get("/portal/team")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for person in (admin, member):
        assert person.name in html and person.email in html
    people = html.split('data-team="invitations"')[0]
    assert invited.email not in people  # not a member until they set a password
    assert invited.email in html and f"{admin.name}" in html.split('data-team="invitations"')[1]
    assert 'action="/portal/team/invite"' not in html and "Deactivate" not in html
    assert ">Team</a>" in html  # the portal's navigation

    for path in (f"/portal/team/users/{admin.id}/deactivate", f"/portal/team/users/{admin.id}/role",
                 f"/portal/team/users/{admin.id}/reactivate", "/portal/team/invite",
                 f"/portal/team/invitations/{invited.id}/revoke"):
        assert client.post(path, data={"role": "partner_user", "name": "x",
                                       "email": "x@example.com"}).status_code == 403, path
    assert _user(sessions, admin.id).active and _user(sessions, admin.id).roles == ["partner_admin"]


def test_team_members_lists_who_can_sign_in(sessions):
    org, (admin, member) = _team(sessions)
    _invited("web-test-secret", sessions, org)
    gone = make_user(sessions, "partner_user", org_id=org.id)
    with sessions.begin() as s:
        s.get(User, gone.id).active = False
    other_org, _ = _team(sessions)
    with sessions() as s:
        assert {u.id for u in team_members(s, org.id)} == {admin.id, member.id}
        assert [u.id for u in team_members(s, org.id, admins_only=True)] == [admin.id]
        assert admin.id not in {u.id for u in team_members(s, other_org.id)}


# -- roles and the last admin -------------------------------------------------------------------

def test_an_admin_changes_a_role_and_the_timeline_says_who(client, sessions):
    org, (admin, member) = _team(sessions)
    login(client, admin)
    done = client.post(f"/portal/team/users/{member.id}/role", data={"role": "partner_admin"})
    assert done.status_code == 302
    assert _user(sessions, member.id).roles == ["partner_admin"]
    [event] = _events(sessions, org.id, "team_role_changed")
    assert event.actor == admin.name
    assert event.note == f"{member.name} changed from partner_user to partner_admin"
    page = client.get("/portal/team").get_data(as_text=True)
    assert f"{member.name} is now a partner administrator." in page
    home = client.get("/portal/").get_data(as_text=True)  # the timeline, in words
    assert "Role changed" in home and "changed from partner user to partner administrator" in home

    assert client.post(f"/portal/team/users/{member.id}/role",
                       data={"role": "channel_manager"}).status_code == 400
    assert _user(sessions, member.id).roles == ["partner_admin"]


def test_the_last_admin_can_be_neither_demoted_nor_deactivated(client, sessions):
    org, (admin, member) = _team(sessions)
    login(client, admin)
    for path, data in ((f"/portal/team/users/{admin.id}/role", {"role": "partner_user"}),
                       (f"/portal/team/users/{admin.id}/deactivate", {})):
        refused = client.post(path, data=data)
        assert refused.status_code == 409
        assert "at least one active administrator" in refused.get_data(as_text=True)
    fresh = _user(sessions, admin.id)
    assert fresh.active and fresh.roles == ["partner_admin"]
    assert client.get("/portal/team").status_code == 200  # still signed in
    assert _events(sessions, org.id, "team_role_changed") == []
    assert _events(sessions, org.id, "team_deactivated") == []


def _together(*calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


@pytest.mark.parametrize("action", ["role", "deactivate"])
def test_two_admins_removing_each_other_at_once_cannot_both_succeed(app, sessions, action):
    org, (first, second) = _team(sessions, admins=2, users=0)
    a, b = app.test_client(), app.test_client()
    login(a, first)
    login(b, second)
    data = {"role": "partner_user"} if action == "role" else {}
    answers = _together(lambda: a.post(f"/portal/team/users/{second.id}/{action}", data=data),
                        lambda: b.post(f"/portal/team/users/{first.id}/{action}", data=data))
    # The loser is refused by the rule (409) or, when the winner's commit came first, no longer
    # an admin at all (403), or, deactivated, signed out (sent to sign in): never both through.
    outcomes = sorted("signed out" if r.status_code == 302 and "/login" in r.headers["Location"]
                      else str(r.status_code) for r in answers)
    assert outcomes in (["302", "403"], ["302", "409"], ["302", "signed out"]), outcomes
    with sessions() as s:
        assert len(team_members(s, org.id, admins_only=True)) == 1


def test_self_demotion_leaves_the_page_read_only(client, sessions):
    org, (admin, other_admin) = _team(sessions, admins=2, users=0)
    login(client, admin)
    assert client.post(f"/portal/team/users/{admin.id}/role",
                       data={"role": "partner_user"}).status_code == 302
    page = client.get("/portal/team").get_data(as_text=True)
    assert "Deactivate" not in page
    assert client.post(f"/portal/team/users/{other_admin.id}/deactivate").status_code == 403


# -- deactivate and reactivate ------------------------------------------------------------------

def test_deactivation_ends_an_open_session_on_its_next_request(app, sessions):
    org, (admin, member) = _team(sessions)
    theirs, mine = app.test_client(), app.test_client()
    login(theirs, member)
    assert theirs.get("/portal/").status_code == 200
    login(mine, admin)
    assert mine.post(f"/portal/team/users/{member.id}/deactivate").status_code == 302

    refused = theirs.get("/portal/")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    with sessions() as s:
        assert s.scalars(select(LoginSession).where(LoginSession.user_id == member.id)).all() == []
    assert theirs.post("/login", data={"email": member.email, "password": PASSWORD}).status_code == 400
    [event] = _events(sessions, org.id, "team_deactivated")
    assert event.actor == admin.name and member.email in event.note
    page = mine.get("/portal/team").get_data(as_text=True)
    assert "Deactivated" in page and f"Reactivate {member.name}" in page

    assert mine.post(f"/portal/team/users/{member.id}/reactivate").status_code == 302
    assert _user(sessions, member.id).active
    assert _events(sessions, org.id, "team_reactivated")[0].actor == admin.name
    login(theirs, member)  # the same password works again
    assert theirs.get("/portal/").status_code == 200


def test_an_admin_who_deactivates_themselves_is_signed_out(client, sessions):
    org, (admin, _other) = _team(sessions, admins=2, users=0)
    login(client, admin)
    gone = client.post(f"/portal/team/users/{admin.id}/deactivate")
    assert gone.status_code == 302 and gone.headers["Location"].endswith("/login")
    assert client.get("/portal/team").status_code == 302
    assert not _user(sessions, admin.id).active


# -- invitations without mail (withdraw, taken addresses, other organisations) -------------------

def test_a_withdrawn_invitation_link_says_so(client, sessions, web_settings):
    org, (admin, _member) = _team(sessions)
    invited, invitation = _invited(web_settings.secret_key, sessions, org, by=admin)
    token = link_token(web_settings.secret_key, "invitation", invitation.key)
    login(client, admin)
    assert client.post(f"/portal/team/invitations/{invitation.id}/revoke").status_code == 302
    page = client.get("/portal/team").get_data(as_text=True)
    assert f"The invitation of {invited.email} was withdrawn." in page
    assert invited.email not in page.split('id="invitations-title"')[1]
    [event] = _events(sessions, org.id, "team_invitation_revoked")
    assert event.actor == admin.name and invited.email in event.note

    link = client.get(f"/set-password/{token}")
    assert link.status_code == 410 and "This invitation was withdrawn" in link.get_data(as_text=True)
    assert client.post(f"/set-password/{token}", data={"password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD}).status_code == 410
    assert client.post(f"/set-password/{token}/renew").status_code == 410  # no new link either
    assert _user(sessions, invited.id).password_hash is None
    assert client.post(f"/portal/team/invitations/{invitation.id}/revoke").status_code == 409


def test_an_address_with_an_account_gets_a_field_message_and_the_form_keeps_its_input(client, sessions):
    org, (admin, member) = _team(sessions)
    _other_org, (stranger, _) = _team(sessions)
    staff = make_user(sessions, "channel_manager")
    login(client, admin)
    for taken, says in ((stranger.email.upper(), "already has an account"),
                        (staff.email, "already has an account"),
                        (member.email, f"{member.name} already has an account in your team")):
        page = client.post("/portal/team/invite", data={"name": "Typed Name", "email": taken,
                                                        "role": "partner_admin", "language": "zh_Hans"})
        html = page.get_data(as_text=True)
        assert page.status_code == 400
        email_field = re.search(r'<div class="field[^"]*" id="email-field">(.*?)</div>', html, re.S).group(1)
        assert says in email_field and "field__error" in email_field
        assert 'value="Typed Name"' in html and f'value="{taken}"' in html
        assert re.search(r'value="partner_admin"[^>]*checked|checked[^>]*value="partner_admin"', html)
        assert re.search(r'<option selected value="zh_Hans">|<option value="zh_Hans" selected', html)
    bad = client.post("/portal/team/invite", data={"name": "", "email": "not an address",
                                                   "role": "partner_user", "language": "en"})
    assert bad.status_code == 400 and "Enter your colleague" in bad.get_data(as_text=True)
    assert 'value="not an address"' in bad.get_data(as_text=True)
    assert _events(sessions, org.id, "team_invited") == []


def test_another_organisations_people_are_not_found(client, sessions, web_settings):
    org, (admin, _member) = _team(sessions)
    other, (their_admin, their_user) = _team(sessions)
    _, their_invitation = _invited(web_settings.secret_key, sessions, other)
    login(client, admin)
    for path in (f"/portal/team/users/{their_user.id}/role", f"/portal/team/users/{their_user.id}/deactivate",
                 f"/portal/team/users/{their_admin.id}/reactivate",
                 f"/portal/team/invitations/{their_invitation.id}/revoke",
                 f"/portal/team/invitations/{their_invitation.id}/resend",
                 "/portal/team/users/999999999/deactivate", "/portal/team/invitations/999999999/revoke"):
        assert client.post(path, data={"role": "partner_admin"}).status_code == 404, path
    page = client.get("/portal/team").get_data(as_text=True)
    assert their_user.email not in page and their_admin.email not in page
    assert _user(sessions, their_user.id).active and _user(sessions, their_user.id).roles == ["partner_user"]


def test_every_team_change_needs_the_forms_csrf_token(csrf_app, sessions):
    org, (admin, member) = _team(sessions)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    for path in (f"/portal/team/users/{member.id}/deactivate", f"/portal/team/users/{member.id}/role",
                 "/portal/team/invite"):
        assert client.post(path, data={"role": "partner_admin", "name": "x",
                                       "email": "x@example.com"}).status_code == 400, path
    assert _user(sessions, member.id).active and _user(sessions, member.id).roles == ["partner_user"]
    html = client.get("/portal/team").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post(f"/portal/team/users/{member.id}/deactivate",
                       data={"csrf_token": token}).status_code == 302
    assert not _user(sessions, member.id).active


def test_a_channel_manager_sees_the_partners_team_read_only(client, sessions, web_settings):
    org, (admin, member) = _team(sessions)
    invited, _ = _invited(web_settings.secret_key, sessions, org, by=admin)
    login(client, make_user(sessions, "channel_manager"))
    html = client.get(f"/manage/partners/{org.id}").get_data(as_text=True)
    assert admin.email in html and member.email in html and invited.email in html
    assert "Pending invitations" in html and "/portal/team/" not in html
    assert client.get("/portal/team").status_code == 403  # the portal is for partners


# -- through the real mail stack ----------------------------------------------------------------

@pytest.fixture
def mail_app(settings, sessions, worker):
    """A new app per test: its rate limits count in memory from zero."""
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})
    yield app
    app.extensions["prm.temporal"].close()


def _link(mail) -> str:
    return re.search(r"https?://[^/\s]+(/set-password/\S+)", mail.body).group(1)


@pytest.mark.slow
def test_an_invited_colleague_sets_a_password_from_the_mail_and_signs_in(mail_app, sessions, smtp):
    org, (admin, _member) = _team(sessions)
    client = mail_app.test_client()
    login(client, admin)
    email = f"colleague-{tag()}@example.com"
    sent = client.post("/portal/team/invite", data={"name": "Zhang Min", "email": email.upper(),
                                                    "role": "partner_admin", "language": "en"})
    assert sent.status_code == 302
    page = client.get("/portal/team").get_data(as_text=True)
    assert f"Invitation sent to {email}." in page and "Zhang Min" in page
    mail = smtp.wait_for(lambda m: email in m.recipients)
    # .strip(): the email package unfolds a long ASCII subject folded right after "Subject:"
    # with the fold's space in front (what a mail client shows does not start with it).
    assert mail.subject.strip() == f"{admin.name} invited you to the partner portal of {org.name}"
    assert f"You were invited by {admin.name} to join {org.name}" in mail.body
    [event] = _events(sessions, org.id, "team_invited")
    assert event.actor == admin.name and event.note == f"Zhang Min ({email}) invited as partner_admin"

    colleague = mail_app.test_client()
    path = _link(mail)
    done = colleague.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/")
    assert colleague.get("/portal/team").status_code == 200
    assert colleague.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 410
    fresh = mail_app.test_client()
    assert fresh.post("/login", data={"email": email, "password": NEW_PASSWORD}).status_code == 302
    with sessions() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user.roles == ["partner_admin"] and user.org_id == org.id
        assert s.scalar(select(Invitation).where(Invitation.user_id == user.id)).invited_by_id == admin.id
    team = client.get("/portal/team").get_data(as_text=True)
    assert email in team.split('data-team="invitations"')[0]  # a member now, no longer invited
    assert "No invitation is pending." in team


@pytest.mark.slow
def test_a_new_link_kills_the_old_one_and_the_mail_is_in_the_colleagues_language(mail_app, sessions, smtp):
    org, (admin, _member) = _team(sessions)
    client = mail_app.test_client()
    login(client, admin)
    email = f"colleague-{tag()}@example.com"
    assert client.post("/portal/team/invite", data={"name": "Wang Fang", "email": email,
                                                    "role": "partner_user",
                                                    "language": "zh_Hans"}).status_code == 302
    first = smtp.wait_for(lambda m: email in m.recipients)
    assert f"{admin.name} 邀请您" in first.body or admin.name in first.subject
    assert "设置密码" in first.body
    with sessions() as s:
        invitation_id = s.scalar(select(Invitation.id).join(User, User.id == Invitation.user_id)
                                 .where(User.email == email))
    assert client.post(f"/portal/team/invitations/{invitation_id}/resend").status_code == 302
    second = smtp.wait_for(lambda m: email in m.recipients and _link(m) != _link(first))
    old, new = _link(first), _link(second)

    colleague = mail_app.test_client()
    dead = colleague.get(old)
    assert dead.status_code == 410
    assert colleague.post(old, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 410
    assert colleague.post(new, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert [e.note for e in _events(sessions, org.id, "team_invited")] == [
        f"Wang Fang ({email}) invited as partner_user",
        f"A new invitation link sent to Wang Fang ({email})"]


@pytest.mark.slow
def test_invitations_are_limited_per_organisation(mail_app, sessions, smtp):
    org, (admin, second_admin) = _team(sessions, admins=2, users=0)
    first, second = mail_app.test_client(), mail_app.test_client()
    login(first, admin)
    login(second, second_admin)
    for i in range(20):
        client = first if i % 2 else second  # the organisation's allowance, whoever sends
        assert client.post("/portal/team/invite", data={
            "name": f"Person {i}", "email": f"p{i}-{tag()}@example.com", "role": "partner_user",
            "language": "en"}).status_code == 302
    over = first.post("/portal/team/invite", data={"name": "One Too Many", "role": "partner_user",
                                                   "email": f"late-{tag()}@example.com", "language": "en"})
    html = over.get_data(as_text=True)
    assert over.status_code == 429 and "many invitations" in html and 'value="One Too Many"' in html
    other_org, (other_admin, _) = _team(sessions)
    elsewhere = mail_app.test_client()
    login(elsewhere, other_admin)
    assert elsewhere.post("/portal/team/invite", data={
        "name": "Fine", "email": f"fine-{tag()}@example.com", "role": "partner_user",
        "language": "en"}).status_code == 302
