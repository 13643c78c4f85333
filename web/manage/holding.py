"""Who holds a staff task: claim, unassign, assign to a colleague, and why one of them did not happen.

Holding a task is the app's own business (the task row's claimed_by), not the workflow's: the
workflow's validator checks the role when a decision arrives. Each change is one conditional
UPDATE, so two managers pressing at once cannot both win; the loser is told who was first.
A bulk action runs these same functions once per task (web/manage/bulk.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from db.models import Task, User
from domain.roles import effective_roles, may_act_as
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
class Colleague:
    id: int
    name: str
    roles: tuple[str, ...]


def assign(session: Session, task_id: str, user: CurrentUser, colleague: Colleague) -> bool:
    """Atomic: an open task of my groups, which the colleague's roles may take, becomes theirs.
    I may hand on what nobody holds or what I hold; a program lead, what anyone holds (as with
    unassign)."""
    condition = [Task.id == task_id, Task.status.in_(_ACTIVE),
                 Task.assignee_role.in_(sorted(user.effective_roles)),
                 Task.assignee_role.in_(sorted(effective_roles(colleague.roles)))]
    if not user.has_role("program_lead"):
        condition.append(or_(Task.claimed_by_id.is_(None), Task.claimed_by_id == user.id))
    result = session.execute(update(Task).where(*condition).values(
        status=TaskStatus.CLAIMED.value, claimed_by_id=colleague.id))
    session.commit()
    return result.rowcount == 1


def colleagues(session: Session, user: CurrentUser, task_roles: set[str]) -> list[Colleague]:
    """Active staff, other than me, who may take a task of one of `task_roles`, by name.
    (Staff are few: their roles, a JSON list, are read here rather than matched in SQL.)"""
    found = session.execute(select(User.id, User.name, User.roles)
                            .where(User.org_id.is_(None), User.active.is_(True), User.id != user.id)
                            .order_by(User.name, User.id))
    return [Colleague(r.id, r.name, tuple(r.roles or ())) for r in found
            if any(may_act_as(r.roles or (), role) for role in task_roles)]


def colleague_by_id(session: Session, user: CurrentUser, user_id: str) -> Colleague | None:
    """The colleague a POST names, if they are one (active staff, not me)."""
    if not user_id.isdigit():
        return None
    row = session.get(User, int(user_id))
    if row is None or row.org_id is not None or not row.active or row.id == user.id:
        return None
    return Colleague(row.id, row.name, tuple(row.roles or ()))


@dataclass(frozen=True)
class Refusal:
    """Why a change to who holds a task did not happen. `reason`: not_yours (not a task of my
    groups, or none), closed, yours (I hold it already), held (by `holder`), nobody (nobody holds
    it), cannot_take (the colleague's roles may not take it)."""

    reason: str
    holder: str = ""


def refusal(session: Session, task_id: str, user: CurrentUser,
            colleague: Colleague | None = None) -> Refusal:
    """Read after the UPDATE matched nothing: the row as it is now says why."""
    session.expire_all()
    task = session.get(Task, task_id)
    if task is None or not task.assignee_role or not may_act_as(user.roles, task.assignee_role):
        return Refusal("not_yours")
    if task.status not in _ACTIVE:
        return Refusal("closed")
    if colleague is not None and not may_act_as(colleague.roles, task.assignee_role):
        return Refusal("cannot_take", colleague.name)
    if task.claimed_by_id == user.id:
        return Refusal("yours")
    if task.claimed_by_id:
        return Refusal("held", holder_name(session, task))
    return Refusal("nobody")


def holder_name(session: Session, task: Task) -> str:
    user = session.get(User, task.claimed_by_id) if task.claimed_by_id else None
    return user.name if user else ""
