"""The embedded SMTP server's mailbox: the .eml files devstack.smtp.SmtpCatcher writes.

Only names the catcher writes are opened (digits + .eml), so a crafted URL cannot read other files.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from datetime import datetime
from pathlib import Path

MAIL_NAME = re.compile(r"^\d{1,30}\.eml$")
LIST_LIMIT = 200


@dataclass
class MailSummary:
    name: str
    subject: str
    sender: str
    recipients: str
    date: datetime | None


@dataclass
class MailView(MailSummary):
    body: str  # the text part
    html: str  # the HTML part's source
    headers: list[tuple[str, str]]


def _date(msg: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        return None


def _summary(name: str, msg: EmailMessage) -> MailSummary:
    return MailSummary(name, str(msg["Subject"] or ""), str(msg["From"] or ""), str(msg["To"] or ""),
                       _date(msg))


def list_mail(mailbox_dir: Path, limit: int = LIST_LIMIT) -> list[MailSummary]:
    """Newest first. The catcher names files by arrival time in nanoseconds, so names sort by age."""
    files = sorted((p for p in mailbox_dir.iterdir() if MAIL_NAME.match(p.name)),
                   key=lambda p: int(p.stem), reverse=True)[:limit]
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    out = []
    for path in files:
        with path.open("rb") as f:
            out.append(_summary(path.name, parser.parse(f)))
    return out


def read_mail(mailbox_dir: Path, name: str) -> MailView | None:
    if not MAIL_NAME.match(name) or not (mailbox_dir / name).is_file():
        return None
    msg = email.message_from_bytes((mailbox_dir / name).read_bytes(), policy=email.policy.default)
    text, html = msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))
    body = text.get_content() if text is not None else ""
    html = html.get_content() if html is not None else ""
    s = _summary(name, msg)
    return MailView(s.name, s.subject, s.sender, s.recipients, s.date, body=body, html=html,
                    headers=[(k, str(v)) for k, v in msg.items()])
