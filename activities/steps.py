"""A human step's writes and mail, grouped so each costs one activity (DESIGN.md section 4).

Every activity, local or remote, costs the worker a workflow activation and the server a round
trip, which on a small box outweighs the SQL. Opening a step must send mail (a remote activity:
SMTP can be down for hours), so everything due at that moment travels in that one activity, in
one transaction with the mail's outbox rows, before any mail goes out: the close of the step
decided just before, the record the new step needs (the application, the agreement), its stage,
its task row. A decision itself costs the workflow no activity at all: the web app closes the
task row when Temporal confirms the decision (db/task_rows.py), and the workflow's next activity
writes the close again, with the stage the decision leads to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import asdict

from sqlalchemy.orm import Session
from temporalio import activity

from activities.mail import enqueue_mail
from activities.outbox import Outbox
from activities.recruitment import RecruitmentActivities, record_and_screen, record_stage
from activities.tasks import TaskActivities
from db.task_rows import write_close
from domain.enablement import StartEnablementInput
from domain.onboarding import ActivationResult, AgreementDocument, ScreeningResult
from domain.steps import (AcceptApplicationInput, ActivatePartnerInput, CloseStepInput,
                          IssueAgreementInput, OpenStepInput)


class StepActivities:
    def __init__(self, outbox: Outbox, tasks: TaskActivities,
                 recruitment: RecruitmentActivities,
                 start_enablement: Callable[[StartEnablementInput], Awaitable[str]] | None = None
                 ) -> None:
        self._outbox = outbox
        self._start_enablement = start_enablement
        self._tasks = tasks
        self._recruitment = recruitment

    @activity.defn(name="accept_application")
    async def accept_application(self, inp: AcceptApplicationInput) -> ScreeningResult:
        """Record and screen the application, confirm it, open its review for the managers."""
        def write(session: Session) -> tuple[ScreeningResult, list[str]]:
            screening = record_and_screen(session, inp.application)
            review = _with_context(inp.review, flags=[asdict(f) for f in screening.flags])
            return screening, (enqueue_mail(self._outbox, session, inp.confirmation)
                               + self._open(session, review))

        return await self._outbox.write_and_deliver(write)

    @activity.defn(name="issue_agreement")
    async def issue_agreement(self, inp: IssueAgreementInput) -> AgreementDocument:
        """Render and store the agreement, then open its signing step for the partner."""
        def write(session: Session) -> tuple[AgreementDocument, list[str]]:
            document = self._recruitment.write_agreement(session, inp.agreement)
            signing = _with_context(inp.signing, agreement_id=document.agreement_id,
                                    sha256=document.sha256)
            return document, self._open(session, signing)

        return await self._outbox.write_and_deliver(write)

    @activity.defn(name="activate_partner")
    async def activate_partner(self, inp: ActivatePartnerInput) -> ActivationResult:
        """The steps decided before, then the partner's admin, its invitation and the Active
        stage in one transaction, the invitation mail after the commit: whoever follows the link
        finds an active partner, and the stage never reads Active for an organisation that is
        not. When the contact's email already has an account, only the closes and the flag are
        written and the workflow asks a manager for another contact. Both parties' copies of
        the executed agreement go with the first attempt either way (activities/agreement_mail.py).
        """
        def write(session: Session) -> tuple[ActivationResult, list[str]]:
            for earlier in inp.closing:
                _close(session, earlier)
            result, keys = self._recruitment.write_activation(session, inp.activation)
            if result.activated:
                record_stage(session, inp.stage)  # keyed: a retry writes the line once
            # Signed by both whether or not the contact can be activated: the copies go now.
            return result, keys + self._recruitment.write_executed_agreement_mail(
                session, inp.activation.workflow_id)

        result = await self._outbox.write_and_deliver(write)
        if result.activated and self._start_enablement is not None:
            # After the commit: the partner's plan starts on the organisation as activated. A
            # retry finds the workflow started (activities/enablement.py).
            await self._start_enablement(StartEnablementInput(inp.activation.org_id))
        return result

    @activity.defn(name="open_step")
    async def open_step(self, inp: OpenStepInput) -> int:
        """Earlier closes, the stage and the task row, then the notice. Rows before any mail."""
        return await self._outbox.enqueue_and_deliver(lambda session: self._open(session, inp))

    @activity.defn(name="close_step")
    async def close_step(self, inp: CloseStepInput) -> None:
        """A close with no step opening after it (a rejection, a deadline, the process's end)."""
        await self._outbox.in_transaction(lambda session: _close(session, inp))

    def open_rows(self, session: Session, step: OpenStepInput) -> list[str]:
        """The step's opening inside a caller's transaction (activities/enablement.py)."""
        return self._open(session, step)

    def _open(self, session: Session, step: OpenStepInput) -> list[str]:
        for earlier in step.closing:
            _close(session, earlier)
        # A retry after a decision must not put the process back into the opening stage.
        if self._tasks.write_open(session, step.task) and step.stage is not None:
            record_stage(session, step.stage, first_time=True)  # written with the row, atomically
        return self._tasks.enqueue_notice(session, step.task)


def close_step_rows(session: Session, inp: CloseStepInput) -> None:
    """A decided (or withdrawn) step's close, inside a caller's transaction."""
    _close(session, inp)


def _close(session: Session, inp: CloseStepInput) -> None:
    write_close(session, inp.close)  # usually a no-op: the web app closed the row already
    if inp.stage is not None:
        record_stage(session, inp.stage)  # keyed: written once however often retried


def _with_context(step: OpenStepInput, **extra) -> OpenStepInput:
    """The step with facts only this activity learns (screening, the document) in its context."""
    task = dataclasses.replace(step.task, context={**step.task.context, **extra})
    return dataclasses.replace(step, task=task)
