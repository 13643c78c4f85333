"""Who is an organisation's channel manager: the one staff user a partner turns to.

ONE function answers it for every page (the portal's home today). The organisation has no column
for it yet (channel_manager_user_id comes with the ownership work): until then the answer is
derived from the organisation's staff tasks, the latest first: the person who decided it, else the
person holding it. When the column lands, read it here first and keep the derivation as the
fallback for organisations that were never assigned.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Task, User
from domain.roles import STAFF_ROLES, effective_roles

# Enough of the latest staff tasks to get past decisions the process made itself ("system").
_TASKS_LOOKED_AT = 10


def channel_manager_of(session: Session, org_id: str) -> User | None:
    """The active staff user who looks after `org_id`, or None while nobody has (a review still
    unclaimed in the group's queue)."""
    latest = session.scalars(
        select(Task).where(Task.org_id == org_id, Task.assignee_role.is_not(None),
                           or_(Task.completed_by.is_not(None), Task.claimed_by_id.is_not(None)))
        .order_by(func.coalesce(Task.completed_at, Task.created_at).desc(), Task.id.desc())
        .limit(_TASKS_LOOKED_AT))
    for task in latest:
        person = _decider(session, task) or task.claimed_by
        if person is not None and _is_active_staff(person):
            return person
    return None


def _decider(session: Session, task: Task) -> User | None:
    """A decision records the decider's name only: the staff user of that name, when exactly one
    has it (a name two people share names nobody; "system (review deadline)" names no user)."""
    if not task.completed_by:
        return None
    named = [u for u in session.scalars(select(User).where(User.name == task.completed_by,
                                                           User.org_id.is_(None)).limit(2))]
    return named[0] if len(named) == 1 else None


def _is_active_staff(user: User) -> bool:
    return user.active and user.org_id is None and bool(effective_roles(user.roles) & STAFF_ROLES)
