"""The message the outbox sends: a text part and an HTML part (multipart/alternative), built by
the standard library's email package and handed to aiosmtplib's send_message.

Headers carry what applicants typed (a company's name in the subject), so no header value may
start a header or a body of its own: the subject is made one line, and an address with a line
break is refused. aiosmtplib asks the server for SMTPUTF8 when an address is not ASCII (an address
in Chinese, RFC 6531), and refuses a server that cannot take it.
"""

from __future__ import annotations

import email.policy
import re
from datetime import datetime
from email.header import Header
from email.message import EmailMessage

from activities.mail_render import one_line

# 7-bit parts (quoted-printable or base64, whichever is shorter): any server takes them, with or
# without 8BITMIME, and every line stays short.
POLICY = email.policy.SMTP.clone(cte_type="7bit")
_LINE_BREAK_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def build_message(sender: str, recipients: list[str], subject: str, text: str, html: str,
                  message_id: str, created: datetime) -> EmailMessage:
    for address in (sender, *recipients):
        if _LINE_BREAK_OR_CONTROL.search(address):
            raise ValueError(f"a control character in a mail address: {address!r}")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    _set_subject(msg, one_line(subject))
    msg["Message-ID"] = message_id
    msg["Date"] = created
    msg.set_content(text)
    if html:  # mail stored before there were HTML parts goes as text alone
        msg.add_alternative(html, subtype="html")
    return msg


def _set_subject(msg: EmailMessage, subject: str) -> None:
    if subject.isascii():
        msg["Subject"] = subject
        return
    # Before Python 3.15 the policy's folding drops the space where it folds a long non-ASCII
    # subject between two encoded words (CPython gh-144156: "申请 申请" arrives as "申请申请").
    # email.header.Header folds it correctly; set_raw keeps its folding. `subject` is one line,
    # so the only line breaks are Header's own folds.
    msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))
