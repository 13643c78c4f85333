"""People first: while managers are deciding, the steps their decisions start wait their turn.

A decision is a person waiting on a page: the web app answers once Temporal accepts the update.
What the decision starts (render the agreement, open the next step, send its mail) is work nobody
watches happen; it matters that it is done, soon and exactly once, not that it is done in the
same second. On a small box the two compete for the same cores, and the background step costs
more CPU than the decision itself, so a burst of approvals was answered at the speed of all the
work behind it (make bench, 16 managers: 285 ms at p50 where the update alone takes about 130).

So the worker notes each update it handles, and a remote activity starts only once no decision
has arrived for QUIET_S. That is every remote activity, not only the ones decisions start: an
applicant's confirmation and review task, a reminder a timer fired, a retry, all wait alike while
managers decide. Decisions themselves, queries and local activities (inside a workflow task)
never wait.

The priority is for bursts. Waiting ends at the latest `max_wait_s` after the run of decisions
began (nor later than half an activity's start-to-close timeout), and from then on, until
decisions pause, nothing waits: under a stream of decisions that never pauses, background work
is at most that much late and then competes as it did without this, rather than queueing
without end behind slots held by waiting activities.

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
        self._burst_began = float("-inf")  # the first decision after a pause
        self.held = 0  # activities that had to wait their turn (the tests read it)

    def decision_arrived(self) -> None:
        now = self._clock()
        if now > self._last_decision + self.quiet_s:
            self._burst_began = now
        self._last_decision = now

    async def wait_turn(self, max_wait_s: float | None = None) -> float:
        """Returns once decisions have paused for quiet_s, or once the run of decisions has
        lasted max_wait_s, or after a shorter limit given for this activity; the seconds waited."""
        began = now = self._clock()
        limit = began + (self.max_wait_s if max_wait_s is None else max_wait_s)
        if not self._may_start(now, limit):
            self.held += 1
        while not self._may_start(now, limit):
            await self._sleep(min(self._last_decision + self.quiet_s,
                                  self._burst_began + self.max_wait_s, limit) - now)
            now = self._clock()
        return now - began

    def _may_start(self, now: float, limit: float) -> bool:
        return (now >= self._last_decision + self.quiet_s
                or now >= self._burst_began + self.max_wait_s or now >= limit)


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
