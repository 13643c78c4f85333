"""Who is an organisation's channel manager: the one staff user a partner turns to.

ONE function answers it for every page that shows a partner their manager (the portal's home),
and it reads what the partners directory shows: the organisation's owner, written when a staff
step opens for its owner, when a staff decision closes and on a hand-on (activities/tasks.py,
db/task_rows.py; migration 0012 named it for organisations that existed before).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import Organisation, User
from domain.roles import STAFF_ROLES, effective_roles


def channel_manager_of(session: Session, org_id: str) -> User | None:
    """The active staff user who looks after `org_id`, or None while nobody has (a first review
    still unclaimed in the group's queue) or when they have left."""
    org = session.get(Organisation, org_id)
    person = org.channel_manager if org is not None else None
    return person if person is not None and _is_active_staff(person) else None


def _is_active_staff(user: User) -> bool:
    return user.active and user.org_id is None and bool(effective_roles(user.roles) & STAFF_ROLES)
