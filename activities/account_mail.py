"""send_account_mail: the mail the web app asks for (workflows/account_mail.py runs it)."""

from __future__ import annotations

from temporalio import activity

from activities.mail import enqueue_mail
from activities.outbox import Outbox, SecretLink
from domain.accounts import AccountMailInput
from domain.onboarding import MailInput
from settings import Settings


class AccountMailActivities:
    def __init__(self, outbox: Outbox, settings: Settings) -> None:
        self._outbox = outbox
        self._settings = settings

    @activity.defn(name="send_account_mail")
    async def send_account_mail(self, mail: AccountMailInput) -> int:
        """The outbox row (once per key) and its send, like send_mail; only the link is added
        here, recomputed from its key, so no history holds a usable token."""
        context = dict(mail.context)
        if mail.link is not None:
            # A mark in the outbox, the link itself only in the message sent (activities/outbox.py).
            context["link"] = SecretLink(mail.link.purpose, mail.link.key,
                                         mail.link.path + "{token}")
        plain = MailInput(key=mail.key, to=mail.to, template=mail.template, context=context,
                          locale=mail.locale, time_zone=mail.time_zone)
        return await self._outbox.enqueue_and_deliver(
            lambda session: enqueue_mail(self._outbox, session, plain))
