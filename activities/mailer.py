"""Mail behind a small interface: the outbox calls `send`, SMTP is one implementation."""

from __future__ import annotations

import asyncio
import contextvars
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
    sessions after a while); a reused one is checked with NOOP first. Idle sessions end with
    their event loop: a task per loop closes them when the loop's runner cancels it (asyncio.run
    does, at its end), instead of leaving open sockets to the garbage collector."""

    POOL = 4
    IDLE_SECONDS = 20.0

    def __init__(self, settings: Settings) -> None:
        self._s = settings
        self._idle: list[tuple[aiosmtplib.SMTP, asyncio.AbstractEventLoop, float]] = []
        # Held here: the event loop keeps only weak references to its tasks.
        self._closers: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}

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
                self._keep_idle(client)
            elif reusable:
                await _goodbye(client)
            else:
                client.close()  # mid-conversation: the server must not take a half-sent message

    def _keep_idle(self, client: aiosmtplib.SMTP) -> None:
        loop = asyncio.get_running_loop()
        self._idle.append((client, loop, time.monotonic()))
        if loop not in self._closers:
            # An empty context: the task outlives the activity whose context it would copy.
            self._closers[loop] = loop.create_task(self._close_idle_when_the_loop_ends(loop),
                                                   context=contextvars.Context())

    async def _close_idle_when_the_loop_ends(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await loop.create_future()  # never set: only the runner's cancellation ends the wait
        finally:
            self._closers.pop(loop, None)
            ending = [client for client, its_loop, _ in self._idle if its_loop is loop]
            self._idle = [entry for entry in self._idle if entry[1] is not loop]
            for client in ending:
                client.close()  # no QUIT: a slow server must not hold up the loop's end

    async def _checkout(self) -> aiosmtplib.SMTP:
        loop = asyncio.get_running_loop()
        while mine := [entry for entry in self._idle if entry[1] is loop]:
            # Another loop's sessions stay for that loop (and its closer): tests run several.
            client, _, since = mine[-1]
            self._idle.remove(mine[-1])
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
