"""The email outbox: a mail is a row first (keyed by the activity's idempotency key), then a send.

A retried activity finds its rows and sends only those not yet sent, with the same Message-ID, so
a recipient gets one mail however often Temporal retries.

A file a mail carries (an executed agreement's PDF) is stored with its row, bytes and all, so a
retry sends what the first attempt rendered.

A link that opens something (set a password, sign as the partner) carries HMAC(secret,
purpose:key) (domain/tokens.py). No row holds it: the row keeps a mark in its place and the
purpose and key, and the link is computed again when the message to send is built.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from html import escape
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from activities.base import DbActivities
from activities.coalesce import Coalesced
from activities.mail_message import build_message
from activities.mail_render import Brand, RenderedMail, render_mail
from activities.mailer import Mailer
from db.models import OutboxAttachment, OutboxMail, User, utcnow
from domain.roles import may_act_as
from domain.tokens import link_token
from settings import Settings


T = TypeVar("T")
_NEW_ROWS = "outbox.new_rows"  # Session.info key: rows written in this transaction


@dataclass(frozen=True)
class Recipient:
    address: str
    locale: str
    time_zone: str | None = None  # the person's; None: the program's default (settings.py)


@dataclass(frozen=True)
class SecretLink:
    """A mail context value: the link with HMAC(secret, purpose:key) at "{token}" in `path`
    (e.g. "/set-password/{token}"), under the base URL."""

    purpose: str
    key: str
    path: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str          # "application/pdf"
    content: bytes


@dataclass(frozen=True)
class _Pending:
    key: str
    message_id: str
    recipients: list[str]
    subject: str
    text: str
    html: str
    links: dict[str, dict[str, str]]
    created: datetime
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def of(cls, row: OutboxMail) -> "_Pending":
        # Only a mail that lists files reads them (a query for a retry's row, none for a new one).
        files = tuple(Attachment(about["filename"], about["content_type"], f.content)
                      for about, f in zip(row.attachments, row.files)) if row.attachments else ()
        return cls(row.key, row.message_id, row.recipients, row.subject, row.body_text,
                   row.body_html, row.links or {}, row.created_at, files)


def role_recipients(session: Session, role: str) -> list[Recipient]:
    """Active staff who hold the role (a program lead also gets channel-manager mail)."""
    users = session.scalars(select(User).where(User.active.is_(True), User.org_id.is_(None))).all()
    return [Recipient(u.email, u.locale, u.time_zone) for u in users if may_act_as(u.roles, role)]


class Outbox(DbActivities):
    def __init__(self, sessions, mailer: Mailer, settings: Settings) -> None:
        super().__init__(sessions)
        self._mailer = mailer
        self._settings = settings
        self._book_sent = Coalesced(lambda keys: self.in_transaction(
            lambda s: self._mark_sent(s, keys)))

    def enqueue(self, session: Session, key: str, recipients: list[Recipient], template: str,
                context: dict[str, Any], org_id: str | None = None,
                attachments: tuple[Attachment, ...] = ()) -> list[str]:
        """Render and store one row per recipient (each in their own language); returns the keys.
        `attachments` go with every one of them."""
        keys = [f"{key}/{r.address.lower()}" if len(recipients) > 1 else key for r in recipients]
        stored = set(session.scalars(select(OutboxMail.key).where(OutboxMail.key.in_(keys))))
        if stored.issuperset(keys):
            return keys  # a retry: rendered and stored the first time
        context, links = _marked(context)
        brand = Brand(self._settings.company_name, self._settings.brand_color)
        rendered: dict[tuple[str, str], RenderedMail] = {}  # per language and zone, not per recipient
        for r, row_key in zip(recipients, keys):
            if row_key in stored:
                continue
            zone = r.time_zone or self._settings.default_time_zone
            if (r.locale, zone) not in rendered:
                rendered[r.locale, zone] = render_mail(template, context, r.locale, brand, zone)
            mail = rendered[r.locale, zone]
            row = OutboxMail(key=row_key, message_id=self._message_id(row_key), org_id=org_id,
                             recipients=[r.address], subject=mail.subject, body_text=mail.text,
                             body_html=mail.html, links=links, created_at=utcnow())
            if attachments:
                row.attachments = [{"filename": a.filename, "content_type": a.content_type,
                                    "size": len(a.content)} for a in attachments]
                row.files = [OutboxAttachment(position=i, content=a.content)
                             for i, a in enumerate(attachments)]
            session.add(row)
            session.info.setdefault(_NEW_ROWS, {})[row_key] = row
        session.flush()
        return keys

    async def deliver(self, keys: list[str]) -> int:
        """Send what is still pending under these keys. Returns how many went out now."""
        return await self._send(await self.in_transaction(lambda s: self._pending(s, keys)))

    async def enqueue_and_deliver(self, enqueue: Callable[[Session], list[str]]) -> int:
        """`enqueue(session)` stores rows and returns their keys; what is pending goes out after
        the commit. Returns how many went out now."""
        return (await self._write_then_send(lambda s: (None, enqueue(s))))[1]

    async def write_and_deliver(self, write: Callable[[Session], tuple[T, list[str]]]) -> T:
        """The same for a write with a result of its own: `write(session)` returns (result,
        outbox keys); the result comes back once what is pending has gone out."""
        return (await self._write_then_send(write))[0]

    async def _write_then_send(self, write: Callable[[Session], tuple[T, list[str]]]
                               ) -> tuple[T, int]:
        def in_session(session: Session) -> tuple[T, list[_Pending]]:
            # The rows are read back in the transaction that wrote them: one less per mail.
            result, keys = write(session)
            return result, self._pending(session, keys)

        result, pending = await self.in_transaction(in_session)
        return result, await self._send(pending)

    @staticmethod
    def _pending(session: Session, keys: list[str]) -> list[_Pending]:
        # Rows this transaction wrote are pending by definition; only older ones (a retry's)
        # are read back.
        new = session.info.get(_NEW_ROWS, {})
        rows = [new[k] for k in keys if k in new]
        older = [k for k in keys if k not in new]
        if older:
            rows += session.scalars(select(OutboxMail).where(OutboxMail.key.in_(older),
                                                             OutboxMail.status != "sent"))
        return [_Pending.of(m) for m in rows]

    async def _send(self, pending: list[_Pending]) -> int:
        if not pending:
            return 0
        # What the failure is booked on: until the mail server answers, every row waits on it;
        # then the message on the wire.
        failed = [mail.key for mail in pending]
        try:
            async with self._mailer.connection() as send:
                for mail in pending:
                    failed = [mail.key]
                    await send(self._message(mail))
                    failed = []  # the server took it: whatever fails now, it was sent
                    # Booked right after, before the next one goes: a worker that dies mid-batch
                    # leaves only unsent mail pending for the retry.
                    await self._book_sent(mail.key)
        except Exception as exc:
            if failed:
                await self.in_transaction(lambda s, k=failed, e=exc: self._mark_failed(s, k, e))
            raise  # Temporal retries the activity with backoff
        return len(pending)

    def _message(self, mail: _Pending) -> EmailMessage:
        text, html = mail.text, mail.html
        for mark, link in mail.links.items():
            token = link_token(self._settings.secret_key, link["purpose"], link["key"])
            url = self._settings.base_url + link["path"].replace("{token}", token)
            text, html = text.replace(mark, url), html.replace(mark, escape(url))
        return build_message(self._settings.mail_from, mail.recipients, mail.subject, text, html,
                             mail.message_id, mail.created,
                             tuple((a.filename, a.content_type, a.content) for a in mail.attachments))

    def _message_id(self, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        domain = self._settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "prm.local"
        return f"<{digest}@{domain}>"

    @staticmethod
    def _mark_sent(session: Session, keys: list[str]) -> None:
        # Core, not the ORM's bulk update: no objects of this session to keep in step.
        mail = OutboxMail.__table__
        session.connection().execute(update(mail).where(mail.c.key.in_(keys)).values(
            status="sent", sent_at=utcnow(), attempts=mail.c.attempts + 1))

    @staticmethod
    def _mark_failed(session: Session, keys: list[str], exc: Exception) -> None:
        mail = OutboxMail.__table__
        session.connection().execute(update(mail).where(mail.c.key.in_(keys)).values(
            attempts=mail.c.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]))


def _marked(context: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The context with a mark in place of each SecretLink, and what each mark stands for.
    A mark is random, so no value an applicant typed can be taken for one."""
    links = {}
    values = dict(context)
    for name, value in context.items():
        if isinstance(value, SecretLink):
            mark = f"[link-{secrets.token_hex(12)}]"
            links[mark] = asdict(value)
            values[name] = mark
    return values, links
