"""The inbox reads task rows from the app database only: never a fan-out to Temporal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from db.models import Organisation, Task, User
from domain.tasks import ACTIVE_STATUSES, TaskStatus
from web.security import CurrentUser

TABS = ("mine", "groups", "unassigned")
PAGE_SIZE = 200


@dataclass(frozen=True)
class InboxFilter:
    tab: str = "groups"
    task_type: str = ""
    partner: str = ""


def _visible(user: CurrentUser, tab: str):
    """Conditions for one tab: staff tasks of my groups (claimed by me, by anyone, or nobody)."""
    mine = Task.assignee_role.in_(sorted(user.effective_roles))
    conditions = [Task.status.in_([s.value for s in ACTIVE_STATUSES]), Task.assignee_role.is_not(None)]
    if tab == "mine":
        conditions.append(Task.claimed_by_id == user.id)
    elif tab == "unassigned":
        conditions += [mine, Task.claimed_by_id.is_(None)]
    else:
        conditions.append(mine)
    return conditions


def inbox_tasks(session: Session, user: CurrentUser, flt: InboxFilter) -> list[Task]:
    now = datetime.now(timezone.utc)
    query = select(Task).join(Organisation, Organisation.id == Task.org_id).where(*_visible(user, flt.tab))
    if flt.task_type:
        query = query.where(Task.task_type == flt.task_type)
    if flt.partner:
        escaped = flt.partner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(or_(Organisation.name.ilike(f"%{escaped}%", escape="\\"),
                                Organisation.reference == flt.partner.strip().upper()))
    overdue_first = case((Task.due_at < now, 0), else_=1)
    return list(session.scalars(query.order_by(overdue_first, Task.due_at, Task.created_at)
                                .limit(PAGE_SIZE)))


def tab_counts(session: Session, user: CurrentUser) -> dict[str, int]:
    return {tab: session.scalar(select(func.count()).select_from(Task).where(*_visible(user, tab)))
            for tab in TABS}


def task_types(session: Session, user: CurrentUser) -> list[str]:
    return list(session.scalars(select(Task.task_type).where(*_visible(user, "groups"))
                                .distinct().order_by(Task.task_type)))


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


def holder_name(session: Session, task: Task) -> str:
    user = session.get(User, task.claimed_by_id) if task.claimed_by_id else None
    return user.name if user else ""
