"""The decisions-first policy on its own, on a fake clock: when a background step may start."""

from __future__ import annotations

import asyncio
import threading
import time

from activities.people_first import ActivitySlots, DecisionsFirst


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


def test_decisions_just_over_the_quiet_apart_cannot_push_the_limit_back():
    """A loaded loop wakes a waiting reservation late, after the next decision has come: it
    never sees the pause, and the pause must not begin a new burst for it."""
    clock = FakeClock()
    first = policy(clock, max_wait_s=2.0)
    first.decision_arrived()
    next_decision = [100.26]

    def late_wake_up() -> None:
        assert clock.now < 110, "still waiting 10 s on, five times the limit"
        clock.now += 0.02  # woken 20 ms late
        while next_decision[0] <= clock.now:  # decisions 260 ms apart, one just before waking
            saved, clock.now = clock.now, next_decision[0]
            first.decision_arrived()
            clock.now = saved
            next_decision[0] += 0.26

    clock.on_sleep = late_wake_up
    assert asyncio.run(first.wait_turn()) <= 2.1


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


# -- the activity slots ---------------------------------------------------------------------

class Always:
    held = 0

    def __init__(self, start: bool = True) -> None:
        self.start = start

    async def wait_turn(self) -> float:
        return 0.0

    def may_start(self) -> bool:
        return self.start


def test_slots_are_counted_and_a_freed_one_goes_to_the_next_waiting_reservation():
    slots = ActivitySlots(Always(), slots=2)

    async def scenario():
        await slots.reserve_slot(None)
        await slots.reserve_slot(None)
        third = asyncio.create_task(slots.reserve_slot(None))
        fourth = asyncio.create_task(slots.reserve_slot(None))
        await asyncio.sleep(0.01)
        assert not third.done() and not fourth.done()  # both slots in use
        assert slots.try_reserve_slot(None) is None
        slots.release_slot(None)
        await asyncio.wait_for(third, 1)
        await asyncio.sleep(0.01)
        assert not fourth.done() and slots.free == 0  # one freed, one taken
        fourth.cancel()

    asyncio.run(scenario())


def test_a_slot_freed_on_another_thread_wakes_the_waiting_reservation_at_once():
    """The SDK releases slots from its own threads; the waiting reservation is on the loop."""
    slots = ActivitySlots(Always(), slots=1)

    async def scenario() -> float:
        await slots.reserve_slot(None)
        waiting = asyncio.create_task(slots.reserve_slot(None))
        await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        released_at = loop.time() + 0.05

        def release_later() -> None:  # once the loop sleeps, waiting for events
            time.sleep(0.05)
            slots.release_slot(None)

        threading.Thread(target=release_later).start()
        await asyncio.wait_for(waiting, 5)
        return loop.time() - released_at

    assert asyncio.run(scenario()) < 1.0  # not left until some other event wakes the loop


def test_a_reservation_woken_then_cancelled_passes_the_slot_on():
    slots = ActivitySlots(Always(), slots=1)

    async def scenario():
        await slots.reserve_slot(None)
        first = asyncio.create_task(slots.reserve_slot(None))
        second = asyncio.create_task(slots.reserve_slot(None))
        await asyncio.sleep(0.01)
        slots.release_slot(None)  # wakes `first` ...
        await asyncio.sleep(0)  # ... whose wake-up is now set
        first.cancel()  # ... but the worker stops polling before it runs
        await asyncio.wait_for(second, 1)
        assert first.cancelled() and slots.free == 0

    asyncio.run(scenario())


def test_no_eager_task_while_decisions_want_the_cores():
    assert ActivitySlots(Always(start=False), slots=5).try_reserve_slot(None) is None
    assert ActivitySlots(Always(start=True), slots=5).try_reserve_slot(None) is not None
