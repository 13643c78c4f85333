"""Mail behind a small interface: the outbox calls `send`, SMTP is one implementation."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from email.message import EmailMessage
from functools import cache
from typing import Protocol

import aiosmtplib

from settings import Settings

Send = Callable[[EmailMessage], Awaitable[object]]


class Mailer(Protocol):
    def connection(self) -> AbstractAsyncContextManager[Send]: ...


@cache
def _local_hostname() -> str:
    # aiosmtplib asks socket.getfqdn() for the EHLO name on every connection: ask once.
    return socket.getfqdn()


class SmtpMailer:
    """SMTP sessions are kept open between activities and reused: opening one (TCP, EHLO, maybe
    TLS and a login) and closing it cost the worker, and the mail server, more than the message.
    A session idle for longer than IDLE_SECONDS is closed rather than reused (servers drop idle
    sessions after a while); a reused one is checked with NOOP first."""

    POOL = 4
    IDLE_SECONDS = 20.0

    def __init__(self, settings: Settings) -> None:
        self._s = settings
        self._idle: list[tuple[aiosmtplib.SMTP, asyncio.AbstractEventLoop, float]] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Send]:
        """One SMTP session for several messages: a task notification goes to every manager."""
        client = await self._checkout()
        reusable = False
        try:
            # The envelope comes from From and To; SMTPUTF8 is asked for when an address needs it.
            yield client.send_message
            reusable = True
        finally:
            if reusable and len(self._idle) < self.POOL:
                self._idle.append((client, asyncio.get_running_loop(), time.monotonic()))
            elif reusable:
                await _goodbye(client)
            else:
                client.close()  # mid-conversation: the server must not take a half-sent message

    async def _checkout(self) -> aiosmtplib.SMTP:
        loop = asyncio.get_running_loop()
        while self._idle:
            client, its_loop, since = self._idle.pop()
            if its_loop is not loop:
                continue  # a connection of an event loop that is gone (tests start several)
            if time.monotonic() - since > self.IDLE_SECONDS or not client.is_connected:
                await _goodbye(client)
                continue
            try:
                await client.noop()
                return client
            except aiosmtplib.SMTPException:
                client.close()
        s = self._s
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username or None,
            password=s.smtp_password or None, start_tls=s.smtp_starttls, use_tls=s.smtp_use_tls,
            local_hostname=_local_hostname(), timeout=30)
        await client.connect()
        return client


async def _goodbye(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except aiosmtplib.SMTPException:
        client.close()  # every message is booked already; a failed goodbye changes nothing
