"""What every activity class shares: a session factory, and running blocking DB work off the loop."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from temporalio.exceptions import ApplicationError

T = TypeVar("T")


class BusinessError(ApplicationError):
    """A rule said no: retrying cannot help, so Temporal must not retry it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, type="BusinessError", non_retryable=True)


_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def _one_at_a_time(sessions: sessionmaker[Session]) -> AbstractContextManager:
    """SQLite takes one writer at a time, and a writer that finds the file locked sleeps in
    growing steps (up to 100 ms) before it tries again: with a dozen activity threads that turned
    into a convoy. Queueing them on a lock in this process wakes each one the moment the previous
    transaction ends. PostgreSQL needs no such thing."""
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite":
        return nullcontext()
    return _SQLITE_WRITERS.setdefault(engine, threading.Lock())


class DbActivities:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._one_writer = _one_at_a_time(sessions)

    async def in_transaction(self, work: Callable[[Session], T]) -> T:
        """SQLAlchemy is synchronous: run it in a thread so the worker's event loop stays free."""
        return await asyncio.to_thread(self._run, work)

    def _run(self, work: Callable[[Session], T]) -> T:
        with self._one_writer, self._sessions.begin() as session:
            return work(session)
