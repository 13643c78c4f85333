"""The decisions-first policy on its own, on a fake clock: when a background step may start."""

from __future__ import annotations

import asyncio

from activities.people_first import DecisionsFirst


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def policy(clock: FakeClock, max_wait_s: float = 10.0) -> DecisionsFirst:
    return DecisionsFirst(max_wait_s, quiet_s=0.25, clock=clock, sleep=clock.sleep)


def test_with_no_decision_a_step_starts_at_once():
    clock = FakeClock()
    first = policy(clock)
    assert asyncio.run(first.wait_turn()) == 0
    assert clock.slept == [] and first.held == 0


def test_a_step_started_by_a_decision_waits_for_the_quiet_after_it():
    clock = FakeClock()
    first = policy(clock)
    first.decision_arrived()
    clock.now += 0.05  # the activity the decision started arrives 50 ms later
    assert round(asyncio.run(first.wait_turn()), 3) == 0.2
    assert first.held == 1


def test_a_decision_during_the_wait_pushes_the_step_back():
    clock = FakeClock()
    first = policy(clock)
    first.decision_arrived()

    async def manager_clicks_again() -> None:
        clock.now += 0.1
        first.decision_arrived()  # at 100.1: quiet only from 100.35

    async def scenario() -> float:
        waiting = asyncio.create_task(first.wait_turn())
        await manager_clicks_again()
        return await waiting

    waited = asyncio.run(scenario())
    assert clock.now >= 100.35 and round(waited, 3) >= 0.25


def test_endless_decisions_delay_a_step_by_max_wait_at_most():
    clock = FakeClock()
    first = policy(clock, max_wait_s=2.0)
    real_sleep = clock.sleep

    async def busy_sleep(seconds: float) -> None:  # a decision arrives during every wait
        await real_sleep(seconds)
        first.decision_arrived()

    first._sleep = busy_sleep
    first.decision_arrived()
    assert asyncio.run(first.wait_turn()) == 2.0


def test_a_shorter_limit_for_one_step_wins():
    clock = FakeClock()
    first = policy(clock, max_wait_s=10.0)
    real_sleep = clock.sleep

    async def busy_sleep(seconds: float) -> None:
        await real_sleep(seconds)
        first.decision_arrived()

    first._sleep = busy_sleep
    first.decision_arrived()
    assert asyncio.run(first.wait_turn(max_wait_s=3.0)) == 3.0  # half a 6 s activity timeout
    assert asyncio.run(first.wait_turn(max_wait_s=30.0)) == 10.0  # never beyond the policy's
