"""What every activity class shares: a session factory, and running blocking DB work off the loop."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker
from temporalio.exceptions import ApplicationError

T = TypeVar("T")

# SQLite lets one transaction write at a time. Run from the default pool, several threads wait
# for its lock and hand the GIL to each other at every statement (the sqlite3 module lets it go
# around each call); one thread runs them in turn instead. On the bench's stack, 800 applications,
# two alternated runs each way: the worker's CPU per application 18.5 ms against 20.6, its
# context switches 120 against 148.
_SQLITE_TURNS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")


class BusinessError(ApplicationError):
    """A rule said no: retrying cannot help, so Temporal must not retry it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="BusinessError", non_retryable=True)


def hold(session: Session, row: T) -> T:
    """Keeps `row` in the session until its transaction ends. A session holds only weak
    references to rows it has written, so once the writer's variable is gone, the next get()
    of the same row in the same transaction reads it from the database again: opening a review
    read the organisation twice more and its task once more, three statements of nineteen."""
    session.info.setdefault("held", []).append(row)
    return row


class DbActivities:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        sqlite = sessions.kw["bind"].dialect.name == "sqlite"
        self._threads = _SQLITE_TURNS if sqlite else None  # None: the loop's default pool

    async def in_transaction(self, work: Callable[[Session], T]) -> T:
        """SQLAlchemy is synchronous: run it in a thread so the worker's event loop stays free
        (in the caller's context, as asyncio.to_thread does: an activity's info reaches it)."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, context.run, self._run, work)

    def _run(self, work: Callable[[Session], T]) -> T:
        with self._sessions.begin() as session:
            return work(session)
