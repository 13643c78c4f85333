"""Staff notifications with each person's preference applied, where the mail is enqueued.

The workflows still ask for "tell this role": whom to mail, and how, is decided here, from the
database, inside the sending activity's transaction. So no workflow changes and every saved
history replays as before. Each staff member told gets a notification row (the header's count);
the mail goes now ("each"), waits for the daily digest ("digest", activities/digest.py) or not at
all ("none").

Idempotent like the outbox: the rows are keyed by the activity's key and the user, and the
delivery chosen on the first attempt is kept, so a retry sends exactly what the first one meant
to, even if the person changed their settings in between.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from activities.outbox import Outbox, Recipient
from db.models import Notification, NotificationPreference, Task, User, utcnow
from domain.notifications import Delivery, delivery_for, kind_of
from domain.roles import may_act_as


def staff_with_role(session: Session, role: str) -> list[User]:
    """Active staff who hold the role (a program lead also gets channel-manager mail)."""
    users = session.scalars(select(User).where(User.active.is_(True), User.org_id.is_(None))).all()
    return [u for u in users if may_act_as(u.roles, role)]


def notify_role(outbox: Outbox, session: Session, key: str, role: str, template: str,
                context: dict[str, Any], *, task: Task | None = None,
                org_id: str | None = None) -> list[str]:
    """Tell the role's members about `task` (or about the application `org_id`): a notification
    row each, and the outbox rows of those who want a mail for it now. Returns the outbox keys."""
    return notify_users(outbox, session, key, staff_with_role(session, role), template, context,
                        task=task, org_id=org_id)


def notify_users(outbox: Outbox, session: Session, key: str, members: list[User], template: str,
                 context: dict[str, Any], *, task: Task | None = None,
                 org_id: str | None = None) -> list[str]:
    """The same for chosen staff members (a task's owner alone, say). Returns the outbox keys."""
    deliveries = _record(session, key, members, template, context, task, org_id)
    now = [Recipient(u.email, u.locale, u.time_zone) for u in members if deliveries[u.id] == Delivery.EACH]
    if not now:
        return []
    return outbox.enqueue(session, key, now, template, context, org_id)


def _record(session: Session, key: str, members: list[User], template: str,
            context: dict[str, Any], task: Task | None, org_id: str | None) -> dict[int, str]:
    """Each member's notification row (written once), and the delivery it was given."""
    keys = {u.id: f"{key}/{u.id}" for u in members}
    kept = dict(session.execute(select(Notification.user_id, Notification.delivery)
                                .where(Notification.key.in_(keys.values()))).all())
    new = [u for u in members if u.id not in kept]
    if not new:
        return kept
    chosen: dict[int, dict[str, str]] = {}
    for user_id, kind, delivery in session.execute(select(
            NotificationPreference.user_id, NotificationPreference.kind,
            NotificationPreference.delivery).where(
            NotificationPreference.user_id.in_([u.id for u in new]))):
        chosen.setdefault(user_id, {})[kind] = delivery
    overdue = bool(context.get("overdue"))
    about = {"template": template, "org_id": task.org_id if task is not None else org_id,
             "task_id": task.id if task is not None else None,
             "task_type": task.task_type if task is not None else "",
             "company": str(context.get("company", ""))[:200],
             "reference": str(context.get("reference", ""))[:16],
             "title": (task.title if task is not None else "")[:300],
             "link": _link(task, org_id), "created_at": utcnow()}
    rows = []
    for user in new:
        kind = kind_of(template, overdue=overdue,
                       holds_task=task is not None and task.claimed_by_id == user.id)
        kept[user.id] = delivery_for(kind, chosen.get(user.id, {}))
        rows.append({**about, "key": keys[user.id], "user_id": user.id, "kind": kind,
                     "delivery": kept[user.id]})
    # Core, one executemany: a notice to a large group is a notice to every member.
    session.execute(insert(Notification.__table__), rows)
    return kept


def _link(task: Task | None, org_id: str | None) -> str:
    """Where the notification leads: the task, else the partner's page."""
    if task is not None:
        return f"/manage/tasks/{task.id}"
    return f"/manage/partners/{org_id}" if org_id else ""
