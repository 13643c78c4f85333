"""The outbox page (every stack) and the caught-mail pages (the embedded stack only), in the real
Flask app against SQLite and a real SMTP catcher."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from activities.mail_message import build_message
from activities.mailer import SmtpMailer
from db.models import OutboxMail, User
from db.session import make_sessions
from devstack.seed import DEMO_USERS, seed
from devstack.smtp import SmtpCatcher
from settings import Settings
from web import create_app
from web.passwords import hash_password

pytestmark = pytest.mark.slow

OPS = next(d for d in DEMO_USERS if d.role == "ops")


def _app(settings: Settings):
    sessions = make_sessions(settings.database_url)
    seed(sessions)
    return create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSIONS": sessions})


def _login(app, email: str = OPS.email, password: str = OPS.password):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


@pytest.fixture(scope="module")
def app(ops_settings):
    """The embedded stack's settings: MAILBOX_DIR is the catcher's directory."""
    app = _app(ops_settings)
    yield app
    app.extensions["prm.temporal"].close()


@pytest.fixture(scope="module")
def ops(app):
    return _login(app)


def _send(port: int, subject: str, text: str, html: str) -> None:
    msg = build_message("PRM <no-reply@prm.example>", ["li.wei@acme.example"], subject, text, html,
                        f"<{uuid.uuid4().hex}@prm.example>", datetime.now(timezone.utc))

    async def go():
        async with SmtpMailer(Settings(smtp_port=port)).connection() as send:
            await send(msg)
    asyncio.run(go())


def test_the_embedded_mailbox_shows_both_parts_and_runs_nothing_of_the_html(app, ops, ops_settings):
    catcher = SmtpCatcher(mailbox_dir=Path(ops_settings.mailbox_dir)).start()
    subject = f"Your application PA-{uuid.uuid4().hex[:8].upper()} was received"
    html = '<p>感谢您的申请。</p><script>alert("mail")</script><img src=x onerror="alert(2)">'
    try:
        _send(catcher.port, subject, "Thank you for applying. 感谢您的申请。\n", html)
        catcher.wait_for(lambda m: m.subject == subject)
    finally:
        catcher.stop()
    listing = ops.get("/ops/mailbox").get_data(as_text=True)
    assert subject in listing and "li.wei@acme.example" in listing
    link = listing.split(subject)[0].rsplit('href="', 1)[1].split('"')[0]
    page = ops.get(link).get_data(as_text=True)
    assert "Thank you for applying. 感谢您的申请。" in page and subject in page
    # The HTML part is shown in a sandboxed frame (no scripts, an origin of its own) and as text.
    assert '<iframe class="mail-html" sandbox=""' in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;mail&#34;)&lt;/script&gt;" in page
    assert ops.get("/ops/mailbox/..%2Fsecret").status_code == 404
    assert 'href="/ops/mailbox"' in ops.get("/ops/outbox").get_data(as_text=True)


def test_the_outbox_lists_each_mail_with_its_attempts_and_last_error(app, ops):
    subject = f"Stuck in the outbox {uuid.uuid4().hex[:6]}"
    with app.extensions["prm.sessions"].begin() as s:
        s.add(OutboxMail(key=f"ops-test/{uuid.uuid4()}", message_id="<x@prm.example>",
                         recipients=["stuck@acme.example"], subject=subject, body_text="...",
                         status="pending", attempts=3, last_error="SMTPConnectError: refused"))
    html = ops.get("/ops/outbox").get_data(as_text=True)
    row = html.split(subject, 1)[1].split("</tr>", 1)[0]
    assert "stuck@acme.example" in row and ">Pending</span></td>" in row
    assert "<td>3</td>" in row and "SMTPConnectError: refused" in row


def test_a_chinese_ops_user_reads_the_outbox_status(app):
    email = f"ops-zh-{uuid.uuid4().hex[:8]}@prm.example"
    with app.extensions["prm.sessions"].begin() as s:
        s.add(User(email=email, name="Wang Yun", roles=["ops"], locale="zh_Hans",
                   password_hash=hash_password("ops-password-1")))
        for status in ("pending", "sent", "held"):  # held: a code with no label
            s.add(OutboxMail(key=f"ops-test/{uuid.uuid4()}", message_id="<x@prm.example>",
                             recipients=["zh@acme.example"], subject=f"Outbox {status}",
                             body_text="...", status=status))
    html = _login(app, email, "ops-password-1").get("/ops/outbox").get_data(as_text=True)
    outbox = html.split('class="ops-table outbox"', 1)[1]
    assert ">待发送</span></td>" in outbox and ">已发送</span></td>" in outbox
    assert ">pending</span></td>" not in outbox and ">sent</span></td>" not in outbox
    assert ">held</span></td>" in outbox  # shown as it is


@pytest.mark.parametrize("mailbox_dir", [None, "/dev/null", "missing"],
                         ids=["production-default", "compose", "not-a-folder"])
def test_outside_the_embedded_stack_there_is_no_mailbox(ops_settings, tmp_path, mailbox_dir):
    """Mail that went to a real server (set-password links in it) is nobody's to read here."""
    env = {"DATABASE_URL": ops_settings.database_url, "SECRET_KEY": "ops-test-secret",
           "TEMPORAL_ADDRESS": ops_settings.temporal_address, "SMTP_HOST": "smtp.example.com"}
    if mailbox_dir is not None:
        env["MAILBOX_DIR"] = str(tmp_path / mailbox_dir) if mailbox_dir == "missing" else mailbox_dir
    production = Settings.from_env(env)
    app = _app(production)
    try:
        ops = _login(app)
        assert ops.get("/ops/mailbox").status_code == 404
        assert ops.get("/ops/mailbox/1764700000000000000.eml").status_code == 404
        outbox = ops.get("/ops/outbox")
        assert outbox.status_code == 200
        html = outbox.get_data(as_text=True)
        assert "smtp.example.com" in html and 'href="/ops/mailbox"' not in html
    finally:
        app.extensions["prm.temporal"].close()
