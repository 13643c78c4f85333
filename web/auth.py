"""Sign in, sign out, and set a password from an invitation link.

Sign-in starts a fresh session (nothing from before survives but the language) and records it as
a LoginSession row; sign-out deletes the row, so a copied cookie stops working as well.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, func, select, update

from db.models import Invitation, LoginSession, User, utcnow
from domain.tokens import token_hash
from web.auth_forms import LoginForm, SetPasswordForm
from web.database import db
from web.passwords import hash_password, needs_rehash, spend_verify_time, verify_password
from web.security import CurrentUser
from web.urls import home_for

bp = Blueprint("auth", __name__)


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
        return redirect(_safe_next(request.args.get("next")) or home_for(current_user))
    return render_template("auth/login.html", form=form,
                           problem=gettext("Wrong email or password.")), 400


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
        return render_template("auth/link_problem.html", **problem), problem["code"]
    form = SetPasswordForm()
    user = s.get(User, invitation.user_id)
    if not form.validate_on_submit():
        return render_template("auth/set_password.html", form=form, user=user), \
            400 if form.is_submitted() else 200
    # Single use even under a double click: only one request flips used_at from NULL.
    used = s.execute(update(Invitation).where(Invitation.id == invitation.id,
                                              Invitation.used_at.is_(None)).values(used_at=utcnow()))
    if used.rowcount != 1:
        s.rollback()
        problem = _link_problem(None, used=True)
        return render_template("auth/link_problem.html", **problem), problem["code"]
    user.password_hash = hash_password(form.password.data)
    user.session_epoch += 1
    s.execute(delete(LoginSession).where(LoginSession.user_id == user.id))  # old sessions end
    s.commit()
    sign_in(user)
    flash(gettext("Your password is set and you are signed in."), "success")
    return redirect(home_for(current_user))


def sign_in(user: User) -> None:
    record = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id,
                          ip=(request.remote_addr or "")[:64],
                          user_agent=(request.user_agent.string or "")[:500])
    s = db()
    s.add(record)
    user.last_login_at = utcnow()
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
    if used or (invitation is not None and invitation.used_at is not None):
        return {"code": 410, "title": gettext("This link has already been used"),
                "message": gettext("Each link sets a password once. If that was you, sign in; "
                                   "otherwise ask your channel manager for a new invitation.")}
    if invitation is None:
        return {"code": 404, "title": gettext("This link is not valid"),
                "message": gettext("Check that the whole link from the email was copied.")}
    if invitation.expires_at <= utcnow():
        return {"code": 410, "title": gettext("This link has expired"),
                "message": gettext("For your security, invitation links expire. Ask your channel "
                                   "manager to send a new one.")}
    return None


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
