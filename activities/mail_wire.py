"""A plain-text UTF-8 mail as the bytes SMTP carries, with its envelope.

The email package builds a Message object and then walks it with a generator to get the bytes,
and aiosmtplib's send_message parses the headers again to find the envelope. For the one shape of
mail the outbox sends, that was about a third of the worker's CPU per mail in `make bench`. Here
the bytes are written directly. tests/unit/test_mail_wire.py checks that a mail reader (the email
package itself) reads them exactly as it reads the email package's own.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_LINE = 78  # RFC 5322's recommended line length: From, To and Subject are folded to it


@dataclass(frozen=True)
class WireMail:
    envelope_from: str  # MAIL FROM
    recipients: list[str]  # RCPT TO
    data: bytes  # after DATA
    # An address in Chinese, say (RFC 6531): the server must be told, and must support it.
    mail_options: list[str] = field(default_factory=list)


def wire_mail(sender: str, recipients: list[str], subject: str, body: str, message_id: str,
              created: datetime) -> WireMail:
    from_header, envelope_from = _sender(sender)
    for address in (envelope_from, *recipients):
        if _CONTROL.search(address):
            raise ValueError(f"a control character in a mail address: {address!r}")
    head = "\r\n".join([
        f"From: {from_header}",
        f"To: {_fold_addresses(recipients)}",
        f"Subject: {_subject(subject)}",
        f"Message-ID: {message_id}",
        f"Date: {format_datetime(created)}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
    ])
    # base64 keeps every line short and 7-bit whatever the text (Chinese, long URLs).
    payload = base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n")
    international = not all(a.isascii() for a in (envelope_from, *recipients))
    return WireMail(envelope_from, list(recipients), head.encode("utf-8") + b"\r\n\r\n" + payload,
                    ["SMTPUTF8"] if international else [])


@lru_cache(maxsize=16)
def _sender(sender: str) -> tuple[str, str]:
    """The From header (a non-ASCII display name as RFC 2047 words, folded) and the address."""
    name, address = parseaddr(sender)
    if name.isascii():
        return formataddr((name, address)), address
    words = Header(name, "utf-8", header_name="From").encode(linesep="\r\n")
    return f"{words}\r\n <{address}>", address


def _subject(subject: str) -> str:
    # A subject carries what applicants typed (their company's name): a line break in it must
    # not start a header or the body of its own.
    subject = _CONTROL.sub(" ", subject)
    if subject.isascii() and len("Subject: ") + len(subject) <= _LINE:
        return subject
    charset = "us-ascii" if subject.isascii() else "utf-8"
    return Header(subject, charset, header_name="Subject").encode(linesep="\r\n")


def _fold_addresses(addresses: list[str]) -> str:
    joined = ", ".join(addresses)
    return joined if len("To: ") + len(joined) <= _LINE else ",\r\n ".join(addresses)
