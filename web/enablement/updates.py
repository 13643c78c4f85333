"""A manager's change to one partner's plan, as an Update to its EnablementWorkflow.

add_task, waive_task, move_due_date and move_to_plan_version each go through `send`: the update
id is derived from the workflow, the action and the form's nonce (a resent form is the same
update, and Temporal answers it with the first result), the validator's refusal comes back as
PlanRefused (HTTP 409, in the reader's language), and an unreachable Temporal as
TemporalUnavailable (503). Nothing is written here: the workflow's next activity writes the plan
rows and the timeline line, as it does for every change.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext
from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from web.tasks import NONCE
from web.temporal_bridge import TemporalUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class PlanRefused(Exception):
    """The workflow's validator said no (HTTP 409). The message is for the person."""


def request_id(workflow_id: str, action: str, nonce: str) -> str:
    return f"{workflow_id}/{action}/{nonce}"


def send(workflow_id: str, update: str, build, nonce: str, result_type: type[T]) -> T:
    """`build(request_id)` makes the update's input (each message carries its request id)."""
    if not NONCE.match(nonce or ""):
        raise PlanRefused(gettext("This form is out of date. Reload the page and send it again."))
    rid = request_id(workflow_id, update, nonce)
    message = build(rid)

    async def call(client: Client) -> Any:
        return await client.get_workflow_handle(workflow_id).execute_update(
            update, message, id=rid, result_type=result_type)

    try:
        return current_app.extensions["prm.temporal"].run(call)
    except WorkflowUpdateFailedError as exc:
        raise PlanRefused(explain(exc.cause)) from exc
    except RPCError as exc:
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise PlanRefused(gettext("This partner’s plan is not running.")) from exc
        log.exception("%s %s: Temporal refused the update", update, workflow_id)
        raise TemporalUnavailable(str(exc)) from exc
    except (RPCTimeoutOrCancelledError, TimeoutError, OSError) as exc:
        log.exception("%s %s: Temporal did not answer", update, workflow_id)
        raise TemporalUnavailable(str(exc)) from exc


# The validators' English (workflows/enablement.py), as the person reads it.
_REASONS = (
    (re.compile(r"channel.manager", re.I),
     lambda m: gettext("Only a channel manager may change a partner’s plan.")),
    (re.compile(r"(unknown|no such|no open|not an open|closed|already (done|waived)).*(item|task)|"
                r"(item|task).*(unknown|not open|closed|done|waived)", re.I),
     lambda m: gettext("That task is not open any more: the plan has moved on. Reload the page.")),
    (re.compile(r"future|in the past", re.I),
     lambda m: gettext("Choose a due date in the future.")),
    (re.compile(r"reason", re.I), lambda m: gettext("Say why.")),
    (re.compile(r"title.*blank", re.I), lambda m: gettext("Name the task.")),
    (re.compile(r"unknown stage", re.I),
     lambda m: gettext("That stage is not in the partner’s plan. Reload the page.")),
    (re.compile(r"version", re.I),
     lambda m: gettext("The partner is on that version already, or it is not a version of "
                       "their plan.")),
)


def explain(cause: BaseException | None) -> str:
    message = str(getattr(cause, "message", "") or cause or "").strip()
    for pattern, say in _REASONS:
        found = pattern.search(message)
        if found:
            return say(found)
    return gettext("The plan could not be changed: %(reason)s", reason=message)
