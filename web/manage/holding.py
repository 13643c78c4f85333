"""Who holds a staff task: claim, unassign, and why one of them did not happen.

Claiming and giving back are the app's own business (the task row's claimed_by), not the
workflow's: the workflow's validator checks the role when a decision arrives. Each change is one
conditional UPDATE, so two managers pressing at once cannot both win; the loser is told who was
first. A bulk claim runs the same function once per task (web/manage/bulk.py). Giving a task to
a colleague is different: the workflow must learn its new owner (web/hand_on.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import Task, User
from domain.roles import may_act_as
from domain.tasks import ACTIVE_STATUSES, TaskStatus
from web.security import CurrentUser

_ACTIVE = [s.value for s in ACTIVE_STATUSES]


def claim(session: Session, task_id: str, user: CurrentUser) -> bool:
    """Atomic: only an open, unclaimed task of my groups becomes mine. False if someone was first."""
    result = session.execute(update(Task).where(
        Task.id == task_id, Task.status == TaskStatus.OPEN.value, Task.claimed_by_id.is_(None),
        Task.assignee_role.in_(sorted(user.effective_roles)),
    ).values(status=TaskStatus.CLAIMED.value, claimed_by_id=user.id))
    session.commit()
    return result.rowcount == 1


def unassign(session: Session, task_id: str, user: CurrentUser) -> bool:
    """The holder may give a task back; a program lead may take it back from anyone."""
    condition = [Task.id == task_id, Task.status == TaskStatus.CLAIMED.value]
    if not user.has_role("program_lead"):
        condition.append(Task.claimed_by_id == user.id)
    result = session.execute(update(Task).where(*condition)
                             .values(status=TaskStatus.OPEN.value, claimed_by_id=None))
    session.commit()
    return result.rowcount == 1


@dataclass(frozen=True)
class Refusal:
    """Why a change to who holds a task did not happen. `reason`: not_yours (not a task of my
    groups, or none), closed, yours (I hold it already), held (by `holder`), nobody (nobody holds
    it); and for a hand-on (web/manage/bulk.py): cannot_take (the colleague `holder` may not take
    it), refused (the workflow said no: `said`), unreached (the workflow service did not answer)."""

    reason: str
    holder: str = ""
    said: str = ""


def refusal(session: Session, task_id: str, user: CurrentUser) -> Refusal:
    """Read after the UPDATE matched nothing: the row as it is now says why."""
    session.expire_all()
    task = session.get(Task, task_id)
    if task is None or not task.assignee_role or not may_act_as(user.roles, task.assignee_role):
        return Refusal("not_yours")
    if task.status not in _ACTIVE:
        return Refusal("closed")
    if task.claimed_by_id == user.id:
        return Refusal("yours")
    if task.claimed_by_id:
        return Refusal("held", holder_name(session, task))
    return Refusal("nobody")


def holder_name(session: Session, task: Task) -> str:
    user = session.get(User, task.claimed_by_id) if task.claimed_by_id else None
    return user.name if user else ""
