"""Password reset by email (every user, partner or staff) and a signed-in person's password change.

The forgot-password page answers the same words, with the same status, after about the same time
(ANSWER_FLOOR_S) whether or not the address has an account, so it tells nobody who is a user.
A reset link is single use and expires after RESET_LIFETIME; its token is HMAC(secret,
password_reset:key) and the database keeps its SHA-256 only (domain/tokens.py). A reset or a
change ends the user's other sessions (web.auth.end_sessions) and signs this browser in.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from db.models import PasswordReset, User, utcnow
from domain.accounts import PASSWORD_RESET_PURPOSE, AccountMailInput, LinkSpec
from domain.tokens import link_token, token_hash
from web.account_mail import send_account_mail
from web.auth import bp, end_sessions, sign_in
from web.auth_forms import ChangePasswordForm, ForgotPasswordForm, SetPasswordForm
from web.database import db
from web.passwords import hash_password, verify_password
from web.urls import home_for

log = logging.getLogger(__name__)

RESET_LIFETIME = timedelta(hours=1)
RESET_PATH = "/reset-password/"
# The forgot-password answer waits until this long after the request came in, whichever path it
# took: looking up, writing the link and handing its mail to Temporal takes well under it.
ANSWER_FLOOR_S = 0.4


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form), \
            400 if form.is_submitted() else 200
    started = time.monotonic()
    s = db()
    user = s.scalar(select(User).where(func.lower(User.email) == form.email.data.lower(),
                                       User.active.is_(True)))
    if user is not None:
        try:
            send_account_mail(_reset_mail(user, _issue_reset(user)))
            s.commit()
        except Exception:  # the same answer still: a different one would tell who has an account
            s.rollback()
            log.exception("could not send a password reset link to user %s", user.id)
    floor = current_app.config.get("PASSWORD_RESET_ANSWER_FLOOR_S", ANSWER_FLOOR_S)
    time.sleep(max(0.0, floor - (time.monotonic() - started)))
    return render_template("auth/reset_sent.html", email=form.email.data)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    s = db()
    reset = s.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    user = s.get(User, reset.user_id) if reset is not None else None
    problem = _reset_problem(reset, user)
    if problem:
        return render_template("auth/link_problem.html", **problem), problem["code"]
    form = SetPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/reset_password.html", form=form, user=user), \
            400 if form.is_submitted() else 200
    used = s.execute(update(PasswordReset).where(PasswordReset.id == reset.id,
                                                 PasswordReset.used_at.is_(None))
                     .values(used_at=utcnow()))
    if used.rowcount != 1:  # a double submit: the first one changed the password
        s.rollback()
        problem = _reset_problem(reset, user, used=True)
        return render_template("auth/link_problem.html", **problem), problem["code"]
    user.password_hash = hash_password(form.password.data)
    end_sessions(s, user)
    s.commit()
    sign_in(user)
    flash(gettext("Your password is changed and you are signed in. Any other device signed in "
                  "to your account has been signed out."), "success")
    return redirect(home_for(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/change_password.html", form=form), \
            400 if form.is_submitted() else 200
    s = db()
    user = s.get(User, current_user.id)
    if not verify_password(user.password_hash, form.current.data):
        form.current.errors = [gettext("That is not your current password.")]
        return render_template("auth/change_password.html", form=form), 400
    user.password_hash = hash_password(form.password.data)
    end_sessions(s, user)
    s.commit()
    sign_in(user)  # this browser goes on, in a new session under the new epoch
    flash(gettext("Your password is changed. Any other device signed in to your account has "
                  "been signed out."), "success")
    return redirect(home_for(current_user))


def _issue_reset(user: User) -> PasswordReset:
    """A new link; an older one still open is superseded, so only the latest mailed works."""
    s = db()
    now = utcnow()
    s.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                          PasswordReset.used_at.is_(None),
                                          PasswordReset.expires_at > now).values(expires_at=now))
    key = f"reset/{user.id}/{secrets.token_urlsafe(12)}"
    token = link_token(current_app.config["SECRET_KEY"], PASSWORD_RESET_PURPOSE, key)
    reset = PasswordReset(key=key, token_hash=token_hash(token), user_id=user.id,
                          expires_at=now + RESET_LIFETIME, created_at=now)
    s.add(reset)
    s.flush()
    return reset


def _reset_mail(user: User, reset: PasswordReset) -> AccountMailInput:
    return AccountMailInput(
        key=f"password-reset/{reset.key}", to=user.email, template="password_reset",
        locale=user.locale,
        context={"name": user.name, "minutes": int(RESET_LIFETIME.total_seconds() // 60)},
        link=LinkSpec(PASSWORD_RESET_PURPOSE, reset.key, RESET_PATH))


def _reset_problem(reset: PasswordReset | None, user: User | None, used: bool = False) -> dict | None:
    again = url_for("auth.forgot_password")
    if used or (reset is not None and reset.used_at is not None):
        return {"code": 410, "title": gettext("This link has already been used"),
                "message": gettext("Each reset link changes a password once. If that was you, "
                                   "sign in with the new password; otherwise ask for a new link."),
                "again": again}
    if reset is None or user is None or not user.active:
        return {"code": 404, "title": gettext("This link is not valid"),
                "message": gettext("Check that the whole link from the email was copied."),
                "again": again}
    if reset.expires_at <= utcnow():
        return {"code": 410, "title": gettext("This link has expired"),
                "message": gettext("For your security, reset links work for one hour. Ask for a "
                                   "new one."),
                "again": again}
    return None

