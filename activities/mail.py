"""send_mail: the one activity workflows use for a plain notification."""

from __future__ import annotations

from sqlalchemy.orm import Session
from temporalio import activity

from activities.outbox import Outbox, Recipient, role_recipients
from domain.onboarding import MailInput


class MailActivities:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    @activity.defn(name="send_mail")
    async def send_mail(self, mail: MailInput) -> int:
        return await self._outbox.enqueue_and_deliver(lambda s: enqueue_mail(self._outbox, s, mail))


def enqueue_mail(outbox: Outbox, session: Session, mail: MailInput) -> list[str]:
    """The outbox rows of one MailInput (also used where a mail goes with a write)."""
    if mail.to:
        recipients = [Recipient(mail.to, mail.locale, mail.time_zone)]
    else:
        recipients = role_recipients(session, mail.to_role or "")
    return outbox.enqueue(session, mail.key, recipients, mail.template, mail.context,
                          mail.context.get("org_id"))
