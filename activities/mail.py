"""send_mail: the one activity workflows use for a plain notification."""

from __future__ import annotations

from temporalio import activity

from activities.outbox import Outbox, Recipient, role_recipients
from domain.onboarding import MailInput


class MailActivities:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    @activity.defn(name="send_mail")
    async def send_mail(self, mail: MailInput) -> int:
        def enqueue(session):
            if mail.to:
                recipients = [Recipient(mail.to, mail.locale)]
            else:
                recipients = role_recipients(session, mail.to_role or "")
            org_id = mail.context.get("org_id")
            return self._outbox.enqueue(session, mail.key, recipients, mail.template,
                                        mail.context, org_id)

        return await self._outbox.enqueue_and_deliver(enqueue)
