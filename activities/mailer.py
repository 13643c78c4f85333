"""Mail behind a small interface: the outbox calls `send`, SMTP is one implementation."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib

from settings import Settings


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._s = settings

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message, hostname=self._s.smtp_host, port=self._s.smtp_port,
            username=self._s.smtp_username or None, password=self._s.smtp_password or None,
            start_tls=self._s.smtp_starttls, use_tls=self._s.smtp_use_tls, timeout=30)
