"""The email outbox: a mail is a row first (keyed by the activity's idempotency key), then a send.

A retried activity finds its rows and sends only those not yet sent, with the same Message-ID, so
a recipient gets one mail however often Temporal retries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from activities.base import DbActivities
from activities.coalesce import Coalesced
from activities.mail_render import render_mail
from activities.mail_wire import wire_mail
from activities.mailer import Mailer
from db.models import OutboxMail, User, utcnow
from domain.roles import may_act_as
from settings import Settings


T = TypeVar("T")
_NEW_ROWS = "outbox.new_rows"  # Session.info key: rows written in this transaction


@dataclass(frozen=True)
class Recipient:
    address: str
    locale: str


def role_recipients(session: Session, role: str) -> list[Recipient]:
    """Active staff who hold the role (a program lead also gets channel-manager mail)."""
    users = session.scalars(select(User).where(User.active.is_(True), User.org_id.is_(None))).all()
    return [Recipient(u.email, u.locale) for u in users if may_act_as(u.roles, role)]


class Outbox(DbActivities):
    def __init__(self, sessions, mailer: Mailer, settings: Settings) -> None:
        super().__init__(sessions)
        self._mailer = mailer
        self._settings = settings
        self._book_sent = Coalesced(lambda keys: self.in_transaction(
            lambda s: self._mark_sent(s, keys)))

    def enqueue(self, session: Session, key: str, recipients: list[Recipient], template: str,
                context: dict[str, Any], org_id: str | None = None) -> list[str]:
        """Render and store one row per recipient (each in their own language); returns the keys."""
        keys = [f"{key}/{r.address.lower()}" if len(recipients) > 1 else key for r in recipients]
        stored = set(session.scalars(select(OutboxMail.key).where(OutboxMail.key.in_(keys))))
        for r, row_key in zip(recipients, keys):
            if row_key in stored:
                continue  # a retry: rendered and stored the first time
            mail = render_mail(template, context, r.locale)
            row = OutboxMail(key=row_key, message_id=self._message_id(row_key), org_id=org_id,
                             recipients=[r.address], subject=mail.subject, body_text=mail.body,
                             created_at=utcnow())
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
        def in_session(session: Session) -> tuple[T, list[tuple]]:
            # The rows are read back in the transaction that wrote them: one less per mail.
            result, keys = write(session)
            return result, self._pending(session, keys)

        result, pending = await self.in_transaction(in_session)
        return result, await self._send(pending)

    @staticmethod
    def _pending(session: Session, keys: list[str]) -> list[tuple]:
        # Rows this transaction wrote are pending by definition; only older ones (a retry's)
        # are read back.
        new = session.info.get(_NEW_ROWS, {})
        rows = [new[k] for k in keys if k in new]
        older = [k for k in keys if k not in new]
        if older:
            rows += session.scalars(select(OutboxMail).where(OutboxMail.key.in_(older),
                                                             OutboxMail.status != "sent"))
        return [(m.key, m.message_id, m.recipients, m.subject, m.body_text, m.created_at)
                for m in rows]

    async def _send(self, pending: list[tuple]) -> int:
        if not pending:
            return 0
        sending = pending[0][0]  # the message on the wire (or waiting for the connection)
        try:
            async with self._mailer.connection() as send:
                for key, message_id, recipients, subject, body, created in pending:
                    sending = key
                    mail = wire_mail(self._settings.mail_from, recipients, subject, body,
                                     message_id, created)
                    await send(mail)
                    sending = None  # the server took it: whatever fails now, it was sent
                    # Booked right after, before the next one goes: a worker that dies mid-batch
                    # leaves only unsent mail pending for the retry.
                    await self._book_sent(key)
        except Exception as exc:
            if sending is not None:
                await self.in_transaction(lambda s, k=sending, e=exc: self._mark_failed(s, k, e))
            raise  # Temporal retries the activity with backoff
        return len(pending)

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
    def _mark_failed(session: Session, key: str, exc: Exception) -> None:
        row = session.scalar(select(OutboxMail).where(OutboxMail.key == key))
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
