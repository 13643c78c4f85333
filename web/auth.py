"""Sign in, sign out, set a password from an invitation link, and renew an expired invitation.

Sign-in starts a fresh session (nothing from before survives but the language) and records it as
a LoginSession row under the user's session epoch; sign-out deletes the row, so a copied cookie
stops working as well, and a password change or reset moves the epoch on (end_sessions), which
ends every other browser's session. Password reset and change: web/password_reset.py.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from db.models import Invitation, LoginSession, Organisation, User, utcnow
from domain.accounts import (INVITATION_PURPOSE, AccountMailInput, LinkSpec, welcome_mail_key)
from domain.tokens import link_token, token_hash
from web.account_mail import send_account_mail
from web.auth_forms import LoginForm, SetPasswordForm
from web.database import db
from web.i18n import browser_language
from web.limits import breach_page
from web.passwords import hash_password, needs_rehash, spend_verify_time, verify_password
from web.security import CurrentUser
from web.urls import home_for

bp = Blueprint("auth", __name__)

SET_PASSWORD_PATH = "/set-password/"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    s = db()
    user = s.scalar(select(User).where(func.lower(User.email) == form.email.data.lower()))
    if user is None:
        spend_verify_time(form.password.data)
    elif user.active and verify_password(user.password_hash, form.password.data):
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(form.password.data)
        sign_in(user)
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    g.sign_in_failed = True  # counted per account and per address (web/limits.py)
    return render_template("auth/login.html", form=form,
                           problem=gettext("Wrong email or password.")), 400


@breach_page("auth.login")
def _login_blocked(wait: str):
    problem = gettext("Too many failed sign-ins for this account or from your network. Try again "
                      "in %(wait)s, or reset your password to sign in now.", wait=wait)
    return render_template("auth/login.html", form=LoginForm(), problem=problem), 429


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        s = db()
        s.execute(delete(LoginSession).where(LoginSession.id == current_user.login_session_id))
        s.commit()
    _fresh_session(logout_user)
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("public.landing"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    s = db()
    invitation = s.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    problem = _link_problem(invitation)
    if problem:
        return render_template("auth/link_problem.html", token=token, **problem), problem["code"]
    form = SetPasswordForm()
    user = s.get(User, invitation.user_id)
    if not form.validate_on_submit():
        return render_template("auth/set_password.html", form=form, user=user), \
            400 if form.is_submitted() else 200
    # Single use even under a double click: only one request flips used_at from NULL.
    # Nor can a revoke (web/portal/team.py) and a set-password both win.
    used = s.execute(update(Invitation).where(Invitation.id == invitation.id,
                                              Invitation.used_at.is_(None),
                                              Invitation.revoked_at.is_(None))
                     .values(used_at=utcnow()))
    if used.rowcount != 1:
        s.rollback()
        s.expire(invitation)
        problem = _link_problem(s.get(Invitation, invitation.id), used=True)
        return render_template("auth/link_problem.html", **problem), problem["code"]
    user.password_hash = hash_password(form.password.data)
    end_sessions(s, user)
    # Handed to the worker before the commit: when Temporal is away the page says so (503) and
    # the link still works, instead of a password set without its welcome.
    if user.org_id is not None:
        send_account_mail(_welcome_mail(s, user))
    s.commit()
    sign_in(user)
    flash(gettext("Your password is set and you are signed in."), "success")
    return redirect(home_for(current_user))


@bp.post("/set-password/<token>/renew")
def renew_invitation(token: str):
    """An expired invitation's page offers a new link: a fresh single-use invitation for the same
    person, mailed to the address the old one went to. The old link stays dead."""
    s = db()
    invitation = s.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    if (invitation is not None and invitation.used_at is None and invitation.revoked_at is None
            and invitation.expires_at > utcnow()):
        return redirect(url_for("auth.set_password", token=token))  # it still works: use it
    user = s.get(User, invitation.user_id) if invitation is not None else None
    if user is None or invitation.used_at is not None or invitation.revoked_at is not None:
        problem = _link_problem(invitation)
        return render_template("auth/link_problem.html", **problem), problem["code"]
    if not user.active:  # a deactivated account gets no new link, from here or anywhere
        return render_template("auth/link_problem.html", code=410,
                               title=gettext("This link has expired"),
                               message=gettext("Ask your channel manager for a new invitation.")), 410
    fresh = issue_invitation(s, user, lifetime=invitation.expires_at - invitation.created_at,
                             invited_by_id=invitation.invited_by_id)
    send_account_mail(invitation_mail(s, user, fresh))
    s.commit()
    return render_template("auth/link_sent.html", expires=fresh.expires_at)


def issue_invitation(s: Session, user: User, lifetime: timedelta,
                     invited_by_id: int | None = None) -> Invitation:
    """A new set-password link for `user`; any other one still open is superseded (expired now),
    so only the latest link mailed works. `invited_by_id`: the partner admin who sent it (a
    colleague's invitation, web/portal/team.py); its renewal keeps naming them."""
    now = utcnow()
    s.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None),
                                       Invitation.expires_at > now).values(expires_at=now))
    key = f"{'team' if invited_by_id else 'renewal'}/{user.id}/{secrets.token_urlsafe(12)}"
    token = link_token(_secret(), INVITATION_PURPOSE, key)
    fresh = Invitation(key=key, token_hash=token_hash(token), user_id=user.id,
                       expires_at=now + max(lifetime, timedelta(days=1)), created_at=now,
                       invited_by_id=invited_by_id)
    s.add(fresh)
    s.flush()
    return fresh


def invitation_mail(s: Session, user: User, invitation: Invitation) -> AccountMailInput:
    """The set-password mail; a colleague's invitation says who sent it ("invited_by")."""
    inviter = s.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    return AccountMailInput(
        key=f"invitation/{invitation.key}", to=user.email, template="partner_invitation",
        locale=user.locale, time_zone=user.time_zone,
        context={"contact_name": user.name, "company": _company(s, user),
                 "expires": invitation.expires_at.isoformat(),
                 "invited_by": inviter.name if inviter is not None else ""},
        link=LinkSpec(INVITATION_PURPOSE, invitation.key, SET_PASSWORD_PATH))


def _welcome_mail(s: Session, user: User) -> AccountMailInput:
    base_url = current_app.extensions["prm.settings"].base_url
    return AccountMailInput(
        key=welcome_mail_key(user.id, user.created_at), to=user.email, template="account_welcome",
        locale=user.locale,
        context={"contact_name": user.name, "company": _company(s, user),
                 "portal": f"{base_url}/portal/"})


def _company(s: Session, user: User) -> str:
    org = s.get(Organisation, user.org_id) if user.org_id else None
    return org.name if org is not None else ""


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def end_sessions(s: Session, user: User) -> None:
    """Every session of `user` ends (the caller signs the present browser in again): the epoch
    is what load_user checks; the rows go too, so nothing stale is left to read."""
    user.session_epoch = (user.session_epoch or 0) + 1
    s.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def sign_in(user: User) -> None:
    record = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id,
                          session_epoch=user.session_epoch or 0,
                          ip=(request.remote_addr or "")[:64],
                          user_agent=(request.user_agent.string or "")[:500])
    s = db()
    s.add(record)
    user.last_login_at = utcnow()
    if not user.locale_chosen and user.org_id is None:
        # Staff who have not picked a language read the browser's: their mail does too.
        user.locale = browser_language() or user.locale
    s.commit()
    _fresh_session(lambda: login_user(CurrentUser.of(user, record.id)))


def _fresh_session(then) -> None:
    """Drop everything in the session (CSRF token included) but the chosen language."""
    lang = session.get("lang")
    session.clear()
    then()
    if lang:
        session["lang"] = lang


def _link_problem(invitation: Invitation | None, used: bool = False) -> dict | None:
    if invitation is not None and invitation.revoked_at is not None and invitation.used_at is None:
        return {"code": 410, "title": gettext("This invitation was withdrawn"),
                "message": gettext("An administrator of your organisation took this invitation "
                                   "back. If you should have access, ask them to invite you "
                                   "again.")}
    if used or (invitation is not None and invitation.used_at is not None):
        return {"code": 410, "title": gettext("This link has already been used"),
                "message": gettext("Each link sets a password once. If that was you, sign in; "
                                   "otherwise ask your channel manager for a new invitation.")}
    if invitation is None:
        return {"code": 404, "title": gettext("This link is not valid"),
                "message": gettext("Check that the whole link from the email was copied.")}
    if invitation.expires_at <= utcnow():
        return {"code": 410, "title": gettext("This link has expired"),
                "message": gettext("For your security, invitation links expire. We can send a "
                                   "new link to the email address this one went to."),
                "renew": True}
    return None


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


from web import account_settings, password_reset  # noqa: E402,F401  (their views join this blueprint)
