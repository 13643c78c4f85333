"""Abuse limits as a person (or an attacker) meets them, and their storage shared by web processes.

Each `app` counts in memory from zero; the shared-storage tests count in a real Redis
(TEST_REDIS_URL, default redis://127.0.0.1:6379/0) under a key prefix of their own.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
import redis

from tests.web.conftest import PASSWORD, _app, login, make_user, tag

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _fail_sign_in(client, email: str):
    return client.post("/login", data={"email": email, "password": "not the password"})


def test_failed_sign_ins_per_account_are_limited_with_the_wait_and_a_way_out(app, sessions):
    user = make_user(sessions, "channel_manager")
    client = app.test_client()
    assert [_fail_sign_in(client, user.email).status_code for _ in range(5)] == [400] * 5

    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429  # even the right password waits now
    html = blocked.get_data(as_text=True)
    assert re.search(r"Try again in (1[0-5]|[1-9]) minutes?", html), html[:3000]
    assert 'href="/forgot-password"' in html  # the owner can still reset the password
    assert client.get("/manage/inbox").status_code == 302

    # Another account from the same address is not locked out by this one's failures.
    colleague = make_user(sessions, "channel_manager")
    login(app.test_client(), colleague)


def test_failed_sign_ins_per_address_are_limited_across_accounts(app, sessions):
    client = app.test_client()
    for _ in range(20):
        assert _fail_sign_in(client, f"guess-{tag()}@example.com").status_code == 400
    user = make_user(sessions, "channel_manager")
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    # Another client address is not affected.
    other = app.test_client()
    response = other.post("/login", data={"email": user.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302


def test_successful_sign_ins_do_not_count(app, sessions):
    user = make_user(sessions, "channel_manager")
    client = app.test_client()
    for _ in range(7):
        login(client, user)
        client.post("/logout")


def test_reset_requests_are_limited_per_recipient_the_same_whether_or_not_the_account_exists(
        app, sessions):
    app.config["PASSWORD_RESET_ANSWER_FLOOR_S"] = 0
    nobody = f"nobody-{tag()}@example.com"
    for _ in range(3):
        assert app.test_client().post("/forgot-password", data={"email": nobody}).status_code == 200
    blocked = app.test_client().post("/forgot-password", data={"email": nobody.upper()})
    assert blocked.status_code == 429
    assert re.search(r"Please wait \d+ minutes?", blocked.get_data(as_text=True))
    assert app.test_client().post("/forgot-password",
                                  data={"email": f"someone-{tag()}@example.com"}).status_code == 200


def test_reset_requests_are_limited_per_client_address(app):
    app.config["PASSWORD_RESET_ANSWER_FLOOR_S"] = 0
    client = app.test_client()
    for _ in range(10):
        assert client.post("/forgot-password", data={"email": f"x-{tag()}@example.com"}).status_code == 200
    assert client.post("/forgot-password", data={"email": f"x-{tag()}@example.com"}).status_code == 429


# -- one counter for every web process -------------------------------------------------------

@pytest.fixture
def redis_prefix():
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run Redis at {REDIS_URL} (see .ci/run)")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"prm-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)


def _two_apps(web_settings, sessions, **config):
    return [_app(web_settings, sessions, **config) for _ in range(2)]


def test_two_web_processes_share_one_count_in_redis(web_settings, sessions, redis_prefix):
    first, second = _two_apps(web_settings, sessions, RATELIMIT_STORAGE_URI=REDIS_URL,
                              RATELIMIT_KEY_PREFIX=redis_prefix)
    user = make_user(sessions, "channel_manager")
    for app in (first, first, first, second, second):  # 5 failures, split between the two
        assert _fail_sign_in(app.test_client(), user.email).status_code == 400
    for app in (first, second):
        blocked = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
        assert blocked.status_code == 429


def test_per_process_memory_would_not_have_held(web_settings, sessions):
    """The control: the same five failures counted in each process's memory lock nobody out,
    which is why compose runs its web processes on Redis."""
    first, second = _two_apps(web_settings, sessions, RATELIMIT_STORAGE_URI="memory://")
    user = make_user(sessions, "channel_manager")
    for app in (first, first, first, second, second):
        assert _fail_sign_in(app.test_client(), user.email).status_code == 400
    assert first.test_client().post("/login", data={"email": user.email,
                                                    "password": PASSWORD}).status_code == 302


def test_new_link_requests_are_limited_per_link(app, sessions):
    from tests.web.test_auth import _invite
    from datetime import timedelta

    _user, token = _invite(sessions, expires_in=timedelta(seconds=-1))
    client = app.test_client()
    for _ in range(3):  # Temporal is away in this app: each ask is answered 503, and counted
        assert client.post(f"/set-password/{token}/renew").status_code == 503
    blocked = client.post(f"/set-password/{token}/renew")
    assert blocked.status_code == 429 and "Please wait" in blocked.get_data(as_text=True)
