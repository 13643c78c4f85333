"""Coalesced writes: items that arrive while one write is in flight go together in the next.

The rule: a caller returns once its own item is committed, and every item queued while a write
runs goes in the next write, as one transaction. The write must be idempotent: a failed one is
tried again (ATTEMPTS), then its error goes to every caller of the batch.

Used for the outbox's sent marks: each mail is booked as sent right after the mail server took
it, before its activity sends the next, so a worker that dies mid-batch leaves only unsent mail
(and at most the one mail whose mark was in flight) to be sent again; with many activities
sending at once, the marks share transactions instead of taking one each.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")

ATTEMPTS = 3
RETRY_AFTER_S = 0.05


class Coalesced(Generic[K]):
    def __init__(self, write_all: Callable[[list[K]], Awaitable[None]]) -> None:
        self._write_all = write_all
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queued: list[tuple[K, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def __call__(self, item: K) -> None:
        """Returns once `item` is written (raises what its last write attempt raised)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # tests run several event loops in turn
            self._loop, self._queued, self._writer = loop, [], None
        done = loop.create_future()
        self._queued.append((item, done))
        if self._writer is None or self._writer.done():
            # A context of its own: not the first caller's (its Temporal activity, say).
            self._writer = loop.create_task(self._write_queued(), context=contextvars.Context())
        await done

    async def _write_queued(self) -> None:
        batch: list[tuple[K, asyncio.Future]] = []
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                error = await self._write_with_retries([item for item, _ in batch])
                for _, done in batch:
                    if done.done():
                        continue  # a caller cancelled meanwhile: its item is written anyway
                    if error is None:
                        done.set_result(None)
                    else:
                        done.set_exception(error)
                batch = []
        finally:  # cancelled itself (the loop closing): nobody may wait forever
            for _, done in batch + self._queued:
                if not done.done():
                    done.set_exception(RuntimeError("the write was interrupted"))
            self._queued = []

    async def _write_with_retries(self, items: list[K]) -> Exception | None:
        """None once written; the last attempt's error after ATTEMPTS failures."""
        attempt = 1
        while True:
            try:
                await self._write_all(items)
                return None
            except Exception as exc:  # noqa: BLE001 (handed to every caller in the batch)
                if attempt == ATTEMPTS:
                    return exc
            await asyncio.sleep(RETRY_AFTER_S * attempt)
            attempt += 1
