"""The sync Flask app's way to the async Temporal client (DESIGN.md section 3).

One client lives on one event loop in a daemon thread, created lazily on first use so pre-fork
servers (gunicorn) connect in each worker process, never in the master.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import Client

from settings import Settings
from workflows.client import connect

T = TypeVar("T")


class TemporalUnavailable(RuntimeError):
    """Temporal could not be reached or did not answer in time: an HTTP 503, never a 500."""


class TemporalBridge:
    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        self._settings = settings
        self._timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: Client | None = None
        self._pid: int | None = None

    def run(self, work: Callable[[Client], Awaitable[T]], timeout: float | None = None) -> T:
        """Run `await work(client)` on the shared loop and wait for its result."""
        loop, client = self._ensure()
        future = asyncio.run_coroutine_threadsafe(work(client), loop)
        try:
            return future.result(timeout or self._timeout)
        except TimeoutError:
            future.cancel()  # nobody waits for it any more: do not let it run on unseen
            raise

    def _ensure(self) -> tuple[asyncio.AbstractEventLoop, Client]:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # first use, or a forked child
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="temporal-client",
                                                daemon=True)
                self._thread.start()
                self._client, self._pid = None, os.getpid()
            if self._client is None:
                # A failed connect leaves the loop running for the next attempt (no thread leak).
                try:
                    self._client = asyncio.run_coroutine_threadsafe(
                        connect(self._settings), self._loop).result(self._timeout)
                except Exception as exc:
                    raise TemporalUnavailable(f"cannot connect to Temporal at "
                                              f"{self._settings.temporal_address}: {exc}") from exc
            return self._loop, self._client

    def close(self, timeout: float = 5.0) -> None:
        """Stops the loop's thread and closes the loop (a loop only stopped keeps its selector
        and self-pipe open until the garbage collector finds it)."""
        with self._lock:
            loop, thread, ours = self._loop, self._thread, self._pid == os.getpid()
            self._loop, self._thread, self._client = None, None, None
        if loop is None or not ours:  # a forked child never ran the parent's loop thread
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if not thread.is_alive():
            loop.close()
