"""A local SMTP server (aiosmtpd) that keeps what it receives: in memory and as .eml files.

`make run` points the app at it and the ops mailbox page reads the files; tests assert on
`received`.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from devstack.ports import free_port


@dataclass
class ReceivedMail:
    envelope_from: str
    recipients: list[str]
    raw: bytes
    mail_options: list[str] = field(default_factory=list)  # what MAIL FROM asked for (SMTPUTF8)

    @cached_property
    def message(self) -> EmailMessage:
        """Parsed when first read: parsing with the default policy costs more than receiving."""
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def body(self) -> str:
        """The text part as a reader sees it: its lines end in \n (CRLF on the wire)."""
        return self._part("plain")

    @property
    def html(self) -> str:
        return self._part("html")

    def _part(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content().replace("\r\n", "\n") if part is not None else ""

    @property
    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(filename, content type, bytes) of each attached file, in order."""
        return [(part.get_filename() or "", part.get_content_type(),
                 part.get_payload(decode=True) or b"") for part in self.message.iter_attachments()]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")


@dataclass
class _Handler:
    mailbox_dir: Path | None
    keep: bool = True
    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        raw = envelope.original_content or envelope.content
        if self.keep:
            with self.lock:
                self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), raw,
                                                  list(envelope.mail_options)))
        if self.mailbox_dir is not None:
            self.mailbox_dir.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns()}.eml"
            (self.mailbox_dir / name).write_bytes(raw)
        return "250 Message accepted for delivery"


class SmtpCatcher:
    def __init__(self, port: int = 0, mailbox_dir: Path | None = None, keep: bool = True,
                 handler: "_Handler | None" = None) -> None:
        """`keep`: hold every message in memory for `received` (tests). `make run` keeps the
        mailbox files only, so a stack that runs for weeks does not grow with its mail.
        `handler`: one of _Handler's kind that does more (devstack/gated_smtp.py)."""
        self.port = port or free_port()
        self._handler = handler or _Handler(mailbox_dir, keep)
        # SMTPUTF8 (RFC 6531) as real mail servers offer it: an applicant may give an address
        # in Chinese, and the outbox must be able to write to it.
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port,
                                      enable_SMTPUTF8=True)
        self._started = False

    @property
    def received(self) -> list[ReceivedMail]:
        with self._handler.lock:
            return list(self._handler.received)

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.received if address.lower() in (r.lower() for r in m.recipients)]

    def wait_for(self, predicate, timeout: float = 30.0) -> ReceivedMail:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.received:
                if predicate(m):
                    return m
            time.sleep(0.1)
        raise TimeoutError(f"no matching mail within {timeout}s; got {[m.subject for m in self.received]}")

    async def arrival(self, predicate, timeout: float = 30.0) -> ReceivedMail:
        """wait_for for async tests: never blocks the loop a worker may be running on."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.received:
                if predicate(m):
                    return m
            await asyncio.sleep(0.05)
        raise TimeoutError(f"no matching mail within {timeout}s; got {[m.subject for m in self.received]}")

    def write_files_to(self, mailbox_dir: Path | None) -> None:
        """From now on also (or no longer) write each message as a file there, as `make run`
        does for the ops mailbox page."""
        self._handler.mailbox_dir = mailbox_dir

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.received.clear()

    @property
    def started(self) -> bool:
        return self._started

    def start(self) -> "SmtpCatcher":
        self._controller.start()
        self._started = True
        return self

    def stop(self) -> None:
        self._controller.stop()
        self._started = False
