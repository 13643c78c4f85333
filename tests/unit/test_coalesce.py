"""Coalesced writes: what queues up during a write goes in the next one, and nobody returns
before their own item is written."""

from __future__ import annotations

import asyncio

import pytest

from activities.coalesce import Coalesced


class Ledger:
    def __init__(self, fail_on: str | None = None, failures: int = 99) -> None:
        self.writes: list[list[str]] = []
        self.attempts = 0
        self.fail_on, self.failures = fail_on, failures

    async def write_all(self, items: list[str]) -> None:
        await asyncio.sleep(0.01)  # a transaction takes a while; more callers arrive meanwhile
        self.attempts += 1
        if self.fail_on in items and self.failures > 0:
            self.failures -= 1
            raise RuntimeError("disk full")
        self.writes.append(items)


def test_callers_arriving_during_a_write_share_the_next_one():
    ledger = Ledger()
    book = Coalesced(ledger.write_all)

    async def caller(key: str) -> bool:
        await book(key)
        return any(key in w for w in ledger.writes)  # written by the time the call returns

    async def scenario() -> list[bool]:
        first = asyncio.create_task(caller("mail-0"))
        await asyncio.sleep(0.001)  # its write is in flight now
        return await asyncio.gather(first, *(caller(f"mail-{i}") for i in range(1, 10)))

    assert all(asyncio.run(scenario()))
    assert ledger.writes == [["mail-0"], [f"mail-{i}" for i in range(1, 10)]]


def test_a_failed_write_fails_every_caller_in_it_and_the_next_write_goes_on():
    ledger = Ledger(fail_on="mail-3")
    book = Coalesced(ledger.write_all)

    async def scenario():
        alone = asyncio.create_task(book("mail-0"))
        await asyncio.sleep(0.001)
        first = await asyncio.gather(alone, *(book(f"mail-{i}") for i in range(1, 5)),
                                     return_exceptions=True)
        await book("mail-9")
        return first

    outcomes = asyncio.run(scenario())
    assert outcomes[0] is None  # written alone, before the failing batch
    assert all(isinstance(o, RuntimeError) for o in outcomes[1:])
    assert ledger.writes == [["mail-0"], ["mail-9"]]


def test_works_again_on_a_new_event_loop():
    ledger = Ledger()
    book = Coalesced(ledger.write_all)
    asyncio.run(book("a"))
    asyncio.run(book("b"))
    assert ledger.writes == [["a"], ["b"]]


def test_an_error_reaches_the_caller():
    book = Coalesced(Ledger(fail_on="x").write_all)
    with pytest.raises(RuntimeError, match="disk full"):
        asyncio.run(book("x"))


def test_a_passing_failure_is_tried_again_and_nobody_sees_it():
    ledger = Ledger(fail_on="mail-1", failures=2)
    book = Coalesced(ledger.write_all)

    async def scenario():
        return await asyncio.gather(*(book(f"mail-{i}") for i in range(3)))

    assert asyncio.run(scenario()) == [None, None, None]
    assert ledger.writes == [["mail-0", "mail-1", "mail-2"]] and ledger.attempts == 3


def test_callers_are_not_left_waiting_when_the_writer_is_cancelled():
    async def never_done(items: list[str]) -> None:
        await asyncio.sleep(3600)

    book = Coalesced(never_done)

    async def scenario():
        caller = asyncio.create_task(book("mail-0"))
        await asyncio.sleep(0.01)
        book._writer.cancel()  # as when the event loop shuts down
        with pytest.raises(RuntimeError, match="interrupted"):
            await asyncio.wait_for(caller, 1)

    asyncio.run(scenario())
