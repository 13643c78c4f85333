"""Opening and closing a human step: the task row and the stage, in one transaction each.

A local activity's cost is mostly the trip through the worker and a transaction, not the SQL, so
the writes one step needs go together (DESIGN.md section 4). Closing matters most: the decision's
update is answered only when the workflow task that holds it completes, which waits for its local
activities, so a manager's click costs one write here, not two.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from temporalio import activity

from activities.outbox import Outbox
from activities.recruitment import record_stage
from activities.tasks import TaskActivities
from domain.steps import CloseStepInput, OpenStepInput


class StepActivities:
    def __init__(self, outbox: Outbox, tasks: TaskActivities) -> None:
        self._outbox = outbox
        self._tasks = tasks

    @activity.defn(name="open_step")
    async def open_step(self, inp: OpenStepInput) -> None:
        def write(session: Session) -> None:
            if inp.stage is not None:
                record_stage(session, inp.stage)
            self._tasks.write_open(session, inp.task)

        await self._outbox.in_transaction(write)

    @activity.defn(name="close_step")
    async def close_step(self, inp: CloseStepInput) -> None:
        def write(session: Session) -> None:
            self._tasks.write_close(session, inp.close)
            if inp.stage is not None:
                record_stage(session, inp.stage)

        await self._outbox.in_transaction(write)
