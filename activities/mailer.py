"""Mail behind a small interface: the outbox calls `send`, SMTP is one implementation."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from email.message import Message
from functools import cache
from typing import Protocol

import aiosmtplib

from settings import Settings

Send = Callable[[Message], Awaitable[object]]


class Mailer(Protocol):
    async def send(self, message: Message) -> None: ...

    def connection(self) -> AbstractAsyncContextManager[Send]: ...


@cache
def _local_hostname() -> str:
    # aiosmtplib asks socket.getfqdn() for the EHLO name on every connection: ask once.
    return socket.getfqdn()


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._s = settings

    async def send(self, message: Message) -> None:
        async with self.connection() as send:
            await send(message)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Send]:
        """One SMTP session for several messages: a task notification goes to every manager,
        and a connection (TCP, EHLO, maybe TLS and login) per message cost more than the mail."""
        s = self._s
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username or None,
            password=s.smtp_password or None, start_tls=s.smtp_starttls, use_tls=s.smtp_use_tls,
            local_hostname=_local_hostname(), timeout=30)
        await client.connect()
        try:
            yield client.send_message
        finally:
            try:
                await client.quit()
            except aiosmtplib.SMTPException:
                client.close()  # every message is booked already; a failed goodbye changes nothing

