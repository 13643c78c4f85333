"""The human-step pattern every workflow uses (DESIGN.md section 3).

A workflow mixes in HumanSteps, calls `await self.human_step(spec, checkpoints)` and gets the
decision back, or None when the step's fallback fired. People decide through the `complete_task`
update; its validator turns away closed tasks and the wrong people before anything reaches history.

Ownership (issue 9): the person who decided a staff step, or was handed one (`hand_on_task`),
owns the staff steps after it. `owned(spec)` opens such a step held by them, its role the group
that sees it once it is escalated. The owner is known from the updates alone (the decision's
actor, the hand-on's colleague), both in history: replay finds the same owner, and no activity
has to read who holds a task row. A claim is a row write in the web app only; the manager who
claimed a review decides it (the row holds it for them), and so becomes its owner that way.

Partner steps (issue 10): owned by an organisation, by its admins, or by one person of it; a
partner admin assigns one within the organisation and a partner user claims one, both through
`hand_on_task` (who may: domain/task_rules.py). A step's due time can move (`move_step_due`):
its waiting checkpoints wake and count from the new time. `next_round` opens the work a
reviewer returned to the person who did it, with the reviewer's comment.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.deadlines import Checkpoint, CheckpointKind
    from domain.onboarding import StageChange
    from domain.steps import CloseStepInput, OpenStepInput
    from domain.task_rules import completion_refusal, hand_on_refusal, is_partner_task
    from domain.tasks import (CloseTaskInput, CompleteTaskInput, HandOnInput, HandOnResult,
                              TaskCheckpointInput, TaskOutcome, TaskSpec, TaskStatus)
    from workflows import calls
    from workflows.step_changes import StepChanges
    from workflows.search import ASSIGNEE, DUE_DATE, PROCESS_STAGE

# Issue 8: the Assignee and DueDate search attributes are cleared once no step is open, so ops
# filters do not show finished work as someone's due task. Runs recorded before it replay without.
CLEAR_ASSIGNMENT_PATCH = "clear-assignment-when-idle"
# Issue 9: a staff step after a decided one opens held by its owner (see the module docstring).
# Runs recorded before it open every staff step to the group, and replay the same way.
OWNERSHIP_PATCH = "later-steps-owned-by-their-manager"


class HumanSteps(StepChanges):
    def __init__(self) -> None:
        self._open_tasks: dict[str, TaskSpec] = {}
        self._outcomes: dict[str, TaskOutcome] = {}
        self._payloads: dict[str, dict[str, Any]] = {}
        self._then: dict[str, Callable[[TaskOutcome | None], StageChange | None]] = {}
        self._task_lock = asyncio.Lock()
        self._closing: list[CloseStepInput] = []  # decided steps whose close is not yet written
        self._assignment_shown = False  # Assignee and DueDate are set in search attributes
        self._owner: tuple[int, str] | None = None  # (user id, name): who owns the next staff step
        self._hand_ons: dict[str, HandOnResult] = {}  # by request id: a resent hand-on repeats
        # Where each open step's checkpoints count from (its opening, moved with its due time),
        # and how often its due time moved: a move wakes the step's wait to re-time it.
        self._anchors: dict[str, datetime] = {}
        self._retimed: dict[str, int] = {}
        self._withdrawn: set[str] = set()  # steps closed undecided: nobody needs them any more
        self.steps_waiting = 0  # steps parked on their deadline or decision (continue-as-new)

    # -- the update people use -------------------------------------------------------------

    @workflow.update
    async def complete_task(self, req: CompleteTaskInput) -> TaskOutcome:
        async with self._task_lock:
            earlier = self._outcomes.get(req.task_id)
            if earlier is not None:
                if earlier.request_id == req.request_id:
                    return earlier  # the same submission again: the first result stands
                raise ApplicationError(f"already decided by {earlier.decided_by}",
                                       type="TaskAlreadyDecided", non_retryable=True)
            spec = self._open_tasks[req.task_id]
            outcome = TaskOutcome(task_id=req.task_id, decision=self.decision_of(spec, req.payload),
                                  decided_by=req.actor.name, request_id=req.request_id,
                                  decided_at=workflow.now(), decided_by_id=req.actor.user_id)
            if spec.assignee_role and req.actor.user_id is not None:
                self._owner = (req.actor.user_id, req.actor.name)  # they own what follows
            # Recorded before returning, so a rival update's validator already sees it.
            self._outcomes[req.task_id] = outcome
            self._payloads[req.task_id] = {"payload": req.payload, "actor": req.actor}
            self._open_tasks.pop(req.task_id, None)
            # No activity here: Temporal answers the update as soon as this workflow task
            # completes, which would wait for a local activity. The web app closes the task row
            # when it hears back (db/task_rows.py); the close and the stage the decision leads to
            # travel with the workflow's next activity (the next step's opening, as a rule).
            self._closing.append(CloseStepInput(
                CloseTaskInput(req.task_id, TaskStatus.DONE, outcome), self._stage_after(outcome)))
            return outcome

    @complete_task.validator
    def validate_complete_task(self, req: CompleteTaskInput) -> None:
        earlier = self._outcomes.get(req.task_id)
        if earlier is not None:
            if earlier.request_id == req.request_id:
                return
            raise ValueError(f"already decided by {earlier.decided_by}")
        spec = self._open_tasks.get(req.task_id)
        if spec is None:
            raise ValueError("this task is closed or does not exist")
        refusal = completion_refusal(spec, req.actor)
        if refusal is not None:
            raise ValueError(refusal)
        if spec.decisions and req.payload.get("decision") not in spec.decisions:
            # Refused here, before history: an unknown value must not pass for one of them.
            raise ValueError(f"unknown decision {req.payload.get('decision')!r}: this task takes "
                             f"one of {', '.join(spec.decisions)}")

    # -- handing a staff step (and the ones after it) to a colleague ---------------------------

    @workflow.update
    def hand_on_task(self, req: HandOnInput) -> HandOnResult:
        """No await and no activity: the web app writes the row once Temporal accepts (as it
        closes a decided one); the step's next checkpoint or close reads the row as it is."""
        earlier = self._hand_ons.get(req.request_id)
        if earlier is not None:
            return earlier
        spec = self._open_tasks.get(req.task_id)
        if spec is None:  # decided since the validator ran: refused cleanly, nothing changed
            raise ApplicationError("this task is closed or does not exist", type="TaskClosed",
                                   non_retryable=True)
        self._open_tasks[req.task_id] = dataclasses.replace(spec, assignee_user_id=req.to_user_id)
        if not is_partner_task(spec):  # a partner's assignment is that step's alone
            self._owner = (req.to_user_id, req.to_name)
        self.handed_on(self._open_tasks[req.task_id], req)
        result = HandOnResult(req.task_id, req.to_user_id, req.to_name)
        self._hand_ons[req.request_id] = result
        if self._assignment_shown:
            workflow.upsert_search_attributes([ASSIGNEE.value_set(f"user:{req.to_user_id}")])
        return result

    @hand_on_task.validator
    def validate_hand_on_task(self, req: HandOnInput) -> None:
        if req.request_id in self._hand_ons:
            return
        spec = self._open_tasks.get(req.task_id)
        if spec is None or req.task_id in self._outcomes:
            raise ValueError("this task is closed or does not exist")
        refusal = hand_on_refusal(spec, req)
        if refusal is not None:
            raise ValueError(refusal)

    def handed_on(self, spec: TaskSpec, req: HandOnInput) -> None:
        """A lifecycle's hook: the step is now `spec.assignee_user_id`'s (its own records)."""

    def owned(self, spec: TaskSpec) -> TaskSpec:
        """A staff step for the owner, if the application has one (see the module docstring).
        The patch is asked only where it changes something, so a run without an owner yet
        (every first review) records no marker."""
        if self._owner is None or not spec.assignee_role or spec.assignee_user_id is not None:
            return spec
        if not workflow.patched(OWNERSHIP_PATCH):
            return spec
        return dataclasses.replace(spec, assignee_user_id=self._owner[0])

    def decision_of(self, spec: TaskSpec, payload: dict[str, Any]) -> str:
        """Forms with a 'decision' field carry it; others (signatures, edits) just complete."""
        return str(payload.get("decision") or "completed")

    # -- what workflows call ----------------------------------------------------------------

    async def human_step(
            self, spec: TaskSpec, checkpoints: list[Checkpoint], *, stage: StageChange | None = None,
            then: Callable[[TaskOutcome | None], StageChange | None] | None = None,
            open_with: Callable[[OpenStepInput], Awaitable[Any]] | None = None,
            anchor: datetime | None = None,
    ) -> TaskOutcome | None:
        """`stage`: the stage the process enters with this step, written with the task row.
        `then(outcome)`: the stage the decision (None: the fallback) leads to, if any, written
        with the closed task row; it runs once, when the step closes.
        `open_with(step)`: an activity of the caller's that opens the step along with work of its
        own (activities/steps.py); by default the generic `open_step`.
        `anchor`: the moment the checkpoints count from, when not the opening (a step reopened
        by a continued-as-new run, one whose due time was set from a plan); checkpoints already
        past it are skipped, not fired late."""
        opened_at = workflow.now() if anchor is None else anchor
        self._anchors[spec.task_id] = opened_at
        self._open_tasks[spec.task_id] = spec
        if then is not None:
            self._then[spec.task_id] = then
        self._show_assignment(spec, stage)
        # Earlier closes, the stage, the task row, then the notice to whoever must act: one remote
        # activity (the mail needs one anyway), rows written before any mail goes out.
        step = OpenStepInput(spec, stage, self._take_closing())
        await (open_with(step) if open_with is not None else calls.remote("open_step", step))
        reminders = 0
        index = 0
        if anchor is not None:
            index, reminders = self._first_ahead(checkpoints, anchor, 0)
        while True:
            retimed = self._retimed.get(spec.task_id, 0)
            if index >= len(checkpoints):  # only a decision ends the wait now, or a new due time
                self.steps_waiting += 1
                try:
                    await workflow.wait_condition(
                        lambda: self._is_closed(spec.task_id)
                        or self._retimed.get(spec.task_id, 0) != retimed)
                finally:
                    self.steps_waiting -= 1
                if self._is_closed(spec.task_id):
                    break
                index, reminders = self._first_ahead(checkpoints, self._anchors[spec.task_id],
                                                     reminders)
                continue
            point = checkpoints[index]
            remaining = self._anchors[spec.task_id] + point.after - workflow.now()
            if await self._decided_within(spec.task_id, remaining, retimed):
                return self._outcomes.get(spec.task_id)  # None: withdrawn
            if self._retimed.get(spec.task_id, 0) != retimed:  # its due time moved: count again
                index, reminders = self._first_ahead(checkpoints, self._anchors[spec.task_id],
                                                     reminders)
                continue
            index += 1
            opened_at = self._anchors[spec.task_id]
            if point.kind == CheckpointKind.REMIND:
                reminders += 1
                await calls.remote("task_checkpoint", TaskCheckpointInput(
                    spec.task_id, point.kind, point.label, number=reminders))
            elif point.kind == CheckpointKind.ESCALATE:
                new_due = opened_at + next(
                    (p.after for p in checkpoints if p.after > point.after), point.after)
                if not point.moves_due:
                    new_due = None
                await calls.remote("task_checkpoint", TaskCheckpointInput(
                    spec.task_id, point.kind, point.label,
                    number=self._retimed.get(spec.task_id, 0) + 1,  # a new due time, a new mail
                    escalate_to_role=point.escalate_to, new_due_at=new_due))
                attributes = [ASSIGNEE.value_set(point.escalate_to)]
                if new_due is not None:
                    attributes.append(DUE_DATE.value_set(new_due))
                workflow.upsert_search_attributes(attributes)
            else:
                async with self._task_lock:  # a decision arriving now must not race the expiry
                    if spec.task_id in self._outcomes:
                        break
                    self._open_tasks.pop(spec.task_id, None)
                    closing = CloseStepInput(
                        CloseTaskInput(spec.task_id, TaskStatus.EXPIRED, note=point.label),
                        self._stage_after(None, spec.task_id))
                    self._publish_close(closing, idle=self._idle())
                    await calls.local("close_step", closing)
                return None
        return self._outcomes.get(spec.task_id)

    async def write_closed_steps(self) -> None:
        """Write the close of steps decided since the last opening, where no step opens next.
        With no step open, Assignee and DueDate are cleared in the same upsert as the stage."""
        closings = self._take_closing()
        idle = self._idle()
        for closing in closings:
            self._publish_close(closing, idle)
            idle = False  # cleared with the first
            await calls.remote("close_step", closing)
        if idle:
            workflow.upsert_search_attributes(self._unassigned())

    def take_closing(self) -> tuple[CloseStepInput, ...]:
        """The closes not yet written, for a caller's own activity to write first."""
        return self._take_closing()

    def payload_of(self, task_id: str) -> dict[str, Any]:
        return self._payloads[task_id]["payload"]

    def actor_of(self, task_id: str):
        return self._payloads[task_id]["actor"]

    def has_unwritten_closes(self) -> bool:
        return bool(self._closing)

    def open_task_id(self) -> str | None:
        return next(iter(self._open_tasks), None)

    # -- internals ----------------------------------------------------------------------------

    def _stage_after(self, outcome: TaskOutcome | None, task_id: str = "") -> StageChange | None:
        then = self._then.pop(outcome.task_id if outcome else task_id, None)
        return then(outcome) if then is not None else None

    def _is_closed(self, task_id: str) -> bool:
        return ((task_id in self._outcomes or task_id in self._withdrawn)
                and task_id not in self._open_tasks)

    async def _decided_within(self, task_id: str, remaining: timedelta, retimed: int = 0) -> bool:
        """True once decided; False when `remaining` ran out or the due time moved."""
        if remaining <= timedelta(0):
            return self._is_closed(task_id)
        try:
            self.steps_waiting += 1
            await workflow.wait_condition(
                lambda: self._is_closed(task_id) or self._retimed.get(task_id, 0) != retimed,
                timeout=remaining)
        except asyncio.TimeoutError:
            pass
        finally:
            self.steps_waiting -= 1
        return self._is_closed(task_id)

    def _take_closing(self) -> tuple[CloseStepInput, ...]:
        closing, self._closing = tuple(self._closing), []
        return closing

    def publish_stage(self, stage: StageChange | None, idle: bool | None = None) -> None:
        """The stage in search attributes, and with no step open (`idle`, worked out unless the
        caller knows) Assignee and DueDate cleared: one upsert, one history event."""
        updates = self._unassigned() if (self._idle() if idle is None else idle) else []
        if stage is not None:
            updates.append(PROCESS_STAGE.value_set(stage.stage.value))
        if updates:
            workflow.upsert_search_attributes(updates)

    def _publish_close(self, closing: CloseStepInput, idle: bool) -> None:
        self.publish_stage(closing.stage, idle)

    def _idle(self) -> bool:
        """No step open while the search attributes still name an assignee (and the run is
        one that clears them: see CLEAR_ASSIGNMENT_PATCH)."""
        return (self._assignment_shown and not self._open_tasks
                and workflow.patched(CLEAR_ASSIGNMENT_PATCH))

    def _unassigned(self) -> list:
        self._assignment_shown = False
        return [ASSIGNEE.value_unset(), DUE_DATE.value_unset()]

    def _show_assignment(self, spec: TaskSpec, stage: StageChange | None) -> None:
        """One upsert (one history event, one visibility write) for all the step changes."""
        if spec.assignee_user_id is not None:
            assignee = f"user:{spec.assignee_user_id}"  # the owner; the group after escalation
        else:
            assignee = spec.assignee_role or f"partner:{spec.assignee_org_id}"
        updates = [ASSIGNEE.value_set(assignee), DUE_DATE.value_set(spec.due_at)]
        if stage is not None:
            updates.append(PROCESS_STAGE.value_set(stage.stage.value))
        workflow.upsert_search_attributes(updates)
        self._assignment_shown = True
