"""The email outbox: a mail is a row first (keyed by the activity's idempotency key), then a send.

A retried activity finds its rows and sends only those not yet sent, with the same Message-ID, so
a recipient gets one mail however often Temporal retries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from activities.base import DbActivities
from activities.mail_render import render_mail
from activities.mailer import Mailer
from db.models import OutboxMail, User, utcnow
from domain.roles import may_act_as
from settings import Settings


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

    def enqueue(self, session: Session, key: str, recipients: list[Recipient], template: str,
                context: dict[str, Any], org_id: str | None = None) -> list[str]:
        """Render and store one row per recipient (each in their own language); returns the keys."""
        keys = []
        for r in recipients:
            row_key = f"{key}/{r.address.lower()}" if len(recipients) > 1 else key
            keys.append(row_key)
            if session.scalar(select(OutboxMail.id).where(OutboxMail.key == row_key)) is not None:
                continue
            mail = render_mail(template, context, r.locale)
            session.add(OutboxMail(key=row_key, message_id=self._message_id(row_key), org_id=org_id,
                                   recipients=[r.address], subject=mail.subject, body_text=mail.body))
        session.flush()
        return keys

    async def deliver(self, keys: list[str]) -> int:
        """Send what is still pending under these keys. Returns how many went out now."""
        pending = await self.in_transaction(lambda s: [
            (m.key, m.message_id, m.recipients, m.subject, m.body_text, m.created_at)
            for m in s.scalars(select(OutboxMail).where(OutboxMail.key.in_(keys),
                                                        OutboxMail.status != "sent"))])
        for key, message_id, recipients, subject, body, created in pending:
            msg = EmailMessage()
            msg["From"] = self._settings.mail_from
            msg["To"] = ", ".join(recipients)
            msg["Subject"] = subject
            msg["Message-ID"] = message_id
            msg["Date"] = format_datetime(created)
            msg.set_content(body)
            try:
                await self._mailer.send(msg)
            except Exception as exc:
                await self.in_transaction(lambda s, k=key, e=exc: self._mark_failed(s, k, e))
                raise  # Temporal retries the activity with backoff
            await self.in_transaction(lambda s, k=key: self._mark_sent(s, k))
        return len(pending)

    def _message_id(self, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        domain = self._settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "prm.local"
        return f"<{digest}@{domain}>"

    @staticmethod
    def _mark_sent(session: Session, key: str) -> None:
        row = session.scalar(select(OutboxMail).where(OutboxMail.key == key))
        row.status, row.sent_at, row.attempts = "sent", utcnow(), row.attempts + 1

    @staticmethod
    def _mark_failed(session: Session, key: str, exc: Exception) -> None:
        row = session.scalar(select(OutboxMail).where(OutboxMail.key == key))
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
