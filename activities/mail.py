"""send_mail: the one activity workflows use for a plain notification."""

from __future__ import annotations

from sqlalchemy.orm import Session
from temporalio import activity

from activities.notifications import notify_role
from activities.outbox import Outbox, Recipient
from domain.onboarding import MailInput


class MailActivities:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    @activity.defn(name="send_mail")
    async def send_mail(self, mail: MailInput) -> int:
        return await self._outbox.enqueue_and_deliver(lambda s: enqueue_mail(self._outbox, s, mail))


def enqueue_mail(outbox: Outbox, session: Session, mail: MailInput) -> list[str]:
    """The outbox rows of one MailInput (also used where a mail goes with a write)."""
    org_id = mail.context.get("org_id")
    if not mail.to:  # staff: each member as they chose (activities/notifications.py)
        return notify_role(outbox, session, mail.key, mail.to_role or "", mail.template,
                           mail.context, org_id=org_id)
    return outbox.enqueue(session, mail.key, [Recipient(mail.to, mail.locale, mail.time_zone)],
                          mail.template, mail.context, org_id)
