"""An organisation's people: its members, its pending invitations, and the one-admin rule.

A member is a user who has set a password (active or deactivated). A colleague invited but not
yet in has a user row without a password and an open invitation; withdrawing the invitation
deactivates that row, and inviting the address again takes it back (an address belongs to one
account, web/portal/team.py). Pages that let a partner choose a person of their organisation
(assign a task) use `team_members`.
"""

from __future__ import annotations

from dataclasses import dataclass
from sqlalchemy import select, true
from sqlalchemy.orm import Session, aliased

from db.models import Invitation, User, utcnow
from domain.roles import Role


def team_members(session: Session, org_id: str, admins_only: bool = False) -> list[User]:
    """The people of `org_id` who can sign in now (active, password set), by name: whom a task
    can be assigned to. admins_only: those with the partner_admin role."""
    users = session.scalars(select(User).where(
        User.org_id == org_id, User.active == true(), User.password_hash.is_not(None))
        .order_by(User.name, User.id)).all()
    return [u for u in users if not admins_only or Role.PARTNER_ADMIN in (u.roles or ())]


def members(session: Session, org_id: str) -> list[User]:
    """Everyone with an account in `org_id`, deactivated ones too (the team list)."""
    return list(session.scalars(select(User).where(
        User.org_id == org_id, User.password_hash.is_not(None)).order_by(User.name, User.id)))


@dataclass(frozen=True)
class PendingInvitation:
    invitation: Invitation
    user: User
    invited_by: str  # the admin's name; "" when the activation sent it

    @property
    def expired(self) -> bool:
        return self.invitation.expires_at <= utcnow()


def pending_invitations(session: Session, org_id: str) -> list[PendingInvitation]:
    """Per invited colleague, their latest link, neither used nor withdrawn (it may have
    expired: the admin can send a new one), newest first."""
    inviter = aliased(User)
    rows = session.execute(
        select(Invitation, User, inviter.name)
        .join(User, User.id == Invitation.user_id)
        .outerjoin(inviter, inviter.id == Invitation.invited_by_id)
        .where(User.org_id == org_id, User.password_hash.is_(None), User.active == true(),
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())).all()
    seen: set[int] = set()
    out = []
    for invitation, user, inviter_name in rows:
        if user.id not in seen:  # an older link of theirs was superseded by this one
            seen.add(user.id)
            out.append(PendingInvitation(invitation, user, inviter_name or ""))
    return out


def open_invitations(session: Session, user_id: int) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(
        Invitation.user_id == user_id, Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None))))


def lock_team(session: Session, org_id: str) -> None:
    """Hold the organisation's user rows until this transaction ends, so two admins changing
    the team at once take turns and each counts what the other left (SELECT ... FOR UPDATE on
    PostgreSQL, in id order so two lockers cannot deadlock). SQLite renders no FOR UPDATE: there
    the write itself serialises, which is why `admins_left` is read after the change is flushed."""
    session.execute(select(User.id).where(User.org_id == org_id).order_by(User.id)
                    .with_for_update()).all()


def admins_left(session: Session, org_id: str) -> int:
    """Active admins who can sign in, read from the database (columns, not the session's
    possibly stale objects), inside the caller's write transaction."""
    rows = session.execute(select(User.roles).where(
        User.org_id == org_id, User.active == true(), User.password_hash.is_not(None))).all()
    return sum(1 for (roles,) in rows if Role.PARTNER_ADMIN in (roles or ()))


def is_admin(user: User) -> bool:
    return Role.PARTNER_ADMIN in (user.roles or ())


def role_of(user: User) -> str:
    """A partner's one role, as the team page shows and changes it."""
    return Role.PARTNER_ADMIN.value if is_admin(user) else Role.PARTNER_USER.value

