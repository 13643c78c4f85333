"""People first: while managers are deciding, the steps their decisions start wait their turn.

A decision is a person waiting on a page: the web app answers once Temporal accepts the update.
What the decision starts (render the agreement, open the next step, send its mail) is work nobody
watches happen; it matters that it is done, soon and exactly once, not that it is done in the
same second. On a small box the two compete for the same cores, and the background step costs
more CPU than the decision itself, so a burst of approvals was answered at the speed of all the
work behind it (make bench, 16 managers: 285 ms at p50 where the update alone takes about 130).

So the worker notes each update it handles, and a remote activity starts only once no decision
has arrived for QUIET_S. It never waits longer than `max_wait_s` (nor half its own
start-to-close timeout): under endless decisions the background work still moves, at most that
much later. Timers, queries and the decisions themselves never wait, and local activities
(inside a workflow task) are left alone.

The note is per worker process: with several workers, each yields to the decisions it handles.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import activity, workflow
from temporalio.worker import (ActivityInboundInterceptor, ExecuteActivityInput,
                               HandleUpdateInput, Interceptor, WorkflowInboundInterceptor,
                               WorkflowInterceptorClassInput)

QUIET_S = 0.25  # a manager's next click comes within this when they work through an inbox
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
        self.held = 0  # activities that had to wait their turn, for tests and curious operators

    def decision_arrived(self) -> None:
        self._last_decision = self._clock()

    async def wait_turn(self, max_wait_s: float | None = None) -> float:
        """Returns once decisions have paused for quiet_s, or after max_wait_s (the policy's, or
        a shorter one given); the seconds waited."""
        limit = self.max_wait_s if max_wait_s is None else min(max_wait_s, self.max_wait_s)
        began = now = self._clock()
        if now < self._last_decision + self.quiet_s:
            self.held += 1
        while True:
            quiet_at = self._last_decision + self.quiet_s
            give_up_at = began + limit
            if now >= quiet_at or now >= give_up_at:
                return now - began
            await self._sleep(min(quiet_at, give_up_at) - now)
            now = self._clock()


class PeopleFirst(Interceptor):
    """The worker interceptor: updates mark the clock, remote activities wait their turn."""

    def __init__(self, max_wait_s: float, quiet_s: float = QUIET_S) -> None:
        self.policy = DecisionsFirst(max_wait_s, quiet_s)

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _WaitTurn(next, self.policy)

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


class _WaitTurn(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, policy: DecisionsFirst) -> None:
        super().__init__(next)
        self._policy = policy

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        if not info.is_local and self._policy.max_wait_s > 0:
            # Never so long that the activity's own timeout runs out while it waits.
            budget = info.start_to_close_timeout
            await self._policy.wait_turn(budget.total_seconds() / 2 if budget else None)
        return await self.next.execute_activity(input)
