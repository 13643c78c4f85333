"""What a lifecycle may change about a human step while it is open (issue 10): its due time,
which moves its checkpoints with it; its withdrawal, when nobody needs it any more; and the next
round of work a reviewer returned to the person who did it. Part of HumanSteps
(workflows/human_steps.py), whose state (`_open_tasks`, `_anchors`, `_retimed`, ...) it uses.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.deadlines import Checkpoint, CheckpointKind
    from domain.steps import CloseStepInput
    from domain.tasks import CloseTaskInput, TaskSpec, TaskStatus
    from workflows.search import DUE_DATE


class StepChanges:
    def move_step_due(self, task_id: str, due_at: datetime) -> None:
        """The open step is due at `due_at` now: its checkpoints move with it, and its wait wakes
        to count from there (a checkpoint already past is skipped, not fired late)."""
        spec = self._open_tasks.get(task_id)
        if spec is None:
            return
        self._anchors[task_id] = self._anchors.get(task_id, workflow.now()) + (due_at - spec.due_at)
        self._open_tasks[task_id] = dataclasses.replace(spec, due_at=due_at)
        self._retimed[task_id] = self._retimed.get(task_id, 0) + 1
        if self._assignment_shown:
            workflow.upsert_search_attributes([DUE_DATE.value_set(due_at)])

    def next_round(self, spec: TaskSpec, task_id: str, due_at: datetime,
                   context: dict[str, Any]) -> TaskSpec:
        """The work a reviewer returned, open again as a new step for whoever did it (the person
        who completed `spec`, else whoever held it), with `context` (the reviewer's comment)."""
        outcome = self._outcomes.get(spec.task_id)
        owner = outcome.decided_by_id if outcome is not None else None
        return dataclasses.replace(spec, task_id=task_id, due_at=due_at,
                                   assignee_user_id=owner or spec.assignee_user_id,
                                   context={**spec.context, **context})

    def withdraw_step(self, task_id: str, note: str) -> None:
        """An open step nobody needs any more (its plan item waived, or gone with a new plan
        version): closed undecided with `note`, written with the next activity; its
        `human_step` returns None."""
        if self._open_tasks.pop(task_id, None) is None:
            return
        self._withdrawn.add(task_id)
        self._closing.append(CloseStepInput(CloseTaskInput(task_id, TaskStatus.EXPIRED, note=note)))

    def open_spec(self, task_id: str) -> TaskSpec | None:
        """The open step as it stands (assigned, re-timed), or None once it closed."""
        return self._open_tasks.get(task_id)

    @staticmethod
    def _first_ahead(points: list[Checkpoint], anchor: datetime,
                     reminders: int) -> tuple[int, int]:
        """Where the checkpoints go on, counted from `anchor`: reminders already past are
        skipped (a reminder after the fact says nothing), a past escalation still fires (its
        mail is keyed: a reopened step's is not sent twice). With the reminders counted on, so
        each reminder's mail has a number of its own."""
        now = workflow.now()
        for index, point in enumerate(points):
            if anchor + point.after > now or point.kind != CheckpointKind.REMIND:
                return index, reminders
            reminders += 1
        return len(points), reminders
