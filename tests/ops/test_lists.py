"""The ops lists (issue 9, "Ops lists"): the outbox and the caught-mail mailbox page and filter
by recipient, subject and status; the workflow list finds a partner by a word anywhere in its
name; "Stuck work" is in the header; links in a caught mail can be clicked.

The real Flask app on SQLite, the real SMTP catcher writing the mailbox, and live
PartnerOnboardingWorkflows on the dev server (tests/ops/conftest.py)."""

from __future__ import annotations

import smtplib
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from db.models import Organisation, OutboxMail, User
from devstack.smtp import SmtpCatcher
from tests.ops.pages import demo, link, login, main_nav, table_rows
from web.ops.partners import MAX_ORGS
from web.passwords import hash_password

pytestmark = pytest.mark.slow

DIGESTS = 60      # more than one page of 50
RESETS = 3


@pytest.fixture(scope="module")
def ops(app):
    user = demo("ops")
    return login(app, user.email, user.password)


def _html(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def _pages(client, url: str, table_class: str) -> list[tuple[str, list[list[str]]]]:
    """Every page of a list from `url` on, following its Next link: (url, rows) per page."""
    pages = []
    while url:
        html = _html(client, url)
        pages.append((url, table_rows(html, table_class)))
        url = link(html, "next")
        assert len(pages) < 10, "the pager never ends"
    return pages


# -- the outbox ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def outbox_tag(app) -> str:
    """Digest mails to an acme address (every third pending, the others sent), and a few reset
    mails to a globex address; the tag keeps them apart from the other tests' mail."""
    tag = uuid.uuid4().hex[:8]
    with app.extensions["prm.sessions"].begin() as s:
        for i in range(DIGESTS):
            s.add(OutboxMail(key=f"lists/{tag}/digest/{i}", message_id=f"<{tag}.{i}@prm.example>",
                             recipients=[f"li.wei+{i}@{tag}-acme.example"],
                             subject=f"Digest {tag} #{i:02d}", body_text="...",
                             status="pending" if i % 3 == 0 else "sent"))
        for i in range(RESETS):
            s.add(OutboxMail(key=f"lists/{tag}/reset/{i}", message_id=f"<{tag}.r{i}@prm.example>",
                             recipients=[f"pat.{i}@{tag}-Globex.example"],
                             subject=f"Reset your password {tag} ({i})", body_text="...",
                             status="sent"))
    return tag


def _subjects(rows: list[list[str]]) -> list[str]:
    return [cells[1] for cells in rows]  # created, subject, to, status, attempts, last error


def test_the_outbox_pages_through_a_filtered_list_keeping_the_filter(ops, outbox_tag):
    pages = _pages(ops, f"/ops/outbox?subject=digest+{outbox_tag}", "ops-table outbox")
    assert [len(rows) for _url, rows in pages] == [50, DIGESTS - 50]
    # The second page's link kept the filter, and the two pages are the digests, each once.
    assert parse_qs(urlsplit(pages[1][0]).query) == {"subject": [f"digest {outbox_tag}"],
                                                     "page": ["2"]}
    seen = [s for _url, rows in pages for s in _subjects(rows)]
    assert sorted(seen) == sorted(f"Digest {outbox_tag} #{i:02d}" for i in range(DIGESTS))
    # Newest first: the last digest written opens the first page.
    assert seen[0] == f"Digest {outbox_tag} #{DIGESTS - 1:02d}"
    first = _html(ops, f"/ops/outbox?subject=digest+{outbox_tag}")
    assert f"Mails 1–50 of {DIGESTS}" in first


def test_the_outbox_filters_by_recipient_subject_and_status(ops, outbox_tag):
    tag = outbox_tag
    by_recipient = table_rows(_html(ops, f"/ops/outbox?recipient={tag}-GLOBEX"), "ops-table outbox")
    assert sorted(_subjects(by_recipient)) == [f"Reset your password {tag} ({i})" for i in range(RESETS)]
    assert all(f"@{tag}-Globex.example" in cells[2] for cells in by_recipient)

    by_subject = table_rows(_html(ops, f"/ops/outbox?subject=password+{tag}"), "ops-table outbox")
    assert sorted(_subjects(by_subject)) == [f"Reset your password {tag} ({i})" for i in range(RESETS)]

    one = table_rows(_html(ops, f"/ops/outbox?recipient=li.wei%2B7@{tag}"), "ops-table outbox")
    assert _subjects(one) == [f"Digest {tag} #07"]

    pending = table_rows(_html(ops, f"/ops/outbox?subject={tag}&status=pending"), "ops-table outbox")
    assert sorted(_subjects(pending)) == [f"Digest {tag} #{i:02d}" for i in range(0, DIGESTS, 3)]
    assert {cells[3] for cells in pending} == {"Pending"}

    # LIKE's wildcards are taken literally: no recipient holds a "%" or an "_".
    assert "No mail matches." in _html(ops, f"/ops/outbox?recipient=%25&subject={tag}")
    assert "No mail matches." in _html(ops, f"/ops/outbox?recipient=_&subject={tag}")


def test_the_outbox_keeps_its_filters_when_sorted(ops, outbox_tag):
    html = _html(ops, f"/ops/outbox?subject={outbox_tag}&status=sent")
    sort_link = html.split('data-column="attempts"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    sorted_page = _html(ops, sort_link.replace("&amp;", "&"))
    rows = table_rows(sorted_page, "ops-table outbox")
    assert rows and {cells[3] for cells in rows} == {"Sent"}
    assert all(outbox_tag in cells[1] for cells in rows)
    assert 'aria-sort="descending"' in sorted_page.split('data-column="attempts"', 1)[1].split(">", 1)[0]


# -- the mailbox -----------------------------------------------------------------------------------

def _mail(subject: str, to: str, body: str = "Hello.\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "PRM <no-reply@prm.example>", to, subject
    msg["Date"] = "Thu, 26 Nov 2026 10:00:00 +0000"
    msg.set_content(body)
    return msg


def _deliver(mailbox_dir: str, messages: list[EmailMessage]) -> None:
    """Through the real catcher, which writes each mail to the mailbox before it answers."""
    catcher = SmtpCatcher(mailbox_dir=Path(mailbox_dir)).start()
    try:
        with smtplib.SMTP("127.0.0.1", catcher.port) as smtp:
            for msg in messages:
                smtp.send_message(msg)
    finally:
        catcher.stop()


@pytest.fixture(scope="module")
def mailbox_tag(ops_settings) -> str:
    tag = uuid.uuid4().hex[:8]
    _deliver(ops_settings.mailbox_dir,
             [_mail(f"Digest {tag} #{i:02d}", f"li.wei+{i}@{tag}-acme.example") for i in range(DIGESTS)]
             + [_mail(f"Reset your password {tag} ({i})", f"pat.{i}@{tag}-Globex.example")
                for i in range(RESETS)])
    return tag


def test_the_mailbox_pages_through_a_filtered_list_keeping_the_filter(ops, mailbox_tag):
    pages = _pages(ops, f"/ops/mailbox?subject=DIGEST+{mailbox_tag}", "ops-table mailbox")
    assert [len(rows) for _url, rows in pages] == [50, DIGESTS - 50]
    assert parse_qs(urlsplit(pages[1][0]).query) == {"subject": [f"DIGEST {mailbox_tag}"],
                                                     "page": ["2"]}
    seen = [cells[1] for _url, rows in pages for cells in rows]  # date, subject, from, to
    assert seen == [f"Digest {mailbox_tag} #{i:02d}" for i in reversed(range(DIGESTS))]  # newest first


def test_the_mailbox_filters_by_recipient_and_subject(ops, mailbox_tag):
    tag = mailbox_tag
    resets = sorted(f"Reset your password {tag} ({i})" for i in range(RESETS))
    by_recipient = table_rows(_html(ops, f"/ops/mailbox?recipient={tag}-globex"), "ops-table mailbox")
    assert sorted(cells[1] for cells in by_recipient) == resets
    assert all(f"@{tag}-Globex.example" in cells[3] for cells in by_recipient)

    by_subject = table_rows(_html(ops, f"/ops/mailbox?subject=password+{tag}"), "ops-table mailbox")
    assert sorted(cells[1] for cells in by_subject) == resets

    both = table_rows(_html(ops, f"/ops/mailbox?recipient=li.wei%2B12@&subject={tag}"),
                      "ops-table mailbox")
    assert [cells[1] for cells in both] == [f"Digest {tag} #12"]
    assert "No mail matches." in _html(ops, f"/ops/mailbox?recipient=nobody-{tag}")


def test_the_whole_mailbox_has_pages_too(ops, mailbox_tag):
    first = _html(ops, "/ops/mailbox")
    assert len(table_rows(first, "ops-table mailbox")) == 50
    second = link(first, "next")
    assert second is not None and parse_qs(urlsplit(second).query) == {"page": ["2"]}
    assert table_rows(_html(ops, second), "ops-table mailbox")


def test_links_in_a_caught_mail_can_be_clicked_and_only_web_links(ops, ops_settings):
    tag = uuid.uuid4().hex[:8]
    url = f"http://prm.test/set-password?token={tag}&next=/portal"
    body = (f"Choose your password: {url}.\n"
            "Do not click javascript:alert(document.cookie) or <b>this</b>.\n")
    _deliver(ops_settings.mailbox_dir, [_mail(f"Links {tag}", "li.wei@acme.example", body)])
    listing = _html(ops, f"/ops/mailbox?subject=links+{tag}")
    mail_link = listing.split(f"Links {tag}")[0].rsplit('href="', 1)[1].split('"')[0]
    page = _html(ops, mail_link)
    text = page.split('<pre class="mail-body">', 1)[1].split("</pre>", 1)[0]
    escaped = url.replace("&", "&amp;")
    # The address is a link (the sentence's full stop is not part of it); the rest is text.
    assert f'<a href="{escaped}" rel="noopener noreferrer" target="_blank">{escaped}</a>.' in text
    assert "javascript:alert(document.cookie)" in text and 'href="javascript:' not in page
    assert "&lt;b&gt;this&lt;/b&gt;" in text and "<b>this</b>" not in text


# -- the workflow list's partner filter ------------------------------------------------------------

def _eventually(fetch, check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if check(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_the_workflow_list_finds_a_partner_by_a_word_inside_its_name(ops, onboardings):
    waiting = onboardings.waiting
    # "Ops 1a2b3c 有限公司": the middle word, in capitals. Visibility alone matches a name by its
    # beginning, so this finds the workflow only through the app database's organisations.
    word = waiting.company.split()[1].upper()
    html = _eventually(lambda: _html(ops, f"/ops/?partner={word}"),
                       lambda h: waiting.handle.id in h)
    assert waiting.handle.id in html and waiting.company in html
    for other in (onboardings.decided, onboardings.failing, onboardings.wedged):
        assert other.handle.id not in html
    assert "data-partner-cap" not in html
    # The reference finds it too, and a word no organisation has finds nothing.
    by_reference = _html(ops, f"/ops/?partner={waiting.reference[-6:].lower()}")
    assert waiting.handle.id in by_reference
    nothing = _html(ops, f"/ops/?partner=zz{uuid.uuid4().hex[:8]}")
    assert "No workflow matches these filters." in nothing


def test_too_many_organisations_for_a_word_are_capped_and_said(app, ops, onboardings):
    tag = uuid.uuid4().hex[:8]
    with app.extensions["prm.sessions"].begin() as s:
        for i in range(MAX_ORGS + 1):
            org_id = str(uuid.uuid4())
            s.add(Organisation(id=org_id, reference=f"PX-{uuid.uuid4().hex[:8].upper()}",
                               name=f"Northwind {tag} {i:03d} Ltd", normalised_name=f"northwind {tag} {i}",
                               domain=f"{tag}-{i}.example", country="CN", partner_type="reseller",
                               status="active", workflow_id=f"wf-{org_id}"))
    html = _html(ops, f"/ops/?partner={tag}")
    assert f"More than {MAX_ORGS} organisations have “{tag}” in their name" in html
    assert "No workflow matches these filters." in html  # none of them has a workflow
    assert "data-partner-cap" not in _html(ops, f"/ops/?partner={tag}+000")


# -- the header ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["ops", "program_lead"])
def test_stuck_work_is_in_the_header_for_ops_and_program_leads(app, role):
    user = demo(role)
    nav = main_nav(_html(login(app, user.email, user.password), "/ops/outbox"))
    assert '<a href="/ops/stuck">Stuck work</a>' in nav


def test_the_header_marks_stuck_work_as_the_current_page(ops):
    nav = main_nav(_html(ops, "/ops/stuck"))
    assert '<a href="/ops/stuck" aria-current="page">Stuck work</a>' in nav
    assert '<a href="/ops/" aria-current="page">' not in nav


def test_a_channel_manager_has_no_stuck_work_in_the_header(app):
    manager = demo("channel_manager")
    nav = main_nav(_html(login(app, manager.email, manager.password), "/manage/"))
    assert "Partners" in nav and "/ops/stuck" not in nav and "Stuck work" not in nav


def test_a_chinese_ops_user_reads_the_list_controls_in_chinese(app, outbox_tag, mailbox_tag):
    email = f"ops-zh-{uuid.uuid4().hex[:8]}@prm.example"
    with app.extensions["prm.sessions"].begin() as s:
        s.add(User(email=email, name="Wang Yun", roles=["ops"], locale="zh_Hans",
                   password_hash=hash_password("ops-password-1")))
    client = login(app, email, "ops-password-1")
    outbox = _html(client, f"/ops/outbox?subject=digest+{outbox_tag}")
    assert '<label for="list-recipient">收件人</label>' in outbox
    assert f"第 1–50 封邮件，共 {DIGESTS} 封" in outbox and "Recipient" not in outbox
    assert '<label for="list-recipient">收件人</label>' in _html(client, "/ops/mailbox")
    assert '<a href="/ops/stuck">卡住的工作</a>' in main_nav(outbox)
