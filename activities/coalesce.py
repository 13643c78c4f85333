"""Coalesced writes: items that arrive while one write is in flight go together in the next.

The outbox books each mail as sent the moment the mail server took it, before the next goes out,
so a worker that dies mid-batch resends nothing already sent. With many activities sending at
once that was a transaction per mail, each waiting its turn for SQLite's one writer. Booking the
marks that queue up meanwhile in one transaction keeps the promise (no caller goes on before its
own item is committed) at a fraction of the transactions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

K = TypeVar("K")


class Coalesced(Generic[K]):
    def __init__(self, write_all: Callable[[list[K]], Awaitable[None]]) -> None:
        self._write_all = write_all
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queued: list[tuple[K, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def __call__(self, item: K) -> None:
        """Returns once `item` is written (raises what its write raised)."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # tests run several event loops in turn
            self._loop, self._queued, self._writer = loop, [], None
        done = loop.create_future()
        self._queued.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_queued())
        await done

    async def _write_queued(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                await self._write_all([item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001 (handed to every caller in the batch)
                outcome = lambda f, e=exc: f.set_exception(e)  # noqa: E731
            else:
                outcome = lambda f: f.set_result(None)  # noqa: E731
            for _, done in batch:
                if not done.done():  # a caller cancelled meanwhile: its item is written anyway
                    outcome(done)
