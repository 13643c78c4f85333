"""People first: while managers are deciding, the worker takes no new remote activity.

The rule. Every update a workflow handles (a manager's decision, a partner's signature) marks the
time. The worker asks Temporal for a remote activity task only once no update has arrived for
QUIET_S, or once the run of updates has lasted `max_wait_s` (WORKER_YIELD_MAX_S; from then on
until the updates pause, activities are taken as usual, so background work is never more than
that late). Decisions, queries and local activities never wait; waiting activity tasks stay in
Temporal's queue, undispatched, so no start-to-close timeout runs (our activities set no
schedule-to-start timeout). The mark is per worker process.

Why: a decision is a person waiting on a page, answered once Temporal accepts the update. What
it starts (the agreement, the next step, its mail) is work nobody watches, and on a small box it
costs more CPU than the decision and competes with it for the same cores.

How: the activity slots are a custom slot supplier, which the SDK consults before every poll;
the interceptor marks the time of each update through an extern function.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import workflow
from temporalio.worker import (CustomSlotSupplier, FixedSizeSlotSupplier, HandleUpdateInput,
                               Interceptor, SlotMarkUsedContext, SlotPermit, SlotReleaseContext,
                               SlotReserveContext, WorkerTuner, WorkflowInboundInterceptor,
                               WorkflowInterceptorClassInput)

QUIET_S = 0.25  # a manager's next click comes within this when they work through an inbox
SLOTS = 100  # the SDK's default, for each kind of task
_EXTERN = "prm_people_first_decision_arrived"  # how workflow code reaches the worker's clock


class DecisionsFirst:
    """The policy, apart from Temporal: when did the last decision arrive, may work start.

    decision_arrived() runs on the worker's workflow threads, the rest on its event loop: the
    state is two floats and a count, each written by one side only."""

    def __init__(self, max_wait_s: float, quiet_s: float = QUIET_S,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.max_wait_s = max_wait_s
        self.quiet_s = quiet_s
        self._clock = clock
        self._sleep = sleep
        self._last_decision = float("-inf")
        self._burst_began = float("-inf")  # the first decision after a pause
        self._waiting = 0  # reservations in wait_turn now
        self.held = 0  # how often work had to wait its turn (the tests read it)

    def decision_arrived(self) -> None:
        now = self._clock()
        # A pause begins a new burst, unless work is still waiting: it has not seen the pause
        # (a loaded loop wakes it late), and a new burst must not push its limit back.
        if now > self._last_decision + self.quiet_s and not self._waiting:
            self._burst_began = now
        self._last_decision = now

    def may_start(self) -> bool:
        now = self._clock()
        return (now >= self._last_decision + self.quiet_s
                or now >= self._burst_began + self.max_wait_s)

    async def wait_turn(self) -> float:
        """Returns once decisions have paused for quiet_s, or once the run of decisions has
        lasted max_wait_s (so never more than max_wait_s after it was called); the seconds
        waited."""
        began = self._clock()
        if self.may_start():
            return 0.0
        self.held += 1
        self._waiting += 1
        try:
            while not self.may_start():
                await self._sleep(min(self._last_decision + self.quiet_s,
                                      self._burst_began + self.max_wait_s) - self._clock())
        finally:
            self._waiting -= 1
        return self._clock() - began


class ActivitySlots(CustomSlotSupplier):
    """SLOTS activity slots, handed out only when the policy lets background work start.

    The SDK reserves on the worker's event loop but releases, and offers eager tasks, from its
    own threads: the count is kept under a lock, and a waiting reservation is woken through its
    loop (call_soon_threadsafe)."""

    def __init__(self, policy: DecisionsFirst, slots: int = SLOTS) -> None:
        self._policy = policy
        self._lock = threading.Lock()
        self._free = slots
        self._waiting: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = deque()

    @property
    def free(self) -> int:
        return self._free

    async def reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit:
        await self._policy.wait_turn()
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if self._free > 0:
                    self._free -= 1
                    return SlotPermit()
                freed = loop.create_future()
                self._waiting.append((loop, freed))
            try:
                await freed
            except asyncio.CancelledError:
                with self._lock:
                    if (loop, freed) in self._waiting:
                        self._waiting.remove((loop, freed))
                if freed.done() and not freed.cancelled():
                    self._wake_next()  # woken, then cancelled: the slot is someone else's
                raise

    def try_reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit | None:
        # An activity handed back with the workflow task that scheduled it ("eager"): only
        # when no decision is waiting for the cores.
        if not self._policy.may_start():
            return None
        with self._lock:
            if self._free == 0:
                return None
            self._free -= 1
        return SlotPermit()

    def mark_slot_used(self, ctx: SlotMarkUsedContext) -> None:
        pass

    def release_slot(self, ctx: SlotReleaseContext) -> None:
        with self._lock:
            self._free += 1
        self._wake_next()

    def _wake_next(self) -> None:
        with self._lock:
            if not self._waiting:
                return
            loop, freed = self._waiting.popleft()
        try:
            loop.call_soon_threadsafe(self._wake, freed)
        except RuntimeError:  # that loop is closed: its reservation is gone
            self._wake_next()

    def _wake(self, freed: asyncio.Future) -> None:
        if freed.done():  # cancelled meanwhile: the next one in line gets the slot
            self._wake_next()
        else:
            freed.set_result(None)


class PeopleFirst(Interceptor):
    """Updates mark the policy's clock (this interceptor); activity slots follow the policy
    (tuner(), for the worker's `tuner` option)."""

    def __init__(self, max_wait_s: float, quiet_s: float = QUIET_S) -> None:
        self.policy = DecisionsFirst(max_wait_s, quiet_s)

    def tuner(self) -> WorkerTuner:
        fixed = FixedSizeSlotSupplier(SLOTS)
        activities = ActivitySlots(self.policy) if self.policy.max_wait_s > 0 else fixed
        return WorkerTuner.create_composite(workflow_supplier=fixed, activity_supplier=activities,
                                            local_activity_supplier=fixed, nexus_supplier=fixed)

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput
                                   ) -> type[WorkflowInboundInterceptor]:
        # Workflow code may not read clocks or touch worker state; an extern function is the
        # SDK's door out of the (test) sandbox for exactly this.
        input.unsafe_extern_functions[_EXTERN] = self.policy.decision_arrived
        return _NoteDecisions


class _NoteDecisions(WorkflowInboundInterceptor):
    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        if not workflow.unsafe.is_replaying():  # a replayed decision was made long ago
            workflow.extern_functions()[_EXTERN]()
        return await self.next.handle_update_handler(input)
