"""A human step's writes and mail, grouped so each costs one activity (DESIGN.md section 4).

Every activity, local or remote, costs the worker a workflow activation and the trip through the
SDK, which on a small box outweighs the SQL. So where a step must send mail anyway (a remote
activity: SMTP can be down for hours), the step's writes travel in that same activity, first, in
one transaction with the mail's outbox rows: recording an application goes with its confirmation,
opening a step (its stage and task row) with the notice to whoever must act. Closing a step stays
a local activity: the decision's update is answered when its workflow task completes, with the
task row closed, so a manager's click costs that one write.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from temporalio import activity

from activities.mail import enqueue_mail
from activities.outbox import Outbox
from activities.recruitment import record_and_screen, record_stage
from activities.tasks import TaskActivities
from domain.onboarding import ScreeningResult
from domain.steps import AcceptApplicationInput, CloseStepInput, OpenStepInput


class StepActivities:
    def __init__(self, outbox: Outbox, tasks: TaskActivities) -> None:
        self._outbox = outbox
        self._tasks = tasks

    @activity.defn(name="accept_application")
    async def accept_application(self, inp: AcceptApplicationInput) -> ScreeningResult:
        """Record and screen the application, then confirm it to the applicant."""
        screening = ScreeningResult()

        def write(session: Session) -> list[str]:
            nonlocal screening
            screening = record_and_screen(session, inp.application)
            return enqueue_mail(self._outbox, session, inp.confirmation)

        await self._outbox.enqueue_and_deliver(write)
        return screening

    @activity.defn(name="open_step")
    async def open_step(self, inp: OpenStepInput) -> int:
        """The stage and the task row, then the notice. The row is in before any mail goes out."""
        def write(session: Session) -> list[str]:
            # A retry after a decision must not put the process back into the opening stage.
            if self._tasks.write_open(session, inp.task) and inp.stage is not None:
                record_stage(session, inp.stage)
            return self._tasks.enqueue_notice(session, inp.task)

        return await self._outbox.enqueue_and_deliver(write)

    @activity.defn(name="close_step")
    async def close_step(self, inp: CloseStepInput) -> None:
        def write(session: Session) -> None:
            self._tasks.write_close(session, inp.close)
            if inp.stage is not None:
                record_stage(session, inp.stage)

        await self._outbox.in_transaction(write)
