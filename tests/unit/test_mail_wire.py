"""The outbox writes mail bytes itself (activities/mail_wire.py): a mail reader must read them
as it reads the email package's own message with the same content."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from activities.mail_wire import wire_mail

CREATED = datetime(2026, 11, 27, 5, 1, 2, tzinfo=timezone.utc)
BODY_EN = "Dear Li Wei,\n\nYour application PRM-2026-0042 is with our channel team.\n" \
          "Open https://prm.example/t/abc/" + "x" * 120 + "\n\nKind regards\n"
BODY_ZH = "李伟，您好：\n\n您的申请已提交给渠道经理审核。\n"

CASES = [
    ("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "Application received", BODY_EN),
    ("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "已收到您的合作伙伴申请", BODY_ZH),
    ("渠道伙伴计划 <no-reply@prm.example>", ["a@x.example"], "申请 " * 40, BODY_ZH),
    ('"Example, Inc" <no-reply@prm.example>', [f"manager-{i}@vendor.example" for i in range(9)],
     "Review the application of Shanghai Bright Future Industrial Automation Trading Co Ltd "
     "before its deadline", BODY_EN),
    ("no-reply@prm.example", ["li.wei@acme.example"], "", ""),
    ("上海明日工业自动化贸易有限公司合作伙伴计划渠道团队 <partners@prm.example>", ["a@x.example"],
     "New task", BODY_EN),
]


def stdlib_message(sender, recipients, subject, body) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Message-ID"] = "<abc@prm.example>"
    msg["Date"] = format_datetime(CREATED)
    msg.set_content(body, charset="utf-8", cte="base64")
    return msg.as_bytes()


def read(raw: bytes) -> dict:
    m = email.message_from_bytes(raw, policy=email.policy.default)
    return {"from": str(m["From"]), "to": [str(a) for a in m["To"].addresses],
            "subject": str(m["Subject"]), "message_id": str(m["Message-ID"]),
            "date": m["Date"].datetime, "body": m.get_body(("plain",)).get_content(),
            "type": m.get_content_type(), "charset": m.get_content_charset()}


@pytest.mark.parametrize("sender, recipients, subject, body", CASES)
def test_a_reader_sees_what_the_email_package_would_have_sent(sender, recipients, subject, body):
    ours = read(wire_mail(sender, recipients, subject, body, "<abc@prm.example>", CREATED).data)
    theirs = read(stdlib_message(sender, recipients, subject, body))
    # Subject and body exactly as written. (The email package itself loses the spaces where
    # it folds a long Chinese subject, and adds a newline to an empty body.)
    assert (ours.pop("subject"), ours.pop("body")) == (subject, body)
    del theirs["subject"], theirs["body"]
    assert ours == theirs


@pytest.mark.parametrize("sender, recipients, subject, body", CASES)
def test_every_line_is_short_crlf_ended_7_bit(sender, recipients, subject, body):
    data = wire_mail(sender, recipients, subject, body, "<abc@prm.example>", CREATED).data
    assert data.isascii()
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # no bare LF anywhere
    assert max(len(line) for line in lines) <= 78


def test_the_envelope_is_the_bare_addresses():
    mail = wire_mail("渠道伙伴计划 <no-reply@prm.example>", ["a@x.example", "b@x.example"], "Hi",
                     "Hello", "<m@prm.example>", CREATED)
    assert mail.envelope_from == "no-reply@prm.example"
    assert mail.recipients == ["a@x.example", "b@x.example"]


@pytest.mark.parametrize("subject", ["A\r\nReply-To: x@evil.example",
                                     "Acme\r\n\r\nYour account is locked, log in at evil",
                                     "Acme\nBcc: x@evil.example", "短\r\nReply-To: x@evil.example"])
def test_a_line_break_in_the_subject_starts_no_header_and_no_body(subject):
    """The subject carries the company name an applicant typed; a hand-made POST can put a
    line break in it."""
    data = wire_mail("PRM <no-reply@prm.example>", ["m@vendor.example"], f"New task: {subject}",
                     "Hello", "<m@prm.example>", CREATED).data
    m = email.message_from_bytes(data, policy=email.policy.default)
    assert m["Reply-To"] is None and m["Bcc"] is None
    assert m.get_body(("plain",)).get_content() == "Hello"
    assert "Reply-To" in str(m["Subject"]) or "locked" in str(m["Subject"]) \
        or "Bcc" in str(m["Subject"])  # kept, on one line, as text


def test_an_address_with_a_line_break_is_refused():
    with pytest.raises(ValueError):
        wire_mail("PRM <no-reply@prm.example>", ["a@x.example\r\nBcc: b@evil.example"], "Hi",
                  "Hello", "<m@prm.example>", CREATED)


def test_an_international_address_asks_the_server_for_smtputf8():
    plain = wire_mail("PRM <no-reply@prm.example>", ["li.wei@acme.example"], "Hi", "Hello",
                      "<m@prm.example>", CREATED)
    chinese = wire_mail("PRM <no-reply@prm.example>", ["李伟@例子.中国"], "Hi", "Hello",
                        "<m@prm.example>", CREATED)
    assert plain.mail_options == [] and chinese.mail_options == ["SMTPUTF8"]
    m = email.message_from_bytes(chinese.data, policy=email.policy.default)
    assert str(m["To"]) == "李伟@例子.中国"
