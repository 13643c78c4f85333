"""Completing a human task: the one path from a submitted task form into its workflow.

The update id is derived from the task id and the form's nonce, so the same submission sent twice
(a double click, a retried POST) is the same update to Temporal and returns the first result.
"""

from __future__ import annotations

import logging
import re

from flask import current_app
from flask_babel import gettext
from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from db.models import Task
from db.task_rows import write_close
from domain.tasks import (ACTIVE_STATUSES, Actor, CloseTaskInput, CompleteTaskInput, TaskOutcome,
                          TaskStatus)
from web.database import db
from web.labels import role_label
from web.temporal_bridge import TemporalUnavailable

log = logging.getLogger(__name__)

NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class TaskConflict(Exception):
    """The task cannot take this submission (HTTP 409). The message is for the person."""


def request_id_for(task_id: str, nonce: str) -> str:
    return f"{task_id}/{nonce}"


def complete_task(task: Task, actor: Actor, payload: dict, nonce: str) -> TaskOutcome:
    request_id = request_id_for(task.id, nonce)
    if task.status == TaskStatus.DONE:
        if task.completed_request_id == request_id:
            return _outcome_of(task)  # the same submission again: the first result stands
        raise TaskConflict(gettext("Already decided by %(name)s.", name=task.completed_by or "?"))
    if task.status == TaskStatus.EXPIRED:
        raise TaskConflict(gettext("This task expired before a decision was made."))
    if task.status not in ACTIVE_STATUSES:
        raise TaskConflict(gettext("This task is closed."))

    request = CompleteTaskInput(task.id, request_id, actor, payload)

    async def update(client: Client) -> TaskOutcome:
        handle = client.get_workflow_handle(task.workflow_id)
        return await handle.execute_update("complete_task", request, id=request_id,
                                           result_type=TaskOutcome)

    bridge = current_app.extensions["prm.temporal"]
    try:
        outcome = bridge.run(update)
    except WorkflowUpdateFailedError as exc:
        raise TaskConflict(explain_refusal(exc.cause)) from exc
    except RPCError as exc:
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise TaskConflict(gettext("This task is closed.")) from exc
        log.exception("complete_task %s: Temporal refused the update", task.id)
        raise TemporalUnavailable(str(exc)) from exc
    except TemporalUnavailable:
        log.exception("complete_task %s: Temporal unreachable", task.id)
        raise
    except (RPCTimeoutOrCancelledError, TimeoutError, OSError) as exc:
        log.exception("complete_task %s: Temporal did not answer", task.id)
        raise TemporalUnavailable(str(exc)) from exc
    _close_row(outcome)
    return outcome


def _close_row(outcome: TaskOutcome) -> None:
    """Temporal has the decision: close the row now, so the page the person lands on already
    shows it decided. The workflow's next activity writes the same close again (a no-op) with
    the stage the decision leads to; answering the update does not wait for that activity."""
    session = db()  # the request's own session: a second connection per request could starve the pool
    write_close(session, CloseTaskInput(outcome.task_id, TaskStatus.DONE, outcome))
    session.commit()


def _outcome_of(task: Task) -> TaskOutcome:
    return TaskOutcome(task_id=task.id, decision=task.decision or "completed",
                       decided_by=task.completed_by or "", request_id=task.completed_request_id or "",
                       decided_at=task.completed_at)


# The workflow's validator speaks English to logs; people read these, in their language.
_REASONS = (
    (re.compile(r"^already decided by (?P<name>.+)$"),
     lambda m: gettext("Already decided by %(name)s.", name=m["name"])),
    (re.compile(r"^this task is closed"), lambda m: gettext("This task is closed.")),
    (re.compile(r"^only the (?P<role>\S+) role may complete this task$"),
     lambda m: gettext("Only a %(role)s may complete this task.", role=role_label(m["role"]))),
    (re.compile(r"^this task belongs to another organisation$"),
     lambda m: gettext("This task belongs to another organisation.")),
    (re.compile(r"^only a staff task can be handed on$"),
     lambda m: gettext("Only a staff task can be handed on.")),
    (re.compile(r"^(?P<name>.+) does not have the (?P<role>\S+) role$"),
     lambda m: gettext("%(name)s is not a %(role)s.", name=m["name"], role=role_label(m["role"]))),
    # Issue 10: partner tasks assigned within an organisation, and managers' plan changes.
    (re.compile(r"^this task is assigned to someone else$"),
     lambda m: gettext("This task is assigned to someone else.")),
    (re.compile(r"^only a partner admin may assign this task to someone else$"),
     lambda m: gettext("Only a partner admin may assign this task to someone else.")),
    (re.compile(r"^a staff task stays with staff$"),
     lambda m: gettext("A staff task can only be handed on to staff.")),
    (re.compile(r"^only a channel manager may change a partner's plan$"),
     lambda m: gettext("Only a channel manager may change a partner's plan.")),
    (re.compile(r"^a waiver needs a reason$"), lambda m: gettext("Give a reason for the waiver.")),
    (re.compile(r"^the due date must be in the future$"),
     lambda m: gettext("The due date must be in the future.")),
    (re.compile(r"^the title must not be blank$"), lambda m: gettext("Give the task a title.")),
    (re.compile(r"^no open plan item "),
     lambda m: gettext("This plan item is done, waived or not part of the plan.")),
    (re.compile(r"^a partner on plan "),
     lambda m: gettext("A partner moves only to another version of its own plan.")),
    (re.compile(r"^the partner is on version (?P<version>\d+) already$"),
     lambda m: gettext("The partner is on version %(version)s already.", version=m["version"])),
)


def explain_refusal(cause: BaseException) -> str:
    """The workflow's refusal (a validator's English) as the person reads it."""
    message = str(getattr(cause, "message", "") or cause).strip()
    for pattern, say in _REASONS:
        found = pattern.match(message)
        if found:
            return say(found)
    return gettext("The task could not be completed: %(reason)s", reason=message)
