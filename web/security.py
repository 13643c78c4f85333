"""Who is signed in, and what they may see. Roles come from domain.roles (one ladder for all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from flask import abort, current_app
from flask_login import LoginManager, UserMixin, current_user
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update

from db.models import LoginSession, User, utcnow
from domain.roles import PARTNER_ROLES, STAFF_ROLES, effective_roles
from web.database import db

# A signed-in browser's record is touched at most this often (one write per user per interval).
SEEN_RESOLUTION = timedelta(minutes=5)
# A browser that has not been seen for this long must sign in again.
IDLE_LIMIT = timedelta(days=14)


@dataclass(frozen=True, eq=False)
class CurrentUser(UserMixin):
    """A detached snapshot of the user for this request: safe to use after the DB session closes."""

    id: int
    login_session_id: str
    name: str
    email: str
    roles: tuple[str, ...]
    org_id: str | None
    locale: str
    locale_chosen: bool = False
    time_zone: str | None = None

    @classmethod
    def of(cls, user: User, login_session_id: str) -> "CurrentUser":
        return cls(user.id, login_session_id, user.name, user.email, tuple(user.roles or ()),
                   user.org_id, user.locale, bool(user.locale_chosen), user.time_zone)

    def get_id(self) -> str:
        return f"{self.id}:{self.login_session_id}"

    @property
    def effective_roles(self) -> frozenset[str]:
        return effective_roles(self.roles)

    def has_role(self, *roles: str) -> bool:
        return bool(self.effective_roles & set(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.effective_roles & STAFF_ROLES)

    @property
    def is_partner(self) -> bool:
        return bool(self.effective_roles & PARTNER_ROLES) and self.org_id is not None


def init_login(app) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = _l("Please sign in to see this page.")
    manager.login_message_category = "info"
    manager.user_loader(load_user)


# One query per request for who is signed in: the browser's LoginSession row and its user together,
# as plain columns (no ORM objects to build). Built once: this runs on every signed-in request.
_SIGNED_IN = (
    select(LoginSession.user_id, LoginSession.last_seen_at, LoginSession.session_epoch,
           User.session_epoch.label("user_epoch"), User.name, User.email, User.roles,
           User.org_id, User.locale, User.active, User.locale_chosen, User.time_zone)
    .join(User, User.id == LoginSession.user_id)
    .where(LoginSession.id == bindparam("login_session_id"))
)


def load_user(flask_login_id: str) -> CurrentUser | None:
    """Accept an id only while its LoginSession row exists (logout deletes it, so copies die too)
    and began under the user's current session epoch (a password change or reset moves it on, so
    every other browser's session ends at once, even one signing in at that very moment)."""
    user_id, _, login_session_id = (flask_login_id or "").partition(":")
    if not user_id.isdigit() or not login_session_id:
        return None
    session = db()
    row = session.execute(_SIGNED_IN, {"login_session_id": login_session_id}).first()
    if row is None or row.user_id != int(user_id):
        return None
    now = utcnow()
    if row.session_epoch != row.user_epoch or now - row.last_seen_at > IDLE_LIMIT:
        session.execute(delete(LoginSession).where(LoginSession.id == login_session_id))
        session.commit()
        return None
    if not row.active:
        return None
    if now - row.last_seen_at > SEEN_RESOLUTION:
        session.execute(update(LoginSession).where(LoginSession.id == login_session_id)
                        .values(last_seen_at=now))
        session.commit()
    return CurrentUser(row.user_id, login_session_id, row.name, row.email, tuple(row.roles or ()),
                       row.org_id, row.locale, bool(row.locale_chosen), row.time_zone)


def staff_or_not_found():
    """A blueprint's before_request for pages every staff role reads (the directory, the home):
    sign-in first; anyone else signed in, partners above all, is told the page does not exist
    (404), since a 403 would tell a partner that another organisation's page is there."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_staff:
        abort(404)
    return None


def roles_required(*roles: str):
    """Signed in with one of `roles` (program_lead counts as channel_manager). Else sign-in or 403.

    Returns None when allowed, so it also works on a blueprint's before_request hook.
    """
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate
