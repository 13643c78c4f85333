"""Who of a partner organisation hears about its work, and which manager looks after it.

Partner people get mail straight from the outbox (their portal shows their tasks; staff
notification rows and preferences are for staff, activities/notifications.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from activities.notifications import staff_with_role
from activities.outbox import Recipient
from db.channel_manager import channel_manager_of
from db.models import User
from domain.roles import Role, may_act_as


def partner_users(session: Session, org_id: str, role: str | None = None) -> list[User]:
    """The organisation's active users, only those with `role` when given (admins)."""
    users = session.scalars(select(User).where(User.org_id == org_id, User.active.is_(True))
                            .order_by(User.id)).all()
    return [u for u in users if role is None or may_act_as(u.roles or [], role)]


def partner_user(session: Session, org_id: str, user_id: int | None) -> User | None:
    """The person, if they are still an active user of this organisation."""
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.active and user.org_id == org_id else None


def managers_of(session: Session, org_id: str) -> list[User]:
    """The organisation's channel manager, else every channel manager (someone must hear)."""
    manager = channel_manager_of(session, org_id)
    return [manager] if manager is not None else staff_with_role(session, Role.CHANNEL_MANAGER)


def recipients(users: list[User]) -> list[Recipient]:
    return [Recipient(u.email, u.locale, u.time_zone) for u in users]
