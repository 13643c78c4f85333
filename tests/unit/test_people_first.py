"""The decisions-first policy on its own, on a fake clock: when a background step may start."""

from __future__ import annotations

import asyncio

from activities.people_first import DecisionsFirst


class FakeClock:
    """Time moves only when someone sleeps; each sleep lets other tasks run first."""

    def __init__(self) -> None:
        self.now = 100.0
        self.on_sleep = lambda: None  # what happens while someone sleeps (a manager clicks)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)
        self.now += seconds
        self.on_sleep()


def policy(clock: FakeClock, max_wait_s: float = 10.0) -> DecisionsFirst:
    return DecisionsFirst(max_wait_s, quiet_s=0.25, clock=clock, sleep=clock.sleep)


def test_with_no_decision_a_step_starts_at_once():
    clock = FakeClock()
    first = policy(clock)
    assert asyncio.run(first.wait_turn()) == 0
    assert first.held == 0


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
    first.decision_arrived()  # at 100.0: quiet from 100.25
    clicks = [first.decision_arrived]  # the manager clicks again as that first wait ends
    clock.on_sleep = lambda: clicks and clicks.pop()()
    assert round(asyncio.run(first.wait_turn()), 3) == 0.5  # quiet 250 ms after the second


def test_endless_decisions_delay_a_step_by_max_wait_at_most():
    clock = FakeClock()
    first = policy(clock, max_wait_s=2.0)
    clock.on_sleep = first.decision_arrived  # a decision arrives during every wait
    first.decision_arrived()
    assert asyncio.run(first.wait_turn()) == 2.0


def test_once_the_burst_has_lasted_max_wait_nothing_waits_until_decisions_pause():
    clock = FakeClock()
    first = policy(clock, max_wait_s=2.0)
    first.decision_arrived()  # the burst begins at 100
    for _ in range(30):  # decisions every 100 ms for three seconds
        clock.now += 0.1
        first.decision_arrived()
    assert asyncio.run(first.wait_turn()) == 0  # at 103: the burst is 3 s old, no holding back
    assert first.held == 0

    clock.now += 1.0  # decisions paused; the next one begins a new burst
    first.decision_arrived()
    assert round(asyncio.run(first.wait_turn()), 3) == 0.25
    assert first.held == 1


def test_a_shorter_limit_for_one_step_wins():
    clock = FakeClock()
    first = policy(clock, max_wait_s=10.0)
    clock.on_sleep = first.decision_arrived
    first.decision_arrived()  # the burst begins at 100
    assert asyncio.run(first.wait_turn(max_wait_s=3.0)) == 3.0  # half a 6 s activity timeout
    assert asyncio.run(first.wait_turn(max_wait_s=30.0)) == 7.0  # until the burst is 10 s old
