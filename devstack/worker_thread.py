"""A worker on its own event loop in a thread: for tests and benchmarks that drive the sync web app."""

from __future__ import annotations

import asyncio
import threading

from settings import Settings


class WorkerThread:
    def __init__(self, settings: Settings, sessions=None, **worker_options) -> None:
        self._settings = settings
        self._sessions = sessions
        self._options = worker_options
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="temporal-worker", daemon=True)

    def start(self, timeout: float = 30.0) -> "WorkerThread":
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("worker did not start")
        if self._error is not None:
            raise RuntimeError("worker failed to start") from self._error
        return self

    def stop(self, timeout: float = 30.0) -> None:
        if self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _main(self) -> None:
        # A Runner, as asyncio.run: at the end it cancels what is left (the SMTP sessions' closer,
        # activities.mailer) and closes the loop, instead of leaving both to the garbage collector.
        with asyncio.Runner() as runner:
            self._loop = runner.get_loop()
            try:
                runner.run(self._run())
            except BaseException as exc:  # surfaced to start() for a clear test failure
                self._error = exc
                self._ready.set()

    async def _run(self) -> None:
        from worker import build_worker
        from workflows.client import connect

        self._stop = asyncio.Event()
        client = await connect(self._settings)
        async with build_worker(client, self._settings, self._sessions, **self._options):
            self._ready.set()
            await self._stop.wait()
