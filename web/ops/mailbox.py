"""The embedded SMTP server's mailbox: the .eml files devstack.smtp.SmtpCatcher writes.

Only names the catcher writes are opened (digits + .eml), so a crafted URL cannot read other files.

The list follows the list convention (web/listing.py) with a folder as its source: newest first
(the catcher names files by arrival time in nanoseconds, so names sort by age), filtered by
recipient and subject. A page without a filter reads the headers of its own fifty files only; a
filter reads headers newest first until it has found a few pages' worth. The catcher writes each
file once, so a file's headers are kept once read (by name, size and time), and searching again
does not parse them again.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from web.listing import Column, ListQuery, ListSpec, Page, TextFilter, page_from_rows

MAIL_NAME = re.compile(r"^\d{1,30}\.eml$")
LIST_LIMIT = 200
HEADER_CACHE_SIZE = 4096

MAILBOX = ListSpec(
    endpoint="ops.mailbox",
    # The order is the files' (newest first): no column sorts.
    columns=(Column("date", _l("Date")), Column("subject", _l("Subject")),
             Column("from", _l("From")), Column("to", _l("To"))),
    default_sort="date",
    default_desc=True,
    text_filters=(TextFilter("recipient", _l("Recipient"), _l("Address or part of it")),
                  TextFilter("subject", _l("Subject"), _l("A word of the subject"))),
)


@dataclass
class MailSummary:
    name: str
    subject: str
    sender: str
    recipients: str
    date: datetime | None


@dataclass(frozen=True)
class AttachedFile:
    filename: str
    content_type: str
    size: int


@dataclass
class MailView(MailSummary):
    body: str  # the text part
    html: str  # the HTML part's source
    headers: list[tuple[str, str]]
    attachments: list[AttachedFile] = field(default_factory=list)


def _date(msg: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        return None


def _summary(name: str, msg: EmailMessage) -> MailSummary:
    return MailSummary(name, str(msg["Subject"] or ""), str(msg["From"] or ""), str(msg["To"] or ""),
                       _date(msg))


def mail_files(mailbox_dir: Path) -> list[Path]:
    """The catcher's files, newest first."""
    return sorted((p for p in mailbox_dir.iterdir() if MAIL_NAME.match(p.name)),
                  key=lambda p: int(p.stem), reverse=True)


@lru_cache(maxsize=HEADER_CACHE_SIZE)
def _read_summary(path: str, _size: int, _mtime_ns: int) -> MailSummary:
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    with open(path, "rb") as f:
        return _summary(Path(path).name, parser.parse(f))


def summary(path: Path) -> MailSummary | None:
    """A file's headers; None when it went away since the folder was listed."""
    try:
        stat = path.stat()
        found = _read_summary(str(path), stat.st_size, stat.st_mtime_ns)
    except FileNotFoundError:
        return None
    return replace(found)  # a copy: the cached one stays as read


def list_mail(mailbox_dir: Path, limit: int = LIST_LIMIT) -> list[MailSummary]:
    """Newest first, at most `limit`."""
    found = (summary(p) for p in mail_files(mailbox_dir)[:limit])
    return [s for s in found if s is not None]


def _matches(mail: MailSummary, texts: dict[str, str]) -> bool:
    """Each filter typed is a piece of its header, any case."""
    wanted = {"recipient": mail.recipients, "subject": mail.subject}
    return all(value.casefold() in wanted[key].casefold() for key, value in texts.items()
               if key in wanted)


def mailbox_page(mailbox_dir: Path, query: ListQuery) -> Page:
    files = mail_files(mailbox_dir)
    if not query.texts:
        page = page_from_rows(files, query)
        return replace(page, rows=[s for s in map(summary, page.rows) if s is not None])

    def matching() -> Iterator[MailSummary]:
        for path in files:
            found = summary(path)
            if found is not None and _matches(found, dict(query.texts)):
                yield found

    return page_from_rows(matching(), query)


def _parsed(mailbox_dir: Path, name: str) -> EmailMessage | None:
    if not MAIL_NAME.match(name) or not (mailbox_dir / name).is_file():
        return None
    return email.message_from_bytes((mailbox_dir / name).read_bytes(), policy=email.policy.default)


def attachment(mailbox_dir: Path, name: str, number: int) -> tuple[AttachedFile, bytes] | None:
    """The mail's `number`-th attached file (from 0) and its bytes."""
    msg = _parsed(mailbox_dir, name)
    parts = list(msg.iter_attachments()) if msg is not None else []
    if not 0 <= number < len(parts):
        return None
    content = parts[number].get_payload(decode=True) or b""
    return _about(parts[number], content), content


def _about(part: EmailMessage, content: bytes) -> AttachedFile:
    return AttachedFile(part.get_filename() or "attachment", part.get_content_type(), len(content))


def read_mail(mailbox_dir: Path, name: str) -> MailView | None:
    msg = _parsed(mailbox_dir, name)
    if msg is None:
        return None
    text, html = msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))
    body = text.get_content() if text is not None else ""
    html = html.get_content() if html is not None else ""
    s = _summary(name, msg)
    files = [_about(part, part.get_payload(decode=True) or b"") for part in msg.iter_attachments()]
    return MailView(s.name, s.subject, s.sender, s.recipients, s.date, body=body, html=html,
                    headers=[(k, str(v)) for k, v in msg.items()], attachments=files)
