"""Human-task messages: what a workflow opens, and what a person's decision carries back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class TaskStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"
    EXPIRED = "expired"


ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED)


@dataclass(frozen=True)
class Actor:
    """Who acts, as the web app vouches for them (roles checked again by the update validator)."""
    name: str
    roles: tuple[str, ...] = ()
    user_id: int | None = None
    org_id: str | None = None
    email: str = ""
    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    workflow_id: str
    task_type: str               # review_application, edit_application, sign_agreement, countersign
    form: str                    # form schema name with version, e.g. "review_decision.v1"
    title: str
    org_id: str                  # the partner organisation the task is about
    due_at: datetime
    assignee_role: str | None = None     # staff tasks: the group that may claim it
    # Staff tasks with an owner (the manager who decided the step before, or was handed it): it
    # opens held by them, and its group (assignee_role) sees it only once it is escalated.
    assignee_user_id: int | None = None
    assignee_org_id: str | None = None   # partner tasks: the organisation that owns it
    # Partner tasks (issue 10): "partner_admin" keeps it to the organisation's admins; None lets
    # anyone of the organisation act. A partner task's assignee_user_id is the one person of the
    # organisation it was assigned to (or who claimed it): then only they may complete it.
    assignee_partner_role: str | None = None
    assignee_email: str | None = None    # partner tasks before portal access: emailed link
    context: dict[str, Any] = field(default_factory=dict)
    # The decisions its form offers ("approve", "reject", ...): the update's validator refuses any
    # other. Empty for forms that just complete (signatures, edits): they carry no decision.
    decisions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompleteTaskInput:
    task_id: str
    request_id: str              # derived from task id + form nonce: a double submit repeats it
    actor: Actor
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HandOnInput:
    """The holder of a staff step gives it, and the steps after it, to a colleague; or (issue 10,
    `to_org_id` set) a partner admin assigns a partner task to a person of the organisation, or a
    partner user claims one (to_user_id is their own)."""
    task_id: str
    request_id: str              # a resent form repeats it: the first hand-on stands
    actor: Actor                 # who hands it on
    to_user_id: int
    to_name: str
    to_roles: tuple[str, ...]    # as the web app vouches for them; the validator checks the role
    to_org_id: str | None = None  # a partner task: the organisation of the person it goes to


@dataclass(frozen=True)
class HandOnResult:
    task_id: str
    owner_id: int
    owner_name: str


@dataclass(frozen=True)
class TaskOutcome:
    task_id: str
    decision: str
    decided_by: str
    request_id: str
    decided_at: datetime | None = None
    decided_by_id: int | None = None     # the person's user id (staff decisions name the owner)


@dataclass(frozen=True)
class CloseTaskInput:
    task_id: str
    status: TaskStatus
    outcome: TaskOutcome | None = None
    note: str = ""


@dataclass(frozen=True)
class TaskCheckpointInput:
    """A reminder, an escalation or a fallback reached on an open task."""
    task_id: str
    kind: str
    label: str
    number: int = 1                      # the n-th reminder, so a retry does not count twice
    escalate_to_role: str | None = None
    new_due_at: datetime | None = None
