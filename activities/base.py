"""What every activity class shares: a session factory, and running blocking DB work off the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker
from temporalio.exceptions import ApplicationError

T = TypeVar("T")


class BusinessError(ApplicationError):
    """A rule said no: retrying cannot help, so Temporal must not retry it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="BusinessError", non_retryable=True)


def hold(session: Session, row: T) -> T:
    """Keeps `row` in the session until its transaction ends. A session holds only weak
    references to rows it has written, so once the writer's variable is gone, the next get()
    of the same row in the same transaction reads it from the database again: opening a review
    read the organisation twice more and its task once more, three queries of 23."""
    session.info.setdefault("held", []).append(row)
    return row


class DbActivities:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    async def in_transaction(self, work: Callable[[Session], T]) -> T:
        """SQLAlchemy is synchronous: run it in a thread so the worker's event loop stays free."""
        return await asyncio.to_thread(self._run, work)

    def _run(self, work: Callable[[Session], T]) -> T:
        with self._sessions.begin() as session:
            return work(session)
