"""The portal's team page: who in the organisation has access, and who is invited.

A partner admin invites a colleague (the same single-use, expiring set-password link activation
mails: web/auth.py issue_invitation and invitation_mail, sent by the account-mail workflow),
sends a new link or withdraws an invitation, changes a role, deactivates and reactivates a
user. A partner user reads the page; their POSTs are refused (403). Every id is checked
against the signed-in user's organisation (404 otherwise). An organisation keeps one active
admin at least: the check runs inside the write's transaction, after the team is locked
(db/team.py), so two admins demoting each other at once cannot both succeed. Each change is a
line on the organisation's timeline, with who made it.
"""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, logout_user
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from db.models import Invitation, Organisation, TimelineEvent, User, utcnow
from db.team import (admins_left, lock_team, members, open_invitations, pending_invitations,
                     role_of)
from definitions.loader import load_program
from domain import team_notes as notes
from domain.roles import PARTNER_ROLES, Role
from web.account_mail import send_account_mail
from web.auth import end_sessions, invitation_mail, issue_invitation
from web.database import db
from web.labels import role_label
from web.limits import breach_page
from web.portal import bp, my_org
from web.portal.team_forms import InviteForm, role_choices


def _page(form: InviteForm | None = None, problem: str | None = None, status: int = 200):
    org, s = my_org(), db()
    return render_template(
        "portal/team.html", org=org, form=form or InviteForm(formdata=None), problem=problem,
        members=members(s, org.id), invitations=pending_invitations(s, org.id),
        roles=role_choices(), may_manage=current_user.has_role(Role.PARTNER_ADMIN)), status


@bp.get("/team")
def team():
    return _page()


def _admin_org() -> Organisation:
    if not current_user.has_role(Role.PARTNER_ADMIN):
        abort(403, gettext("Only your organisation's administrators can change the team."))
    return my_org()


def _member(org: Organisation, user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None or user.org_id != org.id or user.password_hash is None:
        abort(404)
    return user


def _record(org: Organisation, action: str, note: str) -> None:
    db().add(TimelineEvent(key=f"team/{org.id}/{action}/{secrets.token_hex(8)}", org_id=org.id,
                           action=action, note=note, actor=current_user.name))


def _last_admin_refused():
    db().rollback()
    return _page(problem=gettext(
        "Your organisation needs at least one active administrator. Make another colleague an "
        "administrator first."), status=409)


def _taken(user: User | None, org: Organisation) -> str | None:
    """Why this address cannot be invited, or None (a new address, or a withdrawn invitation
    of this organisation's, whose account row is taken back)."""
    if user is None:
        return None
    if user.org_id != org.id:
        return gettext("This email address already has an account. An account belongs to one "
                       "organisation only: ask your colleague for another address.")
    if user.password_hash is not None:
        return gettext("%(name)s already has an account in your team.", name=user.name)
    if user.active:
        return gettext("This colleague is already invited: send a new link from the list of "
                       "invitations instead.")
    return None


def _invite(org: Organisation, form: InviteForm):
    s = db()
    email, role = form.email.data.lower(), form.role.data
    user = s.scalar(select(User).where(func.lower(User.email) == email))
    problem = _taken(user, org)
    if problem:
        form.email.errors.append(problem)
        return _page(form, status=400)
    if user is None:
        user = User(email=email, org_id=org.id)
        s.add(user)
    user.name, user.roles, user.locale, user.active = form.name.data, [role], form.language.data, True
    try:
        s.flush()
    except IntegrityError:  # another admin invited the same address a moment ago
        s.rollback()
        form.email.errors.append(gettext("This colleague is already invited: send a new link "
                                         "from the list of invitations instead."))
        return _page(form, status=400)
    invitation = issue_invitation(s, user, load_program().invitation_ttl,
                                  invited_by_id=current_user.id)
    _record(org, notes.TEAM_INVITED, notes.INVITED.format(name=user.name, email=email, role=role))
    send_account_mail(invitation_mail(s, user, invitation))  # before the commit, as web/auth.py
    s.commit()
    flash(gettext("Invitation sent to %(email)s.", email=email), "success")
    return redirect(url_for("portal.team"))


@bp.post("/team/invite")
def team_invite():
    org = _admin_org()
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    return _invite(org, form)


@breach_page("portal.team_invite")
def _too_many_invitations(wait: str):
    return _page(InviteForm(), problem=gettext(
        "Your organisation has sent many invitations in the last hour. Try again in %(wait)s.",
        wait=wait), status=429)


def _pending(org: Organisation, invitation_id: int) -> Invitation:
    invitation = db().get(Invitation, invitation_id)
    if invitation is None or invitation.user.org_id != org.id:
        abort(404)
    if (invitation.used_at or invitation.revoked_at or invitation.user.password_hash
            or not invitation.user.active):
        abort(409, gettext("This invitation is no longer pending: it was accepted or withdrawn."))
    return invitation


@bp.post("/team/invitations/<int:invitation_id>/resend")
def team_resend(invitation_id: int):
    """A new link; the one sent before is dead from now (issue_invitation supersedes it)."""
    org, s = _admin_org(), db()
    user = _pending(org, invitation_id).user
    fresh = issue_invitation(s, user, load_program().invitation_ttl, invited_by_id=current_user.id)
    _record(org, notes.TEAM_INVITED, notes.INVITED_AGAIN.format(name=user.name, email=user.email))
    send_account_mail(invitation_mail(s, user, fresh))
    s.commit()
    flash(gettext("A new invitation link was sent to %(email)s. The earlier link no longer works.",
                  email=user.email), "success")
    return redirect(url_for("portal.team"))


@breach_page("portal.team_resend")
def _too_many_resends(wait: str):
    return _page(problem=gettext("Your organisation has sent many invitations in the last hour. "
                                 "Try again in %(wait)s.", wait=wait), status=429)


@bp.post("/team/invitations/<int:invitation_id>/revoke")
def team_revoke(invitation_id: int):
    org, s = _admin_org(), db()
    user = _pending(org, invitation_id).user
    # Only links still unused: one used a moment ago means the colleague is in (a 409 instead).
    withdrawn = s.execute(update(Invitation).where(
        Invitation.user_id == user.id, Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None)).values(revoked_at=utcnow()))
    s.refresh(user)
    if withdrawn.rowcount == 0 or user.password_hash is not None:
        s.rollback()
        abort(409, gettext("This invitation is no longer pending: it was accepted or withdrawn."))
    user.active = False  # so the address can be invited again, and no link renews it
    _record(org, notes.TEAM_INVITATION_REVOKED,
            notes.INVITATION_REVOKED.format(name=user.name, email=user.email))
    s.commit()
    flash(gettext("The invitation of %(email)s was withdrawn.", email=user.email), "success")
    return redirect(url_for("portal.team"))


@bp.post("/team/users/<int:user_id>/role")
def team_role(user_id: int):
    org, s = _admin_org(), db()
    user = _member(org, user_id)
    role, old = request.form.get("role", ""), role_of(user)
    if role not in PARTNER_ROLES:
        return _page(problem=gettext("Choose one of the roles."), status=400)
    if role == old:
        return redirect(url_for("portal.team"))
    lock_team(s, org.id)
    user.roles = [role]
    _record(org, notes.TEAM_ROLE_CHANGED,
            notes.ROLE_CHANGED.format(name=user.name, old_role=old, role=role))
    s.flush()  # written first: on SQLite the write is the lock (db/team.py lock_team)
    if admins_left(s, org.id) < 1:
        return _last_admin_refused()
    s.commit()
    flash(gettext("%(name)s is now a %(role)s.", name=user.name, role=role_label(role)), "success")
    return redirect(url_for("portal.team"))


@bp.post("/team/users/<int:user_id>/deactivate")
def team_deactivate(user_id: int):
    """Their sessions end: every browser of theirs is refused on its next request."""
    org, s = _admin_org(), db()
    user = _member(org, user_id)
    if not user.active:
        return redirect(url_for("portal.team"))
    lock_team(s, org.id)
    user.active = False
    end_sessions(s, user)
    for invitation in open_invitations(s, user.id):
        invitation.revoked_at = utcnow()
    _record(org, notes.TEAM_DEACTIVATED, notes.DEACTIVATED.format(name=user.name, email=user.email))
    s.flush()
    if admins_left(s, org.id) < 1:
        return _last_admin_refused()
    s.commit()
    if user.id == current_user.id:
        logout_user()
        flash(gettext("You deactivated your own account and are signed out."), "info")
        return redirect(url_for("auth.login"))
    flash(gettext("%(name)s can no longer sign in.", name=user.name), "success")
    return redirect(url_for("portal.team"))


@bp.post("/team/users/<int:user_id>/reactivate")
def team_reactivate(user_id: int):
    org, s = _admin_org(), db()
    user = _member(org, user_id)
    if user.active:
        return redirect(url_for("portal.team"))
    user.active = True
    _record(org, notes.TEAM_REACTIVATED, notes.REACTIVATED.format(name=user.name, email=user.email))
    s.commit()
    flash(gettext("%(name)s can sign in again.", name=user.name), "success")
    return redirect(url_for("portal.team"))
