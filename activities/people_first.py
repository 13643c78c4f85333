"""People first: while managers are deciding, the worker takes no new background work.

A decision is a person waiting on a page: the web app answers once Temporal accepts the update.
What the decision starts (render the agreement, open the next step, send its mail) is work nobody
watches happen; it matters that it is done, soon and exactly once, not that it is done in the
same second. On a small box the two compete for the same cores, and the background step costs
more CPU than the decision itself, so a burst of approvals was answered at the speed of all the
work behind it (make bench, 16 managers: 285 ms at p50 where the update alone takes about 130).

So the worker notes each update it handles, and asks Temporal for activity tasks only once no
decision has arrived for QUIET_S: its activity slots (a custom slot supplier, which the worker
consults before every poll) are handed out then. Until then the tasks wait in Temporal's task
queue, undispatched: no timeout runs, no heartbeat is owed. Every remote activity waits alike
(an applicant's confirmation, a reminder a timer fired, a retry); decisions, queries and local
activities never do. A poller that already held a slot when the decisions began takes one task
at once.

The priority is for bursts. Slots are withheld at most `max_wait_s` after the run of decisions
began, and from then on, until decisions pause, they are handed out as usual: under decisions
that never pause, background work is at most that late and then competes as it would without
this, rather than falling ever further behind.

The note is per worker process: with several workers, each yields to the decisions it handles.
"""

from __future__ import annotations

import asyncio
import time
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
    """The policy, apart from Temporal: when did the last decision arrive, may work start."""

    def __init__(self, max_wait_s: float, quiet_s: float = QUIET_S,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.max_wait_s = max_wait_s
        self.quiet_s = quiet_s
        self._clock = clock
        self._sleep = sleep
        self._last_decision = float("-inf")
        self._burst_began = float("-inf")  # the first decision after a pause
        self.held = 0  # how often work had to wait its turn (the tests read it)

    def decision_arrived(self) -> None:
        now = self._clock()
        if now > self._last_decision + self.quiet_s:
            self._burst_began = now
        self._last_decision = now

    def may_start(self) -> bool:
        now = self._clock()
        return (now >= self._last_decision + self.quiet_s
                or now >= self._burst_began + self.max_wait_s)

    async def wait_turn(self) -> float:
        """Returns once decisions have paused for quiet_s, or once the run of decisions has
        lasted max_wait_s; the seconds waited."""
        began = self._clock()
        if not self.may_start():
            self.held += 1
        while not self.may_start():
            await self._sleep(min(self._last_decision + self.quiet_s,
                                  self._burst_began + self.max_wait_s) - self._clock())
        return self._clock() - began


class ActivitySlots(CustomSlotSupplier):
    """SLOTS activity slots, handed out only when the policy lets background work start."""

    def __init__(self, policy: DecisionsFirst, slots: int = SLOTS) -> None:
        self._policy = policy
        self._free = slots
        self._waiting: list[asyncio.Future] = []  # reservations waiting for a slot to free up

    async def reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit:
        await self._policy.wait_turn()
        while self._free == 0:
            freed = asyncio.get_running_loop().create_future()
            self._waiting.append(freed)
            await freed
        self._free -= 1
        return SlotPermit()

    def try_reserve_slot(self, ctx: SlotReserveContext) -> SlotPermit | None:
        # An activity handed back with the workflow task that scheduled it ("eager"): only
        # when no decision is waiting for the cores.
        if self._free == 0 or not self._policy.may_start():
            return None
        self._free -= 1
        return SlotPermit()

    def mark_slot_used(self, ctx: SlotMarkUsedContext) -> None:
        pass

    def release_slot(self, ctx: SlotReleaseContext) -> None:
        self._free += 1
        while self._waiting:
            freed = self._waiting.pop(0)
            if not freed.done():  # a cancelled reservation (the worker stopping) is skipped
                freed.set_result(None)
                break


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
