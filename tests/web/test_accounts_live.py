"""Account mail through the real stack: the web app starts an AccountMailWorkflow on the Temporal
dev server, a real worker sends it through the outbox to a real SMTP server. Every link a test
follows comes out of a received mail."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus

from db.models import Invitation, Organisation, PasswordReset, User, utcnow
from domain.accounts import account_mail_workflow_id, welcome_mail_key
from domain.tokens import link_token, token_hash
from tests.conftest import application
from tests.web.conftest import PASSWORD, login, make_org, make_user, nonce_of, tag
from tests.waiting import wait_until
from web import create_app
from web.passwords import verify_password

pytestmark = pytest.mark.slow


@pytest.fixture
def live_app(settings, sessions, worker):
    """A new app per test: its rate limits count in memory from zero."""
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})
    yield app
    app.extensions["prm.temporal"].close()


def _invite(settings, sessions, expires_in=timedelta(days=7)) -> tuple[User, str]:
    org = make_org(sessions, status="active")
    user = make_user(sessions, "partner_admin", org_id=org.id, password="",
                     name=f"Li Wei {tag()}")
    key = f"test/invitation/{tag()}"
    token = link_token(settings.secret_key, "invitation", key)
    with sessions.begin() as s:
        s.add(Invitation(key=key, token_hash=token_hash(token), user_id=user.id,
                         created_at=utcnow() - timedelta(days=30), expires_at=utcnow() + expires_in))
    return user, token


def _link(mail, path: str) -> str:
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", mail.body).group(1)


def _workflow_status(app, workflow_id: str) -> WorkflowExecutionStatus:
    async def describe(client):
        return (await client.get_workflow_handle(workflow_id).describe()).status
    return app.extensions["prm.temporal"].run(describe)


def _together(*calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


def test_the_welcome_mail_goes_once_after_the_password_is_set(live_app, settings, sessions, smtp):
    user, token = _invite(settings, sessions)
    time.sleep(0.5)
    assert smtp.to(user.email) == []  # nothing before the partner acts

    password = {"password": "a long password", "confirm": "a long password"}
    first, second = live_app.test_client(), live_app.test_client()
    answers = _together(lambda: first.post(f"/set-password/{token}", data=password),
                        lambda: second.post(f"/set-password/{token}", data=password))
    assert sorted(r.status_code for r in answers) == [302, 410]  # a double submit sets it once

    welcome = smtp.wait_for(lambda m: user.email in m.recipients)
    assert welcome.subject.startswith("Welcome to the partner portal")
    assert "Your password is set" in welcome.body and "http://prm.test/portal/" in welcome.body
    with sessions() as s:
        created = s.get(User, user.id).created_at
    workflow_id = account_mail_workflow_id(welcome_mail_key(user.id, created))
    # The workflow ends just after its mail is handed to the server.
    wait_until(lambda: _workflow_status(live_app, workflow_id) == WorkflowExecutionStatus.COMPLETED,
               "the welcome workflow to complete", timeout=20)
    time.sleep(1.0)
    assert len(smtp.to(user.email)) == 1
    with sessions() as s:
        assert verify_password(s.get(User, user.id).password_hash, "a long password")


def test_an_expired_invitation_is_renewed_by_mail_and_the_old_link_stays_dead(
        live_app, settings, sessions, smtp):
    user, old_token = _invite(settings, sessions, expires_in=timedelta(seconds=-1))
    client = live_app.test_client()
    assert client.get(f"/set-password/{old_token}").status_code == 410

    sent = client.post(f"/set-password/{old_token}/renew")
    assert sent.status_code == 200 and "A new link is on its way" in sent.get_data(as_text=True)
    mail = smtp.wait_for(lambda m: user.email in m.recipients)
    assert mail.subject == "Set your password for the partner portal"
    new_path = _link(mail, "/set-password/")
    assert old_token not in new_path

    old = client.get(f"/set-password/{old_token}")
    assert old.status_code == 410 and "This link has expired" in old.get_data(as_text=True)
    assert client.post(f"/set-password/{old_token}", data={"password": "a long password",
                                                           "confirm": "a long password"}).status_code == 410
    with sessions() as s:  # the new one: single use, expiring, stored as a hash only
        fresh = s.scalar(select(Invitation).where(Invitation.user_id == user.id,
                                                  Invitation.used_at.is_(None),
                                                  Invitation.expires_at > utcnow()))
        assert fresh.token_hash == token_hash(new_path.rsplit("/", 1)[1])
        assert timedelta(days=29) < fresh.expires_at - utcnow() <= timedelta(days=37)

    done = client.post(new_path, data={"password": "a long password", "confirm": "a long password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/")
    assert client.post(new_path, data={"password": "x" * 12, "confirm": "x" * 12}).status_code == 410


@pytest.mark.parametrize("roles", [("channel_manager",), ("partner_user",)], ids=["staff", "partner"])
def test_password_reset_by_email(live_app, settings, sessions, smtp, roles):
    org = make_org(sessions, status="active") if "partner_user" in roles else None
    user = make_user(sessions, *roles, org_id=org.id if org else None)
    other_browser = live_app.test_client()
    login(other_browser, user)

    client = live_app.test_client()
    asked = client.post("/forgot-password", data={"email": user.email.upper()})
    assert asked.status_code == 200 and "Check your email" in asked.get_data(as_text=True)
    mail = smtp.wait_for(lambda m: user.email in m.recipients)
    assert mail.subject == "Reset your password" and "expires in 60 minutes" in mail.body
    path = _link(mail, "/reset-password/")
    token = path.rsplit("/", 1)[1]
    with sessions() as s:
        row = s.scalar(select(PasswordReset).where(PasswordReset.user_id == user.id))
        assert row.token_hash == token_hash(token) and token not in row.key
        assert row.token_hash == token_hash(link_token(settings.secret_key, "password_reset", row.key))
        assert timedelta(minutes=59) < row.expires_at - utcnow() <= timedelta(hours=1)

    done = client.post(path, data={"password": "my new long password", "confirm": "my new long password"})
    assert done.status_code == 302
    home = "/manage/inbox" if org is None else "/portal/"
    assert client.get(home).status_code == 200  # signed in after the reset
    assert other_browser.get(home).status_code == 302  # the session from before has ended
    assert client.post(path, data={"password": "another long one", "confirm": "another long one"}).status_code == 410
    fresh = live_app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    login(fresh, user, "my new long password")


def test_a_reset_asked_for_an_unknown_address_gets_the_same_answer_in_about_the_same_time(
        live_app, sessions, smtp):
    user = make_user(sessions, "channel_manager")
    nobody = f"nobody-{tag()}@example.com"

    def ask(address):
        started = time.monotonic()
        response = live_app.test_client().post("/forgot-password", data={"email": address})
        return response, time.monotonic() - started

    ask(user.email)  # the first start connects to Temporal: not what is compared
    smtp.wait_for(lambda m: user.email in m.recipients)
    (known, known_s), (unknown, unknown_s) = ask(user.email), ask(nobody)
    assert known.status_code == unknown.status_code == 200
    def page(response, address):  # the page less the address typed and the form's CSRF token
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|name="csrf_token" value="[^"]+"',
                      "", response.get_data(as_text=True).replace(address, "ADDRESS"))
    assert page(known, user.email) == page(unknown, nobody)
    assert min(known_s, unknown_s) >= 0.39  # both wait for the answer floor
    assert abs(known_s - unknown_s) < 0.25, (known_s, unknown_s)
    time.sleep(1.0)
    assert smtp.to(nobody) == []


def test_applications_are_limited_per_contact_address(live_app, sessions):
    contact = f"li.wei-{tag()}@example.com"
    client = live_app.test_client()

    def submit():
        nonce = nonce_of(client.get("/apply").get_data(as_text=True))
        return client.post("/apply", data={**application(contact_email=contact), "form_nonce": nonce})

    submitted = [submit() for _ in range(3)]
    assert [r.status_code for r in submitted] == [302, 302, 302]
    blocked = submit()
    assert blocked.status_code == 429
    assert "Please wait" in blocked.get_data(as_text=True)
    other = client.post("/apply", data={**application(), "form_nonce": nonce_of(
        client.get("/apply").get_data(as_text=True))})
    assert other.status_code == 302  # another contact from the same address still gets through

    # Done when the worker has recorded them: later tests count organisations.
    references = [r.headers["Location"].rsplit("/", 1)[1] for r in (*submitted, other)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with sessions() as s:
            found = s.scalars(select(Organisation.reference)
                              .where(Organisation.reference.in_(references))).all()
        if len(found) == len(references):
            break
        time.sleep(0.1)
    assert sorted(found) == sorted(references)
