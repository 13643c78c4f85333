"""An SmtpCatcher whose door the test opens: a stalled mail server, for fault tests.

`hold(allow=n)` lets n more messages through and then keeps every further session waiting at
MAIL FROM; `release()` opens the door again. A waiting session has not sent its message yet, so
if its client dies (a worker killed mid-send) nothing is recorded, exactly as with a real server:
a message counts only once the server has answered DATA with 250.
"""

from __future__ import annotations

import asyncio
import threading

from devstack.smtp import SmtpCatcher, _Handler


class _Gate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._passes: int | None = None  # None: open
        self.waiting = 0

    def set(self, passes: int | None) -> None:
        with self._lock:
            self._passes = passes

    def take(self) -> bool:
        with self._lock:
            if self._passes is None:
                return True
            if self._passes > 0:
                self._passes -= 1
                return True
            return False


class _GatedHandler(_Handler):
    gate: _Gate | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        gate = self.gate
        with gate._lock:
            gate.waiting += 1
        try:
            while not gate.take():
                await asyncio.sleep(0.02)  # cancelled by aiosmtpd when the client goes away
        finally:
            with gate._lock:
                gate.waiting -= 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


class GatedSmtpCatcher(SmtpCatcher):
    def __init__(self, port: int = 0) -> None:
        # The handler is passed in, not swapped in afterwards: each Controller makes an event
        # loop that only its own start and stop close.
        self._gate = _Gate()
        handler = _GatedHandler(mailbox_dir=None)
        handler.gate = self._gate
        super().__init__(port=port, handler=handler)

    def hold(self, allow: int = 0) -> None:
        """Let `allow` more messages through, then keep senders waiting."""
        self._gate.set(allow)

    def release(self) -> None:
        self._gate.set(None)

    @property
    def waiting(self) -> int:
        """Sessions held at the door right now: senders whose mail is in flight."""
        with self._gate._lock:
            return self._gate.waiting
