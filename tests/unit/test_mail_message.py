"""The message as a mail reader and a mail server see it: built by the email package
(activities/mail_message.py), sent by aiosmtplib over a real SMTP session (activities/mailer.py)."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import datetime, timezone
from email.header import decode_header, make_header

import pytest

from activities.mail_message import build_message
from activities.mailer import SmtpMailer
from devstack.smtp import SmtpCatcher
from settings import Settings

CREATED = datetime(2026, 11, 27, 5, 1, 2, tzinfo=timezone.utc)
BODY_EN = "Dear Li Wei,\n\nYour application PRM-2026-0042 is with our channel team.\n" \
          "Open https://prm.example/t/abc/" + "x" * 120 + "\n\nKind regards\n"
BODY_ZH = "李伟，您好：\n\n您的申请已提交给渠道经理审核。\n"
HTML = '<p>Dear Li Wei, <a href="https://prm.example/t/abc">open</a> 您好</p>\n'

CASES = [
    ("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "Application received", BODY_EN),
    ("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "已收到您的合作伙伴申请", BODY_ZH),
    # Long Chinese subjects with spaces: the email package's own folding loses the spaces where
    # it folds (CPython gh-144156); the reader must see every one.
    ("渠道伙伴计划 <no-reply@prm.example>", ["a@x.example"], " ".join(["申请"] * 40), BODY_ZH),
    ("PRM <no-reply@prm.example>", ["a@x.example"], " ".join(["a 申"] * 30), BODY_ZH),
    ('"Example, Inc" <no-reply@prm.example>', [f"manager-{i}@vendor.example" for i in range(9)],
     "Review the application of Shanghai Bright Future Industrial Automation Trading Co Ltd "
     "before its deadline", BODY_EN),
    ("no-reply@prm.example", ["li.wei@acme.example"], "", "\n"),
    ("上海明日工业自动化贸易有限公司合作伙伴计划渠道团队 <partners@prm.example>", ["a@x.example"],
     "New task", BODY_EN),
]


def message(sender, recipients, subject, body, html=HTML):
    return build_message(sender, recipients, subject, body, html, "<abc@prm.example>", CREATED)


def read(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def lf(text: str) -> str:
    """Text parts travel with CRLF line ends (MIME's canonical form); readers show them alike."""
    return text.replace("\r\n", "\n")


@pytest.mark.parametrize("sender, recipients, subject, body", CASES)
def test_a_reader_sees_every_field_as_written(sender, recipients, subject, body):
    raw = message(sender, recipients, subject, body).as_bytes()
    m = read(raw)
    # RFC 2047's decoder: the email package's address parser puts a space between two encoded
    # words of a folded display name, where mail clients (and the RFC) put none.
    assert str(make_header(decode_header(email.message_from_bytes(raw)["From"]))) == sender
    assert [a.addr_spec for a in m["To"].addresses] == recipients
    assert str(m["Subject"]) == subject
    assert str(m["Message-ID"]) == "<abc@prm.example>" and m["Date"].datetime == CREATED
    assert m.get_content_type() == "multipart/alternative"
    assert lf(m.get_body(("plain",)).get_content()) == body
    assert lf(m.get_body(("html",)).get_content()) == HTML


@pytest.mark.parametrize("sender, recipients, subject, body", CASES)
def test_every_line_is_short_crlf_ended_7_bit(sender, recipients, subject, body):
    data = message(sender, recipients, subject, body).as_bytes()
    assert data.isascii()
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # no bare LF anywhere
    assert max(len(line) for line in lines) <= 78


@pytest.mark.parametrize("subject", ["A\r\nReply-To: x@evil.example",
                                     "Acme\r\n\r\nYour account is locked, log in at evil",
                                     "Acme\nBcc: x@evil.example", "短\r\nReply-To: x@evil.example"])
def test_a_line_break_in_the_subject_starts_no_header_and_no_body(subject):
    """The subject carries the company name an applicant typed; a hand-made POST can put a
    line break in it."""
    m = read(message("PRM <no-reply@prm.example>", ["m@vendor.example"], f"New task: {subject}",
                     "Hello\n").as_bytes())
    assert m["Reply-To"] is None and m["Bcc"] is None
    assert lf(m.get_body(("plain",)).get_content()) == "Hello\n"
    assert str(m["Subject"]) == "New task: " + " ".join(subject.split())  # kept, on one line


def test_an_address_with_a_line_break_is_refused():
    with pytest.raises(ValueError):
        message("PRM <no-reply@prm.example>", ["a@x.example\r\nBcc: b@evil.example"], "Hi", "Hello")


def test_mail_stored_before_html_parts_goes_as_text_alone():
    m = read(message("PRM <no-reply@prm.example>", ["a@x.example"], "Hi", "Hello\n", html="")
             .as_bytes())
    assert m.get_content_type() == "text/plain" and lf(m.get_content()) == "Hello\n"


# -- over a real SMTP session ------------------------------------------------------------------

def send_all(port: int, messages) -> None:
    async def go():
        mailer = SmtpMailer(Settings(smtp_port=port))
        async with mailer.connection() as send:
            for m in messages:
                await send(m)
    asyncio.run(go())


def test_the_server_gets_the_bare_addresses_and_the_message_as_built(server):
    sent = message("渠道伙伴计划 <no-reply@prm.example>", ["a@x.example", "b@x.example"],
                   " ".join(["申请"] * 40), BODY_ZH)
    send_all(server.port, [sent])
    (got,) = server.received
    assert got.envelope_from == "no-reply@prm.example"
    assert got.recipients == ["a@x.example", "b@x.example"]
    assert "SMTPUTF8" not in got.mail_options
    assert got.subject == " ".join(["申请"] * 40) and got.body == BODY_ZH and got.html == HTML
    assert got.message_id == "<abc@prm.example>"
    # As sent, not only as built: 7-bit, short lines, whatever the server offered (8BITMIME).
    assert got.raw.isascii() and max(len(line) for line in got.raw.split(b"\r\n")) <= 78


def test_an_international_address_asks_the_server_for_smtputf8(server):
    send_all(server.port, [message("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "Hi",
                                   "Hello\n"),
                           message("PRM <no-reply@prm.example>", ["李伟@例子.中国"], "Hi", "Hello\n")])
    plain, chinese = server.received
    assert "SMTPUTF8" not in plain.mail_options and "SMTPUTF8" in chinese.mail_options
    assert chinese.recipients == ["李伟@例子.中国"] and str(chinese.message["To"]) == "李伟@例子.中国"


def test_headers_kept_between_mails_are_written_as_each_policy_asks():
    """Header objects are made and folded once per value (activities/mail_message.py): a header
    written for an SMTPUTF8 session must not come out folded for a 7-bit one, or the reverse."""
    sender = "渠道伙伴计划 <no-reply@prm.example>"
    first, second = (message(sender, [f"a{i}@x.example"], f"Hi {i}", "Hello\n") for i in (1, 2))
    as_utf8 = first.as_bytes(policy=email.policy.SMTPUTF8)
    as_7bit = second.as_bytes(policy=email.policy.SMTP)
    assert "渠道伙伴计划".encode() in as_utf8 and as_7bit.isascii()
    assert b"To: a1@x.example" in as_utf8 and b"To: a2@x.example" in as_7bit
    assert str(read(as_7bit)["Subject"]) == "Hi 2" and str(read(as_utf8)["Subject"]) == "Hi 1"
